// Client certificates in TLS 1.3 (mutual TLS): what the server's CertificateRequest asks for, and our answer, a step
// of the client's script (handshake.ts) between the server's Finished and ours: our Certificate, echoing the request's
// context, and our CertificateVerify, a signature over the transcript with the client's own context string. The
// signer is handed in (chapter 06's ClientCredential; chapter 11 builds one from the learner's RSA-PSS and ECDSA).
// Read RFC 8446 §4.3.2 (CertificateRequest), §4.2.3 (signature_algorithms), §4.2.4 (certificate_authorities),
// §4.4.2 (the client's Certificate) and §4.4.3 (CertificateVerify).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, ProtocolVersion } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readList, readOpaque } from "../00-bytes/index.js";
import { readExtensionData } from "../01-client-hello/index.js";
import { encodeCertificate } from "../03-certificates/index.js";
import type { ClientCredential } from "../06-tls12-handshake/index.js";
import { CERTIFICATE_VERIFY_SCHEMES, certificateVerifyContent, encodeCertificateVerify } from "./certificate-verify.js";
import type { Hellos } from "./hellos.js";
import type { CertificateRequest } from "./messages.js";
import type { Tls13RecordLayer } from "./record-layer.js";
import { NotImplemented } from "../../lib/errors.js";

/** What a TLS 1.3 CertificateRequest asks for, read from its extensions. */
export interface CertificateRequest13 {
  /** Echoed in our Certificate (RFC 8446 §4.4.2): empty during the handshake. */
  context: Uint8Array;
  /** The schemes the server accepts in our CertificateVerify (signature_algorithms, §4.2.3). */
  signatureSchemes: number[];
  /** The CAs the server names (certificate_authorities, §4.2.4), each a DER Name; empty when it names none. */
  authorities: Uint8Array[];
}

/** Reads what the CertificateRequest's extensions ask for (chapter 08's decodeCertificateRequest kept them raw). */
export function readCertificateRequest13(cr: CertificateRequest): CertificateRequest13 {
  // TODO 08.20: "The "signature_algorithms" extension MUST be specified" (RFC 8446 §4.3.2): find the extension of
  // type ExtensionType.signature_algorithms in cr.extensions; none is missing_extension, field "signature_algorithms".
  // Its data is the same list a ClientHello carries: chapter 01's readExtensionData(new ByteReader(data), its type)
  // reads it (its schemes); then the reader must be used up (reader.end(…)). certificate_authorities is optional:
  //   opaque DistinguishedName<1..2^16-1>;
  //   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;     (§4.2.4)
  // a 2-byte-length list of readOpaque(…, 2, …) names, none of them empty and the list not empty (decode_error, field
  // "authorities"). Absent: authorities []. Return { context: cr.context, signatureSchemes, authorities }.
  throw new NotImplemented("08.20");
  // END 08.20
}

/**
 * The scheme for our CertificateVerify: the first of ours (our preference) that the server's CertificateRequest lists
 * and TLS 1.3 allows there; undefined when there is none (then we send an empty Certificate, §4.4.2.4).
 */
export function chooseClientScheme13(request: CertificateRequest, credential: ClientCredential): number | undefined {
  // TODO 08.21: asked = readCertificateRequest13(request) (08.20). Return the first s of credential.schemes that
  // asked.signatureSchemes lists AND that is in CERTIFICATE_VERIFY_SCHEMES ("RSA signatures MUST use an RSASSA-PSS
  // algorithm", so no rsa_pkcs1_* here even if both sides list it: RFC 8446 §4.4.3); undefined if none. No chain at
  // all (credential.chain empty): undefined too.
  throw new NotImplemented("08.21");
  // END 08.21
}

/**
 * Our CertificateVerify (RFC 8446 §4.4.3), right after our Certificate: a signature with the client's context string
 * over the transcript up to and including our Certificate. Sent under our handshake keys and added to the transcript.
 */
export function sendCertificateVerify13(records: Tls13RecordLayer, hellos: Hellos, credential: ClientCredential, scheme: number): void {
  // TODO 08.21: content = certificateVerifyContent(hellos.transcript.hash(), "client"): 64 spaces, "TLS 1.3, client
  // CertificateVerify", a 0 byte and the transcript hash, so that a server's signature can never pass for a client's.
  // message = encodeCertificateVerify({ scheme, signature: credential.sign(scheme, content) }); send it, THEN add it to
  // the transcript (our Finished covers it).
  throw new NotImplemented("08.21");
  // END 08.21
}

/**
 * Our answer to a CertificateRequest, before our Finished (RFC 8446 §4.4.2): our Certificate with the request's
 * context (our chain if chooseClientScheme13 finds a scheme, else empty: the server decides, §4.4.2.4), added to the
 * transcript, then, after a chain, our CertificateVerify. Returns the scheme we signed with, or undefined.
 */
export function sendClientCertificate13(records: Tls13RecordLayer, hellos: Hellos, request: CertificateRequest, credential?: ClientCredential): number | undefined {
  const scheme = credential === undefined ? undefined : chooseClientScheme13(request, credential);
  const chain = scheme === undefined ? [] : credential!.chain;
  const certificate = encodeCertificate({ requestContext: request.context, entries: chain.map((certData) => ({ certData, extensions: [] })) }, ProtocolVersion.TLS1_3);
  records.sendHandshake(certificate);
  hellos.transcript.add(certificate);
  if (scheme !== undefined) sendCertificateVerify13(records, hellos, credential!, scheme);
  return scheme;
}
