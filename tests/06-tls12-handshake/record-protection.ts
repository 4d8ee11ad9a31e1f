// Exercise 06.1, TLS 1.2 AES-GCM record protection, graded against Node's crypto (OpenSSL's AES-GCM) as the
// oracle in both directions: records we seal must decrypt with createDecipheriv('aes-128-gcm' / 'aes-256-gcm')
// under the nonce and additional data spelled out here from RFC 5246 §6.2.3.3 and RFC 5288 §3, and records Node
// seals must open with ours. Tampering with any part of a record is bad_record_mac.
import { expect } from "chai";
import fc from "fast-check";
import crypto from "node:crypto";
import { AlertDescription, ContentType } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { expectBytes } from "../support/expect-bytes.js";
import { type DirectionState, openRecord, sealRecord } from "../../chapters/06-tls12-handshake/index.js";
import { assertProperty, checkTlsError, expectTlsError } from "../support/properties.js";

const TLS12 = [0x03, 0x03];
const MAX_PLAINTEXT = 2 ** 14;

// ---------------------------------------------------------------------------------------------------------------
// The oracle: AES-GCM from Node's crypto, with nonce and additional data written out from the RFCs

/** RFC 5246 §6.2.3.3: seq_num(uint64) + type(uint8) + version(uint16) + length(uint16), big-endian. */
function referenceAad(sequence: bigint, type: number, length: number): Buffer {
  const ad = Buffer.alloc(13);
  ad.writeBigUInt64BE(sequence, 0);
  ad[8] = type;
  ad[9] = TLS12[0]!;
  ad[10] = TLS12[1]!;
  ad.writeUInt16BE(length, 11);
  return ad;
}

const cipherName = (key: Uint8Array) => (key.length === 16 ? "aes-128-gcm" : "aes-256-gcm") as crypto.CipherGCMTypes;

/** A whole record as an RFC 5288 sender builds it: header, nonce_explicit, ciphertext, 16-byte tag. */
function nodeSeal(key: Uint8Array, salt: Uint8Array, sequence: bigint, type: number, plaintext: Uint8Array, explicit?: Uint8Array): Uint8Array {
  const nonceExplicit = explicit ? Buffer.from(explicit) : Buffer.alloc(8);
  if (!explicit) nonceExplicit.writeBigUInt64BE(sequence);
  const cipher = crypto.createCipheriv(cipherName(key), key, Buffer.concat([salt, nonceExplicit]));
  cipher.setAAD(referenceAad(sequence, type, plaintext.length));
  const body = Buffer.concat([nonceExplicit, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.from([type, ...TLS12, body.length >> 8, body.length & 0xff]);
  return new Uint8Array(Buffer.concat([header, body]));
}

/** Decrypts a whole record with Node, checking the tag; throws if it does not authenticate. */
function nodeOpen(key: Uint8Array, salt: Uint8Array, sequence: bigint, record: Uint8Array): { type: number; plaintext: Uint8Array } {
  const type = record[0]!;
  const body = Buffer.from(record.subarray(5));
  const decipher = crypto.createDecipheriv(cipherName(key), key, Buffer.concat([salt, body.subarray(0, 8)]));
  decipher.setAAD(referenceAad(sequence, type, body.length - 24));
  decipher.setAuthTag(body.subarray(body.length - 16));
  const plaintext = Buffer.concat([decipher.update(body.subarray(8, body.length - 16)), decipher.final()]);
  return { type, plaintext: new Uint8Array(plaintext) };
}

const state = (key: Uint8Array, salt: Uint8Array, sequence = 0n): DirectionState => ({ key: key.slice(), salt: salt.slice(), sequence });

const keyArb = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 }));
const saltArb = fc.uint8Array({ minLength: 4, maxLength: 4 });
const sequenceArb = fc.bigInt({ min: 0n, max: 2n ** 64n - 2n });
const typeArb = fc.constantFrom(ContentType.handshake, ContentType.application_data, ContentType.alert);
const RUNS = 200;

const fixedKey = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const fixedSalt = Uint8Array.of(0xa0, 0xa1, 0xa2, 0xa3);
const hello = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

describe("06.1–06.2 AES-GCM record protection (RFC 5246 §6.2.3.3, RFC 5288 §3)", () => {
  it("06.1 a sealed record has the header type, 03 03, length = 8 + plaintext + 16, then the sequence number as nonce_explicit", () => {
    const record = sealRecord(state(fixedKey, fixedSalt, 5n), ContentType.application_data, hello);
    expect(record[0]).to.equal(ContentType.application_data);
    expect([record[1], record[2]]).to.deep.equal(TLS12);
    expect((record[3]! << 8) | record[4]!).to.equal(8 + hello.length + 16);
    expect(record.length).to.equal(5 + 8 + hello.length + 16);
    expectBytes(record.subarray(5, 13), fromHex("0000000000000005"), "nonce_explicit: the sequence number");
  });

  it("06.1 sealRecord's records decrypt with Node's AES-128-GCM and AES-256-GCM (nonce salt || seq, AAD seq || type || version || length)", () => {
    assertProperty(
      fc.property(keyArb, saltArb, sequenceArb, typeArb, fc.uint8Array({ maxLength: 300 }), (key, salt, sequence, type, plaintext) => {
        const s = state(key, salt, sequence);
        const record = sealRecord(s, type, plaintext);
        const opened = nodeOpen(key, salt, sequence, record);
        expect(opened.type).to.equal(type);
        expectBytes(opened.plaintext, plaintext, "our record, opened by Node");
        expect(s.sequence).to.equal(sequence + 1n);
      }),
      RUNS,
    );
  });

  it("06.1 sealRecord is byte for byte what Node's AES-GCM produces for the same inputs", () => {
    assertProperty(
      fc.property(keyArb, saltArb, sequenceArb, typeArb, fc.uint8Array({ maxLength: 100 }), (key, salt, sequence, type, plaintext) => {
        expectBytes(sealRecord(state(key, salt, sequence), type, plaintext), nodeSeal(key, salt, sequence, type, plaintext), "our record against Node's");
      }),
      RUNS,
    );
  });

  it("06.1 an explicit nonce given to sealRecord goes on the wire and into the nonce, while the AAD keeps the sequence number", () => {
    const explicit = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const record = sealRecord(state(fixedKey, fixedSalt, 9n), ContentType.application_data, hello, explicit);
    expectBytes(record.subarray(5, 13), explicit, "nonce_explicit: the one given");
    expectBytes(nodeOpen(fixedKey, fixedSalt, 9n, record).plaintext, hello, "our record, opened by Node");
    expectBytes(record, nodeSeal(fixedKey, fixedSalt, 9n, ContentType.application_data, hello, explicit), "our record against Node's");
  });

  it("06.2 openRecord decrypts records sealed by Node's AES-GCM, and counts the sequence number up", () => {
    assertProperty(
      fc.property(keyArb, saltArb, sequenceArb, typeArb, fc.uint8Array({ maxLength: 300 }), (key, salt, sequence, type, plaintext) => {
        const record = nodeSeal(key, salt, sequence, type, plaintext);
        const s = state(key, salt, sequence);
        expectBytes(openRecord(s, type, record.subarray(5)), plaintext, "Node's record, opened by us");
        expect(s.sequence).to.equal(sequence + 1n);
      }),
      RUNS,
    );
  });

  it("06.2 a stream of records: seal 0, 1, 2 … and Node opens each with its own sequence number; and back", () => {
    const ours = state(fixedKey, fixedSalt);
    const theirs = state(fixedKey, fixedSalt);
    for (let i = 0; i < 5; i++) {
      const data = new TextEncoder().encode(`message ${i}`);
      const record = sealRecord(ours, ContentType.application_data, data);
      expectBytes(nodeOpen(fixedKey, fixedSalt, BigInt(i), record).plaintext, data, `record ${i}, opened by Node`);
      const back = nodeSeal(fixedKey, fixedSalt, BigInt(i), ContentType.application_data, data);
      expectBytes(openRecord(theirs, ContentType.application_data, back.subarray(5)), data, `Node's record ${i}, opened by us`);
    }
    expect(ours.sequence).to.equal(5n);
    expect(theirs.sequence).to.equal(5n);
  });

  it("06.2 a flipped bit anywhere in nonce_explicit, ciphertext or tag is bad_record_mac", () => {
    const record = nodeSeal(fixedKey, fixedSalt, 0n, ContentType.application_data, hello);
    const fragment = record.subarray(5);
    for (let i = 0; i < fragment.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = fragment.slice();
        bad[i]! ^= bit;
        expectTlsError(() => openRecord(state(fixedKey, fixedSalt), ContentType.application_data, bad), { alert: AlertDescription.bad_record_mac });
      }
    }
  });

  it("06.2 the header is authenticated: the same fragment under another content type is bad_record_mac", () => {
    const record = nodeSeal(fixedKey, fixedSalt, 0n, ContentType.application_data, hello);
    for (const type of [ContentType.handshake, ContentType.alert, ContentType.change_cipher_spec]) {
      expectTlsError(() => openRecord(state(fixedKey, fixedSalt), type, record.subarray(5)), { alert: AlertDescription.bad_record_mac });
    }
  });

  it("06.2 replayed, dropped or reordered records are bad_record_mac: the AAD uses our own sequence number", () => {
    const records = [0n, 1n, 2n].map((seq) => nodeSeal(fixedKey, fixedSalt, seq, ContentType.application_data, hello).subarray(5));
    const reader = state(fixedKey, fixedSalt);
    openRecord(reader, ContentType.application_data, records[0]!);
    // replay of record 0 as record 1
    expectTlsError(() => openRecord({ ...reader }, ContentType.application_data, records[0]!), { alert: AlertDescription.bad_record_mac });
    // record 1 dropped: record 2 arrives where 1 is expected
    expectTlsError(() => openRecord({ ...reader }, ContentType.application_data, records[2]!), { alert: AlertDescription.bad_record_mac });
  });

  it("06.2 the wrong key or the wrong salt is bad_record_mac", () => {
    const fragment = nodeSeal(fixedKey, fixedSalt, 0n, ContentType.application_data, hello).subarray(5);
    const otherKey = fixedKey.slice();
    otherKey[0]! ^= 1;
    const otherSalt = fixedSalt.slice();
    otherSalt[3]! ^= 1;
    expectTlsError(() => openRecord(state(otherKey, fixedSalt), ContentType.application_data, fragment), { alert: AlertDescription.bad_record_mac });
    expectTlsError(() => openRecord(state(fixedKey, otherSalt), ContentType.application_data, fragment), { alert: AlertDescription.bad_record_mac });
  });

  it("06.2 random fragments and ones too short for nonce and tag (0–23 bytes) are bad_record_mac, never another error", () => {
    for (let n = 0; n < 24; n++) {
      const e = expectTlsError(() => openRecord(state(fixedKey, fixedSalt), ContentType.application_data, new Uint8Array(n)), {
        alert: AlertDescription.bad_record_mac,
      });
      expect(e.field, e.message).to.be.a("string");
    }
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 200 }), (fragment) => {
        try {
          openRecord(state(fixedKey, fixedSalt), ContentType.application_data, fragment);
          expect.fail("a random fragment authenticated");
        } catch (e) {
          checkTlsError(e, fragment, [AlertDescription.bad_record_mac]);
        }
      }),
      500,
    );
  });

  it("06.2 sizes: 2^14 bytes of plaintext seal; 2^14 + 1 is refused (internal_error); a record decrypting to 2^14 + 1 is record_overflow", () => {
    const big = new Uint8Array(MAX_PLAINTEXT).fill(0x61);
    const record = sealRecord(state(fixedKey, fixedSalt), ContentType.application_data, big);
    expect(nodeOpen(fixedKey, fixedSalt, 0n, record).plaintext.length).to.equal(MAX_PLAINTEXT);
    expectTlsError(() => sealRecord(state(fixedKey, fixedSalt), ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1)), {
      alert: AlertDescription.internal_error,
    });
    const tooBig = nodeSeal(fixedKey, fixedSalt, 0n, ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1));
    expectTlsError(() => openRecord(state(fixedKey, fixedSalt), ContentType.application_data, tooBig.subarray(5)), {
      alert: AlertDescription.record_overflow,
    });
  });

  it("06.1 a sequence number never wraps: sealing past 2^64 − 1 is refused (internal_error)", () => {
    const s = state(fixedKey, fixedSalt, 2n ** 64n - 1n);
    const last = sealRecord(s, ContentType.application_data, hello);
    expectBytes(nodeOpen(fixedKey, fixedSalt, 2n ** 64n - 1n, last).plaintext, hello, "the last sequence number's record, opened by Node");
    expectTlsError(() => sealRecord(s, ContentType.application_data, hello), { alert: AlertDescription.internal_error });
  });

  it("06.2 open(seal(x)) = x for both key sizes, any type and length, and the two sides stay in step", () => {
    assertProperty(
      fc.property(keyArb, saltArb, fc.array(fc.tuple(typeArb, fc.uint8Array({ maxLength: 64 })), { maxLength: 6 }), (key, salt, items) => {
        const writer = state(key, salt);
        const reader = state(key, salt);
        for (const [type, data] of items) {
          const record = sealRecord(writer, type, data);
          expectBytes(openRecord(reader, type, record.subarray(5)), data, "opened after sealing");
        }
        expect(writer.sequence).to.equal(BigInt(items.length));
        expect(reader.sequence).to.equal(BigInt(items.length));
      }),
      RUNS,
    );
  });
});
