// ECDHE: the same exchange as finite-field DH, on an elliptic curve. Our key pair comes from chapter 01's
// makeKeyPair; the server's public value from its ServerKeyExchange; noble does the curve arithmetic. What is ours
// to get right is which inputs to refuse and which bytes are the premaster secret.
// Read RFC 8422 §5.10 and §5.11 (the premaster), RFC 7748 §5 and §6.1 (X25519), SEC 1 §2.3.3–2.3.4 (points).
import { x25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { AlertDescription, NamedGroup, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";

/** X25519 keys and shared secrets are 32 bytes (RFC 7748 §5). */
export const X25519_KEY_LENGTH = 32;
/** A P-256 coordinate, and a P-256 private key, is 32 bytes. */
export const P256_COORDINATE_LENGTH = 32;
/** A P-384 coordinate, and a P-384 private key, is 48 bytes. */
export const P384_COORDINATE_LENGTH = 48;
/** SEC 1 §2.3.3: an uncompressed point is 04 || x || y. */
export const UNCOMPRESSED_POINT = 0x04;
export const P256_POINT_LENGTH = 1 + 2 * P256_COORDINATE_LENGTH;
export const P384_POINT_LENGTH = 1 + 2 * P384_COORDINATE_LENGTH;

/** The NIST curves we do ECDHE on (RFC 8422 §5.1.1), by NamedGroup: noble's curve, its name, its coordinate size. */
export const NIST_CURVES: ReadonlyMap<number, { curve: typeof p256; name: string; coordinateLength: number }> = new Map([
  [NamedGroup.secp256r1, { curve: p256, name: "P-256", coordinateLength: P256_COORDINATE_LENGTH }],
  [NamedGroup.secp384r1, { curve: p384, name: "P-384", coordinateLength: P384_COORDINATE_LENGTH }],
]);

/** Our own key is wrong: a bug on our side, not the peer's. */
function checkPrivateKey(privateKey: Uint8Array, length: number, group: number): void {
  if (privateKey.length !== length) {
    const message = `a ${describeCode(NamedGroup, group)} private key is ${length} bytes, got ${privateKey.length}`;
    throw new TlsError(AlertDescription.internal_error, message, { field: "private key" });
  }
}

/**
 * The premaster secret of an ECDHE handshake with our private key and the peer's public value, on `group`
 * (x25519, secp256r1 or secp384r1). Throws illegal_parameter for a group we did not offer or a public value we must
 * refuse.
 */
export function ecdhePremaster(group: number, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  // EXERCISE 05.6: the ECDHE premaster, refusing bad points. x25519: the peer's value must be 32 bytes
  // (illegal_parameter "point"); the premaster is x25519.getSharedSecret(privateKey, peerPublic), all 32 bytes (RFC
  // 8422 §5.11). If it is all zeros the peer sent a low-order point that fixes the result whatever our key:
  // illegal_parameter (RFC 7748 §6.1, RFC 8422 §5.11). noble already refuses the known low-order points by throwing:
  // turn that into illegal_parameter too. secp256r1 and secp384r1 (NIST_CURVES has each one's noble curve and sizes):
  // the peer's point must be uncompressed, 1 + 2 × coordinate bytes starting 04 (we offered only the uncompressed
  // format, RFC 8422 §5.1.2), else illegal_parameter. curve.getSharedSecret(privateKey, peerPublic, true) checks that
  // the point is on the curve and throws if not (illegal_parameter: a point off the curve is the "invalid curve"
  // attack on our private key); it returns the shared point compressed, 02/03 || x, and the premaster is x alone
  // (RFC 8422 §5.10). Any other group: illegal_parameter "namedcurve" (we offered only these). A private key of the
  // wrong length is our own bug: checkPrivateKey (internal_error).
  if (group === NamedGroup.x25519) {
    checkPrivateKey(privateKey, X25519_KEY_LENGTH, group);
    if (peerPublic.length !== X25519_KEY_LENGTH) {
      throw illegalParameter("point", `an X25519 public key is ${X25519_KEY_LENGTH} bytes, got ${peerPublic.length}`);
    }
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(privateKey, peerPublic);
    } catch {
      throw illegalParameter("point", "the X25519 public key is a point of low order: the shared secret would be all zeros");
    }
    // noble refuses low-order points before computing, but the check that RFC 7748 §6.1 describes is this one,
    // on the result, and it does not depend on any library's list of bad points.
    if (shared.every((b) => b === 0)) throw illegalParameter("point", "the X25519 shared secret is all zeros (RFC 7748 §6.1)");
    return shared;
  }
  const nist = NIST_CURVES.get(group);
  if (nist !== undefined) {
    const { curve, name, coordinateLength } = nist;
    checkPrivateKey(privateKey, coordinateLength, group);
    const pointLength = 1 + 2 * coordinateLength;
    if (peerPublic.length !== pointLength || peerPublic[0] !== UNCOMPRESSED_POINT) {
      const first = peerPublic.length === 0 ? "nothing" : `0x${peerPublic[0]!.toString(16).padStart(2, "0")}`;
      const got = `${peerPublic.length} bytes starting ${first}`;
      throw illegalParameter("point", `expected an uncompressed ${name} point (${pointLength} bytes starting 04), got ${got}`);
    }
    let shared: Uint8Array;
    try {
      shared = curve.getSharedSecret(privateKey, peerPublic, true);
    } catch {
      throw illegalParameter("point", `the ${name} public key is not a point on the curve`);
    }
    return shared.slice(1);
  }
  throw illegalParameter("namedcurve", `${describeCode(NamedGroup, group)} is not a curve we offered`);
  // END 05.6
}
