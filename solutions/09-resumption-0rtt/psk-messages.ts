// The wire formats resumption adds: the pre_shared_key extension (the client's offer with its binders, the server's
// choice), the early_data extension in its three places, and the EndOfEarlyData message. Encoders and decoders only;
// the handshake that uses them is in resumed.ts. Read RFC 8446 §4.2.11 (pre_shared_key), §4.2.10 (early_data) and
// §4.5 (EndOfEarlyData).
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readHandshake, readList, readOpaque, readUint, writeHandshake, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import type { ClientExtension } from "../01-client-hello/index.js";

/** RFC 8446 §4.2.11: `PskBinderEntry binders<33..2^16-1>`, each binder `opaque PskBinderEntry<32..255>`. */
export const MIN_BINDER_LENGTH = 32;
export const MAX_BINDER_LENGTH = 255;
/** RFC 8446 §4.2.11: `opaque identity<1..2^16-1>`, `PskIdentity identities<7..2^16-1>`. */
export const MAX_IDENTITIES_LENGTH = 2 ** 16 - 1;
/** The bytes one PskIdentity adds to the identities list besides the identity: its 2-byte length and the 4-byte age. */
export const PSK_IDENTITY_OVERHEAD = 2 + 4;

/**
 *   struct {
 *       opaque identity<1..2^16-1>;
 *       uint32 obfuscated_ticket_age;
 *   } PskIdentity;
 *   opaque PskBinderEntry<32..255>;
 *   struct {
 *       PskIdentity identities<7..2^16-1>;
 *       PskBinderEntry binders<33..2^16-1>;
 *   } OfferedPsks;                                            RFC 8446 §4.2.11
 */
export interface PskIdentity {
  /** For a resumption PSK: the ticket exactly as the server sent it. */
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  identities: PskIdentity[];
  /** One per identity, in the same order: HMACs proving the client holds each PSK. */
  binders: Uint8Array[];
}

/** Writes the identities list alone: the part of pre_shared_key that the binders cover. */
export function writePskIdentities(w: ByteWriter, identities: readonly PskIdentity[]): void {
  writeVector(w, 2, "identities", (list) => {
    for (const id of identities) {
      writeOpaque(list, 2, id.identity, "identity (the ticket)");
      writeUint(list, id.obfuscatedTicketAge, 4, "obfuscated_ticket_age");
    }
  });
}

/** Writes the binders list alone: the part that is cut off before the binders are computed. */
export function writePskBinders(w: ByteWriter, binders: readonly Uint8Array[]): void {
  writeVector(w, 2, "binders", (list) => {
    for (const b of binders) writeOpaque(list, 1, b, "binder: HMAC(finished_key(binder_key), Transcript-Hash(truncated ClientHello))");
  });
}

/** The body of the client's pre_shared_key extension. */
export function writeOfferedPsks(w: ByteWriter, offer: OfferedPsks): void {
  // EXERCISE 09.2: the struct above: writePskIdentities, then writePskBinders. The two lists must be as long as each
  // other, and neither empty: anything else is our bug (TlsError internal_error, field "pre_shared_key"). (RFC 8446
  // §4.2.11)
  if (offer.identities.length === 0 || offer.identities.length !== offer.binders.length) {
    throw new TlsError(AlertDescription.internal_error, `${offer.identities.length} identities and ${offer.binders.length} binders`, {
      field: "pre_shared_key",
    });
  }
  writePskIdentities(w, offer.identities);
  writePskBinders(w, offer.binders);
  // END 09.2
}

/** Reads the body of a client's pre_shared_key extension from a reader over exactly that body. */
export function readOfferedPsks(r: ByteReader): OfferedPsks {
  // EXERCISE 09.2: the reverse, with readList / readOpaque / readUint. decode_error (naming the field and the offset)
  // for what the struct forbids: an empty identity, an empty identities or binders list, a binder shorter than
  // MIN_BINDER_LENGTH, and binders not as many as identities (RFC 8446 §4.2.11: "There MUST be one binder per
  // identity"). Leave trailing bytes to the caller.
  const identitiesAt = r.offset;
  const identities = readList(r, 2, "identities", (list): PskIdentity => {
    const at = list.offset;
    const identity = readOpaque(list, 2, "identity");
    if (identity.length === 0) throw decodeError("identity", at, "an identity must not be empty (<1..2^16-1>)");
    const obfuscatedTicketAge = readUint(list, 4, "obfuscated_ticket_age");
    return { identity, obfuscatedTicketAge };
  });
  if (identities.length === 0) throw decodeError("identities", identitiesAt, "the list must not be empty (<7..2^16-1>)");
  const bindersAt = r.offset;
  const binders = readList(r, 2, "binders", (list) => {
    const at = list.offset;
    const binder = readOpaque(list, 1, "binder");
    if (binder.length < MIN_BINDER_LENGTH) throw decodeError("binder", at, `a binder is at least ${MIN_BINDER_LENGTH} bytes, got ${binder.length}`);
    return binder;
  });
  if (binders.length !== identities.length) {
    throw decodeError("binders", bindersAt, `${identities.length} identities need as many binders, got ${binders.length}`);
  }
  return { identities, binders };
  // END 09.2
}

/** The whole pre_shared_key extension of a ClientHello, as chapter 01's raw extension (it must be the LAST one). */
export function preSharedKeyExtension(offer: OfferedPsks): ClientExtension {
  const w = new ByteWriter();
  writeOfferedPsks(w, offer);
  return { kind: "raw", type: ExtensionType.pre_shared_key, data: w.toBytes() };
}

/** Decodes a pre_shared_key extension body (from chapter 01's raw extension); nothing may be left over. */
export function decodeOfferedPsks(data: Uint8Array): OfferedPsks {
  const r = new ByteReader(data);
  const offer = readOfferedPsks(r);
  r.end("pre_shared_key");
  return offer;
}

/**
 * The server's pre_shared_key in its ServerHello: `uint16 selected_identity`, the index of the PSK it took among
 * those offered (RFC 8446 §4.2.11). Decodes the whole body; anything but exactly two bytes is decode_error.
 */
export function decodeSelectedIdentity(data: Uint8Array): number {
  // EXERCISE 09.2: one uint16 (readUint), then nothing left (r.end): the body of chapter 02's raw extension.
  const r = new ByteReader(data);
  const selected = readUint(r, 2, "selected_identity");
  r.describe(`identity #${selected}`);
  r.end("pre_shared_key");
  return selected;
  // END 09.2
}

/** Where an early_data extension sits: its body differs (RFC 8446 §4.2.10). */
export type EarlyDataContext = "client_hello" | "encrypted_extensions" | "new_session_ticket";

/**
 *   struct {} Empty;
 *   struct {
 *       select (Handshake.msg_type) {
 *           case new_session_ticket:   uint32 max_early_data_size;
 *           case client_hello:         Empty;
 *           case encrypted_extensions: Empty;
 *       };
 *   } EarlyDataIndication;                                    RFC 8446 §4.2.10
 * Returns max_early_data_size in a NewSessionTicket, null elsewhere (the extension's presence is the message).
 */
export function decodeEarlyDataIndication(data: Uint8Array, context: EarlyDataContext): number | null {
  // EXERCISE 09.2: in a new_session_ticket, exactly one uint32 (readUint, 4 bytes); in the other two, an empty body.
  // Any other length is decode_error (field "early_data").
  const r = new ByteReader(data);
  if (context === "new_session_ticket") {
    if (data.length !== 4) throw decodeError("early_data", 0, `max_early_data_size is one uint32 (4 bytes), got ${data.length} byte(s)`);
    const max = readUint(r, 4, "max_early_data_size");
    r.describe(`${max} bytes of 0-RTT data`);
    return max;
  }
  if (data.length !== 0) throw decodeError("early_data", 0, `in a ${context} the body is empty, got ${data.length} byte(s)`);
  return null;
  // END 09.2
}

/** The EndOfEarlyData message, `struct {} EndOfEarlyData;` (RFC 8446 §4.5): a header and an empty body. */
export function endOfEarlyDataMessage(): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.end_of_early_data, () => {});
  return w;
}

export function encodeEndOfEarlyData(): Uint8Array {
  return endOfEarlyDataMessage().toBytes();
}

/** Decodes an EndOfEarlyData message (what a server reads; here for tests and the notebook). */
export function decodeEndOfEarlyData(message: Uint8Array): void {
  const r = new ByteReader(message);
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.end_of_early_data) {
    throw new TlsError(AlertDescription.unexpected_message, `expected end_of_early_data (5), got ${type}`, { field: "handshake type", offset: 0 });
  }
  body.end("end_of_early_data");
  r.end("end_of_early_data message");
}
