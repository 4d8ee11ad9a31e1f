// From the premaster secret to the session keys, TLS 1.2's way: one pseudo-random function (the PRF, HMAC
// iterated by P_hash) turns the premaster and both randoms into the 48-byte master secret, and the master secret
// into a "key block" that is cut into MAC keys, write keys and IVs for each direction. Read RFC 5246 §5 (the
// PRF), §8.1 (master secret), §6.3 (key block), RFC 7627 §3–§4 (extended master secret) and RFC 5288 §3.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { AlertDescription, CipherSuite, OtherCipherSuite, RANDOM_LENGTH, cipherSuites, describeSuite, nameOf } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { HASH_LENGTH, type HashName } from "../03-certificates/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** noble's hash for each name: HMAC takes the hash function itself, not a digest. */
export const HMAC_HASH: Record<HashName, CHash> = {
  "SHA-256": sha256,
  "SHA-384": sha384,
  "SHA-512": sha512,
};

/** The master secret is always 48 bytes, whatever the premaster's size (RFC 5246 §8.1). */
export const MASTER_SECRET_LENGTH = 48;
/** The PRF labels: ASCII strings, without a length byte or a terminating zero (RFC 5246 §5). */
export const LABEL_MASTER_SECRET = "master secret"; // RFC 5246 §8.1
export const LABEL_EXTENDED_MASTER_SECRET = "extended master secret"; // RFC 7627 §4
export const LABEL_KEY_EXPANSION = "key expansion"; // RFC 5246 §6.3

/** A label's bytes. Labels are ASCII (RFC 5246 §5); anything else is a typo in our own code. */
export function labelBytes(label: string): Uint8Array {
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c > 0x7f) throw new TlsError(AlertDescription.internal_error, `PRF label ${JSON.stringify(label)} is not ASCII`, { field: "label" });
    out[i] = c;
  }
  return out;
}

/**
 * P_hash (RFC 5246 §5): stretches `secret` and `seed` into `length` bytes by chaining HMACs.
 *
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
 *                          HMAC_hash(secret, A(2) + seed) +
 *                          HMAC_hash(secret, A(3) + seed) + ...
 *   A(0) = seed
 *   A(i) = HMAC_hash(secret, A(i-1))
 *
 * As many rounds as needed; the last output is cut to what is left of `length`.
 */
export function pHash(hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  // TODO 04.6: a length that is not a non-negative integer is our bug (TlsError internal_error). Keep A,
  // starting at A(0) = seed; each round, A = hmac(HMAC_HASH[hash], secret, A), then append
  // hmac(HMAC_HASH[hash], secret, concat(A, seed)) to the output; stop when `length` bytes are there and cut off
  // the rest. Note the two HMACs per round: A(i) only chains the rounds, the output blocks mix A(i) with the
  // seed again. (RFC 5246 §5)
  throw new NotImplemented("04.6");
  // END 04.6
}

/**
 * The TLS 1.2 PRF (RFC 5246 §5): PRF(secret, label, seed) = P_<hash>(secret, label + seed).
 * TLS 1.2 uses SHA-256 unless the cipher suite says otherwise (prfHash); TLS 1.0 and 1.1 had an MD5/SHA-1 mix.
 */
export function prf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  // TODO 04.6: the label's ASCII bytes (labelBytes) go in front of the seed, then P_hash does the rest.
  // (RFC 5246 §5)
  throw new NotImplemented("04.6");
  // END 04.6
}

/**
 * The hash of a TLS 1.2 suite's PRF: SHA-384 for the suites whose names end in _SHA384 (RFC 5288 §3, RFC 5289
 * §3.2), SHA-256 for every other TLS 1.2 suite (RFC 5246 §5: "all cipher suites defined in this document").
 * TLS 1.3 suites have no TLS 1.2 PRF: asking is our bug.
 */
export function prfHash(suite: number): HashName {
  const info = cipherSuites.get(suite);
  if (info?.version === "TLS 1.3") {
    throw new TlsError(AlertDescription.internal_error, `${describeSuite(suite)} is a TLS 1.3 suite: it has no TLS 1.2 PRF`, { field: "cipher_suite" });
  }
  const name = info?.name ?? nameOf({ ...CipherSuite, ...OtherCipherSuite }, suite) ?? "";
  return name.endsWith("_SHA384") ? "SHA-384" : "SHA-256";
}

/** The 32-byte randoms, checked: a wrong size here is our own bug (chapter 01 and 02 read exactly 32). */
function checkRandom(random: Uint8Array, field: string): void {
  if (random.length !== RANDOM_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `${field} must be ${RANDOM_LENGTH} bytes, got ${random.length}`, { field });
  }
}

/**
 * The master secret (RFC 5246 §8.1):
 *
 *   master_secret = PRF(pre_master_secret, "master secret",
 *                       ClientHello.random + ServerHello.random)
 *                       [0..47];
 */
export function masterSecret(hash: HashName, premaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  // TODO 04.7: check both randoms are RANDOM_LENGTH (32) bytes (checkRandom: internal_error), then
  // prf(hash, premaster, LABEL_MASTER_SECRET, client_random + server_random, MASTER_SECRET_LENGTH). The order
  // matters: the CLIENT's random first here (the key block, 04.8, turns it round). (RFC 5246 §8.1)
  throw new NotImplemented("04.7");
  // END 04.7
}

/**
 * The extended master secret (RFC 7627 §4), used instead when both sides sent the extended_master_secret
 * extension:
 *
 *   master_secret = PRF(pre_master_secret, "extended master secret",
 *                       session_hash)
 *                       [0..47];
 *
 * session_hash = Hash(every handshake message from ClientHello up to and including ClientKeyExchange, as sent,
 * headers included), with the PRF's own hash (RFC 7627 §3).
 *
 * Why? With the plain master secret, a man in the middle can run two handshakes (client↔attacker,
 * attacker↔server) that end with the SAME master secret: he passes the randoms through and re-encrypts the same
 * premaster to the server (the "triple handshake" attack, 2014). Hashing the whole handshake, certificates
 * included, ties the master secret to this one conversation.
 */
export function extendedMasterSecret(hash: HashName, premaster: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  // TODO 04.7: a sessionHash that is not HASH_LENGTH[hash] bytes was made with another hash: internal_error.
  // Then prf(hash, premaster, LABEL_EXTENDED_MASTER_SECRET, sessionHash, MASTER_SECRET_LENGTH): the randoms are
  // not used directly (they are inside the hashed messages). (RFC 7627 §3, §4)
  throw new NotImplemented("04.7");
  // END 04.7
}

/** How many key-block bytes a suite takes, per direction (RFC 5246 §6.3 and Appendix C, RFC 5288 §3, RFC 7905 §2). */
export interface KeyBlockParams {
  /** The HMAC key of a MAC-then-encrypt suite; 0 for AEAD suites, whose cipher authenticates by itself. */
  macKeyLength: number;
  /** The cipher key. */
  keyLength: number;
  /** The implicit part of the nonce (AES-GCM's 4-byte salt, ChaCha20-Poly1305's 12 bytes), or a CBC IV. */
  fixedIvLength: number;
}

/** AES-GCM: the key, and a 4-byte salt; the other 8 bytes of the nonce travel in each record (RFC 5288 §3). */
const AES_128_GCM: KeyBlockParams = { macKeyLength: 0, keyLength: 16, fixedIvLength: 4 };
const AES_256_GCM: KeyBlockParams = { macKeyLength: 0, keyLength: 32, fixedIvLength: 4 };
/** ChaCha20-Poly1305: the whole 12-byte nonce comes from the key block, XORed with the sequence number (RFC 7905 §2). */
const CHACHA20_POLY1305: KeyBlockParams = { macKeyLength: 0, keyLength: 32, fixedIvLength: 12 };
/**
 * AES-128-CBC with HMAC-SHA1 (0xc013, the illustrated-tls12 recording): a 20-byte MAC key (SHA-1's output
 * size), a 16-byte key and a 16-byte IV (RFC 5246 Appendix C). TLS 1.1 and 1.2 send an explicit IV in every
 * record, so that last IV is derived but never used.
 */
const AES_128_CBC_SHA: KeyBlockParams = { macKeyLength: 20, keyLength: 16, fixedIvLength: 16 };

/** The key-block sizes of the suites this project can negotiate, and of the recorded 0xc013 connection. */
export function keyBlockParams(suite: number): KeyBlockParams {
  if (suite === OtherCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) return AES_128_CBC_SHA;
  const info = cipherSuites.get(suite);
  if (info === undefined || info.version !== "TLS 1.2") {
    throw new TlsError(AlertDescription.internal_error, `no TLS 1.2 key block for ${describeSuite(suite)}`, { field: "cipher_suite" });
  }
  switch (info.aead) {
    case "AES_128_GCM":
      return AES_128_GCM;
    case "AES_256_GCM":
      return AES_256_GCM;
    case "CHACHA20_POLY1305":
      return CHACHA20_POLY1305;
  }
}

/** The key block cut into its six pieces, in the order RFC 5246 §6.3 lists them. */
export interface KeyBlock {
  clientMacKey: Uint8Array;
  serverMacKey: Uint8Array;
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  clientIv: Uint8Array;
  serverIv: Uint8Array;
}

/**
 * The key block (RFC 5246 §6.3):
 *
 *   key_block = PRF(SecurityParameters.master_secret,
 *                   "key expansion",
 *                   SecurityParameters.server_random +
 *                   SecurityParameters.client_random);
 *
 *   client_write_MAC_key[SecurityParameters.mac_key_length]
 *   server_write_MAC_key[SecurityParameters.mac_key_length]
 *   client_write_key[SecurityParameters.enc_key_length]
 *   server_write_key[SecurityParameters.enc_key_length]
 *   client_write_IV[SecurityParameters.fixed_iv_length]
 *   server_write_IV[SecurityParameters.fixed_iv_length]
 */
export function keyBlock(
  hash: HashName,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: KeyBlockParams,
): KeyBlock {
  // TODO 04.8: check both randoms (checkRandom). The seed is server_random + client_random — the SERVER's
  // first, the other way round from the master secret. Ask the PRF (label LABEL_KEY_EXPANSION) for exactly
  // 2 · (macKeyLength + keyLength + fixedIvLength) bytes and cut them in the order above: client MAC key, server
  // MAC key, client key, server key, client IV, server IV (each a copy, empty when its length is 0).
  // (RFC 5246 §6.3)
  throw new NotImplemented("04.8");
  // END 04.8
}
