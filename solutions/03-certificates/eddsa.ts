// Ed25519 signatures: EdDSA on the twisted Edwards form of Curve25519, in certificates (RFC 8410) and in TLS (the
// scheme ed25519, RFC 8446 §4.2.3). There is no hash to pick and no DER to read: a key is 32 bytes, a signature 64,
// R || S. noble does the curve arithmetic; we check what RFC 8032 asks of the bytes first. Read RFC 8032 §5.1.5
// (keys), §5.1.6 (signing), §5.1.7 (verifying) and §8.4 (malleability), and RFC 8410 §3 and §6.
import { ed25519 } from "@noble/curves/ed25519.js";
import { ED25519_KEY_LENGTH } from "./x509.js";

/** RFC 8032 §5.1.6: a signature is R (an encoded point, 32 bytes) followed by S (an integer, 32 bytes little-endian). */
export const ED25519_SIGNATURE_LENGTH = 64;
/** The length of each half, R and S. */
export const ED25519_HALF_LENGTH = 32;
/**
 * L, the order of the base point B (RFC 8032 §5.1): S must lie in 0 … L−1. An S of L or more verifies on the curve
 * just as S − L would, so accepting it would let anyone turn one valid signature into another (§8.4).
 */
export const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** A little-endian byte string as an integer (RFC 8032 §5.1.2 encodes integers that way, unlike the rest of TLS). */
export function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/**
 * True only if `signature` is a valid Ed25519 signature of `message` (the message itself: PureEdDSA hashes inside)
 * under the 32-byte `publicKey`. Never throws on a bad key or signature: the caller wants a verdict.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  // EXERCISE 03.27: RFC 8032 §5.1.7, strictly. (1) The key is ED25519_KEY_LENGTH bytes and the signature exactly
  // ED25519_SIGNATURE_LENGTH: a truncated signature, or one with bytes after it, is false (not "the first 64 bytes").
  // (2) S, the second half read little-endian (littleEndianToBigInt), must be below ED25519_ORDER (step 1: "If any of
  // the decodings fail (including S being out of range), the signature is invalid"); else anyone could add L to S
  // and get a second valid signature (§8.4); noble checks it too, we keep the rule in sight. (3)
  // ed25519.verify(signature, message, publicKey, { zip215: false }): zip215 false is RFC 8032's strict decoding of R
  // and A (no non-canonical encodings), which TLS and X.509 verifiers agree on. Any throw from noble (a point that
  // does not decode) is false too.
  if (publicKey.length !== ED25519_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  const s = littleEndianToBigInt(signature.subarray(ED25519_HALF_LENGTH));
  if (s >= ED25519_ORDER) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
  // END 03.27
}
