// The two messages a TLS 1.3 server may send after the handshake, inside application data records: NewSessionTicket,
// a ticket the client may later present to resume the session without certificates (chapter 09), and KeyUpdate,
// which tells the other side that this direction has moved to fresh keys. Encoders and decoders only; what the
// client does with them is in handshake.ts. Read RFC 8446 §4.6.1 (NewSessionTicket), §4.2.10 (early_data in a
// ticket) and §4.6.3 (KeyUpdate).
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, describeCode, nameOf } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readHandshake, readList, readOpaque, readUint, readVector, writeHandshake, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import { checkNoDuplicates } from "../01-client-hello/index.js";

/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)." */
export const MAX_TICKET_LIFETIME = 604800;

/** An extension of a NewSessionTicket: early_data decoded (§4.2.10), anything else raw. */
export type TicketExtension =
  /** The server will accept up to this many bytes of 0-RTT data with this ticket (chapter 09). */
  | { kind: "early_data"; maxEarlyDataSize: number }
  | { kind: "raw"; type: number; data: Uint8Array };

/**
 *   struct {
 *       uint32 ticket_lifetime;
 *       uint32 ticket_age_add;
 *       opaque ticket_nonce<0..255>;
 *       opaque ticket<1..2^16-1>;
 *       Extension extensions<0..2^16-2>;
 *   } NewSessionTicket;                                      RFC 8446 §4.6.1
 */
export interface NewSessionTicket {
  /** Seconds the ticket may be used for, from when it was sent; 0 means "do not use it". */
  lifetime: number;
  /** Added to the ticket's age when the client presents it, so an observer cannot link the two connections. */
  ageAdd: number;
  /** Makes each ticket's PSK different: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, …). */
  nonce: Uint8Array;
  /** Opaque to the client: typically the session state, encrypted under a key only the server knows. */
  ticket: Uint8Array;
  extensions: TicketExtension[];
}

/** The extension_type of a ticket extension. */
export function ticketExtensionType(ext: TicketExtension): number {
  return ext.kind === "raw" ? ext.type : ExtensionType.early_data;
}

/** Writes the NewSessionTicket body. */
export function writeNewSessionTicketBody(w: ByteWriter, nst: NewSessionTicket): void {
  // EXERCISE 08.6: the struct above, in order: two uint32 (readUint/writeUint do 4 bytes), the nonce with a 1-byte
  // length, the ticket with a 2-byte length, then the extensions as a 2-byte list of { uint16 type, 2-byte length,
  // data }; early_data's data is one uint32, max_early_data_size (RFC 8446 §4.2.10). Note every field.
  writeUint(w, nst.lifetime, 4, `ticket_lifetime: ${nst.lifetime} s`);
  writeUint(w, nst.ageAdd, 4, "ticket_age_add");
  writeOpaque(w, 1, nst.nonce, "ticket_nonce");
  writeOpaque(w, 2, nst.ticket, "ticket");
  writeVector(w, 2, "extensions", (list) => {
    for (const ext of nst.extensions) {
      const type = ticketExtensionType(ext);
      writeUint(list, type, 2, `extension_type: ${describeCode(ExtensionType, type)}`);
      writeVector(list, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => {
        if (ext.kind === "early_data") writeUint(inner, ext.maxEarlyDataSize, 4, `max_early_data_size: ${ext.maxEarlyDataSize}`);
        else if (ext.data.length > 0) inner.bytes(ext.data, "extension_data (kept as it came)");
      });
    }
  });
  // END 08.6
}

/** Reads a NewSessionTicket body from a reader over exactly the body. */
export function readNewSessionTicketBody(r: ByteReader): NewSessionTicket {
  // EXERCISE 08.6: the reverse, with readUint(…, 4), readOpaque, readList, readVector. An empty ticket is
  // decode_error (<1..2^16-1>); a lifetime over MAX_TICKET_LIFETIME is illegal_parameter (RFC 8446 §4.6.1); an
  // early_data body that is not exactly one uint32 is decode_error (readVector checks the trailing bytes); a type
  // that appears twice is illegal_parameter (checkNoDuplicates). Describe the lifetime in seconds. Leave trailing
  // bytes after the extensions to the caller's body.end(…).
  const lifetimeAt = r.offset;
  const lifetime = readUint(r, 4, "ticket_lifetime");
  r.describe(`${lifetime} s`);
  if (lifetime > MAX_TICKET_LIFETIME) {
    throw new TlsError(AlertDescription.illegal_parameter, `${lifetime} s is more than the 7 days (${MAX_TICKET_LIFETIME} s) allowed`, {
      field: "ticket_lifetime",
      offset: lifetimeAt,
    });
  }
  const ageAdd = readUint(r, 4, "ticket_age_add");
  const nonce = readOpaque(r, 1, "ticket_nonce");
  const ticketAt = r.offset;
  const ticket = readOpaque(r, 2, "ticket");
  if (ticket.length === 0) throw decodeError("ticket", ticketAt, "a ticket must not be empty (<1..2^16-1>)");
  const extensionsAt = r.offset;
  const extensions = readList(r, 2, "extensions", (list): TicketExtension => {
    const type = readUint(list, 2, "extension_type");
    list.describe(describeCode(ExtensionType, type));
    return readVector(list, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner): TicketExtension => {
      if (type !== ExtensionType.early_data) return { kind: "raw", type, data: inner.bytes(inner.remaining, "extension_data") };
      const maxEarlyDataSize = readUint(inner, 4, "max_early_data_size");
      inner.describe(`${maxEarlyDataSize} bytes of 0-RTT data`);
      return { kind: "early_data", maxEarlyDataSize };
    });
  });
  checkNoDuplicates(extensions.map(ticketExtensionType), extensionsAt);
  return { lifetime, ageAdd, nonce, ticket, extensions };
  // END 08.6
}

/** The whole handshake message (header and body), with notes. */
export function newSessionTicketMessage(nst: NewSessionTicket): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.new_session_ticket, (body) => writeNewSessionTicketBody(body, nst));
  return w;
}

export function encodeNewSessionTicket(nst: NewSessionTicket): Uint8Array {
  return newSessionTicketMessage(nst).toBytes();
}

/** Decodes a whole NewSessionTicket message (header and body); nothing may be left over. */
export function decodeNewSessionTicket(message: Uint8Array): NewSessionTicket {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.new_session_ticket) {
    throw new TlsError(AlertDescription.unexpected_message, `expected new_session_ticket (4), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const nst = readNewSessionTicketBody(body);
  body.end("new_session_ticket");
  r.end("new_session_ticket message");
  return nst;
}

/** The max_early_data_size a ticket allows, or undefined when it allows no 0-RTT data. */
export function maxEarlyDataSize(nst: NewSessionTicket): number | undefined {
  for (const e of nst.extensions) if (e.kind === "early_data") return e.maxEarlyDataSize;
  return undefined;
}

/** RFC 8446 §4.6.3: KeyUpdateRequest. */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

/**
 *   enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
 *   struct {
 *       KeyUpdateRequest request_update;
 *   } KeyUpdate;                                             RFC 8446 §4.6.3
 */
export interface KeyUpdate {
  /** True when the sender asks us to update our sending keys too (and to say so with a KeyUpdate of our own). */
  updateRequested: boolean;
}

/** Writes the KeyUpdate body: one byte. */
export function writeKeyUpdateBody(w: ByteWriter, ku: KeyUpdate): void {
  // EXERCISE 08.18: one uint8, update_requested (1) or update_not_requested (0), noted by name. (RFC 8446 §4.6.3)
  const value = ku.updateRequested ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested;
  writeUint(w, value, 1, `request_update: ${describeCode(KeyUpdateRequest, value, 2)}`);
  // END 08.18
}

/** Reads a KeyUpdate body from a reader over exactly the body. */
export function readKeyUpdateBody(r: ByteReader): KeyUpdate {
  // EXERCISE 08.18: one uint8; a value other than 0 or 1 is illegal_parameter, with its offset ("If an implementation
  // receives a KeyUpdate with request_update field other than the two values..., it MUST terminate the connection
  // with an illegal_parameter alert", RFC 8446 §4.6.3). Leave trailing bytes to the caller's body.end(…).
  const at = r.offset;
  const value = readUint(r, 1, "request_update");
  if (value !== KeyUpdateRequest.update_requested && value !== KeyUpdateRequest.update_not_requested) {
    throw new TlsError(AlertDescription.illegal_parameter, `request_update must be 0 or 1, got ${value}`, { field: "request_update", offset: at });
  }
  r.describe(describeCode(KeyUpdateRequest, value, 2));
  return { updateRequested: value === KeyUpdateRequest.update_requested };
  // END 08.18
}

export function keyUpdateMessage(ku: KeyUpdate): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.key_update, (body) => writeKeyUpdateBody(body, ku));
  return w;
}

export function encodeKeyUpdate(ku: KeyUpdate): Uint8Array {
  return keyUpdateMessage(ku).toBytes();
}

/** Decodes a whole KeyUpdate message; its body is exactly one byte. */
export function decodeKeyUpdate(message: Uint8Array): KeyUpdate {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.key_update) {
    throw new TlsError(AlertDescription.unexpected_message, `expected key_update (24), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const ku = readKeyUpdateBody(body);
  body.end("key_update");
  r.end("key_update message");
  return ku;
}
