// The hybrid groups of draft-ietf-tls-ecdhe-mlkem: one key_share that carries an ML-KEM-768 part and an ECDH part side
// by side, and one shared secret made of both. How the bytes are laid out, and in which order, is all this file does.
// Read draft-ietf-tls-ecdhe-mlkem §3 (Construction: client share, server share, shared secret) and §6 (code points).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, NamedGroup, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { MLKEM768 } from "./kem.js";
import { NotImplemented } from "../../lib/errors.js";

/** How one hybrid group lays out its parts. */
export interface HybridLayout {
  group: number;
  name: string;
  /** The classical half: a group chapters 01 and 05 already do (X25519 or P-256). */
  ecdhGroup: number;
  /** Its public value on the wire: 32 bytes for X25519, 65 for an uncompressed P-256 point (RFC 8446 §4.2.8.2). */
  ecdhShareLength: number;
  /** Its shared secret: 32 bytes either way (the X25519 output; P-256's x coordinate, RFC 8446 §7.4.2). */
  ecdhSecretLength: number;
  /**
   * True when the ML-KEM part comes first, in both shares and in the shared secret. X25519MLKEM768 puts ML-KEM first
   * so that the first secret is a FIPS-approved one (§3: "for historical reasons" the name reads the other way round);
   * SecP256r1MLKEM768 puts the ECDH part first, since P-256 is FIPS-approved itself.
   */
  mlkemFirst: boolean;
}

/** draft-ietf-tls-ecdhe-mlkem §6 (IANA): the two hybrids with ML-KEM-768. */
export const HYBRID_GROUPS: readonly HybridLayout[] = [
  { group: NamedGroup.X25519MLKEM768, name: "X25519MLKEM768", ecdhGroup: NamedGroup.x25519, ecdhShareLength: 32, ecdhSecretLength: 32, mlkemFirst: true },
  { group: NamedGroup.SecP256r1MLKEM768, name: "SecP256r1MLKEM768", ecdhGroup: NamedGroup.secp256r1, ecdhShareLength: 65, ecdhSecretLength: 32, mlkemFirst: false },
];

/** True for a group whose key share is a hybrid (and so needs this chapter's code, not chapter 05's ECDHE). */
export function isHybrid(group: number): boolean {
  return HYBRID_GROUPS.some((h) => h.group === group);
}

/** The layout of a hybrid group; any other group here is our own bug (internal_error). */
export function hybridLayout(group: number): HybridLayout {
  const layout = HYBRID_GROUPS.find((h) => h.group === group);
  if (layout === undefined) {
    throw new TlsError(AlertDescription.internal_error, `${describeCode(NamedGroup, group)} is not a hybrid group`, { field: "group" });
  }
  return layout;
}

/** The two halves of a hybrid value: a key share, or the shared secret. */
export interface HybridParts {
  /** The client's ML-KEM-768 encapsulation key, the server's ciphertext, or the ML-KEM shared secret. */
  mlkem: Uint8Array;
  /** The ECDH public value, or the ECDH shared secret. */
  ecdh: Uint8Array;
}

/** Which share: the client's holds an encapsulation key, the server's a ciphertext. */
export type ShareSide = "client" | "server";

/** The size of the ML-KEM part of a share. */
export function mlkemShareLength(side: ShareSide): number {
  return side === "client" ? MLKEM768.encapsulationKey : MLKEM768.ciphertext;
}

/**
 * Cuts a hybrid key_exchange into its ML-KEM and ECDH parts (draft-ietf-tls-ecdhe-mlkem §3.1–§3.2). The peer sent it,
 * so a wrong size is the peer's fault: illegal_parameter, field "key_exchange", saying what was expected.
 */
export function splitShare(group: number, side: ShareSide, keyExchange: Uint8Array): HybridParts {
  // TODO 12.1: the layout of the group's share. hybridLayout(group) gives the ECDH part's length and which part
  // comes first; mlkemShareLength(side) the ML-KEM part's (1184 for the client's encapsulation key, 1088 for the
  // server's ciphertext). Any other total length: illegalParameter("key_exchange", …) naming the group, the side, the
  // expected and the received length (X25519MLKEM768: client 1216, server 1120; SecP256r1MLKEM768: 1249 and 1153),
  // at the offset where the share ends too soon or goes on too long.
  // Then slice at the boundary: X25519MLKEM768 is ML-KEM ‖ X25519, SecP256r1MLKEM768 is P-256 point ‖ ML-KEM.
  throw new NotImplemented("12.1");
  // END 12.1
}

/** Lays out our own share (the reverse of splitShare); parts of the wrong size are our own bug (internal_error). */
export function joinShare(group: number, side: ShareSide, parts: HybridParts): Uint8Array {
  // TODO 12.1: check both parts' lengths (the ML-KEM part mlkemShareLength(side), the ECDH part the layout's
  // ecdhShareLength; else TlsError internal_error, field "key_exchange": we made them) and concatenate them in the
  // group's order.
  throw new NotImplemented("12.1");
  // END 12.1
}

/**
 * The shared secret of a hybrid group: both secrets, concatenated in the group's order (draft-ietf-tls-ecdhe-mlkem
 * §3.3), 64 bytes. It goes into the key schedule exactly where an (EC)DHE secret would (RFC 8446 §7.1): HKDF-Extract
 * then mixes both, so the keys stay secret as long as EITHER half is unbroken.
 */
export function combineSecrets(group: number, parts: HybridParts): Uint8Array {
  // TODO 12.2: X25519MLKEM768: ML-KEM secret ‖ X25519 secret; SecP256r1MLKEM768: P-256 secret ‖ ML-KEM secret
  // (the layout's mlkemFirst). Each half must be exactly its size (MLKEM768.sharedSecret, the layout's
  // ecdhSecretLength), else TlsError internal_error, field "shared secret": a short half would weaken the whole.
  throw new NotImplemented("12.2");
  // END 12.2
}
