// The server reads a ClientHello. Chapter 01 decodes it and chapter 02 chooses from it; what is new is the server's
// duty to refuse a ClientHello that breaks TLS 1.3's rules before it acts on anything in it. Read RFC 8446 §4.1.2
// (ClientHello), §4.2 (extensions), §4.2.8 (key_share), §4.2.9 and §4.2.11 (PSK offers) and §9.2 (the extensions
// every TLS 1.3 ClientHello must carry).
import { AlertDescription, CompressionMethod, ExtensionType, NamedGroup, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { type ClientHello, extensionType, findExtension } from "../01-client-hello/index.js";
import { type ServerChoice, type ServerPreferences, chooseParameters } from "../02-server-hello/index.js";

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
  // EXERCISE 10.1: check, in this order, each failure a TlsError naming the field: (1) supported_versions must
  // offer TLS 1.3 (0x0304), else protocol_version (§4.2.1: 1.3 is negotiated only there; this server does nothing
  // older). (2) legacy_compression_methods is exactly [0], else illegal_parameter (§4.1.2). (3) A pre_shared_key
  // must be the last extension (illegal_parameter, §4.2.11) and comes with psk_key_exchange_modes (missing_extension,
  // §4.2.9). (4) Without a pre_shared_key, signature_algorithms is required (missing_extension, §9.2). (5)
  // supported_groups and key_share come together or not at all (missing_extension, §9.2). (6) Every key share is
  // in a group of supported_groups and no group is shared twice (illegal_parameter, §4.2.8). Then return chapter 02's
  // chooseParameters(ch, prefs): by the server's order, ignoring whatever it does not know (GREASE, RFC 8701).
  const versions = findExtension(ch.extensions, "supported_versions")?.versions ?? [];
  if (!versions.includes(ProtocolVersion.TLS1_3)) {
    const offered = versions.length > 0 ? versions.map((v) => describeCode(ProtocolVersion, v)).join(", ") : `no supported_versions (legacy_version ${describeCode(ProtocolVersion, ch.legacyVersion)})`;
    throw new TlsError(AlertDescription.protocol_version, `this server speaks TLS 1.3 only; the client offers ${offered}`, { field: "supported_versions" });
  }
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== CompressionMethod.null) {
    throw illegalParameter("legacy_compression_methods", `a TLS 1.3 ClientHello offers exactly [0] (null), got [${ch.legacyCompressionMethods.join(", ")}]`);
  }
  const types = ch.extensions.map(extensionType);
  const pskAt = types.indexOf(ExtensionType.pre_shared_key);
  if (pskAt >= 0 && pskAt !== types.length - 1) {
    throw illegalParameter("pre_shared_key", `must be the last extension (RFC 8446 §4.2.11), it is number ${pskAt + 1} of ${types.length}`);
  }
  if (pskAt >= 0 && !types.includes(ExtensionType.psk_key_exchange_modes)) {
    throw missing("psk_key_exchange_modes", "a ClientHello that offers a PSK must say how it may be used (RFC 8446 §4.2.9)");
  }
  if (pskAt < 0 && !types.includes(ExtensionType.signature_algorithms)) {
    throw missing("signature_algorithms", "without a PSK the server authenticates with a signature: the client must list the schemes it accepts (RFC 8446 §9.2)");
  }
  const groups = findExtension(ch.extensions, "supported_groups");
  const keyShare = findExtension(ch.extensions, "key_share");
  if ((groups === undefined) !== (keyShare === undefined)) {
    const which = groups === undefined ? "key_share without supported_groups" : "supported_groups without key_share";
    throw missing(groups === undefined ? "supported_groups" : "key_share", `${which}: they come together (RFC 8446 §9.2)`);
  }
  const shared = new Set<number>();
  for (const share of keyShare?.shares ?? []) {
    if (!groups!.groups.includes(share.group)) throw illegalParameter("key_share", `a share for ${group(share.group)}, which supported_groups does not list (RFC 8446 §4.2.8)`);
    if (shared.has(share.group)) throw illegalParameter("key_share", `two shares for ${group(share.group)} (RFC 8446 §4.2.8)`);
    shared.add(share.group);
  }
  return chooseParameters(ch, prefs);
  // END 10.1
}
