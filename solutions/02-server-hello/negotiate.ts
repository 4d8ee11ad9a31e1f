// Negotiation, from both ends. The server picks a version, a suite and (TLS 1.3) a key share group from what
// the client offered; the client checks that the answer is one it could have got. RFC 8446 §4.1.1 (what is
// negotiated), §4.1.3 (ServerHello, downgrade protection), §4.1.4 and §4.2.8 (HelloRetryRequest), §4.2.1 and §4.2.
import {
  AlertDescription,
  CipherSuite,
  CompressionMethod,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  NamedGroup,
  ProtocolVersion,
  cipherSuites,
  describeCode,
  describeSuite,
} from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { equalBytes, toHex } from "../../lib/hex.js";
import { type ClientHello, type KeyShareEntry, extensionType, findExtension } from "../01-client-hello/index.js";
import { findServerExtension, serverExtensionType } from "./server-extensions.js";
import { type ServerHello, isHelloRetryRequest } from "./server-hello.js";

const version = (v: number): string => describeCode(ProtocolVersion, v);
const group = (g: number): string => describeCode(NamedGroup, g);
const ext = (t: number): string => describeCode(ExtensionType, t);

/** The version a ServerHello settles on, as a client reads it (RFC 8446 §4.1.3, §4.2.1). */
export function negotiatedVersion(sh: ServerHello): number {
  // EXERCISE 02.5: with a supported_versions extension, the version is its selected_version, which must be
  // TLS 1.3 (0x0304) with legacy_version 0x0303 beside it: anything else is illegal_parameter (a 1.2 server
  // never sends the extension). Without it, the version is legacy_version, which must then be TLS 1.2 or
  // lower: a higher one is a protocol_version alert (1.3 is only ever chosen through the extension).
  // Every error names the field, what was expected and what arrived. (RFC 8446 §4.1.3, §4.2.1)
  const sv = findServerExtension(sh.extensions, "supported_versions");
  if (sv !== undefined) {
    if (sv.selectedVersion !== ProtocolVersion.TLS1_3) {
      throw illegalParameter("supported_versions", `selected_version must be ${version(ProtocolVersion.TLS1_3)}, got ${version(sv.selectedVersion)}`);
    }
    if (sh.legacyVersion !== ProtocolVersion.TLS1_2) {
      // The real version lives in the extension; legacy_version stays frozen at 1.2 for middleboxes.
      throw illegalParameter("legacy_version", `must be ${version(ProtocolVersion.TLS1_2)} in a TLS 1.3 ServerHello, got ${version(sh.legacyVersion)}`);
    }
    return sv.selectedVersion;
  }
  if (sh.legacyVersion > ProtocolVersion.TLS1_2) {
    throw new TlsError(
      AlertDescription.protocol_version,
      `${version(sh.legacyVersion)} without supported_versions: TLS 1.3 is chosen only through that extension`,
      { field: "legacy_version" },
    );
  }
  return sh.legacyVersion;
  // END 02.5
}

/** What a server supports, best first. */
export interface ServerPreferences {
  versions: number[];
  cipherSuites: number[];
  groups: number[];
}

/** What the server settled on for this ClientHello. */
export interface ServerChoice {
  version: number;
  cipherSuite: number;
  /** TLS 1.3: the key exchange group. TLS 1.2: the ECDHE curve, for ECDHE suites only. */
  group?: number;
  /** TLS 1.3: the client's share in `group`, when it sent one. */
  keyShare?: KeyShareEntry;
  /** TLS 1.3: the client sent no share in `group`; the server must answer with a HelloRetryRequest. */
  helloRetry: boolean;
}

/** The FFDHE groups (RFC 7919) live at 0x0100–0x01ff; everything an ECDHE suite can use is outside it. */
const isFfdheGroup = (g: number): boolean => g >= 0x0100 && g <= 0x01ff;

/** The server's side: choose version, suite and group from a ClientHello, by the server's own preference. */
export function chooseParameters(ch: ClientHello, prefs: ServerPreferences): ServerChoice {
  // EXERCISE 02.6: walk the SERVER's lists in order and take the first entry the client also offered.
  // Version: from the client's supported_versions; without it, only versions up to min(legacy_version, 1.2)
  // (§4.2.1: never 1.3 without the extension); none in common → protocol_version. Suite: one the client
  // listed AND that belongs to that version (cipherSuites registry in lib/constants); none → handshake_failure.
  // TLS 1.3: the group is the first server group in the client's supported_groups (missing → missing_extension,
  // none in common → handshake_failure); its share from key_share if the client sent one, else helloRetry:
  // true (§4.1.1, §4.2.8). TLS 1.2 ECDHE suites: the first common non-FFDHE group, and a suite whose curve
  // cannot be agreed is skipped (RFC 8422 §5.1); other 1.2 suites have no group. helloRetry is false then.
  const offered = findExtension(ch.extensions, "supported_versions");
  const clientVersions = offered?.versions ?? [];
  const chosenVersion = prefs.versions.find((v) =>
    offered !== undefined ? clientVersions.includes(v) : v <= Math.min(ch.legacyVersion, ProtocolVersion.TLS1_2),
  );
  if (chosenVersion === undefined) {
    const theirs = offered !== undefined ? clientVersions.map(version).join(", ") : `up to ${version(ch.legacyVersion)} (legacy_version)`;
    throw new TlsError(AlertDescription.protocol_version, `no version in common: client offers ${theirs}, server supports ${prefs.versions.map(version).join(", ")}`, {
      field: "supported_versions",
    });
  }
  const is13 = chosenVersion === ProtocolVersion.TLS1_3;
  const label = is13 ? "TLS 1.3" : "TLS 1.2";
  const clientGroups = findExtension(ch.extensions, "supported_groups")?.groups ?? [];

  if (is13) {
    const suite = prefs.cipherSuites.find((s) => ch.cipherSuites.includes(s) && cipherSuites.get(s)?.version === label);
    if (suite === undefined) {
      throw new TlsError(AlertDescription.handshake_failure, `no TLS 1.3 cipher suite in common: client offers ${ch.cipherSuites.map(describeSuite).join(", ")}`, {
        field: "cipher_suites",
      });
    }
    if (findExtension(ch.extensions, "supported_groups") === undefined) {
      // §9.2: a TLS 1.3 ClientHello without a PSK must carry supported_groups (and key_share).
      throw new TlsError(AlertDescription.missing_extension, "a TLS 1.3 ClientHello must carry supported_groups", { field: "supported_groups" });
    }
    const chosenGroup = prefs.groups.find((g) => clientGroups.includes(g));
    if (chosenGroup === undefined) {
      throw new TlsError(AlertDescription.handshake_failure, `no group in common: client offers ${clientGroups.map(group).join(", ")}`, {
        field: "supported_groups",
      });
    }
    const share = findExtension(ch.extensions, "key_share")?.shares.find((s) => s.group === chosenGroup);
    // No share in the group we want: one more round trip, a HelloRetryRequest naming it (§4.1.4).
    if (share === undefined) return { version: chosenVersion, cipherSuite: suite, group: chosenGroup, helloRetry: true };
    return { version: chosenVersion, cipherSuite: suite, group: chosenGroup, keyShare: share, helloRetry: false };
  }

  // TLS 1.2 and older: the suite carries the key exchange. An ECDHE suite also needs a curve both sides know.
  const curve = prefs.groups.find((g) => clientGroups.includes(g) && !isFfdheGroup(g));
  for (const suite of prefs.cipherSuites) {
    const info = cipherSuites.get(suite);
    if (!ch.cipherSuites.includes(suite) || info?.version !== "TLS 1.2") continue;
    if (info.keyExchange.startsWith("ECDHE")) {
      if (curve === undefined) continue;
      return { version: chosenVersion, cipherSuite: suite, group: curve, helloRetry: false };
    }
    return { version: chosenVersion, cipherSuite: suite, helloRetry: false };
  }
  throw new TlsError(AlertDescription.handshake_failure, `no ${label} cipher suite in common: client offers ${ch.cipherSuites.map(describeSuite).join(", ")}`, {
    field: "cipher_suites",
  });
  // END 02.6
}

/** What the client learns from a ServerHello it accepted. */
export interface Negotiated {
  version: number;
  cipherSuite: number;
  /** TLS 1.3: the group of the server's key share, or the group a HelloRetryRequest asks for. */
  group?: number;
}

/** The versions a ClientHello offers: its supported_versions, or (without it) legacy_version and below. */
function offeredVersions(ch: ClientHello): number[] {
  const sv = findExtension(ch.extensions, "supported_versions");
  if (sv !== undefined) return sv.versions;
  const all: number[] = [ProtocolVersion.TLS1_2, ProtocolVersion.TLS1_1, ProtocolVersion.TLS1_0];
  return all.filter((v) => v <= ch.legacyVersion);
}

/** The extensions each TLS 1.3 message may carry (RFC 8446 §4.2, the table's "SH" and "HRR" columns). */
const ALLOWED_13: Record<"server_hello" | "hello_retry_request", readonly number[]> = {
  server_hello: [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.pre_shared_key],
  hello_retry_request: [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.cookie],
};

/**
 * The version a ServerHello (or HelloRetryRequest) settled on, checked against our offer: every extension in it
 * answers one we sent (and in TLS 1.3 may appear in that message at all), the version is one we offered, and a TLS
 * 1.3 server pushed down to TLS 1.2 is caught by its downgrade sentinel (RFC 8446 §4.1.3, §4.2).
 */
export function checkServerVersion(ch: ClientHello, sh: ServerHello): number {
  // EXERCISE 02.7: a server may only ANSWER: an extension we never sent is unsupported_extension (RFC 8446 §4.2).
  // 1. Every extension's type (serverExtensionType) is one the ClientHello sent (a HelloRetryRequest's cookie excepted;
  //    the renegotiation SCSV counts as renegotiation_info, RFC 5746 §3.4): else unsupported_extension, "extensions".
  // 2. negotiated = negotiatedVersion(sh) (02.5). At TLS 1.2 or below, if we offered 1.3 (or 1.2, for DOWNGRD 00 at
  //    1.1 and below), a random ending in DOWNGRADE_TLS12 / DOWNGRADE_TLS11 is illegal_parameter, field "random".
  // 3. Not one of offeredVersions(ch): illegal_parameter via supported_versions, protocol_version via legacy_version.
  // 4. A HelloRetryRequest must be TLS 1.3 (illegal_parameter); in TLS 1.3 each extension must be one ALLOWED_13 lets
  //    this message carry (illegal_parameter, "extensions"). Return negotiated.
  const retry = isHelloRetryRequest(sh);
  const message = retry ? "HelloRetryRequest" : "ServerHello";
  const sent = new Set(ch.extensions.map(extensionType));
  // RFC 5746 §3.4: the SCSV in cipher_suites stands for an empty renegotiation_info extension.
  if (ch.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) sent.add(ExtensionType.renegotiation_info);
  for (const e of sh.extensions) {
    const t = serverExtensionType(e);
    if (!sent.has(t) && !(retry && t === ExtensionType.cookie)) {
      throw new TlsError(AlertDescription.unsupported_extension, `${message} carries ${ext(t)}, which the ClientHello did not offer`, {
        field: "extensions",
      });
    }
  }
  const negotiated = negotiatedVersion(sh);
  const ourVersions = offeredVersions(ch);
  if (negotiated <= ProtocolVersion.TLS1_2) {
    // Downgrade protection: a TLS 1.3 server pushed down to 1.2 by an attacker who deleted our 1.3 offer
    // still writes this marker into the random it signs, so the client notices (§4.1.3).
    const tail = sh.random.subarray(sh.random.length - DOWNGRADE_TLS12.length);
    const sentinel = equalBytes(tail, DOWNGRADE_TLS12) ? "DOWNGRD 01" : equalBytes(tail, DOWNGRADE_TLS11) ? "DOWNGRD 00" : undefined;
    const offered12 = ourVersions.includes(ProtocolVersion.TLS1_2);
    if (sentinel !== undefined && (ourVersions.includes(ProtocolVersion.TLS1_3) || (offered12 && negotiated < ProtocolVersion.TLS1_2 && sentinel === "DOWNGRD 00"))) {
      throw illegalParameter(
        "random",
        `ends with the downgrade sentinel ${sentinel} (${toHex(tail, " ")}) although we offered ${version(Math.max(...ourVersions))} and the server chose ${version(negotiated)}`,
      );
    }
  }
  if (!ourVersions.includes(negotiated)) {
    const expected = `one of ${ourVersions.map(version).join(", ")}`;
    if (findServerExtension(sh.extensions, "supported_versions") !== undefined) throw illegalParameter("supported_versions", `expected ${expected}, got ${version(negotiated)}`);
    throw new TlsError(AlertDescription.protocol_version, `expected ${expected}, got ${version(negotiated)}`, { field: "legacy_version" });
  }
  if (retry && negotiated !== ProtocolVersion.TLS1_3) throw illegalParameter("random", "a HelloRetryRequest exists only in TLS 1.3, but supported_versions is missing");
  if (negotiated === ProtocolVersion.TLS1_3) {
    const allowed = retry ? ALLOWED_13.hello_retry_request : ALLOWED_13.server_hello;
    for (const e of sh.extensions) {
      const t = serverExtensionType(e);
      if (!allowed.includes(t)) throw illegalParameter("extensions", `${ext(t)} may not appear in a TLS 1.3 ${message} (RFC 8446 §4.2)`);
    }
  }
  return negotiated;
  // END 02.7
}

/**
 * The group a TLS 1.3 ServerHello's key_share (or a HelloRetryRequest's selected_group) settles on, checked against
 * our offer (RFC 8446 §4.2.8); undefined when there is none and none is needed (a HelloRetryRequest with only a
 * cookie, a psk_ke resumption).
 */
export function checkKeyShareAnswer(ch: ClientHello, sh: ServerHello): number | undefined {
  // EXERCISE 02.8: a ServerHello's share is in a group we SENT a share for; a HelloRetryRequest asks for one we did NOT.
  // 1. HelloRetryRequest: no selected_group and no cookie asks for no change (illegal_parameter, "extensions"); with
  //    only a cookie, undefined. selected_group must be in our supported_groups and not among our shares
  //    (illegal_parameter, field "selected_group"); return it.
  // 2. ServerHello without a key_share: with a pre_shared_key, undefined (psk_ke); else missing_extension, "key_share".
  // 3. Its group must be one we sent a share for (illegal_parameter, field "key_share"); return it.
  const ourGroups = findExtension(ch.extensions, "supported_groups")?.groups ?? [];
  const ourShares = (findExtension(ch.extensions, "key_share")?.shares ?? []).map((s) => s.group);
  const ks = findServerExtension(sh.extensions, "key_share");
  if (isHelloRetryRequest(sh)) {
    if (ks === undefined || !("selectedGroup" in ks)) {
      // Without a group and without a cookie the retry would not change our ClientHello (§4.1.4).
      if (findServerExtension(sh.extensions, "cookie") === undefined) {
        throw illegalParameter("extensions", "a HelloRetryRequest with neither key_share nor cookie asks for no change");
      }
      return undefined;
    }
    const g = ks.selectedGroup;
    if (!ourGroups.includes(g)) {
      throw illegalParameter("selected_group", `expected one of our supported_groups (${ourGroups.map(group).join(", ")}), got ${group(g)}`);
    }
    if (ourShares.includes(g)) {
      throw illegalParameter("selected_group", `${group(g)} is a group we already sent a share for; a retry must ask for another`);
    }
    return g;
  }
  if (ks === undefined || !("share" in ks)) {
    if (sh.extensions.some((e) => serverExtensionType(e) === ExtensionType.pre_shared_key)) return undefined; // psk_ke: no (EC)DHE
    throw new TlsError(AlertDescription.missing_extension, "a TLS 1.3 ServerHello without a PSK must carry key_share", { field: "key_share" });
  }
  if (!ourShares.includes(ks.share.group)) {
    throw illegalParameter("key_share", `expected a group we sent a share for (${ourShares.map(group).join(", ")}), got ${group(ks.share.group)}`);
  }
  return ks.share.group;
  // END 02.8
}

/** The client's side: accept the ServerHello (or HelloRetryRequest) only if it answers what `ch` offered. */
export function checkServerHello(ch: ClientHello, sh: ServerHello): Negotiated {
  // EXERCISE 02.9: in TLS 1.3 the session id must come back EXACTLY: a mismatch means the answer is not to us.
  // 1. negotiated = checkServerVersion(ch, sh) (02.7); is13 = negotiated is TLS 1.3.
  // 2. TLS 1.3: legacy_session_id_echo equals our legacy_session_id (a 1.2 server may send a fresh one, RFC 5246
  //    §7.4.1.3), else illegal_parameter, field "legacy_session_id_echo".
  // 3. The suite is one we offered, and of the negotiated version; compression is 0: else illegal_parameter (§4.1.3).
  // 4. TLS 1.2: return { version, cipherSuite } (the curve comes later, in ServerKeyExchange).
  // 5. TLS 1.3: return { version, cipherSuite, group } with the group checkKeyShareAnswer(ch, sh) (02.8) accepts.
  const negotiated = checkServerVersion(ch, sh);
  const is13 = negotiated === ProtocolVersion.TLS1_3;
  if (is13 && !equalBytes(sh.legacySessionIdEcho, ch.legacySessionId)) {
    throw illegalParameter(
      "legacy_session_id_echo",
      `expected our session id (${ch.legacySessionId.length} bytes: ${toHex(ch.legacySessionId)}), got ${sh.legacySessionIdEcho.length} bytes: ${toHex(sh.legacySessionIdEcho)}`,
    );
  }
  if (!ch.cipherSuites.includes(sh.cipherSuite)) {
    throw illegalParameter("cipher_suite", `${describeSuite(sh.cipherSuite)} was not offered (we offered ${ch.cipherSuites.map(describeSuite).join(", ")})`);
  }
  const suiteVersion = cipherSuites.get(sh.cipherSuite)?.version;
  if (suiteVersion !== undefined && suiteVersion !== (is13 ? "TLS 1.3" : "TLS 1.2")) {
    throw illegalParameter("cipher_suite", `${describeSuite(sh.cipherSuite)} is a ${suiteVersion} suite, but the version is ${version(negotiated)}`);
  }
  if (sh.legacyCompressionMethod !== CompressionMethod.null) {
    throw illegalParameter("legacy_compression_method", `expected 0 (null), got ${sh.legacyCompressionMethod}`);
  }
  if (!is13) return { version: negotiated, cipherSuite: sh.cipherSuite };
  const group = checkKeyShareAnswer(ch, sh);
  return group === undefined ? { version: negotiated, cipherSuite: sh.cipherSuite } : { version: negotiated, cipherSuite: sh.cipherSuite, group };
  // END 02.9
}
