// Protecting TLS 1.2 records with an AEAD, the way the GCM suites do it: AES-GCM with a nonce made of a 4-byte
// salt from the key block and an 8-byte explicit part sent in every record, and additional data that binds the
// sequence number and the record header to the ciphertext. Then the ChaCha20-Poly1305 suites, which send no
// nonce at all. Read RFC 5246 §6.2.3.3 and §6.1, RFC 5288 §3, RFC 7905 §2.
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ContentType, MAX_PLAINTEXT_LENGTH, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { writeUint } from "../00-bytes/index.js";

/** RFC 5288 §3: the implicit part of the nonce, client_write_IV or server_write_IV from the key block. */
export const GCM_SALT_LENGTH = 4;
/** RFC 5288 §3: nonce_explicit, sent in front of every record's ciphertext. */
export const GCM_EXPLICIT_NONCE_LENGTH = 8;
/** RFC 5116 §5.1: AES-GCM's authentication tag, appended to the ciphertext. */
export const GCM_TAG_LENGTH = 16;
/** RFC 5246 §6.1: seq_num is a uint64. */
export const SEQUENCE_NUMBER_LENGTH = 8;
/** seq_num(8) + type(1) + version(2) + length(2): the additional data of RFC 5246 §6.2.3.3. */
export const ADDITIONAL_DATA_LENGTH = 13;
/** RFC 5246 §6.1: "Sequence numbers are of type uint64 and may not exceed 2^64-1"; they never wrap. */
export const MAX_SEQUENCE_NUMBER = 2n ** 64n - 1n;

/** RFC 7905 §2: a ChaCha20-Poly1305 suite takes a whole 12-byte IV from the key block (fixed_iv_length 12). */
export const CHACHA20_IV_LENGTH = 12;
/** RFC 8439 §2.8: Poly1305's tag, appended to the ciphertext. */
export const POLY1305_TAG_LENGTH = 16;

/**
 * One direction of a protected connection: the client writes with the client_write key and IV, the server
 * with the server_write ones (RFC 5246 §6.3). Each side keeps one of these for sending and one for receiving.
 */
export interface DirectionState {
  /** client_write_key or server_write_key: 16 bytes for AES-128-GCM, 32 for AES-256-GCM and ChaCha20. */
  key: Uint8Array;
  /** client_write_IV or server_write_IV: the 4-byte salt (RFC 5288 §3); for ChaCha20-Poly1305 the 12-byte IV. */
  salt: Uint8Array;
  /** The sequence number of the next record in this direction: 0 for the first record after ChangeCipherSpec. */
  sequence: bigint;
  /**
   * The suite's own record protection when it is not AES-GCM: ChaCha20-Poly1305 (RFC 7905; below, 06.14, or chapter
   * 11's). Absent for the GCM suites, which sealRecord and openRecord below protect.
   */
  aead?: RecordAead12;
}

/** A TLS 1.2 AEAD other than AES-GCM: how it seals and opens one record with a DirectionState (same contract as sealRecord/openRecord). */
export interface RecordAead12 {
  name: string;
  seal(state: DirectionState, type: number, plaintext: Uint8Array): Uint8Array;
  open(state: DirectionState, type: number, fragment: Uint8Array): Uint8Array;
}

/** Seals one record with the direction's AEAD: its own (`state.aead`) or, by default, AES-GCM (sealRecord). */
export function protectRecord(state: DirectionState, type: number, plaintext: Uint8Array): Uint8Array {
  return state.aead !== undefined ? state.aead.seal(state, type, plaintext) : sealRecord(state, type, plaintext);
}

/** Opens one record's fragment with the direction's AEAD: its own (`state.aead`) or, by default, AES-GCM (openRecord). */
export function unprotectRecord(state: DirectionState, type: number, fragment: Uint8Array): Uint8Array {
  return state.aead !== undefined ? state.aead.open(state, type, fragment) : openRecord(state, type, fragment);
}

/**
 * A DirectionState that starts at sequence number 0, as every one does right after a ChangeCipherSpec. The key
 * block's IV says which AEAD the suite uses: 4 bytes of salt for AES-GCM, a whole 12-byte IV for ChaCha20-Poly1305
 * (keyBlockParams, chapter 04).
 */
export function directionState(key: Uint8Array, salt: Uint8Array): DirectionState {
  const state: DirectionState = { key, salt, sequence: 0n };
  return salt.length === CHACHA20_IV_LENGTH ? { ...state, aead: CHACHA20_POLY1305_RECORDS } : state;
}

/** A uint64 as 8 big-endian bytes (seq_num, and our choice of nonce_explicit). */
export function uint64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

/**
 * Protects one record and returns it whole, header included:
 *
 *   struct {
 *      opaque nonce_explicit[8];
 *      aead-ciphered struct {
 *          opaque content[TLSCompressed.length];
 *      };
 *   } GenericAEADCipher;                                   RFC 5246 §6.2.3.3, RFC 5288 §3
 *
 * `explicitNonce` defaults to the sequence number, which is what OpenSSL, Go and Node send: it never repeats
 * under one key, and that is all GCM needs from a nonce. Increments `state.sequence`.
 */
export function sealRecord(state: DirectionState, type: number, plaintext: Uint8Array, explicitNonce?: Uint8Array): Uint8Array {
  // EXERCISE 06.1: seal one record with AES-GCM. A plaintext over 2^14 bytes, a sequence number past 2^64−1, or an
  // explicit nonce that is not 8 bytes is our own bug (internal_error). nonce = salt(4) || explicit nonce(8)
  // (default: uint64(sequence)); additional data from the sequence number, type, TLS 1.2 (0x0303) and the plaintext's
  // length; encrypt with gcm(key, nonce, ad).encrypt(plaintext), which returns ciphertext || 16-byte tag; the
  // fragment is explicit nonce || that. Write the record header (type, 0x0303, fragment length) with writeUint, then
  // the fragment; then sequence += 1. (RFC 5246 §6.2.3.3, RFC 5288 §3)
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `plaintext of ${plaintext.length} bytes exceeds 2^14`, { field: "plaintext" });
  }
  if (state.sequence > MAX_SEQUENCE_NUMBER) {
    // Wrapping would reuse a nonce under the same key, which breaks GCM completely: the connection must end first.
    throw new TlsError(AlertDescription.internal_error, "the sequence number would pass 2^64-1", { field: "sequence" });
  }
  const explicit = explicitNonce ?? uint64(state.sequence);
  if (explicit.length !== GCM_EXPLICIT_NONCE_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `explicit nonce of ${explicit.length} bytes, expected 8`, { field: "nonce_explicit" });
  }
  const nonce = concat(state.salt, explicit);
  const ad = additionalData(state.sequence, type, ProtocolVersion.TLS1_2, plaintext.length);
  const sealed = gcm(state.key, nonce, ad).encrypt(plaintext);
  // The header by hand, not with writeRecord: the fragment may now be up to 2^14 + 2048 bytes (RFC 5246 §6.2.3).
  const w = new ByteWriter();
  writeUint(w, type, 1, `content type: ${describeCode(ContentType, type, 2)}`);
  writeUint(w, ProtocolVersion.TLS1_2, 2, "legacy_record_version: TLS1_2 (0x0303)");
  writeUint(w, explicit.length + sealed.length, 2, "fragment length");
  w.bytes(explicit, "nonce_explicit");
  w.bytes(sealed.subarray(0, plaintext.length), "ciphertext");
  w.bytes(sealed.subarray(plaintext.length), "GCM authentication tag");
  state.sequence += 1n;
  return w.toBytes();
  // END 06.1
}

/**
 * Checks and decrypts one protected record's fragment (as nextRecord returns it). `type` is the record's content
 * type, which the additional data covers. Any failure is bad_record_mac; increments `state.sequence`.
 */
export function openRecord(state: DirectionState, type: number, fragment: Uint8Array): Uint8Array {
  // EXERCISE 06.2: open one record. A fragment shorter than explicit nonce + tag (24 bytes) is bad_record_mac. nonce =
  // salt || the fragment's first 8 bytes; the additional data uses OUR sequence number (never one from the wire) and
  // the plaintext's length (fragment length − 24); gcm(…).decrypt(the rest) throws when the tag does not verify: turn
  // that into bad_record_mac and say nothing more (RFC 5246 §7.2.2: one alert for every way a record can fail, so that
  // an attacker learns nothing from which one). A plaintext over 2^14 bytes is record_overflow. Then count the sequence
  // number up by one. (RFC 5246 §6.2.3.3, RFC 5288 §3)
  const overhead = GCM_EXPLICIT_NONCE_LENGTH + GCM_TAG_LENGTH;
  if (fragment.length < overhead) {
    throw new TlsError(AlertDescription.bad_record_mac, `a ${fragment.length}-byte fragment cannot hold a nonce and a tag`, {
      field: "fragment",
      offset: 0,
    });
  }
  const nonce = concat(state.salt, fragment.subarray(0, GCM_EXPLICIT_NONCE_LENGTH));
  const plaintextLength = fragment.length - overhead;
  const ad = additionalData(state.sequence, type, ProtocolVersion.TLS1_2, plaintextLength);
  let plaintext: Uint8Array;
  try {
    plaintext = gcm(state.key, nonce, ad).decrypt(fragment.subarray(GCM_EXPLICIT_NONCE_LENGTH));
  } catch {
    throw new TlsError(AlertDescription.bad_record_mac, `record ${state.sequence} does not authenticate`, { field: "fragment", offset: 0 });
  }
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.record_overflow, `record ${state.sequence} decrypts to ${plaintext.length} bytes, over 2^14`, {
      field: "fragment",
      offset: 0,
    });
  }
  state.sequence += 1n;
  return plaintext;
  // END 06.2
}

/**
 *   additional_data = seq_num + TLSCompressed.type + TLSCompressed.version + TLSCompressed.length;
 *                                                                              RFC 5246 §6.2.3.3
 * "+" is concatenation. The length is the PLAINTEXT's length (TLSCompressed with null compression).
 */
export function additionalData(sequence: bigint, type: number, version: number, plaintextLength: number): Uint8Array {
  // EXERCISE 06.1: the additional data, the 13 bytes above: seq_num as a uint64, type as a uint8, version and the
  // plaintext's length as uint16s, all big-endian (uint64() is given). Why this: the tag then covers the record's
  // position in the stream and its header, so an attacker cannot drop, reorder or replay records, nor relabel an
  // alert as application data, even though the header itself travels in the clear. (RFC 5246 §6.2.3.3)
  const ad = new Uint8Array(ADDITIONAL_DATA_LENGTH);
  ad.set(uint64(sequence), 0);
  ad[8] = type;
  ad[9] = version >> 8;
  ad[10] = version & 0xff;
  ad[11] = plaintextLength >> 8;
  ad[12] = plaintextLength & 0xff;
  return ad;
  // END 06.1
}

// ---------------------------------------------------------------------------------------------------------------
// ChaCha20-Poly1305 (RFC 7905)

/**
 * The nonce of record number `sequence` in a ChaCha20-Poly1305 suite (RFC 7905 §2): "The 64-bit record sequence
 * number is serialized as an 8-byte, big-endian value and padded on the left with four 0x00 bytes. The padded
 * sequence number is XORed with the client_write_IV (when the client is sending) or server_write_IV (when the server
 * is sending)." Both sides count records, so the nonce never travels: TLS 1.3 later did the same for every suite.
 */
export function chacha20Nonce(iv: Uint8Array, sequence: bigint): Uint8Array {
  // EXERCISE 06.14: the nonce: a 12-byte IV (else internal_error, our bug) and a sequence number up to 2^64−1 (past
  // that: internal_error). Copy the IV and XOR uint64(sequence) into its last 8 bytes. (RFC 7905 §2)
  if (iv.length !== CHACHA20_IV_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `a ChaCha20-Poly1305 IV is ${CHACHA20_IV_LENGTH} bytes, got ${iv.length}`, { field: "iv" });
  }
  if (sequence > MAX_SEQUENCE_NUMBER) throw new TlsError(AlertDescription.internal_error, "the sequence number would pass 2^64-1", { field: "sequence" });
  const nonce = iv.slice();
  const padded = uint64(sequence);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= padded[i]!;
  return nonce;
  // END 06.14
}

/**
 * Protects one record with ChaCha20-Poly1305 and returns it whole, header included. The fragment is the ciphertext
 * and the 16-byte Poly1305 tag, nothing else: unlike AES-GCM's records there is no explicit nonce (RFC 7905 §2). The
 * additional data is RFC 5246 §6.2.3.3's, as for AES-GCM. Increments `state.sequence`.
 */
export function sealRecordChaCha20(state: DirectionState, type: number, plaintext: Uint8Array): Uint8Array {
  // EXERCISE 06.14: seal with chacha20poly1305(key, chacha20Nonce(salt, sequence), additionalData(sequence, type,
  // TLS 1.2, plaintext length)).encrypt(plaintext); a plaintext over 2^14 bytes is our bug (internal_error). The
  // record: header (type, 0x0303, fragment length; writeUint, each noted), then ciphertext and tag, each noted; then
  // sequence += 1. (RFC 7905 §2, RFC 5246 §6.2.3.3)
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `plaintext of ${plaintext.length} bytes exceeds 2^14`, { field: "plaintext" });
  }
  const nonce = chacha20Nonce(state.salt, state.sequence);
  const ad = additionalData(state.sequence, type, ProtocolVersion.TLS1_2, plaintext.length);
  const sealed = chacha20poly1305(state.key, nonce, ad).encrypt(plaintext);
  const w = new ByteWriter();
  writeUint(w, type, 1, `content type: ${describeCode(ContentType, type, 2)}`);
  writeUint(w, ProtocolVersion.TLS1_2, 2, "legacy_record_version: TLS1_2 (0x0303)");
  writeUint(w, sealed.length, 2, "fragment length");
  w.bytes(sealed.subarray(0, plaintext.length), "ciphertext");
  w.bytes(sealed.subarray(plaintext.length), "Poly1305 authentication tag");
  state.sequence += 1n;
  return w.toBytes();
  // END 06.14
}

/**
 * Checks and decrypts one ChaCha20-Poly1305 record's fragment. Any failure is bad_record_mac, as with AES-GCM;
 * increments `state.sequence`.
 */
export function openRecordChaCha20(state: DirectionState, type: number, fragment: Uint8Array): Uint8Array {
  // EXERCISE 06.14: a fragment shorter than the 16-byte tag is bad_record_mac; the additional data takes OUR sequence
  // number and the plaintext's length (fragment length − 16); a tag that does not verify (decrypt throws) is
  // bad_record_mac, with nothing more said; a plaintext over 2^14 bytes is record_overflow. Then sequence += 1.
  if (fragment.length < POLY1305_TAG_LENGTH) {
    throw new TlsError(AlertDescription.bad_record_mac, `a ${fragment.length}-byte fragment cannot hold a tag`, { field: "fragment", offset: 0 });
  }
  const nonce = chacha20Nonce(state.salt, state.sequence);
  const ad = additionalData(state.sequence, type, ProtocolVersion.TLS1_2, fragment.length - POLY1305_TAG_LENGTH);
  let plaintext: Uint8Array;
  try {
    plaintext = chacha20poly1305(state.key, nonce, ad).decrypt(fragment);
  } catch {
    throw new TlsError(AlertDescription.bad_record_mac, `record ${state.sequence} does not authenticate`, { field: "fragment", offset: 0 });
  }
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.record_overflow, `record ${state.sequence} decrypts to ${plaintext.length} bytes, over 2^14`, { field: "fragment", offset: 0 });
  }
  state.sequence += 1n;
  return plaintext;
  // END 06.14
}

/** The ChaCha20-Poly1305 record protection (RFC 7905), as a DirectionState's `aead`: directionState picks it for a 12-byte IV. */
export const CHACHA20_POLY1305_RECORDS: RecordAead12 = { name: "ChaCha20-Poly1305 (RFC 7905)", seal: sealRecordChaCha20, open: openRecordChaCha20 };
