// Exercises 08.1 (nonce, sealing) and 08.2 (opening), the TLS 1.3 record protection, against an AEAD it did not write: Node's crypto (OpenSSL's AES-128-GCM,
// AES-256-GCM and ChaCha20-Poly1305) seals what the learner opens and opens what the learner seals, with the nonce
// and additional data built by the test harness from RFC 8446 §5.2–5.3 (tests/support/tls13-oracle.ts). Then
// tampering (bad_record_mac), padding (§5.4), the limits (record_overflow), our own bugs (internal_error), and
// random records, which may only ever produce a TlsError. The recorded connections are in rfc8448.ts, illustrated.ts.
import { expect } from "chai";
import crypto from "node:crypto";
import fc from "fast-check";
import { AlertDescription, ContentType } from "../../lib/constants.js";
import { type Direction13, direction13, openRecord13, perRecordNonce, sealRecord13 } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectCode } from "../support/expect-bytes.js";
import { NUM_RUNS, assertProperty, checkTlsError, expectTlsError } from "../support/properties.js";
import { type OracleDirection, type Suite13, SUITES13, oracleNonce, oracleOpenInner, oracleSeal, oracleSealInner } from "../support/tls13-oracle.js";

type Aead = "AES_128_GCM" | "AES_256_GCM" | "CHACHA20_POLY1305";
const AEAD_OF: Record<number, Aead> = { 0x1301: "AES_128_GCM", 0x1302: "AES_256_GCM", 0x1303: "CHACHA20_POLY1305" };
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const ALERT = 21;

/** A fresh pair of states over the same random key and IV: the learner's and the oracle's. */
function pair(suite: Suite13, sequence = 0n): { ours: Direction13; node: OracleDirection } {
  const key = new Uint8Array(crypto.randomBytes(suite.keyLength));
  const iv = new Uint8Array(crypto.randomBytes(12));
  return { ours: { ...direction13(AEAD_OF[suite.code]!, { key, iv }), sequence }, node: { aead: suite.aead, key, iv, sequence } };
}

/** A whole record as the transport would hand it over. */
const asRecord = (bytes: Uint8Array) => ({ type: bytes[0]!, version: (bytes[1]! << 8) | bytes[2]!, fragment: bytes.slice(5) });

describe("08.1–08.2 the TLS 1.3 record protection against Node's AEADs", function () {
  it("08.1 perRecordNonce is the IV XOR the sequence number padded on the left (RFC 8446 §5.3)", () => {
    const iv = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    for (const seq of [0n, 1n, 255n, 256n, 2n ** 32n + 7n, 2n ** 63n, 2n ** 64n - 1n]) {
      expectBytes(perRecordNonce(iv, seq), oracleNonce(iv, seq), `the nonce of sequence ${seq}`);
    }
    expectBytes(perRecordNonce(iv, 0n), iv, "sequence 0: the IV itself");
    expectBytes(iv, Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i), "the IV, which must not change");
    assertProperty(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v, seq) => {
        expectBytes(perRecordNonce(v, seq), oracleNonce(v, seq), `the nonce of sequence ${seq}`);
      }),
    );
  });

  it("08.1 perRecordNonce refuses an IV that is not 12 bytes and a sequence number outside 0 … 2^64−1 (internal_error)", () => {
    expectTlsError(() => perRecordNonce(new Uint8Array(8), 0n), { alert: AlertDescription.internal_error });
    expectTlsError(() => perRecordNonce(new Uint8Array(12), 2n ** 64n), { alert: AlertDescription.internal_error });
    expectTlsError(() => perRecordNonce(new Uint8Array(12), -1n), { alert: AlertDescription.internal_error });
  });

  for (const suite of SUITES13) {
    const aead = AEAD_OF[suite.code]!;

    it(`08.1 ${aead}: Node's ${suite.aead} opens what sealRecord13 seals (header 17 03 03, true type inside, sequence counted)`, () => {
      const { ours, node } = pair(suite);
      const cases: [number, Uint8Array, number][] = [
        [HANDSHAKE, new TextEncoder().encode("\x14\x00\x00\x20" + "f".repeat(32)), 0],
        [APPLICATION_DATA, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"), 0],
        [APPLICATION_DATA, new Uint8Array(0), 0],
        [ALERT, Uint8Array.of(1, 0), 0],
        [APPLICATION_DATA, new Uint8Array(2 ** 14).fill(0x61), 0],
      ];
      for (const [i, [type, content, padding]] of cases.entries()) {
        const sealed = sealRecord13(ours, type, content, padding);
        expect(ours.sequence, "sequence after sealing").to.equal(BigInt(i + 1));
        const length = content.length + 1 + padding + 16;
        expectBytes(sealed.subarray(0, 5), Uint8Array.of(23, 3, 3, length >> 8, length & 0xff), "the header: application_data, 0x0303, the length");
        expect(sealed.length).to.equal(5 + length);
        const inner = oracleOpenInner(node, sealed);
        expectBytes(inner, Uint8Array.from([...content, type]), `record ${i}, opened by Node: content || type`);
      }
    });

    it(`08.2 ${aead}: openRecord13 opens what Node's ${suite.aead} seals, and strips the padding`, () => {
      const { ours, node } = pair(suite);
      const messages: [number, Uint8Array, number][] = [
        [HANDSHAKE, Uint8Array.of(8, 0, 0, 2, 0, 0), 0],
        [HANDSHAKE, Uint8Array.of(4, 0, 0, 1, 9), 200],
        [APPLICATION_DATA, new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\n"), 13],
        [APPLICATION_DATA, new Uint8Array(0), 7],
        [ALERT, Uint8Array.of(1, 0), 0],
        [APPLICATION_DATA, new Uint8Array(2 ** 14).fill(0x62), 0],
      ];
      for (const [type, content, padding] of messages) {
        const opened = openRecord13(ours, asRecord(oracleSeal(node, type, content, padding)));
        expectCode(opened.contentType, type, ContentType, "the true content type");
        expectBytes(opened.content, content, "the content, padding stripped");
      }
      expect(ours.sequence).to.equal(BigInt(messages.length));
    });

    it(`08.1 ${aead}: padding (RFC 8446 §5.4): zeros after the type, counted in the length, up to 2^14 + 1 in all`, () => {
      const { ours, node } = pair(suite);
      const sealed = sealRecord13(ours, APPLICATION_DATA, Uint8Array.of(0x41, 0x00, 0x42), 100);
      expect(sealed.length).to.equal(5 + 3 + 1 + 100 + 16);
      expectBytes(oracleOpenInner(node, sealed), Uint8Array.from([0x41, 0x00, 0x42, 23, ...new Uint8Array(100)]), "the inner plaintext, opened by Node");
      // The longest inner plaintext: 2^14 − 8 bytes of content, its type, 8 zeros.
      const full = sealRecord13(ours, APPLICATION_DATA, new Uint8Array(2 ** 14 - 8).fill(1), 8);
      expect(full.length).to.equal(5 + 2 ** 14 + 1 + 16);
      expect(oracleOpenInner(node, full).length).to.equal(2 ** 14 + 1);
    });

    it(`08.2 ${aead}: round trips both ways for random contents, types, padding and sequence numbers`, () => {
      assertProperty(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom(HANDSHAKE, APPLICATION_DATA, ALERT),
          fc.nat({ max: 64 }),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
          (content, type, padding, sequence) => {
            const a = pair(suite, sequence);
            expectBytes(oracleOpenInner(a.node, sealRecord13(a.ours, type, content, padding)), Uint8Array.from([...content, type, ...new Uint8Array(padding)]), "sealed by us, opened by Node");
            const b = pair(suite, sequence);
            const opened = openRecord13(b.ours, asRecord(oracleSeal(b.node, type, content, padding)));
            expectCode(opened.contentType, type, ContentType, "sealed by Node, opened by us: the type");
            expectBytes(opened.content, content, "sealed by Node, opened by us: the content");
          },
        ),
        300,
      );
    });

    it(`08.2 ${aead}: any changed byte, a record replayed or skipped, the wrong key: bad_record_mac`, () => {
      const { ours, node } = pair(suite);
      const sealed = oracleSeal(node, APPLICATION_DATA, new TextEncoder().encode("attack at dawn"));
      for (let i = 1; i < sealed.length; i++) {
        if (i === 3 || i === 4) continue; // the length: changing it changes the framing, not the record
        const changed = sealed.slice();
        changed[i]! ^= 0x01;
        const state = { ...ours, sequence: 0n };
        expectTlsError(() => openRecord13(state, asRecord(changed)), { alert: AlertDescription.bad_record_mac });
      }
      expectTlsError(() => openRecord13({ ...ours, sequence: 1n }, asRecord(sealed)), { alert: AlertDescription.bad_record_mac });
      const other = pair(suite).ours;
      expectTlsError(() => openRecord13(other, asRecord(sealed)), { alert: AlertDescription.bad_record_mac });
      const state = { ...ours, sequence: 0n };
      openRecord13(state, asRecord(sealed));
      expectTlsError(() => openRecord13(state, asRecord(sealed)), { alert: AlertDescription.bad_record_mac }); // replayed
      expectTlsError(() => openRecord13({ ...ours, sequence: 0n }, asRecord(sealed.subarray(0, 5 + 15))), {
        alert: AlertDescription.bad_record_mac,
      });
    });
  }

  it("08.2 a protected record whose header says anything but application_data is unexpected_message", () => {
    const { ours, node } = pair(SUITES13[0]!);
    const sealed = oracleSealInner(node, Uint8Array.of(1, 0, ALERT), { type: HANDSHAKE });
    expectTlsError(() => openRecord13(ours, asRecord(sealed)), { alert: AlertDescription.unexpected_message });
  });

  it("08.2 limits: encrypted_record over 2^14 + 256, an inner plaintext over 2^14 + 1 (both record_overflow); all padding (unexpected_message)", () => {
    const suite = SUITES13[0]!;
    const long = { type: APPLICATION_DATA, version: 0x0303, fragment: new Uint8Array(2 ** 14 + 257) };
    expectTlsError(() => openRecord13(pair(suite).ours, long), { alert: AlertDescription.record_overflow });
    const a = pair(suite);
    const tooLong = oracleSealInner(a.node, Uint8Array.from([...new Uint8Array(2 ** 14 + 1).fill(1), APPLICATION_DATA])); // 2^14 + 2 bytes
    expectTlsError(() => openRecord13(a.ours, asRecord(tooLong)), { alert: AlertDescription.record_overflow });
    const b = pair(suite);
    const zeros = oracleSealInner(b.node, new Uint8Array(40));
    expectTlsError(() => openRecord13(b.ours, asRecord(zeros)), { alert: AlertDescription.unexpected_message });
    const c = pair(suite);
    const empty = oracleSealInner(c.node, new Uint8Array(0));
    expectTlsError(() => openRecord13(c.ours, asRecord(empty)), { alert: AlertDescription.unexpected_message });
  });

  it("08.1 our own bugs are internal_error: content over 2^14, padding past 2^14 + 1, a sequence number past 2^64 − 1", () => {
    const suite = SUITES13[2]!;
    expectTlsError(() => sealRecord13(pair(suite).ours, APPLICATION_DATA, new Uint8Array(2 ** 14 + 1)), { alert: AlertDescription.internal_error });
    expectTlsError(() => sealRecord13(pair(suite).ours, APPLICATION_DATA, new Uint8Array(2 ** 14), 1), { alert: AlertDescription.internal_error });
    expectTlsError(() => sealRecord13(pair(suite).ours, APPLICATION_DATA, new Uint8Array(1), -1), { alert: AlertDescription.internal_error });
    expectTlsError(() => sealRecord13(pair(suite, 2n ** 64n).ours, APPLICATION_DATA, new Uint8Array(1)), { alert: AlertDescription.internal_error });
    // The last allowed number still works, with the nonce Node computes.
    const last = pair(suite, 2n ** 64n - 1n);
    expectBytes(oracleOpenInner(last.node, sealRecord13(last.ours, APPLICATION_DATA, Uint8Array.of(7))), Uint8Array.of(7, 23), "sequence 2^64 − 1, opened by Node");
  });

  it(`08.2 random records (${NUM_RUNS} runs per AEAD) give only TlsErrors: bad_record_mac, record_overflow, unexpected_message`, () => {
    const allowed = [AlertDescription.bad_record_mac, AlertDescription.record_overflow, AlertDescription.unexpected_message];
    for (const suite of SUITES13) {
      const { ours, node } = pair(suite);
      const real = oracleSeal({ ...node }, HANDSHAKE, Uint8Array.of(8, 0, 0, 2, 0, 0));
      assertProperty(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 80 }),
            fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
              const m = real.slice(5);
              m[i % m.length]! ^= x;
              return m;
            }),
          ),
          fc.constantFrom(APPLICATION_DATA, APPLICATION_DATA, HANDSHAKE),
          (fragment, type) => {
            try {
              openRecord13({ ...ours, sequence: 0n }, { type, version: 0x0303, fragment });
            } catch (e) {
              checkTlsError(e, fragment, allowed);
            }
          },
        ),
      );
    }
  });
});
