// The server signs. Chapter 03 checked signatures; here the other side makes them: RSA-PSS in BigInt, with the
// private key's CRT numbers as chapter 04's decryption used them (and a check of every signature before it goes out,
// because a single fault in a CRT computation gives the key away), and ECDSA with noble doing the curve arithmetic
// while we write the DER it travels in. Read RFC 8017 §8.1.1 (RSASSA-PSS-SIGN), §9.1.1 (EMSA-PSS-ENCODE) and §5.2.1
// (RSASP1), RFC 3279 §2.2.3 (Ecdsa-Sig-Value), X.690 §8.3 (INTEGER) and RFC 8446 §4.2.3 (the schemes).
import { p256, p384 } from "@noble/curves/nist.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import {
  CURVE_BYTES,
  CURVE_ORDER,
  type EcCurve,
  type EcdsaSignature,
  HASH_LENGTH,
  type HashName,
  PSS_PREFIX_ZEROS,
  PSS_SEPARATOR,
  PSS_TRAILER,
  Tag,
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  digest,
  mgf1,
  modPow,
  modulusBits,
  modulusLength,
} from "../03-certificates/index.js";
import { type RsaPrivateKey, rsaDecryptCrt } from "../04-rsa-key-exchange/index.js";

/** A fault the signer caught in its own result: a bug or broken hardware, never the peer's doing. */
function signError(field: string, message: string): TlsError {
  return new TlsError(AlertDescription.internal_error, message, { field });
}

/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1): the emLen-byte block whose RSA signature is a PSS signature of `message`.
 * `emBits` is modBits − 1; `salt` the random salt (TLS 1.3 uses one as long as the hash, RFC 8446 §4.2.3).
 */
export function emsaPssEncode(hash: HashName, message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  // EXERCISE 10.7: the steps of §9.1.1 (chapter 03's verifyPss undid them). emLen = ⌈emBits/8⌉, hLen = HASH_LENGTH.
  // emLen < hLen + salt.length + 2 is an "encoding error": internal_error. mHash = H(message); M' = 8 zero bytes
  // (PSS_PREFIX_ZEROS) || mHash || salt; H = H(M'). DB = (emLen − salt.length − hLen − 2) zero bytes || PSS_SEPARATOR
  // (0x01) || salt. maskedDB = DB XOR mgf1(hash, H, DB.length); clear the top 8·emLen − emBits bits of maskedDB[0]
  // (so that the block, read as a number, stays below the modulus). EM = maskedDB || H || PSS_TRAILER (0xbc).
  const hLen = HASH_LENGTH[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) {
    throw signError("EMSA-PSS", `a ${emLen}-byte block has no room for a ${hLen}-byte hash and a ${salt.length}-byte salt`);
  }
  const h = digest(hash, concat(new Uint8Array(PSS_PREFIX_ZEROS), digest(hash, message), salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = PSS_SEPARATOR;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(hash, h, db.length);
  const maskedDb = db.map((b, i) => b ^ mask[i]!);
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  return concat(maskedDb, h, Uint8Array.of(PSS_TRAILER));
  // END 10.7
}

/**
 * RSASP1 (RFC 8017 §5.2.1) by the CRT, checked: the k-byte signature s = m^d mod n of the k-byte encoded block `em`
 * (a PSS block here; chapter 11's PKCS #1 v1.5 block too). The private-key operation is the same computation as
 * RSADP: chapter 04's rsaDecryptCrt does it. The result is verified with the public exponent before it may leave.
 */
export function rsaSignCrt(key: RsaPrivateKey, em: Uint8Array): Uint8Array {
  // EXERCISE 10.8: s = rsaDecryptCrt(key, em): m^d mod n by the CRT, as in chapter 04. Then CHECK it before it leaves:
  // s^e mod n must give m = bytesToBigInt(em) back (modPow with the public exponent), else internal_error, field
  // "signature", and nothing sent. A CRT signature computed with one fault (a flipped bit in m1 or m2, a glitch) is
  // right modulo one prime and wrong modulo the other, and then gcd(s^e − m, n) is that prime: one bad signature gives
  // the key away (Boneh, DeMillo and Lipton, 1997). Return s, k bytes.
  const signature = rsaDecryptCrt(key, em);
  if (modPow(bytesToBigInt(signature), key.e, key.n) !== bytesToBigInt(em)) {
    throw signError("signature", "the RSA signature does not verify with our own public key: a fault in the CRT computation; not sent");
  }
  return signature;
  // END 10.8
}

/**
 * RSASSA-PSS-SIGN (RFC 8017 §8.1.1) with MGF1 on the same hash: the k-byte signature of `message`.
 */
export function signRsaPss(key: RsaPrivateKey, hash: HashName, message: Uint8Array, salt: Uint8Array = randomBytes(HASH_LENGTH[hash])): Uint8Array {
  // EXERCISE 10.8: EM = emsaPssEncode(hash, message, modulusBits(key) − 1, salt), which is ⌈(modBits − 1)/8⌉ bytes:
  // one byte shorter than the modulus when modBits − 1 is a multiple of 8. As a number m = OS2IP(EM) (bytesToBigInt),
  // written back as k = modulusLength(key) bytes (I2OSP, bigIntToBytes), it is what rsaSignCrt signs.
  const k = modulusLength(key);
  const m = bytesToBigInt(emsaPssEncode(hash, message, modulusBits(key) - 1, salt));
  return rsaSignCrt(key, bigIntToBytes(m, k));
  // END 10.8
}

/** A DER length (X.690 §8.1.3): one byte below 128, else 0x80 + the number of length bytes, then those bytes. */
function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes = bigIntToBytes(BigInt(length), Math.ceil(bitLength(BigInt(length)) / 8));
  return concat(Uint8Array.of(0x80 | bytes.length), bytes);
}

/**
 * The Ecdsa-Sig-Value that TLS carries (RFC 3279 §2.2.3), strictly DER:
 *   Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
 */
export function encodeEcdsaSignature(sig: EcdsaSignature): Uint8Array {
  // EXERCISE 10.9: r and s must be positive (else internal_error, field "signature"). Each INTEGER is Tag.INTEGER,
  // a DER length (derLength above), and the number's minimal big-endian bytes (bigIntToBytes with ⌈bits/8⌉ bytes),
  // with one 00 byte in front when the top bit of the first byte is set: a DER INTEGER is two's complement, and
  // without the 00 a 256-bit r would read as negative (X.690 §8.3.3). The SEQUENCE is Tag.SEQUENCE, a length, and
  // the two INTEGERs. Chapter 03's readEcdsaSignature must read back exactly what you wrote.
  const integer = (x: bigint, name: string): Uint8Array => {
    if (x <= 0n) throw signError("signature", `${name} must be positive, got ${x}`);
    let bytes = bigIntToBytes(x, Math.ceil(bitLength(x) / 8));
    if (bytes[0]! >= 0x80) bytes = concat(Uint8Array.of(0), bytes);
    return concat(Uint8Array.of(Tag.INTEGER), derLength(bytes.length), bytes);
  };
  const body = concat(integer(sig.r, "r"), integer(sig.s, "s"));
  return concat(Uint8Array.of(Tag.SEQUENCE), derLength(body.length), body);
  // END 10.9
}

const CURVES = { "P-256": p256, "P-384": p384 } as const;

/** An ECDSA signature of `message` hashed with `hash`, by the private scalar `d` on `curve`, as DER. */
export function signEcdsa(curve: EcCurve, d: Uint8Array, hash: HashName, message: Uint8Array): Uint8Array {
  // EXERCISE 10.9: hash the message yourself (digest) and let noble sign the hash: CURVES[curve].sign(hash, d,
  // { prehash: false, extraEntropy: true }) returns r || s, CURVE_BYTES[curve] bytes each. extraEntropy mixes fresh
  // randomness into noble's deterministic nonce (RFC 6979 §3.6): a fault during a purely deterministic signing can
  // leak the key as a CRT fault does. Split r and s (bytesToBigInt), check each lies in 1 … n − 1 (CURVE_ORDER; else
  // internal_error), and return encodeEcdsaSignature({ r, s }).
  const size = CURVE_BYTES[curve];
  const compact = CURVES[curve].sign(digest(hash, message), d, { prehash: false, extraEntropy: true });
  const r = bytesToBigInt(compact.subarray(0, size));
  const s = bytesToBigInt(compact.subarray(size, 2 * size));
  const n = CURVE_ORDER[curve];
  if (r <= 0n || r >= n || s <= 0n || s >= n) throw signError("signature", "noble returned r or s outside 1 … n − 1");
  return encodeEcdsaSignature({ r, s });
  // END 10.9
}
