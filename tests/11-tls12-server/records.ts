// Exercise 11.9: ChaCha20-Poly1305 records for TLS 1.2 (RFC 7905), judged by Node's own ChaCha20-Poly1305 with the
// nonce built here from the RFC's words (the IV XOR the left-padded sequence number): what ours seals Node opens, what
// Node seals ours opens, at sequence numbers where a wrong nonce would show; and every way a record can be wrong.
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { type DirectionState, directionState } from "../../chapters/06-tls12-handshake/index.js";
import { openRecordChaCha20, sealRecordChaCha20 } from "../../chapters/11-tls12-server/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { APPLICATION_DATA, HANDSHAKE, nodeChaChaOpen, nodeChaChaSeal } from "./helpers.js";

const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);
const IV = new Uint8Array(12).map((_, i) => 0xf0 - i);
const state = (sequence = 0n): DirectionState => ({ ...directionState(KEY, IV), sequence });
const text = (s: string) => new TextEncoder().encode(s);

describe("11.9 sealRecordChaCha20 and openRecordChaCha20: ChaCha20-Poly1305 records (RFC 7905)", () => {
  for (const sequence of [0n, 1n, 2n ** 32n + 5n]) {
    it(`11.9 at sequence ${sequence}: what ours seals Node opens (the nonce is the IV XOR the sequence number), and the sequence counts up`, () => {
      const s = state(sequence);
      const plaintext = text(`GET / HTTP/1.1, record ${sequence}`);
      const record = sealRecordChaCha20(s, APPLICATION_DATA, plaintext);
      expectBytes(record, nodeChaChaSeal(KEY, IV, sequence, APPLICATION_DATA, plaintext), "the record");
      expectBytes(nodeChaChaOpen(KEY, IV, sequence, record), plaintext, "what Node opens");
      expect(s.sequence, "the sequence number after one record").to.equal(sequence + 1n);
    });
  }

  it("11.9 no explicit nonce: the fragment is exactly the plaintext and the 16-byte tag, behind a 0x0303 header", () => {
    const record = sealRecordChaCha20(state(), HANDSHAKE, new Uint8Array(100));
    expectSame([...record.subarray(0, 5)], [HANDSHAKE, 3, 3, 0, 116], "the header");
  });

  it("11.9 records Node seals open with ours, in order; each one's sequence number is our count, not anything on the wire", () => {
    const s = state();
    for (let i = 0; i < 3; i++) {
      const plaintext = text(`record ${i}`);
      expectBytes(openRecordChaCha20(s, APPLICATION_DATA, nodeChaChaSeal(KEY, IV, BigInt(i), APPLICATION_DATA, plaintext).subarray(5)), plaintext, `record ${i}`);
    }
    const replayed = nodeChaChaSeal(KEY, IV, 0n, APPLICATION_DATA, text("record 0")).subarray(5);
    expectTlsError(() => openRecordChaCha20(s, APPLICATION_DATA, replayed), { alert: AlertDescription.bad_record_mac, field: "fragment" });
  });

  it("11.9 a flipped bit in the ciphertext or the tag, another content type (the additional data), or a fragment shorter than a tag: bad_record_mac", () => {
    const fragment = nodeChaChaSeal(KEY, IV, 0n, APPLICATION_DATA, text("secret")).slice(5);
    for (const at of [0, fragment.length - 1]) {
      const changed = fragment.slice();
      changed[at]! ^= 1;
      expectTlsError(() => openRecordChaCha20(state(), APPLICATION_DATA, changed), { alert: AlertDescription.bad_record_mac });
    }
    expectTlsError(() => openRecordChaCha20(state(), HANDSHAKE, fragment), { alert: AlertDescription.bad_record_mac });
    expectTlsError(() => openRecordChaCha20(state(), APPLICATION_DATA, fragment.subarray(0, 15)), { alert: AlertDescription.bad_record_mac, field: "fragment" });
  });

  it("11.9 over 2^14 bytes: sealing is our own bug (internal_error), a record that decrypts to more is record_overflow", () => {
    expectTlsError(() => sealRecordChaCha20(state(), APPLICATION_DATA, new Uint8Array(2 ** 14 + 1)), { alert: AlertDescription.internal_error, field: "plaintext" });
    const big = nodeChaChaSeal(KEY, IV, 0n, APPLICATION_DATA, new Uint8Array(2 ** 14 + 1)).subarray(5);
    expectTlsError(() => openRecordChaCha20(state(), APPLICATION_DATA, big), { alert: AlertDescription.record_overflow });
  });
});
