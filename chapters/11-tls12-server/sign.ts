// The TLS 1.2 server signs its ServerKeyExchange. Chapter 10 signed with RSA-PSS and ECDSA; TLS 1.2 clients also ask
// for the older RSA signatures of PKCS #1 v1.5, whose block chapter 03 already builds to check them (encodePkcs1v15),
// and whose private-key operation is chapter 10's checked CRT (rsaSignCrt). Read RFC 8017 §8.2.1
// (RSASSA-PKCS1-V1_5-SIGN) and §9.2 (EMSA-PKCS1-v1_5), RFC 5246 §4.7 (digitally-signed) and RFC 8446 §4.2.3.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { AlertDescription, SignatureScheme, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { HASH_LENGTH, type HashName, encodePkcs1v15, modulusLength } from "../03-certificates/index.js";
import type { RsaPrivateKey } from "../04-rsa-key-exchange/index.js";
import { schemeInfo } from "../05-dhe-key-exchange/index.js";
import { type ServerCredential, rsaSignCrt, signEcdsa, signRsaPss } from "../10-tls13-server/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1): the k-byte signature of `message`. Deterministic: one message, one signature. */
export function signPkcs1v15(key: RsaPrivateKey, hash: HashName, message: Uint8Array): Uint8Array {
  // TODO 11.6: EM = chapter 03's encodePkcs1v15(hash, message, k), k = modulusLength(key): 00 01 FF…FF 00
  // DigestInfo, the very block a verifier rebuilds and compares (§9.2). Then s = chapter 10's rsaSignCrt(key, EM): the
  // CRT, and the check of s before it leaves. Nothing random in it, so a test can compare it with a recorded signature
  // byte for byte; and nothing to leak either: the block is public, only d is secret.
  throw new NotImplemented("11.6");
  // END 11.6
}

/**
 * A DigitallySigned's signature (RFC 5246 §4.7) of `message` with the credential's key, by `scheme`: rsa_pkcs1_*,
 * rsa_pss_rsae_* (salt as long as the hash, RFC 8446 §4.2.3) or ecdsa_*. `pssSalt` is for tests that replay a record.
 */
export function signWithScheme(credential: ServerCredential, scheme: number, message: Uint8Array, pssSalt?: Uint8Array): Uint8Array {
  // TODO 11.6: info = schemeInfo(scheme) (chapter 05). ecdsa with an EC key: signEcdsa(curve, d, hash, message)
  // (chapter 10). rsa-pkcs1 with an RSA key: signPkcs1v15. rsa-pss with an RSA key: chapter 10's signRsaPss(key,
  // hash, message, pssSalt ?? HASH_LENGTH[hash] random bytes). Any other combination (an unknown scheme, a key of the
  // wrong kind) is our own bug: the scheme was chosen for this key (11.2). internal_error, field "signature algorithm".
  throw new NotImplemented("11.6");
  // END 11.6
}
