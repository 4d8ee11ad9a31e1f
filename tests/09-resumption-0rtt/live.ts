// Chapter 09 against real servers on 127.0.0.1, each started once: `openssl s_server -tls1_3 -early_data` (it prints
// "Early data received:" and the data it read as 0-RTT, and logs CLIENT_EARLY_TRAFFIC_SECRET to its -keylogfile), the
// same without -early_data (early data refused), and Node's tls server (resumption without early data; the server's
// own socket.isSessionReused() says whether it resumed). A relay flips one bit of a binder on its way to s_server.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertDescription } from "../../lib/constants.js";
import { alertName } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { type ResumeOptions, type ResumedConnection, type StoredTicket, TicketStore, connectResumed } from "../../chapters/09-resumption-0rtt/index.js";
import { expectRejection, roots } from "../08-tls13-handshake/helpers.js";
import { startClientTamperProxy } from "../support/client-tamper-proxy.js";
import { type Https13Responder, type InteractiveOpenSsl, startHttps13Responder, startInteractiveOpenSsl13 } from "../support/tls13-peers.js";

const HOST = "127.0.0.1";
const text = (s: string) => new TextEncoder().encode(s);
const marker = (what: string) => `${what}-${randomBytes(6).toString("hex")}\n`;

/** Connects to s_server, sends a line, has s_server type one back, and returns the tickets that came before it. */
async function ticketsFrom(server: InteractiveOpenSsl, options: Partial<ResumeOptions> = {}): Promise<{ conn: ResumedConnection; tickets: StoredTicket[] }> {
  const conn = await connectResumed(await connectTcp(HOST, server.port), { servername: "localhost", ca: roots(), ...options });
  const line = marker("ping");
  server.type(line);
  let got = "";
  while (!got.includes(line)) {
    const data = await conn.read();
    if (data === null) throw new Error("s_server closed before typing back");
    got += new TextDecoder().decode(data);
  }
  const tickets = conn.newTickets();
  return { conn, tickets };
}

/**
 * Closes our side. s_server serves one client at a time, but the next connection simply waits in its accept queue, so
 * nothing needs to wait here (its stdout is a pipe, buffered: "CONNECTION CLOSED" may show up much later).
 */
async function finish(_server: InteractiveOpenSsl, conn: ResumedConnection): Promise<void> {
  conn.close();
}

const count = (s: string, what: string) => s.split(what).length - 1;

describe("09 live: resumption and 0-RTT with OpenSSL and Node", function () {
  this.timeout(15000);
  let dir: string;
  let early: InteractiveOpenSsl;
  let plain: InteractiveOpenSsl;
  let node: Https13Responder;
  const reused: boolean[] = [];
  let earlyKeyLog: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tls-by-hand-09-"));
    earlyKeyLog = join(dir, "early.log");
    [early, plain, node] = await Promise.all([
      startInteractiveOpenSsl13(["-early_data", "-keylogfile", earlyKeyLog]),
      startInteractiveOpenSsl13([]),
      startHttps13Responder({}, (socket) => reused.push(socket.isSessionReused())),
    ]);
  });
  after(async () => {
    await Promise.all([early?.close(), plain?.close(), node?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("09.9 resumes with s_server -early_data: early data read as 0-RTT, CLIENT_EARLY_TRAFFIC_SECRET equals the server's", async () => {
    const first = await ticketsFrom(early);
    await finish(early, first.conn);
    expect(first.tickets.length, "tickets from the first connection").to.be.greaterThan(0);
    expect(first.tickets[0]!.maxEarlyDataSize, "s_server -early_data allows 0-RTT").to.be.greaterThan(0);

    const data = marker("EARLY");
    const keyLog: string[] = [];
    const before = count(early.output(), "Early data received:");
    const conn = await connectResumed(await connectTcp(HOST, early.port), {
      servername: "localhost",
      ca: roots(),
      ticket: first.tickets[0],
      earlyData: text(data),
      keyLog: (l) => keyLog.push(l),
    });
    expect(conn.resumption).to.include({ pskOffered: true, pskAccepted: true, earlyData: "accepted" });
    expect(conn.earlyDataResent).to.equal(false);
    expect(conn.serverCertificates, "no certificate in a resumed handshake").to.deep.equal([]);
    const out = await early.waitForOutput(new RegExp(data.trim()));
    await early.waitForOutput(/End of early data/);
    expect(count(out, "Early data received:"), "s_server: Early data received").to.equal(before + 1);
    const ours = keyLog.find((l) => l.startsWith("CLIENT_EARLY_TRAFFIC_SECRET "));
    const theirs = readFileSync(earlyKeyLog, "latin1").split("\n").find((l) => l.startsWith(`CLIENT_EARLY_TRAFFIC_SECRET ${toHex(conn.secrets.clientRandom)}`));
    expect(ours, "our key log line").to.be.a("string");
    expect(ours).to.equal(theirs);
    await finish(early, conn);
  });

  it("09.9 resumes after a HelloRetryRequest (s_server -groups P-256, our share X25519): new binder, 0-RTT skipped and resent", async () => {
    const keyLogFile = join(dir, "hrr.log");
    // -no_anti_replay: with OpenSSL's anti-replay on, a ticket is single-use and already spent by the first
    // ClientHello, so after the HelloRetryRequest it cannot resume anyone (its own s_client included, we checked).
    const hrr = await startInteractiveOpenSsl13(["-early_data", "-no_anti_replay", "-groups", "P-256", "-keylogfile", keyLogFile]);
    try {
      // The first, full handshake already meets the HelloRetryRequest; it brings the ticket.
      const first = await ticketsFrom(hrr);
      await finish(hrr, first.conn);
      expect(first.tickets.length, "tickets from the first connection").to.be.greaterThan(0);

      const data = marker("AFTER-HRR");
      const keyLog: string[] = [];
      const conn = await connectResumed(await connectTcp(HOST, hrr.port), {
        servername: "localhost",
        ca: roots(),
        ticket: first.tickets[0],
        earlyData: text(data),
        keyLog: (l) => keyLog.push(l),
      });
      // OpenSSL checks the binder of the second ClientHello (over message_hash, the HelloRetryRequest and the truncated
      // ClientHello2): accepting the PSK is its verdict that the new binder is right.
      expect(conn.resumption).to.include({ pskOffered: true, pskAccepted: true, earlyData: "rejected" });
      expect(conn.earlyDataResent, "the 0-RTT data went again after the handshake").to.equal(true);
      expect(conn.group, "the group the HelloRetryRequest asked for").to.equal(0x0017);
      await hrr.waitForOutput(new RegExp(data.trim()));
      // The transcript with message_hash: our handshake secrets are the server's.
      const random = toHex(conn.secrets.clientRandom);
      const theirs = readFileSync(keyLogFile, "latin1").split("\n").filter((l) => l.includes(random) && l.startsWith("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
      expect(theirs, "the server's CLIENT_HANDSHAKE_TRAFFIC_SECRET").to.have.length(1);
      expect(keyLog).to.include(theirs[0]);
      await finish(hrr, conn);
    } finally {
      await hrr.close();
    }
  });

  it("09.11 a second run resumes from the ticket file the first run saved", async () => {
    const file = join(dir, "tickets.json");
    const run1 = await ticketsFrom(early);
    const store1 = TicketStore.load(file);
    store1.add(...run1.tickets);
    store1.save();
    await finish(early, run1.conn);
    const store2 = TicketStore.load(file);
    const ticket = store2.take("localhost");
    expect(ticket, "a ticket in the file").to.not.equal(undefined);
    const run2 = await ticketsFrom(early, { ticket });
    expect(run2.conn.resumption.pskAccepted, "resumed from the file").to.equal(true);
    await finish(early, run2.conn);
  });

  it("09.10 early data rejected by s_server without -early_data: the PSK still resumes, the data is resent and received", async () => {
    const first = await ticketsFrom(plain);
    await finish(plain, first.conn);
    // This server's tickets allow no 0-RTT; pretend one did (a server whose configuration changed): the client sends
    // early data, the server skips it and says nothing of early_data, the client sends the data again.
    const ticket = { ...first.tickets[0]!, maxEarlyDataSize: 16384 };
    const data = marker("RESENT");
    const conn = await connectResumed(await connectTcp(HOST, plain.port), { servername: "localhost", ca: roots(), ticket, earlyData: text(data) });
    expect(conn.resumption).to.include({ pskAccepted: true, earlyData: "rejected" });
    expect(conn.earlyDataResent).to.equal(true);
    const out = await plain.waitForOutput(new RegExp(data.trim()));
    expect(out).to.not.include("Early data received:");
    await finish(plain, conn);
  });

  it("09.9 a ticket another server issued is refused: a full handshake, certificate checked, data resent", async () => {
    const first = await ticketsFrom(early);
    await finish(early, first.conn);
    const data = marker("FULL");
    const conn = await connectResumed(await connectTcp(HOST, plain.port), { servername: "localhost", ca: roots(), ticket: first.tickets[0], earlyData: text(data) });
    expect(conn.resumption).to.include({ pskOffered: true, pskAccepted: false, earlyData: "rejected" });
    expect(conn.serverCertificates.length, "the server showed its certificate").to.be.greaterThan(0);
    expect(conn.validation, "and it was validated").to.not.equal(undefined);
    expect(conn.earlyDataResent).to.equal(true);
    await plain.waitForOutput(new RegExp(data.trim()));
    await finish(plain, conn);
  });

  it("09.10 resumes with Node's tls server (no 0-RTT): the response arrives and the server reports the session reused", async () => {
    const get = text("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const fetch = async (ticket?: StoredTicket) => {
      const conn = await connectResumed(await connectTcp(HOST, node.port), { servername: "localhost", ca: roots(), ticket, earlyData: get });
      let response = "";
      for (let d = await conn.read(); d !== null; d = await conn.read()) response += new TextDecoder().decode(d);
      conn.close();
      return { conn, response };
    };
    const first = await fetch();
    const tickets = first.conn.newTickets();
    expect(tickets.length, "Node sent tickets").to.be.greaterThan(0);
    expect(tickets[0]!.maxEarlyDataSize, "Node allows no early data").to.equal(0);
    const second = await fetch(tickets[0]);
    expect(second.response).to.match(/^HTTP\/1\.1 200 OK/);
    expect(second.conn.resumption).to.include({ pskAccepted: true, earlyData: "not sent" });
    expect(second.conn.earlyDataResent, "the request went after the handshake").to.equal(true);
    expect(reused, "socket.isSessionReused() on the server").to.deep.equal([false, true]);
  });

  it("09.9 a binder flipped on the way makes s_server refuse the handshake: illegal_parameter, by name", async () => {
    const first = await ticketsFrom(early);
    await finish(early, first.conn);
    // The ClientHello's last byte is the last byte of its binder (pre_shared_key is last, binders end it).
    const proxy = await startClientTamperProxy(early.port, (record, index) => {
      if (index === 0) record[record.length - 1]! ^= 0x01;
      return record;
    });
    try {
      const error = await expectRejection(async () =>
        connectResumed(await connectTcp(HOST, proxy.port), { servername: "localhost", ca: roots(), ticket: first.tickets[0], earlyData: text(marker("TAMPERED")) }),
      );
      // OpenSSL 3.0 answers a binder that does not verify with illegal_parameter (RFC 8446 §4.2.11.2 leaves the alert
      // open; other servers send decrypt_error).
      expect(alertName(error.alert), error.message).to.equal(alertName(AlertDescription.illegal_parameter));
      expect(error.field).to.equal("received alert");
      // The control: the same path and a ticket of the same connection, untouched binder, resumes.
      const control = await startClientTamperProxy(early.port);
      try {
        const conn = await connectResumed(await connectTcp(HOST, control.port), { servername: "localhost", ca: roots(), ticket: first.tickets[1] ?? first.tickets[0] });
        expect(conn.resumption.pskAccepted).to.equal(true);
        conn.close();
      } finally {
        await control.close();
      }
    } finally {
      await proxy.close();
    }
  });
});
