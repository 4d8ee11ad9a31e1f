// What our client offers: a fresh key pair for each group it sends a key share for, and the
// ClientHello for a TLS 1.2 offer, a TLS 1.3 offer, or one hello that offers both and lets the server
// choose, as real clients do. The private keys stay with the client for chapters 05 and 07, where the
// shared secret is computed.
import { x25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { randomBytes } from "@noble/hashes/utils.js";
import {
  AlertDescription,
  CipherSuite,
  CompressionMethod,
  ECPointFormat,
  NameType,
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  RANDOM_LENGTH,
  SignatureScheme,
  describeCode,
} from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { ClientHello } from "./client-hello.js";
import type { ClientExtension, KeyShareEntry } from "./extensions.js";

/** A key pair for one group: the public half goes into key_share, the private half stays here. */
export interface KeyPair {
  group: number;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  /**
   * How this pair finishes the exchange with the peer's share, when that is not chapter 05's ECDHE: chapter 12's
   * hybrid pairs decapsulate an ML-KEM ciphertext. Absent for the pairs makeKeyPair makes.
   */
  sharedSecret?: (peerShare: Uint8Array) => Uint8Array;
}

/** Makes a fresh key pair for X25519, secp256r1 (P-256) or secp384r1 (P-384). */
export function makeKeyPair(group: number): KeyPair {
  // EXERCISE 01.7: X25519 (RFC 7748): a random 32-byte secret from x25519.utils.randomSecretKey(), the
  // public key from x25519.getPublicKey. secp256r1: p256.utils.randomSecretKey() and the UNCOMPRESSED
  // point p256.getPublicKey(secret, false), 65 bytes starting 04 (RFC 8446 §4.2.8.2). secp384r1: the same
  // with p384 (a 48-byte secret, a 97-byte point). Any other group: TlsError internal_error (we never
  // offer what we cannot compute).
  if (group === NamedGroup.x25519) {
    const privateKey = x25519.utils.randomSecretKey();
    return { group, privateKey, publicKey: x25519.getPublicKey(privateKey) };
  }
  if (group === NamedGroup.secp256r1 || group === NamedGroup.secp384r1) {
    // The same recipe on either curve; only the sizes differ (32- or 48-byte coordinates).
    const curve = group === NamedGroup.secp256r1 ? p256 : p384;
    const privateKey = curve.utils.randomSecretKey();
    return { group, privateKey, publicKey: curve.getPublicKey(privateKey, false) };
  }
  throw new TlsError(AlertDescription.internal_error, `cannot make a key pair for ${describeCode(NamedGroup, group)}`, { field: "group" });
  // END 01.7
}

/** What to offer. Anything left out takes the defaults below. */
export interface Offer {
  /**
   * "both" offers TLS 1.3 and TLS 1.2 in one ClientHello (supported_versions 0x0304, 0x0303): the server picks, as
   * with every real client. "1.3" offers TLS 1.3 only (supported_versions 0x0304); "1.2" offers TLS 1.2 only.
   */
  version: "1.2" | "1.3" | "both";
  serverName?: string;
  cipherSuites?: number[];
  groups?: number[];
  /** TLS 1.3: the groups to send key shares for (default: the first group). */
  keyShareGroups?: number[];
  signatureSchemes?: number[];
  /** Fixed values for tests; fresh random ones otherwise. */
  random?: Uint8Array;
  sessionId?: Uint8Array;
}

/**
 * The suites we offer by default, best first: every suite the client can run. In TLS 1.2, forward secrecy first
 * (ECDHE, then DHE; plain RSA key exchange last), ECDSA before RSA, AES-128-GCM before AES-256-GCM before
 * ChaCha20-Poly1305 (all three are sound; AES is faster where the processor has AES instructions). A hello that
 * offers both versions lists the 1.3 suites first: a 1.3 server picks from those, a 1.2 server from the others.
 */
export const DEFAULT_SUITES = {
  "1.3": [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
  "1.2": [
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
  ],
};

/**
 * The groups we offer by default, best first: X25519, then the NIST curves P-256 and P-384. P-384 is there because a
 * TLS 1.2 server may only use an ECDSA certificate on a curve the client listed (RFC 8422 §5.1.1), and because some
 * servers insist on it. The FFDHE groups (RFC 7919) are left out: we could not answer a TLS 1.3 server that asked
 * for a key share in one (--group ffdhe2048 offers it for TLS 1.2 DHE).
 */
export const DEFAULT_GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

export const DEFAULT_SIGNATURE_SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** Builds a ClientHello for the offer, and the key pairs behind its key shares. */
export function makeClientHello(offer: Offer): { clientHello: ClientHello; keyPairs: KeyPair[] } {
  // EXERCISE 01.8: fill a ClientHello: legacy_version 0x0303 (RFC 8446 §4.1.2, even for TLS 1.3), a fresh
  // 32-byte random (or offer.random), compression [null]. What a TLS 1.3 offer adds: a 32-byte legacy_session_id
  // (middlebox compatibility, RFC 8446 §D.4), the 1.3 suites, supported_versions, key_share with one fresh
  // makeKeyPair per keyShareGroups entry, psk_key_exchange_modes [psk_dhe_ke]. What a TLS 1.2 offer adds: the 1.2
  // suites, ec_point_formats [uncompressed], renegotiation_info (empty), extended_master_secret; alone, an empty
  // session id. "both" adds both: supported_versions [0x0304, 0x0303], the 1.3 suites then the 1.2 ones. The order:
  // server_name (if any), supported_groups, ec_point_formats, signature_algorithms, supported_versions, key_share,
  // psk_key_exchange_modes, renegotiation_info, extended_master_secret. Defaults are above.
  const offers13 = offer.version !== "1.2";
  const offers12 = offer.version !== "1.3";
  const groups = offer.groups ?? DEFAULT_GROUPS;
  const keyPairs = offers13 ? (offer.keyShareGroups ?? groups.slice(0, 1)).map(makeKeyPair) : [];
  const shares: KeyShareEntry[] = keyPairs.map((k) => ({ group: k.group, keyExchange: k.publicKey }));
  const extensions: ClientExtension[] = [];
  if (offer.serverName !== undefined) {
    extensions.push({ kind: "server_name", serverNames: [{ nameType: NameType.host_name, hostName: offer.serverName }] });
  }
  extensions.push({ kind: "supported_groups", groups });
  if (offers12) extensions.push({ kind: "ec_point_formats", formats: [ECPointFormat.uncompressed] });
  extensions.push({ kind: "signature_algorithms", schemes: offer.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES });
  if (offers13) {
    // A TLS 1.2 server ignores what it does not know (RFC 5246 §7.4.1.4): it answers with legacy_version 0x0303.
    const versions = offers12 ? [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2] : [ProtocolVersion.TLS1_3];
    extensions.push({ kind: "supported_versions", versions });
    extensions.push({ kind: "key_share", shares });
    extensions.push({ kind: "psk_key_exchange_modes", modes: [PskKeyExchangeMode.psk_dhe_ke] });
  }
  if (offers12) {
    extensions.push({ kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) });
    extensions.push({ kind: "extended_master_secret" });
  }
  const suites = [...(offers13 ? DEFAULT_SUITES["1.3"] : []), ...(offers12 ? DEFAULT_SUITES["1.2"] : [])];
  const clientHello: ClientHello = {
    legacyVersion: ProtocolVersion.TLS1_2,
    random: offer.random ?? randomBytes(RANDOM_LENGTH),
    legacySessionId: offer.sessionId ?? (offers13 ? randomBytes(32) : new Uint8Array(0)),
    cipherSuites: offer.cipherSuites ?? suites,
    legacyCompressionMethods: [CompressionMethod.null],
    extensions,
  };
  return { clientHello, keyPairs };
  // END 01.8
}
