// The extensions a server puts in its ServerHello (and in a HelloRetryRequest): far fewer than a client
// sends, because a server only ever answers what the client asked (RFC 8446 §4.2). Decoded: the ones the
// handshake needs (§4.2.1, §4.2.2, §4.2.8, and TLS 1.2's RFC 5746, RFC 7627, RFC 8422); every other one raw.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { ECPointFormat, ExtensionType, NamedGroup, ProtocolVersion, describeCode, nameOf } from "../../lib/constants.js";
import { decodeError } from "../../lib/errors.js";
import { readList, readOpaque, readUint, readVector, writeOpaque, writeUint, writeVector } from "../00-bytes/index.js";
import type { KeyShareEntry } from "../01-client-hello/index.js";

/** The ServerHello / HelloRetryRequest extensions the chapters use, decoded; every other one kept raw. */
export type ServerExtension =
  /** RFC 8446 §4.2.1: the one version the server picked. Its presence is what makes a ServerHello TLS 1.3. */
  | { kind: "supported_versions"; selectedVersion: number }
  /** RFC 8446 §4.2.8, in a ServerHello: the server's own public key, in one of the groups the client shared. */
  | { kind: "key_share"; share: KeyShareEntry }
  /** RFC 8446 §4.2.8, in a HelloRetryRequest: "send me a share for this group instead", no key yet. */
  | { kind: "key_share"; selectedGroup: number }
  /** RFC 8446 §4.2.2 (HelloRetryRequest only): opaque state the client must send back in its second ClientHello. */
  | { kind: "cookie"; cookie: Uint8Array }
  /** RFC 5746 §3.2: TLS 1.2 secure renegotiation; empty on a first handshake. */
  | { kind: "renegotiation_info"; renegotiatedConnection: Uint8Array }
  /** RFC 7627 §5.1: the TLS 1.2 server agrees to the extended master secret; an empty body. */
  | { kind: "extended_master_secret" }
  /** RFC 8422 §5.2: a TLS 1.2 server using an ECC suite lists the point formats it can parse. */
  | { kind: "ec_point_formats"; formats: number[] }
  /** Anything else (pre_shared_key, ALPN, session_ticket, …): type and body exactly as they came. */
  | { kind: "raw"; type: number; data: Uint8Array };

/** The extension_type code of a server extension. */
export function serverExtensionType(ext: ServerExtension): number {
  return ext.kind === "raw" ? ext.type : ExtensionType[ext.kind];
}

/** Writes the body (extension_data) of one of the server extensions above. */
export function writeServerExtensionData(w: ByteWriter, ext: ServerExtension): void {
  // EXERCISE 02.1: write each kind's body. A server's bodies are single values, not the client's lists:
  // supported_versions is one uint16 selected_version (RFC 8446 §4.2.1); key_share is one KeyShareEntry
  // {uint16 group, opaque key_exchange<1..2^16-1>} in a ServerHello, or one uint16 selected_group in a
  // HelloRetryRequest (tell them apart with `"selectedGroup" in ext`) (§4.2.8); cookie is an opaque<1..2^16-1>
  // (§4.2.2); renegotiation_info an opaque<0..255> (RFC 5746 §3.2); extended_master_secret is empty;
  // ec_point_formats a 1-byte list of uint8 (RFC 8422 §5.1.2); raw writes its data as it is. Note every field.
  switch (ext.kind) {
    case "supported_versions":
      // One version, no list: the client offered several, the server answers with the one it chose.
      writeUint(w, ext.selectedVersion, 2, `selected_version: ${describeCode(ProtocolVersion, ext.selectedVersion)}`);
      break;
    case "key_share":
      if ("selectedGroup" in ext) {
        // HelloRetryRequest: none of the client's shares suit the server; it names the group it wants.
        writeUint(w, ext.selectedGroup, 2, `selected_group: ${describeCode(NamedGroup, ext.selectedGroup)}`);
      } else {
        // ServerHello: exactly one entry (not a list), in a group the client sent a share for.
        writeUint(w, ext.share.group, 2, `group: ${describeCode(NamedGroup, ext.share.group)}`);
        writeOpaque(w, 2, ext.share.keyExchange, "key_exchange (server public key)");
      }
      break;
    case "cookie":
      writeOpaque(w, 2, ext.cookie, "cookie");
      break;
    case "renegotiation_info":
      writeOpaque(w, 1, ext.renegotiatedConnection, "renegotiated_connection");
      break;
    case "extended_master_secret":
      break; // an empty body: the server says "yes" by echoing the type
    case "ec_point_formats":
      writeVector(w, 1, "ec_point_format_list", (list) => {
        for (const f of ext.formats) writeUint(list, f, 1, `format: ${describeCode(ECPointFormat, f, 2)}`);
      });
      break;
    case "raw":
      if (ext.data.length > 0) w.bytes(ext.data, "extension_data (kept as it came)");
      break;
  }
  // END 02.1
}

/**
 * Reads the body of a server extension of type `type` from a reader over exactly that body.
 * `inHelloRetryRequest` decides how key_share is read: a HelloRetryRequest carries only a group.
 */
export function readServerExtensionData(r: ByteReader, type: number, inHelloRetryRequest: boolean): ServerExtension {
  // EXERCISE 02.2: the reverse of writeServerExtensionData: decode supported_versions, key_share (a group
  // alone when inHelloRetryRequest, else a group and a key), cookie, renegotiation_info,
  // extended_master_secret and ec_point_formats with readUint / readOpaque / readList, describing values by
  // name; anything else becomes { kind: "raw", type, data } with all its bytes. decode_error for what the
  // structs forbid: an empty key_exchange or cookie (<1..>), an empty ec_point_format_list, a non-empty
  // extended_master_secret. Trailing bytes are caught by the caller's readVector. (RFC 8446 §4.2.1, §4.2.2, §4.2.8)
  const at = r.offset;
  switch (type) {
    case ExtensionType.supported_versions: {
      const selectedVersion = readUint(r, 2, "selected_version");
      r.describe(describeCode(ProtocolVersion, selectedVersion));
      return { kind: "supported_versions", selectedVersion };
    }
    case ExtensionType.key_share: {
      const group = readUint(r, 2, inHelloRetryRequest ? "selected_group" : "group");
      r.describe(describeCode(NamedGroup, group));
      if (inHelloRetryRequest) return { kind: "key_share", selectedGroup: group };
      const keyAt = r.offset;
      const keyExchange = readOpaque(r, 2, "key_exchange (server public key)");
      if (keyExchange.length === 0) throw decodeError("key_exchange", keyAt, "a key share must not be empty (<1..2^16-1>)");
      return { kind: "key_share", share: { group, keyExchange } };
    }
    case ExtensionType.cookie: {
      const cookie = readOpaque(r, 2, "cookie");
      if (cookie.length === 0) throw decodeError("cookie", at, "a cookie must not be empty (<1..2^16-1>)");
      return { kind: "cookie", cookie };
    }
    case ExtensionType.renegotiation_info:
      return { kind: "renegotiation_info", renegotiatedConnection: readOpaque(r, 1, "renegotiated_connection") };
    case ExtensionType.extended_master_secret:
      if (r.remaining !== 0) throw decodeError("extended_master_secret", at, `the body must be empty, found ${r.remaining} byte(s)`);
      return { kind: "extended_master_secret" };
    case ExtensionType.ec_point_formats: {
      const formats = readList(r, 1, "ec_point_format_list", (list) => {
        const f = readUint(list, 1, "format");
        list.describe(describeCode(ECPointFormat, f, 2));
        return f;
      });
      if (formats.length === 0) throw decodeError("ec_point_format_list", at, "the list must not be empty (<1..2^8-1>)");
      return { kind: "ec_point_formats", formats };
    }
    default:
      return { kind: "raw", type, data: r.bytes(r.remaining, "extension_data") };
  }
  // END 02.2
}

/** Writes one extension: `struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; }`. */
export function writeServerExtension(w: ByteWriter, ext: ServerExtension): void {
  const type = serverExtensionType(ext);
  writeUint(w, type, 2, `extension_type: ${describeCode(ExtensionType, type)}`);
  writeVector(w, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) => writeServerExtensionData(inner, ext));
}

/** Reads one extension of a ServerHello (or, with `inHelloRetryRequest`, of a HelloRetryRequest). */
export function readServerExtension(r: ByteReader, inHelloRetryRequest: boolean): ServerExtension {
  const type = readUint(r, 2, "extension_type");
  r.describe(describeCode(ExtensionType, type));
  return readVector(r, 2, `${nameOf(ExtensionType, type) ?? "unknown"} extension_data`, (inner) =>
    readServerExtensionData(inner, type, inHelloRetryRequest),
  );
}

/** Finds a decoded server extension by kind. */
export function findServerExtension<K extends ServerExtension["kind"]>(
  extensions: readonly ServerExtension[],
  kind: K,
): Extract<ServerExtension, { kind: K }> | undefined {
  return extensions.find((e) => e.kind === kind) as Extract<ServerExtension, { kind: K }> | undefined;
}
