// What a server proves its identity with: its certificate chain (the leaf first) and the private key of the leaf.
// A finished helper, not an exercise: reading key files is file formats, not TLS. RSA keys come from chapter 04's
// readRsaPrivateKey; EC keys are read here with chapter 03's DER reader. Read RFC 5208 §5 and RFC 5915 §3 (the
// key files), RFC 5480 §2.1.1 (the curve names) and RFC 8446 §4.4.2 (the chain a server sends).
import { p256, p384 } from "@noble/curves/nist.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError, isTlsError } from "../../lib/errors.js";
import { equalBytes } from "../../lib/hex.js";
import { readPemBlocks, readPemCertificates } from "../../lib/pem.js";
import {
  type Certificate,
  type EcCurve,
  Oid,
  Tag,
  contextTag,
  parseCertificates,
  peekTag,
  readAny,
  readBitString,
  readElement,
  readInteger,
  readOctetString,
  readOid,
  readTopLevel,
} from "../03-certificates/index.js";
import { type RsaPrivateKey, readRsaPrivateKey } from "../04-rsa-key-exchange/index.js";

/** The server's private key: an RSA key with its CRT numbers (chapter 04), or an EC private scalar. */
export type ServerPrivateKey = { kind: "rsa"; key: RsaPrivateKey } | { kind: "ec"; curve: EcCurve; d: Uint8Array };

/** One certificate chain and its key: what the server may authenticate with. */
export interface ServerCredential {
  /** The chain as DER, the server's own certificate first (RFC 8446 §4.4.2). */
  chain: Uint8Array[];
  /** The leaf, parsed by chapter 03: its key decides which signature schemes the server can use. */
  leaf: Certificate;
  privateKey: ServerPrivateKey;
}

/** ECPrivateKey version 1 (RFC 5915 §3). */
const EC_PRIVATE_KEY_VERSION = 1n;
const EC_CURVES: Readonly<Record<string, { curve: EcCurve; scalarLength: number }>> = {
  [Oid.secp256r1]: { curve: "P-256", scalarLength: 32 },
  [Oid.secp384r1]: { curve: "P-384", scalarLength: 48 },
};

/** Our own key file that does not read is our problem, not the peer's: internal_error. */
function keyError(message: string): TlsError {
  return new TlsError(AlertDescription.internal_error, message, { field: "private key" });
}

/**
 *   ECPrivateKey ::= SEQUENCE {
 *       version        INTEGER { ecPrivkeyVer1(1) },
 *       privateKey     OCTET STRING,
 *       parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
 *       publicKey  [1] BIT STRING OPTIONAL }                 RFC 5915 §3
 * `curveOid` is the curve PKCS #8 named outside (undefined for a bare "EC PRIVATE KEY", which names it inside).
 */
function readEcPrivateKeyBody(der: Uint8Array, curveOid: string | undefined): { curve: EcCurve; d: Uint8Array } {
  const body = readTopLevel(der, Tag.SEQUENCE, "ECPrivateKey");
  if (readInteger(body, "ECPrivateKey version") !== EC_PRIVATE_KEY_VERSION) throw keyError("ECPrivateKey version must be 1");
  const d = readOctetString(body, "privateKey");
  let oid = curveOid;
  if (peekTag(body) === contextTag(0, true)) {
    const parameters = readElement(body, contextTag(0, true), "parameters");
    oid = readOid(parameters, "namedCurve");
    parameters.end("parameters");
  }
  if (peekTag(body) === contextTag(1, true)) readBitString(readElement(body, contextTag(1, true), "publicKey"), "publicKey");
  body.end("ECPrivateKey");
  const known = oid === undefined ? undefined : EC_CURVES[oid];
  if (known === undefined) throw keyError(`an EC key on curve ${oid ?? "(unnamed)"}: only P-256 and P-384 are supported`);
  if (d.length !== known.scalarLength) throw keyError(`a ${known.curve} private key is ${known.scalarLength} bytes, got ${d.length}`);
  return { curve: known.curve, d };
}

/**
 * Reads a server's private key from DER: PKCS #8 PrivateKeyInfo ("BEGIN PRIVATE KEY", RSA or EC), PKCS #1 ("BEGIN
 * RSA PRIVATE KEY") or SEC 1 ("BEGIN EC PRIVATE KEY").
 */
export function readServerPrivateKey(der: Uint8Array): ServerPrivateKey {
  try {
    const outer = readTopLevel(der, Tag.SEQUENCE, "private key");
    const version = readInteger(outer, "version");
    if (peekTag(outer) === Tag.OCTET_STRING && version === EC_PRIVATE_KEY_VERSION) return { kind: "ec", ...readEcPrivateKeyBody(der, undefined) };
    if (peekTag(outer) === Tag.SEQUENCE) {
      const algorithm = readElement(outer, Tag.SEQUENCE, "privateKeyAlgorithm");
      if (readOid(algorithm, "privateKeyAlgorithm") === Oid.ecPublicKey) {
        const curveOid = readOid(algorithm, "namedCurve");
        const inner = readOctetString(outer, "privateKey");
        while (outer.remaining > 0) readAny(outer, "PrivateKeyInfo trailing field");
        return { kind: "ec", ...readEcPrivateKeyBody(inner, curveOid) };
      }
    }
    return { kind: "rsa", key: readRsaPrivateKey(der) };
  } catch (e) {
    // The DER readers of chapter 03 say bad_certificate, which fits a peer's certificate, not our own key file.
    if (isTlsError(e) && e.alertName !== "internal_error") throw keyError(e.detail);
    throw e;
  }
}

/** The public half of the key, compared with the certificate's: a server must never send a chain its key does not fit. */
function keyFitsCertificate(key: ServerPrivateKey, leaf: Certificate): boolean {
  const pub = leaf.publicKey;
  if (key.kind === "rsa") return pub.kind === "rsa" && !pub.pss && pub.n === key.key.n && pub.e === key.key.e;
  if (pub.kind !== "ec" || pub.curve !== key.curve) return false;
  const curve = key.curve === "P-256" ? p256 : p384;
  return equalBytes(curve.getPublicKey(key.d, false), pub.point);
}

/** A credential from PEM text: the chain (leaf first, then any intermediates) and the leaf's private key. */
export function readServerCredential(chainPem: string, keyPem: string, source = "certificate"): ServerCredential {
  const chain = readPemCertificates(chainPem, source);
  const blocks = readPemBlocks(keyPem, "key").filter((b) => b.label.endsWith("PRIVATE KEY"));
  if (blocks.length !== 1) throw keyError(`expected one "-----BEGIN … PRIVATE KEY-----" block, found ${blocks.length}`);
  const privateKey = readServerPrivateKey(blocks[0]!.der);
  const leaf = parseCertificates(chain)[0]!;
  if (!keyFitsCertificate(privateKey, leaf)) throw keyError(`the private key does not belong to ${leaf.subject.text}'s certificate`);
  return { chain, leaf, privateKey };
}
