// The server's half of RSA key exchange: decrypt the ClientKeyExchange with the private key (using the Chinese
// Remainder Theorem, as every real implementation does), then check the padding WITHOUT telling anyone the
// result: on any failure the server carries on with a random premaster. Read RFC 8017 §3.2 (the private key),
// §5.1.2 (RSADP), §7.2.2 (RSAES-PKCS1-V1_5-DECRYPT) and Appendix A.1.2, RFC 5208 §5 (PKCS #8), and above all
// RFC 5246 §7.4.7.1, which says why a TLS server must not follow §7.2.2 to the letter.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError, isTlsError } from "../../lib/errors.js";
import {
  Oid,
  PKCS1_BLOCK_START,
  PKCS1_SEPARATOR,
  type RsaPublicKey,
  Tag,
  bigIntToBytes,
  bytesToBigInt,
  modPow,
  modulusLength,
  peekTag,
  readAny,
  readElement,
  readInteger,
  readNull,
  readOctetString,
  readOid,
  readTopLevel,
} from "../03-certificates/index.js";
import { PREMASTER_LENGTH } from "./premaster.js";
import { PKCS1_BLOCK_TYPE_ENCRYPTION, PKCS1_ENCRYPTION_OVERHEAD } from "./rsa-encrypt.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * An RSA private key in the form RFC 8017 §3.2 calls the "quintuple": besides n, e and the private exponent d,
 * the two primes and three numbers precomputed from them, so that decryption can work modulo p and q separately.
 *   dp = d mod (p − 1),  dq = d mod (q − 1),  qinv = q^(−1) mod p
 */
export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
}

/** PKCS #8 PrivateKeyInfo versions: v1 is 0 (RFC 5208 §5), v2 is 1 (RFC 5958 §2, OneAsymmetricKey). */
const PKCS8_VERSIONS = [0n, 1n];
/** RSAPrivateKey version 0 is a two-prime key; 1 has otherPrimeInfos (RFC 8017 Appendix A.1.2), not used by TLS servers. */
const RSA_KEY_TWO_PRIME = 0n;

/** A server's own key that does not read is the server's problem, not the peer's: internal_error. */
function keyError(message: string, where: { field?: string; offset?: number } = { field: "private key" }): TlsError {
  return new TlsError(AlertDescription.internal_error, message, where);
}

/**
 *   RSAPrivateKey ::= SEQUENCE {
 *       version           Version,
 *       modulus           INTEGER,  -- n
 *       publicExponent    INTEGER,  -- e
 *       privateExponent   INTEGER,  -- d
 *       prime1            INTEGER,  -- p
 *       prime2            INTEGER,  -- q
 *       exponent1         INTEGER,  -- d mod (p-1)
 *       exponent2         INTEGER,  -- d mod (q-1)
 *       coefficient       INTEGER,  -- (inverse of q) mod p
 *       otherPrimeInfos   OtherPrimeInfos OPTIONAL
 *   }                                                     RFC 8017 Appendix A.1.2
 */
function readRsaPrivateKeyBody(der: Uint8Array): RsaPrivateKey {
  const key = readTopLevel(der, Tag.SEQUENCE, "RSAPrivateKey");
  if (readInteger(key, "RSAPrivateKey version") !== RSA_KEY_TWO_PRIME) throw keyError("only two-prime RSA keys (version 0) are supported");
  const n = readInteger(key, "modulus");
  const e = readInteger(key, "publicExponent");
  const d = readInteger(key, "privateExponent");
  const p = readInteger(key, "prime1");
  const q = readInteger(key, "prime2");
  const dp = readInteger(key, "exponent1");
  const dq = readInteger(key, "exponent2");
  const qinv = readInteger(key, "coefficient");
  key.end("RSAPrivateKey");
  // Decryption trusts these numbers blindly, and a wrong one gives wrong plaintexts rather than an error.
  // Checking that they belong together costs a few multiplications.
  const one = (x: bigint, m: bigint) => x % m === 1n;
  const consistent =
    p > 1n && q > 1n && p * q === n && e > 1n && d > 0n &&
    dp === d % (p - 1n) && dq === d % (q - 1n) && one(e * dp, p - 1n) && one(e * dq, q - 1n) && one(qinv * q, p) && qinv < p;
  if (!consistent) throw keyError("the key's numbers do not fit together (n = p·q, dp, dq, qinv)");
  return { n, e, d, p, q, dp, dq, qinv };
}

/**
 * Reads an RSA private key from DER: a PKCS #8 PrivateKeyInfo ("-----BEGIN PRIVATE KEY-----", what OpenSSL 3
 * and Node write by default) or a bare PKCS #1 RSAPrivateKey ("-----BEGIN RSA PRIVATE KEY-----").
 *
 *   PrivateKeyInfo ::= SEQUENCE {
 *       version                   Version,               -- 0
 *       privateKeyAlgorithm       AlgorithmIdentifier,   -- rsaEncryption, parameters NULL
 *       privateKey                OCTET STRING,          -- the RSAPrivateKey's DER
 *       attributes           [0]  IMPLICIT Attributes OPTIONAL }          RFC 5208 §5
 *
 * Both start with SEQUENCE { INTEGER version, …; what comes next tells them apart: an AlgorithmIdentifier
 * (SEQUENCE) in PKCS #8, the modulus (INTEGER) in PKCS #1. Every failure is internal_error.
 */
export function readRsaPrivateKey(der: Uint8Array): RsaPrivateKey {
  try {
    const outer = readTopLevel(der, Tag.SEQUENCE, "private key");
    const version = readInteger(outer, "version");
    if (peekTag(outer) !== Tag.SEQUENCE) return readRsaPrivateKeyBody(der); // PKCS #1: the modulus follows
    if (!PKCS8_VERSIONS.includes(version)) throw keyError(`PrivateKeyInfo version ${version}, expected 0 or 1`);
    const algorithm = readElement(outer, Tag.SEQUENCE, "privateKeyAlgorithm");
    const oid = readOid(algorithm, "privateKeyAlgorithm");
    if (oid !== Oid.rsaEncryption) throw keyError(`not an RSA key (algorithm ${oid}); RSA key exchange needs rsaEncryption`);
    readNull(algorithm, "privateKeyAlgorithm parameters");
    algorithm.end("privateKeyAlgorithm");
    const inner = readOctetString(outer, "privateKey");
    // attributes [0] and (PKCS #8 v2) publicKey [1] may follow; decryption needs neither.
    while (outer.remaining > 0) readAny(outer, "PrivateKeyInfo trailing field");
    return readRsaPrivateKeyBody(inner);
  } catch (e) {
    // The DER readers of chapter 03 say bad_certificate, which fits a peer's certificate, not our own key file.
    if (isTlsError(e) && e.alertName !== "internal_error") throw keyError(e.detail, { field: e.field, offset: e.offset });
    throw e;
  }
}

/** x mod m in 0 … m−1 (JavaScript's % keeps the sign of x). */
function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/**
 * RSADP (RFC 8017 §5.1.2) with the CRT quintuple, step 2b: the k-byte block EM inside `ciphertext`, with no
 * padding check at all. The ciphertext must be exactly k bytes and, as a number, below n.
 */
export function rsaDecryptCrt(key: RsaPrivateKey, ciphertext: Uint8Array): Uint8Array {
  // TODO 04.4: k = modulusLength(key). A ciphertext that is not k bytes, or whose number c is not below n
  // ("ciphertext representative out of range", §5.1.2 step 1), is a TlsError decrypt_error naming the field
  // "ciphertext". Then step 2b: m1 = c^dp mod p, m2 = c^dq mod q (modPow), h = (m1 − m2)·qinv mod p — keep h in
  // 0 … p−1 even when m1 < m2 (the `mod` helper above) — and m = m2 + q·h. Return bigIntToBytes(m, k), which
  // keeps the leading 00 of a padded block. (RFC 8017 §5.1.2 step 2b, i–iv)
  throw new NotImplemented("04.4");
  // END 04.4
}

/**
 * 1 when the byte is zero, 0 otherwise, without an `if`: b − 1 is negative only for b = 0, and the arithmetic
 * shift turns "negative" into all ones. (JavaScript promises nothing about timing; see decryptPremaster.)
 */
export function isZeroByte(b: number): number {
  return ((b - 1) >> 8) & 1;
}

/**
 * The TLS server's RSA decryption (RFC 5246 §7.4.7.1). Always returns 48 bytes and never throws for anything a
 * client can send: the real premaster when the block is well formed, otherwise fresh random bytes, so that
 * nothing the server does reveals which case it was.
 *
 * `clientVersion` is the version from the ClientHello the client sent (not the negotiated one).
 *
 * Why so careful? RFC 8017 §7.2.2 tells a decryptor to say "decryption error" when the padding is wrong.
 * Bleichenbacher (CRYPTO 1998) showed that a server which lets that answer show (a different alert, an earlier
 * hang-up, a different timing) is an oracle: multiplying a recorded ciphertext c by chosen s^e and asking "does
 * this start 00 02?" a few thousand to a few million times narrows the plaintext down to one number, the
 * premaster of a connection someone recorded. So TLS swallows the answer: with a bad block the server goes on
 * with a random premaster, and the failure shows up only at Finished, looking like every other failure.
 * The same oracle kept coming back through side channels: ROBOT (2017) found it in many servers' alerts and
 * timeouts, and Marvin (2023) in the timing of the decryption and padding check themselves, in most libraries.
 * Node's answer was to refuse PKCS #1 v1.5 private decryption altogether (CVE-2023-46809): `privateDecrypt` with
 * RSA_PKCS1_PADDING now throws. This code has the right shape (random first, every byte checked, one result
 * chosen at the end), but JavaScript's BigInt and JIT make no timing promises: a teaching server, not a
 * production one.
 */
export function decryptPremaster(
  key: RsaPrivateKey,
  encrypted: Uint8Array,
  clientVersion: number,
  random: (n: number) => Uint8Array = randomBytes,
): Uint8Array {
  // TODO 04.5: follow RFC 5246 §7.4.7.1 in its order. 1. R = random(PREMASTER_LENGTH), before looking at
  // the ciphertext (a source that does not return 48 bytes is internal_error). 2. A ciphertext that is not k bytes
  // or not below n, or a key shorter than 48 + 11 bytes: return R (public facts, no secret to hide). Else
  // EM = rsaDecryptCrt. 3. EM is good only if EM[0] = 00, EM[1] = 02, EM[2 … k−50] (the padding) holds no
  // zero byte and EM[k−49] = 00 — the separator exactly there is what makes M = EM[k−48 …] exactly 48 bytes.
  // Check EVERY byte (no early return: isZeroByte, |), then return, byte by byte, good ?
  // (clientVersion as 2 bytes || M[2 … 47]) : R. Never compare M's own version bytes: overwrite them.
  // Never throw, never return early on bad padding. (RFC 5246 §7.4.7.1 steps 1–3)
  throw new NotImplemented("04.5");
  // END 04.5
}
