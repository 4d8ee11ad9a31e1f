// ClientHello, the first message of every handshake: the client's versions, cipher suites, random and
// extensions (RFC 8446 §4.1.2; for TLS 1.2, RFC 5246 §7.4.1.2). Encoder and decoder, nothing else.
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
  // EXERCISE 01.5: write the six fields in order: legacy_version (uint16), random (exactly 32 bytes, else
  // internal_error), legacy_session_id (opaque, 1-byte length), cipher_suites (2-byte list of uint16),
  // legacy_compression_methods (1-byte list of uint8), extensions (2-byte list, each with writeExtension).
  // Note every field; describe suites with describeSuite. (RFC 8446 §4.1.2)
  writeUint(w, ch.legacyVersion, 2, `legacy_version: ${describeCode(ProtocolVersion, ch.legacyVersion)}`);
  if (ch.random.length !== RANDOM_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `random must be 32 bytes, not ${ch.random.length}`, { field: "random" });
  }
  w.bytes(ch.random, "random");
  writeOpaque(w, 1, ch.legacySessionId, "legacy_session_id");
  writeVector(w, 2, "cipher_suites", (list) => {
    for (const s of ch.cipherSuites) writeUint(list, s, 2, `cipher_suite: ${describeSuite(s)}`);
  });
  writeVector(w, 1, "legacy_compression_methods", (list) => {
    for (const m of ch.legacyCompressionMethods) writeUint(list, m, 1, `compression: ${describeCode(CompressionMethod, m, 2)}`);
  });
  writeVector(w, 2, "extensions", (list) => {
    for (const ext of ch.extensions) writeExtension(list, ext);
  });
  // END 01.5
}

/** Reads a ClientHello body from a reader over exactly the body. */
export function readClientHelloBody(r: ByteReader): ClientHello {
  // EXERCISE 01.6: read the six fields back. decode_error for: a session id over 32 bytes, an empty or
  // odd-length cipher_suites, an empty compression list; illegal_parameter (checkNoDuplicates) for an
  // extension type that appears twice (RFC 8446 §4.2). A TLS 1.2 ClientHello may end before the
  // extensions (RFC 5246 §7.4.1.2): then extensions is []. Describe suites by name.
  const legacyVersion = readUint(r, 2, "legacy_version");
  r.describe(describeCode(ProtocolVersion, legacyVersion));
  const random = r.bytes(RANDOM_LENGTH, "random");
  const sessionAt = r.offset;
  const legacySessionId = readOpaque(r, 1, "legacy_session_id");
  if (legacySessionId.length > MAX_SESSION_ID_LENGTH) {
    throw decodeError("legacy_session_id", sessionAt, `${legacySessionId.length} bytes, at most 32 allowed`);
  }
  const suitesAt = r.offset;
  const cipherSuites = readList(r, 2, "cipher_suites", (list) => {
    if (list.remaining === 1) throw decodeError("cipher_suites", list.offset, "odd length: suites are 2 bytes each");
    const s = readUint(list, 2, "cipher_suite");
    list.describe(describeSuite(s));
    return s;
  });
  if (cipherSuites.length === 0) throw decodeError("cipher_suites", suitesAt, "the list must not be empty");
  const compressionAt = r.offset;
  const legacyCompressionMethods = readList(r, 1, "legacy_compression_methods", (list) => readUint(list, 1, "compression"));
  if (legacyCompressionMethods.length === 0) {
    throw decodeError("legacy_compression_methods", compressionAt, "the list must not be empty");
  }
  const extensionsAt = r.offset;
  const extensions = r.remaining === 0 ? [] : readList(r, 2, "extensions", readExtension);
  checkNoDuplicates(extensions.map(extensionType), extensionsAt);
  return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
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
