// The learner's signing, turned round: chapters 10 and 11 signed as a server; the same code signs a client's
// CertificateVerify when a server asks for a client certificate (mutual TLS). This makes chapter 06's ClientCredential,
// the signer the client handshakes of chapters 06 (TLS 1.2) and 08 (TLS 1.3) take, from a certificate and its key
// (read by chapter 10's readServerCredential). Read RFC 8446 §4.2.3 (the schemes, and which key each needs), RFC
// 5246 §7.4.8 and RFC 8446 §4.4.3 (the client's CertificateVerify).
import { AlertDescription, SignatureScheme, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { schemeInfo } from "../05-dhe-key-exchange/index.js";
import type { ClientCredential } from "../06-tls12-handshake/index.js";
import type { ServerCredential } from "../10-tls13-server/index.js";
import { SERVER_SCHEMES_12 } from "./client-hello.js";
import { signWithScheme } from "./sign.js";

/**
 * A client's signer from a certificate and its key: `schemes` lists what the key can sign with, best first (the
 * handshake picks the first the server's CertificateRequest also lists), and `sign` signs with chapter 11's
 * signWithScheme (chapter 10's checked CRT for RSA-PSS, PKCS #1 v1.5 on the same CRT, ECDSA through noble).
 */
export function clientCredential(credential: ServerCredential): ClientCredential {
  // EXERCISE 11.18: schemes = the schemes of SERVER_SCHEMES_12 (11.2's order: ECDSA, then RSA-PSS, then PKCS #1 v1.5)
  // that this key can make, by schemeInfo (chapter 05): an EC key only the ecdsa scheme OF ITS CURVE (in TLS 1.3
  // ecdsa_secp256r1_sha256 means P-256 and nothing else, RFC 8446 §4.2.3; keeping to it is right in TLS 1.2 too); an
  // RSA key every rsa-pss and rsa-pkcs1 scheme (the handshake of chapter 08 leaves out PKCS #1 v1.5 itself). sign(scheme,
  // content): a scheme not in that list is our own bug (internal_error, field "signature algorithm"); else
  // signWithScheme(credential, scheme, content) (11.6). Return { chain: credential.chain, schemes, sign }.
  const key = credential.privateKey;
  const schemes = SERVER_SCHEMES_12.filter((scheme) => {
    const info = schemeInfo(scheme);
    if (info?.kind === "ecdsa") return key.kind === "ec" && key.curve === info.curve;
    return (info?.kind === "rsa-pss" || info?.kind === "rsa-pkcs1") && key.kind === "rsa";
  });
  const sign = (scheme: number, content: Uint8Array): Uint8Array => {
    if (!schemes.includes(scheme)) {
      throw new TlsError(AlertDescription.internal_error, `our ${key.kind.toUpperCase()} key cannot sign with ${describeCode(SignatureScheme, scheme)}`, {
        field: "signature algorithm",
      });
    }
    return signWithScheme(credential, scheme, content);
  };
  return { chain: credential.chain, schemes, sign };
  // END 11.18
}
