// Exercise 08.19, the client that offers TLS 1.3 and TLS 1.2 in one hello and follows the server's choice, live on
// 127.0.0.1: Node's tls and `openssl s_server` configured for TLS 1.3, for TLS 1.2 only, and for both; the servers'
// own account of the connection and their key logs are the outside reference. Then the downgrade sentinel live: a
// proxy hides our TLS 1.3 offer from a server that speaks it, the server marks its random, and we refuse.
import { expect } from "chai";
import { CipherSuite, DOWNGRADE_TLS12, NamedGroup, ProtocolVersion } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { decodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { isReceivedAlert, isConnectionClosed } from "../../chapters/06-tls12-handshake/index.js";
import { type TlsConnection, annotateTraceAnyVersion } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { startDowngradeProxy } from "../support/downgrade-proxy.js";
import { type OpenSslServer, startNodeServer, startOpenSslServer } from "../support/peers.js";
import { type HttpsResponder, type OpenSslResponder, startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";
import { type Https13Responder, type OpenSsl13Responder, startHttps13Responder, startOpenSsl13Responder } from "../support/tls13-peers.js";
import { expectRejection, expectSameKeyLog, fetchPageAny, waitFor } from "./helpers.js";

/** What every connection must show: the version the server chose, one ClientHello offering both, a trace that decodes. */
function checkOneHello(conn: TlsConnection, version: number): void {
  expect(conn.version, "the version the server chose").to.equal(version);
  const hellos = conn.trace.filter((e) => e.from === "client" && e.name === "client_hello");
  expect(hellos.length, "one ClientHello (no retry)").to.equal(1);
  const ch = decodeClientHello(hellos[0]!.content);
  expectSame(findExtension(ch.extensions, "supported_versions")?.versions, [0x0304, 0x0303], "the versions our one hello offered", { table: ProtocolVersion });
  for (const a of annotateTraceAnyVersion(conn.trace)) expect(a.error, `${a.entry.from} ${a.entry.name}`).to.equal(undefined);
}

/** A TLS 1.2 connection's master secret must be the one the server logged for our client random. */
function checkMaster12(conn: TlsConnection, keyLog: string[], serverLog: Map<string, string>): void {
  if (conn.version !== ProtocolVersion.TLS1_2) throw new Error("expected a TLS 1.2 connection");
  expect(keyLog, "one key log line").to.have.length(1);
  const [label, random, master] = keyLog[0]!.split(" ");
  expect(label).to.equal("CLIENT_RANDOM");
  expect(random).to.equal(toHex(conn.secrets.clientRandom));
  expect(serverLog.get(random!), "the server's master secret for our client random").to.equal(master);
}

describe("08.19 one hello for TLS 1.3 and 1.2: the server chooses, the client follows", function () {
  let node13: Https13Responder;
  let node12: HttpsResponder;
  let openssl13: OpenSsl13Responder;
  let openssl12: OpenSslResponder;
  before(async () => {
    [node13, node12, openssl13, openssl12] = await Promise.all([startHttps13Responder(), startHttpsResponder(), startOpenSsl13Responder(), startOpenSslResponder()]);
  });
  after(async () => {
    await Promise.all([node13?.close(), node12?.close(), openssl13?.close(), openssl12?.close()]);
  });

  it("08.19 Node, TLS 1.3 only: the hello is answered in TLS 1.3; GET; the same key log as Node's", async () => {
    const { conn, response, keyLog } = await fetchPageAny(node13.port);
    expect(response).to.include("TLSv1.3");
    checkOneHello(conn, ProtocolVersion.TLS1_3);
    if (conn.version !== ProtocolVersion.TLS1_3) return;
    await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => node13.keyLog);
  });

  it("08.19 Node, TLS 1.2 only: the same kind of hello is answered in TLS 1.2, and chapter 06's steps go on (Node's master secret)", async () => {
    const { conn, response, keyLog } = await fetchPageAny(node12.port);
    expect(response).to.match(/hello from node: TLS_ECDHE_\w+ TLSv1\.2/);
    checkOneHello(conn, ProtocolVersion.TLS1_2);
    checkMaster12(conn, keyLog, node12.keyLog);
    const names = conn.trace.map((e) => `${e.from} ${e.name}`);
    expect(names.slice(0, 3), "the messages of a TLS 1.2 handshake follow our hello").to.deep.equal(["client client_hello", "server server_hello", "server certificate"]);
    expect(names, "no TLS 1.3 middlebox ChangeCipherSpec in a TLS 1.2 handshake").to.not.include("client change_cipher_spec (middlebox compatibility)");
  });

  it("08.19 OpenSSL -tls1_3: TLS 1.3, the same key log as s_server's", async () => {
    const { conn, response, keyLog } = await fetchPageAny(openssl13.port);
    expect(response).to.include("Protocol  : TLSv1.3");
    checkOneHello(conn, ProtocolVersion.TLS1_3);
    if (conn.version !== ProtocolVersion.TLS1_3) return;
    await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => openssl13.keyLog());
  });

  it("08.19 OpenSSL -tls1_2: TLS 1.2 with the extended master secret (the transcript holds our one hello), s_server's master secret", async () => {
    const { conn, response, keyLog } = await fetchPageAny(openssl12.port);
    expect(response).to.include("Protocol  : TLSv1.2");
    expect(response, "s_server's session page").to.include("Extended master secret: yes");
    checkOneHello(conn, ProtocolVersion.TLS1_2);
    checkMaster12(conn, keyLog, openssl12.keyLog());
  });

  it("08.19 extendedMasterSecret: false leaves the extension out of the one hello (connect --no-ems): s_server says no, and its master secret is still ours", async () => {
    const { conn, response, keyLog } = await fetchPageAny(openssl12.port, { extendedMasterSecret: false });
    const hello = decodeClientHello(conn.trace.find((e) => e.from === "client" && e.name === "client_hello")!.content);
    expect(findExtension(hello.extensions, "extended_master_secret"), "extended_master_secret in our hello").to.equal(undefined);
    expect(response, "s_server's session page").to.include("Extended master secret: no");
    checkMaster12(conn, keyLog, openssl12.keyLog());
  });

  it("08.19 OpenSSL -tls1_2, each kind of TLS 1.2 key exchange and both certificates after the one hello", async () => {
    for (const suite of [
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    ]) {
      const { conn, keyLog } = await fetchPageAny(openssl12.port, { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, suite] });
      expect(conn.cipherSuite).to.equal(suite);
      checkMaster12(conn, keyLog, openssl12.keyLog());
    }
  });

  it("08.19 a TLS 1.3 server that wants another group: the HelloRetryRequest is answered within the same script (Node, P-256 only)", async () => {
    const p256 = await startHttps13Responder({ ecdhCurve: "P-256" });
    try {
      const { conn, keyLog } = await fetchPageAny(p256.port, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
      if (conn.version !== ProtocolVersion.TLS1_3) throw new Error(`expected TLS 1.3, got ${conn.version}`);
      expect([conn.helloRetryRequest, conn.group], "a retry, then P-256").to.deep.equal([true, NamedGroup.secp256r1]);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => p256.keyLog);
    } finally {
      await p256.close();
    }
  });

  it("08.19 a server that closes before its ServerHello: the server closed the connection (no alert from anyone)", async () => {
    const net = await import("node:net");
    const mute = net.createServer((s) => s.once("data", () => s.end()));
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", () => r()));
    try {
      const e = await expectRejection(() => fetchPageAny((mute.address() as import("node:net").AddressInfo).port));
      expect([isConnectionClosed(e), isReceivedAlert(e)], e.message).to.deep.equal([true, false]);
    } finally {
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });
});

describe("08.19 the downgrade sentinel, live: a proxy hides our TLS 1.3 offer (RFC 8446 §4.1.3)", function () {
  let node: Awaited<ReturnType<typeof startNodeServer>>;
  let openssl: OpenSslServer;
  before(async () => {
    // Both speak TLS 1.3 and TLS 1.2: with our 1.3 offer hidden they choose 1.2, and mark their random.
    [node, openssl] = await Promise.all([startNodeServer({ minVersion: "TLSv1.2" }), startOpenSslServer(["-www"])]);
  });
  after(async () => {
    await Promise.all([node?.close(), openssl?.close()]);
  });

  for (const [name, port] of [["Node", () => node.port], ["OpenSSL", () => openssl.port]] as const) {
    it(`08.19 ${name}: the server answers in TLS 1.2 with DOWNGRD 01 at the end of its random, and we refuse at its ServerHello (illegal_parameter, field random), telling the server`, async () => {
      const proxy = await startDowngradeProxy(port());
      try {
        const e = await expectRejection(() => fetchPageAny(proxy.port));
        expect([e.alertName, e.field], e.message).to.deep.equal(["illegal_parameter", "random"]);
        const seen = proxy.seen();
        const serverHello = seen.serverRecords[0]!;
        expect(serverHello[5], "the server's first message is a ServerHello").to.equal(2);
        expectBytes(serverHello.subarray(5 + 4 + 2 + 24, 5 + 4 + 2 + 32), DOWNGRADE_TLS12, "the last 8 bytes of the server random: the sentinel");
        // Nothing of ours after the hello but our alert: no ClientKeyExchange went out.
        await waitFor(() => seen.clientRecords.length >= 2, () => `${seen.clientRecords.length} client records`);
        expect(seen.clientRecords.slice(1).map((r) => [r[0], r.length]), "after the ClientHello, one alert record (2 bytes of content)").to.deep.equal([[21, 7]]);
      } finally {
        await proxy.close();
      }
    });
  }
});
