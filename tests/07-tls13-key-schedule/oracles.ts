// Shared by the chapter 07 tests (no tests here): HKDF-Expand-Label on Node's crypto (OpenSSL's HMAC), the vector
// files, and small helpers. The HKDF and record-opening oracle itself lives in tests/support/tls13-oracle.ts (written
// from RFC 5869 §2.3 and RFC 8446 §7.1, sharing no code with the chapters); this file adapts it to chapter 07's names.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type NodeHash, oracleExpand, oracleHkdfLabel, oracleOpenInner } from "../support/tls13-oracle.js";

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

/** HKDF-Expand (RFC 5869 §2.3): the one in tests/support/tls13-oracle.ts. */
export function referenceExpand(hash: Hash13, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return oracleExpand(NODE_HASH[hash], prk, info, length);
}

/** HkdfLabel (RFC 8446 §7.1): the one in tests/support/tls13-oracle.ts. */
export const referenceHkdfLabel = oracleHkdfLabel;

/** HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) (RFC 8446 §7.1). */
export function referenceExpandLabel(hash: Hash13, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  return referenceExpand(hash, secret, referenceHkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages) (RFC 8446 §7.1). */
export function referenceDeriveSecret(hash: Hash13, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return referenceExpandLabel(hash, secret, label, transcriptHash, HASH_LEN[hash]);
}

/** AES-GCM open with Node (OpenSSL), nonce = iv XOR sequence (RFC 8446 §5.3): tests/support/tls13-oracle.ts's opener. */
export function nodeOpenRecord13(key: Uint8Array, iv: Uint8Array, sequence: number, record: Uint8Array): Uint8Array {
  const aead = key.length === 16 ? "aes-128-gcm" : "aes-256-gcm";
  return oracleOpenInner({ aead, key, iv, sequence: BigInt(sequence) }, record);
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
