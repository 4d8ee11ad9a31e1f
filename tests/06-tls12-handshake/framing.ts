// Exercise 06.13, the whole client over its record layer (the record layer alone: record-layer.ts): a real server's
// first flight re-cut by a proxy on 127.0.0.1 (tests/support/tamper-proxy.ts) into one message per record, into tiny
// records that split every message, into one record holding every message, and delivered one TCP byte at a time;
// records a server may slip in between (warning alerts, HelloRequest) and ones it must not (a fatal alert, application
// data or a ChangeCipherSpec before the keys, an oversized message). Each time the handshake must complete, with the
// server's own master secret, or fail with the alert RFC 5246 names.
import { expect } from "chai";
import { AlertDescription, CipherSuite } from "../../lib/constants.js";
import { isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { ContentType } from "../support/records.js";
import { type ProxyRules, type TamperProxy, fragmented, onePerRecord, recordOf, startTamperProxy, together } from "../support/tamper-proxy.js";
import { type HttpsResponder, type OpenSslResponder, startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";
import { expectRejection, fetchPage } from "./helpers.js";

const ECDHE_RSA = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;

/** Inserts `records` into the flight right after the message at `after` (each message in its own record). */
const insertAfter = (after: number, ...records: Uint8Array[]) => (messages: Uint8Array[]) =>
  new Uint8Array(
    Buffer.concat([onePerRecord(messages.slice(0, after + 1)), ...records, onePerRecord(messages.slice(after + 1))]),
  );

describe("06.13 the server's flight, cut every way (a re-framing proxy in front of Node's tls)", function () {
  let server: HttpsResponder;
  const proxies: TamperProxy[] = [];
  before(async () => {
    server = await startHttpsResponder();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await server?.close();
  });
  const via = async (rules: ProxyRules) => {
    const proxy = await startTamperProxy(server.port, rules);
    proxies.push(proxy);
    return proxy;
  };
  /** A GET through a proxy with `rules`; checks the answer and the master secret against Node's key log. */
  const fetchThrough = async (rules: ProxyRules, suite: number = ECDHE_RSA) => {
    const proxy = await via(rules);
    const result = await fetchPage(proxy.port, { cipherSuites: [suite] });
    expect(result.response).to.match(/^HTTP\/1\.1 200 OK/);
    const [, random, master] = result.keyLog[0]!.split(" ");
    expect(server.keyLog.get(random!), "Node's master secret").to.equal(master);
    return { ...result, proxy };
  };
  const serverMessages = (trace: { from: string; contentType: number; name: string; records: number }[]) =>
    trace.filter((e) => e.from === "server" && e.contentType === ContentType.handshake && e.name !== "finished");

  it("06.13 one handshake message per record", async () => {
    const { conn } = await fetchThrough({ serverFlight: onePerRecord });
    expect(serverMessages(conn.trace).map((e) => e.name)).to.deep.equal(["server_hello", "certificate", "server_key_exchange", "server_hello_done"]);
  });

  for (const size of [1, 3, 7, 100]) {
    it(`06.13 every message split across handshake records of ${size} byte(s)`, async () => {
      const { conn } = await fetchThrough({ serverFlight: (m) => fragmented(m, size) });
      const certificate = serverMessages(conn.trace).find((e) => e.name === "certificate")!;
      expect(certificate.records, "records that carried the Certificate").to.be.greaterThan(Math.floor(800 / size));
    });
  }

  it("06.13 several messages in one record: ServerHello … ServerHelloDone together", async () => {
    const { conn, proxy } = await fetchThrough({ serverFlight: together });
    expect(serverMessages(conn.trace).map((e) => e.records)).to.deep.equal([1, 1, 1, 1]);
    expect(proxy.seen().serverRecords.length).to.be.greaterThan(0);
  });

  it("06.13 the same for RSA key exchange (no ServerKeyExchange), split into 5-byte records", async () => {
    await fetchThrough({ serverFlight: (m) => fragmented(m, 5) }, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256);
  });

  it("06.13 the TCP stream one byte at a time: records are reassembled from the stream (chapter 00's nextRecord)", async () => {
    await fetchThrough({ chunkSize: 1 });
  });

  it("06.13 a warning alert in the middle of the flight is skipped (RFC 5246 §7.2)", async () => {
    const warning = recordOf(ContentType.alert, Uint8Array.of(1, AlertDescription.no_renegotiation));
    const { conn } = await fetchThrough({ serverFlight: insertAfter(1, warning) });
    expect(conn.trace.some((e) => e.from === "server" && e.name === "alert: no_renegotiation")).to.equal(true);
  });

  it("06.13 a HelloRequest during the handshake is ignored and not hashed (RFC 5246 §7.4.1.1): Finished still matches", async () => {
    const helloRequest = recordOf(ContentType.handshake, Uint8Array.of(0, 0, 0, 0));
    await fetchThrough({ serverFlight: insertAfter(0, helloRequest) });
  });

  it("06.13 a fatal alert from the server is reported by its name", async () => {
    const fatal = recordOf(ContentType.alert, Uint8Array.of(2, AlertDescription.internal_error));
    const proxy = await via({ serverFlight: insertAfter(1, fatal) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(isReceivedAlert(e), e.message).to.equal(true);
    expect(e.alertName).to.equal("internal_error");
    // Named once: the error puts the alert's name in front already ("internal_error: received alert: …").
    expect(e.message.split(e.alertName).length - 1, `how often "${e.message}" names the alert`).to.equal(1);
  });

  it("06.13 application data before the handshake is done is unexpected_message", async () => {
    const data = recordOf(ContentType.application_data, new TextEncoder().encode("too early"));
    const proxy = await via({ serverFlight: insertAfter(0, data) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(e.alertName).to.equal("unexpected_message");
    expect(isReceivedAlert(e)).to.equal(false);
  });

  it("06.13 an early ChangeCipherSpec (the CCS injection of CVE-2014-0224) is unexpected_message", async () => {
    const ccs = recordOf(ContentType.change_cipher_spec, Uint8Array.of(1));
    const proxy = await via({ serverFlight: insertAfter(0, ccs) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(e.alertName).to.equal("unexpected_message");
  });

  it("06.13 an empty handshake record is unexpected_message (RFC 5246 §6.2.1)", async () => {
    const proxy = await via({ serverFlight: insertAfter(0, recordOf(ContentType.handshake, new Uint8Array(0))) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(e.alertName).to.equal("unexpected_message");
  });

  it("06.13 a record longer than 2^14 + 2048 bytes is record_overflow, refused from its header (RFC 5246 §6.2.3)", async () => {
    const header = Uint8Array.of(ContentType.handshake, 3, 3, 0x48, 0x01); // length 2^14 + 2049
    const proxy = await via({ serverFlight: (m) => new Uint8Array(Buffer.concat([onePerRecord(m.slice(0, 1)), header])) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(e.alertName).to.equal("record_overflow");
  });

  it("06.13 a handshake header announcing 16 MiB is refused at once (decode_error), not buffered", async () => {
    const huge = recordOf(ContentType.handshake, Uint8Array.of(11, 0xff, 0xff, 0xff, 0, 0));
    const proxy = await via({ serverFlight: (m) => new Uint8Array(Buffer.concat([onePerRecord(m.slice(0, 1)), huge])) });
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(e.alertName).to.equal("decode_error");
  });
});

describe("06.13 the server's flight re-cut in front of openssl s_server", function () {
  let server: OpenSslResponder;
  let proxy: TamperProxy;
  before(async () => {
    server = await startOpenSslResponder();
    proxy = await startTamperProxy(server.port, { serverFlight: (m) => fragmented(m, 4), chunkSize: 3 });
  });
  after(async () => {
    await proxy?.close();
    await server?.close();
  });

  it("06.13 OpenSSL: DHE with 4-byte records delivered 3 bytes at a time", async () => {
    const { response, conn } = await fetchPage(proxy.port, { cipherSuites: [CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256] });
    expect(response).to.include("Cipher is DHE-RSA-AES128-GCM-SHA256");
    const masterKey = /Master-Key: ([0-9A-F]+)/.exec(response)?.[1];
    expect(masterKey?.toLowerCase()).to.equal(Buffer.from(conn.secrets.master).toString("hex"));
  });
});
