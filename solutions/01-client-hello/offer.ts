// What our client offers: a fresh key pair for each group it sends a key share for, and the
// ClientHello for a TLS 1.2 offer or a TLS 1.3 offer. The private keys stay with the client for
// chapters 05 and 07, where the shared secret is computed.
import { x25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
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

/** Makes a fresh key pair for X25519 or secp256r1 (P-256). */
export function makeKeyPair(group: number): KeyPair {
  // EXERCISE 01.7: X25519 (RFC 7748): a random 32-byte secret from x25519.utils.randomSecretKey(), the
  // public key from x25519.getPublicKey. secp256r1: p256.utils.randomSecretKey() and the UNCOMPRESSED
  // point p256.getPublicKey(secret, false), 65 bytes starting 04 (RFC 8446 §4.2.8.2). Any other group:
  // TlsError internal_error (we never offer what we cannot compute).
  if (group === NamedGroup.x25519) {
    const privateKey = x25519.utils.randomSecretKey();
    return { group, privateKey, publicKey: x25519.getPublicKey(privateKey) };
  }
  if (group === NamedGroup.secp256r1) {
    const privateKey = p256.utils.randomSecretKey();
    return { group, privateKey, publicKey: p256.getPublicKey(privateKey, false) };
  }
  throw new TlsError(AlertDescription.internal_error, `cannot make a key pair for ${describeCode(NamedGroup, group)}`, { field: "group" });
  // END 01.7
}

/** What to offer. Anything left out takes the defaults below. */
export interface Offer {
  /** "1.3" offers TLS 1.3 only (supported_versions 0x0304); "1.2" offers TLS 1.2 only. */
  version: "1.2" | "1.3";
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

/** The suites we offer by default, best first. */
export const DEFAULT_SUITES = {
  "1.3": [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
  "1.2": [
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
  ],
};

export const DEFAULT_GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1];

export const DEFAULT_SIGNATURE_SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** Builds a ClientHello for the offer, and the key pairs behind its key shares. */
export function makeClientHello(offer: Offer): { clientHello: ClientHello; keyPairs: KeyPair[] } {
  // EXERCISE 01.8: fill a ClientHello: legacy_version 0x0303 (RFC 8446 §4.1.2, even for TLS 1.3), a fresh
  // 32-byte random (or offer.random), compression [null]. TLS 1.3 offer: a 32-byte legacy_session_id
  // (middlebox compatibility, RFC 8446 §D.4), the 1.3 suites, and the extensions server_name (if any),
  // supported_groups, signature_algorithms, supported_versions [0x0304], key_share with one fresh
  // makeKeyPair per keyShareGroups entry, psk_key_exchange_modes [psk_dhe_ke]. TLS 1.2 offer: an empty
  // session id, the 1.2 suites, server_name, supported_groups, ec_point_formats [uncompressed],
  // signature_algorithms, renegotiation_info (empty), extended_master_secret. Defaults are above.
  const is13 = offer.version === "1.3";
  const groups = offer.groups ?? DEFAULT_GROUPS;
  const keyPairs = is13 ? (offer.keyShareGroups ?? groups.slice(0, 1)).map(makeKeyPair) : [];
  const shares: KeyShareEntry[] = keyPairs.map((k) => ({ group: k.group, keyExchange: k.publicKey }));
  const extensions: ClientExtension[] = [];
  if (offer.serverName !== undefined) {
    extensions.push({ kind: "server_name", serverNames: [{ nameType: NameType.host_name, hostName: offer.serverName }] });
  }
  extensions.push({ kind: "supported_groups", groups });
  if (!is13) extensions.push({ kind: "ec_point_formats", formats: [ECPointFormat.uncompressed] });
  extensions.push({ kind: "signature_algorithms", schemes: offer.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES });
  if (is13) {
    extensions.push({ kind: "supported_versions", versions: [ProtocolVersion.TLS1_3] });
    extensions.push({ kind: "key_share", shares });
    extensions.push({ kind: "psk_key_exchange_modes", modes: [PskKeyExchangeMode.psk_dhe_ke] });
  } else {
    extensions.push({ kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) });
    extensions.push({ kind: "extended_master_secret" });
  }
  const clientHello: ClientHello = {
    legacyVersion: ProtocolVersion.TLS1_2,
    random: offer.random ?? randomBytes(RANDOM_LENGTH),
    legacySessionId: offer.sessionId ?? (is13 ? randomBytes(32) : new Uint8Array(0)),
    cipherSuites: offer.cipherSuites ?? DEFAULT_SUITES[offer.version],
    legacyCompressionMethods: [CompressionMethod.null],
    extensions,
  };
  return { clientHello, keyPairs };
  // END 01.8
}
