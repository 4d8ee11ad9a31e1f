// Hello extensions: the part of ClientHello where nearly all of TLS 1.3 happens (RFC 8446 §4.2).
// Each extension is a type and an opaque body; we decode the bodies we use and keep every other one,
// GREASE included, as raw bytes so that any ClientHello re-encodes byte for byte.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  ECPointFormat,
  ExtensionType,
  NameType,
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureScheme,
  describeCode,
  nameOf,
} from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readList, readOpaque, readUint, readVector, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** RFC 8446 §4.2.8: one key share, `struct { NamedGroup group; opaque key_exchange<1..2^16-1>; }`. */
export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

/** The ClientHello extensions the chapters use, decoded; every other one kept raw. */
export type ClientExtension =
  /** RFC 6066 §3: the host name the client wants, so one server address can hold many sites. */
  | { kind: "server_name"; serverNames: ServerName[] }
  /** RFC 8446 §4.2.7: the groups the client can do (EC)DHE with, most preferred first. */
  | { kind: "supported_groups"; groups: number[] }
  /** RFC 8446 §4.2.3: the signature schemes the client accepts from the server. */
  | { kind: "signature_algorithms"; schemes: number[] }
  /** RFC 8446 §4.2.1: the versions the client supports; offering 0x0304 here is what makes it TLS 1.3. */
  | { kind: "supported_versions"; versions: number[] }
  /** RFC 8446 §4.2.8: the client's public (EC)DHE keys, sent before it knows what the server will pick. */
  | { kind: "key_share"; shares: KeyShareEntry[] }
  /** RFC 8446 §4.2.9: how a resumed session may be keyed (with or without a fresh (EC)DHE). */
  | { kind: "psk_key_exchange_modes"; modes: number[] }
  /** RFC 8422 §5.1.2: TLS 1.2 point formats; only "uncompressed" is used today. */
  | { kind: "ec_point_formats"; formats: number[] }
  /** RFC 5746 §3.2: secure renegotiation; empty on a first handshake. */
  | { kind: "renegotiation_info"; renegotiatedConnection: Uint8Array }
  /** RFC 7627: TLS 1.2 extended master secret, an empty body. */
  | { kind: "extended_master_secret" }
  /** Anything else (GREASE, padding, ALPN, session_ticket, …): type and body as they came. */
  | { kind: "raw"; type: number; data: Uint8Array };

/** The extension_type code of an extension. */
export function extensionType(ext: ClientExtension): number {
  return ext.kind === "raw" ? ext.type : ExtensionType[ext.kind];
}

/** One entry of server_name's list (RFC 6066 §3). */
export interface ServerName {
  nameType: number;
  hostName: string;
}

/**
 * server_name's body (RFC 6066 §3), the one extension with a list of structs inside a list:
 *
 *   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 */
export function writeServerNameList(w: ByteWriter, names: readonly ServerName[]): void {
  // TODO 01.1: two length prefixes, one inside the other: the list's, then each name's.
  // 1. writeVector(w, 2, "server_name_list", list => …): for each name, in order:
  // 2. writeUint(list, nameType, 1, …), then writeOpaque(list, 2, the host name's characters as bytes, …).
  // Host names are ASCII (RFC 6066 §3); one character per byte keeps any byte as it came. Note every field.
  throw new NotImplemented("01.1");
  // END 01.1
}

/** key_share's body in a ClientHello (RFC 8446 §4.2.8): `KeyShareEntry client_shares<0..2^16-1>`. */
export function writeClientShares(w: ByteWriter, shares: readonly KeyShareEntry[]): void {
  // TODO 01.1: a 2-byte list of { uint16 group, opaque key_exchange<1..2^16-1> }, in order; note every field.
  throw new NotImplemented("01.1");
  // END 01.1
}

/** Reads server_name's body; the reverse of writeServerNameList. */
export function readServerNameList(r: ByteReader): ServerName[] {
  // TODO 01.2: the list may not be empty, nor a host name (decode_error, at their offset: decodeError).
  // 1. readList(r, 2, "server_name_list", list => …): name_type = readCode(list, 1, NameType, "name_type");
  // 2. readOpaque(list, 2, "host_name"); empty: decode_error; each byte one character; describe it in quotes.
  throw new NotImplemented("01.2");
  // END 01.2
}

/** Reads key_share's body in a ClientHello; the reverse of writeClientShares. */
export function readClientShares(r: ByteReader): KeyShareEntry[] {
  // TODO 01.2: readList(r, 2, "client_shares", …): group = readCode(list, 2, NamedGroup, "group"), then
  // readOpaque(list, 2, "key_exchange (public key)"); an empty key is decode_error. (An empty LIST is allowed:
  // a client may send no share at all and wait for a HelloRetryRequest, RFC 8446 §4.2.8.)
  throw new NotImplemented("01.2");
  // END 01.2
}

/** Reads a code of `size` bytes and notes its name from `table` (given; the readers of 01.2 and 01.4 use it). */
export function readCode(r: ByteReader, size: 1 | 2, table: Record<string, number>, field: string): number {
  const v = readUint(r, size, field);
  r.describe(describeCode(table, v, size * 2));
  return v;
}

/** `items`, unless the RFC's <1..> or <2..> bound says a list may not be empty: then decode_error at `at`. */
export function nonEmpty<T>(items: T[], field: string, at: number): T[] {
  if (items.length === 0) throw decodeError(field, at, "the list must not be empty");
  return items;
}

/** Writes the body (extension_data) of one extension. */
export function writeExtensionData(w: ByteWriter, ext: ClientExtension): void {
  // TODO 01.3: write each kind's body as its RFC struct says: server_name and key_share with 01.1's
  // writeServerNameList / writeClientShares; supported_groups and signature_algorithms are 2-byte lists of uint16;
  // supported_versions (RFC 8446 §4.2.1) a 1-byte list of uint16; psk_key_exchange_modes and ec_point_formats 1-byte
  // lists of uint8; renegotiation_info an opaque<0..255>; extended_master_secret is empty; raw writes its data as it
  // is. Use writeVector / writeUint / writeOpaque and note every field.
  throw new NotImplemented("01.3");
  // END 01.3
}

/** Reads the body of an extension of type `type` from a reader over exactly that body. */
export function readExtensionData(r: ByteReader, type: number): ClientExtension {
  // TODO 01.4: the reverse of 01.3: decode the body of each known type (ExtensionType.server_name …
  // ExtensionType.extended_master_secret) with readList / readOpaque / readCode, and server_name and key_share with
  // 01.2's readers; anything else becomes { kind: "raw", type, data } with all its bytes. Empty lists that the RFC
  // forbids (e.g. named_group_list<2..2^16-1>: nonEmpty) and a non-empty extended_master_secret are decode_errors.
  throw new NotImplemented("01.4");
  // END 01.4
}

/** Writes one extension: `struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; }`. */
export function writeExtension(w: ByteWriter, ext: ClientExtension): void {
  const type = extensionType(ext);
  writeUint(w, type, 2, `extension_type: ${describeCode(ExtensionType, type)}`);
  writeVector(w, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => writeExtensionData(inner, ext));
}

/** Reads one extension. */
export function readExtension(r: ByteReader): ClientExtension {
  const type = readUint(r, 2, "extension_type");
  r.describe(describeCode(ExtensionType, type));
  return readVector(r, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => readExtensionData(inner, type));
}

/** RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block." */
export function checkNoDuplicates(types: number[], offset: number): void {
  const seen = new Set<number>();
  for (const t of types) {
    if (seen.has(t)) {
      throw new TlsError(AlertDescription.illegal_parameter, `extension ${describeCode(ExtensionType, t)} appears twice`, {
        field: "extensions",
        offset,
      });
    }
    seen.add(t);
  }
}

/** Finds a decoded extension by kind. */
export function findExtension<K extends ClientExtension["kind"]>(
  extensions: readonly ClientExtension[],
  kind: K,
): Extract<ClientExtension, { kind: K }> | undefined {
  return extensions.find((e) => e.kind === kind) as Extract<ClientExtension, { kind: K }> | undefined;
}
