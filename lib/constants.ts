// Every code point the project uses, by its RFC name, with the section that defines it.
// Messages hold plain numbers (a peer may send values we do not know); these tables give them names.
// Read: RFC 8446 §4 and §B.3, RFC 5246 §7.4 and §A, and the IANA "TLS Parameters" registry.

/** A table of named code points, e.g. { handshake: 22 }. */
export type CodeTable = Readonly<Record<string, number>>;

/** The name of `value` in `table`, or undefined. */
export function nameOf(table: CodeTable, value: number): string | undefined {
  // Every dump names thousands of values; build each table's reverse map once (the first name wins, as before).
  let names = reverseMaps.get(table);
  if (names === undefined) {
    names = new Map();
    for (const [name, v] of Object.entries(table)) if (!names.has(v)) names.set(v, name);
    reverseMaps.set(table, names);
  }
  return names.get(value);
}

const reverseMaps = new WeakMap<CodeTable, Map<number, string>>();

/** "name (0x1301)" for known values, "0x1a1a (GREASE)" or "unknown (0x1234)" otherwise. */
export function describeCode(table: CodeTable, value: number, width = 4): string {
  const hex = "0x" + value.toString(16).padStart(width, "0");
  const name = nameOf(table, value);
  if (name !== undefined) return `${name} (${hex})`;
  if (width === 4 && isGrease(value)) return `GREASE (${hex})`;
  return `unknown (${hex})`;
}

/** RFC 8446 §5.1: ContentType of a record. */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  heartbeat: 24, // RFC 6520; listed so that it has a name, never sent here
} as const;

/** RFC 8446 §4: HandshakeType (and the TLS 1.2 types from RFC 5246 §7.4). */
export const HandshakeType = {
  hello_request: 0, // TLS 1.2 only
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12, // TLS 1.2 only
  certificate_request: 13,
  server_hello_done: 14, // TLS 1.2 only
  certificate_verify: 15,
  client_key_exchange: 16, // TLS 1.2 only
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;

/** RFC 8446 §4.1.2 and §4.2.1: ProtocolVersion. */
export const ProtocolVersion = {
  SSL3_0: 0x0300,
  TLS1_0: 0x0301,
  TLS1_1: 0x0302,
  TLS1_2: 0x0303,
  TLS1_3: 0x0304,
} as const;

/** RFC 8446 §6: AlertLevel and AlertDescription. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100, // TLS 1.2 only
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

/**
 * Cipher suites. TLS 1.3 suites (RFC 8446 §B.4) name only the AEAD and the hash; TLS 1.2 suites
 * (RFC 5288, RFC 5289, RFC 7905) also name the key exchange and the server's signature kind.
 */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384: 0x009d,
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 0x009e,
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 0x009f,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  /** RFC 5746 §3.3: not a suite, a signal that the client supports secure renegotiation. */
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
} as const;

/** Suites other clients offer that we never negotiate; named only so that a dump can show them. */
export const OtherCipherSuite = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 0x002f,
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA: 0x0033,
  TLS_RSA_WITH_AES_256_CBC_SHA: 0x0035,
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA: 0x0039,
  TLS_RSA_WITH_AES_128_CBC_SHA256: 0x003c,
  TLS_RSA_WITH_AES_256_CBC_SHA256: 0x003d,
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA256: 0x0067,
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA256: 0x006b,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 0xc009,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 0xc00a,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 0xc013,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 0xc014,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 0xc023,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384: 0xc024,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 0xc027,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 0xc028,
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xccaa,
  TLS_AES_128_CCM_SHA256: 0x1304, // RFC 8446 §B.4: TLS 1.3 suites this project does not run, named when a server picks one
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM: 0xc0ac, // RFC 7251
  TLS_ECDHE_ECDSA_WITH_AES_256_CCM: 0xc0ad,
  TLS_FALLBACK_SCSV: 0x5600, // RFC 7507
} as const;

/** What a suite means, for the suites the project negotiates. */
export interface CipherSuiteInfo {
  name: string;
  /** The protocol version the suite belongs to. */
  version: "TLS 1.2" | "TLS 1.3";
  /** TLS 1.2 only: how the premaster secret is agreed (RFC 5246 §7.4.3, RFC 8422). TLS 1.3: "(EC)DHE". */
  keyExchange: "RSA" | "DHE_RSA" | "ECDHE_RSA" | "ECDHE_ECDSA" | "(EC)DHE";
  aead: "AES_128_GCM" | "AES_256_GCM" | "CHACHA20_POLY1305";
  hash: "SHA256" | "SHA384";
}

const suiteInfo = (name: string): CipherSuiteInfo => {
  const version = name.includes("_WITH_") ? "TLS 1.2" : "TLS 1.3";
  const kx = version === "TLS 1.3" ? "(EC)DHE" : name.slice(4, name.indexOf("_WITH_"));
  const aead = name.includes("AES_128_GCM") ? "AES_128_GCM" : name.includes("AES_256_GCM") ? "AES_256_GCM" : "CHACHA20_POLY1305";
  return {
    name,
    version,
    keyExchange: kx as CipherSuiteInfo["keyExchange"],
    aead,
    hash: name.endsWith("SHA384") ? "SHA384" : "SHA256",
  };
};

/** The registry of negotiable suites (every CipherSuite except the SCSV), keyed by code point. */
export const cipherSuites: ReadonlyMap<number, CipherSuiteInfo> = new Map(
  Object.entries(CipherSuite)
    .filter(([name]) => !name.endsWith("_SCSV"))
    .map(([name, code]) => [code, suiteInfo(name)]),
);

const ALL_SUITES: CodeTable = { ...CipherSuite, ...OtherCipherSuite };

/** A name for any suite code, known or not. */
export function describeSuite(code: number): string {
  return describeCode(ALL_SUITES, code);
}

/** RFC 8446 §4.2.7 NamedGroup (supported_groups, key_share), and RFC 8422 §5.1.1 for TLS 1.2. */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  // draft-ietf-tls-ecdhe-mlkem §6: the post-quantum hybrids (ML-KEM-768 beside an ECDH share), chapter 12.
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
} as const;

/** RFC 8446 §4.2.3 SignatureScheme (also TLS 1.2's SignatureAndHashAlgorithm pairs, RFC 5246 §7.4.1.4.1). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  // TLS 1.2 pairs (hash, signature) that OpenSSL still offers; RFC 5246 §7.4.1.4.1
  sha224_rsa: 0x0301,
  sha224_ecdsa: 0x0303,
  sha224_dsa: 0x0302,
  sha1_dsa: 0x0202,
  sha256_dsa: 0x0402,
  sha384_dsa: 0x0502,
  sha512_dsa: 0x0602,
} as const;

/** RFC 8446 §4.2 ExtensionType, plus the TLS 1.2 extensions the chapters meet. */
export const ExtensionType = {
  server_name: 0, // RFC 6066 §3
  max_fragment_length: 1, // RFC 6066 §4
  status_request: 5, // RFC 6066 §8
  supported_groups: 10, // RFC 8446 §4.2.7 (called elliptic_curves in RFC 4492)
  ec_point_formats: 11, // RFC 8422 §5.1.2
  signature_algorithms: 13, // RFC 8446 §4.2.3
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16, // RFC 7301
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21, // RFC 7685
  encrypt_then_mac: 22, // RFC 7366
  extended_master_secret: 23, // RFC 7627
  compress_certificate: 27, // RFC 8879
  record_size_limit: 28, // RFC 8449
  session_ticket: 35, // RFC 5077
  pre_shared_key: 41, // RFC 8446 §4.2.11
  early_data: 42, // RFC 8446 §4.2.10
  supported_versions: 43, // RFC 8446 §4.2.1
  cookie: 44, // RFC 8446 §4.2.2
  psk_key_exchange_modes: 45, // RFC 8446 §4.2.9
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51, // RFC 8446 §4.2.8
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01, // RFC 5746 §3.2
} as const;

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

/** RFC 8422 §5.1.2 ECPointFormat. */
export const ECPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const;

/** RFC 5246 §7.4.1.2 CompressionMethod: TLS 1.3 allows only null (RFC 8446 §4.1.2). */
export const CompressionMethod = { null: 0 } as const;

/** RFC 6066 §3 NameType in server_name. */
export const NameType = { host_name: 0 } as const;

/** RFC 8446 §4.1.3: the Random of a HelloRetryRequest is SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/**
 * RFC 8446 §4.1.3: a TLS 1.3 server that negotiates an older version ends its ServerHello.random with
 * "DOWNGRD" and 01 (for TLS 1.2) or 00 (for TLS 1.1 and below).
 */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** Sizes from the RFCs. */
export const RANDOM_LENGTH = 32; // RFC 8446 §4.1.2
export const MAX_SESSION_ID_LENGTH = 32; // RFC 8446 §4.1.2 legacy_session_id<0..32>
export const RECORD_HEADER_LENGTH = 5; // type(1) + legacy_record_version(2) + length(2), RFC 8446 §5.1
export const HANDSHAKE_HEADER_LENGTH = 4; // msg_type(1) + length(3), RFC 8446 §4
export const MAX_PLAINTEXT_LENGTH = 2 ** 14; // RFC 8446 §5.1
/** RFC 5246 §6.2.3 allows 2^14 + 2048 bytes of ciphertext; TLS 1.3 (RFC 8446 §5.2) 2^14 + 256. */
export const MAX_CIPHERTEXT_LENGTH = 2 ** 14 + 2048;

/**
 * RFC 8701: GREASE values (0x0a0a, 0x1a1a, … 0xfafa) that clients sprinkle into lists so that servers
 * learn to ignore what they do not know. We keep and show them, never reject them.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}
