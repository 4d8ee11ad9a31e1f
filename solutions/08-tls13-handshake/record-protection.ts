// Protecting TLS 1.3 records. From the ServerHello on, every record is an AEAD ciphertext that hides even its own
// content type: the header always says application_data, the true type travels encrypted inside. Each record gets
// a fresh nonce from the traffic IV and a sequence number, so nothing but the ciphertext and the tag goes on the wire.
// Read RFC 8446 §5.2 (TLSCiphertext, TLSInnerPlaintext), §5.3 (the per-record nonce), §5.4 (padding) and RFC 5116.
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  ContentType,
  MAX_PLAINTEXT_LENGTH,
  ProtocolVersion,
  RECORD_HEADER_LENGTH,
  describeCode,
} from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type TlsRecord, writeUint } from "../00-bytes/index.js";
import { AEAD_KEY_LENGTH, type Aead13, IV_LENGTH, type TrafficKeys } from "../07-tls13-key-schedule/index.js";

/** RFC 5116 §5.1 and RFC 8439 §2.8: AES-GCM and ChaCha20-Poly1305 both append a 16-byte tag. */
export const AEAD_TAG_LENGTH = 16;
/** RFC 8446 §5.2: encrypted_record may be at most 2^14 + 256 bytes (content, type, padding and tag). */
export const MAX_CIPHERTEXT_LENGTH_13 = 2 ** 14 + 256;
/** RFC 8446 §5.4: the whole TLSInnerPlaintext (content, type byte, padding) is at most 2^14 + 1 bytes. */
export const MAX_INNER_PLAINTEXT_LENGTH = 2 ** 14 + 1;
/** RFC 8446 §5.3: the sequence number is a uint64 and must never wrap; a connection ends (or rekeys) before. */
export const MAX_SEQUENCE_NUMBER = 2n ** 64n - 1n;

/**
 * One direction of a TLS 1.3 connection under one traffic secret: the AEAD of the suite, the key and IV from
 * that secret (chapter 07's trafficKeys), and how many records have gone this way under them. Every key change
 * (handshake keys, application keys, each KeyUpdate) starts a new one at sequence 0 (RFC 8446 §5.3).
 */
export interface Direction13 {
  aead: Aead13;
  keys: TrafficKeys;
  /** The sequence number of the next record in this direction. */
  sequence: bigint;
  /**
   * Which secret the keys come from, for the trace: "server handshake traffic", "client application traffic", …
   * The record layer shows it beside every record it seals or opens, so keys switched too early are visible.
   */
  label?: string;
}

/** A Direction13 at sequence number 0, as every one is when its keys are new; `label` names the secret (for the trace). */
export function direction13(aead: Aead13, keys: TrafficKeys, label?: string): Direction13 {
  return label === undefined ? { aead, keys, sequence: 0n } : { aead, keys, sequence: 0n, label };
}

/** One AEAD instance for one record (noble does the cipher; which one, and with what, is ours to say). */
export interface Aead {
  /** plaintext → ciphertext || 16-byte tag */
  encrypt(plaintext: Uint8Array): Uint8Array;
  /** ciphertext || tag → plaintext; throws if the tag does not verify. */
  decrypt(sealed: Uint8Array): Uint8Array;
}

/** The AEAD named by the suite, keyed, for one nonce and one additional data. */
export function aeadFor(aead: Aead13, key: Uint8Array, nonce: Uint8Array, additionalData: Uint8Array): Aead {
  if (key.length !== AEAD_KEY_LENGTH[aead] || nonce.length !== IV_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `${aead} needs a ${AEAD_KEY_LENGTH[aead]}-byte key and a 12-byte nonce, got ${key.length} and ${nonce.length}`, {
      field: "traffic keys",
    });
  }
  return aead === "CHACHA20_POLY1305" ? chacha20poly1305(key, nonce, additionalData) : gcm(key, nonce, additionalData);
}

/**
 * The nonce of record number `sequence` (RFC 8446 §5.3):
 *
 *   1. The 64-bit record sequence number is encoded in network byte order and padded to the left with zeros
 *      to iv_length.
 *   2. The padded sequence number is XORed with either the static client_write_iv or server_write_iv.
 */
export function perRecordNonce(iv: Uint8Array, sequence: bigint): Uint8Array {
  // EXERCISE 08.1: the per-record nonce. The IV must be 12 bytes and the sequence number in 0 … 2^64−1 (anything
  // else is our own bug: internal_error). Copy the IV, then XOR the sequence number, big-endian, into its LAST 8
  // bytes (the first 4 stay as they are: the number is padded on the left with zeros). No nonce is ever sent: both
  // sides count records, so both know it. (RFC 8446 §5.3)
  if (iv.length !== IV_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `the IV is ${iv.length} bytes, expected ${IV_LENGTH}`, { field: "iv" });
  }
  if (sequence < 0n || sequence > MAX_SEQUENCE_NUMBER) {
    throw new TlsError(AlertDescription.internal_error, `sequence number ${sequence} is outside 0 … 2^64−1`, { field: "sequence" });
  }
  const nonce = iv.slice();
  let rest = sequence;
  for (let i = IV_LENGTH - 1; i >= IV_LENGTH - 8; i--) {
    nonce[i]! ^= Number(rest & 0xffn);
    rest >>= 8n;
  }
  return nonce;
  // END 08.1
}

/**
 * The record header of a protected record, which is also its additional data (RFC 8446 §5.2):
 *
 *   additional_data = TLSCiphertext.opaque_type || TLSCiphertext.legacy_record_version || TLSCiphertext.length
 */
export function recordHeader13(encryptedLength: number, type: number = ContentType.application_data, version: number = ProtocolVersion.TLS1_2): Uint8Array {
  return Uint8Array.of(type, version >> 8, version & 0xff, encryptedLength >> 8, encryptedLength & 0xff);
}

/**
 * Protects one record and returns it whole, header included:
 *
 *   struct {
 *       opaque content[TLSPlaintext.length];
 *       ContentType type;
 *       uint8 zeros[length_of_padding];
 *   } TLSInnerPlaintext;
 *
 *   struct {
 *       ContentType opaque_type = application_data; /* 23 *\/
 *       ProtocolVersion legacy_record_version = 0x0303; /* TLS v1.2 *\/
 *       uint16 length;
 *       opaque encrypted_record[TLSCiphertext.length];
 *   } TLSCiphertext;                                                     RFC 8446 §5.2
 *
 * `padding` zero bytes hide the content's true length from an observer (RFC 8446 §5.4). Increments `state.sequence`.
 */
export function sealRecord13(state: Direction13, contentType: number, content: Uint8Array, padding = 0): Uint8Array {
  // EXERCISE 08.1: seal one record. Our own bugs are internal_error: content over 2^14 bytes, a padding that is not a
  // whole number ≥ 0 or makes the inner plaintext longer than 2^14 + 1, a sequence number past 2^64−1. The inner
  // plaintext is content || contentType (1 byte) || `padding` zero bytes. The additional data is the header this
  // record will have: application_data (23), 0x0303, and the length of what is sent, inner plaintext + 16 (the
  // tag): recordHeader13 builds it. Encrypt with aeadFor(state.aead, state.keys.key, perRecordNonce(state.keys.iv,
  // state.sequence), header).encrypt(inner), which returns ciphertext || tag. The record is header || that. Then
  // sequence += 1. (RFC 8446 §5.2, §5.3, §5.4)
  if (content.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `content of ${content.length} bytes exceeds 2^14`, { field: "content" });
  }
  if (!Number.isSafeInteger(padding) || padding < 0 || content.length + 1 + padding > MAX_INNER_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `padding of ${padding} bytes does not fit with ${content.length} bytes of content`, {
      field: "padding",
    });
  }
  if (state.sequence > MAX_SEQUENCE_NUMBER) {
    // Wrapping would reuse a nonce under the same key: for GCM and ChaCha20-Poly1305 that gives away the key stream.
    throw new TlsError(AlertDescription.internal_error, "the sequence number would pass 2^64-1", { field: "sequence" });
  }
  const inner = new Uint8Array(content.length + 1 + padding); // the padding is already zero
  inner.set(content, 0);
  inner[content.length] = contentType;
  const header = recordHeader13(inner.length + AEAD_TAG_LENGTH);
  const sealed = aeadFor(state.aead, state.keys.key, perRecordNonce(state.keys.iv, state.sequence), header).encrypt(inner);
  state.sequence += 1n;
  return concat(header, sealed);
  // END 08.1
}

/**
 * The same record as sealRecord13 makes, with a note for every byte: what an observer sees, and what only the
 * two ends know (for the notebook and --trace). `sealed` is a whole record sealRecord13 returned.
 */
export function annotateSealedRecord(sealed: Uint8Array, contentType: number, contentLength: number): ByteWriter {
  const w = new ByteWriter();
  writeUint(w, sealed[0]!, 1, `opaque_type: ${describeCode(ContentType, sealed[0]!, 2)}, always; the real type is inside`);
  writeUint(w, (sealed[1]! << 8) | sealed[2]!, 2, "legacy_record_version: 0x0303, frozen for middleboxes");
  writeUint(w, (sealed[3]! << 8) | sealed[4]!, 2, "length of encrypted_record");
  const body = sealed.subarray(RECORD_HEADER_LENGTH);
  const innerLength = body.length - AEAD_TAG_LENGTH;
  w.bytes(body.subarray(0, contentLength), "encrypted content");
  w.bytes(body.subarray(contentLength, contentLength + 1), `encrypted content type: ${describeCode(ContentType, contentType, 2)}`);
  if (innerLength > contentLength + 1) w.bytes(body.subarray(contentLength + 1, innerLength), "encrypted padding (zeros)");
  w.bytes(body.subarray(innerLength), "AEAD tag over all of it and the header");
  return w;
}

/**
 * Checks and decrypts one protected record, as the transport delivered it (type, version, fragment), and returns
 * the true content type and the content with the padding removed. Increments `state.sequence`.
 */
export function openRecord13(state: Direction13, record: TlsRecord): { contentType: number; content: Uint8Array } {
  // EXERCISE 08.2: open one record, in this order. (1) Its outer type must be application_data (23): once keys are
  // on, nothing else may arrive protected (unexpected_message, field "content type"). (2) A fragment longer than
  // 2^14 + 256 is record_overflow (RFC 8446 §5.2); one shorter than the 16-byte tag is bad_record_mac. (3) The
  // additional data is the header as received: type, version and the fragment's length (recordHeader13). (4)
  // aeadFor(…, perRecordNonce(iv, OUR sequence number), header).decrypt(fragment) throws when the tag does not
  // verify: bad_record_mac, nothing more said (RFC 8446 §5.2). (5) A decrypted TLSInnerPlaintext over 2^14 + 1 bytes
  // is record_overflow. (6) Strip the zero bytes at the end: the last non-zero byte is the content type, the bytes
  // before it the content; all zeros is unexpected_message (RFC 8446 §5.4). (7) sequence += 1. Every TlsError names
  // a field (and offset 0 is fine: the record is the input).
  if (record.type !== ContentType.application_data) {
    throw new TlsError(
      AlertDescription.unexpected_message,
      `a protected record must say application_data (23), this one says ${describeCode(ContentType, record.type, 2)}`,
      { field: "content type", offset: 0 },
    );
  }
  const fragment = record.fragment;
  if (fragment.length > MAX_CIPHERTEXT_LENGTH_13) {
    throw new TlsError(AlertDescription.record_overflow, `encrypted_record of ${fragment.length} bytes, at most 2^14 + 256 allowed`, {
      field: "length",
      offset: 0,
    });
  }
  if (fragment.length < AEAD_TAG_LENGTH) {
    throw new TlsError(AlertDescription.bad_record_mac, `a ${fragment.length}-byte record cannot hold the 16-byte tag`, { field: "encrypted_record", offset: 0 });
  }
  const header = recordHeader13(fragment.length, record.type, record.version);
  let inner: Uint8Array;
  try {
    inner = aeadFor(state.aead, state.keys.key, perRecordNonce(state.keys.iv, state.sequence), header).decrypt(fragment);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    // One alert for every way a record can be wrong, so that an attacker learns nothing from which one it was.
    throw new TlsError(AlertDescription.bad_record_mac, `record ${state.sequence} does not authenticate`, { field: "encrypted_record", offset: 0 });
  }
  if (inner.length > MAX_INNER_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.record_overflow, `record ${state.sequence} decrypts to ${inner.length} bytes, over 2^14 + 1`, {
      field: "TLSInnerPlaintext",
      offset: 0,
    });
  }
  let end = inner.length - 1;
  while (end >= 0 && inner[end] === 0) end--;
  if (end < 0) {
    throw new TlsError(AlertDescription.unexpected_message, `record ${state.sequence} is all padding: it has no content type`, {
      field: "TLSInnerPlaintext",
      offset: 0,
    });
  }
  state.sequence += 1n;
  return { contentType: inner[end]!, content: inner.slice(0, end) };
  // END 08.2
}
