// The TLS 1.2 key derivation written once more for the test harness, on Node's crypto (OpenSSL's HMAC and AES-GCM),
// so that tests can check the learner's PRF and a tampering proxy can decrypt and re-encrypt a record with keys it
// takes from a server's key log. Written from RFC 5246 §5 (PRF), §6.3 (key block) and RFC 5288 §3 (GCM records);
// it shares no code with the chapters.
import crypto from "node:crypto";

export type NodeHash = "sha256" | "sha384";

/** PRF(secret, label, seed) = P_hash(secret, label + seed), cut to `length` bytes (RFC 5246 §5). */
export function referencePrf(hash: NodeHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const fullSeed = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const hmac = (data: Buffer) => crypto.createHmac(hash, secret).update(data).digest();
  let a: Buffer = fullSeed;
  const out: Buffer[] = [];
  let have = 0;
  while (have < length) {
    a = hmac(a); // A(i) = HMAC_hash(secret, A(i-1))
    const block = hmac(Buffer.concat([a, fullSeed]));
    out.push(block);
    have += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

/** The write keys and salts of an AES-GCM suite (no MAC keys), from the master secret (RFC 5246 §6.3). */
export function referenceGcmKeys(hash: NodeHash, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, keyLength: 16 | 32) {
  // The seed is server_random + client_random here, the other way round from the master secret's.
  const block = referencePrf(hash, master, "key expansion", Buffer.concat([serverRandom, clientRandom]), 2 * keyLength + 8);
  return {
    clientKey: block.slice(0, keyLength),
    serverKey: block.slice(keyLength, 2 * keyLength),
    clientSalt: block.slice(2 * keyLength, 2 * keyLength + 4),
    serverSalt: block.slice(2 * keyLength + 4, 2 * keyLength + 8),
  };
}

/** RFC 5246 §7.4.9: verify_data is 12 bytes for every suite the course uses. */
export const VERIFY_DATA_LENGTH = 12;
/** RFC 5288 §3: the record carries the 8-byte explicit part of the GCM nonce, then ciphertext, then a 16-byte tag. */
const GCM_EXPLICIT_NONCE = 8;
const TLS12_VERSION = 0x0303;
const CONTENT_HANDSHAKE = 22; // ContentType.handshake (RFC 5246 §6.2.1)
const HANDSHAKE_FINISHED = 20; // HandshakeType.finished (RFC 5246 §7.4)

const gcmName = (key: Uint8Array) => (key.length === 16 ? "aes-128-gcm" : "aes-256-gcm") as crypto.CipherGCMTypes;

/** seq_num + type + version + length (RFC 5246 §6.2.3.3). */
function aad(sequence: bigint, record: Uint8Array, plaintextLength: number): Buffer {
  const ad = Buffer.alloc(13);
  ad.writeBigUInt64BE(sequence, 0);
  ad[8] = record[0]!;
  ad[9] = record[1]!;
  ad[10] = record[2]!;
  ad.writeUInt16BE(plaintextLength, 11);
  return ad;
}

/** Decrypts a whole GCM record (header included) with Node; throws if the tag is wrong. */
export function referenceOpen(key: Uint8Array, salt: Uint8Array, sequence: bigint, record: Uint8Array): Uint8Array {
  const body = Buffer.from(record.subarray(5));
  const decipher = crypto.createDecipheriv(gcmName(key), key, Buffer.concat([salt, body.subarray(0, 8)]));
  decipher.setAAD(aad(sequence, record, body.length - 24));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(body.subarray(8, body.length - 16)), decipher.final()]));
}

/** Encrypts `plaintext` into a record shaped like `like` (same type, version, explicit nonce) with Node. */
export function referenceSealLike(key: Uint8Array, salt: Uint8Array, sequence: bigint, like: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return sealRecord(key, salt, sequence, like.subarray(0, 3), Buffer.from(like.subarray(5, 13)), plaintext);
}

/**
 * Encrypts `plaintext` into a TLS 1.2 record of `type` with Node; the 8-byte explicit part of the nonce is the
 * sequence number, as most implementations do (RFC 5288 §3).
 */
export function referenceSeal(key: Uint8Array, salt: Uint8Array, sequence: bigint, type: number, plaintext: Uint8Array): Uint8Array {
  const explicit = Buffer.alloc(GCM_EXPLICIT_NONCE);
  explicit.writeBigUInt64BE(sequence);
  return sealRecord(key, salt, sequence, Uint8Array.of(type, TLS12_VERSION >> 8, TLS12_VERSION & 0xff), explicit, plaintext);
}

/**
 * A client Finished (RFC 5246 §7.4.9) carrying `verifyData`, sealed as the first record under the new keys
 * (sequence number 0). OpenSSL (inside Node too) writes a TLS 1.2 key log line only when it builds its own Finished,
 * so tests that need a server's master secret send it this record, made without the chapters' record layer.
 */
export function referenceSealedFinished(key: Uint8Array, salt: Uint8Array, verifyData: Uint8Array): Uint8Array {
  const finished = Buffer.concat([Buffer.of(HANDSHAKE_FINISHED, 0, 0, verifyData.length), verifyData]);
  return referenceSeal(key, salt, 0n, CONTENT_HANDSHAKE, finished);
}

/** `header` is the record's type and version (3 bytes); the length is filled in. */
function sealRecord(key: Uint8Array, salt: Uint8Array, sequence: bigint, header: Uint8Array, explicit: Buffer, plaintext: Uint8Array): Uint8Array {
  const cipher = crypto.createCipheriv(gcmName(key), key, Buffer.concat([salt, explicit]));
  cipher.setAAD(aad(sequence, header, plaintext.length));
  const body = Buffer.concat([explicit, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([Buffer.from([header[0]!, header[1]!, header[2]!, body.length >> 8, body.length & 0xff]), body]));
}

// ---------------------------------------------------------------------------------------------------------------
// ChaCha20-Poly1305 records (RFC 7905 §2), with Node's chacha20-poly1305

/** RFC 7905 §2: the sequence number, big-endian, padded on the left to 12 bytes, XORed with the 12-byte IV. */
export function referenceChaChaNonce(iv: Uint8Array, sequence: bigint): Buffer {
  const padded = Buffer.alloc(12);
  padded.writeBigUInt64BE(sequence, 4);
  return Buffer.from(padded.map((b, i) => b ^ iv[i]!));
}

/** Encrypts `plaintext` into a TLS 1.2 ChaCha20-Poly1305 record of `type` with Node: no explicit nonce in the fragment. */
export function referenceSealChaCha20(key: Uint8Array, iv: Uint8Array, sequence: bigint, type: number, plaintext: Uint8Array): Uint8Array {
  const header = Uint8Array.of(type, TLS12_VERSION >> 8, TLS12_VERSION & 0xff);
  const cipher = crypto.createCipheriv("chacha20-poly1305", key, referenceChaChaNonce(iv, sequence), { authTagLength: 16 });
  cipher.setAAD(aad(sequence, header, plaintext.length), { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([Buffer.from([type, header[1]!, header[2]!, body.length >> 8, body.length & 0xff]), body]));
}

/** Decrypts a whole TLS 1.2 ChaCha20-Poly1305 record (header included) with Node; throws if the tag is wrong. */
export function referenceOpenChaCha20(key: Uint8Array, iv: Uint8Array, sequence: bigint, record: Uint8Array): Uint8Array {
  const body = Buffer.from(record.subarray(5));
  const decipher = crypto.createDecipheriv("chacha20-poly1305", key, referenceChaChaNonce(iv, sequence), { authTagLength: 16 });
  decipher.setAAD(aad(sequence, record, body.length - 16), { plaintextLength: body.length - 16 });
  decipher.setAuthTag(body.subarray(body.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
}
