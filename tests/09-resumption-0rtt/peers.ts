// Chapter 09's resumption, in both versions, against servers no one here wrote, on 127.0.0.1: GnuTLS's gnutls-serv
// and nginx (OpenSSL inside), each started once per suite. TLS 1.3 (09.9): a first connection brings a ticket, the
// second offers it as a PSK. TLS 1.2 (09.16): by ticket (RFC 5077) against servers that keep no session cache
// (gnutls-serv --nodb, nginx's default ssl_session_cache none), so that only the ticket can bring the session back; by
// session ID against servers with a cache, our hello offering no ticket. The outside references: the server's own
// word that it resumed (gnutls-serv prints "*** This is a resumed session"; nginx's $ssl_session_reused is "r", on its
// page and in its access log), gnutls-serv's key log (SSLKEYLOGFILE), and nginx's records opened by Node with the
// secrets we logged.
import { expect } from "chai";
import { toHex } from "../../lib/hex.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import {
  type ResumeOptions,
  type ResumedConnection,
  type Resume12Options,
  type StoredTicket,
  type Tls12ResumableConnection,
  connectResumed,
  connectTls12Resumable,
} from "../../chapters/09-resumption-0rtt/index.js";
import { decryptServerRecords, expectSameKeyLog, readAll, roots, waitFor } from "../08-tls13-handshake/helpers.js";
import { type GnutlsServer, startGnutlsServer } from "../support/gnutls.js";
import { installed, skipUnlessInstalled } from "../support/installed.js";
import { type NginxServer, startNginx } from "../support/nginx.js";
import { openServerData12, secretsOf, throughRelay } from "../support/relay-records.js";

/** Starts a peer if its program is installed; if not, nothing is started and its tests skip themselves. */
const ifInstalled = <T>(program: string, start: () => Promise<T>): Promise<T> => (installed(program) ? start() : Promise.resolve(undefined as unknown as T));

const HOST = "127.0.0.1";
const GET = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
const RESUMED = "*** This is a resumed session";
const count = (s: string, what: string) => s.split(what).length - 1;

/** One TLS 1.3 connection that may resume: handshake, GET, the whole answer, the tickets it brought, our key log. */
async function visit13(port: number, options: Partial<ResumeOptions> = {}) {
  const keyLog: string[] = [];
  const conn: ResumedConnection = await connectResumed(await connectTcp(HOST, port), { servername: "localhost", ca: roots(), keyLog: (l) => keyLog.push(l), ...options });
  conn.write(GET);
  const page = await readAll(conn);
  const tickets: StoredTicket[] = conn.newTickets();
  conn.close();
  return { conn, page, tickets, keyLog };
}

/** One TLS 1.2 connection that may resume (09.16's client): handshake, GET, the whole answer, our key log. */
async function visit12(port: number, options: Partial<Resume12Options> = {}) {
  const keyLog: string[] = [];
  const conn: Tls12ResumableConnection = await connectTls12Resumable(await connectTcp(HOST, port), { servername: "localhost", ca: roots(), keyLog: (l) => keyLog.push(l), ...options });
  conn.write(GET);
  const page = await readAll(conn);
  conn.close();
  return { conn, page, keyLog };
}

/** A TLS 1.3 key log without the early secrets (its labels start with EARLY_ or CLIENT_EARLY_). */
function withoutEarly(log: Map<string, Map<string, string>>): Map<string, Map<string, string>> {
  return new Map([...log].map(([random, lines]) => [random, new Map([...lines].filter(([label]) => !/^(CLIENT_)?EARLY_/.test(label)))]));
}

/** Our one CLIENT_RANDOM line must be gnutls-serv's own for our client random. */
async function expectGnutlsMaster(keyLog: string[], clientRandom: Uint8Array, server: GnutlsServer, what: string): Promise<void> {
  const random = toHex(clientRandom);
  await waitFor(() => server.keyLog().get(random)?.has("CLIENT_RANDOM") === true, () => `no CLIENT_RANDOM line from gnutls-serv for ${what}`);
  expect(keyLog, `${what}: our key log, against gnutls-serv's`).to.deep.equal([`CLIENT_RANDOM ${random} ${server.keyLog().get(random)!.get("CLIENT_RANDOM")}`]);
}

/** gnutls-serv's words about the connections made during `work`. */
async function printedDuring<T>(server: GnutlsServer, work: () => Promise<T>): Promise<T & { printed: string }> {
  const from = server.output().length;
  const result = await work();
  await waitFor(() => /- Version: TLS/.test(server.output().slice(from)), () => server.output().slice(from));
  return { ...result, printed: server.output().slice(from) };
}

describe("09.9 peers: TLS 1.3 resumption with a ticket (gnutls-serv, nginx)", function () {
  this.timeout(20000);
  let gnutls: GnutlsServer;
  let nginx: NginxServer;
  before(async () => {
    [gnutls, nginx] = await Promise.all([
      ifInstalled("gnutls-serv", () => startGnutlsServer({ priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3" })),
      ifInstalled("nginx", () => startNginx({ protocols: "TLSv1.3", extra: "    keepalive_timeout 0;" })),
    ]);
  });
  after(async () => {
    await Promise.all([gnutls?.close(), nginx?.close()]);
  });

  it("09.9 gnutls-serv: the ticket of the first connection resumes the second (\"This is a resumed session\", no certificate); GnuTLS logged the very secrets we did", async function () {
    skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
    const first = await printedDuring(gnutls, () => visit13(gnutls.port));
    expect(first.page, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.3");
    expect(count(first.printed, RESUMED), "gnutls-serv on the first connection").to.equal(0);
    expect(first.tickets.length, "gnutls-serv's NewSessionTickets").to.be.greaterThan(0);
    const second = await printedDuring(gnutls, () => visit13(gnutls.port, { ticket: first.tickets[0] }));
    expect(second.conn.resumption, "what our client says").to.include({ pskOffered: true, pskAccepted: true });
    expect(second.conn.serverCertificates, "no Certificate in a resumed handshake").to.have.length(0);
    expect(count(second.printed, RESUMED), "gnutls-serv on the second connection").to.equal(1);
    expect(second.page, "gnutls-serv's page, resumed").to.include("Protocol version:</TD><TD>TLS1.3");
    // GnuTLS also logs the early secrets a PSK gives (CLIENT_EARLY_TRAFFIC_SECRET, EARLY_EXPORTER_SECRET), which a
    // client that sent no early data has no use for: the five lines we write must be GnuTLS's.
    await expectSameKeyLog(second.keyLog, second.conn.secrets.clientRandom, () => withoutEarly(gnutls.keyLog()));
  });

  it("09.9 nginx: the ticket of the first connection resumes the second ($ssl_session_reused r); nginx's records open with our key log", async function () {
    skipUnlessInstalled(this, "nginx", "nginx-light");
    const first = await visit13(nginx.port);
    expect(first.page, "nginx's page, first").to.match(/reused=\.\n/);
    expect(first.tickets.length, "nginx's NewSessionTickets").to.be.greaterThan(0);
    const second = await throughRelay(nginx.port, (port) => visit13(port, { ticket: first.tickets[0] }));
    expect(second.conn.resumption, "what our client says").to.include({ pskOffered: true, pskAccepted: true });
    expect(second.page, "nginx's page, second").to.match(/^HTTP\/1\.1 200 OK/).and.include("reused=r\n");
    const opened = decryptServerRecords(second.serverRecords, secretsOf(second.keyLog), second.conn.cipherSuite)
      .filter((r) => r.stage === "application" && r.type === 23)
      .map((r) => new TextDecoder().decode(r.content))
      .join("");
    expect(opened, "nginx's answer, opened by Node with the secrets we logged").to.include("reused=r");
    await waitFor(() => nginx.accessLog().length >= 2, () => nginx.accessLog().join("\n"));
    expect(nginx.accessLog().slice(-2).map((l) => l.split(" ")[4]), "nginx's access log, $ssl_session_reused per connection").to.deep.equal([".", "r"]);
  });
});

describe("09.16 peers: TLS 1.2 resumption by ticket and by session ID (gnutls-serv, nginx)", function () {
  this.timeout(20000);
  let gnutlsTickets: GnutlsServer; // --nodb: no session cache, only a ticket brings a session back
  let gnutlsIds: GnutlsServer; // --noticket: its session cache only
  let nginxTickets: NginxServer; // ssl_session_cache none (nginx's default): tickets only
  let nginxIds: NginxServer; // ssl_session_cache builtin: by session ID when we offer no ticket
  before(async () => {
    const tls12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
    [gnutlsTickets, gnutlsIds, nginxTickets, nginxIds] = await Promise.all([
      ifInstalled("gnutls-serv", () => startGnutlsServer({ priority: tls12, args: ["--nodb"] })),
      ifInstalled("gnutls-serv", () => startGnutlsServer({ priority: tls12, args: ["--noticket"] })),
      ifInstalled("nginx", () => startNginx({ protocols: "TLSv1.2", extra: "    keepalive_timeout 0;" })),
      ifInstalled("nginx", () => startNginx({ protocols: "TLSv1.2", extra: "    keepalive_timeout 0;\n    ssl_session_cache builtin:100;" })),
    ]);
  });
  after(async () => {
    await Promise.all([gnutlsTickets?.close(), gnutlsIds?.close(), nginxTickets?.close(), nginxIds?.close()]);
  });

  for (const tickets of [true, false]) {
    const how = tickets ? "by ticket (gnutls-serv --nodb: no cache)" : "by session ID (gnutls-serv --noticket, our hello without the SessionTicket extension)";
    it(`09.16 gnutls-serv, ${how}: "This is a resumed session"; the master secret comes back (GnuTLS logged it for the first connection), and gnutls-serv's records open with it`, async function () {
      skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
      const server = tickets ? gnutlsTickets : gnutlsIds;
      const first = await printedDuring(server, () => visit12(server.port, { tickets }));
      expect(first.page, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.2");
      expect(count(first.printed, RESUMED), "gnutls-serv on the first connection").to.equal(0);
      if (tickets) expect(first.conn.session.ticket?.length ?? 0, "gnutls-serv's NewSessionTicket").to.be.greaterThan(0);
      else expect(first.conn.session.sessionId.length, "gnutls-serv's session ID").to.equal(32);
      await expectGnutlsMaster(first.keyLog, first.conn.secrets.clientRandom, server, "the full handshake");
      const second = await printedDuring(server, () => throughRelay(server.port, (port) => visit12(port, { tickets, session: first.conn.session })));
      expect(second.conn.resumed, "what our client says").to.equal(true);
      expect(count(second.printed, RESUMED), "gnutls-serv on the second connection").to.equal(1);
      expect(second.page, "gnutls-serv's page, resumed").to.include("Protocol version:</TD><TD>TLS1.2");
      expect(toHex(second.conn.secrets.master), "the master secret comes back").to.equal(toHex(first.conn.secrets.master));
      // GnuTLS logs no line for a resumed TLS 1.2 connection: its records, opened by Node with the master secret we
      // logged under the new client random, show that the keys are its.
      expect(openServerData12(second.serverRecords, second.keyLog[0]!, second.conn.cipherSuite), "gnutls-serv's page, opened by Node with our key log").to.include(
        "Protocol version:</TD><TD>TLS1.2",
      );
    });
  }

  for (const tickets of [true, false]) {
    const how = tickets ? "by ticket (no session cache)" : "by session ID (ssl_session_cache builtin, our hello without the SessionTicket extension)";
    it(`09.16 nginx, ${how}: $ssl_session_reused r; the master secret comes back; nginx's records open with it`, async function () {
      skipUnlessInstalled(this, "nginx", "nginx-light");
      const server = tickets ? nginxTickets : nginxIds;
      const first = await visit12(server.port, { tickets });
      expect(first.page, "nginx's page, first").to.include("nginx: TLSv1.2").and.match(/reused=\.\n/);
      if (tickets) expect(first.conn.session.ticket?.length ?? 0, "nginx's NewSessionTicket").to.be.greaterThan(0);
      else expect(first.conn.session.sessionId.length, "nginx's session ID").to.equal(32);
      const second = await throughRelay(server.port, (port) => visit12(port, { tickets, session: first.conn.session }));
      expect(second.conn.resumed, "what our client says").to.equal(true);
      expect(second.page, "nginx's page, second").to.match(/^HTTP\/1\.1 200 OK/).and.include("reused=r\n");
      expect(toHex(second.conn.secrets.master), "the master secret comes back").to.equal(toHex(first.conn.secrets.master));
      expect(openServerData12(second.serverRecords, second.keyLog[0]!, second.conn.cipherSuite), "nginx's answer, opened by Node with the master secret we logged").to.include("reused=r");
      await waitFor(() => server.accessLog().length >= 2, () => server.accessLog().join("\n"));
      expect(server.accessLog().slice(-2).map((l) => l.split(" ")[4]), "nginx's access log, $ssl_session_reused per connection").to.deep.equal([".", "r"]);
    });
  }
});
