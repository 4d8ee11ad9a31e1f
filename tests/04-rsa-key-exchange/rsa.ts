// Exercises 04.2 (RSA PKCS #1 v1.5 encryption), 04.4 (CRT decryption) and 04.5 (the TLS server's implicit
// rejection), graded against OpenSSL only: keys from Node's crypto with their numbers from its JWK export,
// ciphertexts from Node's publicEncrypt, Node's raw RSA (RSA_NO_PADDING) to look inside blocks, and
// `openssl pkeyutl -decrypt` for PKCS #1 v1.5 decryption, which Node itself no longer does (CVE-2023-46809).
import { expect } from "chai";
import fc from "fast-check";
import crypto from "node:crypto";
import { AlertDescription } from "../../lib/constants.js";
import { readPemBlocks } from "../../lib/pem.js";
import {
  type RsaPrivateKey,
  decryptPremaster,
  readRsaPrivateKey,
  rsaDecryptCrt,
  rsaEncryptPkcs1v15,
} from "../../chapters/04-rsa-key-exchange/index.js";
import { readFixture } from "../support/fixtures.js";
import { NUM_RUNS, assertProperty, expectTlsError } from "../support/properties.js";
import {
  type NodeRsaKey,
  fixtureRsaKey,
  hex,
  nodePkcs1Encrypt,
  nodeRawDecrypt,
  nodeRawEncrypt,
  nodeRsaKey,
  opensslPkcs1Decrypt,
  seededRandom,
} from "./oracles.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

/** Key sizes: a small one for property runs, the usual 2048, one just past a byte (k = 257, top byte 02 or 03), 3072. */
const SIZES = [1024, 2048, 2050, 3072];

const publicOf = (key: NodeRsaKey) => ({ n: key.numbers.n, e: key.numbers.e });
/** The key as the learner's readRsaPrivateKey reads it from Node's PEM. */
const privateOf = (key: NodeRsaKey, pem: "pkcs8" | "pkcs1" = "pkcs8"): RsaPrivateKey => readRsaPrivateKey(readPemBlocks(key[pem])[0].der);

/** A k-byte block read as PKCS #1 v1.5 type 2: 00 02 PS 00 M. Throws if it is not one. */
function splitType2(em: Uint8Array): { ps: Uint8Array; message: Uint8Array } {
  expectBytes(em.subarray(0, 2), fromHex("0002"), "EM starts 00 02 (RFC 8017 §7.2.1 step 2c)");
  const separator = em.indexOf(0, 2);
  expect(separator, "a 00 ends the padding").to.be.greaterThan(1);
  return { ps: em.slice(2, separator), message: em.slice(separator + 1) };
}

const premasterOf = (version: number, rest: Uint8Array) => Uint8Array.from([version >> 8, version & 0xff, ...rest]);

// ---------------------------------------------------------------------------------------------------------------

describe("04.2 RSA encryption with PKCS #1 v1.5 padding", () => {
  it("04.2 `openssl pkeyutl -decrypt` recovers every message, 0 to k − 11 bytes, for 1024-, 2048-, 2050- and 3072-bit keys", () => {
    for (const bits of SIZES) {
      const key = nodeRsaKey(bits);
      const random = seededRandom(`04.2 messages ${bits}`);
      const lengths = [0, 1, 48, key.k - 12, key.k - 11];
      const messages = lengths.map((n) => random(n));
      const ciphertexts = messages.map((m) => rsaEncryptPkcs1v15(publicOf(key), m));
      for (const c of ciphertexts) expect(c.length, `ciphertext length for a ${bits}-bit key`).to.equal(key.k);
      const decrypted = opensslPkcs1Decrypt(key, ciphertexts);
      decrypted.forEach((d, i) => expectBytes(d, messages[i]!, `${bits}-bit key, ${lengths[i]}-byte message, decrypted by openssl`));
    }
  });

  it("04.2 the fixture server's certificate key: openssl decrypts a premaster encrypted to it with its private key", () => {
    const key = fixtureRsaKey(readFixture("server-rsa.key"));
    const premaster = premasterOf(0x0303, seededRandom("04.2 fixture")(46));
    const [back] = opensslPkcs1Decrypt(key, [rsaEncryptPkcs1v15(publicOf(key), premaster)]);
    expectBytes(back, premaster, "what openssl decrypts from your ciphertext");
  });

  it("04.2 Node refuses PKCS #1 v1.5 decryption since the Marvin fix, but its raw RSA shows our block: 00 02, non-zero PS, 00, M", () => {
    const key = nodeRsaKey(2048);
    const message = seededRandom("04.2 block")(48);
    const ciphertext = rsaEncryptPkcs1v15(publicOf(key), message);
    // A fact worth knowing: Node 20.11+ (CVE-2023-46809) throws here unless the OpenSSL below does implicit
    // rejection; OpenSSL 3.0 does not, so Node will not decrypt PKCS #1 v1.5 at all.
    expect(() => crypto.privateDecrypt({ key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, ciphertext)).to.throw(
      /no longer supported|RSA_PKCS1_PADDING/,
    );
    const { ps, message: m } = splitType2(nodeRawDecrypt(key, ciphertext));
    expectBytes(m, message, "the message in your block (decrypted by Node's raw RSA)");
    expect(ps.length, "PS fills the block: k − 48 − 3 bytes").to.equal(key.k - 48 - 3);
    expect(ps.includes(0), "PS has no zero byte").to.equal(false);
  });

  it("04.2 pads with fresh random bytes on every call: the same message never gives the same ciphertext", () => {
    const key = nodeRsaKey(1024);
    const message = new Uint8Array(48).fill(7);
    const seen = new Set<string>();
    const paddings = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const c = rsaEncryptPkcs1v15(publicOf(key), message);
      seen.add(hex(c));
      paddings.add(hex(splitType2(nodeRawDecrypt(key, c)).ps));
    }
    expect(seen.size, "distinct ciphertexts out of 20").to.equal(20);
    expect(paddings.size, "distinct paddings out of 20").to.equal(20);
  });

  it("04.2 takes its padding from the `random` it is given, skipping zero bytes, however many zeros that source gives", () => {
    const key = nodeRsaKey(1024);
    // Sources that give zeros often: every byte is zero with probability 1/2 to 15/16.
    const zeroHeavy = fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 15 })).map(([seed, zeros]) => {
      const make = () => {
        const base = seededRandom(seed);
        return (n: number) => base(n).map((b) => (b % 16 < zeros ? 0 : b));
      };
      return { seed, zeros, make };
    });
    const message = seededRandom("04.2 zeros")(48);
    assertProperty(
      fc.property(zeroHeavy, ({ make }) => {
        const c1 = rsaEncryptPkcs1v15(publicOf(key), message, make());
        const c2 = rsaEncryptPkcs1v15(publicOf(key), message, make());
        // The same source gives the same ciphertext: the padding comes from `random`, nowhere else.
        expectBytes(c1, c2, "two ciphertexts from the same random source");
        const { ps, message: m } = splitType2(nodeRawDecrypt(key, c1));
        expectBytes(m, message, "the message in your block (decrypted by Node's raw RSA)");
        expect(ps.length).to.equal(key.k - 51);
        expect(ps.includes(0), "no zero byte in PS").to.equal(false);
      }),
      { numRuns: 200, demands: "the padding comes only from the `random` given (skipping its zero bytes), so the same source gives the same ciphertext", inputs: ["random source"] },
    );
  });

  it("04.2 a message longer than k − 11 bytes does not fit: internal_error", () => {
    const key = nodeRsaKey(1024);
    expectTlsError(() => rsaEncryptPkcs1v15(publicOf(key), new Uint8Array(key.k - 10)), { alert: AlertDescription.internal_error });
    expectTlsError(() => rsaEncryptPkcs1v15(publicOf(key), new Uint8Array(key.k)), { alert: AlertDescription.internal_error });
  });

  it("04.2 a ciphertext below 2^(8(k−1)) keeps its leading zero byte: always exactly k bytes (2050-bit key)", () => {
    // With a 2050-bit modulus, k = 257 and n's top byte is 02 or 03: about a third of all ciphertexts start with 00.
    const key = nodeRsaKey(2050);
    const random = seededRandom("04.2 leading zeros");
    let leadingZero = 0;
    for (let i = 0; i < 16; i++) {
      const message = random(48);
      const c = rsaEncryptPkcs1v15(publicOf(key), message);
      expect(c.length).to.equal(257);
      if (c[0] === 0) leadingZero++;
      expectBytes(splitType2(nodeRawDecrypt(key, c)).message, message, "the message in the decrypted block");
    }
    expect(leadingZero, "some of 16 ciphertexts start with 00").to.be.greaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("04.4 RSA decryption with the Chinese Remainder Theorem", () => {
  it("04.4 reads Node's PKCS #8 and PKCS #1 PEM keys as its JWK says, and decrypts its PKCS #1 ciphertexts to Node's raw RSA result", () => {
    for (const bits of SIZES) {
      const key = nodeRsaKey(bits);
      for (const form of ["pkcs8", "pkcs1"] as const) {
        const mine = privateOf(key, form);
        expectSame(mine, key.numbers, `${bits}-bit key, ${form}: the key numbers (expected: Node's)`);
        const message = seededRandom(`04.4 ${bits} ${form}`)(48);
        const ciphertext = nodePkcs1Encrypt(key, message);
        const em = rsaDecryptCrt(mine, ciphertext);
        expectBytes(em, nodeRawDecrypt(key, ciphertext), `${bits}-bit key, ${form}`);
        expectBytes(splitType2(em).message, message, "the message in the decrypted block");
      }
    }
  });

  it("04.4 equals Node's raw RSA on random ciphertexts c < n, including ones with leading zero bytes", () => {
    const key = nodeRsaKey(1024);
    const mine = privateOf(key);
    const ciphertexts = fc
      .tuple(fc.uint8Array({ minLength: key.k, maxLength: key.k }), fc.integer({ min: 0, max: 8 }))
      .map(([c, zeros]) => {
        const out = c.slice();
        out.fill(0, 0, zeros);
        if (zeros === 0) out[0] &= 0x7f; // below n: a 1024-bit n starts with a byte ≥ 0x80
        return out;
      });
    assertProperty(
      fc.property(ciphertexts, (c) => {
        expectBytes(rsaDecryptCrt(mine, c), nodeRawDecrypt(key, c), "your CRT decryption (expected: Node's raw RSA)");
      }),
      { demands: "CRT decryption gives c^d mod n, as k bytes, for every ciphertext below n", inputs: ["ciphertext"] },
    );
  });

  it("04.4 the test servers' key (tests/fixtures/server-rsa.key) decrypts what Node encrypts to it", () => {
    const pem = readFixture("server-rsa.key");
    const key = fixtureRsaKey(pem);
    const mine = readRsaPrivateKey(readPemBlocks(pem)[0].der);
    expectSame(mine, key.numbers, "the key numbers (expected: Node's)");
    const message = seededRandom("04.4 fixture")(48);
    const ciphertext = nodePkcs1Encrypt(key, message);
    expectBytes(splitType2(rsaDecryptCrt(mine, ciphertext)).message, message, "the message in the decrypted block");
  });

  it("04.4 a ciphertext that is not k bytes, or not below n, is decrypt_error (RFC 8017 §5.1.2 step 1)", () => {
    const key = nodeRsaKey(1024);
    const mine = privateOf(key);
    const good = nodePkcs1Encrypt(key, new Uint8Array(48));
    expectTlsError(() => rsaDecryptCrt(mine, good.subarray(1)), { alert: AlertDescription.decrypt_error, field: "ciphertext" });
    expectTlsError(() => rsaDecryptCrt(mine, Uint8Array.from([0, ...good])), { alert: AlertDescription.decrypt_error, field: "ciphertext" });
    const nBytes = Buffer.from(key.numbers.n.toString(16).padStart(2 * key.k, "0"), "hex");
    expectTlsError(() => rsaDecryptCrt(mine, new Uint8Array(nBytes)), { alert: AlertDescription.decrypt_error, field: "ciphertext" });
    expectTlsError(() => rsaDecryptCrt(mine, new Uint8Array(key.k).fill(0xff)), { alert: AlertDescription.decrypt_error, field: "ciphertext" });
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A k-byte type-2 block around `message`, built here (not by the code under test), PS from `random`. */
function type2Block(k: number, message: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const ps = random(k - message.length - 3).map((b) => (b === 0 ? 0x5a : b));
  return Uint8Array.from([0x00, 0x02, ...ps, 0x00, ...message]);
}

/** A source that records its calls and returns `bytes` for 48. */
function recording(bytes: Uint8Array): { random: (n: number) => Uint8Array; calls: number[] } {
  const calls: number[] = [];
  return { calls, random: (n) => (calls.push(n), bytes.slice(0, n)) };
}

describe("04.5 the server's premaster, with implicit rejection (RFC 5246 §7.4.7.1)", () => {
  const key = () => nodeRsaKey(2048);
  const R = new Uint8Array(48).map((_, i) => 0xc0 + (i % 16));

  it("04.5 a premaster Node encrypted (publicEncrypt, PKCS #1 v1.5) to the fixture key comes back byte for byte", () => {
    const pem = readFixture("server-rsa.key");
    const fixture = fixtureRsaKey(pem);
    const mine = readRsaPrivateKey(readPemBlocks(pem)[0].der);
    for (let i = 0; i < 5; i++) {
      const premaster = premasterOf(0x0303, seededRandom(`04.5 fixture ${i}`)(46));
      expectBytes(decryptPremaster(mine, nodePkcs1Encrypt(fixture, premaster), 0x0303), premaster, "the decrypted premaster");
    }
  });

  it("04.5 makes R first: random(48) is called exactly once, also when the block is good", () => {
    const premaster = premasterOf(0x0303, seededRandom("04.5 order")(46));
    const { random, calls } = recording(R);
    expectBytes(decryptPremaster(privateOf(key()), nodePkcs1Encrypt(key(), premaster), 0x0303, random), premaster, "the decrypted premaster");
    expect(calls).to.deep.equal([48]);
  });

  it("04.5 bad padding gives R, never an error: block type 01, a non-zero first byte, no 00 after the padding", () => {
    const k = key().k;
    const m = premasterOf(0x0303, seededRandom("04.5 bad")(46));
    const good = type2Block(k, m, seededRandom("04.5 ps"));
    const variants: [string, Uint8Array][] = [
      ["block type 01", Uint8Array.from([0x00, 0x01, ...good.subarray(2)])],
      ["block type 00", Uint8Array.from([0x00, 0x00, ...good.subarray(2)])],
      ["first byte 01", Uint8Array.from([0x01, ...good.subarray(1)])],
      ["no separator at all", good.map((b, i) => (i >= 2 && b === 0 ? 0x11 : b))],
      ["all zero", new Uint8Array(k)],
    ];
    for (const [what, block] of variants) {
      const c = nodeRawEncrypt(key(), block);
      const { random, calls } = recording(R);
      expectBytes(decryptPremaster(privateOf(key()), c, 0x0303, random), R, what);
      expect(calls, what).to.deep.equal([48]);
    }
  });

  it("04.5 bad padding gives 48 fresh random bytes by default: different on every call", () => {
    const c = nodeRawEncrypt(key(), Uint8Array.from([0x00, 0x01, ...new Uint8Array(key().k - 2).fill(0x33)]));
    const mine = privateOf(key());
    const a = decryptPremaster(mine, c, 0x0303);
    const b = decryptPremaster(mine, c, 0x0303);
    expect(a.length).to.equal(48);
    expect(b.length).to.equal(48);
    expect(hex(a)).to.not.equal(hex(b));
  });

  it("04.5 a well-padded message of the wrong length (0, 47, 49, 100 bytes: Node's own PKCS #1 encryption) gives R", () => {
    const mine = privateOf(key());
    for (const n of [0, 47, 49, 100]) {
      const c = nodePkcs1Encrypt(key(), seededRandom(`04.5 length ${n}`)(n));
      const { random } = recording(R);
      expectBytes(decryptPremaster(mine, c, 0x0303, random), R, `${n}-byte message`);
    }
  });

  it("04.5 a zero byte inside the padding (so M is longer than 48 bytes) gives R", () => {
    const k = key().k;
    const m = premasterOf(0x0303, seededRandom("04.5 zero in PS")(46));
    const block = type2Block(k, m, seededRandom("04.5 ps2"));
    for (const at of [2, 9, 10, k - 50]) {
      const bad = block.slice();
      bad[at] = 0;
      const { random } = recording(R);
      expectBytes(decryptPremaster(privateOf(key()), nodeRawEncrypt(key(), bad), 0x0303, random), R, `zero at ${at}`);
    }
  });

  it("04.5 version bytes that differ from the ClientHello's are not checked but overwritten: client_version || M[2..47]", () => {
    const rest = seededRandom("04.5 version")(46);
    const mine = privateOf(key());
    for (const inside of [0x0301, 0x0302, 0x0000, 0xffff]) {
      const c = nodePkcs1Encrypt(key(), premasterOf(inside, rest));
      const { random, calls } = recording(R);
      expectBytes(decryptPremaster(mine, c, 0x0303, random), fromHex("0303" + hex(rest)), `0x${inside.toString(16)} inside`);
      expect(calls).to.deep.equal([48]);
    }
    // …and the version that is put in is the one given, e.g. a TLS 1.1 client's.
    const c = nodePkcs1Encrypt(key(), premasterOf(0x0303, rest));
    expectBytes(decryptPremaster(mine, c, 0x0302, recording(R).random), fromHex("0302" + hex(rest)), "the premaster with version 0x0302 inside");
  });

  it("04.5 a ciphertext of the wrong length, empty, or not below n gives R without throwing", () => {
    const mine = privateOf(key());
    const good = nodePkcs1Encrypt(key(), premasterOf(0x0303, new Uint8Array(46)));
    const nBytes = new Uint8Array(Buffer.from(key().numbers.n.toString(16).padStart(2 * key().k, "0"), "hex"));
    for (const [what, c] of [
      ["empty", new Uint8Array(0)],
      ["one byte short", good.subarray(1)],
      ["one byte long", Uint8Array.from([0, ...good])],
      ["equal to n", nBytes],
      ["all ff", new Uint8Array(key().k).fill(0xff)],
    ] as const) {
      const { random } = recording(R);
      expectBytes(decryptPremaster(mine, c, 0x0303, random), R, what);
    }
  });

  it("04.5 never throws and always returns 48 bytes, whatever the ciphertext (random bytes, any length)", () => {
    const small = nodeRsaKey(1024);
    const mine = privateOf(small);
    const inputs = fc.oneof(
      fc.uint8Array({ minLength: small.k, maxLength: small.k }),
      fc.uint8Array({ maxLength: 2 * small.k }),
      fc.uint8Array({ minLength: small.k - 1, maxLength: small.k + 1 }),
    );
    assertProperty(
      fc.property(inputs, (c) => {
        const out = decryptPremaster(mine, c, 0x0303);
        expect(out).to.be.an.instanceOf(Uint8Array);
        expect(out.length).to.equal(48);
      }),
      { demands: "decryptPremaster never throws and always returns 48 bytes: a bad ciphertext gets a random premaster (RFC 5246 §7.4.7.1)", inputs: ["ciphertext"] },
    );
  });
});
