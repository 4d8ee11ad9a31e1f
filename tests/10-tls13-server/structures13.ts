// Names for the fields of the TLS 1.3 messages a server writes, for chapter 10's failure messages: the REFERENCE
// decoders of chapters 00–08 (solutions/, never the learner's chapters/) read the expected bytes and their notes say
// which field a difference is in ("encrypted_extensions › extensions › record_size_limit …"). Labels only: no expected
// value comes from here (tests/support/structures.ts does the same for ClientHello and ServerHello).
import type { ByteReader } from "../../lib/bytes.js";
import { HandshakeType, ProtocolVersion } from "../../lib/constants.js";
import { readHandshake } from "../../solutions/00-bytes/index.js";
import { readClientHelloBody } from "../../solutions/01-client-hello/index.js";
import { readServerHelloBody } from "../../solutions/02-server-hello/index.js";
import { readCertificateBody } from "../../solutions/03-certificates/index.js";
import {
  readCertificateVerifyBody,
  readEncryptedExtensionsBody,
  readFinishedBody13,
  readKeyUpdateBody,
  readNewSessionTicketBody,
} from "../../solutions/08-tls13-handshake/index.js";
import { annotateWith, type Structure } from "../support/expect-bytes.js";
import { records } from "../support/structures.js";

/** One TLS 1.3 handshake message, its body read field by field (Finished as SHA-256's 32 bytes). */
function readMessage13(r: ByteReader): void {
  const { type, body } = readHandshake(r);
  if (type === HandshakeType.client_hello) readClientHelloBody(body);
  else if (type === HandshakeType.server_hello) readServerHelloBody(body);
  else if (type === HandshakeType.encrypted_extensions) readEncryptedExtensionsBody(body);
  else if (type === HandshakeType.certificate) readCertificateBody(body, ProtocolVersion.TLS1_3);
  else if (type === HandshakeType.certificate_verify) readCertificateVerifyBody(body);
  else if (type === HandshakeType.finished) readFinishedBody13(body, body.remaining);
  else if (type === HandshakeType.new_session_ticket) readNewSessionTicketBody(body);
  else if (type === HandshakeType.key_update) readKeyUpdateBody(body);
  else body.bytes(body.remaining, "body");
  body.end(`${type} body`);
}

/** TLS 1.3 handshake messages, one after another. */
export const messages13: Structure = (bytes) =>
  annotateWith(bytes, (r) => {
    while (r.remaining > 0) readMessage13(r);
  });

const RECORD_TYPES = [20, 21, 22, 23];

/** A structure for `bytes` by their look: whole records (type, 03 0x), or handshake messages, or none. */
export function structureFor(bytes: Uint8Array): Structure | undefined {
  if (bytes.length >= 5 && RECORD_TYPES.includes(bytes[0]!) && bytes[1] === 3) return records;
  if (bytes.length >= 4 && ((bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) <= bytes.length - 4) return messages13;
  return undefined;
}
