// Exercise 04.3, the RSA ClientKeyExchange message, against a reference encoder written here from the structs of
// RFC 5246 §7.4.7 and §7.4.7.1 (msg_type 16, uint24 length, then the ciphertext as opaque <0..2^16-1>), with
// property tests on random and mutated messages. The live tests (live.ts) send it to real servers.
import { expect } from "chai";
import fc from "fast-check";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import {
  clientKeyExchangeRsaMessage,
  decodeClientKeyExchangeRsa,
  encodeClientKeyExchangeRsa,
  readClientKeyExchangeRsa,
  writeClientKeyExchangeRsa,
} from "../../chapters/04-rsa-key-exchange/index.js";
import { NUM_RUNS, assertProperty, badInputs, decodeOrTlsError, expectTlsError, onlyTlsErrors, outcome, truncations } from "../support/properties.js";
import { handshakes } from "../support/structures.js";
import { hex, seededRandom } from "./oracles.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

const CLIENT_KEY_EXCHANGE = 16; // HandshakeType.client_key_exchange, RFC 5246 §7.4

/** RFC 5246 §7.4 + §7.4.7.1 spelled out: 10, uint24 body length, uint16 ciphertext length, ciphertext. */
function referenceMessage(encrypted: Uint8Array): Uint8Array {
  const body = [encrypted.length >> 8, encrypted.length & 0xff, ...encrypted];
  return Uint8Array.from([CLIENT_KEY_EXCHANGE, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
}

describe("04.3 the ClientKeyExchange message (RSA)", () => {
  it("04.3 a 256-byte ciphertext is 10 00 01 02 01 00 || ciphertext: two length bytes before it (RFC 5246 §7.4.7.1)", () => {
    const encrypted = seededRandom("04.3 256")(256);
    const message = encodeClientKeyExchangeRsa(encrypted);
    expectBytes(message.subarray(0, 6), fromHex("100001020100"), "the first 6 bytes: handshake header and ciphertext length");
    expectBytes(message, referenceMessage(encrypted), "ClientKeyExchange", { structure: handshakes });
    const w = new ByteWriter();
    writeClientKeyExchangeRsa(w, encrypted);
    expectBytes(w.toBytes(), fromHex("0100" + hex(encrypted)), "the body alone", { annotations: w.annotations });
    expectBytes(decodeClientKeyExchangeRsa(message), encrypted, "the ciphertext decoded back");
  });

  it("04.3 encodes like the reference and decodes back, for ciphertexts of 0 to 600 bytes (property)", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 600 }), (encrypted) => {
        const message = encodeClientKeyExchangeRsa(encrypted);
        expectBytes(message, referenceMessage(encrypted), "ClientKeyExchange", { structure: handshakes });
        expectBytes(decodeClientKeyExchangeRsa(message), encrypted, "the ciphertext decoded back");
      }),
      { demands: "every ciphertext is written as 10, a uint24 length, a uint16 length, the ciphertext; and read back unchanged", inputs: ["ciphertext"] },
    );
  });

  it("04.3 notes every byte: the length and the ciphertext each carry a note", () => {
    const encrypted = seededRandom("04.3 notes")(128);
    const w = clientKeyExchangeRsaMessage(encrypted);
    const covered = new Set<number>();
    for (const a of w.annotations) if (!a.group) for (let i = a.offset; i < a.offset + a.length; i++) covered.add(i);
    expect(covered.size, "bytes with a note").to.equal(w.length);
    const r = new ByteReader(encodeClientKeyExchangeRsa(encrypted).subarray(4));
    expectBytes(readClientKeyExchangeRsa(r), encrypted, "the ciphertext read back");
    expect(r.annotations.length, "the reader notes what it read").to.be.greaterThan(0);
  });

  it("04.3 a ciphertext longer than 2^16 − 1 bytes cannot be written: internal_error", () => {
    expectTlsError(() => encodeClientKeyExchangeRsa(new Uint8Array(0x10000)), { alert: AlertDescription.internal_error });
    expect(encodeClientKeyExchangeRsa(new Uint8Array(0xffff)).length).to.equal(4 + 2 + 0xffff);
  });

  it("04.3 every truncation of a real message is a decode_error naming field and offset", () => {
    const message = referenceMessage(seededRandom("04.3 cut")(256));
    expectBytes(decodeClientKeyExchangeRsa(message), message.subarray(6), "the ciphertext decoded");
    for (const cut of truncations(message)) {
      const result = decodeOrTlsError(decodeClientKeyExchangeRsa, cut);
      expect(outcome(result), `${cut.length} of ${message.length} bytes`).to.match(/^failed/);
    }
  });

  it("04.3 a length that does not match, or a byte after the end, is a decode_error", () => {
    const encrypted = seededRandom("04.3 lengths")(64);
    const good = referenceMessage(encrypted);
    const longer = good.slice();
    longer[5] += 1; // the ciphertext's length says 65: runs past the body
    expectTlsError(() => decodeClientKeyExchangeRsa(longer), { alert: AlertDescription.decode_error });
    const shorter = good.slice();
    shorter[5] -= 1; // says 63: one byte left over inside the body
    expectTlsError(() => decodeClientKeyExchangeRsa(shorter), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeClientKeyExchangeRsa(Uint8Array.from([...good, 0])), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeClientKeyExchangeRsa(Uint8Array.from([2, ...good.subarray(1)])), { alert: AlertDescription.unexpected_message });
  });

  it("04.3 random bytes and mutated messages give a ClientKeyExchange or a TlsError, never anything else (property)", () => {
    const seeds = [0, 1, 48, 128, 256].map((n) => referenceMessage(seededRandom(`04.3 seed ${n}`)(n)));
    onlyTlsErrors(decodeClientKeyExchangeRsa, badInputs(seeds, 300), {
      alerts: [AlertDescription.decode_error, AlertDescription.unexpected_message],
      numRuns: NUM_RUNS,
      demands: "a message it accepts is exactly the ClientKeyExchange of the ciphertext it returns",
      explain: handshakes,
      also: (encrypted, input) => expectBytes(referenceMessage(encrypted), input, "the ClientKeyExchange of the ciphertext decoded", { structure: handshakes }),
    });
  });
});
