// The server reads a ClientHello. Chapter 01 decodes it and chapter 02 chooses from it; what is new is the server's
// duty to refuse a ClientHello that breaks TLS 1.3's rules before it acts on anything in it. Read RFC 8446 §4.1.2
// (ClientHello), §4.2 (extensions), §4.2.8 (key_share), §4.2.9 and §4.2.11 (PSK offers) and §9.2 (the extensions
// every TLS 1.3 ClientHello must carry).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, CompressionMethod, ExtensionType, NamedGroup, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { type ClientHello, extensionType, findExtension } from "../01-client-hello/index.js";
import { type ServerChoice, type ServerPreferences, chooseParameters } from "../02-server-hello/index.js";
import { NotImplemented } from "../../lib/errors.js";

const group = (g: number): string => describeCode(NamedGroup, g);

/** A missing extension the RFC requires: missing_extension (RFC 8446 §6.2). */
function missing(field: string, message: string): TlsError {
  return new TlsError(AlertDescription.missing_extension, message, { field });
}

/** True when the ClientHello carries an extension of this type (decoded or raw). */
export function hasExtension(ch: ClientHello, type: number): boolean {
  return ch.extensions.some((e) => extensionType(e) === type);
}

/**
 * A TLS 1.3 server's reading of a ClientHello: refuses one that breaks the rules a server must enforce, then
 * chooses version, suite and group by the server's preference (chapter 02). The choice says `helloRetry` when the
 * client sent no key share in the chosen group.
 */
export function processClientHello(ch: ClientHello, prefs: ServerPreferences): ServerChoice {
  // TODO 10.1: check, in this order, each failure a TlsError naming the field: (1) supported_versions must
  // offer TLS 1.3 (0x0304), else protocol_version (§4.2.1: 1.3 is negotiated only there; this server does nothing
  // older). (2) legacy_compression_methods is exactly [0], else illegal_parameter (§4.1.2). (3) A pre_shared_key
  // must be the last extension (illegal_parameter, §4.2.11) and comes with psk_key_exchange_modes (missing_extension,
  // §4.2.9). (4) Without a pre_shared_key, signature_algorithms is required (missing_extension, §9.2). (5)
  // supported_groups and key_share come together or not at all (missing_extension, §9.2). (6) Every key share is
  // in a group of supported_groups and no group is shared twice (illegal_parameter, §4.2.8). Then return chapter 02's
  // chooseParameters(ch, prefs): by the server's order, ignoring whatever it does not know (GREASE, RFC 8701).
  throw new NotImplemented("10.1");
  // END 10.1
}
