// From a traffic secret to what the record layer and the Finished message use: the AEAD key and IV of one
// direction (and the next secret when a KeyUpdate asks for fresh keys), and the finished key with its HMAC over the
// transcript. Read RFC 8446 §7.3 (traffic keys), §7.2 (updating traffic secrets) and §4.4.4 (Finished).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { hmac } from "@noble/hashes/hmac.js";
import { AlertDescription, type CipherSuiteInfo, cipherSuites, describeSuite } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { HASH_LENGTH, type HashName } from "../03-certificates/index.js";
import { HMAC_HASH } from "../04-rsa-key-exchange/index.js";
import { LABEL_FINISHED, LABEL_IV, LABEL_KEY, LABEL_TRAFFIC_UPDATE, hkdfExpandLabel } from "./hkdf.js";
import { NotImplemented } from "../../lib/errors.js";

/** The AEADs of the TLS 1.3 suites (RFC 8446 §B.4). */
export type Aead13 = CipherSuiteInfo["aead"];

/** Key sizes: AES-128 takes 16 bytes, AES-256 and ChaCha20 32 (RFC 5116 §5.1–§5.2, RFC 8439 §2.8). */
export const AEAD_KEY_LENGTH: Readonly<Record<Aead13, number>> = {
  AES_128_GCM: 16,
  AES_256_GCM: 32,
  CHACHA20_POLY1305: 32,
};
/**
 * Every TLS 1.3 AEAD takes a 12-byte nonce, and the whole of it comes from the key schedule: iv_length is
 * max(8 bytes, N_MIN) = 12 (RFC 8446 §5.3). Nothing of the nonce travels in the record.
 */
export const IV_LENGTH = 12;

/** One direction's record protection keys. */
export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/** The hash of a TLS 1.3 suite: its name ends in it (TLS_AES_256_GCM_SHA384 → SHA-384). */
export function suiteHash(suite: number): HashName {
  return suite13(suite).hash === "SHA384" ? "SHA-384" : "SHA-256";
}

/** The AEAD of a TLS 1.3 suite. */
export function suiteAead(suite: number): Aead13 {
  return suite13(suite).aead;
}

function suite13(suite: number): CipherSuiteInfo {
  const info = cipherSuites.get(suite);
  if (info === undefined || info.version !== "TLS 1.3") {
    throw new TlsError(AlertDescription.internal_error, `${describeSuite(suite)} is not a TLS 1.3 suite`, { field: "cipher_suite" });
  }
  return info;
}

/**
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)            RFC 8446 §7.3
 * `trafficSecret` is one of the schedule's traffic secrets: handshake, application (generation N), or early.
 */
export function trafficKeys(hash: HashName, aead: Aead13, trafficSecret: Uint8Array): TrafficKeys {
  // TODO 07.6: key = hkdfExpandLabel(hash, trafficSecret, LABEL_KEY, empty context, AEAD_KEY_LENGTH[aead]);
  // iv = the same with LABEL_IV and IV_LENGTH. An aead that is not in AEAD_KEY_LENGTH (a typo, or a value from
  // untyped code) is a TlsError internal_error, field "aead". (RFC 8446 §7.3)
  throw new NotImplemented("07.6");
  // END 07.6
}

/**
 *   application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 * RFC 8446 §7.2: after a KeyUpdate, the sender (and then the receiver) moves to the next generation and forgets
 * the old secret, so a key stolen later cannot decrypt what was sent before.
 */
export function nextTrafficSecret(hash: HashName, trafficSecret: Uint8Array): Uint8Array {
  // TODO 07.6: one hkdfExpandLabel of trafficSecret with LABEL_TRAFFIC_UPDATE, an empty context and
  // HASH_LENGTH[hash] bytes. The record keys then come from the new secret with trafficKeys. (RFC 8446 §7.2)
  throw new NotImplemented("07.6");
  // END 07.6
}

/**
 *   finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)          RFC 8446 §4.4.4
 * BaseKey is the sender's handshake traffic secret (the binder key for a PSK binder, §4.2.11.2).
 */
export function finishedKey(hash: HashName, baseKey: Uint8Array): Uint8Array {
  // TODO 07.7: one hkdfExpandLabel of baseKey with LABEL_FINISHED, an empty context and HASH_LENGTH[hash]
  // bytes. (RFC 8446 §4.4.4)
  throw new NotImplemented("07.7");
  // END 07.7
}

/**
 *   verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*))
 * RFC 8446 §4.4.4. The server's covers ClientHello … its CertificateVerify; the client's, ClientHello … the
 * server's Finished. Unlike TLS 1.2 (12 bytes of PRF), it is a whole HMAC: Hash.length bytes.
 */
export function finishedVerifyData(hash: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  // TODO 07.7: a transcriptHash that is not HASH_LENGTH[hash] bytes is our bug (TlsError internal_error, field
  // "transcript hash"). Then hmac(HMAC_HASH[hash], finishedKey(hash, baseKey), transcriptHash): the finished key is
  // the HMAC key, the transcript hash the message. (RFC 8446 §4.4.4)
  throw new NotImplemented("07.7");
  // END 07.7
}
