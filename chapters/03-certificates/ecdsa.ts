// ECDSA signature verification on P-256 and P-384: we read the DER signature, hash the message and check the
// verification equation; noble does the curve arithmetic (points, additions, multiplications). Read RFC 3279 §2.2.3
// (Ecdsa-Sig-Value), RFC 5758 §3.2 (ecdsa-with-SHA256/384/512), FIPS 186-4 §6.4 (verification: the range of r and s,
// the leftmost bits of the hash, u1·G + u2·Q) and RFC 8446 §4.2.3.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { p256, p384 } from "@noble/curves/nist.js";
import { ByteReader } from "../../lib/bytes.js";
import { isTlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { Tag, derError, readElement, readInteger } from "./der.js";
import { type HashName, digest } from "./hashes.js";
import { bytesToBigInt, modPow } from "./rsa.js";
import { NotImplemented } from "../../lib/errors.js";

/** The two curves TLS 1.3 certificates commonly use (RFC 8446 §4.2.3: ecdsa_secp256r1_sha256, …_secp384r1_sha384). */
export type EcCurve = "P-256" | "P-384";

/** The order n of each curve's base point (FIPS 186-4 §D.1.2.3 and §D.1.2.4): r and s live in 1 … n−1. */
export const CURVE_ORDER: Record<EcCurve, bigint> = {
  "P-256": 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  "P-384": 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** Bytes in one scalar (r, s) and in one coordinate of a point: 32 for P-256, 48 for P-384. */
export const CURVE_BYTES: Record<EcCurve, number> = {
  "P-256": 32,
  "P-384": 48,
};

/** noble's implementation of each curve. */
const CURVES = { "P-256": p256, "P-384": p384 } as const;

/** An ECDSA signature as X.509 and TLS carry it: two integers. */
export interface EcdsaSignature {
  r: bigint;
  s: bigint;
}

/**
 * Reads an Ecdsa-Sig-Value (RFC 3279 §2.2.3), strictly DER:
 *   Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
 * Throws a TlsError (from der.ts) on anything that is not exactly that.
 */
export function readEcdsaSignature(der: Uint8Array): EcdsaSignature {
  // TODO 03.15: read one SEQUENCE (readElement with Tag.SEQUENCE on a ByteReader over `der`), inside it two
  // INTEGERs with readInteger (which already refuses non-minimal DER), and refuse any byte left over, inside
  // the SEQUENCE or after it: derError(field, offset, message). Strictness is the point: a verifier that also
  // takes BER variants (long-form lengths, padded integers, trailing bytes) accepts many encodings of one
  // signature, which breaks anything that identifies a signature by its bytes. Do not check the range of r
  // and s here; verifyEcdsa does. (RFC 3279 §2.2.3, X.690 §10)
  throw new NotImplemented("03.15");
  // END 03.15
}

/** A point of P-256 or P-384, as noble represents it. */
export type EcPoint = ReturnType<typeof p256.Point.fromBytes>;

/** How many public keys publicPoint remembers (a client meets the same few servers again and again). */
export const POINT_CACHE_SIZE = 16;
/**
 * The window of the table of multiples kept for a key seen twice (noble's wNAF). 8 bits: 33 × 128 points on P-256,
 * about 400 KB, built once in some 20 ms; then u2·Q is 33 additions, where the joint walk without it takes 256
 * doublings and about 100 additions.
 */
export const POINT_WINDOW = 8;

const points = new Map<string, { point: EcPoint; uses: number }>();
const withTable = new WeakSet<EcPoint>();

/**
 * The public key `bytes` (SEC 1: 04 || X || Y) as a point of `curve`; throws if it is not a point of the curve
 * (noble checks the equation). A key seen a second time gets a table of its multiples, which makes the whole check
 * about three times cheaper from then on: the next handshake with the same server checks its signature faster.
 * Given code, not an exercise: a cache, not a rule of ECDSA.
 */
export function publicPoint(curve: EcCurve, bytes: Uint8Array): EcPoint {
  const id = `${curve} ${toHex(bytes)}`;
  let entry = points.get(id);
  if (entry === undefined) {
    entry = { point: CURVES[curve].Point.fromBytes(bytes) as EcPoint, uses: 0 };
    if (points.size >= POINT_CACHE_SIZE) points.delete(points.keys().next().value!);
    points.set(id, entry);
  }
  entry.uses += 1;
  if (entry.uses === 2) {
    entry.point.precompute(POINT_WINDOW);
    withTable.add(entry.point);
  }
  return entry.point;
}

/** u1·G + u2·Q on `curve` (G its base point), by noble; not constant time, which is fine: everything here is public. */
export function mulAddBase(curve: EcCurve, u1: bigint, q: EcPoint, u2: bigint): EcPoint {
  const G = CURVES[curve].Point.BASE as EcPoint;
  // With Q's table, two table walks; without, one joint walk (Strauss–Shamir), the cheaper choice for a new key.
  return withTable.has(q) ? G.multiplyUnsafe(u1).add(q.multiplyUnsafe(u2)) : G.mulAddUnsafe(u1, q, u2);
}

/**
 * True only if `signature` (DER) is a valid ECDSA signature of `message`, hashed with `hash`, under
 * `publicKey`, a SEC 1 point (04 || X || Y) on `curve`. Never throws on a bad signature or key: the caller
 * wants a verdict.
 */
export function verifyEcdsa(curve: EcCurve, publicKey: Uint8Array, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  // TODO 03.15: decode with readEcdsaSignature; a TlsError there means "not a signature": return false (let
  // any other error through). r and s must both lie in 1 … n−1 (n = CURVE_ORDER[curve]); r = s = 0 passed in
  // Java once and any message "verified" (CVE-2022-21449). Q = publicPoint(curve, publicKey) (a throw: not a point
  // of the curve, false). e = the hash of the message with `hash` (which need not match the curve: ecdsa-with-SHA384
  // on a P-256 key is legal) as an integer, cut to its leftmost CURVE_BYTES·8 bits when longer (shift right). Then
  // FIPS 186-4 §6.4.2: w = s⁻¹ mod n (n is prime: modPow(s, n − 2, n), 03.12), u1 = e·w mod n, u2 = r·w mod n,
  // R = mulAddBase(curve, u1, Q, u2); R at infinity (R.is0()) is false; else valid iff R's x (R.toAffine().x)
  // mod n equals r. Both s and n − s pass: X.509 and TLS do not ask for low s. (FIPS 186-4 §6.4, RFC 5758 §3.2)
  throw new NotImplemented("03.15");
  // END 03.15
}
