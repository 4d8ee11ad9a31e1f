// Two small TLS 1.3 messages, given: Finished, whose verify_data is now as long as the suite's hash (an HMAC,
// computed by chapter 07), and CertificateRequest, which a server sends when it wants the client to authenticate
// too; this client has no certificate and answers with an empty Certificate. Read RFC 8446 §4.4.4 and §4.3.2.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, describeCode, nameOf } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { readHandshake, readList, readOpaque, readUint, writeHandshake } from "../00-bytes/index.js";
import { checkNoDuplicates } from "../01-client-hello/index.js";

/**
 *   struct {
 *       opaque verify_data[Hash.length];
 *   } Finished;                                              RFC 8446 §4.4.4
 */
export function finishedMessage13(verifyData: Uint8Array): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.finished, (body) => body.bytes(verifyData, "verify_data: HMAC(finished_key, transcript hash)"));
  return w;
}

export function encodeFinished13(verifyData: Uint8Array): Uint8Array {
  return finishedMessage13(verifyData).toBytes();
}

/** Reads a Finished body: exactly `hashLength` bytes (32 for the SHA-256 suites, 48 for SHA-384). */
export function readFinishedBody13(r: ByteReader, hashLength: number): Uint8Array {
  if (r.remaining !== hashLength) {
    throw new TlsError(AlertDescription.decode_error, `verify_data is ${hashLength} bytes with this suite's hash, got ${r.remaining}`, {
      field: "verify_data",
      offset: r.offset,
    });
  }
  return r.bytes(hashLength, "verify_data");
}

/** Decodes a whole Finished message to its verify_data. */
export function decodeFinished13(message: Uint8Array, hashLength: number): Uint8Array {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.finished) {
    throw new TlsError(AlertDescription.unexpected_message, `expected finished (20), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const verify = readFinishedBody13(body, hashLength);
  body.end("finished");
  r.end("finished message");
  return verify;
}

/**
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       Extension extensions<2..2^16-1>;
 *   } CertificateRequest;                                    RFC 8446 §4.3.2
 * The extensions (signature_algorithms, certificate_authorities, …) are kept raw: this client only answers.
 */
export interface CertificateRequest {
  context: Uint8Array;
  extensions: { type: number; data: Uint8Array }[];
}

/** Reads a CertificateRequest body from a reader over exactly the body. */
export function readCertificateRequestBody(r: ByteReader): CertificateRequest {
  const context = readOpaque(r, 1, "certificate_request_context");
  const at = r.offset;
  const extensions = readList(r, 2, "extensions", (list) => {
    const type = readUint(list, 2, "extension_type");
    list.describe(describeCode(ExtensionType, type));
    return { type, data: readOpaque(list, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`) };
  });
  checkNoDuplicates(extensions.map((e) => e.type), at);
  return { context, extensions };
}

/** Decodes a whole CertificateRequest message. */
export function decodeCertificateRequest(message: Uint8Array): CertificateRequest {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.certificate_request) {
    throw new TlsError(AlertDescription.unexpected_message, `expected certificate_request (13), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const cr = readCertificateRequestBody(body);
  body.end("certificate_request");
  r.end("certificate_request message");
  return cr;
}
