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
  | { kind: "server_name"; serverNames: { nameType: number; hostName: string }[] }
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

/** Writes the body (extension_data) of one of the extensions above. */
export function writeExtensionData(w: ByteWriter, ext: ClientExtension): void {
  // TODO 01.1: write each kind's body as its RFC struct says: server_name (RFC 6066 §3) is a 2-byte
  // list of {uint8 name_type, opaque HostName<1..2^16-1>}; supported_groups and signature_algorithms are
  // 2-byte lists of uint16; supported_versions (RFC 8446 §4.2.1), psk_key_exchange_modes and
  // ec_point_formats are 1-byte lists; key_share (§4.2.8) a 2-byte list of {uint16 group, opaque
  // key_exchange<1..2^16-1>}; renegotiation_info an opaque<0..255>; extended_master_secret is empty;
  // raw writes its data as it is. Use writeVector / writeUint / writeOpaque and note every field.
  throw new NotImplemented("01.1");
  // END 01.1
}

/** Reads the body of an extension of type `type` from a reader over exactly that body. */
export function readExtensionData(r: ByteReader, type: number): ClientExtension {
  // TODO 01.2: the reverse of 01.1: decode the body of each known type (ExtensionType.server_name …
  // ExtensionType.extended_master_secret) with readList / readOpaque / readUint, describing values by
  // name; anything else becomes { kind: "raw", type, data } with all its bytes. Empty lists that the RFC
  // forbids (e.g. named_group_list<2..2^16-1>) and a non-empty extended_master_secret are decode_errors.
  throw new NotImplemented("01.2");
  // END 01.2
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
