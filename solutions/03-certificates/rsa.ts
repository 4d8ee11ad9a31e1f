// RSA signature verification with BigInt: the modular power that is the whole of RSA's public operation, then the
// two ways a signature's padding is checked, PKCS #1 v1.5 (certificates, TLS 1.2) and PSS (TLS 1.3's
// CertificateVerify). Read RFC 8017 §4 (I2OSP, OS2IP), §5.2.2 (RSAVP1), §8.1.2 and §9.1.2 (PSS),
// §8.2.2 and §9.2 (PKCS #1 v1.5), and Appendix B.2.1 (MGF1).
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat, equalBytes, fromHex, toHex } from "../../lib/hex.js";
import { DIGEST_INFO_PREFIX, HASH_LENGTH, type HashName, digest } from "./hashes.js";

/** An RSA public key (RFC 8017 §3.1): the modulus n and the public exponent e. */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
}

/** OS2IP (RFC 8017 §4.2): bytes as a big-endian unsigned integer. No bytes is 0. */
export function bytesToBigInt(b: Uint8Array): bigint {
  // BigInt reads hex in one go; a byte-at-a-time loop would be quadratic on a 512-byte signature.
  return b.length === 0 ? 0n : BigInt("0x" + toHex(b));
}

/**
 * I2OSP (RFC 8017 §4.1): a non-negative integer as exactly `length` big-endian bytes, zeros in front.
 * An integer that does not fit ("integer too large") is a bug in our own code: internal_error.
 */
export function bigIntToBytes(x: bigint, length: number): Uint8Array {
  if (x < 0n || !Number.isSafeInteger(length) || length < 0 || bitLength(x) > 8 * length) {
    const what = x < 0n ? "a negative integer" : `an integer of ${bitLength(x)} bits`;
    throw new TlsError(AlertDescription.internal_error, `${what} does not fit in ${length} bytes`, { field: "I2OSP" });
  }
  return length === 0 ? new Uint8Array(0) : fromHex(x.toString(16).padStart(2 * length, "0"));
}

/** How many bits a non-negative integer needs (0 for 0): the "modBits" of RFC 8017 when applied to n. */
export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

/** The modulus length in bits. A "2048-bit key" has n with exactly 2048 bits, the top one set. */
export function modulusBits(key: RsaPublicKey): number {
  return bitLength(key.n);
}

/** k of RFC 8017: the modulus length in bytes, which is also the length of every signature with this key. */
export function modulusLength(key: RsaPublicKey): number {
  return Math.ceil(modulusBits(key) / 8);
}

/** base^exponent mod modulus, for numbers of thousands of bits (RFC 8017 §5.2.2 RSAVP1 is s^e mod n). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  // EXERCISE 03.12: square-and-multiply. Walk the exponent's bits (e & 1n, then e >>= 1n); keep a running square
  // of the base and multiply it into the result where a bit is 1, reducing mod modulus after EVERY product, so
  // no number ever grows past modulus². Never use `**` on the full numbers: s ** e for a 2048-bit exponent has
  // more bits than there are atoms. Reduce the base into 0 … modulus−1 first (it may be negative or larger:
  // JavaScript's % keeps the sign). Exponent 0 gives 1 mod modulus (0 when the modulus is 1). A modulus below 1
  // or a negative exponent is our own bug: TlsError internal_error.
  if (modulus < 1n) throw new TlsError(AlertDescription.internal_error, `modulus must be at least 1, got ${modulus}`, { field: "modulus" });
  if (exponent < 0n) throw new TlsError(AlertDescription.internal_error, `exponent must not be negative, got ${exponent}`, { field: "exponent" });
  let result = 1n % modulus;
  let square = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    // Bit i of the exponent decides whether base^(2^i) is part of the product.
    if ((e & 1n) === 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
  // END 03.12
}

/** The fixed bytes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2 step 5): EM = 00 01 PS 00 T, PS all FF. */
export const PKCS1_BLOCK_START = 0x00;
export const PKCS1_BLOCK_TYPE_SIGNATURE = 0x01;
export const PKCS1_PADDING_BYTE = 0xff;
export const PKCS1_SEPARATOR = 0x00;
/** PS is at least 8 bytes, so EM is at least T + 11 bytes long (RFC 8017 §9.2 step 3). */
export const PKCS1_MIN_PADDING = 8;

/**
 * EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2): the k-byte block that a PKCS #1 v1.5 signature of `message`
 * must open to. Deterministic: for one key, hash and message there is exactly one right block.
 */
export function encodePkcs1v15(hash: HashName, message: Uint8Array, k: number): Uint8Array {
  // EXERCISE 03.13: T = DIGEST_INFO_PREFIX[hash] || H(message) (hashes.ts). If k < T.length + 11 (3 fixed
  // bytes + at least PKCS1_MIN_PADDING bytes of padding) there is no room: TlsError internal_error
  // ("intended encoded message length too short"). Else EM = 00 01 || PS || 00 || T, exactly k bytes, PS being
  // k − T.length − 3 bytes of 0xFF. Use the named constants above. (RFC 8017 §9.2 steps 1–5)
  const t = concat(DIGEST_INFO_PREFIX[hash], digest(hash, message));
  if (k < t.length + PKCS1_MIN_PADDING + 3) {
    throw new TlsError(AlertDescription.internal_error, `a ${k}-byte block has no room for ${t.length} bytes of DigestInfo and the padding`, {
      field: "EMSA-PKCS1-v1_5",
    });
  }
  const em = new Uint8Array(k).fill(PKCS1_PADDING_BYTE);
  em[0] = PKCS1_BLOCK_START;
  em[1] = PKCS1_BLOCK_TYPE_SIGNATURE;
  em[k - t.length - 1] = PKCS1_SEPARATOR;
  em.set(t, k - t.length);
  return em;
  // END 03.13
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2): true only for the one valid signature of `message`. */
export function verifyPkcs1v15(key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  // EXERCISE 03.13: k = modulusLength(key). A signature that is not exactly k bytes is invalid (step 1); so is one
  // whose integer s = OS2IP(signature) is not below n (RSAVP1, §5.2.2). Then m = s^e mod n (modPow) and
  // EM = I2OSP(m, k) (bigIntToBytes). Now BUILD the block you expect with encodePkcs1v15 and compare all k
  // bytes (step 4). Do NOT parse EM (find the 00 after the FFs, read the DigestInfo…): verifiers that parsed
  // were forged (see forgery.ts). A key too short for this hash (k < T.length + 11) cannot carry a valid
  // signature. Every failure returns false; this function never throws on a bad signature.
  const k = modulusLength(key);
  if (signature.length !== k) return false;
  if (k < DIGEST_INFO_PREFIX[hash].length + HASH_LENGTH[hash] + PKCS1_MIN_PADDING + 3) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const em = bigIntToBytes(modPow(s, key.e, key.n), k);
  // The signature, the key and the message are all public, so there is no secret for a timing difference to
  // leak: what matters is that we compare against the ONE block we built, byte for byte, all of it.
  return equalBytes(em, encodePkcs1v15(hash, message, k));
  // END 03.13
}

/** The size of MGF1's counter (RFC 8017 §B.2.1 step 3.A: C = I2OSP(counter, 4)). */
export const MGF1_COUNTER_LENGTH = 4;

/**
 * MGF1 (RFC 8017 §B.2.1): stretches `seed` into `length` bytes of mask by hashing seed || counter for
 * counter = 0, 1, 2, … and joining the outputs.
 */
export function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  // EXERCISE 03.14: T = H(seed || C0) || H(seed || C1) || …, where Ci is the counter i as 4 big-endian bytes
  // (bigIntToBytes(BigInt(i), MGF1_COUNTER_LENGTH)); stop once T has at least `length` bytes and return its first
  // `length` bytes. A length that is negative or above 2^32 · hLen ("mask too long") is our bug: internal_error.
  const hLen = HASH_LENGTH[hash];
  if (!Number.isSafeInteger(length) || length < 0 || length > 2 ** 32 * hLen) {
    throw new TlsError(AlertDescription.internal_error, `cannot make a mask of ${length} bytes`, { field: "MGF1" });
  }
  const out = new Uint8Array(Math.ceil(length / hLen) * hLen);
  for (let counter = 0; counter * hLen < length; counter++) {
    out.set(digest(hash, concat(seed, bigIntToBytes(BigInt(counter), MGF1_COUNTER_LENGTH))), counter * hLen);
  }
  return out.slice(0, length);
  // END 03.14
}

/** The last byte of every PSS block (RFC 8017 §9.1.1 step 12). */
export const PSS_TRAILER = 0xbc;
/** The byte between the zero padding and the salt inside DB (RFC 8017 §9.1.1 step 8). */
export const PSS_SEPARATOR = 0x01;
/** M' starts with eight zero bytes (RFC 8017 §9.1.1 step 5). */
export const PSS_PREFIX_ZEROS = 8;

/**
 * RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2) and MGF1: true only if `signature` is a
 * PSS signature of `message` under `key` with this hash, this salt length and this MGF1 hash.
 */
export function verifyPss(
  key: RsaPublicKey,
  hash: HashName,
  message: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
  mgfHash: HashName = hash,
): boolean {
  // EXERCISE 03.14: as in 03.13, the signature must be k bytes and s < n; m = s^e mod n. But PSS blocks are
  // emBits = modBits − 1 bits long (modulusBits), emLen = ⌈emBits/8⌉ bytes, which is k − 1 when modBits is
  // 1 more than a multiple of 8: then m must fit in emLen bytes. EM = I2OSP(m, emLen). Then §9.1.2 in order, any
  // failure → false: emLen ≥ hLen + saltLength + 2; last byte 0xbc; split EM into maskedDB (emLen − hLen − 1
  // bytes) and H (hLen); the top 8·emLen − emBits bits of maskedDB[0] are zero; DB = maskedDB XOR
  // mgf1(mgfHash, H, its length), clear those top bits again; DB = zeros (emLen − hLen − saltLength − 2 bytes),
  // then 0x01, then the salt (the last saltLength bytes); M' = 8 zero bytes || H(message) || salt; true iff
  // H(M') equals H. Any saltLength the caller gives (0 is fine); never throw on a bad signature.
  const k = modulusLength(key);
  if (signature.length !== k) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const emBits = modulusBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  const m = modPow(s, key.e, key.n);
  if (bitLength(m) > 8 * emLen) return false; // only possible when emLen = k − 1: I2OSP would fail (§8.1.2 step 2c)
  const em = bigIntToBytes(m, emLen);

  const hLen = HASH_LENGTH[hash];
  if (!Number.isSafeInteger(saltLength) || saltLength < 0 || emLen < hLen + saltLength + 2) return false;
  if (em[emLen - 1] !== PSS_TRAILER) return false;
  const dbLength = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLength);
  const h = em.subarray(dbLength, dbLength + hLen);
  // emBits is one less than the modulus, so that EM read as a number is surely below n; the bits of EM above
  // emBits carry nothing and must be zero (steps 6 and 9).
  const keep = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0] & ~keep) !== 0) return false;
  const mask = mgf1(mgfHash, h, dbLength);
  const db = maskedDb.map((b, i) => b ^ mask[i]);
  db[0] &= keep;
  const zeros = emLen - hLen - saltLength - 2;
  for (let i = 0; i < zeros; i++) if (db[i] !== 0) return false;
  if (db[zeros] !== PSS_SEPARATOR) return false;
  const salt = db.subarray(dbLength - saltLength);
  // The salt makes every PSS signature different, so unlike 03.13 there is no single block to build: the check
  // is that H, which the signer computed over the salted message, matches ours.
  const mPrime = concat(new Uint8Array(PSS_PREFIX_ZEROS), digest(hash, message), salt);
  return equalBytes(digest(hash, mPrime), h);
  // END 03.14
}
