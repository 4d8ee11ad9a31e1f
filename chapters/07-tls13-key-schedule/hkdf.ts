// HKDF, TLS 1.3's one key-derivation function, and the two ways TLS 1.3 calls it: HKDF-Expand-Label, which packs
// a length, a label and a context into one structure so that no two secrets are ever derived from the same input,
// and Derive-Secret, which ties a secret to the handshake messages seen so far. Read RFC 5869 §2 (HKDF) and
// RFC 8446 §7.1 (HkdfLabel, Derive-Secret).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { expand, extract } from "@noble/hashes/hkdf.js";
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { writeOpaque, writeUint } from "../00-bytes/index.js";
import { HASH_LENGTH, type HashName, digest } from "../03-certificates/index.js";
import { HMAC_HASH } from "../04-rsa-key-exchange/index.js";
import { NotImplemented } from "../../lib/errors.js";

// ---------------------------------------------------------------------------------------------------------------
// HKDF itself (RFC 5869), from noble: given, not an exercise.

/**
 * HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2): concentrates whatever entropy the input keying
 * material has (a Diffie-Hellman shared secret, a PSK, or zeros) into one pseudorandom key of Hash.length bytes.
 * Note the order: the SALT is the HMAC key. noble's `extract` takes (hash, ikm, salt), the RFC writes (salt, IKM);
 * this wrapper follows the RFC. An empty salt is the same as Hash.length zero bytes (HMAC pads short keys with
 * zeros), which RFC 5869 §2.2 also says.
 */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return extract(HMAC_HASH[hash], ikm, salt);
}

/**
 * HKDF-Expand(PRK, info, L) (RFC 5869 §2.3): L bytes from the pseudorandom key, T(1) || T(2) || … with
 * T(i) = HMAC-Hash(PRK, T(i-1) || info || i). The counter is one byte, so at most 255 blocks: L ≤ 255·Hash.length.
 * Asking for more, or expanding a PRK shorter than Hash.length, is a bug in our own code (internal_error): every
 * caller in TLS asks for a fixed, small length. This is what Wycheproof's "SizeTooLarge" cases expect.
 */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = HASH_LENGTH[hash];
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * hashLength) {
    throw new TlsError(
      AlertDescription.internal_error,
      `HKDF-Expand with ${hash} gives 0 … ${255 * hashLength} bytes (255 blocks of ${hashLength}), ${length} asked`,
      { field: "HKDF-Expand length" },
    );
  }
  if (prk.length < hashLength) {
    throw new TlsError(AlertDescription.internal_error, `an HKDF-Expand key must be at least ${hashLength} bytes, got ${prk.length}`, {
      field: "HKDF-Expand PRK",
    });
  }
  return expand(HMAC_HASH[hash], prk, info, length);
}

/** Hash.length zero bytes: the "0" of the key schedule diagram (RFC 8446 §7.1). */
export function zeros(hash: HashName): Uint8Array {
  return new Uint8Array(HASH_LENGTH[hash]);
}

/** Transcript-Hash("") = Hash of nothing, the context of every "derived" step (RFC 8446 §7.1). */
export function emptyHash(hash: HashName): Uint8Array {
  return digest(hash, new Uint8Array(0));
}

// ---------------------------------------------------------------------------------------------------------------
// The labels (RFC 8446 §7.1–§7.3 and §4.4.4). On the wire each is preceded by "tls13 ", so that no TLS 1.3 secret
// can collide with an output of some other protocol that uses HKDF with the same key.

export const LABEL_PREFIX = "tls13 ";
export const LABEL_DERIVED = "derived"; // §7.1: the salt of the next Extract
export const LABEL_EXTERNAL_BINDER = "ext binder"; // §7.1: binder key of an external PSK
export const LABEL_RESUMPTION_BINDER = "res binder"; // §7.1: binder key of a resumption PSK
export const LABEL_CLIENT_EARLY_TRAFFIC = "c e traffic"; // §7.1: 0-RTT data
export const LABEL_EARLY_EXPORTER = "e exp master"; // §7.1, §7.5
export const LABEL_CLIENT_HANDSHAKE_TRAFFIC = "c hs traffic"; // §7.1
export const LABEL_SERVER_HANDSHAKE_TRAFFIC = "s hs traffic"; // §7.1
export const LABEL_CLIENT_APPLICATION_TRAFFIC = "c ap traffic"; // §7.1
export const LABEL_SERVER_APPLICATION_TRAFFIC = "s ap traffic"; // §7.1
export const LABEL_EXPORTER = "exp master"; // §7.1, §7.5
export const LABEL_RESUMPTION_MASTER = "res master"; // §7.1
export const LABEL_KEY = "key"; // §7.3
export const LABEL_IV = "iv"; // §7.3
export const LABEL_FINISHED = "finished"; // §4.4.4
export const LABEL_TRAFFIC_UPDATE = "traffic upd"; // §7.2 (KeyUpdate)
export const LABEL_RESUMPTION = "resumption"; // §4.6.1: the PSK of a ticket

/** HkdfLabel.label is opaque label<7..255>: "tls13 " plus at least one byte, at most 255 bytes in all. */
export const MIN_FULL_LABEL_LENGTH = 7;
export const MAX_FULL_LABEL_LENGTH = 255;
/** HkdfLabel.context is opaque context<0..255>. */
export const MAX_CONTEXT_LENGTH = 255;

/** A label's bytes: labels are ASCII; anything else is a typo in our own code. */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new TlsError(AlertDescription.internal_error, `label ${JSON.stringify(text)} is not ASCII`, { field: "HkdfLabel.label" });
    out[i] = c;
  }
  return out;
}

/**
 * The HkdfLabel structure, with a note on every byte (RFC 8446 §7.1):
 *
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *
 * It is the `info` of HKDF-Expand. Because the output length is inside it, asking for 16 bytes and for 32 bytes
 * under the same label gives unrelated outputs, not one the prefix of the other.
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): ByteWriter {
  // TODO 07.1: build HkdfLabel in a new ByteWriter: `length` as a uint16 (writeUint, 2 bytes), then
  // LABEL_PREFIX + label as an opaque with a 1-byte length (writeOpaque), then the context as an opaque with a
  // 1-byte length. Check first, each a TlsError internal_error naming the field: the label's characters are ASCII
  // (use asciiBytes); "tls13 " + label is 7 … 255 bytes; the context is at most 255 bytes; length is an integer
  // 0 … 65535. These are our own bugs, never the peer's. (RFC 8446 §7.1)
  throw new NotImplemented("07.1");
  // END 07.1
}

/**
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *        HKDF-Expand(Secret, HkdfLabel, Length)                       RFC 8446 §7.1
 */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  // TODO 07.1: HKDF-Expand (hkdfExpand, given) of `secret` with info = the bytes of hkdfLabel(label, context,
  // length), for `length` bytes. hkdfExpand already refuses more than 255·Hash.length bytes. (RFC 8446 §7.1)
  throw new NotImplemented("07.1");
  // END 07.1
}

/**
 *   Derive-Secret(Secret, Label, Messages) =
 *        HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)     RFC 8446 §7.1
 *
 * Here the caller passes the transcript hash already taken (TranscriptHash.hash(), or emptyHash for "derived").
 */
export function deriveSecret(hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  // TODO 07.1: a transcriptHash that is not HASH_LENGTH[hash] bytes was taken with another hash (or is not a
  // hash at all): TlsError internal_error, field "transcript hash". Then hkdfExpandLabel with the transcript hash as
  // the context and HASH_LENGTH[hash] as the length: every secret of the schedule is one hash long. (RFC 8446 §7.1)
  throw new NotImplemented("07.1");
  // END 07.1
}
