// The three hash functions that certificate and TLS signatures use (SHA-2, FIPS 180-4, computed by noble), and
// the DigestInfo prefixes that an RSA PKCS #1 v1.5 signature puts in front of the hash to name it.
// Read RFC 8017 §9.2 (EMSA-PKCS1-v1_5) and its Note 1, where these prefixes are listed.
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";

/** The hashes a signature may use, named as in the Wycheproof files and WebCrypto. */
export type HashName = "SHA-256" | "SHA-384" | "SHA-512";

/** Output length in bytes (FIPS 180-4 §1: 256, 384 and 512 bits). */
export const HASH_LENGTH: Record<HashName, number> = {
  "SHA-256": 32,
  "SHA-384": 48,
  "SHA-512": 64,
};

/** The hash of `data` with the named SHA-2 function. */
export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  switch (hash) {
    case "SHA-256":
      return sha256(data);
    case "SHA-384":
      return sha384(data);
    case "SHA-512":
      return sha512(data);
  }
  // Only reachable from untyped code (a notebook cell, JSON): a name we do not know is our caller's bug.
  throw new TlsError(AlertDescription.internal_error, `unknown hash ${String(hash)}`, { field: "hash" });
}

// A PKCS #1 v1.5 signature does not sign the bare hash: it signs a DigestInfo that says which hash it is
// (RFC 8017 §9.2 step 2), so a signature made with one hash cannot be passed off as one made with another.
//   DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
// For a given hash everything but the digest itself is fixed, so the DER encoding is a constant prefix
// followed by the hash bytes. The three prefixes below are the ones RFC 8017 §9.2 Note 1 lists.

/**
 * SHA-256, 19 bytes, followed by the 32 hash bytes:
 *   30 31                                  SEQUENCE, 49 bytes follow (DigestInfo)
 *      30 0d                               SEQUENCE, 13 bytes (AlgorithmIdentifier)
 *         06 09 60 86 48 01 65 03 04 02 01    OBJECT IDENTIFIER 2.16.840.1.101.3.4.2.1 (id-sha256)
 *         05 00                               NULL (the parameters)
 *      04 20                               OCTET STRING, 32 bytes: the hash comes next
 */
export const DIGEST_INFO_SHA256 = Uint8Array.of(
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
);

/**
 * SHA-384, 19 bytes, followed by the 48 hash bytes:
 *   30 41                                  SEQUENCE, 65 bytes follow (DigestInfo)
 *      30 0d                               SEQUENCE, 13 bytes (AlgorithmIdentifier)
 *         06 09 60 86 48 01 65 03 04 02 02    OBJECT IDENTIFIER 2.16.840.1.101.3.4.2.2 (id-sha384)
 *         05 00                               NULL
 *      04 30                               OCTET STRING, 48 bytes
 */
export const DIGEST_INFO_SHA384 = Uint8Array.of(
  0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
);

/**
 * SHA-512, 19 bytes, followed by the 64 hash bytes:
 *   30 51                                  SEQUENCE, 81 bytes follow (DigestInfo)
 *      30 0d                               SEQUENCE, 13 bytes (AlgorithmIdentifier)
 *         06 09 60 86 48 01 65 03 04 02 03    OBJECT IDENTIFIER 2.16.840.1.101.3.4.2.3 (id-sha512)
 *         05 00                               NULL
 *      04 40                               OCTET STRING, 64 bytes
 */
export const DIGEST_INFO_SHA512 = Uint8Array.of(
  0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
);

/** The DigestInfo prefix for each hash: DIGEST_INFO_PREFIX[hash] || H(message) is the T of RFC 8017 §9.2. */
export const DIGEST_INFO_PREFIX: Record<HashName, Uint8Array> = {
  "SHA-256": DIGEST_INFO_SHA256,
  "SHA-384": DIGEST_INFO_SHA384,
  "SHA-512": DIGEST_INFO_SHA512,
};
