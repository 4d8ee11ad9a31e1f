// Shared by the chapter 07 tests (no tests here): HKDF-Expand-Label written a second time on Node's crypto (OpenSSL's
// HMAC), the vector files, and small helpers. Written from RFC 5869 §2.3 and RFC 8446 §7.1 without looking at the
// chapter's code, and sharing none of it: this is the reference the learner's code is compared with.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type NodeHash = "sha256" | "sha384";
export type Hash13 = "SHA-256" | "SHA-384";

export const NODE_HASH: Record<Hash13, NodeHash> = { "SHA-256": "sha256", "SHA-384": "sha384" };
export const HASH_LEN: Record<Hash13, number> = { "SHA-256": 32, "SHA-384": 48 };

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
export const u8 = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b);
export const EMPTY = new Uint8Array(0);

/** A file under tests/vectors/. */
export function vectorFile(path: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../vectors/${path}`, import.meta.url)));
}

/** Hash(data) by Node. */
export function nodeDigest(hash: Hash13, ...parts: Uint8Array[]): Uint8Array {
  return u8(crypto.createHash(NODE_HASH[hash]).update(Buffer.concat(parts)).digest());
}

/** HMAC by Node. */
export function nodeHmac(hash: Hash13, key: Uint8Array, data: Uint8Array): Uint8Array {
  return u8(crypto.createHmac(NODE_HASH[hash], key).update(data).digest());
}

/** HKDF-Extract(salt, IKM) = HMAC(salt, IKM) (RFC 5869 §2.2). */
export function referenceExtract(hash: Hash13, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return nodeHmac(hash, salt, ikm);
}

/** HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) || info || i), concatenated and cut to `length`. */
export function referenceExpand(hash: Hash13, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * HASH_LEN[hash]) throw new Error(`reference HKDF-Expand: ${length} is more than 255 blocks`);
  const blocks: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1, have = 0; have < length; i++) {
    t = crypto.createHmac(NODE_HASH[hash], prk).update(Buffer.concat([t, info, Buffer.of(i)])).digest();
    blocks.push(t);
    have += t.length;
  }
  return u8(Buffer.concat(blocks).subarray(0, length));
}

/** HkdfLabel (RFC 8446 §7.1): uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>. */
export function referenceHkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = Buffer.from("tls13 " + label, "latin1");
  if (full.length > 255 || context.length > 255 || length > 0xffff) throw new Error("reference HkdfLabel: out of range");
  return u8(Buffer.concat([Buffer.of(length >> 8, length & 0xff, full.length), full, Buffer.of(context.length), context]));
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) (RFC 8446 §7.1). */
export function referenceExpandLabel(hash: Hash13, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  return referenceExpand(hash, secret, referenceHkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages) (RFC 8446 §7.1). */
export function referenceDeriveSecret(hash: Hash13, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return referenceExpandLabel(hash, secret, label, transcriptHash, HASH_LEN[hash]);
}

/** AES-GCM open with Node (OpenSSL): the record's nonce is iv XOR the 64-bit sequence number, left-padded (RFC 8446 §5.3). */
export function nodeOpenRecord13(key: Uint8Array, iv: Uint8Array, sequence: number, record: Uint8Array): Uint8Array {
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Number((BigInt(sequence) >> BigInt(8 * i)) & 0xffn);
  const cipher = key.length === 16 ? "aes-128-gcm" : "aes-256-gcm";
  const decipher = crypto.createDecipheriv(cipher, key, nonce);
  // The additional data is the record header itself (RFC 8446 §5.2): opaque_type, legacy_record_version, length.
  decipher.setAAD(record.subarray(0, 5));
  decipher.setAuthTag(record.subarray(record.length - 16));
  return u8(Buffer.concat([decipher.update(record.subarray(5, record.length - 16)), decipher.final()]));
}

/** A deterministic byte source for tests that want varied but repeatable inputs. */
export function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let at = 0; at < n; at += 32) {
      crypto.createHash("sha256").update(`${seed}/${counter++}`).digest().copy(out, at);
    }
    return u8(out);
  };
}
