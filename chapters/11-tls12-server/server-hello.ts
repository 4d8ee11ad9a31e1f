// The TLS 1.2 ServerHello: the server's random (with the downgrade sentinel when the server also speaks TLS 1.3), the
// session ID it may later resume, the suite, and answers to the client's extensions and to nothing else. Chapter 02's
// codec writes it. Read RFC 5246 §7.4.1.3, RFC 8446 §4.1.3 (the sentinel), RFC 5746 §3.6, RFC 7627 §5.1, RFC 5077
// §3.2 (session_ticket), RFC 7301 §3.1 (ALPN) and RFC 8422 §5.2 (ec_point_formats).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, CompressionMethod, DOWNGRADE_TLS12, ExtensionType, ProtocolVersion, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { writeOpaque, writeVector } from "../00-bytes/index.js";
import type { ServerExtension, ServerHello } from "../02-server-hello/index.js";
import type { Choice12 } from "./client-hello.js";
import { NotImplemented } from "../../lib/errors.js";

/** The server's application_layer_protocol_negotiation: a list holding the one protocol chosen (RFC 7301 §3.1). */
export function alpnServerExtension(protocol: string): ServerExtension {
  const w = new ByteWriter();
  writeVector(w, 2, "protocol_name_list", (list) => writeOpaque(list, 1, Uint8Array.from(protocol, (c) => c.charCodeAt(0) & 0xff), `protocol_name: ${protocol}`));
  return { kind: "raw", type: ExtensionType.application_layer_protocol_negotiation, data: w.toBytes() };
}

/**
 * ServerHello.random of a server that also speaks TLS 1.3 and settles on 1.2 (RFC 8446 §4.1.3): the 32 fresh bytes,
 * with the last 8 replaced by "DOWNGRD" 01 when `downgrade` is set.
 */
export function serverRandom12(fresh: Uint8Array, downgrade: boolean): Uint8Array {
  // TODO 11.5: fresh must be RANDOM_LENGTH (32) bytes (else internal_error, field "random"). Copy it (never change
  // the caller's bytes); with `downgrade`, write DOWNGRADE_TLS12 over its last 8 bytes. Why: an attacker who strikes
  // TLS 1.3 from a ClientHello gets a 1.2 ServerHello, but cannot change these bytes, which the 1.2 handshake signs
  // (ServerKeyExchange) or feeds into the master secret: a 1.3-capable client sees them and refuses (chapter 02).
  throw new NotImplemented("11.5");
  // END 11.5
}

/**
 * The ServerHello of a TLS 1.2 handshake, full or abbreviated. `sessionId` is the one the server gives (a fresh one,
 * or empty when it keeps no sessions) or, when resuming, the one it echoes; `ticket` says whether a NewSessionTicket
 * will follow (RFC 5077 §3.2).
 */
export function serverHello12(choice: Choice12, random: Uint8Array, sessionId: Uint8Array, ticket: boolean): ServerHello {
  // TODO 11.5: legacy_version TLS 1.2 (0x0303), the random, sessionId, choice.cipherSuite, compression null (0),
  // and only answers, in this order: renegotiation_info with an empty renegotiated_connection when
  // choice.secureRenegotiation (RFC 5746 §3.6); extended_master_secret when choice.extendedMasterSecret (RFC 7627
  // §5.1); an empty session_ticket (a raw extension, ExtensionType.session_ticket) when `ticket` (RFC 5077 §3.2);
  // alpnServerExtension(choice.alpn) when there is one. No supported_versions: its presence alone would say TLS 1.3.
  // No ec_point_formats either: RFC 8422 left only the uncompressed format, and a missing extension means exactly that
  // (§5.1.2); the recorded server of tls12.xargs.org leaves it out too.
  throw new NotImplemented("11.5");
  // END 11.5
}
