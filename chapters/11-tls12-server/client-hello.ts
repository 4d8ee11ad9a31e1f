// The server reads a ClientHello and chooses: the version (also for a server that speaks 1.3 and 1.2 from one port),
// then, for TLS 1.2, the suite, and with it who can serve it: a certificate whose key fits the suite, a signature
// scheme the client accepts, a curve or a finite-field group both know. Chapter 01 decoded the ClientHello; what is
// new is the server's side of the choice. Read RFC 5246 §7.4.1.2 (ClientHello), §7.4.1.4.1 (signature_algorithms),
// §7.4.2 (which certificate fits which suite), RFC 8446 §4.2.1 (supported_versions), RFC 7507 (the fallback SCSV),
// RFC 8422 §5.1 (curves), RFC 7919 §4 (FFDHE groups), RFC 5746 §3.6 (secure renegotiation) and RFC 7627 §5.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import {
  AlertDescription,
  CipherSuite,
  CompressionMethod,
  OtherCipherSuite,
  ProtocolVersion,
  SignatureScheme,
  cipherSuites,
  describeCode,
  describeSuite,
} from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { type ClientHello, findExtension } from "../01-client-hello/index.js";
import type { HashName } from "../03-certificates/index.js";
import { prfHash } from "../04-rsa-key-exchange/index.js";
import { schemeInfo } from "../05-dhe-key-exchange/index.js";
import { checkKeyForSuite } from "../06-tls12-handshake/index.js";
import { DEFAULT_ALPN, type ServerCredential, chooseAlpn, findServerName } from "../10-tls13-server/index.js";
import { SERVER_CURVES_12, SERVER_FFDHE_GROUPS, SERVER_SUITES_12, type Tls12ServerConfig } from "./config.js";
import { NotImplemented } from "../../lib/errors.js";

const version = (v: number): string => describeCode(ProtocolVersion, v);

/**
 * The version a server that speaks `serverVersions` (best first) answers this ClientHello with (RFC 8446 §4.2.1,
 * RFC 5246 Appendix E.1), after the fallback check of RFC 7507 §3.
 */
export function chooseVersion(ch: ClientHello, serverVersions: readonly number[]): number {
  // TODO 11.1: with supported_versions, the client offers exactly the versions it lists (RFC 8446 §4.2.1: then
  // legacy_version means nothing); without it, legacy_version and everything below it, but never TLS 1.3, which is
  // only ever offered through the extension. Walk serverVersions in order and return the first one the client offers:
  // a client offering 1.3 and 1.2 gets 1.3 from a server that has it. None: protocol_version, field
  // "supported_versions", saying what each side has. Then RFC 7507 §3: a ClientHello that carries TLS_FALLBACK_SCSV
  // (OtherCipherSuite) is a client's second try after a failed first one; if the version you chose is below the
  // server's best, someone broke the first try to push the client down: inappropriate_fallback, field "cipher_suites".
  throw new NotImplemented("11.1");
  // END 11.1
}

/** The signature schemes a TLS 1.2 server signs its ServerKeyExchange with, best first (RFC 8446 §4.2.3 names them). */
export const SERVER_SCHEMES_12: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** True for the finite-field groups of RFC 7919: every code point from 256 to 511, known or not (§4). */
export const isFfdheGroup = (group: number): boolean => group >= 0x0100 && group <= 0x01ff;

/** The scheme `credential` signs with for a client that accepts `offered`, or undefined when there is none. */
export function pickSignatureScheme12(credential: ServerCredential, offered: readonly number[]): number | undefined {
  // TODO 11.2: the first of SERVER_SCHEMES_12 (our order) that the client offered and the key can make: the
  // ecdsa_* schemes need an EC key, rsa_pkcs1_* and rsa_pss_rsae_* an RSA key (schemeInfo(…).kind, chapter 05). In
  // TLS 1.2, 0x0403 means "ECDSA with SHA-256" on whatever curve the key is on (RFC 8446 §4.2.3 keeps that reading).
  throw new NotImplemented("11.2");
  // END 11.2
}

/** The RFC 7919 group for a DHE suite, or undefined when this client must not get one (RFC 7919 §4). */
export function pickFfdheGroup(ch: ClientHello, groups: readonly number[]): number | undefined {
  // TODO 11.2: the FFDHE groups the client lists in supported_groups (isFfdheGroup, unknown ones included). None
  // at all: the client is older than RFC 7919 and takes any group, so use ours, groups[0]. Some: the first of `groups`
  // among them; none in common: undefined, and a DHE suite must not be chosen (RFC 7919 §4: "MUST NOT select").
  throw new NotImplemented("11.2");
  // END 11.2
}

/** The key exchange of a TLS 1.2 suite, as the server's steps need it. */
export type KeyExchange12 = "RSA" | "DHE" | "ECDHE";

/** What a suite needs from the server, chosen. */
export interface SuiteChoice12 {
  cipherSuite: number;
  keyExchange: KeyExchange12;
  /** ECDHE: the curve; DHE: the RFC 7919 group. */
  group?: number;
  /** The certificate and key that serve the suite. */
  credential: ServerCredential;
  /** DHE and ECDHE: the scheme the ServerKeyExchange is signed with. */
  scheme?: number;
}

/** True when chapter 06's client would accept `leaf` for `suite` (RFC 5246 §7.4.2): the server sends no other. */
function fits(suite: number, leaf: ServerCredential["leaf"]): boolean {
  try {
    checkKeyForSuite(cipherSuites.get(suite)!, leaf);
    return true;
  } catch {
    return false;
  }
}

/** Chooses the suite by the server's preference, and what serves it. No suite works: handshake_failure. */
export function chooseSuite12(ch: ClientHello, config: Tls12ServerConfig): SuiteChoice12 {
  // TODO 11.3: walk the server's suites (config.cipherSuites ?? SERVER_SUITES_12) and return the first that the
  // client offered, that is a TLS 1.2 suite of the cipherSuites registry, and that the server can serve: its key
  // exchange (RSA, DHE_RSA → DHE, ECDHE_* → ECDHE) needs for ECDHE a curve, the first of config.curves ??
  // SERVER_CURVES_12 in the client's supported_groups (none listed: no ECDHE, RFC 8422 §4), for DHE a group
  // (pickFfdheGroup with config.ffdheGroups ?? SERVER_FFDHE_GROUPS); then the first of config.credentials whose
  // certificate fits the suite (fits() above: chapter 06's checkKeyForSuite, key type and keyUsage), and for DHE and
  // ECDHE also a signature scheme (pickSignatureScheme12 with the client's signature_algorithms; a client without
  // them asks for SHA-1, RFC 5246 §7.4.1.4.1, which we do not sign with). None: handshake_failure, field
  // "cipher_suites", naming what the client offered.
  throw new NotImplemented("11.3");
  // END 11.3
}

/** Everything the server settled from the ClientHello: what its steps need to answer it. */
export interface Choice12 extends SuiteChoice12 {
  clientHello: ClientHello;
  /** The ClientHello as received (the transcript holds these bytes). */
  message: Uint8Array;
  /** The PRF's hash (chapter 04's prfHash). */
  hash: HashName;
  /** Both sides agreed to the extended master secret (RFC 7627 §5.2). */
  extendedMasterSecret: boolean;
  /** The client signalled RFC 5746 (the extension or the SCSV): the ServerHello answers with renegotiation_info. */
  secureRenegotiation: boolean;
  /** The application protocol (RFC 7301), when the client offered ALPN. */
  alpn?: string;
  /** The host name the client asked for (RFC 6066). */
  serverName?: string;
}

/** A TLS 1.2 server's reading of a ClientHello: refuses what it must, then chooses. */
export function processClientHello12(ch: ClientHello, message: Uint8Array, config: Tls12ServerConfig): Choice12 {
  // TODO 11.4: (1) chooseVersion(ch, [TLS 1.2]) (11.1): a client that cannot do 1.2 gets protocol_version. (2)
  // legacy_compression_methods must include null (0), RFC 5246 §7.4.1.2: illegal_parameter. (3) A renegotiation_info
  // extension must be empty on a first handshake, RFC 5746 §3.6: handshake_failure, field "renegotiation_info";
  // secureRenegotiation is true when the client sent it or TLS_EMPTY_RENEGOTIATION_INFO_SCSV. (4) extendedMasterSecret:
  // the client offered extended_master_secret and config.extendedMasterSecret is not false. (5) alpn = chapter 10's
  // chooseAlpn(ch, config.alpn ?? DEFAULT_ALPN). (6) chooseSuite12 (11.3). Return the Choice12, with hash =
  // prfHash(suite) and serverName = chapter 10's findServerName(ch).
  throw new NotImplemented("11.4");
  // END 11.4
}
