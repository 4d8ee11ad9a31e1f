// Names for the fields of TLS structures, for failure messages: each Structure reads bytes with the REFERENCE
// codecs of chapters 00–02 (solutions/, never the learner's chapters/) and returns their notes, so expectBytes can
// say "field there: client_hello › extensions › key_share …". It only labels bytes; no expected value comes
// from here. Later chapters' structures (certificates, TLS 1.3 messages) can be added the same way with
// annotateWith and their own chapter's solutions.

import type { ByteReader } from "../../lib/bytes.js";
import { ContentType, HandshakeType } from "../../lib/constants.js";
import { readHandshake, readRecordHeader, readUint, type PrefixSize } from "../../solutions/00-bytes/index.js";
import { readClientHelloBody, readExtension, readExtensionData } from "../../solutions/01-client-hello/index.js";
import { readServerExtension, readServerExtensionData, readServerHelloBody } from "../../solutions/02-server-hello/index.js";
import { annotateWith, type Structure } from "./expect-bytes.js";

/** One handshake message (RFC 8446 §4): header, and the body field by field for ClientHello and ServerHello. */
function readOneHandshake(r: ByteReader): void {
  const { type, body } = readHandshake(r);
  if (type === HandshakeType.client_hello) readClientHelloBody(body);
  else if (type === HandshakeType.server_hello) readServerHelloBody(body);
  else body.bytes(body.remaining, "body");
  body.end(`${type} body`);
}

/** Records (RFC 8446 §5.1), one after another; handshake fragments are read as handshake messages. */
export const records: Structure = (bytes) =>
  annotateWith(bytes, (r) => {
    while (r.remaining > 0) {
      const { type, length } = readRecordHeader(r);
      const fragment = r.sub(length, "fragment");
      if (type === ContentType.handshake) while (fragment.remaining > 0) readOneHandshake(fragment);
      else fragment.bytes(fragment.remaining, "fragment bytes");
    }
  });

/** Handshake messages (RFC 8446 §4), one after another. */
export const handshakes: Structure = (bytes) =>
  annotateWith(bytes, (r) => {
    while (r.remaining > 0) readOneHandshake(r);
  });

/** A ClientHello body, without the 4-byte handshake header (RFC 8446 §4.1.2). */
export const clientHelloBody: Structure = (bytes) => annotateWith(bytes, readClientHelloBody);

/** A ServerHello body, without the 4-byte handshake header (RFC 8446 §4.1.3). */
export const serverHelloBody: Structure = (bytes) => annotateWith(bytes, readServerHelloBody);

/** A ClientHello's extensions, one after another, without the block's 2-byte length (RFC 8446 §4.2). */
export const clientExtensions: Structure = (bytes) =>
  annotateWith(bytes, (r) => {
    while (r.remaining > 0) readExtension(r);
  });

/** One ClientHello extension's extension_data, for an extension of `type`. */
export const clientExtensionData =
  (type: number): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => readExtensionData(r, type));

/** A ServerHello's (or HelloRetryRequest's) extensions, one after another, without the block's length. */
export const serverExtensions =
  (inHelloRetryRequest = false): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => {
      while (r.remaining > 0) readServerExtension(r, inHelloRetryRequest);
    });

/** One ServerHello extension's extension_data, for an extension of `type`. */
export const serverExtensionData =
  (type: number, inHelloRetryRequest = false): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => readServerExtensionData(r, type, inHelloRetryRequest));

/** A vector (RFC 8446 §3.4): its `prefix`-byte length, then the body. */
export const lengthPrefixed =
  (prefix: PrefixSize): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => {
      const length = readUint(r, prefix, `length (${prefix}-byte prefix)`);
      r.bytes(length, "body");
    });
