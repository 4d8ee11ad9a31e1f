// ECDSA signature verification on P-256 and P-384: we read the DER signature and hash the message; noble does
// the curve arithmetic. Read RFC 3279 §2.2.3 (Ecdsa-Sig-Value), RFC 5758 §3.2 (ecdsa-with-SHA256/384/512),
// FIPS 186-4 §6.4 (verification: the range of r and s, the leftmost bits of the hash) and RFC 8446 §4.2.3.
import { p256, p384 } from "@noble/curves/nist.js";
import { ByteReader } from "../../lib/bytes.js";
import { isTlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { Tag, derError, readElement, readInteger } from "./der.js";
import { type HashName, digest } from "./hashes.js";
import { bigIntToBytes } from "./rsa.js";

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
  // EXERCISE 03.15: read one SEQUENCE (readElement with Tag.SEQUENCE on a ByteReader over `der`), inside it two
  // INTEGERs with readInteger (which already refuses non-minimal DER), and refuse any byte left over, inside
  // the SEQUENCE or after it: derError(field, offset, message). Strictness is the point: a verifier that also
  // takes BER variants (long-form lengths, padded integers, trailing bytes) accepts many encodings of one
  // signature, which breaks anything that identifies a signature by its bytes. Do not check the range of r
  // and s here; verifyEcdsa does. (RFC 3279 §2.2.3, X.690 §10)
  const reader = new ByteReader(der);
  const body = readElement(reader, Tag.SEQUENCE, "Ecdsa-Sig-Value");
  const r = readInteger(body, "r");
  const s = readInteger(body, "s");
  if (body.remaining !== 0) throw derError("Ecdsa-Sig-Value", body.offset, `${body.remaining} byte(s) after s inside the SEQUENCE`);
  if (reader.remaining !== 0) throw derError("Ecdsa-Sig-Value", reader.offset, `${reader.remaining} byte(s) after the SEQUENCE`);
  return { r, s };
  // END 03.15
}

/**
 * True only if `signature` (DER) is a valid ECDSA signature of `message`, hashed with `hash`, under
 * `publicKey`, a SEC 1 point (04 || X || Y) on `curve`. Never throws on a bad signature or key: the caller
 * wants a verdict.
 */
export function verifyEcdsa(curve: EcCurve, publicKey: Uint8Array, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  // EXERCISE 03.15: decode with readEcdsaSignature; a TlsError there means "not a signature": return false (let
  // any other error through). r and s must both lie in 1 … n−1 (n = CURVE_ORDER[curve]); r = s = 0 passed in
  // Java once and any message "verified" (CVE-2022-21449). Hash the message with `hash`, which need not match
  // the curve (ecdsa-with-SHA384 on a P-256 key is legal; ECDSA then uses the hash's leftmost bits, and noble
  // does that). Give noble r || s, each bigIntToBytes(…, CURVE_BYTES[curve]), and call
  // CURVES[curve].verify(rs, hashBytes, publicKey, { prehash: false, lowS: false }): prehash false because we
  // hashed, lowS false because X.509 and TLS accept both s and n − s. A throw from noble (a point not on the
  // curve) is false too. (FIPS 186-4 §6.4, RFC 5758 §3.2)
  let sig: EcdsaSignature;
  try {
    sig = readEcdsaSignature(signature);
  } catch (e) {
    if (isTlsError(e)) return false;
    throw e;
  }
  const n = CURVE_ORDER[curve];
  if (sig.r <= 0n || sig.r >= n || sig.s <= 0n || sig.s >= n) return false;
  const size = CURVE_BYTES[curve];
  const compact = concat(bigIntToBytes(sig.r, size), bigIntToBytes(sig.s, size));
  try {
    return CURVES[curve].verify(compact, digest(hash, message), publicKey, { prehash: false, lowS: false });
  } catch {
    return false;
  }
  // END 03.15
}
