// Chapter 03, the signature primitives: modPow (03.12), RSA PKCS #1 v1.5 (03.13), RSA-PSS (03.14) and ECDSA (03.15).
// Graded against outside references only: Wycheproof's test vectors (tests/vectors/wycheproof, see SOURCES.md)
// and Node's crypto (OpenSSL), which makes keys, signs, and serves as a second verifier and as raw RSA.
import { expect } from "chai";
import fc from "fast-check";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AlertDescription } from "../../lib/constants.js";
import { equalBytes, fromHex, toHex } from "../../lib/hex.js";
import type { HashName } from "../../chapters/03-certificates/hashes.js";
import { type RsaPublicKey, modPow, verifyPkcs1v15, verifyPss } from "../../chapters/03-certificates/rsa.js";
import { type EcCurve, readEcdsaSignature, verifyEcdsa } from "../../chapters/03-certificates/ecdsa.js";
import { forgePkcs1v15E3, lenientVerifyPkcs1v15 } from "../../chapters/03-certificates/forgery.js";
import { expectBytes } from "../support/expect-bytes.js";
import { NUM_RUNS, assertProperty, badInputs, checkTlsError, expectTlsError, onlyTlsErrors } from "../support/properties.js";

// ---------------------------------------------------------------------------------------------------------------
// Outside references

export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: "valid" | "invalid" | "acceptable";
}
export interface WycheproofFile<G> {
  algorithm: string;
  numberOfTests: number;
  testGroups: (G & { tests: WycheproofCase[] })[];
}
interface RsaGroup {
  sha: string;
  publicKey: { modulus: string; publicExponent: string };
}
interface PssGroup extends RsaGroup {
  mgf: string;
  mgfSha: string;
  sLen: number;
}
interface EcdsaGroup {
  sha: string;
  publicKey: { curve: string; uncompressed: string };
}

/** A Wycheproof file from tests/vectors/wycheproof, checked to hold as many cases as its header says. */
export function wycheproof<G>(name: string): WycheproofFile<G> {
  const path = fileURLToPath(new URL(`../vectors/wycheproof/${name}`, import.meta.url));
  const file = JSON.parse(readFileSync(path, "utf8")) as WycheproofFile<G>;
  const count = file.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (count !== file.numberOfTests) throw new Error(`${name}: ${count} cases, but the header says ${file.numberOfTests}`);
  return file;
}

/** Wycheproof's hash names are ours ("SHA-256"); anything else would be a vector we cannot run. */
export function hashName(sha: string): HashName {
  if (sha === "SHA-256" || sha === "SHA-384" || sha === "SHA-512") return sha;
  throw new Error(`unexpected hash ${sha} in a Wycheproof file`);
}

export const hexBig = (hex: string): bigint => BigInt("0x" + (hex === "" ? "0" : hex));

/**
 * Runs `verify` on every case of the files whose result is `result`, and fails with the cases whose verdict is not
 * `expected`. A throw counts as a wrong verdict, and an unfinished exercise fails as itself.
 */
export function checkCases<G>(
  file: WycheproofFile<G>,
  result: WycheproofCase["result"],
  expected: boolean,
  verify: (group: G, c: WycheproofCase) => boolean,
): number {
  const wrong: string[] = [];
  let count = 0;
  for (const group of file.testGroups) {
    for (const c of group.tests.filter((t) => t.result === result)) {
      count++;
      let verdict: unknown;
      try {
        verdict = verify(group, c);
      } catch (e) {
        if (e instanceof Error && e.name === "NotImplemented") throw e;
        verdict = `a throw (${e instanceof Error ? e.message : String(e)})`;
      }
      if (verdict !== expected) {
        wrong.push(`tcId ${c.tcId} (${c.comment || "no comment"}; ${c.flags.join(", ")}): expected ${expected}, got ${String(verdict)}`);
      }
    }
  }
  expect(count, `no ${result} cases found`).to.be.greaterThan(0);
  expect(wrong, `${wrong.length} of ${count} ${result} cases`).to.deep.equal([]);
  return count;
}

/** Node's names for our hashes. */
const NODE_HASH: Record<HashName, string> = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const HASHES: HashName[] = ["SHA-256", "SHA-384", "SHA-512"];
const HASH_BYTES: Record<HashName, number> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

const b64uBig = (s: string | undefined): bigint => hexBig(Buffer.from(s ?? "", "base64url").toString("hex"));

/** n and e of a Node RSA key, read from its JWK export (OpenSSL's numbers, not ours). */
function rsaPublic(key: crypto.KeyObject): RsaPublicKey {
  const jwk = key.export({ format: "jwk" });
  return { n: b64uBig(jwk.n), e: b64uBig(jwk.e) };
}

/** The SEC 1 uncompressed point 04 || X || Y of a Node EC key, from its JWK export. */
function ecPoint(key: crypto.KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]));
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A copy of `b` with one bit flipped. */
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  out[(bit >> 3) % out.length] ^= 1 << (bit & 7);
  return out;
}

/** Messages of varied lengths, the empty one included. */
const MESSAGES: Uint8Array[] = [new Uint8Array(0), text("abc"), text("tls-by-hand chapter 03"), Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)];

/** Bad inputs made from real signatures, minus any mutation that happens to give back a real signature unchanged. */
function mutatedSignatures(seeds: Uint8Array[], maxRandomLength: number): fc.Arbitrary<Uint8Array> {
  return badInputs(seeds, maxRandomLength).filter((x) => !seeds.some((s) => equalBytes(s, x)));
}

/** A DER INTEGER written by the test, for checking what readEcdsaSignature returns: minimal two's complement. */
function derInteger(x: bigint): Uint8Array {
  let hex = (x < 0n ? -x : x).toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  let bytes = fromHex(hex);
  if (x < 0n) {
    // Two's complement of a negative number: 2^(8·len) + x, with a byte more if the top bit would be clear.
    let len = bytes.length;
    if (-x > 1n << BigInt(8 * len - 1)) len++;
    bytes = fromHex(((1n << BigInt(8 * len)) + x).toString(16).padStart(2 * len, "0"));
  } else if (bytes[0]! >= 0x80) {
    bytes = Uint8Array.of(0, ...bytes);
  }
  return Uint8Array.of(0x02, ...derLength(bytes.length), ...bytes);
}
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let m = n; m > 0; m >>= 8) out.unshift(m & 0xff);
  return [0x80 | out.length, ...out];
}
function derSignature(r: bigint, s: bigint): Uint8Array {
  const body = Uint8Array.of(...derInteger(r), ...derInteger(s));
  return Uint8Array.of(0x30, ...derLength(body.length), ...body);
}

/** Every DER fault is bad_certificate (der.ts), a length that runs past the input included. */
const DER_ALERTS = [AlertDescription.bad_certificate];

// ---------------------------------------------------------------------------------------------------------------

describe("03 signatures", function () {
  // Node (OpenSSL) makes every key once: RSA 2048 with e = 65537, RSA 2048 with e = 3 for the forgery, two
  // moduli of odd bit length (1025 bits: 1 more than a multiple of 8, where PSS's EM is one byte shorter than
  // the signature; 1023 bits), P-256 and P-384.
  let rsa: crypto.KeyPairKeyObjectResult;
  let rsaE3: crypto.KeyPairKeyObjectResult;
  let oddRsa: crypto.KeyPairKeyObjectResult[];
  let ec: Record<EcCurve, crypto.KeyPairKeyObjectResult>;

  before(function () {
    rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    rsaE3 = crypto.generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 });
    oddRsa = [1025, 1023].map((modulusLength) => crypto.generateKeyPairSync("rsa", { modulusLength }));
    ec = {
      "P-256": crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }),
      "P-384": crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }),
    };
  });

  describe("modPow", function () {
    it("03.12 agrees with BigInt ** on random bases (negative too), exponents up to 300 and moduli up to 2^128", function () {
      assertProperty(
        fc.property(
          fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }),
          fc.bigInt({ min: 0n, max: 300n }),
          fc.bigInt({ min: 1n, max: 1n << 128n }),
          (base, exponent, modulus) => {
            const expected = (((base ** exponent) % modulus) + modulus) % modulus;
            expect(modPow(base, exponent, modulus), `${base}^${exponent} mod ${modulus}`).to.equal(expected);
          },
        ),
      );
    });

    it("03.12 handles the edges: exponent 0, modulus 1, base 0, base ≥ modulus, negative base", function () {
      expect(modPow(5n, 0n, 7n), "5^0 mod 7").to.equal(1n);
      expect(modPow(0n, 0n, 7n), "0^0 mod 7 (1 by convention, as BigInt ** says)").to.equal(0n ** 0n % 7n);
      expect(modPow(5n, 0n, 1n), "5^0 mod 1").to.equal(0n);
      expect(modPow(123456789n, 987654321n, 1n), "anything mod 1").to.equal(0n);
      expect(modPow(0n, 5n, 7n), "0^5 mod 7").to.equal(0n);
      expect(modPow(1n, (1n << 4096n) + 1n, 7n), "1^(2^4096+1) mod 7").to.equal(1n);
      expect(modPow(10n, 3n, 7n), "10^3 mod 7: base above the modulus").to.equal(6n);
      expect(modPow(-2n, 3n, 5n), "(−2)^3 mod 5 = −8 mod 5").to.equal(2n);
      expect(modPow(-2n, 2n, 5n), "(−2)^2 mod 5").to.equal(4n);
      expect(modPow(2n, 10n, 1024n), "2^10 mod 2^10").to.equal(0n);
      expect(modPow(3n, 1n, 2n), "3^1 mod 2").to.equal(1n);
    });

    it("03.12 refuses a modulus below 1 and a negative exponent with internal_error", function () {
      expectTlsError(() => modPow(2n, 3n, 0n), { alert: AlertDescription.internal_error });
      expectTlsError(() => modPow(2n, 3n, -7n), { alert: AlertDescription.internal_error });
      expectTlsError(() => modPow(2n, -1n, 7n), { alert: AlertDescription.internal_error });
    });

    it("03.12 computes 2048-bit RSA exactly as OpenSSL's raw RSA does: m^e and c^d mod n (a 2048-bit exponent)", function () {
      const jwk = rsa.privateKey.export({ format: "jwk" });
      const { n, e } = rsaPublic(rsa.publicKey);
      const d = b64uBig(jwk.d);
      const k = 256;
      for (let i = 0; i < 4; i++) {
        const mBytes = crypto.randomBytes(k);
        mBytes[0] = 0; // below n
        const m = hexBig(mBytes.toString("hex"));
        const c = crypto.publicEncrypt({ key: rsa.publicKey, padding: crypto.constants.RSA_NO_PADDING }, mBytes);
        expect(modPow(m, e, n).toString(16), "m^e mod n").to.equal(hexBig(c.toString("hex")).toString(16));
        const back = crypto.privateDecrypt({ key: rsa.privateKey, padding: crypto.constants.RSA_NO_PADDING }, c);
        expect(modPow(hexBig(c.toString("hex")), d, n).toString(16), "c^d mod n").to.equal(hexBig(back.toString("hex")).toString(16));
      }
    });
  });

  describe("RSA PKCS #1 v1.5", function () {
    const file = wycheproof<RsaGroup>("rsa_signature_2048_sha256_test.json");
    const keyOf = (g: RsaGroup): RsaPublicKey => ({ n: hexBig(g.publicKey.modulus), e: hexBig(g.publicKey.publicExponent) });
    const verifyCase = (g: RsaGroup, c: WycheproofCase): boolean => verifyPkcs1v15(keyOf(g), hashName(g.sha), fromHex(c.msg), fromHex(c.sig));

    it("03.13 accepts every valid Wycheproof case (rsa_signature_2048_sha256_test.json)", function () {
      checkCases(file, "valid", true, verifyCase);
    });

    it("03.13 rejects every invalid Wycheproof case (bad padding, BER DigestInfo, wrong hash, s ≥ n, …), returning false", function () {
      checkCases(file, "invalid", false, verifyCase);
    });

    // Wycheproof calls a case "acceptable" when a verifier may go either way. Our policy, per flag:
    //   MissingNull (a DigestInfo whose AlgorithmIdentifier has no NULL parameters): REJECTED. We build one
    //   block, with the DigestInfo RFC 8017 §9.2 Note 1 lists (NULL included), and compare; accepting the other
    //   form would mean building a second block, for signers that have not existed in years.
    // A flag not in this table fails the test, so that a new kind of acceptable case gets a decision.
    const ACCEPTABLE_POLICY: Record<string, boolean> = { MissingNull: false };
    it("03.13 rejects Wycheproof's 'acceptable' cases by policy: MissingNull (DigestInfo without its NULL) is refused", function () {
      const cases = file.testGroups.flatMap((g) => g.tests.filter((t) => t.result === "acceptable").map((c) => ({ g, c })));
      expect(cases.length, "acceptable cases").to.be.greaterThan(0);
      for (const { g, c } of cases) {
        const decided = c.flags.filter((f) => f in ACCEPTABLE_POLICY);
        expect(decided, `tcId ${c.tcId} has flags ${c.flags.join(", ")}, none with a policy`).to.not.be.empty;
        const expected = decided.every((f) => ACCEPTABLE_POLICY[f]);
        expect(verifyCase(g, c), `tcId ${c.tcId} (${c.flags.join(", ")})`).to.equal(expected);
      }
    });

    it("03.13 accepts Node's PKCS #1 v1.5 signatures with SHA-256, SHA-384 and SHA-512, and rejects any one bit flipped", function () {
      const key = rsaPublic(rsa.publicKey);
      for (const hash of HASHES) {
        for (const message of MESSAGES) {
          const sig = u8(crypto.sign(NODE_HASH[hash], message, rsa.privateKey));
          expect(verifyPkcs1v15(key, hash, message, sig), `${hash}, ${message.length}-byte message`).to.equal(true);
          const bit = crypto.randomInt(8 * sig.length);
          expect(verifyPkcs1v15(key, hash, message, flipBit(sig, bit)), `${hash}, signature bit ${bit} flipped`).to.equal(false);
          const other = flipBit(message.length > 0 ? message : Uint8Array.of(0), 0);
          expect(verifyPkcs1v15(key, hash, other, sig), `${hash}, message changed`).to.equal(false);
          const wrongHash = HASHES[(HASHES.indexOf(hash) + 1) % HASHES.length]!;
          expect(verifyPkcs1v15(key, wrongHash, message, sig), `${hash} signature checked as ${wrongHash}`).to.equal(false);
        }
      }
    });

    it("03.13 wants exactly k bytes: the same signature with a 00 in front, or its first byte cut, is refused", function () {
      const key = rsaPublic(rsa.publicKey);
      const sig = u8(crypto.sign("sha256", MESSAGES[1]!, rsa.privateKey));
      expect(verifyPkcs1v15(key, "SHA-256", MESSAGES[1]!, sig), "the signature itself").to.equal(true);
      expect(verifyPkcs1v15(key, "SHA-256", MESSAGES[1]!, Uint8Array.of(0, ...sig)), "k + 1 bytes").to.equal(false);
      expect(verifyPkcs1v15(key, "SHA-256", MESSAGES[1]!, sig.slice(1)), "k − 1 bytes").to.equal(false);
      expect(verifyPkcs1v15(key, "SHA-256", MESSAGES[1]!, new Uint8Array(0)), "no bytes").to.equal(false);
    });

    it("03.13 refuses a signature whose leading 00 byte was dropped (k − 1 bytes, the same integer)", function () {
      // s < n, so about one signature in 64 of a 1023-bit key starts with a 00 byte. Without it the bytes still
      // spell the same number: only the length check of RFC 8017 §8.2.2 step 1 tells the two apart.
      const pair = oddRsa[1]!;
      const key = rsaPublic(pair.publicKey);
      let found: { message: Uint8Array; sig: Uint8Array } | undefined;
      for (let i = 0; i < 5000 && found === undefined; i++) {
        const message = text(`message ${i}`);
        const sig = u8(crypto.sign("sha256", message, pair.privateKey));
        if (sig[0] === 0) found = { message, sig };
      }
      if (found === undefined) throw new Error("no signature starting with 00 in 5000 tries");
      expect(verifyPkcs1v15(key, "SHA-256", found.message, found.sig), "the whole signature").to.equal(true);
      expect(crypto.verify("sha256", found.message, pair.publicKey, found.sig.slice(1)), "OpenSSL, 00 dropped").to.equal(false);
      expect(verifyPkcs1v15(key, "SHA-256", found.message, found.sig.slice(1)), "00 dropped").to.equal(false);
    });

    it("03.13 verifies with moduli of odd bit length (1025 and 1023 bits), as Node signs", function () {
      for (const pair of oddRsa) {
        const key = rsaPublic(pair.publicKey);
        for (const message of MESSAGES) {
          const sig = u8(crypto.sign("sha256", message, pair.privateKey));
          expect(verifyPkcs1v15(key, "SHA-256", message, sig), `${key.n.toString(2).length}-bit key`).to.equal(true);
          expect(verifyPkcs1v15(key, "SHA-256", message, flipBit(sig, 7)), `${key.n.toString(2).length}-bit key, bit flipped`).to.equal(false);
        }
      }
    });

    it("03.13 rejects Bleichenbacher's e = 3 forgery, which a parsing verifier accepts and OpenSSL refuses", function () {
      const key = rsaPublic(rsaE3.publicKey);
      expect(key.e, "Node made an e = 3 key").to.equal(3n);
      const message = text("pay Mallory 1000 EUR");
      // A genuine signature first: every verifier here agrees on it, so the disagreement below is about the forgery.
      const genuine = u8(crypto.sign("sha256", message, rsaE3.privateKey));
      expect(lenientVerifyPkcs1v15(key, "SHA-256", message, genuine), "lenient verifier, genuine signature").to.equal(true);
      expect(verifyPkcs1v15(key, "SHA-256", message, genuine), "verifyPkcs1v15, genuine signature").to.equal(true);
      for (const m of [message, text("another message"), new Uint8Array(0)]) {
        const forged = forgePkcs1v15E3(key, "SHA-256", m);
        expect(lenientVerifyPkcs1v15(key, "SHA-256", m, forged), "the forgery fools the lenient verifier").to.equal(true);
        expect(crypto.verify("sha256", m, rsaE3.publicKey, forged), "OpenSSL: it is a forgery").to.equal(false);
        expect(verifyPkcs1v15(key, "SHA-256", m, forged), "verifyPkcs1v15 must refuse the forgery").to.equal(false);
      }
    });

    it("03.13 returns false, never throws, for random and mutated signatures", function () {
      const key = rsaPublic(rsa.publicKey);
      const message = MESSAGES[2]!;
      const seeds = HASHES.map((h) => u8(crypto.sign(NODE_HASH[h], message, rsa.privateKey)));
      const fullLength = fc.uint8Array({ minLength: 256, maxLength: 256 });
      assertProperty(
        fc.property(fc.oneof(mutatedSignatures(seeds, 300), fullLength), fc.constantFrom(...HASHES), (sig, hash) => {
          expect(verifyPkcs1v15(key, hash, message, sig), `signature ${toHex(sig.subarray(0, 16))}…`).to.equal(false);
        }),
      );
    });
  });

  describe("RSA-PSS", function () {
    const file = wycheproof<PssGroup>("rsa_pss_2048_sha256_mgf1_32_test.json");
    const verifyCase = (g: PssGroup, c: WycheproofCase): boolean => {
      if (g.mgf !== "MGF1") throw new Error(`unexpected mask generation function ${g.mgf}`);
      const key = { n: hexBig(g.publicKey.modulus), e: hexBig(g.publicKey.publicExponent) };
      return verifyPss(key, hashName(g.sha), fromHex(c.msg), fromHex(c.sig), g.sLen, hashName(g.mgfSha));
    };
    const PSS = crypto.constants.RSA_PKCS1_PSS_PADDING;

    it("03.14 accepts every valid Wycheproof case (rsa_pss_2048_sha256_mgf1_32_test.json: SHA-256, MGF1-SHA-256, salt 32)", function () {
      checkCases(file, "valid", true, verifyCase);
    });

    it("03.14 rejects every invalid Wycheproof case (modified padding, PKCS #1 v1.5 signatures, …), returning false", function () {
      checkCases(file, "invalid", false, verifyCase);
    });

    it("03.14 accepts Node's SHA-256 PSS signatures with salt lengths 0, 20, 32 and 64, and refuses a wrong salt length", function () {
      const key = rsaPublic(rsa.publicKey);
      for (const saltLength of [0, 20, 32, 64]) {
        for (const message of MESSAGES) {
          const sig = u8(crypto.sign("sha256", message, { key: rsa.privateKey, padding: PSS, saltLength }));
          expect(verifyPss(key, "SHA-256", message, sig, saltLength), `salt ${saltLength}, ${message.length}-byte message`).to.equal(true);
          for (const wrong of [saltLength + 1, saltLength === 0 ? 32 : saltLength - 1]) {
            expect(verifyPss(key, "SHA-256", message, sig, wrong), `signed with salt ${saltLength}, checked with ${wrong}`).to.equal(false);
          }
          expect(verifyPss(key, "SHA-256", message, flipBit(sig, 100), saltLength), `salt ${saltLength}, bit flipped`).to.equal(false);
        }
      }
    });

    it("03.14 accepts Node's PSS signatures with SHA-384 and SHA-512 (MGF1 with the same hash, salt = hash length)", function () {
      const key = rsaPublic(rsa.publicKey);
      for (const hash of ["SHA-384", "SHA-512"] as const) {
        for (const message of MESSAGES) {
          const saltLength = HASH_BYTES[hash];
          const sig = u8(crypto.sign(NODE_HASH[hash], message, { key: rsa.privateKey, padding: PSS, saltLength }));
          expect(verifyPss(key, hash, message, sig, saltLength), `${hash}, ${message.length}-byte message`).to.equal(true);
          expect(verifyPss(key, "SHA-256", message, sig, saltLength), `${hash} signature checked as SHA-256`).to.equal(false);
          const other = flipBit(message.length > 0 ? message : Uint8Array.of(0), 3);
          expect(verifyPss(key, hash, other, sig, saltLength), `${hash}, message changed`).to.equal(false);
        }
      }
    });

    it("03.14 honours an MGF1 hash other than the message hash (Node rsa-pss key: SHA-256, MGF1-SHA-512, salt 32)", function () {
      const pair = crypto.generateKeyPairSync("rsa-pss", { modulusLength: 2048, hashAlgorithm: "sha256", mgf1HashAlgorithm: "sha512" });
      // Node exports no JWK for rsa-pss keys. Its SubjectPublicKeyInfo ends with RSAPublicKey's two INTEGERs:
      // 02 82 01 01 00 <256 bytes of n> 02 03 01 00 01 (e = 65537) for a 2048-bit key.
      const spki = u8(pair.publicKey.export({ type: "spki", format: "der" }));
      const tail = spki.subarray(spki.length - 5 - 256 - 5);
      expect(toHex(tail.subarray(0, 5)) + " … " + toHex(tail.subarray(261)), "the end of the SPKI").to.equal("0282010100 … 0203010001");
      const key = { n: hexBig(toHex(tail.subarray(5, 261))), e: 65537n };
      const message = MESSAGES[2]!;
      const sig = u8(crypto.sign("sha256", message, { key: pair.privateKey, padding: PSS, saltLength: 32 }));
      expect(crypto.verify("sha256", message, { key: pair.publicKey, padding: PSS, saltLength: 32 }, sig), "Node's own check").to.equal(true);
      expect(verifyPss(key, "SHA-256", message, sig, 32, "SHA-512"), "MGF1 with SHA-512").to.equal(true);
      expect(verifyPss(key, "SHA-256", message, sig, 32), "MGF1 defaulting to SHA-256").to.equal(false);
    });

    it("03.14 verifies with moduli of odd bit length: 1025 bits (EM one byte shorter than k) and 1023 bits", function () {
      for (const pair of oddRsa) {
        const key = rsaPublic(pair.publicKey);
        const bits = key.n.toString(2).length;
        for (const saltLength of [0, 32]) {
          for (const message of MESSAGES) {
            const sig = u8(crypto.sign("sha256", message, { key: pair.privateKey, padding: PSS, saltLength }));
            expect(verifyPss(key, "SHA-256", message, sig, saltLength), `${bits}-bit key, salt ${saltLength}`).to.equal(true);
            expect(verifyPss(key, "SHA-256", message, flipBit(sig, 9), saltLength), `${bits}-bit key, bit flipped`).to.equal(false);
          }
        }
      }
    });

    it("03.14 refuses a block with a bit set above emBits, signed with OpenSSL's raw RSA private operation", function () {
      // EM has emBits = modBits − 1 bits: for a 2048-bit key its top bit must be 0 (§9.1.2 step 6). Take a genuine
      // PSS block, set that bit, and have OpenSSL raise it to d (RSA_NO_PADDING): a signature of exactly that block.
      const key = rsaPublic(rsa.publicKey);
      const raw = { padding: crypto.constants.RSA_NO_PADDING };
      // OpenSSL's 2048-bit moduli are above 0x90·2^2040 (both primes have their top two bits set), so one block in
      // eight or more stays below n with the bit set: 400 tries find three, except with negligible probability.
      let tried = 0;
      for (let i = 0; tried < 3 && i < 400; i++) {
        const message = text(`block ${i}`);
        const sig = crypto.sign("sha256", message, { key: rsa.privateKey, padding: PSS, saltLength: 32 });
        const em = crypto.publicEncrypt({ key: rsa.publicKey, ...raw }, sig);
        expect(em[0]! & 0x80, "a genuine block's top bit").to.equal(0);
        em[0]! |= 0x80;
        if (hexBig(em.toString("hex")) >= key.n) continue; // the block must stay below n to be signed
        tried++;
        const bad = u8(crypto.privateDecrypt({ key: rsa.privateKey, ...raw }, em));
        expect(crypto.verify("sha256", message, { key: rsa.publicKey, padding: PSS, saltLength: 32 }, bad), "OpenSSL").to.equal(false);
        expect(verifyPss(key, "SHA-256", message, bad, 32), "top bit of EM set").to.equal(false);
      }
      expect(tried, "blocks with the top bit set that stay below n").to.equal(3);
    });

    it("03.14 returns false, never throws, for random and mutated signatures and any salt length", function () {
      const key = rsaPublic(rsa.publicKey);
      const message = MESSAGES[2]!;
      const seeds = [0, 20, 32].map((saltLength) => u8(crypto.sign("sha256", message, { key: rsa.privateKey, padding: PSS, saltLength })));
      const fullLength = fc.uint8Array({ minLength: 256, maxLength: 256 });
      assertProperty(
        fc.property(fc.oneof(mutatedSignatures(seeds, 300), fullLength), fc.constantFrom(0, 20, 32, 64, 222, 223, 300), (sig, saltLength) => {
          expect(verifyPss(key, "SHA-256", message, sig, saltLength), `salt ${saltLength}, signature ${toHex(sig.subarray(0, 16))}…`).to.equal(false);
        }),
      );
    });
  });

  describe("ECDSA", function () {
    const file = wycheproof<EcdsaGroup>("ecdsa_secp256r1_sha256_test.json");
    const verifyCase = (g: EcdsaGroup, c: WycheproofCase): boolean => {
      if (g.publicKey.curve !== "secp256r1") throw new Error(`unexpected curve ${g.publicKey.curve}`);
      return verifyEcdsa("P-256", fromHex(g.publicKey.uncompressed), hashName(g.sha), fromHex(c.msg), fromHex(c.sig));
    };
    const CURVES: EcCurve[] = ["P-256", "P-384"];

    it("03.15 accepts every valid Wycheproof case (ecdsa_secp256r1_sha256_test.json, DER signatures)", function () {
      checkCases(file, "valid", true, verifyCase);
    });

    it("03.15 rejects every invalid Wycheproof case (BER encodings, r or s out of range, wrong values, …), returning false", function () {
      checkCases(file, "invalid", false, verifyCase);
    });

    it("03.15 readEcdsaSignature refuses every BER variant and broken encoding in Wycheproof with a TlsError", function () {
      const all = file.testGroups.flatMap((g) => g.tests);
      const ber = all.filter((c) => c.flags.includes("BerEncodedSignature"));
      const broken = all.filter((c) => c.flags.includes("InvalidEncoding"));
      expect(ber.length, "BerEncodedSignature cases").to.be.greaterThan(0);
      expect(broken.length, "InvalidEncoding cases").to.be.greaterThan(0);
      // Long-form or zero-padded lengths, indefinite length: well-formed BER, but never DER (X.690 §10.1).
      for (const c of ber) expectTlsError(() => readEcdsaSignature(fromHex(c.sig)), { alert: AlertDescription.bad_certificate });
      for (const c of broken) {
        let thrown: unknown;
        try {
          readEcdsaSignature(fromHex(c.sig));
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `tcId ${c.tcId} (${c.comment}) must not decode`).to.not.equal(undefined);
        checkTlsError(thrown, fromHex(c.sig), DER_ALERTS);
      }
    });

    it("03.15 reads Wycheproof's MissingZero case as a negative s (valid DER for a negative number), which verifyEcdsa refuses", function () {
      const group = file.testGroups.find((g) => g.tests.some((c) => c.flags.includes("MissingZero")))!;
      const c = group.tests.find((t) => t.flags.includes("MissingZero"))!;
      // DER INTEGERs are two's complement: an s whose top bit is set needs a 00 in front to stay positive.
      expect(readEcdsaSignature(fromHex(c.sig)).s < 0n, `tcId ${c.tcId}: s without its leading 00 is negative`).to.equal(true);
      expect(verifyCase(group, c), `tcId ${c.tcId}`).to.equal(false);
    });

    it("03.15 accepts Node's P-256 and P-384 signatures with SHA-256, SHA-384 and SHA-512 (DER), and refuses tampering", function () {
      for (const curve of CURVES) {
        const point = ecPoint(ec[curve].publicKey);
        const otherPoint = ecPoint(ec[curve === "P-256" ? "P-384" : "P-256"].publicKey);
        for (const hash of HASHES) {
          for (const message of MESSAGES) {
            const sig = u8(crypto.sign(NODE_HASH[hash], message, { key: ec[curve].privateKey, dsaEncoding: "der" }));
            const what = `${curve} with ${hash}, ${message.length}-byte message`;
            expect(verifyEcdsa(curve, point, hash, message, sig), what).to.equal(true);
            const other = flipBit(message.length > 0 ? message : Uint8Array.of(0), 5);
            expect(verifyEcdsa(curve, point, hash, other, sig), `${what}, message changed`).to.equal(false);
            const wrongHash = HASHES[(HASHES.indexOf(hash) + 1) % HASHES.length]!;
            expect(verifyEcdsa(curve, point, wrongHash, message, sig), `${what}, checked as ${wrongHash}`).to.equal(false);
            expect(verifyEcdsa(curve, otherPoint, hash, message, sig), `${what}, the other curve's key`).to.equal(false);
          }
        }
      }
    });

    it("03.15 readEcdsaSignature gives the r and s that Node's IEEE P1363 form (r || s) of the same signature verifies with", function () {
      for (const curve of CURVES) {
        const size = curve === "P-256" ? 32 : 48;
        for (let i = 0; i < 64; i++) {
          const message = crypto.randomBytes(i);
          const der = u8(crypto.sign("sha256", message, { key: ec[curve].privateKey, dsaEncoding: "der" }));
          const { r, s } = readEcdsaSignature(der);
          expect(r > 0n && s > 0n, `${curve}: r and s are positive`).to.equal(true);
          const p1363 = Buffer.from(r.toString(16).padStart(2 * size, "0") + s.toString(16).padStart(2 * size, "0"), "hex");
          expect(p1363.length, `${curve}: r and s fit in ${size} bytes each`).to.equal(2 * size);
          const ok = crypto.verify("sha256", message, { key: ec[curve].publicKey, dsaEncoding: "ieee-p1363" }, p1363);
          expect(ok, `${curve}: Node verifies r || s read from ${toHex(der)}`).to.equal(true);
        }
      }
    });

    it("03.15 readEcdsaSignature throws only a TlsError on random and mutated DER, and returns only for exact DER", function () {
      const seeds = CURVES.map((curve) => u8(crypto.sign("sha256", MESSAGES[1]!, { key: ec[curve].privateKey, dsaEncoding: "der" })));
      onlyTlsErrors(readEcdsaSignature, badInputs(seeds, 120), {
        alerts: DER_ALERTS,
        // DER has one encoding per value: whatever it accepts must be the test's own encoding of (r, s).
        also: ({ r, s }, input) => expectBytes(derSignature(r, s), input, "the test's DER encoding of the (r, s) read, against the input accepted"),
      });
    });

    it("03.15 verifyEcdsa returns false, never throws, for random and mutated signatures and public keys", function () {
      const message = MESSAGES[1]!;
      const sigs = CURVES.map((curve) => u8(crypto.sign("sha256", message, { key: ec[curve].privateKey, dsaEncoding: "der" })));
      const points = CURVES.map((curve) => ecPoint(ec[curve].publicKey));
      assertProperty(
        fc.property(fc.constantFrom(0, 1), mutatedSignatures(sigs, 120), (i, sig) => {
          expect(verifyEcdsa(CURVES[i]!, points[i]!, "SHA-256", message, sig), `signature ${toHex(sig)}`).to.equal(false);
        }),
        NUM_RUNS / 2,
      );
      assertProperty(
        fc.property(fc.constantFrom(0, 1), mutatedSignatures(points, 100), (i, point) => {
          expect(verifyEcdsa(CURVES[i]!, point, "SHA-256", message, sigs[i]!), `public key ${toHex(point)}`).to.equal(false);
        }),
        NUM_RUNS / 2,
      );
    });
  });
});
