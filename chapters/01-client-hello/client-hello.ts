// ClientHello, the first message of every handshake: the client's versions, cipher suites, random and
// extensions (RFC 8446 §4.1.2; for TLS 1.2, RFC 5246 §7.4.1.2). Encoder and decoder, nothing else.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  CompressionMethod,
  ContentType,
  HandshakeType,
  MAX_SESSION_ID_LENGTH,
  ProtocolVersion,
  RANDOM_LENGTH,
  describeCode,
  describeSuite,
} from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readHandshake, readList, readOpaque, readUint, writeHandshake, writeOpaque, writeRecord, writeUint, writeVector } from "../00-bytes/index.js";
import { ClientExtension, checkNoDuplicates, extensionType, readExtension, writeExtension } from "./extensions.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 *\/
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;
 *   } ClientHello;                                       RFC 8446 §4.1.2
 */
export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: number[];
  extensions: ClientExtension[];
}

/** Writes the ClientHello body (the fields above, without the handshake header). */
export function writeClientHelloBody(w: ByteWriter, ch: ClientHello): void {
  // TODO 01.5: write the six fields in order: legacy_version (uint16), random (exactly 32 bytes, else
  // internal_error), legacy_session_id (opaque, 1-byte length), cipher_suites (2-byte list of uint16),
  // legacy_compression_methods (1-byte list of uint8), extensions (2-byte list, each with writeExtension).
  // Note every field; describe suites with describeSuite. (RFC 8446 §4.1.2)
  throw new NotImplemented("01.5");
  // END 01.5
}

/** Reads a ClientHello body from a reader over exactly the body. */
export function readClientHelloBody(r: ByteReader): ClientHello {
  // TODO 01.6: read the six fields back. decode_error for: a session id over 32 bytes, an empty or
  // odd-length cipher_suites, an empty compression list; illegal_parameter (checkNoDuplicates) for an
  // extension type that appears twice (RFC 8446 §4.2). A TLS 1.2 ClientHello may end before the
  // extensions (RFC 5246 §7.4.1.2): then extensions is []. Describe suites by name.
  throw new NotImplemented("01.6");
  // END 01.6
}

/** The whole handshake message (header and body), with notes for every byte. */
export function clientHelloMessage(ch: ClientHello): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.client_hello, (body) => writeClientHelloBody(body, ch));
  return w;
}

/** The handshake message's bytes, e.g. for the transcript. */
export function encodeClientHello(ch: ClientHello): Uint8Array {
  return clientHelloMessage(ch).toBytes();
}

/**
 * The record that carries the ClientHello on the wire. RFC 8446 §5.1: legacy_record_version is 0x0301 in
 * an initial ClientHello, for middleboxes that choke on anything newer; 0x0303 everywhere else.
 */
export function clientHelloRecord(ch: ClientHello, recordVersion: number = ProtocolVersion.TLS1_0): ByteWriter {
  const w = new ByteWriter();
  writeRecord(w, ContentType.handshake, recordVersion, (fragment) =>
    writeHandshake(fragment, HandshakeType.client_hello, (body) => writeClientHelloBody(body, ch)),
  );
  return w;
}

/** Decodes a whole ClientHello handshake message (header and body) and checks nothing is left over. */
export function decodeClientHello(message: Uint8Array): ClientHello {
  const r = new ByteReader(message);
  const ch = readClientHelloMessage(r);
  r.end("ClientHello message");
  return ch;
}

/** Reads a ClientHello handshake message (header and body) from a reader. */
export function readClientHelloMessage(r: ByteReader): ClientHello {
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.client_hello) {
    throw new TlsError(AlertDescription.unexpected_message, `expected client_hello (1), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const ch = readClientHelloBody(body);
  body.end("client_hello");
  return ch;
}
