// The two headers every handshake byte travels under: the record header (RFC 8446 §5.1) that frames
// whatever crosses the TCP connection, and the handshake header (RFC 8446 §4) that frames each message.
// And reading them from a stream, where a read may end in the middle of either.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  ContentType,
  HandshakeType,
  MAX_CIPHERTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  ProtocolVersion,
  RECORD_HEADER_LENGTH,
  HANDSHAKE_HEADER_LENGTH,
  describeCode,
  nameOf,
} from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { readUint, writeUint, writeVector } from "./presentation.js";

/**
 *   struct {
 *       ContentType type;
 *       ProtocolVersion legacy_record_version;
 *       uint16 length;
 *       opaque fragment[TLSPlaintext.length];
 *   } TLSPlaintext;                                   RFC 8446 §5.1
 */
export interface TlsRecord {
  type: number;
  version: number;
  fragment: Uint8Array;
}

/** Writes one record: type, legacy_record_version, then the fragment that `body` writes, length-prefixed. */
export function writeRecord(w: ByteWriter, type: number, version: number, body: (inner: ByteWriter) => void): void {
  // EXERCISE 00.5: write the ContentType (uint8, note it by name), the legacy_record_version (uint16), the
  // fragment's length (uint16) and the fragment that `body` writes into its own ByteWriter. A fragment
  // longer than 2^14 bytes is an internal_error: we must never send one. (RFC 8446 §5.1)
  writeUint(w, type, 1, `content type: ${describeCode(ContentType, type, 2)}`);
  writeUint(w, version, 2, `legacy_record_version: ${describeCode(ProtocolVersion, version)}`);
  const fragment = new ByteWriter();
  body(fragment);
  if (fragment.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `fragment of ${fragment.length} bytes exceeds 2^14`, { field: "fragment" });
  }
  writeUint(w, fragment.length, 2, "fragment length");
  w.append(fragment, "fragment");
  // END 00.5
}

/** The 5-byte record header, checked: what nextRecord needs before the fragment has all arrived. */
export interface RecordHeader {
  type: number;
  version: number;
  length: number;
}

/** Reads and checks a record header. */
export function readRecordHeader(r: ByteReader): RecordHeader {
  // EXERCISE 00.5: read type, legacy_record_version and length, describing type and version by name. An
  // unknown content type is an unexpected_message (RFC 8446 §5); a length above 2^14 + 2048 is a
  // record_overflow (RFC 8446 §5.2, RFC 5246 §6.2.3). Both errors name the field and its offset.
  const typeAt = r.offset;
  const type = readUint(r, 1, "content type");
  const typeName = nameOf(ContentType, type);
  if (typeName === undefined) {
    throw new TlsError(AlertDescription.unexpected_message, `unknown content type ${type}`, { field: "content type", offset: typeAt });
  }
  r.describe(typeName);
  const version = readUint(r, 2, "legacy_record_version");
  r.describe(describeCode(ProtocolVersion, version));
  const lengthAt = r.offset;
  const length = readUint(r, 2, "fragment length");
  if (length > MAX_CIPHERTEXT_LENGTH) {
    throw new TlsError(AlertDescription.record_overflow, `length ${length} exceeds 2^14 + 2048`, { field: "fragment length", offset: lengthAt });
  }
  return { type, version, length };
  // END 00.5
}

/** Reads one whole record: its header, then the fragment. */
export function readRecord(r: ByteReader): TlsRecord {
  const { type, version, length } = readRecordHeader(r);
  return { type, version, fragment: r.bytes(length, "fragment") };
}

/**
 *   struct {
 *       HandshakeType msg_type;    /* handshake type *\/
 *       uint24 length;             /* remaining bytes in message *\/
 *       select (Handshake.msg_type) { … };
 *   } Handshake;                                      RFC 8446 §4
 */
export interface HandshakeMessage {
  type: number;
  /** A reader over exactly the message body; decode it, then call body.end(…). */
  body: ByteReader;
}

/** Writes one handshake message: msg_type, then the body that `body` writes with a 3-byte length. */
export function writeHandshake(w: ByteWriter, type: number, body: (inner: ByteWriter) => void): void {
  // EXERCISE 00.6: write msg_type (uint8, noted by name) and the body as a vector with a 3-byte (uint24)
  // length prefix. (RFC 8446 §4)
  writeUint(w, type, 1, `handshake type: ${describeCode(HandshakeType, type, 2)}`);
  writeVector(w, 3, nameOf(HandshakeType, type) ?? "handshake body", body);
  // END 00.6
}

/** Reads msg_type and the uint24 length, and returns a reader over exactly the body. */
export function readHandshake(r: ByteReader): HandshakeMessage {
  // EXERCISE 00.6: read msg_type (describe it by name) and the uint24 length; a length longer than
  // what is left is a decode_error; return { type, body: r.sub(length, …) }. (RFC 8446 §4)
  const type = readUint(r, 1, "handshake type");
  r.describe(describeCode(HandshakeType, type, 2));
  const lengthAt = r.offset;
  const length = readUint(r, 3, "handshake length");
  if (length > r.remaining) {
    throw new TlsError(AlertDescription.decode_error, `length ${length} is longer than the ${r.remaining} byte(s) left`, {
      field: "handshake length",
      offset: lengthAt,
    });
  }
  return { type, body: r.sub(length, nameOf(HandshakeType, type) ?? "handshake body") };
  // END 00.6
}

/**
 * TCP delivers a stream, not records: one read may hold half a record, or three. Returns the first
 * complete record at the start of `buffer` and how many bytes it took, or null if more bytes are needed.
 */
export function nextRecord(buffer: Uint8Array): { record: TlsRecord; size: number } | null {
  // EXERCISE 00.7: return null while the 5-byte header is incomplete; then read it with readRecordHeader
  // (a bad header is an error at once, not a wait for bytes that cannot fix it); return null while the
  // fragment is incomplete; else the record and how many bytes it took. (RFC 8446 §5.1)
  if (buffer.length < RECORD_HEADER_LENGTH) return null;
  const r = new ByteReader(buffer);
  const { type, version, length } = readRecordHeader(r);
  if (r.remaining < length) return null;
  return { record: { type, version, fragment: r.bytes(length, "fragment") }, size: r.offset };
  // END 00.7
}

/**
 * Handshake messages are a stream of their own inside handshake records: a record may carry several
 * messages, and a message may be split over records (RFC 8446 §5.1). Given the handshake bytes received
 * so far, returns the first complete message (header included) and its size, or null if it is not all here.
 */
export function nextHandshake(buffer: Uint8Array): { message: Uint8Array; size: number } | null {
  // EXERCISE 00.7: read the 4-byte header without a reader (msg_type, uint24 length); return null until
  // 4 + length bytes are here, then the message bytes (header included) and their count.
  if (buffer.length < HANDSHAKE_HEADER_LENGTH) return null;
  const length = (buffer[1]! << 16) | (buffer[2]! << 8) | buffer[3]!;
  const size = HANDSHAKE_HEADER_LENGTH + length;
  if (buffer.length < size) return null;
  return { message: buffer.slice(0, size), size };
  // END 00.7
}
