// RSA keys restricted to PSS: a certificate may say that its RSA key signs with RSASSA-PSS only (the key's
// algorithm is id-RSASSA-PSS, not rsaEncryption), and its parameters may narrow that to one hash, one MGF1 hash and a
// shortest salt. Every signature the key makes must keep to them: the CA's signatures on certificates, and the
// server's TLS signatures (rsa_pss_pss_*). Read RFC 4055 §1.2 and §3.1, and RFC 8446 §4.2.3.
import type { PublicKey, SignatureAlgorithm } from "./x509.js";

/**
 * Why `key` cannot have made a signature of `algorithm`, or undefined when it can. Only an id-RSASSA-PSS key
 * (key.pss) is restricted here: an rsaEncryption key may sign with PKCS #1 v1.5 or PSS, any parameters (RFC 4055
 * §1.2), and whether the algorithm fits a key of another kind is verifySignature's business.
 */
export function pssKeyProblem(key: PublicKey, algorithm: SignatureAlgorithm): string | undefined {
  // EXERCISE 03.28: (1) Not an RSA key, or not PSS-only (!key.pss): undefined, nothing to restrict. (2) A PSS-only
  // key signs with RSASSA-PSS and nothing else: any other algorithm.kind is a problem, "an id-RSASSA-PSS key signs
  // with RSASSA-PSS only, not <algorithm.name> (RFC 4055 §1.2)"; that is what stops a PKCS #1 v1.5 signature from
  // passing under such a key. (3) With key.pssParameters (absent: any PSS parameters will do), the signature must use
  // the same hash and the same MGF1 hash, and a salt at least as long as the key's (RFC 4055 §3.1: the key's
  // saltLength is the shortest allowed). Name what differs: "the key allows SHA-256 only, the signature uses
  // SHA-384 (RFC 4055 §3.1)", "… MGF1 with SHA-256 only …", "a salt of 20 bytes, the key asks for at least 32 …".
  if (key.kind !== "rsa" || !key.pss) return undefined;
  if (algorithm.kind !== "rsa-pss") return `an id-RSASSA-PSS key signs with RSASSA-PSS only, not ${algorithm.name} (RFC 4055 §1.2)`;
  const allowed = key.pssParameters;
  if (allowed === undefined) return undefined;
  if (algorithm.hash !== allowed.hash) return `the key allows ${allowed.hash} only, the signature uses ${algorithm.hash} (RFC 4055 §3.1)`;
  if (algorithm.mgfHash !== allowed.mgfHash) {
    return `the key allows MGF1 with ${allowed.mgfHash} only, the signature uses MGF1 with ${algorithm.mgfHash} (RFC 4055 §3.1)`;
  }
  if (algorithm.saltLength < allowed.saltLength) {
    return `a salt of ${algorithm.saltLength} bytes, the key asks for at least ${allowed.saltLength} (RFC 4055 §3.1)`;
  }
  return undefined;
  // END 03.28
}
