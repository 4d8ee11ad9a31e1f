// Client certificates for the mutual-TLS tests (chapters 06, 08, 11): the fixtures client-rsa / client-ecdsa (made by
// tests/fixtures/make-client-certs.sh), and a signer made with Node's crypto, so that chapters 06 and 08 are graded
// on the handshake alone, not on the learner's signing (chapter 11's clientCredential, graded by its own tests).
import crypto from "node:crypto";
import { SignatureScheme } from "../../lib/constants.js";
import { readPemCertificates } from "../../lib/pem.js";
import { readFixture } from "./fixtures.js";

export type ClientKind = "rsa" | "ecdsa";

/** The shape of chapter 06's ClientCredential (kept structural here: support code imports no chapter). */
export interface TestCredential {
  chain: Uint8Array[];
  schemes: readonly number[];
  sign(scheme: number, content: Uint8Array): Uint8Array;
}

/** What a Node-made signer was asked to sign, in order: the tests compare it with the content the RFCs define. */
export interface SignLog {
  scheme: number;
  content: Uint8Array;
}

const HASH: Record<number, string> = {
  [SignatureScheme.rsa_pss_rsae_sha256]: "sha256",
  [SignatureScheme.rsa_pss_rsae_sha384]: "sha384",
  [SignatureScheme.rsa_pss_rsae_sha512]: "sha512",
  [SignatureScheme.rsa_pkcs1_sha256]: "sha256",
  [SignatureScheme.rsa_pkcs1_sha384]: "sha384",
  [SignatureScheme.rsa_pkcs1_sha512]: "sha512",
  [SignatureScheme.ecdsa_secp256r1_sha256]: "sha256",
};

/** The default schemes of each kind, best first, as chapter 11's clientCredential lists them. */
export const NODE_SCHEMES: Record<ClientKind, number[]> = {
  rsa: [
    SignatureScheme.rsa_pss_rsae_sha256,
    SignatureScheme.rsa_pss_rsae_sha384,
    SignatureScheme.rsa_pss_rsae_sha512,
    SignatureScheme.rsa_pkcs1_sha256,
    SignatureScheme.rsa_pkcs1_sha384,
    SignatureScheme.rsa_pkcs1_sha512,
  ],
  ecdsa: [SignatureScheme.ecdsa_secp256r1_sha256],
};

/** The fixture chain of `kind` as DER (the leaf alone: the test root issued it). */
export const clientChain = (kind: ClientKind): Uint8Array[] => readPemCertificates(readFixture(`client-${kind}.crt`), `client-${kind}.crt`);

/** Node's signature of `content` by `scheme` with `key` (PSS: salt as long as the hash, RFC 8446 §4.2.3; ECDSA: DER). */
export function nodeSign(key: crypto.KeyObject, scheme: number, content: Uint8Array): Uint8Array {
  const hash = HASH[scheme];
  if (hash === undefined) throw new Error(`the test signer has no scheme 0x${scheme.toString(16)}`);
  const pss = scheme >= 0x0804 && scheme <= 0x0806;
  const options = pss ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : key;
  return new Uint8Array(crypto.sign(hash, content, options));
}

/** Checks a signature with Node: the public key of `certificate` (DER), `scheme` as nodeSign reads it. */
export function nodeVerify(certificate: Uint8Array, scheme: number, content: Uint8Array, signature: Uint8Array): boolean {
  const key = new crypto.X509Certificate(certificate).publicKey;
  const hash = HASH[scheme];
  if (hash === undefined) return false;
  const pss = scheme >= 0x0804 && scheme <= 0x0806;
  const options = pss ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : key;
  return crypto.verify(hash, content, options, signature);
}

/** A credential signing with Node's crypto and the fixture key of `kind`; every request to sign is logged. */
export function nodeCredential(kind: ClientKind, schemes: readonly number[] = NODE_SCHEMES[kind]): TestCredential & { log: SignLog[] } {
  const key = crypto.createPrivateKey(readFixture(`client-${kind}.key`));
  const log: SignLog[] = [];
  return {
    chain: clientChain(kind),
    schemes,
    log,
    sign(scheme, content) {
      log.push({ scheme, content: content.slice() });
      return nodeSign(key, scheme, content);
    },
  };
}
