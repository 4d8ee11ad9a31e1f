// The client's half of RSA key exchange: pad the premaster with EME-PKCS1-v1_5 (block type 2, random non-zero
// padding), raise it to the server's public exponent with chapter 03's modPow, and send the result in the
// ClientKeyExchange message. Read RFC 8017 §7.2.1 (RSAES-PKCS1-V1_5-ENCRYPT) and §5.1.1 (RSAEP), and
// RFC 5246 §7.4.7 and §7.4.7.1 (ClientKeyExchange, EncryptedPreMasterSecret).
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { readHandshake, readOpaque, writeHandshake, writeOpaque } from "../00-bytes/index.js";
import {
  PKCS1_BLOCK_START,
  PKCS1_MIN_PADDING,
  PKCS1_SEPARATOR,
  type RsaPublicKey,
  bigIntToBytes,
  bytesToBigInt,
  modPow,
  modulusLength,
} from "../03-certificates/index.js";

/** The second byte of an encryption block (RFC 8017 §7.2.1 step 2c); signatures use 01 (chapter 03). */
export const PKCS1_BLOCK_TYPE_ENCRYPTION = 0x02;
/** 00, 02, the 00 separator, and at least 8 bytes of padding: a message may be at most k − 11 bytes (§7.2.1 step 1). */
export const PKCS1_ENCRYPTION_OVERHEAD = 3 + PKCS1_MIN_PADDING;

/**
 * RSAES-PKCS1-V1_5-ENCRYPT (RFC 8017 §7.2.1): encrypts `message` (at most k − 11 bytes) to `key`. The result is
 * exactly k bytes, k being the modulus length in bytes. `random` supplies the padding; tests pass their own.
 *
 *   EM = 0x00 || 0x02 || PS || 0x00 || M          PS: k − mLen − 3 random bytes, none of them zero
 *   C  = I2OSP(OS2IP(EM)^e mod n, k)
 */
export function rsaEncryptPkcs1v15(key: RsaPublicKey, message: Uint8Array, random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  // EXERCISE 04.2: k = modulusLength(key). If message.length > k − PKCS1_ENCRYPTION_OVERHEAD (11) the message
  // does not fit: TlsError internal_error ("message too long", step 1). PS is k − message.length − 3 bytes,
  // every one of them random and NOT zero: ask `random(n)` for the n bytes still missing, keep only the non-zero
  // ones, and ask again until PS is full (never replace a zero by a fixed value: PS must stay unpredictable). A
  // source that returns a different number of bytes than asked is our bug: internal_error. Build
  // EM = 00 02 PS 00 M (the named constants above and chapter 03's PKCS1_BLOCK_START, PKCS1_SEPARATOR), then
  // c = modPow(bytesToBigInt(EM), e, n) and return bigIntToBytes(c, k): k bytes even when c is small.
  // (RFC 8017 §7.2.1 steps 1–3, §5.1.1)
  const k = modulusLength(key);
  if (message.length > k - PKCS1_ENCRYPTION_OVERHEAD) {
    throw new TlsError(
      AlertDescription.internal_error,
      `message too long: ${message.length} bytes, a ${k}-byte key takes at most ${k - PKCS1_ENCRYPTION_OVERHEAD}`,
      { field: "RSAES-PKCS1-v1_5" },
    );
  }
  // The padding is what makes RSA encryption safe to use at all. Without it, encrypting the same premaster
  // twice would give the same ciphertext, and a short message m with m^e < n could be read back by taking an
  // integer e-th root. Random bytes fill the block up to the top, so every encryption is different.
  // They must be non-zero: the receiver finds the end of the padding at the first 00.
  const psLength = k - message.length - 3;
  const ps = new Uint8Array(psLength);
  let filled = 0;
  while (filled < psLength) {
    const wanted = psLength - filled;
    const fresh = random(wanted);
    if (fresh.length !== wanted) {
      throw new TlsError(AlertDescription.internal_error, `asked for ${wanted} random bytes, got ${fresh.length}`, { field: "PS" });
    }
    for (const b of fresh) if (b !== 0) ps[filled++] = b;
  }
  const em = new Uint8Array(k);
  em[0] = PKCS1_BLOCK_START; // keeps EM, read as a number, below n
  em[1] = PKCS1_BLOCK_TYPE_ENCRYPTION;
  em.set(ps, 2);
  em[2 + psLength] = PKCS1_SEPARATOR;
  em.set(message, 3 + psLength);
  // RSAEP (§5.1.1): the whole public operation is one modular power, the same one that checked signatures.
  const c = modPow(bytesToBigInt(em), key.e, key.n);
  return bigIntToBytes(c, k);
  // END 04.2
}

// ---- The ClientKeyExchange message (RSA form) ----

/**
 *   struct {
 *       public-key-encrypted PreMasterSecret pre_master_secret;
 *   } EncryptedPreMasterSecret;                           RFC 5246 §7.4.7.1
 *
 *   struct {
 *       select (KeyExchangeAlgorithm) {
 *           case rsa:
 *               EncryptedPreMasterSecret;
 *           case dhe_dss:
 *           case dhe_rsa:
 *           case dh_dss:
 *           case dh_rsa:
 *           case dh_anon:
 *               ClientDiffieHellmanPublic;
 *       } exchange_keys;
 *   } ClientKeyExchange;                                  RFC 5246 §7.4.7
 *
 * "public-key-encrypted" data is an opaque vector <0..2^16-1> (RFC 5246 §4.7): two length bytes, then the k bytes
 * of ciphertext. SSL 3.0 sent the ciphertext bare, with no length; every TLS version has the two length bytes, and
 * because some old implementations got this wrong RFC 5246 repeats it in an implementation note (§7.4.7.1).
 * Writes the body only (no handshake header).
 */
export function writeClientKeyExchangeRsa(w: ByteWriter, encrypted: Uint8Array): void {
  // EXERCISE 04.3: write `encrypted` as an opaque vector with a 2-byte length (writeOpaque from chapter 00), noted
  // "EncryptedPreMasterSecret". More than 2^16 − 1 bytes is our own bug (internal_error; writeOpaque's writeUint
  // already says so). (RFC 5246 §7.4.7.1 and its Implementation Note, §4.7)
  writeOpaque(w, 2, encrypted, "EncryptedPreMasterSecret");
  // END 04.3
}

/** Reads the RSA ClientKeyExchange body (the server's side) and returns the encrypted premaster. */
export function readClientKeyExchangeRsa(r: ByteReader): Uint8Array {
  // EXERCISE 04.3: read the 2-byte length and that many bytes (readOpaque; a length longer than what is left is a
  // decode_error naming the field and offset), and describe them with r.describe(…) (e.g. "256 bytes of RSA
  // ciphertext"). Do not check the length against a key here: that the ciphertext has the key's size is for
  // decryptPremaster to find out, and it must not answer differently. Leave trailing bytes to the caller's
  // body.end(…). (RFC 5246 §7.4.7.1)
  const encrypted = readOpaque(r, 2, "EncryptedPreMasterSecret");
  r.describe(`${encrypted.length} bytes of RSA ciphertext`);
  return encrypted;
  // END 04.3
}

/** The whole ClientKeyExchange handshake message (type 16), with notes for every byte. */
export function clientKeyExchangeRsaMessage(encrypted: Uint8Array): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.client_key_exchange, (body) => writeClientKeyExchangeRsa(body, encrypted));
  return w;
}

/** The handshake message's bytes (header and body), e.g. for the transcript. */
export function encodeClientKeyExchangeRsa(encrypted: Uint8Array): Uint8Array {
  return clientKeyExchangeRsaMessage(encrypted).toBytes();
}

/** Reads a whole RSA ClientKeyExchange handshake message (header and body) from a reader. */
export function readClientKeyExchangeRsaMessage(r: ByteReader): Uint8Array {
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.client_key_exchange) {
    throw new TlsError(
      AlertDescription.unexpected_message,
      `expected client_key_exchange (16), got ${describeCode(HandshakeType, type, 2)}`,
      { field: "handshake type", offset: headerAt },
    );
  }
  const encrypted = readClientKeyExchangeRsa(body);
  body.end("client_key_exchange");
  return encrypted;
}

/** Decodes a whole RSA ClientKeyExchange handshake message and checks nothing is left over. */
export function decodeClientKeyExchangeRsa(message: Uint8Array): Uint8Array {
  const r = new ByteReader(message);
  const encrypted = readClientKeyExchangeRsaMessage(r);
  r.end("client_key_exchange message");
  return encrypted;
}
