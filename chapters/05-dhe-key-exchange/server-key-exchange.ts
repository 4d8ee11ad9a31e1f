// ServerKeyExchange: in a DHE or ECDHE suite the server sends a fresh Diffie-Hellman public value and signs it,
// together with both randoms, with its certificate's key. The client keeps the parameters exactly as they arrived,
// because the signature covers those bytes. Read RFC 5246 §7.4.3 (DHE), RFC 8422 §5.4 (ECDHE), RFC 5246 §4.7
// (digitally-signed) and RFC 8446 §4.2.3 (what each SignatureScheme means).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  HandshakeType,
  NamedGroup,
  RANDOM_LENGTH,
  SignatureScheme,
  describeCode,
} from "../../lib/constants.js";
import { TlsError, decodeError, illegalParameter } from "../../lib/errors.js";
import { concat, equalBytes } from "../../lib/hex.js";
import { type PrefixSize, readHandshake, readOpaque, readUint, writeHandshake, writeUint } from "../00-bytes/index.js";
import {
  type EcCurve,
  HASH_LENGTH,
  type HashName,
  type PublicKey,
  pssKeyProblem,
  verifyEcdsa,
  verifyEd25519,
  verifyPkcs1v15,
  verifyPss,
} from "../03-certificates/index.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * The server's finite-field Diffie-Hellman values, as unsigned big-endian bytes:
 *
 *   struct {
 *       opaque dh_p<1..2^16-1>;
 *       opaque dh_g<1..2^16-1>;
 *       opaque dh_Ys<1..2^16-1>;
 *   } ServerDHParams;     /* Ephemeral DH parameters *\/          RFC 5246 §7.4.3
 */
export interface DhParams {
  p: Uint8Array;
  g: Uint8Array;
  ys: Uint8Array;
}

/**
 * The server's elliptic-curve values:
 *
 *   enum { deprecated (1..2), named_curve (3), reserved(248..255) } ECCurveType;
 *   struct {
 *       ECCurveType    curve_type;
 *       select (curve_type) {
 *           case named_curve:
 *               NamedCurve namedcurve;
 *       };
 *   } ECParameters;
 *
 *   struct {
 *       opaque point <1..2^8-1>;
 *   } ECPoint;
 *
 *   struct {
 *       ECParameters    curve_params;
 *       ECPoint         public;
 *   } ServerECDHParams;                                            RFC 8422 §5.4
 */
export interface EcdhParams {
  /** Always ECCurveType.named_curve (3): RFC 8422 removed the explicit curve forms. */
  curveType: number;
  /** A NamedGroup code point: x25519 (0x001d), secp256r1 (0x0017), … */
  namedCurve: number;
  /** The server's public value: 32 bytes for X25519, an uncompressed point 04 || x || y for P-256. */
  point: Uint8Array;
}

/** RFC 8422 §5.4 ECCurveType. Only named_curve is still allowed; 1 and 2 were the explicit curves. */
export const ECCurveType = { named_curve: 3 } as const;

/**
 * The message, for either kind of suite:
 *
 *   struct {
 *       select (KeyExchangeAlgorithm) {
 *           case dhe_rsa:     ServerDHParams params;
 *                             digitally-signed struct {
 *                                 opaque client_random[32];
 *                                 opaque server_random[32];
 *                                 ServerDHParams params;
 *                             } signed_params;
 *           case ec_diffie_hellman:
 *                             ServerECDHParams params;
 *                             Signature signed_params;   (same three parts, with ServerECDHParams)
 *       };
 *   } ServerKeyExchange;                        RFC 5246 §7.4.3, RFC 8422 §5.4
 *
 *   struct {
 *       SignatureAndHashAlgorithm algorithm;   (a SignatureScheme, RFC 8446 §4.2.3)
 *       opaque signature<0..2^16-1>;
 *   } DigitallySigned;                          RFC 5246 §4.7
 *
 * The randoms are not sent again: only the params and the signature are on the wire.
 */
export type ServerKeyExchange =
  | { kind: "dhe"; params: DhParams; paramsBytes: Uint8Array; scheme: number; signature: Uint8Array }
  | { kind: "ecdhe"; params: EcdhParams; paramsBytes: Uint8Array; scheme: number; signature: Uint8Array };

/** "256 bytes, a 2048-bit number": for the notes, where how big a number is says more than its digits. */
function sizeNote(bytes: Uint8Array): string {
  let bits = bytes.length * 8;
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) bits -= 8;
  const first = bytes.find((b) => b !== 0);
  if (first !== undefined) bits -= Math.clz32(first) - 24;
  return `${bytes.length} bytes, a ${Math.max(bits, 0)}-bit number`;
}

/**
 * writeOpaque, with a note that says more than the field's name: "dh_p length", then "dh_p: 256 bytes, …". A
 * finished helper for the writers below.
 */
export function writeOpaqueNoted(w: ByteWriter, prefixSize: PrefixSize, value: Uint8Array, field: string, description: string): void {
  writeUint(w, value.length, prefixSize, `${field} length`);
  if (value.length > 0) w.bytes(value, `${field}: ${description}`);
}

/** Writes ServerDHParams (RFC 5246 §7.4.3). */
export function writeServerDhParams(w: ByteWriter, params: DhParams): void {
  // TODO 05.1: write ServerDHParams: dh_p, dh_g, dh_Ys in order, each an opaque with a 2-byte length
  // (writeOpaqueNoted, with sizeNote(value) as the description). Each is <1..2^16-1>, so an empty one is our own bug:
  // TlsError internal_error naming the field. (RFC 5246 §7.4.3)
  throw new NotImplemented("05.1");
  // END 05.1
}

/** Reads ServerDHParams (RFC 5246 §7.4.3). */
export function readServerDhParams(r: ByteReader): DhParams {
  // TODO 05.1: read dh_p, dh_g, dh_Ys, each an opaque with a 2-byte length (readOpaque). An empty one is a
  // decode_error naming the field and the offset of its length (<1..2^16-1>). Do not judge the numbers here: whether
  // p is a good prime and Ys is in range is 05.4's job. (RFC 5246 §7.4.3)
  throw new NotImplemented("05.1");
  // END 05.1
}

/** Writes ServerECDHParams (RFC 8422 §5.4). */
export function writeServerEcdhParams(w: ByteWriter, params: EcdhParams): void {
  // TODO 05.1: curve_type (uint8), namedcurve (uint16, noted by its NamedGroup name), then the point as an opaque
  // with a 1-byte length. A curve type other than named_curve (3) or an empty point is our own bug: internal_error.
  // (RFC 8422 §5.4)
  throw new NotImplemented("05.1");
  // END 05.1
}

/** Reads ServerECDHParams (RFC 8422 §5.4). */
export function readServerEcdhParams(r: ByteReader): EcdhParams {
  // TODO 05.1: curve_type (uint8) must be named_curve (3): anything else (the explicit curves RFC 8422 removed)
  // is illegal_parameter at its offset. Then namedcurve (uint16, describe it by NamedGroup name) and the point, an
  // opaque with a 1-byte length; an empty point is decode_error at its length's offset. Whether we know the curve,
  // and whether the point is on it, is for 05.6. (RFC 8422 §5.4)
  throw new NotImplemented("05.1");
  // END 05.1
}

/** Writes a ServerKeyExchange body: the params, the signature scheme and the signature. */
export function writeServerKeyExchange(w: ByteWriter, ske: ServerKeyExchange): void {
  // TODO 05.2: write the params into their own ByteWriter (writeServerDhParams or writeServerEcdhParams, by
  // ske.kind) and append it to w as one group. The signature was made over ske.paramsBytes, so if the params you just
  // wrote are not exactly those bytes, the message would carry a signature over something else: that is our own bug,
  // internal_error. Then the DigitallySigned struct: the scheme (uint16, noted by its SignatureScheme name) and the
  // signature as an opaque with a 2-byte length. (RFC 5246 §7.4.3, §4.7; RFC 8422 §5.4)
  throw new NotImplemented("05.2");
  // END 05.2
}

/**
 * Reads a ServerKeyExchange body. The bytes cannot say whether they hold DH or ECDH values: the cipher suite in
 * the ServerHello does, so the caller passes `kind`.
 */
export function readServerKeyExchange(r: ByteReader, kind: "dhe" | "ecdhe"): ServerKeyExchange {
  // TODO 05.2: remember r.offset, read the params (readServerDhParams or readServerEcdhParams, by kind), and keep
  // paramsBytes = exactly the bytes just read (r.data from that offset to r.offset, as a copy: use
  // Uint8Array.prototype.slice.call, since r.data may be a Node Buffer whose slice is a view). The signature covers
  // these bytes as they were sent, not a re-encoding of what you understood. Then the scheme (uint16, describe it by
  // SignatureScheme name) and the signature, an opaque with a 2-byte length. Leave trailing bytes to the caller's
  // body.end(…). (RFC 5246 §7.4.3, §4.7; RFC 8422 §5.4)
  throw new NotImplemented("05.2");
  // END 05.2
}

/** The whole handshake message (header and body), with notes for every byte. */
export function serverKeyExchangeMessage(ske: ServerKeyExchange): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.server_key_exchange, (body) => writeServerKeyExchange(body, ske));
  return w;
}

/** The handshake message's bytes, e.g. for the transcript. */
export function encodeServerKeyExchange(ske: ServerKeyExchange): Uint8Array {
  return serverKeyExchangeMessage(ske).toBytes();
}

/** Reads a ServerKeyExchange handshake message (header and body) from a reader. */
export function readServerKeyExchangeMessage(r: ByteReader, kind: "dhe" | "ecdhe"): ServerKeyExchange {
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.server_key_exchange) {
    const message = `expected server_key_exchange (12), got ${describeCode(HandshakeType, type, 2)}`;
    throw new TlsError(AlertDescription.unexpected_message, message, { field: "handshake type", offset: headerAt });
  }
  const ske = readServerKeyExchange(body, kind);
  body.end("server_key_exchange");
  return ske;
}

/** Decodes a whole ServerKeyExchange handshake message and checks nothing is left over. */
export function decodeServerKeyExchange(message: Uint8Array, kind: "dhe" | "ecdhe"): ServerKeyExchange {
  const r = new ByteReader(message);
  const ske = readServerKeyExchangeMessage(r, kind);
  r.end("server_key_exchange message");
  return ske;
}

// ---------------------------------------------------------------------------------------------------------------
// The signature

/** What a SignatureScheme asks of the verifier. */
export interface SchemeInfo {
  kind: "rsa-pkcs1" | "rsa-pss" | "ecdsa" | "ed25519";
  /**
   * The hash of the message (and, for PSS, of MGF1, with a salt as long as the hash). Ed25519 hashes with SHA-512
   * inside the algorithm itself: its signature covers the message, not a hash the verifier computes first.
   */
  hash: HashName;
  /**
   * The curve TLS 1.3 ties the scheme to. TLS 1.2 read 0x0403 as "SHA-256 with ECDSA" on the certificate's own
   * curve, and RFC 8446 §4.2.3 keeps that reading when TLS 1.2 is negotiated.
   */
  curve?: EcCurve;
  /**
   * For rsa-pss, the kind of key (RFC 8446 §4.2.3): "rsae" (rsa_pss_rsae_*) an ordinary rsaEncryption key, "pss"
   * (rsa_pss_pss_*) an id-RSASSA-PSS key, whose parameters, if it has any, must allow the signature.
   */
  rsaKey?: "rsae" | "pss";
}

const SCHEMES: ReadonlyMap<number, SchemeInfo> = new Map<number, SchemeInfo>([
  [SignatureScheme.rsa_pkcs1_sha256, { kind: "rsa-pkcs1", hash: "SHA-256" }],
  [SignatureScheme.rsa_pkcs1_sha384, { kind: "rsa-pkcs1", hash: "SHA-384" }],
  [SignatureScheme.rsa_pkcs1_sha512, { kind: "rsa-pkcs1", hash: "SHA-512" }],
  [SignatureScheme.rsa_pss_rsae_sha256, { kind: "rsa-pss", hash: "SHA-256", rsaKey: "rsae" }],
  [SignatureScheme.rsa_pss_rsae_sha384, { kind: "rsa-pss", hash: "SHA-384", rsaKey: "rsae" }],
  [SignatureScheme.rsa_pss_rsae_sha512, { kind: "rsa-pss", hash: "SHA-512", rsaKey: "rsae" }],
  [SignatureScheme.rsa_pss_pss_sha256, { kind: "rsa-pss", hash: "SHA-256", rsaKey: "pss" }],
  [SignatureScheme.rsa_pss_pss_sha384, { kind: "rsa-pss", hash: "SHA-384", rsaKey: "pss" }],
  [SignatureScheme.rsa_pss_pss_sha512, { kind: "rsa-pss", hash: "SHA-512", rsaKey: "pss" }],
  [SignatureScheme.ecdsa_secp256r1_sha256, { kind: "ecdsa", hash: "SHA-256", curve: "P-256" }],
  [SignatureScheme.ecdsa_secp384r1_sha384, { kind: "ecdsa", hash: "SHA-384", curve: "P-384" }],
  [SignatureScheme.ecdsa_secp521r1_sha512, { kind: "ecdsa", hash: "SHA-512" }],
  [SignatureScheme.ed25519, { kind: "ed25519", hash: "SHA-512" }],
]);

/**
 * How to check a signature made with `scheme` (RFC 8446 §4.2.3), or undefined for schemes this client cannot check
 * (SHA-1, Ed448). rsa_pss_rsae_* and rsa_pss_pss_* are PSS with MGF1 of the same hash and a salt as long as the
 * hash, the first with an ordinary rsaEncryption key, the second with an id-RSASSA-PSS key; ed25519 is PureEdDSA
 * (RFC 8032 §5.1) over the message itself.
 */
export function schemeInfo(scheme: number): SchemeInfo | undefined {
  return SCHEMES.get(scheme);
}

/** The randoms are 32 bytes (RFC 5246 §7.4.1.2); anything else here is our caller's bug. */
function checkRandom(random: Uint8Array, field: string): void {
  if (random.length !== RANDOM_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `${field} must be ${RANDOM_LENGTH} bytes, got ${random.length}`, { field });
  }
}

/**
 * Checks the server's signature over client_random + server_random + params with the key from its certificate.
 * Throws illegal_parameter if the server used a scheme we did not offer or one that does not fit the key, and
 * decrypt_error if the signature is wrong. Returns nothing: getting past this line is the verdict.
 */
export function verifyServerKeyExchange(
  ske: ServerKeyExchange,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  serverKey: PublicKey,
  offeredSchemes: number[],
): void {
  // TODO 05.3: check the server's signature. (1) The scheme must be one we offered in signature_algorithms (RFC
  // 5246 §7.4.3: the server MUST use one of them), else illegal_parameter; and one schemeInfo knows, else
  // illegal_parameter too. (2) It must fit the certificate's key: rsa-pkcs1 and rsa-pss with rsaKey "rsae" need an
  // RSA key that is not PSS-only (key.kind "rsa", !key.pss); rsa-pss with rsaKey "pss" (rsa_pss_pss_*) a PSS-only key
  // whose parameters allow PSS with this hash, MGF1 of it and a salt as long as it (pssKeyProblem from chapter 03
  // says why not); ecdsa needs an EC key, on whatever curve the key is (RFC 8446 §4.2.3: in TLS 1.2 0x0403 means
  // "ECDSA with SHA-256", the curve is not constrained); ed25519 an Ed25519 key. A mismatch is illegal_parameter. (3)
  // The signed bytes are client_random (32) + server_random (32) + ske.paramsBytes; check the randoms are 32 bytes
  // (else internal_error: our own bug). (4) Verify with chapter 03: verifyPkcs1v15(key, hash, …), verifyPss(key,
  // hash, …, saltLength = HASH_LENGTH[hash], mgfHash = hash), verifyEcdsa(key.curve, key.point, hash, …) or
  // verifyEd25519(key.point, …). false → decrypt_error (RFC 5246 §7.2.2: "unable to correctly verify a signature").
  // Name the field in every TlsError ("signature algorithm", "signature").
  throw new NotImplemented("05.3");
  // END 05.3
}

/** "an RSA-2048 key", "an EC P-256 key", "an Ed25519 key": for error messages (chapter 08's CertificateVerify uses it too). */
export function keyName(key: PublicKey): string {
  if (key.kind === "rsa") {
    const p = key.pssParameters;
    const allowed = p === undefined ? "" : ` (${p.hash}, MGF1-${p.mgfHash}, salt ≥ ${p.saltLength})`;
    return `an RSA-${key.bits}${key.pss ? " PSS-only" : ""} key${allowed}`;
  }
  if (key.kind === "ec") return `an EC ${key.curve} key`;
  if (key.kind === "ed25519") return "an Ed25519 key";
  return `an unsupported key (${key.name})`;
}
