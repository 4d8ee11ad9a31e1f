// Chapter 09's TLS 1.2 client that resumes (09.16, the script), against real servers on 127.0.0.1, each started once:
// `openssl s_server -tls1_2 -www` with tickets and with -no_ticket (its page says "Reused, TLSv1.2" or "New"), Node's
// tls with tickets and with SSL_OP_NO_TICKET and a session cache (the server's own socket.isSessionReused()), and the project's chapter 11
// server from solutions/ (its page says "resumed … by its session ticket / session ID"). The outside references: what
// each server says about the connection, and its key log (the master secret of the resumed connection, under the new
// client random, must be the one of the first connection: the master secret comes back). With s_server -Verify 1, a
// client certificate (signed by Node, tests/support/client-credentials.ts) goes in the full handshake only.
import { expect } from "chai";
import crypto from "node:crypto";
import type * as tls from "node:tls";
import { toHex } from "../../lib/hex.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { type ClientSession12, type Resume12Options, type Tls12ResumableConnection, connectTls12Resumable } from "../../chapters/09-resumption-0rtt/index.js";
// The chapter 11 server is a finished peer here: all of it, and the chapters under it, from solutions/, whatever the
// learner's chapters 10 and 11 hold.
import { TicketKeys, newSecretKey, readServerCredential, startTlsServer } from "../../solutions/10-tls13-server/index.js";
import { SessionCache, type Tls12ServerConfig, acceptTls12 } from "../../solutions/11-tls12-server/index.js";
import { readAll, roots } from "../support/client-helpers.js";
import { nodeCredential } from "../support/client-credentials.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { type HttpsResponder, type OpenSslResponder, parseKeyLog, startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";

const HOST = "127.0.0.1";
const GET = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

/** One connection: handshake, GET, the whole answer, close. */
async function visit(port: number, options: Partial<Resume12Options> = {}): Promise<{ conn: Tls12ResumableConnection; page: string }> {
  const conn = await connectTls12Resumable(await connectTcp(HOST, port), { servername: "localhost", ca: roots(), ...options });
  conn.write(GET);
  const page = await readAll(conn);
  conn.close();
  return { conn, page };
}

/** A first connection, then a second that offers its session. */
async function twice(port: number, tickets: boolean) {
  const first = await visit(port, { tickets });
  const second = await visit(port, { tickets, session: first.conn.session });
  return { first, second };
}

/** The server's master secret for a connection's client random equals ours. */
function expectLogged(serverLog: Map<string, string>, conn: Tls12ResumableConnection, what: string): void {
  expect(serverLog.get(toHex(conn.secrets.clientRandom)), `${what}: the server's key log line for our client random`).to.equal(toHex(conn.secrets.master));
}

/** The fixture credentials, ECDSA and RSA, read by solutions/10. */
const fixtureCredentials = () => [
  readServerCredential(readFixture("server-ecdsa.crt"), readFixture("server-ecdsa.key"), "server-ecdsa.crt"),
  readServerCredential(readFixture("server-rsa.crt"), readFixture("server-rsa.key"), "server-rsa.crt"),
];

/** The chapter 11 server of solutions/: sessions by ID (a cache) and, with `tickets`, by ticket. */
async function chapter11Server(tickets: boolean) {
  const lines: string[] = [];
  const tls12: Tls12ServerConfig = {
    credentials: fixtureCredentials(),
    sessionCache: new SessionCache(),
    ...(tickets ? { ticketKeys: new TicketKeys() } : {}),
    keyLog: (line) => lines.push(line),
  };
  const tls13 = { credentials: fixtureCredentials(), cookieKey: newSecretKey(), ticketKeys: new TicketKeys() };
  const server = await startTlsServer({ tls13, accept: (t, o) => acceptTls12(t, tls12, o) });
  return { server, keyLog: () => parseKeyLog(lines.join("\n")) };
}

/** A cell of chapter 10/11's page, by its header. */
const cell = (page: string, header: string) => new RegExp(`<th>${header}</th><td>([^<]*)</td>`).exec(page)?.[1];

describe("09.16 live: TLS 1.2 resumption by session ID and by ticket", function () {
  this.timeout(20_000);
  let openssl: OpenSslResponder;
  let opensslIds: OpenSslResponder;
  let node: HttpsResponder;
  let nodeIds: HttpsResponder;
  const reused = new Map<HttpsResponder, boolean[]>();
  let ours: Awaited<ReturnType<typeof chapter11Server>>;
  let oursIds: Awaited<ReturnType<typeof chapter11Server>>;

  before(async () => {
    [openssl, opensslIds, node, nodeIds, ours, oursIds] = await Promise.all([
      startOpenSslResponder(),
      startOpenSslResponder(["-no_ticket"]),
      startHttpsResponder(),
      startHttpsResponder({ secureOptions: crypto.constants.SSL_OP_NO_TICKET }),
      chapter11Server(true),
      chapter11Server(false),
    ]);
    // Node resumes by session ID only through an application's cache: its 'newSession' and 'resumeSession' events.
    const cache = new Map<string, Buffer>();
    nodeIds.server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
      cache.set(id.toString("hex"), data);
      done();
    });
    nodeIds.server.on("resumeSession", (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, cache.get(id.toString("hex")) ?? null));
    for (const n of [node, nodeIds]) {
      const list: boolean[] = [];
      reused.set(n, list);
      n.server.on("secureConnection", (s: tls.TLSSocket) => list.push(s.isSessionReused()));
    }
  });
  after(async () => {
    await Promise.all([openssl?.close(), opensslIds?.close(), node?.close(), nodeIds?.close(), ours?.server.close(), oursIds?.server.close()]);
  });

  it("09.16 s_server with tickets: a full handshake brings a ticket; the second connection resumes with it, \"Reused, TLSv1.2\", the same master secret", async () => {
    const { first, second } = await twice(openssl.port, true);
    expect(first.conn.resumed, "the first connection").to.equal(false);
    expect(first.page, "s_server's page, first").to.match(/New, TLSv1\.2/);
    expect(first.conn.session.ticket?.length ?? 0, "the ticket of s_server's NewSessionTicket").to.be.greaterThan(0);
    expect(second.conn.resumed, "the second connection resumed").to.equal(true);
    expect(second.page, "s_server's page, second").to.match(/Reused, TLSv1\.2/);
    expect(second.conn.validation, "no certificate in an abbreviated handshake").to.equal(undefined);
    expect(toHex(second.conn.secrets.master), "the master secret comes back").to.equal(toHex(first.conn.secrets.master));
    expectLogged(openssl.keyLog(), second.conn, "resumed");
  });

  it("09.16 s_server -no_ticket, tickets off: resumed by session ID, the server's ID echoed", async () => {
    const { first, second } = await twice(opensslIds.port, false);
    expect(first.conn.session.ticket, "no ticket").to.equal(undefined);
    expect(first.conn.session.sessionId.length, "s_server's session ID").to.equal(32);
    expect(second.conn.resumed, "resumed").to.equal(true);
    expect(second.page, "s_server's page").to.match(/Reused, TLSv1\.2/);
    expect(toHex(second.conn.session.sessionId), "the same session ID").to.equal(toHex(first.conn.session.sessionId));
    expectLogged(opensslIds.keyLog(), second.conn, "resumed");
  });

  it("09.16 Node's tls, by ticket and by session ID: the server's socket says it reused the session", async () => {
    for (const [server, tickets] of [[node, true], [nodeIds, false]] as const) {
      const { first, second } = await twice(server.port, tickets);
      const what = tickets ? "by ticket" : "by session ID";
      expect(first.page, `${what}: the first answer`).to.match(/^HTTP\/1\.1 200 OK/);
      expect(second.conn.resumed, `${what}: resumed`).to.equal(true);
      expect(reused.get(server), `${what}: isSessionReused() on the server, per connection`).to.deep.equal([false, true]);
      expect(second.page, `${what}: the second answer`).to.match(/^HTTP\/1\.1 200 OK/);
      expectLogged(server.keyLog, second.conn, what);
      reused.get(server)!.length = 0;
    }
  });

  it("09.16 the chapter 11 server (solutions/), by ticket and by session ID: its page says how it resumed; its key log", async () => {
    for (const [server, tickets, by] of [[ours, true, "session ticket"], [oursIds, false, "session ID"]] as const) {
      const { first, second } = await twice(server.server.port, tickets);
      expect(cell(first.page, "resumed"), `${by}: the first connection`).to.match(/^no/);
      expect(second.conn.resumed, `${by}: resumed`).to.equal(true);
      expect(cell(second.page, "resumed"), `${by}: the server's page`).to.match(new RegExp(`^yes.*${by}`));
      expectLogged(server.keyLog(), second.conn, by);
    }
  });

  it("09.16 a session the server does not know (s_server's ticket offered to Node): a full handshake, certificate checked, and a new session", async () => {
    const fromOpenssl = (await visit(openssl.port)).conn.session;
    const { conn, page } = await visit(node.port, { session: fromOpenssl });
    expect(conn.resumed, "resumed").to.equal(false);
    expect(conn.validation?.path.length, "the certificate chain validated").to.be.greaterThan(0);
    expect(page).to.match(/^HTTP\/1\.1 200 OK/);
    expect(toHex(conn.session.master), "a new master secret").to.not.equal(toHex(fromOpenssl.master));
    expect(conn.session.ticket?.length ?? 0, "Node's own ticket").to.be.greaterThan(0);
    reused.get(node)!.length = 0;
  });

  it("09.16 s_server -Verify 1: the full handshake sends our client certificate (06.16's steps); the resumed one needs none, the session proves it", async () => {
    const server = await startOpenSslResponder(["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt")]);
    try {
      const credential = nodeCredential("ecdsa");
      const { first, second } = await (async () => {
        const a = await visit(server.port, { clientCredential: credential });
        return { first: a, second: await visit(server.port, { clientCredential: credential, session: a.conn.session }) };
      })();
      const sent = (c: Tls12ResumableConnection) => c.trace.filter((e) => e.from === "client").map((e) => e.name);
      expect(sent(first.conn), "what we sent in the full handshake").to.include.members(["certificate", "certificate_verify"]);
      expect(first.page, "s_server's page, first").to.match(/New, TLSv1\.2/);
      expect(second.conn.resumed, "resumed").to.equal(true);
      expect(second.page, "s_server's page, second").to.match(/Reused, TLSv1\.2/);
      expect(sent(second.conn), "what we sent when resuming").to.not.include("certificate");
      expect(credential.log.length, "how many times our signer was asked").to.equal(1);
    } finally {
      await server.close();
    }
  });

  it("09.16 a resumed connection brings a session that resumes again (the ticket it renewed, or the same one)", async () => {
    let session: ClientSession12 | undefined;
    const seen: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const { conn } = await visit(ours.server.port, { session });
      seen.push(conn.resumed);
      session = conn.session;
    }
    expect(seen, "full, resumed, resumed").to.deep.equal([false, true, true]);
  });
});
