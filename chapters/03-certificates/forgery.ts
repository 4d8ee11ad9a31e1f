// Why 03.13 builds the expected block instead of reading the one it got: a verifier that parses the PKCS #1 v1.5
// padding, as several did until 2006, accepts signatures that anyone can make for a key with e = 3, no private
// key needed (Bleichenbacher's forgery, CVE-2006-4339). Given code for the notebook and the tests: never use
// lenientVerifyPkcs1v15 for anything else. Read RFC 8017 §8.2.2 Note and §9.2.
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat, equalBytes } from "../../lib/hex.js";
import { DIGEST_INFO_PREFIX, HASH_LENGTH, type HashName, digest } from "./hashes.js";
import {
  PKCS1_BLOCK_START,
  PKCS1_BLOCK_TYPE_SIGNATURE,
  PKCS1_PADDING_BYTE,
  PKCS1_SEPARATOR,
  type RsaPublicKey,
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  modPow,
  modulusLength,
} from "./rsa.js";

/**
 * A deliberately BROKEN PKCS #1 v1.5 verifier, written the way the vulnerable ones were: it reads the block
 * from the left (00, 01, some FF bytes, 00, the DigestInfo, the hash) and stops as soon as it has found the
 * hash. It never asks whether the hash ends exactly at the end of the block, so whatever follows the hash is
 * never looked at. Compare verifyPkcs1v15, which has no such gap: it builds the one valid block and compares
 * every byte.
 */
export function lenientVerifyPkcs1v15(key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  const k = modulusLength(key);
  if (signature.length !== k) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const em = bigIntToBytes(modPow(s, key.e, key.n), k);
  let at = 0;
  if (em[at++] !== PKCS1_BLOCK_START || em[at++] !== PKCS1_BLOCK_TYPE_SIGNATURE) return false;
  // The padding is "FF bytes until a 00": one FF is as good as two hundred here. That is the first mistake.
  if (em[at] !== PKCS1_PADDING_BYTE) return false;
  while (at < k && em[at] === PKCS1_PADDING_BYTE) at++;
  if (at >= k || em[at++] !== PKCS1_SEPARATOR) return false;
  // The DigestInfo must name the right hash, and the hash must match…
  const prefix = DIGEST_INFO_PREFIX[hash];
  if (!equalBytes(em.subarray(at, at + prefix.length), prefix)) return false;
  at += prefix.length;
  const found = em.subarray(at, at + HASH_LENGTH[hash]);
  // …and that is all. The second mistake: nothing checks that `at + HASH_LENGTH` is k. The bytes after the hash
  // (with one FF, more than half the block) may be anything at all.
  return equalBytes(found, digest(hash, message));
}

/** The smallest integer whose cube is at least x (x ≥ 0), by Newton's method on BigInt. */
function cubeRootCeil(x: bigint): bigint {
  if (x < 2n) return x;
  // Start above the root (2^⌈bits/3⌉ cubed is at least 2^bits > x); from above, Newton's steps fall
  // monotonically to ⌊∛x⌋ and stop there.
  let y = 1n << BigInt(Math.ceil(bitLength(x) / 3));
  for (;;) {
    const next = (2n * y + x / (y * y)) / 3n;
    if (next >= y) break;
    y = next;
  }
  return y * y * y === x ? y : y + 1n;
}

/**
 * Bleichenbacher's 2006 forgery against lenient verifiers, for any key with e = 3: a "signature" of `message`
 * made from the public key alone. RSA verification computes s³ mod n. If s³ is smaller than n, there is no
 * reduction at all: s³ is just a cube of an ordinary integer. So we want a block that begins
 *     00 01 FF 00 || DigestInfo || H(message)
 * (what a lenient verifier reads) and then has room for garbage (what it never reads), and an integer s whose
 * cube lands inside that range. Take the smallest block of that shape (garbage all 00) and round its cube root
 * up: s³ exceeds the block by about 3·s², a number with two thirds of the block's bits, which stays inside the
 * garbage if the garbage spans more than two thirds of the block. With SHA-256, the 55 fixed bytes fit in a
 * 2048-bit key's top third (85 bytes); SHA-512's 87 do not, and need a 3072-bit key. A strict verifier sees at
 * once that the block is not 00 01 FF…FF 00 T.
 */
export function forgePkcs1v15E3(key: RsaPublicKey, hash: HashName, message: Uint8Array): Uint8Array {
  if (key.e !== 3n) {
    throw new TlsError(AlertDescription.internal_error, `the cube-root forgery needs e = 3, this key has e = ${key.e}`, { field: "e" });
  }
  const k = modulusLength(key);
  const wanted = concat(
    Uint8Array.of(PKCS1_BLOCK_START, PKCS1_BLOCK_TYPE_SIGNATURE, PKCS1_PADDING_BYTE, PKCS1_SEPARATOR),
    DIGEST_INFO_PREFIX[hash],
    digest(hash, message),
  );
  const garbage = k - wanted.length;
  if (garbage <= 0) {
    throw new TlsError(AlertDescription.internal_error, `a ${k}-byte key has no room for the forged block`, { field: "k" });
  }
  const lowest = bytesToBigInt(wanted) << BigInt(8 * garbage); // the block with garbage 00 00 … 00
  const highest = lowest + (1n << BigInt(8 * garbage)) - 1n; //   the block with garbage FF FF … FF
  const s = cubeRootCeil(lowest);
  if (s * s * s > highest) {
    throw new TlsError(AlertDescription.internal_error, `${8 * k} bits leave too little garbage to absorb the cube root for ${hash}`, {
      field: "k",
    });
  }
  // s³ < 2^(8k − 15) < n, so the verifier's "s³ mod n" is s³ itself: the block we aimed for.
  return bigIntToBytes(s, k);
}
