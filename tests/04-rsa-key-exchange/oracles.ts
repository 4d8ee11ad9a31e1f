// Shared by the chapter 04 tests (no tests here): RSA keys made by Node's crypto (OpenSSL) with their numbers read
// from Node's JWK export, `openssl pkeyutl` and `openssl kdf` as outside oracles, and the vector files.
// Nothing here calls the code under test: these are the references it is checked against.
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const u8 = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));

const b64uBig = (s: string | undefined): bigint => {
  const h = Buffer.from(s ?? "", "base64url").toString("hex");
  return BigInt("0x" + (h === "" ? "0" : h));
};

/** An RSA key pair made by Node, with its numbers as Node (OpenSSL) reports them in JWK. */
export interface NodeRsaKey {
  bits: number;
  /** Modulus length in bytes. */
  k: number;
  publicKey: crypto.KeyObject;
  privateKey: crypto.KeyObject;
  /** n, e, d, p, q, dp, dq, qinv from the JWK export (RFC 7518 §6.3 names: n e d p q dp dq qi). */
  numbers: { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint; dp: bigint; dq: bigint; qinv: bigint };
  /** PEM: PKCS #8 ("PRIVATE KEY") and PKCS #1 ("RSA PRIVATE KEY"). */
  pkcs8: string;
  pkcs1: string;
}

function describeKey(publicKey: crypto.KeyObject, privateKey: crypto.KeyObject): NodeRsaKey {
  const jwk = privateKey.export({ format: "jwk" });
  const numbers = {
    n: b64uBig(jwk.n),
    e: b64uBig(jwk.e),
    d: b64uBig(jwk.d),
    p: b64uBig(jwk.p),
    q: b64uBig(jwk.q),
    dp: b64uBig(jwk.dp),
    dq: b64uBig(jwk.dq),
    qinv: b64uBig(jwk.qi),
  };
  const bits = numbers.n.toString(2).length;
  return {
    bits,
    k: Math.ceil(bits / 8),
    publicKey,
    privateKey,
    numbers,
    pkcs8: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    pkcs1: privateKey.export({ format: "pem", type: "pkcs1" }) as string,
  };
}

const cache = new Map<number, NodeRsaKey>();

/** A fresh key of `bits` bits from Node (one per size per test run). */
export function nodeRsaKey(bits: number): NodeRsaKey {
  let key = cache.get(bits);
  if (key === undefined) {
    const pair = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
    key = describeKey(pair.publicKey, pair.privateKey);
    // OpenSSL 3.0 quietly makes a 2048-bit key when asked for 2049 bits: make sure the size is what a test wants.
    if (key.bits !== bits) throw new Error(`asked Node for a ${bits}-bit RSA key, got ${key.bits} bits`);
    cache.set(bits, key);
  }
  return key;
}

/** The test servers' RSA key (tests/fixtures/server-rsa.key), as Node reads it. */
export function fixtureRsaKey(pem: string): NodeRsaKey {
  const privateKey = crypto.createPrivateKey(pem);
  return describeKey(crypto.createPublicKey(privateKey), privateKey);
}

/** Node's raw RSA private operation (RSA_NO_PADDING, still allowed): c^d mod n as k bytes. */
export function nodeRawDecrypt(key: NodeRsaKey, ciphertext: Uint8Array): Uint8Array {
  return u8(crypto.privateDecrypt({ key: key.privateKey, padding: crypto.constants.RSA_NO_PADDING }, ciphertext));
}

/** Node's raw RSA public operation: m^e mod n for a k-byte block m < n (used to make crafted ciphertexts). */
export function nodeRawEncrypt(key: NodeRsaKey, block: Uint8Array): Uint8Array {
  return u8(crypto.publicEncrypt({ key: key.publicKey, padding: crypto.constants.RSA_NO_PADDING }, block));
}

/** Node's PKCS #1 v1.5 encryption (RSA_PKCS1_PADDING, which Node still does for encryption). */
export function nodePkcs1Encrypt(key: NodeRsaKey, message: Uint8Array): Uint8Array {
  return u8(crypto.publicEncrypt({ key: key.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, message));
}

/**
 * `openssl pkeyutl -decrypt` with PKCS #1 v1.5 padding: OpenSSL's own decryption, run as a separate program,
 * because Node no longer decrypts PKCS #1 v1.5. Returns the message, or throws with openssl's error text.
 */
export function opensslPkcs1Decrypt(key: NodeRsaKey, ciphertexts: Uint8Array[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-04-"));
  try {
    writeFileSync(join(dir, "key.pem"), key.pkcs8);
    return ciphertexts.map((c, i) => {
      const input = join(dir, `c${i}.bin`);
      writeFileSync(input, c);
      const run = spawnSync(
        "openssl",
        ["pkeyutl", "-decrypt", "-inkey", join(dir, "key.pem"), "-pkeyopt", "rsa_padding_mode:pkcs1", "-in", input],
        { maxBuffer: 1 << 20 },
      );
      if (run.error) throw new Error(`cannot run openssl (is it installed?): ${run.error.message}`);
      if (run.status !== 0) throw new Error(`openssl pkeyutl -decrypt refused ciphertext ${i}: ${run.stderr.toString().trim()}`);
      return u8(run.stdout);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** OpenSSL's names for our hashes. */
const OPENSSL_DIGEST = { "SHA-256": "SHA256", "SHA-384": "SHA384", "SHA-512": "SHA512" } as const;

/**
 * `openssl kdf -kdfopt digest:… TLS1-PRF`: OpenSSL's TLS 1.2 PRF, P_hash(secret, seed) with the label already
 * in front of the seed (the label is just the first bytes of the seed there).
 */
export function opensslTlsPrf(hash: keyof typeof OPENSSL_DIGEST, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const run = spawnSync(
    "openssl",
    [
      "kdf",
      "-keylen",
      String(length),
      "-kdfopt",
      `digest:${OPENSSL_DIGEST[hash]}`,
      "-kdfopt",
      `hexsecret:${hex(secret)}`,
      "-kdfopt",
      `hexseed:${hex(seed)}`,
      "TLS1-PRF",
    ],
    { encoding: "utf8" },
  );
  if (run.error) throw new Error(`cannot run openssl (is it installed?): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`openssl kdf failed: ${run.stderr.trim()}`);
  return unhex(run.stdout.replace(/[:\s]/g, ""));
}

/** A file from tests/vectors. */
export function vectorFile(path: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../vectors/${path}`, import.meta.url)));
}

/** A deterministic byte source for the `random` parameters: bytes from a seed, via SHA-256 in counter mode. */
export function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n: number) => {
    while (pool.length < n) {
      const block = crypto.createHash("sha256").update(`${seed}/${counter++}`).digest();
      pool = new Uint8Array(Buffer.concat([pool, block]));
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}
