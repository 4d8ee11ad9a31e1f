// ChaCha20-Poly1305 records for TLS 1.2 (RFC 7905), and the two directions of a connection's records. Chapter 06
// protected records with AES-GCM, whose nonce is a 4-byte salt and 8 explicit bytes sent in every record; the ChaCha
// suites do it the way TLS 1.3 later did for every suite: a 12-byte IV from the key block XORed with the sequence
// number (chapter 08's perRecordNonce), nothing sent. The additional data stays TLS 1.2's (chapter 06's). Read RFC 7905
// §2, RFC 5246 §6.2.3.3 and RFC 8439 §2.8.
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ContentType, MAX_PLAINTEXT_LENGTH, ProtocolVersion, cipherSuites, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { writeUint } from "../00-bytes/index.js";
import type { HashName } from "../03-certificates/index.js";
import { type KeyBlock, keyBlock, keyBlockParams } from "../04-rsa-key-exchange/index.js";
import { type DirectionState, type RecordAead12, additionalData, directionState } from "../06-tls12-handshake/index.js";
import { AEAD_TAG_LENGTH, perRecordNonce } from "../08-tls13-handshake/index.js";

/**
 * Protects one record with ChaCha20-Poly1305 and returns it whole, header included (RFC 7905 §2):
 *
 *   nonce = client_write_IV or server_write_IV (12 bytes) XOR (00 00 00 00 || seq_num as a uint64)
 *   fragment = ChaCha20-Poly1305(key, nonce, additional_data, plaintext): ciphertext || 16-byte tag
 *
 * `state.salt` holds the 12-byte IV. Increments `state.sequence`.
 */
export function sealRecordChaCha20(state: DirectionState, type: number, plaintext: Uint8Array): Uint8Array {
  // EXERCISE 11.9: a plaintext over 2^14 bytes is our own bug (internal_error, field "plaintext"). nonce = chapter 08's
  // perRecordNonce(state.salt, state.sequence) (it refuses a wrong IV or a sequence past 2^64 − 1: internal_error);
  // ad = chapter 06's additionalData(sequence, type, TLS 1.2, plaintext length), as for GCM; sealed =
  // chacha20poly1305(key, nonce, ad).encrypt(plaintext). The record: type, 0x0303, the fragment's length (writeUint,
  // with notes), then the ciphertext and the tag: no explicit nonce, the whole nonce is implicit. sequence += 1.
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `plaintext of ${plaintext.length} bytes exceeds 2^14`, { field: "plaintext" });
  }
  const nonce = perRecordNonce(state.salt, state.sequence);
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
  // END 11.9
}

/** Checks and decrypts one ChaCha20-Poly1305 record's fragment. Any failure is bad_record_mac; increments `state.sequence`. */
export function openRecordChaCha20(state: DirectionState, type: number, fragment: Uint8Array): Uint8Array {
  // EXERCISE 11.9: a fragment shorter than the 16-byte tag is bad_record_mac (field "fragment", offset 0). The nonce
  // from OUR sequence number (perRecordNonce), the additional data with the plaintext's length (fragment length − 16);
  // decrypt throws when the tag does not verify: bad_record_mac, nothing more said (RFC 5246 §7.2.2). A plaintext over
  // 2^14 bytes is record_overflow. Then sequence += 1.
  if (fragment.length < AEAD_TAG_LENGTH) {
    throw new TlsError(AlertDescription.bad_record_mac, `a ${fragment.length}-byte fragment cannot hold a tag`, { field: "fragment", offset: 0 });
  }
  const nonce = perRecordNonce(state.salt, state.sequence);
  const ad = additionalData(state.sequence, type, ProtocolVersion.TLS1_2, fragment.length - AEAD_TAG_LENGTH);
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
  // END 11.9
}

/** The ChaCha20-Poly1305 record protection, for chapter 06's record layer (a DirectionState's `aead`). */
export const CHACHA20_POLY1305_TLS12: RecordAead12 = { name: "ChaCha20-Poly1305 (RFC 7905)", seal: sealRecordChaCha20, open: openRecordChaCha20 };

/** One direction's record protection for `suite`, at sequence 0: AES-GCM (chapter 06) or ChaCha20-Poly1305 (above). */
export function direction12(suite: number, key: Uint8Array, iv: Uint8Array): DirectionState {
  const state = directionState(key, iv);
  return cipherSuites.get(suite)?.aead === "CHACHA20_POLY1305" ? { ...state, aead: CHACHA20_POLY1305_TLS12 } : state;
}

/** A connection's keys from the server's side: the key block and, cut from it, how each direction's records are protected. */
export interface SessionKeys12 {
  keys: KeyBlock;
  /** What the client sends: the server opens it. */
  client: DirectionState;
  /** What the server sends. */
  server: DirectionState;
}

/** The key block for this connection's randoms (RFC 5246 §6.3), cut into the two directions. */
export function sessionKeys12(cipherSuite: number, hash: HashName, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): SessionKeys12 {
  // EXERCISE 11.10: keys = chapter 04's keyBlock(hash, master, clientRandom, serverRandom, keyBlockParams(cipherSuite));
  // client = direction12(suite, client_write_key, client_write_IV), server = direction12(suite, server_write_key,
  // server_write_IV). The server READS with the client's keys and WRITES with its own: the same key block as the
  // client's, the directions swapped. A resumed session calls this too, with the old master and the new randoms.
  const keys = keyBlock(hash, master, clientRandom, serverRandom, keyBlockParams(cipherSuite));
  return { keys, client: direction12(cipherSuite, keys.clientKey, keys.clientIv), server: direction12(cipherSuite, keys.serverKey, keys.serverIv) };
  // END 11.10
}
