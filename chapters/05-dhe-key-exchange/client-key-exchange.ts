// ClientKeyExchange for DHE and ECDHE: the client's public value, and nothing else. Unlike RSA key exchange
// (chapter 04) nothing secret travels: each side combines its own private value with the other's public one.
// Read RFC 5246 §7.4.7 and §7.4.7.2 (DH), RFC 8422 §5.7 (ECDH).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readHandshake, readOpaque, writeHandshake } from "../00-bytes/index.js";
import { writeOpaqueNoted } from "./server-key-exchange.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 *   struct {
 *       select (PublicValueEncoding) {
 *           case implicit: struct { };
 *           case explicit: opaque dh_Yc<1..2^16-1>;
 *       } dh_public;
 *   } ClientDiffieHellmanPublic;                 RFC 5246 §7.4.7.2
 *
 * "implicit" was for a DH key inside a client certificate, which nobody uses: with DHE it is always explicit.
 */
export function writeClientKeyExchangeDh(w: ByteWriter, yc: Uint8Array): void {
  // TODO 05.7: write ClientDiffieHellmanPublic: dh_Yc as an opaque with a 2-byte length (writeOpaqueNoted from
  // 05.1's file). Empty is our own bug, since the vector is <1..2^16-1>: internal_error naming "dh_Yc". (RFC 5246
  // §7.4.7.2)
  throw new NotImplemented("05.7");
  // END 05.7
}

/** Reads ClientDiffieHellmanPublic (the body of a DHE ClientKeyExchange) and returns dh_Yc. */
export function readClientKeyExchangeDh(r: ByteReader): Uint8Array {
  // TODO 05.7: an opaque with a 2-byte length (readOpaque); empty is decode_error naming "dh_Yc" at the offset of
  // its length. Leave trailing bytes to the caller's body.end(…). (RFC 5246 §7.4.7.2)
  throw new NotImplemented("05.7");
  // END 05.7
}

/**
 *   struct {
 *       ECPoint ecdh_Yc;          (ECPoint: opaque point <1..2^8-1>)
 *   } ClientECDiffieHellmanPublic;               RFC 8422 §5.7
 */
export function writeClientKeyExchangeEcdh(w: ByteWriter, point: Uint8Array): void {
  // TODO 05.7: the point as an opaque with a 1-byte length; empty is internal_error naming "point". (A P-256
  // point is 65 bytes and an X25519 key 32: both fit in <1..2^8-1>.) (RFC 8422 §5.7)
  throw new NotImplemented("05.7");
  // END 05.7
}

/** Reads ClientECDiffieHellmanPublic (the body of an ECDHE ClientKeyExchange) and returns the point. */
export function readClientKeyExchangeEcdh(r: ByteReader): Uint8Array {
  // TODO 05.7: an opaque with a 1-byte length; empty is decode_error naming "point" at its length's offset. Leave
  // trailing bytes to the caller's body.end(…). (RFC 8422 §5.7)
  throw new NotImplemented("05.7");
  // END 05.7
}

/** The whole DHE ClientKeyExchange handshake message (type 16), with notes. */
export function clientKeyExchangeDhMessage(yc: Uint8Array): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.client_key_exchange, (body) => writeClientKeyExchangeDh(body, yc));
  return w;
}

/** The whole ECDHE ClientKeyExchange handshake message (type 16), with notes. */
export function clientKeyExchangeEcdhMessage(point: Uint8Array): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.client_key_exchange, (body) => writeClientKeyExchangeEcdh(body, point));
  return w;
}

/** The DHE ClientKeyExchange message's bytes (for the transcript and the wire). */
export function encodeClientKeyExchangeDh(yc: Uint8Array): Uint8Array {
  return clientKeyExchangeDhMessage(yc).toBytes();
}

/** The ECDHE ClientKeyExchange message's bytes. */
export function encodeClientKeyExchangeEcdh(point: Uint8Array): Uint8Array {
  return clientKeyExchangeEcdhMessage(point).toBytes();
}

function readMessage<T>(message: Uint8Array, read: (body: ByteReader) => T): T {
  const r = new ByteReader(message);
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.client_key_exchange) {
    const message = `expected client_key_exchange (16), got ${describeCode(HandshakeType, type, 2)}`;
    throw new TlsError(AlertDescription.unexpected_message, message, { field: "handshake type", offset: 0 });
  }
  const value = read(body);
  body.end("client_key_exchange");
  r.end("client_key_exchange message");
  return value;
}

/** Decodes a whole DHE ClientKeyExchange message and returns dh_Yc. */
export function decodeClientKeyExchangeDh(message: Uint8Array): Uint8Array {
  return readMessage(message, readClientKeyExchangeDh);
}

/** Decodes a whole ECDHE ClientKeyExchange message and returns the point. */
export function decodeClientKeyExchangeEcdh(message: Uint8Array): Uint8Array {
  return readMessage(message, readClientKeyExchangeEcdh);
}
