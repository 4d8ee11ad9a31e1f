// Exercises 08.7 (readContent) and 08.8 (readHandshake), the TLS 1.3 record layer, run alone on RFC 8448 §3's server:
// its records as the trace prints them, or its messages sealed again by Node's AEAD with the trace's own printed keys
// (tests/support/tls13-oracle.ts), cut, padded, changed, reordered or joined by records a server may or may not send.
// The test plays the handshake's part itself (it turns the server's handshake keys on after the ServerHello, as
// establishHandshakeKeys would), so a bug in a handshake step cannot fail these. The record layer must hand over the
// trace's messages whole when RFC 8446 allows it, and otherwise stop with the alert RFC 8446 §5 and §6 name.
import { expect } from "chai";
import { AlertDescription, ContentType } from "../../lib/constants.js";
import { isReceivedAlert } from "../../chapters/08-tls13-handshake/index.js";
import { isConnectionClosed } from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { handshakes } from "../support/structures.js";
import { type OracleDirection, oracleSeal, oracleSealInner } from "../support/tls13-oracle.js";
import { expectRejection } from "./helpers.js";
import { layerOver, payload, record, rfcFlight, traceKeys } from "./rfc-replay.js";
import { rfcMessage } from "./vectors.js";

const { change_cipher_spec: CCS, alert: ALERT, handshake: HANDSHAKE, application_data: APPLICATION_DATA } = ContentType;

/** A plaintext record, as the trace's server would frame it. */
const plain = (type: number, fragment: Uint8Array | number[]) => {
  const f = Uint8Array.from(fragment);
  return Uint8Array.from([type, 3, 3, f.length >> 8, f.length & 0xff, ...f]);
};
const serverHello = () => record(3, "send handshake record", 1);
/** Node's AEAD under the trace's server handshake or application keys, from sequence 0. */
const serverHandshake = (): OracleDirection => ({ aead: "aes-128-gcm", ...traceKeys(3).serverHandshake, sequence: 0n });
const serverApplication = (): OracleDirection => ({ aead: "aes-128-gcm", ...traceKeys(3).serverApplication, sequence: 0n });
/** Messages, each sealed in a record of its own. */
const sealedFlight = (messages = rfcFlight(), w = serverHandshake()) => messages.map((m) => oracleSeal(w, HANDSHAKE, m));

/**
 * The record layer over `records` (the ServerHello first, in the clear), read as the handshake would: the ServerHello,
 * then, with the server's handshake keys on, `count` messages. Returns what it read.
 */
async function readFlight(records: Uint8Array[], count = 4) {
  const { records: layer, transport } = layerOver(records);
  const messages = [await layer.readHandshake()];
  layer.setReadKeys({ aead: "AES_128_GCM", keys: traceKeys(3).serverHandshake, sequence: 0n });
  for (let i = 0; i < count; i++) messages.push(await layer.readHandshake());
  return { layer, transport, messages };
}

describe("08.7–08.8 the record layer under the handshake: the server's records cut and mixed every way (RFC 8448 §3)", function () {
  it("08.8 the trace's own records: ServerHello in the clear, then EncryptedExtensions … Finished out of one protected record", async () => {
    const { messages, layer } = await readFlight([serverHello(), record(3, "send handshake record", 2)]);
    expectSame(messages, [rfcMessage(3, "ServerHello"), ...rfcFlight()], "the messages handed over", { structure: handshakes });
    expect(layer.handshakePending, "nothing left half-read").to.equal(false);
    const names = layer.trace.map((e) => `${e.name}${e.encrypted ? " 🔒" : ""}`);
    expectSame(names, ["server_hello", "encrypted_extensions 🔒", "certificate 🔒", "certificate_verify 🔒", "finished 🔒"], "the trace");
  });

  it("08.8 all four messages in one record, one per record, in 1-byte records, and split across record boundaries: the same messages", async () => {
    const stream = Uint8Array.from(rfcFlight().flatMap((m) => [...m]));
    const cuts: Uint8Array[][] = [
      [stream],
      rfcFlight(),
      Array.from(stream.subarray(0, 60), (b) => Uint8Array.of(b)).concat([stream.slice(60)]),
      [stream.slice(0, 3), stream.slice(3, 45), stream.slice(45, 400), stream.slice(400)],
    ];
    for (const pieces of cuts) {
      const w = serverHandshake();
      const { messages, layer } = await readFlight([serverHello(), ...pieces.map((p) => oracleSeal(w, HANDSHAKE, p))]);
      expectSame(messages.slice(1), rfcFlight(), `the flight cut in ${pieces.length} record(s)`, { structure: handshakes });
      const certificate = layer.trace.find((e) => e.name === "certificate")!;
      if (pieces.length > 60) expect(certificate.records, "records that carried the Certificate").to.be.greaterThan(1);
    }
  });

  it("08.7 padded records, and middlebox ChangeCipherSpecs (01) around and between the encrypted records, are accepted and dropped", async () => {
    const w = serverHandshake();
    const ccs = plain(CCS, [1]);
    const [ee, cert, cv, fin] = rfcFlight();
    const { messages, layer } = await readFlight([serverHello(), ccs, oracleSeal(w, HANDSHAKE, ee!, 100), ccs, oracleSeal(w, HANDSHAKE, cert!, 1), oracleSeal(w, HANDSHAKE, cv!), ccs, oracleSeal(w, HANDSHAKE, fin!, 7)]);
    expectSame(messages.slice(1), rfcFlight(), "the flight", { structure: handshakes });
    expect(layer.trace.filter((e) => e.name === "change_cipher_spec (ignored)"), "the ChangeCipherSpecs, noted as ignored").to.have.length(3);
  });

  for (const [id, label, records, alert] of [
    ["08.7", "a ChangeCipherSpec whose byte is 02", () => [serverHello(), plain(CCS, [2]), ...sealedFlight()], "unexpected_message"],
    ["08.7", "a ChangeCipherSpec of two bytes", () => [serverHello(), plain(CCS, [1, 1]), ...sealedFlight()], "unexpected_message"],
    [
      "08.7",
      "a protected ChangeCipherSpec (inner type 20)",
      () => {
        const w = serverHandshake();
        return [serverHello(), oracleSeal(w, CCS, Uint8Array.of(1)), ...sealedFlight(rfcFlight(), w)];
      },
      "unexpected_message",
    ],
    [
      "08.7",
      "a ChangeCipherSpec between two halves of the Certificate",
      () => {
        const w = serverHandshake();
        const [ee, cert, cv, fin] = rfcFlight();
        return [serverHello(), oracleSeal(w, HANDSHAKE, ee!), oracleSeal(w, HANDSHAKE, cert!.slice(0, 100)), plain(CCS, [1]), oracleSeal(w, HANDSHAKE, cert!.slice(100)), ...sealedFlight([cv!, fin!], w)];
      },
      "unexpected_message",
    ],
    [
      "08.8",
      "application data in the middle of the flight",
      () => {
        const w = serverHandshake();
        const [ee, ...rest] = rfcFlight();
        return [serverHello(), oracleSeal(w, HANDSHAKE, ee!), oracleSeal(w, APPLICATION_DATA, new TextEncoder().encode("too early")), ...sealedFlight(rest, w)];
      },
      "unexpected_message",
    ],
    ["08.7", "plaintext application data before the ServerHello", () => [plain(APPLICATION_DATA, [1, 2, 3]), serverHello(), ...sealedFlight()], "unexpected_message"],
    ["08.7", "a plaintext EncryptedExtensions (once the keys are on, everything must be protected)", () => [serverHello(), plain(HANDSHAKE, rfcFlight()[0]!)], "unexpected_message"],
    [
      "08.8",
      "an empty protected handshake record",
      () => {
        const w = serverHandshake();
        return [serverHello(), oracleSeal(w, HANDSHAKE, new Uint8Array(0)), ...sealedFlight(rfcFlight(), w)];
      },
      "unexpected_message",
    ],
    ["08.7", "an encrypted record cut short to 10 bytes", () => [serverHello(), sealedFlight()[0]!.slice(0, 15)].map((r, i) => (i === 1 ? Uint8Array.from([r[0]!, 3, 3, 0, 10, ...r.slice(5)]) : r)), "bad_record_mac"],
    ["08.7", "a protected record longer than 2^14 + 256", () => [serverHello(), plain(APPLICATION_DATA, new Uint8Array(2 ** 14 + 257))], "record_overflow"],
    [
      "08.7",
      "a record whose TLSInnerPlaintext is over 2^14 + 1 bytes",
      () => [serverHello(), oracleSealInner(serverHandshake(), Uint8Array.from([...new Uint8Array(2 ** 14 + 1).fill(8), HANDSHAKE]))],
      "record_overflow",
    ],
    ["08.8", "a handshake header announcing 16 MiB", () => [serverHello(), oracleSeal(serverHandshake(), HANDSHAKE, Uint8Array.of(8, 0xff, 0xff, 0xff, 0, 0))], "decode_error"],
    ["08.8", "the server hangs up after its Certificate", () => [serverHello(), ...sealedFlight(rfcFlight().slice(0, 2))], "handshake_failure"],
  ] as [string, string, () => Uint8Array[], string][]) {
    it(`${id} ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => readFlight(records()));
      expect(e.alertName, e.message).to.equal(alert);
      expect(isReceivedAlert(e), "our own check, not an alert from the server").to.equal(false);
      // A server that hangs up sent no alert: the error says so (connectionClosed), so that no one reports "we sent".
      expect(isConnectionClosed(e), `connectionClosed (the server went away), or a check of ours: ${e.message}`).to.equal(label.includes("hangs up"));
    });
  }

  it("08.8 the first bytes of EncryptedExtensions in the ServerHello's plaintext record: the rest stays buffered, and turning keys on then is unexpected_message (RFC 8446 §5.1)", async () => {
    const { records: layer } = layerOver([plain(HANDSHAKE, [...rfcMessage(3, "ServerHello"), ...rfcFlight()[0]!.slice(0, 3)]), ...sealedFlight()]);
    expectBytes(await layer.readHandshake(), rfcMessage(3, "ServerHello"), "the ServerHello", { structure: handshakes });
    expect(layer.handshakePending, "three bytes of the next message are waiting").to.equal(true);
    const e = await expectRejection(async () => layer.setReadKeys({ aead: "AES_128_GCM", keys: traceKeys(3).serverHandshake, sequence: 0n }));
    expect(e.alertName, e.message).to.equal("unexpected_message");
  });

  it("08.7 alerts from the server, encrypted: each is fatal whatever its level, reported by name; user_canceled is skipped; an alert of 1 byte is decode_error", async () => {
    for (const [level, description] of [
      [2, AlertDescription.handshake_failure],
      [1, AlertDescription.unrecognized_name],
      [2, AlertDescription.internal_error],
    ] as const) {
      const w = serverHandshake();
      const e = await expectRejection(() => readFlight([serverHello(), oracleSeal(w, ALERT, Uint8Array.of(level, description)), ...sealedFlight(rfcFlight(), w)]));
      expect(isReceivedAlert(e), e.message).to.equal(true);
      expect(e.alert, e.message).to.equal(description);
      // Named once: the error puts the alert's name in front already ("handshake_failure: received alert: …").
      expect(e.message.split(e.alertName).length - 1, `how often "${e.message}" names the alert`).to.equal(1);
    }
    const w = serverHandshake();
    const { messages } = await readFlight([serverHello(), oracleSeal(w, ALERT, Uint8Array.of(1, AlertDescription.user_canceled)), ...sealedFlight(rfcFlight(), w)]);
    expectSame(messages.slice(1), rfcFlight(), "the flight after user_canceled", { structure: handshakes });
    const e = await expectRejection(() => readFlight([serverHello(), oracleSeal(serverHandshake(), ALERT, Uint8Array.of(1))]));
    expect(e.alertName).to.equal("decode_error");
  });

  it("08.7 after the handshake: a ChangeCipherSpec is unexpected_message; application data is handed over, empty records skipped; then a plaintext alert is unexpected_message", async () => {
    const afterFinished = (more: Uint8Array[]) => {
      const { records: layer } = layerOver(more, {});
      layer.setReadKeys({ aead: "AES_128_GCM", keys: traceKeys(3).serverApplication, sequence: 0n });
      layer.inHandshake = false;
      return layer;
    };
    let e = await expectRejection(() => afterFinished([plain(CCS, [1])]).readPostHandshake());
    expect(e.alertName, e.message).to.equal("unexpected_message");
    const w = serverApplication();
    const data = payload(3, "send application_data record", 1);
    const layer = afterFinished([oracleSeal(w, APPLICATION_DATA, new Uint8Array(0)), oracleSeal(w, APPLICATION_DATA, data, 5), plain(ALERT, [2, 40])]);
    const next = await layer.readPostHandshake();
    expectBytes(next?.kind === "data" ? next.data : undefined, data, "the server's data");
    e = await expectRejection(() => layer.readPostHandshake());
    expect(e.alertName, e.message).to.equal("unexpected_message");
  });

  it("08.7 the trace says which keys opened each record: the label and the record number under them", async () => {
    const w = serverHandshake();
    const { records: layer } = layerOver([serverHello(), ...sealedFlight(rfcFlight(), w)]);
    await layer.readHandshake();
    layer.setReadKeys({ aead: "AES_128_GCM", keys: traceKeys(3).serverHandshake, sequence: 0n, label: "server handshake traffic" });
    for (let i = 0; i < 4; i++) await layer.readHandshake();
    expectSame(
      layer.trace.map((e) => e.keys),
      [undefined, ...[0, 1, 2, 3].map((n) => `server handshake traffic, record ${n}`)],
      "the keys noted for each message",
    );
  });
});
