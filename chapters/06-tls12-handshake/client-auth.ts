// Client certificates in TLS 1.2 (mutual TLS): the server's CertificateRequest, and our answer to it, steps of the
// client's script (handshake.ts): our Certificate right after ServerHelloDone, and after ClientKeyExchange our
// CertificateVerify, a signature over every handshake message so far. The signing itself is not done here: a signer
// is handed in (chapter 11 builds one from the learner's own RSA and ECDSA signing of chapters 10 and 11). Read
// RFC 5246 §7.4.4 (CertificateRequest), §7.4.6 (the client's Certificate), §7.4.8 (CertificateVerify) and §4.7
// (digitally-signed), and RFC 8422 §5.5 (ecdsa_sign).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, HandshakeType, ProtocolVersion, SignatureScheme, describeCode } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { readHandshake, readList, readOpaque, readUint, writeHandshake, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import { readCode } from "../01-client-hello/index.js";
import { encodeCertificate, parseCertificates } from "../03-certificates/index.js";
import type { Tls12RecordLayer } from "./record-layer.js";
import type { ServerFlight12 } from "./server-flight.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * A client's certificate and a way to sign with its key: what `connect --cert --key` hands the handshakes of chapters
 * 06 and 08. The private key stays behind `sign`, so these chapters never need to know how a signature is made.
 */
export interface ClientCredential {
  /** Our chain as DER, our own certificate first (RFC 5246 §7.4.6, RFC 8446 §4.4.2). */
  chain: Uint8Array[];
  /** The signature schemes our key can sign with, best first. */
  schemes: readonly number[];
  /** The signature of `content` by `scheme` (which hashes `content` itself, as the scheme says). */
  sign(scheme: number, content: Uint8Array): Uint8Array;
}

/** RFC 5246 §7.4.4 ClientCertificateType, with ecdsa_sign and the fixed-ECDH types of RFC 8422 §5.5. */
export const ClientCertificateType = {
  rsa_sign: 1,
  dss_sign: 2,
  rsa_fixed_dh: 3,
  dss_fixed_dh: 4,
  ecdsa_sign: 64,
  rsa_fixed_ecdh: 65,
  ecdsa_fixed_ecdh: 66,
} as const;

/**
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;                                    RFC 5246 §7.4.4
 *   opaque DistinguishedName<1..2^16-1>;
 */
export interface CertificateRequest12 {
  certificateTypes: number[];
  signatureSchemes: number[];
  /** Each a DER-encoded X.501 Name of a CA the server accepts; empty: any. */
  authorities: Uint8Array[];
}

/** Writes the CertificateRequest body (a server's side: tests and chapter 11's server use it). */
export function writeCertificateRequest12Body(w: ByteWriter, cr: CertificateRequest12): void {
  writeVector(w, 1, "certificate_types", (list) => {
    for (const t of cr.certificateTypes) writeUint(list, t, 1, `certificate_type: ${describeCode(ClientCertificateType, t, 2)}`);
  });
  writeVector(w, 2, "supported_signature_algorithms", (list) => {
    for (const s of cr.signatureSchemes) writeUint(list, s, 2, `scheme: ${describeCode(SignatureScheme, s)}`);
  });
  writeVector(w, 2, "certificate_authorities", (list) => {
    for (const dn of cr.authorities) writeOpaque(list, 2, dn, "DistinguishedName (DER)");
  });
}

/** Reads the CertificateRequest body from a reader over exactly the body. */
export function readCertificateRequest12Body(r: ByteReader): CertificateRequest12 {
  // TODO 06.15: the struct above, field by field, with chapter 00's readList and chapter 01's readCode (which
  // names each code): certificate_types, one byte each (ClientCertificateType), in a 1-byte-length list;
  // supported_signature_algorithms, two bytes each (SignatureScheme), in a 2-byte-length list; certificate_authorities,
  // a 2-byte-length list of DistinguishedNames, each readOpaque(…, 2, …). The bounds are the RFC's: an empty
  // certificate_types or supported_signature_algorithms list, or an empty DistinguishedName, is decode_error (naming
  // the field and its offset); an empty certificate_authorities list is fine (the server names no CA). (RFC 5246 §7.4.4)
  throw new NotImplemented("06.15");
  // END 06.15
}

/** The whole CertificateRequest message (header and body), with notes for every byte. */
export function certificateRequest12Message(cr: CertificateRequest12): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.certificate_request, (body) => writeCertificateRequest12Body(body, cr));
  return w;
}

export function encodeCertificateRequest12(cr: CertificateRequest12): Uint8Array {
  return certificateRequest12Message(cr).toBytes();
}

/** Decodes a whole TLS 1.2 CertificateRequest message; nothing may be left over. */
export function decodeCertificateRequest12(message: Uint8Array): CertificateRequest12 {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.certificate_request) {
    throw new TlsError(AlertDescription.unexpected_message, `expected certificate_request (13), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const cr = readCertificateRequest12Body(body);
  body.end("certificate_request");
  r.end("certificate_request message");
  return cr;
}

/**
 *   struct {
 *       digitally-signed struct { opaque handshake_messages[handshake_messages_length]; }
 *   } CertificateVerify;                                     RFC 5246 §7.4.8
 * On the wire a digitally-signed value is the scheme (2 bytes) and the signature<0..2^16-1> (§4.7): the same bytes
 * as TLS 1.3's CertificateVerify, whose codec is chapter 08's.
 */
export function encodeCertificateVerify12(scheme: number, signature: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.certificate_verify, (body) => {
    writeUint(body, scheme, 2, `algorithm: ${describeCode(SignatureScheme, scheme)}`);
    writeOpaque(body, 2, signature, "signature over every handshake message so far");
  });
  return w.toBytes();
}

/** Decodes a TLS 1.2 CertificateVerify (a server reading ours; the tests). */
export function decodeCertificateVerify12(message: Uint8Array): { scheme: number; signature: Uint8Array } {
  const r = new ByteReader(message);
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.certificate_verify) {
    throw new TlsError(AlertDescription.unexpected_message, `expected certificate_verify (15), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: 0,
    });
  }
  const scheme = readUint(body, 2, "algorithm");
  const signature = readOpaque(body, 2, "signature");
  body.end("certificate_verify");
  r.end("certificate_verify message");
  return { scheme, signature };
}

/** What we answered a CertificateRequest with, when we sent a certificate: the CertificateVerify still to come. */
export interface ClientAuth12 {
  credential: ClientCredential;
  /** The scheme chosen for the CertificateVerify: one the server listed and our key can sign with. */
  scheme: number;
}

/**
 * Which certificate and scheme answer the server's CertificateRequest (RFC 5246 §7.4.4, §7.4.6): our credential
 * when the request allows its key type and lists a scheme our key can sign with; undefined otherwise (then we send an
 * empty Certificate and no CertificateVerify).
 */
export function chooseClientAuth12(requestMessage: Uint8Array, credential: ClientCredential): ClientAuth12 | undefined {
  // TODO 06.16: request = decodeCertificateRequest12(requestMessage). Our key's certificate type (chapter 03:
  // parseCertificates of credential.chain[0], its publicKey.kind: "rsa" → rsa_sign, "ec" → ecdsa_sign, RFC 8422 §5.5)
  // must be in request.certificateTypes; scheme = the first of credential.schemes (our preference) that the request's
  // signatureSchemes lists (§7.4.8: the CertificateVerify "MUST" use one of them). Both hold: { credential, scheme };
  // else (no chain, another key type, no common scheme) undefined: "If no suitable certificate is available, the
  // client MUST send a certificate message containing no certificates" (§7.4.6).
  throw new NotImplemented("06.16");
  // END 06.16
}

/**
 * Our Certificate, if the server asked for one (RFC 5246 §7.4.6), right after its ServerHelloDone: our chain when
 * chooseClientAuth12 finds that it fits the request, else an empty one, and the server decides whether to go on.
 * Returns what the CertificateVerify needs when we sent a chain; undefined otherwise (no request, or an empty
 * Certificate: then no CertificateVerify).
 */
export function sendClientCertificate12(records: Tls12RecordLayer, flight: ServerFlight12, credential?: ClientCredential): ClientAuth12 | undefined {
  if (flight.certificateRequest === undefined) return undefined;
  const auth = credential === undefined ? undefined : chooseClientAuth12(flight.certificateRequest, credential);
  const entries = (auth?.credential.chain ?? []).map((certData) => ({ certData, extensions: [] }));
  records.sendHandshake(encodeCertificate({ requestContext: new Uint8Array(0), entries }, ProtocolVersion.TLS1_2));
  return auth;
}

/**
 * Our CertificateVerify (RFC 5246 §7.4.8), right after ClientKeyExchange: the proof that we hold the key of the
 * certificate we sent, a signature over every handshake message so far, ClientHello to ClientKeyExchange.
 */
export function sendCertificateVerify12(records: Tls12RecordLayer, auth: ClientAuth12): void {
  // TODO 06.16: the signed content is handshake_messages: the messages of records.transcript, concatenated as they
  // went (headers included, no record headers), NOT their hash: the scheme hashes them itself (§7.4.8, §4.7).
  // signature = auth.credential.sign(auth.scheme, content); send encodeCertificateVerify12(auth.scheme, signature).
  throw new NotImplemented("06.16");
  // END 06.16
}
