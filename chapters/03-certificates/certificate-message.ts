// The Certificate handshake message: the sender's certificate chain, its own certificate first, as DER bytes
// (RFC 8446 §4.4.2; for TLS 1.2, RFC 5246 §7.4.2). Encoder and decoder only: what the certificates say, and
// whether to trust them, is the business of the DER and chain-validation code in this chapter.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ContentType, ExtensionType, HandshakeType, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import {
  readHandshake,
  readList,
  readOpaque,
  readUint,
  writeHandshake,
  writeOpaque,
  writeRecord,
  writeUint,
  writeVector,
} from "../00-bytes/index.js";
import { checkNoDuplicates } from "../01-client-hello/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** One certificate in the list, with (TLS 1.3 only) the extensions that belong to it. */
export interface CertificateEntry {
  /** One DER-encoded X.509 certificate (RFC 5280 §4.1), never empty. */
  certData: Uint8Array;
  /** TLS 1.3 per-certificate extensions, kept raw (status_request, signed_certificate_timestamp); [] in TLS 1.2. */
  extensions: { type: number; data: Uint8Array }[];
}

/** The message as both versions see it; a TLS 1.2 message is one with an empty context and no extensions. */
export interface CertificateMessage {
  /** TLS 1.3 only: empty from a server, and in TLS 1.2; the CertificateRequest's context in client authentication. */
  requestContext: Uint8Array;
  /** The sender's own certificate first; each one after it should certify the one before (RFC 8446 §4.4.2). */
  entries: CertificateEntry[];
}

/**
 * "certificate 2 of 3 (1234 bytes)": the note every certificate carries in a dump. A reader does not know the
 * count until the list ends, so it passes undefined and gets "certificate 2 (1234 bytes)".
 */
function certificateNote(index: number, count: number | undefined, size: number): string {
  return `certificate ${index + 1}${count === undefined ? "" : ` of ${count}`} (${size} bytes)`;
}

/** Our own bug, not the peer's: the caller asked for a version this message has no form for. */
function checkVersion(version: number): void {
  if (version !== ProtocolVersion.TLS1_2 && version !== ProtocolVersion.TLS1_3) {
    throw new TlsError(AlertDescription.internal_error, `no Certificate form for ${describeCode(ProtocolVersion, version)}`, {
      field: "version",
    });
  }
}

/**
 * Writes the Certificate body (without the handshake header) in the form of `version`.
 *
 *   opaque ASN.1Cert<1..2^24-1>;
 *
 *   struct {
 *       ASN.1Cert certificate_list<0..2^24-1>;
 *   } Certificate;                                        RFC 5246 §7.4.2 (TLS 1.2)
 *
 *   struct {
 *       select (certificate_type) {
 *           case RawPublicKey: opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
 *           case X509:         opaque cert_data<1..2^24-1>;
 *       };
 *       Extension extensions<0..2^16-1>;
 *   } CertificateEntry;
 *
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       CertificateEntry certificate_list<0..2^24-1>;
 *   } Certificate;                                        RFC 8446 §4.4.2 (TLS 1.3)
 *
 * TLS 1.3 added two things. The request context ties a client's Certificate to the CertificateRequest that asked
 * for it: a server may ask again after the handshake (RFC 8446 §4.6.2), and the context says which request an
 * answer is for. The per-entry extensions carry facts about one certificate: an OCSP response (status_request)
 * or Certificate Transparency timestamps (signed_certificate_timestamp). TLS 1.2 could say these only about the
 * server's own certificate, in a CertificateStatus message (RFC 6066 §8) or a ServerHello extension
 * (RFC 6962 §3.3); TLS 1.3 puts each beside the certificate it is about (RFC 8446 §4.4.2.1).
 */
export function writeCertificateBody(w: ByteWriter, msg: CertificateMessage, version: number): void {
  // TODO 03.25: write the body in the form of `version`; checkVersion first (only ProtocolVersion.TLS1_2 and
  // TLS1_3 have one). TLS 1.2 (RFC 5246 §7.4.2): certificate_list (3-byte length) of certificates, each with its
  // own 3-byte length. TLS 1.3 (RFC 8446 §4.4.2): certificate_request_context (1-byte length), then
  // certificate_list (3-byte length) of entries: cert_data (3-byte length), then extensions (2-byte length) of
  // { extension_type uint16, extension_data with a 2-byte length }. Note each certificate with certificateNote,
  // e.g. "certificate 1 of 3 (1234 bytes)". Our own bugs are internal_error: an empty certificate (<1..2^24-1>),
  // and in TLS 1.2 a non-empty request context or any extension (the 1.2 form has no room for them).
  throw new NotImplemented("03.25");
  // END 03.25
}

/**
 * Reads a Certificate body in the form of `version` from a reader over exactly the body. An empty list is
 * well-formed (a client with no certificate to offer sends one); that a server's list must not be empty
 * (RFC 8446 §4.4.2.4) is for the handshake to check, like the server's empty request context.
 */
export function readCertificateBody(r: ByteReader, version: number): CertificateMessage {
  // TODO 03.26: read the struct above in the form of `version`; checkVersion first. TLS 1.2 has no context
  // (return an empty one) and no extensions (return []). An empty certificate is a decode_error naming the field
  // and the offset of its length (<1..2^24-1>); readList and readOpaque already reject lengths that overrun. In
  // TLS 1.3 an extension type that appears twice in one entry is illegal_parameter (checkNoDuplicates from
  // chapter 01, RFC 8446 §4.2). Describe each certificate with certificateNote(index, undefined, size). Leave
  // trailing bytes to the caller's body.end(…). (RFC 5246 §7.4.2, RFC 8446 §4.4.2)
  throw new NotImplemented("03.26");
  // END 03.26
}

/** The whole handshake message (header and body), with notes for every byte. */
export function certificateMessage(msg: CertificateMessage, version: number): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.certificate, (body) => writeCertificateBody(body, msg, version));
  return w;
}

/** The handshake message's bytes, e.g. for the transcript. */
export function encodeCertificate(msg: CertificateMessage, version: number): Uint8Array {
  return certificateMessage(msg, version).toBytes();
}

/**
 * The plaintext record that carries a TLS 1.2 Certificate. Only TLS 1.2 sends it in the clear: a TLS 1.3
 * Certificate travels encrypted under the handshake keys (RFC 8446 §2), so it never goes in a record like this.
 */
export function certificateRecord(msg: CertificateMessage): ByteWriter {
  const w = new ByteWriter();
  writeRecord(w, ContentType.handshake, ProtocolVersion.TLS1_2, (fragment) =>
    writeHandshake(fragment, HandshakeType.certificate, (body) => writeCertificateBody(body, msg, ProtocolVersion.TLS1_2)),
  );
  return w;
}

/** Decodes a whole Certificate handshake message (header and body) and checks nothing is left over. */
export function decodeCertificate(message: Uint8Array, version: number): CertificateMessage {
  const r = new ByteReader(message);
  const msg = readCertificateMessage(r, version);
  r.end("certificate message");
  return msg;
}

/** Reads a Certificate handshake message (header and body) from a reader. */
export function readCertificateMessage(r: ByteReader, version: number): CertificateMessage {
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.certificate) {
    throw new TlsError(AlertDescription.unexpected_message, `expected certificate (11), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const msg = readCertificateBody(body, version);
  body.end("certificate");
  return msg;
}
