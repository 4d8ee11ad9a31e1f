// EncryptedExtensions: the server's answers to every ClientHello extension that does not set up the keys. TLS 1.2
// sent them in the ServerHello, in the clear; TLS 1.3 sends them as the first message under the handshake keys, so
// that someone watching does not learn, say, which application protocol was chosen. Encoder and decoder (the client's
// check of what arrived against what it offered is a step of the handshake: server-flight.ts). Read RFC 8446 §4.3.1
// and the table in §4.2.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup, describeCode, nameOf } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readHandshake, readList, readOpaque, readUint, readVector, writeHandshake, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import { checkNoDuplicates } from "../01-client-hello/index.js";

/** RFC 8449 §4: a record_size_limit below 64 bytes is never allowed. */
export const MIN_RECORD_SIZE_LIMIT = 64;

/** The EncryptedExtensions entries this client understands, decoded; every other one kept raw. */
export type EncryptedExtension =
  /** RFC 6066 §3: an empty body, which says "I used the server_name you sent". */
  | { kind: "server_name" }
  /** RFC 8446 §4.2.7: the groups the server prefers, for the client's next connection (the client may ignore it). */
  | { kind: "supported_groups"; groups: number[] }
  /** RFC 7301 §3.1: the one application protocol the server chose from the client's list ("h2", "http/1.1"). */
  | { kind: "application_layer_protocol_negotiation"; protocol: string }
  /** RFC 8449 §4: the largest record the server is willing to receive (its plaintext plus one byte). */
  | { kind: "record_size_limit"; limit: number }
  /** RFC 8446 §4.2.10: an empty body, which says "I accepted your 0-RTT data" (chapter 09). */
  | { kind: "early_data" }
  /** Anything else: type and body as they came. */
  | { kind: "raw"; type: number; data: Uint8Array };

/**
 *   struct {
 *       Extension extensions<0..2^16-1>;
 *   } EncryptedExtensions;                                   RFC 8446 §4.3.1
 */
export interface EncryptedExtensions {
  extensions: EncryptedExtension[];
}

/**
 * The extensions RFC 8446 §4.2 lets a server put into EncryptedExtensions (the "EE" column of its table), and
 * record_size_limit, which RFC 8449 §4 adds. Recognised extensions anywhere else in EE are illegal_parameter.
 */
export const ENCRYPTED_EXTENSIONS_ALLOWED: readonly number[] = [
  ExtensionType.server_name,
  ExtensionType.max_fragment_length,
  ExtensionType.supported_groups,
  ExtensionType.use_srtp,
  ExtensionType.heartbeat,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.client_certificate_type,
  ExtensionType.server_certificate_type,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
];

/** The extension_type code of an entry. */
export function encryptedExtensionType(ext: EncryptedExtension): number {
  return ext.kind === "raw" ? ext.type : ExtensionType[ext.kind];
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** Writes the body (extension_data) of one entry. */
export function writeEncryptedExtensionData(w: ByteWriter, ext: EncryptedExtension): void {
  // EXERCISE 08.3: write each kind's body: server_name and early_data are empty; supported_groups is a 2-byte list
  // of uint16 groups (RFC 8446 §4.2.7); application_layer_protocol_negotiation is a 2-byte ProtocolNameList holding
  // exactly one opaque ProtocolName<1..2^8-1> (RFC 7301 §3.1; write the name's characters as bytes); record_size_limit
  // one uint16 (RFC 8449 §4); raw its data as it is. Note every field.
  switch (ext.kind) {
    case "server_name":
    case "early_data":
      break; // the type alone is the answer
    case "supported_groups":
      writeVector(w, 2, "named_group_list", (list) => {
        for (const g of ext.groups) writeUint(list, g, 2, `group: ${describeCode(NamedGroup, g)}`);
      });
      break;
    case "application_layer_protocol_negotiation":
      writeVector(w, 2, "protocol_name_list", (list) =>
        writeOpaque(list, 1, Uint8Array.from(ext.protocol, (c) => c.charCodeAt(0)), `protocol_name "${ext.protocol}"`),
      );
      break;
    case "record_size_limit":
      writeUint(w, ext.limit, 2, "record_size_limit");
      break;
    case "raw":
      if (ext.data.length > 0) w.bytes(ext.data, "extension_data (kept as it came)");
      break;
  }
  // END 08.3
}

/** Reads the body of an entry of type `type` from a reader over exactly that body. */
export function readEncryptedExtensionData(r: ByteReader, type: number): EncryptedExtension {
  // EXERCISE 08.4: the reverse of writeEncryptedExtensionData, with readUint / readList / readOpaque. decode_error
  // (naming the field and offset) for what the structs forbid: a body in server_name or early_data, an empty
  // named_group_list, a protocol_name_list that does not hold exactly one name, an empty name. A record_size_limit
  // below MIN_RECORD_SIZE_LIMIT is illegal_parameter (RFC 8449 §4). Any other type: { kind: "raw", type, data } with
  // all its bytes. Trailing bytes are caught by the caller's readVector.
  const at = r.offset;
  switch (type) {
    case ExtensionType.server_name:
    case ExtensionType.early_data: {
      const kind = type === ExtensionType.server_name ? "server_name" : "early_data";
      if (r.remaining !== 0) throw decodeError(kind, at, `in EncryptedExtensions the body must be empty, found ${r.remaining} byte(s)`);
      return { kind };
    }
    case ExtensionType.supported_groups: {
      const groups = readList(r, 2, "named_group_list", (list) => {
        const g = readUint(list, 2, "group");
        list.describe(describeCode(NamedGroup, g));
        return g;
      });
      if (groups.length === 0) throw decodeError("named_group_list", at, "the list must not be empty (<2..2^16-1>)");
      return { kind: "supported_groups", groups };
    }
    case ExtensionType.application_layer_protocol_negotiation: {
      const names = readList(r, 2, "protocol_name_list", (list) => {
        const nameAt = list.offset;
        const name = readOpaque(list, 1, "protocol_name");
        if (name.length === 0) throw decodeError("protocol_name", nameAt, "a protocol name must not be empty (<1..2^8-1>)");
        list.describe(`"${latin1(name)}"`);
        return latin1(name);
      });
      if (names.length !== 1) throw decodeError("protocol_name_list", at, `a server names exactly one protocol, this list has ${names.length}`);
      return { kind: "application_layer_protocol_negotiation", protocol: names[0]! };
    }
    case ExtensionType.record_size_limit: {
      const limit = readUint(r, 2, "record_size_limit");
      if (limit < MIN_RECORD_SIZE_LIMIT) {
        throw new TlsError(AlertDescription.illegal_parameter, `${limit} is below the smallest allowed limit, ${MIN_RECORD_SIZE_LIMIT}`, {
          field: "record_size_limit",
          offset: at,
        });
      }
      return { kind: "record_size_limit", limit };
    }
    default:
      return { kind: "raw", type, data: r.bytes(r.remaining, "extension_data") };
  }
  // END 08.4
}

/** Writes the EncryptedExtensions body: the list of extensions, each type then a 2-byte length and its data. */
export function writeEncryptedExtensionsBody(w: ByteWriter, ee: EncryptedExtensions): void {
  writeVector(w, 2, "extensions", (list) => {
    for (const ext of ee.extensions) {
      const type = encryptedExtensionType(ext);
      writeUint(list, type, 2, `extension_type: ${describeCode(ExtensionType, type)}`);
      writeVector(list, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => writeEncryptedExtensionData(inner, ext));
    }
  });
}

/** Reads the EncryptedExtensions body from a reader over exactly the body. */
export function readEncryptedExtensionsBody(r: ByteReader): EncryptedExtensions {
  const at = r.offset;
  const extensions = readList(r, 2, "extensions", (list) => {
    const type = readUint(list, 2, "extension_type");
    list.describe(describeCode(ExtensionType, type));
    return readVector(list, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => readEncryptedExtensionData(inner, type));
  });
  // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
  checkNoDuplicates(extensions.map(encryptedExtensionType), at);
  return { extensions };
}

/** The whole handshake message (header and body), with notes for every byte. */
export function encryptedExtensionsMessage(ee: EncryptedExtensions): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.encrypted_extensions, (body) => writeEncryptedExtensionsBody(body, ee));
  return w;
}

/** The message's bytes, for the record layer and the transcript. */
export function encodeEncryptedExtensions(ee: EncryptedExtensions): Uint8Array {
  return encryptedExtensionsMessage(ee).toBytes();
}

/** Decodes a whole EncryptedExtensions message (header and body); nothing may be left over. */
export function decodeEncryptedExtensions(message: Uint8Array): EncryptedExtensions {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.encrypted_extensions) {
    throw new TlsError(AlertDescription.unexpected_message, `expected encrypted_extensions (8), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const ee = readEncryptedExtensionsBody(body);
  body.end("encrypted_extensions");
  r.end("encrypted_extensions message");
  return ee;
}
