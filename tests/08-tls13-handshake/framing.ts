// Exercise 08.5 against bad input, on RFC 8448 §3 replayed (tests/support/replay-transport.ts): the server's records
// are the trace's, or the trace's messages encrypted again by Node's AEAD with the trace's own printed keys
// (tests/support/tls13-oracle.ts), changed, cut, reordered or joined by records a server may or may not send. The
// client must complete when RFC 8446 allows it, and otherwise stop with the alert RFC 8446 names.
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { connectTls13, isReceivedAlert } from "../../chapters/08-tls13-handshake/index.js";
import { replayTransport } from "../support/replay-transport.js";
import { type OracleDirection, oracleSeal, oracleSealInner } from "../support/tls13-oracle.js";
import { expectRejection } from "./helpers.js";
import { payload, record, replayOptions, traceKeys } from "./rfc-replay.js";
import { handshakeMessage, rfcMessage } from "./vectors.js";

const CCS = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

/** A plaintext record, as the trace's server would frame it. */
const plain = (type: number, fragment: Uint8Array | number[]) => {
  const f = Uint8Array.from(fragment);
  return Uint8Array.from([type, 3, 3, f.length >> 8, f.length & 0xff, ...f]);
};
const serverHello = () => record(3, "send handshake record", 1);
const flight = () => ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => rfcMessage(3, m)).concat([rfcMessage(3, "Finished", 0)]);
/** Node's AEAD under the trace's server handshake key and IV, from sequence 0. */
const serverHandshake = (): OracleDirection => ({ aead: "aes-128-gcm", ...traceKeys(3).serverHandshake, sequence: 0n });
const serverApplication = (): OracleDirection => ({ aead: "aes-128-gcm", ...traceKeys(3).serverApplication, sequence: 0n });
/** The flight's messages, each sealed in a record of its own. */
const sealedFlight = (messages = flight(), w = serverHandshake()) => messages.map((m) => oracleSeal(w, HANDSHAKE, m));

/** Replays `records` as §3's server; resolves to the connection, or rejects with what the client threw. */
async function replay(records: Uint8Array[]) {
  const transport = replayTransport(records);
  const conn = await connectTls13(transport, replayOptions(3, []));
  return { conn, transport };
}

describe("08.5 the server's records, cut and mixed every way (RFC 8448 §3 replayed)", function () {
  it("08.5 all four messages in one record, one per record, in 1-byte records, and split across record boundaries: the handshake completes", async () => {
    const stream = Uint8Array.from(flight().flatMap((m) => [...m]));
    const cuts: Uint8Array[][] = [
      [stream],
      flight(),
      Array.from(stream.subarray(0, 60), (b) => Uint8Array.of(b)).concat([stream.slice(60)]),
      [stream.slice(0, 3), stream.slice(3, 45), stream.slice(45, 400), stream.slice(400)],
    ];
    for (const pieces of cuts) {
      const w = serverHandshake();
      const { conn, transport } = await replay([serverHello(), ...pieces.map((p) => oracleSeal(w, HANDSHAKE, p))]);
      expect(toHex(transport.written[1]!), "our Finished, as in the trace").to.equal(toHex(record(3, "send handshake record", 3)));
      const certificate = conn.trace.find((e) => e.from === "server" && e.name === "certificate")!;
      if (pieces.length > 60) expect(certificate.records, "records that carried the Certificate").to.be.greaterThan(1);
    }
  });

  it("08.5 padded records, and middlebox ChangeCipherSpecs (01) around and between the encrypted records, are accepted", async () => {
    const w = serverHandshake();
    const ccs = plain(CCS, [1]);
    const [ee, cert, cv, fin] = flight();
    await replay([serverHello(), ccs, oracleSeal(w, HANDSHAKE, ee!, 100), ccs, oracleSeal(w, HANDSHAKE, cert!, 1), oracleSeal(w, HANDSHAKE, cv!), ccs, oracleSeal(w, HANDSHAKE, fin!, 7)]);
  });

  for (const [label, records, alert] of [
    ["a ChangeCipherSpec whose byte is 02", () => [serverHello(), plain(CCS, [2]), ...sealedFlight()], "unexpected_message"],
    ["a ChangeCipherSpec of two bytes", () => [serverHello(), plain(CCS, [1, 1]), ...sealedFlight()], "unexpected_message"],
    [
      "a protected ChangeCipherSpec (inner type 20)",
      () => {
        const w = serverHandshake();
        return [serverHello(), oracleSeal(w, CCS, Uint8Array.of(1)), ...sealedFlight(flight(), w)];
      },
      "unexpected_message",
    ],
    [
      "a ChangeCipherSpec between two halves of the Certificate",
      () => {
        const w = serverHandshake();
        const [ee, cert, cv, fin] = flight();
        return [serverHello(), oracleSeal(w, HANDSHAKE, ee!), oracleSeal(w, HANDSHAKE, cert!.slice(0, 100)), plain(CCS, [1]), oracleSeal(w, HANDSHAKE, cert!.slice(100)), ...sealedFlight([cv!, fin!], w)];
      },
      "unexpected_message",
    ],
    [
      "application data in the middle of the flight",
      () => {
        const w = serverHandshake();
        const [ee, ...rest] = flight();
        return [serverHello(), oracleSeal(w, HANDSHAKE, ee!), oracleSeal(w, APPLICATION_DATA, new TextEncoder().encode("too early")), ...sealedFlight(rest, w)];
      },
      "unexpected_message",
    ],
    ["plaintext application data before the ServerHello", () => [plain(APPLICATION_DATA, [1, 2, 3]), serverHello(), ...sealedFlight()], "unexpected_message"],
    ["a plaintext EncryptedExtensions (after the ServerHello everything must be protected)", () => [serverHello(), plain(HANDSHAKE, flight()[0]!)], "unexpected_message"],
    [
      "an empty protected handshake record",
      () => {
        const w = serverHandshake();
        return [serverHello(), oracleSeal(w, HANDSHAKE, new Uint8Array(0)), ...sealedFlight(flight(), w)];
      },
      "unexpected_message",
    ],
    [
      "the first bytes of EncryptedExtensions in the ServerHello's plaintext record (a message across a change of keys)",
      () => [plain(HANDSHAKE, [...rfcMessage(3, "ServerHello"), ...flight()[0]!.slice(0, 3)]), ...sealedFlight()],
      "unexpected_message",
    ],
    ["Certificate before EncryptedExtensions", () => [serverHello(), ...sealedFlight([flight()[1]!, flight()[0]!, flight()[2]!, flight()[3]!])], "unexpected_message"],
    ["no CertificateVerify (Finished where it belongs)", () => [serverHello(), ...sealedFlight([flight()[0]!, flight()[1]!, flight()[3]!])], "unexpected_message"],
    ["a KeyUpdate in place of EncryptedExtensions", () => [serverHello(), ...sealedFlight([Uint8Array.of(24, 0, 0, 1, 0), ...flight().slice(1)])], "unexpected_message"],
    ["an encrypted record cut short to 10 bytes", () => [serverHello(), sealedFlight()[0]!.slice(0, 15)].map((r, i) => (i === 1 ? Uint8Array.from([r[0]!, 3, 3, 0, 10, ...r.slice(5)]) : r)), "bad_record_mac"],
    ["a protected record longer than 2^14 + 256", () => [serverHello(), plain(APPLICATION_DATA, new Uint8Array(2 ** 14 + 257))], "record_overflow"],
    [
      "a record whose TLSInnerPlaintext is over 2^14 + 1 bytes",
      () => [serverHello(), oracleSealInner(serverHandshake(), Uint8Array.from([...new Uint8Array(2 ** 14 + 1).fill(8), HANDSHAKE]))],
      "record_overflow",
    ],
    ["a handshake header announcing 16 MiB", () => [serverHello(), oracleSeal(serverHandshake(), HANDSHAKE, Uint8Array.of(8, 0xff, 0xff, 0xff, 0, 0))], "decode_error"],
    ["EncryptedExtensions carrying a key_share", () => [serverHello(), ...sealedFlight([handshakeMessage(8, [0, 8, 0, 51, 0, 4, 0, 0x1d, 0, 0]), ...flight().slice(1)])], "illegal_parameter"],
    ["a Certificate with an empty list", () => [serverHello(), ...sealedFlight([flight()[0]!, handshakeMessage(11, [0, 0, 0, 0]), ...flight().slice(2)])], "decode_error"],
    [
      "a Certificate with a request context",
      () => {
        const cert = flight()[1]!;
        return [serverHello(), ...sealedFlight([flight()[0]!, handshakeMessage(11, [1, 7, ...cert.slice(5)]), ...flight().slice(2)])];
      },
      "illegal_parameter",
    ],
    [
      "one byte of the CertificateVerify's signature changed",
      () => {
        const cv = flight()[2]!.slice();
        cv[cv.length - 1]! ^= 0x01;
        return [serverHello(), ...sealedFlight([flight()[0]!, flight()[1]!, cv, flight()[3]!])];
      },
      "decrypt_error",
    ],
    [
      "the CertificateVerify's scheme changed to rsa_pkcs1_sha256",
      () => {
        const cv = flight()[2]!.slice();
        cv[4] = 0x04;
        cv[5] = 0x01;
        return [serverHello(), ...sealedFlight([flight()[0]!, flight()[1]!, cv, flight()[3]!])];
      },
      "illegal_parameter",
    ],
    [
      "one byte of the server's verify_data changed",
      () => {
        const fin = flight()[3]!.slice();
        fin[4]! ^= 0x80;
        return [serverHello(), ...sealedFlight([...flight().slice(0, 3), fin])];
      },
      "decrypt_error",
    ],
    ["a Finished of 31 bytes", () => [serverHello(), ...sealedFlight([...flight().slice(0, 3), handshakeMessage(20, flight()[3]!.slice(4, 35))])], "decode_error"],
    ["the server hangs up after its Certificate", () => [serverHello(), ...sealedFlight(flight().slice(0, 2))], "handshake_failure"],
  ] as [string, () => Uint8Array[], string][]) {
    it(`08.5 ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => replay(records()));
      expect(e.alertName, e.message).to.equal(alert);
      expect(isReceivedAlert(e), "our own check, not an alert from the server").to.equal(false);
    });
  }

  it("08.5 alerts from the server, encrypted: each is fatal whatever its level, reported by name; user_canceled is skipped", async () => {
    for (const [level, description] of [
      [2, AlertDescription.handshake_failure],
      [1, AlertDescription.unrecognized_name],
      [2, AlertDescription.internal_error],
    ] as const) {
      const w = serverHandshake();
      const e = await expectRejection(() => replay([serverHello(), oracleSeal(w, ALERT, Uint8Array.of(level, description)), ...sealedFlight(flight(), w)]));
      expect(isReceivedAlert(e), e.message).to.equal(true);
      expect(e.alert).to.equal(description);
    }
    const w = serverHandshake();
    await replay([serverHello(), oracleSeal(w, ALERT, Uint8Array.of(1, AlertDescription.user_canceled)), ...sealedFlight(flight(), w)]);
    const e = await expectRejection(() => replay([serverHello(), oracleSeal(serverHandshake(), ALERT, Uint8Array.of(1))]));
    expect(e.alertName).to.equal("decode_error");
  });

  it("08.5 a ChangeCipherSpec after the server's Finished: unexpected_message when read", async () => {
    const { conn } = await replay([serverHello(), record(3, "send handshake record", 2), plain(CCS, [1]), record(3, "send application_data record", 1)]);
    const e = await expectRejection(() => conn.read());
    expect(e.alertName).to.equal("unexpected_message");
  });

  it("08.5 application data after the handshake, empty records skipped; a plaintext alert then is unexpected_message", async () => {
    const w = serverApplication();
    const data = payload(3, "send application_data record", 1);
    const { conn } = await replay([serverHello(), record(3, "send handshake record", 2), oracleSeal(w, APPLICATION_DATA, new Uint8Array(0)), oracleSeal(w, APPLICATION_DATA, data, 5), plain(ALERT, [2, 40])]);
    expect(toHex((await conn.read())!)).to.equal(toHex(data));
    const e = await expectRejection(() => conn.read());
    expect(e.alertName).to.equal("unexpected_message");
  });
});
