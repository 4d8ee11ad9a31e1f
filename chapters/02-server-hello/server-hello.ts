// ServerHello, the server's answer: its random, the one cipher suite it chose and, in TLS 1.3, its key share
// (RFC 8446 §4.1.3; for TLS 1.2, RFC 5246 §7.4.1.3). A HelloRetryRequest is a ServerHello with a special
// random (RFC 8446 §4.1.4). Encoder and decoder, nothing else: the checks on its contents are in negotiate.ts.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
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
import { NotImplemented } from "../../lib/errors.js";

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
  // TODO 02.3: compare sh.random with HELLO_RETRY_REQUEST_RANDOM (lib/constants) byte for byte
  // (equalBytes from lib/hex). (RFC 8446 §4.1.3, §4.1.4)
  throw new NotImplemented("02.3");
  // END 02.3
}

/** Reads a ServerHello body from a reader over exactly the body. */
export function readServerHelloBody(r: ByteReader): ServerHello {
  // TODO 02.3: read the six fields of RFC 8446 §4.1.3 in order, describing versions and the suite by
  // name. decode_error for a session id echo over 32 bytes. illegal_parameter for a compression method other
  // than 0 (§4.1.3; we never offer another). A TLS 1.2 ServerHello may end right after the compression method
  // (RFC 5246 §7.4.1.3): then extensions is []. Decide isHelloRetryRequest({ random }) BEFORE reading the
  // extensions and pass it to readServerExtension (key_share differs, §4.2.8); a type that appears twice is
  // illegal_parameter (checkNoDuplicates, §4.2). Leave trailing bytes to the caller's body.end(…).
  throw new NotImplemented("02.3");
  // END 02.3
}

/** Writes the ServerHello body (the fields above, without the handshake header): the server's side. */
export function writeServerHelloBody(w: ByteWriter, sh: ServerHello): void {
  // TODO 02.4: write the six fields in order: legacy_version (uint16), random (exactly 32 bytes, else
  // internal_error), legacy_session_id_echo (opaque, 1-byte length), cipher_suite (ONE uint16, not a list),
  // legacy_compression_method (ONE uint8), extensions (2-byte list, each with writeServerExtension). Note
  // every field; describe the suite with describeSuite. (RFC 8446 §4.1.3)
  throw new NotImplemented("02.4");
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
