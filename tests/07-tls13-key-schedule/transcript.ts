// Exercise 07.2, the transcript hash, against outside references only: the transcript hashes RFC 8448 prints beside
// each Derive-Secret (§3, §4, and §5 with its HelloRetryRequest), the two hashes tls13.xargs.org states for its
// SHA-384 connection, and Node's SHA-256/384 over the same bytes.
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, HandshakeType } from "../../lib/constants.js";
import { TranscriptHash, messageHash } from "../../chapters/07-tls13-key-schedule/index.js";
import { NUM_RUNS, assertProperty, expectTlsError } from "../support/properties.js";
import { type Hash13, hex, nodeDigest } from "./oracles.js";
import {
  illustrated,
  illustratedMessages,
  printed,
  throughClientFinished,
  throughServerFinished,
  traceMessages,
} from "./traces.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

/** A fresh transcript fed `messages` one by one. */
function transcriptOf(hash: Hash13, messages: Uint8Array[]): TranscriptHash {
  const t = new TranscriptHash(hash);
  for (const m of messages) t.add(m);
  return t;
}

/** A handshake message: type, uint24 length, body. */
const handshakeMessage = (type: number, body: Uint8Array): Uint8Array =>
  Uint8Array.from([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);

describe("07.2 the transcript hash", () => {
  it("07.2 RFC 8448 §3: the hashes of ClientHello…ServerHello, …server Finished and …client Finished the trace prints", () => {
    const m = traceMessages(3);
    const t = transcriptOf("SHA-256", m.hellos);
    expectBytes(t.hash(), printed(3, 'derive secret "tls13 c hs traffic"', "hash"), 'the hash under "tls13 c hs traffic"');
    for (const message of throughServerFinished(m).slice(2)) t.add(message);
    expectBytes(t.hash(), printed(3, 'derive secret "tls13 c ap traffic"', "hash"), 'the hash under "tls13 c ap traffic"');
    t.add(m.clientFinished);
    expectBytes(t.hash(), printed(3, 'derive secret "tls13 res master"', "hash"), 'the hash under "tls13 res master"');
  });

  it("07.2 RFC 8448 §4: the ClientHello hash of the 0-RTT secrets, and the hashes after EndOfEarlyData", () => {
    const m = traceMessages(4);
    const t = transcriptOf("SHA-256", m.hellos.slice(0, 1));
    expectBytes(t.hash(), printed(4, 'derive secret "tls13 c e traffic"', "hash"), 'the hash under "tls13 c e traffic"');
    t.add(m.hellos[1]!);
    expectBytes(t.hash(), printed(4, 'derive secret "tls13 c hs traffic"', "hash"), 'the hash under "tls13 c hs traffic"');
    const all = transcriptOf("SHA-256", throughClientFinished(m));
    expectBytes(all.hash(), printed(4, 'derive secret "tls13 res master"', "hash"), 'the hash under "tls13 res master"');
  });

  it("07.2 RFC 8448 §5: after the HelloRetryRequest, ClientHello1 becomes message_hash: the hashes the trace prints", () => {
    const m = traceMessages(5);
    const [ch1, hrr, ch2, sh] = m.hellos as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const expectedHello = hex(printed(5, 'derive secret "tls13 c hs traffic"', "hash"));
    // Restart as soon as the HelloRetryRequest is recognised, before adding it …
    const early = new TranscriptHash("SHA-256");
    early.add(ch1);
    early.restartAfterHelloRetry();
    for (const x of [hrr, ch2, sh]) early.add(x);
    expectBytes(early.hash(), fromHex(expectedHello), "restarted before adding the HelloRetryRequest");
    // … or after: the result is the same.
    const late = transcriptOf("SHA-256", [ch1, hrr]);
    late.restartAfterHelloRetry();
    late.add(ch2);
    late.add(sh);
    expectBytes(late.hash(), fromHex(expectedHello), "restarted after adding the HelloRetryRequest");
    for (const x of throughServerFinished(m).slice(4)) late.add(x);
    expectBytes(late.hash(), printed(5, 'derive secret "tls13 c ap traffic"', "hash"), 'the hash under "tls13 c ap traffic"');
    late.add(m.clientFinished);
    expectBytes(late.hash(), printed(5, 'derive secret "tls13 res master"', "hash"), 'the hash under "tls13 res master"');
    // Without the restart, the hash is that of the plain concatenation, which the trace does NOT use.
    expect(hex(transcriptOf("SHA-256", m.hellos).hash())).to.not.equal(expectedHello);
  });

  it("07.2 messageHash is fe 00 00 Hash.length || Hash(ClientHello1), with Node's SHA-256 and SHA-384", () => {
    const ch1 = traceMessages(5).hellos[0]!;
    for (const hash of ["SHA-256", "SHA-384"] as const) {
      const h = nodeDigest(hash, ch1);
      expectBytes(messageHash(hash, ch1), Uint8Array.from([HandshakeType.message_hash, 0, 0, h.length, ...h]), hash);
    }
  });

  it("07.2 tls13.xargs.org (SHA-384): the hello hash and the handshake hash the page states", () => {
    const m = illustratedMessages();
    const t = transcriptOf("SHA-384", m.hellos);
    expectBytes(t.hash(), illustrated.stated("hello_hash"), "hello_hash");
    for (const message of throughServerFinished(m).slice(2)) t.add(message);
    expectBytes(t.hash(), illustrated.stated("handshake_hash"), "handshake_hash");
  });

  it(`07.2 equals Node's SHA-256 and SHA-384 of the concatenation, asked after every message (${NUM_RUNS} runs)`, () => {
    const messages = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 })).map(([type, body]) => handshakeMessage(type, body)),
      { maxLength: 8 },
    );
    // hash() is asked twice after every message: asking must not disturb the running transcript.
    assertProperty(
      fc.property(fc.constantFrom<Hash13>("SHA-256", "SHA-384"), messages, (hash, list) => {
        const t = new TranscriptHash(hash);
        expectBytes(t.hash(), nodeDigest(hash), "no message yet: the hash of nothing");
        for (let i = 0; i < list.length; i++) {
          t.add(list[i]!);
          const expected = hex(nodeDigest(hash, ...list.slice(0, i + 1)));
          expectBytes(t.hash(), fromHex(expected), `after message ${i + 1}`);
          expectBytes(t.hash(), fromHex(expected), `after message ${i + 1}, asked again`);
        }
      }),
      { demands: "the transcript hash is always the hash of every message added so far, however often it is asked", inputs: ["hash", "messages"] },
    );
  });

  it("07.2 add keeps a copy: changing the caller's buffer afterwards does not change the transcript", () => {
    const ch = traceMessages(3).hellos[0]!;
    const t = new TranscriptHash("SHA-256");
    const buffer = ch.slice();
    t.add(buffer);
    buffer.fill(0);
    expectBytes(t.hash(), nodeDigest("SHA-256", ch), "transcript hash (expected: SHA-256 of the ClientHello as added)");
  });

  it("07.2 add takes only one whole handshake message: a record, a fragment, two messages, 3 bytes are internal_error", () => {
    const [ch, sh] = traceMessages(3).hellos as [Uint8Array, Uint8Array];
    const t = new TranscriptHash("SHA-256");
    const internal = { alert: AlertDescription.internal_error, field: "transcript" };
    const record = Uint8Array.from([22, 3, 1, ch.length >> 8, ch.length & 0xff, ...ch]);
    expectTlsError(() => t.add(record), internal);
    expectTlsError(() => t.add(ch.subarray(0, 100)), internal);
    expectTlsError(() => t.add(Uint8Array.from([...ch, ...sh])), internal);
    expectTlsError(() => t.add(Uint8Array.of(1, 0, 0)), internal);
    expectTlsError(() => t.add(new Uint8Array(0)), internal);
    // None of that went in.
    expectBytes(t.hash(), nodeDigest("SHA-256"), "transcript hash (expected: the hash of nothing)");
    t.add(handshakeMessage(HandshakeType.end_of_early_data, new Uint8Array(0))); // an empty body is a whole message
  });

  it("07.2 restartAfterHelloRetry needs a ClientHello first: on an empty transcript, after a ServerHello, or twice, internal_error", () => {
    const [ch1, hrr] = traceMessages(5).hellos as [Uint8Array, Uint8Array];
    const internal = { alert: AlertDescription.internal_error, field: "transcript" };
    expectTlsError(() => new TranscriptHash("SHA-256").restartAfterHelloRetry(), internal);
    expectTlsError(() => transcriptOf("SHA-256", [hrr]).restartAfterHelloRetry(), internal);
    const twice = transcriptOf("SHA-256", [ch1]);
    twice.restartAfterHelloRetry();
    expectTlsError(() => twice.restartAfterHelloRetry(), internal);
  });
});
