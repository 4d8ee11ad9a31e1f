// The project's own two halves on one port, version negotiation end to end: chapter 08's client sends ONE hello for
// TLS 1.3 and 1.2 (08.19) to chapters 10 and 11's server with both versions (acceptTls). It gets TLS 1.3; the same
// client limited to TLS 1.2 (chapter 06's, as `connect --tls 1.2`) gets chapter 11. A server of ours limited to TLS
// 1.2 is still a TLS 1.3 implementation, so it marks its random (RFC 8446 §4.1.3) and our one hello refuses it. Each
// test runs the whole server: titled 11.17, the script, like the other live tests of this chapter.
import { expect } from "chai";
import { ProtocolVersion } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { connectTcp, connectTls12 } from "../../chapters/06-tls12-handshake/index.js";
import { connectTls } from "../../chapters/08-tls13-handshake/index.js";
import { TicketKeys, type TlsServer, newSecretKey, startTlsServer } from "../../chapters/10-tls13-server/index.js";
import { SessionCache, type Tls12ServerConfig, acceptTls, acceptTls12 } from "../../chapters/11-tls12-server/index.js";
import { expectRejection, readAll, roots } from "../support/client-helpers.js";
import { httpGet } from "../support/clients.js";
import { fixtureCredentials } from "./helpers.js";

const HOST = "127.0.0.1";

describe("11.17 one hello for both versions (chapter 08's connectTls) against our own server", function () {
  this.timeout(20_000);
  const serverLog: string[] = [];
  let both: TlsServer;
  let only12: TlsServer;
  before(async () => {
    const tls12: Tls12ServerConfig = { credentials: fixtureCredentials(), sessionCache: new SessionCache(), ticketKeys: new TicketKeys(), keyLog: (l) => serverLog.push(l) };
    const tls13 = { credentials: fixtureCredentials(), cookieKey: newSecretKey(), ticketKeys: new TicketKeys(), keyLog: (l: string) => serverLog.push(l) };
    [both, only12] = await Promise.all([
      startTlsServer({ tls13, accept: (t, o) => acceptTls(t, { tls12, tls13 }, o) }),
      startTlsServer({ tls13, accept: (t, o) => acceptTls12(t, tls12, o) }),
    ]);
  });
  after(async () => {
    await Promise.all([both?.close(), only12?.close()]);
  });

  /** The server's key log lines for one client random, sorted. */
  const serverLines = (clientRandom: Uint8Array) => serverLog.filter((l) => l.split(" ")[1] === toHex(clientRandom)).sort();

  it("11.17 the one hello gets TLS 1.3 (chapter 10), and the server's key log is ours line for line", async () => {
    const keyLog: string[] = [];
    const conn = await connectTls(await connectTcp(HOST, both.port), { servername: "localhost", ca: roots(), keyLog: (l) => keyLog.push(l) });
    conn.write(new TextEncoder().encode(httpGet("/one-hello")));
    const page = await readAll(conn);
    conn.close();
    expect(conn.version, "the version our server chose").to.equal(ProtocolVersion.TLS1_3);
    expect(page).to.include("200");
    expect(keyLog.sort(), "our key log against our server's").to.deep.equal(serverLines(conn.secrets.clientRandom));
  });

  it("11.17 the client limited to TLS 1.2 (connect --tls 1.2) gets chapter 11 on the same port, the same master secret", async () => {
    const keyLog: string[] = [];
    const conn = await connectTls12(await connectTcp(HOST, both.port), { servername: "localhost", ca: roots(), keyLog: (l) => keyLog.push(l) });
    conn.write(new TextEncoder().encode(httpGet("/only-1.2")));
    const page = await readAll(conn);
    conn.close();
    expect(page).to.include("200");
    expect(keyLog, "one CLIENT_RANDOM line, the server's").to.deep.equal(serverLines(conn.secrets.clientRandom));
  });

  it("11.17 our server limited to TLS 1.2 marks its random (DOWNGRD 01), and our one hello refuses it: illegal_parameter at the random", async () => {
    const e = await expectRejection(async () => connectTls(await connectTcp(HOST, only12.port), { servername: "localhost", ca: roots() }));
    expect([e.alertName, e.field], e.message).to.deep.equal(["illegal_parameter", "random"]);
  });
});
