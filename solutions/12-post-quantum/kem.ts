// ML-KEM-768 (FIPS 203), the post-quantum half of the hybrid key share, as three calls and their sizes. A finished
// helper, not an exercise: the lattice arithmetic is @noble/post-quantum's; what this chapter builds is how TLS carries
// a KEM beside Diffie-Hellman. Read FIPS 203 §7 (ML-KEM.KeyGen, Encaps, Decaps) and its Table 3 (the sizes).
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";

/**
 * A KEM (key encapsulation mechanism) is not a Diffie-Hellman: the two sides do different things.
 *   client: keyGen() → an encapsulation key (public, sent) and a decapsulation key (kept)
 *   server: encapsulate(encapsulation key) → a ciphertext (sent back) and a shared secret
 *   client: decapsulate(ciphertext, decapsulation key) → the same shared secret
 * The sizes of ML-KEM-768, FIPS 203 Table 3 (k = 3).
 */
export const MLKEM768 = {
  encapsulationKey: 1184,
  decapsulationKey: 2400,
  ciphertext: 1088,
  sharedSecret: 32,
  /** KeyGen's randomness: d ‖ z, 32 bytes each (FIPS 203 §7.1, ML-KEM.KeyGen_internal). */
  seed: 64,
  /** Encaps's randomness m (FIPS 203 §7.2). */
  message: 32,
} as const;

export interface MlKemKeyPair {
  encapsulationKey: Uint8Array;
  decapsulationKey: Uint8Array;
}

/** ML-KEM-768 key generation; `seed` (d ‖ z) makes it deterministic, for known-answer tests only. */
export function mlkemKeyGen(seed?: Uint8Array): MlKemKeyPair {
  const { publicKey, secretKey } = ml_kem768.keygen(seed);
  return { encapsulationKey: publicKey, decapsulationKey: secretKey };
}

/**
 * The server's step: a fresh shared secret and the ciphertext that carries it to the holder of `encapsulationKey`.
 * FIPS 203 §7.2 first checks the key (its length, and that every 12-bit coefficient is below q = 3329: the
 * "modulus check"); a key that fails is the peer's fault: illegal_parameter (draft-ietf-tls-ecdhe-mlkem §3.2).
 * `message` (m) makes it deterministic, for known-answer tests only.
 */
export function mlkemEncapsulate(encapsulationKey: Uint8Array, message?: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (encapsulationKey.length !== MLKEM768.encapsulationKey) {
    throw illegalParameter("encapsulation key", `an ML-KEM-768 encapsulation key is ${MLKEM768.encapsulationKey} bytes, got ${encapsulationKey.length}`, 0);
  }
  const bad = firstCoefficientOverQ(encapsulationKey);
  if (bad !== undefined) {
    const where = `coefficient ${bad.index} (bytes ${bad.offset}–${bad.offset + 2}) is ${bad.value}`;
    throw illegalParameter("encapsulation key", `the ML-KEM-768 encapsulation key fails the modulus check of FIPS 203 §7.2: ${where}, not below q = ${Q}`, bad.offset);
  }
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(encapsulationKey, message);
    return { ciphertext: cipherText, sharedSecret };
  } catch (e) {
    throw illegalParameter("encapsulation key", `noble refused the ML-KEM-768 encapsulation key: ${(e as Error).message}`, 0);
  }
}

/** ML-KEM's modulus: every coefficient of a polynomial is a number mod q (FIPS 203 §2.3). */
const Q = 3329;
/** The encapsulation key is k = 3 polynomials of 256 coefficients, 12 bits each (384·k bytes), then the 32-byte seed ρ. */
const EK_POLYNOMIAL_BYTES = 384 * 3;

/**
 * The modulus check of FIPS 203 §7.2: ByteEncode12(ByteDecode12(ek)) = ek holds exactly when every 12-bit coefficient
 * is below q. Three bytes hold two coefficients, little-endian: b0 | (b1 & 0x0f) << 8 and b1 >> 4 | b2 << 4.
 * Returns the first coefficient that is not, with where its bytes start.
 */
function firstCoefficientOverQ(ek: Uint8Array): { index: number; offset: number; value: number } | undefined {
  for (let offset = 0; offset < EK_POLYNOMIAL_BYTES; offset += 3) {
    const [b0, b1, b2] = [ek[offset]!, ek[offset + 1]!, ek[offset + 2]!];
    const pair = [b0 | ((b1 & 0x0f) << 8), (b1 >> 4) | (b2 << 4)];
    for (let i = 0; i < 2; i++) if (pair[i]! >= Q) return { index: (offset / 3) * 2 + i, offset, value: pair[i]! };
  }
  return undefined;
}

/**
 * The client's step: the shared secret inside `ciphertext`. A ciphertext that was tampered with does NOT throw: ML-KEM
 * then returns a pseudo-random secret derived from z ("implicit rejection", FIPS 203 §6.3), and the handshake fails
 * later, at the server's Finished. A wrong length is the peer's fault (illegal_parameter); anything else ours.
 */
export function mlkemDecapsulate(ciphertext: Uint8Array, decapsulationKey: Uint8Array): Uint8Array {
  if (ciphertext.length !== MLKEM768.ciphertext) {
    throw illegalParameter("ciphertext", `an ML-KEM-768 ciphertext is ${MLKEM768.ciphertext} bytes, got ${ciphertext.length}`, 0);
  }
  try {
    return ml_kem768.decapsulate(ciphertext, decapsulationKey);
  } catch (e) {
    // draft-ietf-tls-ecdhe-mlkem §3.2: "If ML-KEM decapsulation fails for any other reason ... internal_error".
    throw new TlsError(AlertDescription.internal_error, `ML-KEM-768 decapsulation failed: ${(e as Error).message}`, { field: "decapsulation key" });
  }
}
