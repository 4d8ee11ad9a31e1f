// The TLS 1.3 key schedule and record protection written once more for the test harness, on Node's crypto
// (OpenSSL's HMAC, AES-GCM and ChaCha20-Poly1305), so that tests can check the learner's records against an AEAD
// they did not write, and a tampering proxy can decrypt and re-encrypt a server's records with the secrets from the
// server's own key log. Written from RFC 8446 §7.1 (HKDF-Expand-Label, Derive-Secret), §7.3 (traffic keys),
// §4.4.4 (Finished), §5.2–5.4 (records) and RFC 5869 (HKDF); it shares no code with the chapters.
import crypto from "node:crypto";

export type NodeHash = "sha256" | "sha384";
export type NodeAead = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";

/** What a TLS 1.3 suite means to Node (RFC 8446 §B.4). */
export interface Suite13 {
  code: number;
  name: string;
  hash: NodeHash;
  aead: NodeAead;
  keyLength: number;
}

export const SUITES13: readonly Suite13[] = [
  { code: 0x1301, name: "TLS_AES_128_GCM_SHA256", hash: "sha256", aead: "aes-128-gcm", keyLength: 16 },
  { code: 0x1302, name: "TLS_AES_256_GCM_SHA384", hash: "sha384", aead: "aes-256-gcm", keyLength: 32 },
  { code: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", hash: "sha256", aead: "chacha20-poly1305", keyLength: 32 },
];

export function suite13(code: number): Suite13 {
  const s = SUITES13.find((x) => x.code === code);
  if (s === undefined) throw new Error(`0x${code.toString(16)} is not a TLS 1.3 suite`);
  return s;
}

const TAG = 16;
const hashLength = (hash: NodeHash) => (hash === "sha256" ? 32 : 48);
const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

/** HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). */
export function oracleExtract(hash: NodeHash, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return u8(crypto.createHmac(hash, salt).update(ikm).digest());
}

/** HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) || info || i), concatenated and cut to `length`. */
export function oracleExpand(hash: NodeHash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * hashLength(hash)) throw new Error(`reference HKDF-Expand: ${length} is more than 255 blocks`);
  const blocks: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1, have = 0; have < length; i++) {
    t = crypto.createHmac(hash, prk).update(Buffer.concat([t, info, Buffer.of(i)])).digest();
    blocks.push(t);
    have += t.length;
  }
  return u8(Buffer.concat(blocks).subarray(0, length));
}

/** HkdfLabel (RFC 8446 §7.1): uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>. */
export function oracleHkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = Buffer.from("tls13 " + label, "latin1");
  if (full.length > 255 || context.length > 255 || length > 0xffff) throw new Error("reference HkdfLabel: out of range");
  return u8(Buffer.concat([Buffer.of(length >> 8, length & 0xff, full.length), full, Buffer.of(context.length), context]));
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) (RFC 8446 §7.1). */
export function oracleExpandLabel(hash: NodeHash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  return oracleExpand(hash, secret, oracleHkdfLabel(label, context, length), length);
}

/** Transcript-Hash of handshake messages (RFC 8446 §4.4.1), no HelloRetryRequest. */
export function oracleTranscript(hash: NodeHash, ...messages: Uint8Array[]): Uint8Array {
  const h = crypto.createHash(hash);
  for (const m of messages) h.update(m);
  return u8(h.digest());
}

/** The key and IV of a traffic secret (RFC 8446 §7.3). */
export function oracleTrafficKeys(suite: Suite13, secret: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  return {
    key: oracleExpandLabel(suite.hash, secret, "key", new Uint8Array(0), suite.keyLength),
    iv: oracleExpandLabel(suite.hash, secret, "iv", new Uint8Array(0), 12),
  };
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function oracleNextSecret(suite: Suite13, secret: Uint8Array): Uint8Array {
  return oracleExpandLabel(suite.hash, secret, "traffic upd", new Uint8Array(0), hashLength(suite.hash));
}

/** verify_data = HMAC(finished_key, transcript hash) (RFC 8446 §4.4.4). */
export function oracleFinished(suite: Suite13, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = oracleExpandLabel(suite.hash, baseKey, "finished", new Uint8Array(0), hashLength(suite.hash));
  return u8(crypto.createHmac(suite.hash, finishedKey).update(transcriptHash).digest());
}

/** iv XOR the sequence number, left-padded to 12 bytes (RFC 8446 §5.3), with BigInt arithmetic on the whole nonce. */
export function oracleNonce(iv: Uint8Array, sequence: bigint): Uint8Array {
  const value = BigInt("0x" + Buffer.from(iv).toString("hex")) ^ sequence;
  return u8(Buffer.from(value.toString(16).padStart(24, "0"), "hex"));
}

/** One direction's keys and record count, for the oracle. */
export interface OracleDirection {
  aead: NodeAead;
  key: Uint8Array;
  iv: Uint8Array;
  sequence: bigint;
}

export function oracleDirection(suite: Suite13, secret: Uint8Array): OracleDirection {
  return { aead: suite.aead, ...oracleTrafficKeys(suite, secret), sequence: 0n };
}

/**
 * Encrypts `inner` (a whole TLSInnerPlaintext: content, type, padding, as the caller wants it, even malformed)
 * into a TLSCiphertext with outer type 23 and version 0303. Increments the sequence number.
 */
export function oracleSealInner(d: OracleDirection, inner: Uint8Array, header?: { type?: number; version?: number }): Uint8Array {
  const length = inner.length + TAG;
  const type = header?.type ?? 23;
  const version = header?.version ?? 0x0303;
  const aad = Buffer.from([type, version >> 8, version & 0xff, length >> 8, length & 0xff]);
  const cipher = crypto.createCipheriv(d.aead as crypto.CipherGCMTypes, d.key, oracleNonce(d.iv, d.sequence), { authTagLength: TAG });
  cipher.setAAD(aad, { plaintextLength: inner.length });
  const body = Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
  d.sequence += 1n;
  return u8(Buffer.concat([aad, body]));
}

/** Seals content of `type` with `padding` zero bytes (RFC 8446 §5.2, §5.4). */
export function oracleSeal(d: OracleDirection, type: number, content: Uint8Array, padding = 0): Uint8Array {
  return oracleSealInner(d, Buffer.concat([content, Buffer.from([type]), Buffer.alloc(padding)]));
}

/** Decrypts a whole protected record (header included) to its TLSInnerPlaintext; throws if it does not authenticate. */
export function oracleOpenInner(d: OracleDirection, record: Uint8Array): Uint8Array {
  const aad = Buffer.from(record.subarray(0, 5));
  const body = record.subarray(5);
  const decipher = crypto.createDecipheriv(d.aead as crypto.CipherGCMTypes, d.key, oracleNonce(d.iv, d.sequence), { authTagLength: TAG });
  decipher.setAAD(aad, { plaintextLength: body.length - TAG });
  decipher.setAuthTag(body.subarray(body.length - TAG));
  const inner = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()]);
  d.sequence += 1n;
  return u8(inner);
}

/** Decrypts a protected record and splits its TLSInnerPlaintext into type and content (padding removed). */
export function oracleOpen(d: OracleDirection, record: Uint8Array): { type: number; content: Uint8Array; padding: number } {
  const inner = oracleOpenInner(d, record);
  let end = inner.length - 1;
  while (end >= 0 && inner[end] === 0) end--;
  if (end < 0) throw new Error("all-zero TLSInnerPlaintext");
  return { type: inner[end]!, content: inner.slice(0, end), padding: inner.length - end - 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Key logs (NSS format, https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/)

/** The TLS 1.3 labels of the NSS key log format. */
export const KEYLOG_LABELS_13 = [
  "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
  "SERVER_HANDSHAKE_TRAFFIC_SECRET",
  "CLIENT_TRAFFIC_SECRET_0",
  "SERVER_TRAFFIC_SECRET_0",
  "EXPORTER_SECRET",
] as const;

/** A key log's TLS 1.3 lines, grouped by client random (hex, lowercase): label → secret (hex, lowercase). */
export function parseKeyLog13(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of text.split(/\r?\n/)) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (label === undefined || random === undefined || secret === undefined || label === "CLIENT_RANDOM" || label.startsWith("#")) continue;
    const key = random.toLowerCase();
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(label, secret.toLowerCase());
  }
  return out;
}

/** The lines of one connection, sorted, as "LABEL random secret": for comparing two key logs line for line. */
export function keyLogLinesFor(log: Map<string, Map<string, string>>, clientRandom: string): string[] {
  const entries = log.get(clientRandom.toLowerCase());
  if (entries === undefined) return [];
  return [...entries].map(([label, secret]) => `${label} ${clientRandom.toLowerCase()} ${secret}`).sort();
}
