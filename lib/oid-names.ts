// Names for the algorithm OIDs a certificate may carry, the ones this project checks and the ones it does not, so
// that a refusal says what it refuses: "Ed448 (1.3.101.113)", not a bare "1.3.101.113". Only names: nothing here
// knows how to use an algorithm. Each OID is from the RFC beside it.

/** Public-key algorithms, curves and signature algorithms, by name (the names the RFCs give them). */
export const ALGORITHM_OIDS: Readonly<Record<string, string>> = {
  // Public keys (RFC 8017 Appendix A.1, RFC 4055 §3.1, RFC 5480 §2.1.1, RFC 3279 §2.3.2, RFC 8410 §3)
  rsaEncryption: "1.2.840.113549.1.1.1",
  "RSASSA-PSS": "1.2.840.113549.1.1.10",
  ecPublicKey: "1.2.840.10045.2.1",
  DSA: "1.2.840.10040.4.1",
  X25519: "1.3.101.110",
  X448: "1.3.101.111",
  Ed25519: "1.3.101.112",
  Ed448: "1.3.101.113",
  // Named curves (RFC 5480 §2.1.1.1, RFC 5639 §4.1)
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  secp224r1: "1.3.132.0.33",
  secp256k1: "1.3.132.0.10",
  brainpoolP256r1: "1.3.36.3.3.2.8.1.1.7",
  brainpoolP384r1: "1.3.36.3.3.2.8.1.1.11",
  brainpoolP512r1: "1.3.36.3.3.2.8.1.1.13",
  // Signature algorithms (RFC 8017 Appendix A.2.4, RFC 3279 §2.2, RFC 5758 §3, RFC 4055 §5)
  md5WithRSAEncryption: "1.2.840.113549.1.1.4",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  sha224WithRSAEncryption: "1.2.840.113549.1.1.14",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  "ecdsa-with-SHA1": "1.2.840.10045.4.1",
  "ecdsa-with-SHA224": "1.2.840.10045.4.3.1",
  "ecdsa-with-SHA256": "1.2.840.10045.4.3.2",
  "ecdsa-with-SHA384": "1.2.840.10045.4.3.3",
  "ecdsa-with-SHA512": "1.2.840.10045.4.3.4",
  "id-dsa-with-sha1": "1.2.840.10040.4.3",
  "id-dsa-with-sha256": "2.16.840.1.101.3.4.3.2",
  // ML-DSA (FIPS 204; draft-ietf-lamps-dilithium-certificates)
  "ML-DSA-44": "2.16.840.1.101.3.4.3.17",
  "ML-DSA-65": "2.16.840.1.101.3.4.3.18",
  "ML-DSA-87": "2.16.840.1.101.3.4.3.19",
};

const NAME_OF: ReadonlyMap<string, string> = new Map(Object.entries(ALGORITHM_OIDS).map(([name, oid]) => [oid, name]));

/** "Ed448 (1.3.101.113)" for an OID with a name here, "unknown algorithm (1.2.3.4)" otherwise. */
export function describeOid(oid: string): string {
  return `${NAME_OF.get(oid) ?? "unknown algorithm"} (${oid})`;
}
