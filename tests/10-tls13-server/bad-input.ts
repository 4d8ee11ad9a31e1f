// Bad input at a live server of ours on 127.0.0.1: malformed or misordered client messages, each of which must end its
// connection with the alert RFC 8446 names for it, after which the server serves the next connection as if nothing
// had happened. The alert is read off the wire: in the clear before the server's keys are on, else opened with the
// trace's keys (the server of RFC 8448 §3, whose every random value is fixed, so the keys are known); and the server's
// own log must name the same alert. Then the property tests: random and mutated input at the server's decoders.
import * as net from "node:net";
import * as tls from "node:tls";
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, ExtensionType } from "../../lib/constants.js";
import { alertName, isNotImplemented, isTlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello, encodeClientHello } from "../../chapters/01-client-hello/index.js";
import { Tls13RecordLayer } from "../../chapters/08-tls13-handshake/index.js";
import {
  AntiReplay,
  type EarlyDataSkipper,
  type TlsServer,
  TicketKeys,
  chooseAlpn,
  encryptedExtensions,
  openCookie,
  readClientHello,
  startTlsServer,
} from "../../chapters/10-tls13-server/index.js";
import { readFixture } from "../support/fixtures.js";
import { assertProperty, mutationsOf } from "../support/properties.js";
import { splitRecords } from "../support/replay-transport.js";
import { oracleOpen, oracleSeal } from "../support/tls13-oracle.js";
import { waitFor } from "../support/client-helpers.js";
import { ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, COOKIE_KEY, HANDSHAKE, plaintextRecord, scriptedClient, testConfig } from "./helpers.js";
import { server3, server4 } from "./rfc-servers.js";
import { payload, record, rfcMessage, traceKeys } from "./vectors.js";

const AES128 = "aes-128-gcm" as const;
const oracle = (k: { key: Uint8Array; iv: Uint8Array }) => ({ aead: AES128, key: k.key, iv: k.iv, sequence: 0n });

/** Plain TCP: sends `bytes`, collects everything the server sends until it closes (or `timeoutMs`); whole records. */
function converse(port: number, bytes: Uint8Array, timeoutMs = 3000): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: net.Socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(bytes));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const all = new Uint8Array(Buffer.concat(chunks));
      try {
        resolve(splitRecords(all));
      } catch {
        resolve([all]);
      }
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", done);
  });
}

/** The description of the plaintext alert the server sent last. */
function plaintextAlert(records: Uint8Array[]): string {
  const last = records[records.length - 1];
  if (last === undefined || last[0] !== ALERT) return `no plaintext alert (records: ${records.map((r) => r[0]).join(", ")})`;
  return alertName(last[6]!);
}

/** A full handshake with Node's tls: the server still serves. */
function nodeHandshake(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: readFixture("ca.crt"), minVersion: "TLSv1.3" }, () => {
      resolve(s.getProtocol() ?? "");
      s.end();
    });
    s.on("error", reject);
  });
}

/** The server's record of its last failed connection. */
const lastFailure = (server: TlsServer) => [...server.connections].reverse().find((c) => c.failure !== undefined)?.failure;

const ch3 = (): ClientHello => decodeClientHello(rfcMessage(3, "ClientHello"));
const chRecord = (ch: ClientHello | Uint8Array) => plaintextRecord(HANDSHAKE, ch instanceof Uint8Array ? ch : encodeClientHello(ch), 0x0301);

describe("10.14 bad input: each ends its connection with RFC 8446's alert, and the server goes on serving", function () {
  this.timeout(20_000);
  let server: TlsServer;
  let rfc3: TlsServer;
  let rfc4: TlsServer;
  before(async () => {
    server = await startTlsServer({ tls13: testConfig({ ticketKeys: new TicketKeys(), maxEarlyData: 16384, antiReplay: new AntiReplay() }), handshakeTimeoutMs: 600 });
    rfc3 = await startTlsServer({ tls13: server3() });
    rfc4 = await startTlsServer({ tls13: server4(new AntiReplay()) });
  });
  after(async () => {
    await Promise.all([server?.close(), rfc3?.close(), rfc4?.close()]);
  });

  /** Both views must agree: the alert on the wire and the one the server logged (as sent by itself). */
  async function expectAlert(on: TlsServer, got: string, alert: number): Promise<void> {
    expect(got, "the alert on the wire").to.equal(alertName(alert));
    await waitFor(() => lastFailure(on)?.alert === alertName(alert), () => JSON.stringify(lastFailure(on)));
    expect(lastFailure(on)?.sentByUs, "sent by the server").to.equal(true);
  }

  const plaintext: [string, () => Uint8Array, number][] = [
    ["a truncated ClientHello (its handshake length cut to match, the body ends early)", () => {
      const m = rfcMessage(3, "ClientHello").slice(0, 150);
      m[3] = 150 - 4; // the uint24 length now says what is there; the extensions list inside still claims more
      return chRecord(m);
    }, AlertDescription.decode_error],
    ["a ClientHello with duplicate extensions", () => chRecord({ ...ch3(), extensions: [...ch3().extensions, ch3().extensions[0]!] }), AlertDescription.illegal_parameter],
    ["a key share for a group the client did not offer", () => chRecord({ ...ch3(), extensions: ch3().extensions.map((e) => (e.kind === "key_share" ? { kind: "key_share" as const, shares: [{ group: 0x001e, keyExchange: new Uint8Array(56) }] } : e)) }), AlertDescription.illegal_parameter],
    ["a TLS 1.2-only ClientHello", () => chRecord({ ...ch3(), extensions: ch3().extensions.filter((e) => e.kind !== "supported_versions") }), AlertDescription.protocol_version],
    ["a handshake message announcing 2^20 bytes (more than the server takes: 2^18)", () => plaintextRecord(HANDSHAKE, Uint8Array.of(1, 0x10, 0, 0, ...new Uint8Array(100))), AlertDescription.decode_error],
    ["a plaintext record over 2^14 bytes", () => plaintextRecord(HANDSHAKE, new Uint8Array(2 ** 14 + 1)), AlertDescription.record_overflow],
    ["a ChangeCipherSpec before any ClientHello", () => plaintextRecord(CHANGE_CIPHER_SPEC, Uint8Array.of(1)), AlertDescription.unexpected_message],
    ["application data before any handshake", () => plaintextRecord(APPLICATION_DATA, new Uint8Array(20)), AlertDescription.unexpected_message],
    ["a Finished where the ClientHello should be", () => plaintextRecord(HANDSHAKE, Uint8Array.of(20, 0, 0, 32, ...new Uint8Array(32))), AlertDescription.unexpected_message],
    ["HTTP instead of TLS", () => new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), AlertDescription.unexpected_message],
  ];
  for (const [what, bytes, alert] of plaintext) {
    it(`10.14 ${what}: ${alertName(alert)}; then a good handshake`, async () => {
      await expectAlert(server, plaintextAlert(await converse(server.port, bytes())), alert);
      expect(await nodeHandshake(server.port)).to.equal("TLSv1.3");
    });
  }

  /** §3's ClientHello, then `after` (the client's second flight, misbehaving); the alert, under the server's application keys. */
  async function afterServerFinished(after: Uint8Array[]): Promise<string> {
    const records = await converse(rfc3.port, concat(record(3, "send handshake record", 0), ...after));
    // The server's ServerHello, four records of its flight, then (when its Finished is out) the alert under application keys.
    const protectedRecords = records.filter((r) => r[0] === APPLICATION_DATA);
    const last = protectedRecords[protectedRecords.length - 1];
    if (last === undefined || protectedRecords.length !== 5) return `no alert after the flight (records: ${records.map((r) => r[0]).join(", ")})`;
    const opened = oracleOpen(oracle(traceKeys(3).serverApplication), last);
    return opened.type === ALERT ? alertName(opened.content[1]!) : `a record of type ${opened.type}`;
  }
  /** §3's good client: its ClientHello, its Finished, its data and its close_notify. */
  const good3 = () =>
    converse(rfc3.port, concat(record(3, "send handshake record", 0), record(3, "send handshake record", 3), record(3, "send application_data record", 0), record(3, "send alert record", 0)));
  const clientHandshake = () => oracle(traceKeys(3).clientHandshake);

  const encrypted: [string, () => Uint8Array[], number][] = [
    ["the client's Finished one bit off", () => {
      const bad = rfcMessage(3, "Finished", 1);
      bad[20]! ^= 0x01;
      return [oracleSeal(clientHandshake(), HANDSHAKE, bad)];
    }, AlertDescription.decrypt_error],
    ["application data before the client's Finished", () => [oracleSeal(clientHandshake(), APPLICATION_DATA, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"))], AlertDescription.unexpected_message],
    ["a protected record over 2^14 + 256 bytes", () => [oracleSeal(clientHandshake(), HANDSHAKE, new Uint8Array(2 ** 14 + 300))], AlertDescription.record_overflow],
    ["a ChangeCipherSpec that is not the byte 01 (RFC 8446 §5)", () => [plaintextRecord(CHANGE_CIPHER_SPEC, Uint8Array.of(2))], AlertDescription.unexpected_message],
    ["a record the client's keys did not seal (no early data was offered, so nothing is skipped)", () => [oracleSeal(oracle(traceKeys(3).serverHandshake), HANDSHAKE, rfcMessage(3, "Finished", 1))], AlertDescription.bad_record_mac],
  ];
  for (const [what, after, alert] of encrypted) {
    it(`10.14 ${what}: ${alertName(alert)}, under the server's keys; then a good handshake`, async () => {
      await expectAlert(rfc3, await afterServerFinished(after()), alert);
      const protectedRecords = (await good3()).filter((r) => r[0] === APPLICATION_DATA);
      expect(protectedRecords.length, "the four records of the flight, a ticket and close_notify: served again").to.equal(6);
      const app = oracle(traceKeys(3).serverApplication);
      expect(protectedRecords.slice(4).map((r) => Buffer.from(oracleOpen(app, r).content).toString("hex")), "the ticket, then close_notify").to.deep.equal([
        Buffer.from(rfcMessage(3, "NewSessionTicket")).toString("hex"),
        "0100",
      ]);
    });
  }

  it("10.14 a ChangeCipherSpec after the client's Finished (the handshake is over): unexpected_message, under the application keys", async () => {
    const records = await converse(rfc3.port, concat(record(3, "send handshake record", 0), record(3, "send handshake record", 3), plaintextRecord(CHANGE_CIPHER_SPEC, Uint8Array.of(1))));
    const protectedRecords = records.filter((r) => r[0] === APPLICATION_DATA);
    const app = oracle(traceKeys(3).serverApplication);
    const opened = protectedRecords.slice(4).map((r) => oracleOpen(app, r)); // the ticket, then the alert
    expect(opened.map((o) => o.type)).to.deep.equal([HANDSHAKE, ALERT]);
    await expectAlert(rfc3, alertName(opened[1]!.content[1]!), AlertDescription.unexpected_message);
  });

  it("10.17 a wrong binder (§4's ClientHello with one bit of its binder flipped): decrypt_error; then §4 resumes", async () => {
    const ch = payload(4, "send handshake record", 0);
    ch[ch.length - 1]! ^= 0x01;
    await expectAlert(rfc4, plaintextAlert(await converse(rfc4.port, plaintextRecord(HANDSHAKE, ch, 0x0301))), AlertDescription.decrypt_error);
    const flight4 = [
      record(4, "send handshake record", 0), // ClientHello
      record(4, "send application_data record", 0), // 0-RTT data
      record(4, "send handshake record", 3), // EndOfEarlyData
      record(4, "send handshake record", 4), // Finished
      record(4, "send application_data record", 1),
      record(4, "send alert record", 0),
    ];
    const records = await converse(rfc4.port, concat(...flight4));
    expect(records[0]?.[0], "a ServerHello").to.equal(HANDSHAKE);
    const last = records[records.length - 1]!;
    expect(oracleOpen(oracle(traceKeys(4).serverApplication), last).content, "the whole resumed handshake, to its close_notify").to.deep.equal(Uint8Array.of(1, 0));
  });

  it("10.14 a client that goes silent mid-handshake is closed at the deadline (no alert is owed), and the server serves on", async () => {
    const started = Date.now();
    const records = await converse(server.port, record(3, "send handshake record", 0).slice(0, 10), 5000); // a record header and 5 of its 196 bytes
    expect(Date.now() - started, "closed at the 600 ms deadline, not left open").to.be.lessThan(3000);
    expect(records.filter((r) => r.length > 0)).to.have.length(0);
    await waitFor(() => /no handshake within/.test(lastFailure(server)?.detail ?? ""), () => JSON.stringify(lastFailure(server)));
    expect(await nodeHandshake(server.port)).to.equal("TLSv1.3");
  });

  it("10.14 many bad connections at once do not disturb a good one in their midst", async () => {
    const bad = Array.from({ length: 20 }, (_, i) => converse(server.port, i % 2 === 0 ? plaintextRecord(HANDSHAKE, new Uint8Array(2 ** 14 + 1)) : chRecord(rfcMessage(3, "ClientHello").slice(0, 60))));
    const good = nodeHandshake(server.port);
    // Awaited together: a good handshake that fails before the bad ones are done is this test's failure, not a
    // rejection Node reports as handled late.
    const [, version] = await Promise.all([Promise.all(bad), good]);
    expect(version).to.equal("TLSv1.3");
  });
});

/** A skipper that skips nothing: the property test is about readClientHello alone. */
const noSkipping = { pass() {}, skipBeforeSecondHello() {}, skipUndecryptable() {} } as unknown as EarlyDataSkipper;
const SERVER_ALERTS = ["decode_error", "illegal_parameter", "missing_extension", "protocol_version", "handshake_failure", "unexpected_message", "record_overflow"];

describe("10.4 property: mutated ClientHellos at the server's reading of them", () => {
  it("10.4 readClientHello on mutations of real ClientHellos (RFC 8448 §3–§5): a ClientHelloRead, a HelloRetryRequest, or a TlsError with a server's alert; never a crash", async () => {
    const seeds = [rfcMessage(3, "ClientHello"), payload(4, "send handshake record", 0), rfcMessage(5, "ClientHello", 0), rfcMessage(5, "ClientHello", 1)];
    const samples = fc.sample(mutationsOf(seeds), { numRuns: 80, seed: 10 });
    for (const message of samples) {
      const bytes = plaintextRecord(HANDSHAKE, message); // the mutation is in the message, the record around it is whole
      const client = scriptedClient((written) => (written.length === 0 ? bytes : null));
      try {
        await readClientHello(new Tls13RecordLayer(client, undefined, "server"), noSkipping, testConfig({ cookieKey: COOKIE_KEY }));
      } catch (e) {
        if (isNotImplemented(e)) throw e;
        if (!isTlsError(e)) throw new Error(`readClientHello threw ${String(e)} on ${Buffer.from(message).toString("hex")}`);
        if (!SERVER_ALERTS.includes(e.alertName)) throw new Error(`${e.alertName} is not an alert for a bad ClientHello: ${e.message}`);
      }
    }
  });
});

describe("10.2 property: cookies of random bytes, and mutated cookies", () => {
  it("10.2 openCookie refuses every one with illegal_parameter, never anything else", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          openCookie(COOKIE_KEY, bytes, Date.now());
          return false;
        } catch (e) {
          if (isNotImplemented(e)) throw e;
          return isTlsError(e) && e.alertName === "illegal_parameter" && e.field === "cookie";
        }
      }),
      { numRuns: 300, demands: "openCookie throws illegal_parameter (field cookie) for every cookie it did not make, and nothing else", inputs: ["cookie"] },
    );
  });
});

describe("10.6 property: ALPN offers, well-formed and random", () => {
  it("10.6 chooseAlpn refuses what does not decode (decode_error) or has nothing in common (no_application_protocol); what it chooses, EncryptedExtensions answers", () => {
    const list = fc.array(fc.oneof(fc.constant("http/1.1"), fc.constant("h2"), fc.string({ maxLength: 12 })), { maxLength: 4 }).map((names) => {
      const body = concat(...names.map((n) => concat(Uint8Array.of(n.length), Uint8Array.from(n, (c) => c.charCodeAt(0) & 0xff))));
      return concat(Uint8Array.of(body.length >> 8, body.length & 0xff), body);
    });
    assertProperty(
      fc.property(fc.oneof(list, list, fc.uint8Array({ maxLength: 40 })), (data) => {
        const ch: ClientHello = { ...ch3(), extensions: [...ch3().extensions, { kind: "raw", type: ExtensionType.application_layer_protocol_negotiation, data }] };
        let protocol: string | undefined;
        try {
          protocol = chooseAlpn(ch, ["http/1.1"]);
        } catch (e) {
          if (!isTlsError(e)) throw e;
          return ["decode_error", "no_application_protocol"].includes(e.alertName);
        }
        const ee = encryptedExtensions(ch, [0x1d], protocol, false);
        return ee.extensions.some((x) => x.kind === "application_layer_protocol_negotiation" && x.protocol === protocol);
      }),
      { numRuns: 300, demands: "an ALPN offer either fails to decode (decode_error), shares nothing with the server (no_application_protocol), or its choice is what EncryptedExtensions answers", inputs: ["protocol_name_list"] },
    );
  });
});
