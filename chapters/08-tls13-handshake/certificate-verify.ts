// CertificateVerify: the server proves that it holds the private key of the certificate it just sent, by signing
// the transcript hash. In TLS 1.2 the server signed only its key exchange values and the randoms; in TLS 1.3 it
// signs everything so far, so the whole handshake, cipher suite and extensions included, is covered by the
// certificate's key. Read RFC 8446 §4.4.3 (the message and the signed content) and §4.2.3 (signature schemes).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, HandshakeType, SignatureScheme, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { readHandshake, readOpaque, readUint, writeHandshake, writeOpaque, writeUint } from "../00-bytes/index.js";
import { type Certificate, HASH_LENGTH, type PublicKey, pssKeyProblem, verifyEcdsa, verifyEd25519, verifyPss } from "../03-certificates/index.js";
import { keyName, schemeInfo } from "../05-dhe-key-exchange/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** RFC 8446 §4.4.3: the signed content starts with 64 bytes of 0x20 (spaces). */
export const CERTIFICATE_VERIFY_PADDING_BYTE = 0x20;
export const CERTIFICATE_VERIFY_PADDING_LENGTH = 64;
/** RFC 8446 §4.4.3: the context strings, one for each side, so that a signature of one can never pass for the other. */
export const SERVER_CERTIFICATE_VERIFY_CONTEXT = "TLS 1.3, server CertificateVerify";
export const CLIENT_CERTIFICATE_VERIFY_CONTEXT = "TLS 1.3, client CertificateVerify";
/** RFC 8446 §4.4.3: a single 0 byte separates the context string from the transcript hash. */
export const CONTEXT_SEPARATOR = 0x00;

/**
 * The schemes a TLS 1.3 CertificateVerify may use that this client can check: RSA-PSS with an ordinary RSA key
 * (rsae) or with an id-RSASSA-PSS key (pss), ECDSA tied to its curve, and Ed25519 (RFC 8446 §4.2.3). rsa_pkcs1_* may
 * still appear in signature_algorithms, for the signatures inside certificates, but never here: "RSA signatures MUST
 * use an RSASSA-PSS algorithm".
 */
export const CERTIFICATE_VERIFY_SCHEMES: readonly number[] = [
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
];

/**
 *   struct {
 *       SignatureScheme algorithm;
 *       opaque signature<0..2^16-1>;
 *   } CertificateVerify;                                     RFC 8446 §4.4.3
 */
export interface CertificateVerify {
  scheme: number;
  signature: Uint8Array;
}

/** Writes the CertificateVerify body. */
export function writeCertificateVerifyBody(w: ByteWriter, cv: CertificateVerify): void {
  writeUint(w, cv.scheme, 2, `algorithm: ${describeCode(SignatureScheme, cv.scheme)}`);
  writeOpaque(w, 2, cv.signature, "signature");
}

/** Reads the CertificateVerify body from a reader over exactly the body. */
export function readCertificateVerifyBody(r: ByteReader): CertificateVerify {
  // TODO 08.5: the struct above: a uint16 scheme (describe it by name) and an opaque signature with a 2-byte
  // length. Trailing bytes are left to the caller's body.end(…). (RFC 8446 §4.4.3)
  throw new NotImplemented("08.5");
  // END 08.5
}

/** The whole handshake message (header and body), with notes. */
export function certificateVerifyMessage(cv: CertificateVerify): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.certificate_verify, (body) => writeCertificateVerifyBody(body, cv));
  return w;
}

export function encodeCertificateVerify(cv: CertificateVerify): Uint8Array {
  return certificateVerifyMessage(cv).toBytes();
}

/** Decodes a whole CertificateVerify message (header and body); nothing may be left over. */
export function decodeCertificateVerify(message: Uint8Array): CertificateVerify {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.certificate_verify) {
    throw new TlsError(AlertDescription.unexpected_message, `expected certificate_verify (15), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const cv = readCertificateVerifyBody(body);
  body.end("certificate_verify");
  r.end("certificate_verify message");
  return cv;
}

/**
 * The bytes a CertificateVerify signs (RFC 8446 §4.4.3):
 *
 *   - A string that consists of octet 32 (0x20) repeated 64 times
 *   - The context string ("TLS 1.3, server CertificateVerify" or "TLS 1.3, client CertificateVerify")
 *   - A single 0 byte which serves as the separator
 *   - The content to be signed: Transcript-Hash(Handshake Context, Certificate)
 */
export function certificateVerifyContent(transcriptHash: Uint8Array, side: "server" | "client"): Uint8Array {
  // TODO 08.5: the four parts above, concatenated; the context string's characters are ASCII, one byte each.
  // Why the 64 spaces: TLS 1.2 signatures (ServerKeyExchange) began with the 32-byte client random, a value an
  // attacker may choose; a fixed prefix of 64 bytes means no TLS 1.2 signature can ever be replayed as a TLS 1.3 one.
  // (RFC 8446 §4.4.3)
  throw new NotImplemented("08.5");
  // END 08.5
}

/**
 * Checks the server's CertificateVerify with the key from its certificate. `transcriptHash` is the hash of every
 * handshake message up to and including the server's Certificate. Throws illegal_parameter for a scheme we did not
 * offer, one TLS 1.3 forbids here, or one that does not fit the key; decrypt_error if the signature is wrong.
 */
export function verifyCertificateVerify(cv: CertificateVerify, serverKey: PublicKey, transcriptHash: Uint8Array, offeredSchemes: readonly number[]): void {
  // TODO 08.5: check, each failure a TlsError naming the field: (1) cv.scheme is one we offered in
  // signature_algorithms (RFC 8446 §4.4.3), else illegal_parameter "algorithm"; (2) it is in CERTIFICATE_VERIFY_SCHEMES
  // (no RSA PKCS#1 v1.5, no SHA-1), else illegal_parameter; (3) it fits the key (schemeInfo from chapter 05 gives kind,
  // hash, curve, rsaKey): rsa-pss "rsae" needs an RSA key that is not PSS-only, rsa-pss "pss" a PSS-only key whose
  // parameters allow this hash, MGF1 of it and a salt as long as it (pssKeyProblem, chapter 03), ecdsa an EC key ON
  // THE SCHEME'S CURVE (in TLS 1.3 ecdsa_secp256r1_sha256 means P-256 and nothing else, RFC 8446 §4.2.3), ed25519 an
  // Ed25519 key; else illegal_parameter; (4) verify over certificateVerifyContent(transcriptHash, "server") with
  // chapter 03: verifyPss(key, hash, content, signature, HASH_LENGTH[hash], hash) (the salt is as long as the hash,
  // §4.2.3), verifyEcdsa(curve, point, hash, content, signature) or verifyEd25519(point, content, signature); false →
  // decrypt_error, field "signature" (RFC 8446 §6.2: a signature that does not verify).
  throw new NotImplemented("08.5");
  // END 08.5
}

/**
 * The certificate's key must be allowed to sign (RFC 8446 §4.4.2.2, RFC 5280 §4.2.1.3): when keyUsage is present,
 * digitalSignature must be in it. Returns the key.
 */
export function signingKey(leaf: Certificate): PublicKey {
  const usage = leaf.extensions.keyUsage;
  if (usage !== undefined && !usage.includes("digitalSignature")) {
    throw new TlsError(AlertDescription.unsupported_certificate, `the certificate's keyUsage (${usage.join(", ")}) does not allow signing`, {
      field: "certificate",
    });
  }
  return leaf.publicKey;
}
