// ServerHello, the server's answer: its random, the one cipher suite it chose and, in TLS 1.3, its key share
// (RFC 8446 §4.1.3; for TLS 1.2, RFC 5246 §7.4.1.3). A HelloRetryRequest is a ServerHello with a special
// random (RFC 8446 §4.1.4). Encoder and decoder, nothing else: the checks on its contents are in negotiate.ts.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  CompressionMethod,
  ContentType,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  MAX_SESSION_ID_LENGTH,
  ProtocolVersion,
  RANDOM_LENGTH,
  describeCode,
  describeSuite,
} from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { equalBytes } from "../../lib/hex.js";
import { readHandshake, readList, readOpaque, readUint, writeHandshake, writeOpaque, writeRecord, writeUint, writeVector } from "../00-bytes/index.js";
import { checkNoDuplicates } from "../01-client-hello/index.js";
import { ServerExtension, readServerExtension, serverExtensionType, writeServerExtension } from "./server-extensions.js";

/**
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 *\/
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method = 0;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;                                       RFC 8446 §4.1.3
 */
export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: ServerExtension[];
}

/**
 * True when this "ServerHello" is really a HelloRetryRequest: RFC 8446 §4.1.3 gives the two messages the
 * same type and tells them apart by the random, which for a HelloRetryRequest is SHA-256("HelloRetryRequest").
 */
export function isHelloRetryRequest(sh: Pick<ServerHello, "random">): boolean {
  // EXERCISE 02.3: compare sh.random with HELLO_RETRY_REQUEST_RANDOM (lib/constants) byte for byte
  // (equalBytes from lib/hex). (RFC 8446 §4.1.3, §4.1.4)
  return equalBytes(sh.random, HELLO_RETRY_REQUEST_RANDOM);
  // END 02.3
}

/** Reads a ServerHello body from a reader over exactly the body. */
export function readServerHelloBody(r: ByteReader): ServerHello {
  // EXERCISE 02.3: read the six fields of RFC 8446 §4.1.3 in order, describing versions and the suite by
  // name. decode_error for a session id echo over 32 bytes. illegal_parameter for a compression method other
  // than 0 (§4.1.3; we never offer another). A TLS 1.2 ServerHello may end right after the compression method
  // (RFC 5246 §7.4.1.3): then extensions is []. Decide isHelloRetryRequest({ random }) BEFORE reading the
  // extensions and pass it to readServerExtension (key_share differs, §4.2.8); a type that appears twice is
  // illegal_parameter (checkNoDuplicates, §4.2). Leave trailing bytes to the caller's body.end(…).
  const legacyVersion = readUint(r, 2, "legacy_version");
  r.describe(describeCode(ProtocolVersion, legacyVersion));
  const random = r.bytes(RANDOM_LENGTH, "random");
  const retry = isHelloRetryRequest({ random });
  if (retry) r.describe("SHA-256(\"HelloRetryRequest\"): this is a HelloRetryRequest");
  const sessionAt = r.offset;
  const legacySessionIdEcho = readOpaque(r, 1, "legacy_session_id_echo");
  if (legacySessionIdEcho.length > MAX_SESSION_ID_LENGTH) {
    throw decodeError("legacy_session_id_echo", sessionAt, `${legacySessionIdEcho.length} bytes, at most 32 allowed`);
  }
  const cipherSuite = readUint(r, 2, "cipher_suite");
  r.describe(describeSuite(cipherSuite));
  const compressionAt = r.offset;
  const legacyCompressionMethod = readUint(r, 1, "legacy_compression_method");
  r.describe(describeCode(CompressionMethod, legacyCompressionMethod, 2));
  if (legacyCompressionMethod !== CompressionMethod.null) {
    // TLS 1.3 allows only 0; in TLS 1.2 the server must pick one the client offered, and we offer only 0.
    throw new TlsError(AlertDescription.illegal_parameter, `expected 0 (null), got ${legacyCompressionMethod}`, {
      field: "legacy_compression_method",
      offset: compressionAt,
    });
  }
  const extensionsAt = r.offset;
  const extensions = r.remaining === 0 ? [] : readList(r, 2, "extensions", (list) => readServerExtension(list, retry));
  checkNoDuplicates(extensions.map(serverExtensionType), extensionsAt);
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
  // END 02.3
}

/** Writes the ServerHello body (the fields above, without the handshake header): the server's side. */
export function writeServerHelloBody(w: ByteWriter, sh: ServerHello): void {
  // EXERCISE 02.4: write the six fields in order: legacy_version (uint16), random (exactly 32 bytes, else
  // internal_error), legacy_session_id_echo (opaque, 1-byte length), cipher_suite (ONE uint16, not a list),
  // legacy_compression_method (ONE uint8), extensions (2-byte list, each with writeServerExtension). Note
  // every field; describe the suite with describeSuite. (RFC 8446 §4.1.3)
  writeUint(w, sh.legacyVersion, 2, `legacy_version: ${describeCode(ProtocolVersion, sh.legacyVersion)}`);
  if (sh.random.length !== RANDOM_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `random must be 32 bytes, not ${sh.random.length}`, { field: "random" });
  }
  w.bytes(sh.random, isHelloRetryRequest(sh) ? "random: SHA-256(\"HelloRetryRequest\")" : "random");
  // The client's own session id, sent back unchanged: TLS 1.3 ignores it, middleboxes look for it (§D.4).
  writeOpaque(w, 1, sh.legacySessionIdEcho, "legacy_session_id_echo");
  // A single suite: the client offered a list, the server answers with its choice.
  writeUint(w, sh.cipherSuite, 2, `cipher_suite: ${describeSuite(sh.cipherSuite)}`);
  writeUint(w, sh.legacyCompressionMethod, 1, `legacy_compression_method: ${describeCode(CompressionMethod, sh.legacyCompressionMethod, 2)}`);
  writeVector(w, 2, "extensions", (list) => {
    for (const ext of sh.extensions) writeServerExtension(list, ext);
  });
  // END 02.4
}

/** The whole handshake message (header and body), with notes for every byte. */
export function serverHelloMessage(sh: ServerHello): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.server_hello, (body) => writeServerHelloBody(body, sh));
  return w;
}

/** The handshake message's bytes, e.g. for the transcript. */
export function encodeServerHello(sh: ServerHello): Uint8Array {
  return serverHelloMessage(sh).toBytes();
}

/** The record that carries the ServerHello on the wire (legacy_record_version 0x0303, RFC 8446 §5.1). */
export function serverHelloRecord(sh: ServerHello, recordVersion: number = ProtocolVersion.TLS1_2): ByteWriter {
  const w = new ByteWriter();
  writeRecord(w, ContentType.handshake, recordVersion, (fragment) =>
    writeHandshake(fragment, HandshakeType.server_hello, (body) => writeServerHelloBody(body, sh)),
  );
  return w;
}

/** Decodes a whole ServerHello handshake message (header and body) and checks nothing is left over. */
export function decodeServerHello(message: Uint8Array): ServerHello {
  const r = new ByteReader(message);
  const sh = readServerHelloMessage(r);
  r.end("server_hello message");
  return sh;
}

/** Reads a ServerHello (or HelloRetryRequest) handshake message (header and body) from a reader. */
export function readServerHelloMessage(r: ByteReader): ServerHello {
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.server_hello) {
    throw new TlsError(AlertDescription.unexpected_message, `expected server_hello (2), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const sh = readServerHelloBody(body);
  body.end("server_hello");
  return sh;
}
