// Chapter 12's outside references: draft-ietf-tls-ecdhe-mlkem's own text (the sizes and code points are read from it,
// not retyped), ML-KEM-768 known answers made by kyber-py (tests/fixtures/make-mlkem-vectors.py), and Node's crypto
// for the classical halves (X25519, P-256 ECDH), so that no expected value comes from the code under test.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fromHex } from "../../lib/hex.js";

const vectorPath = (name: string) => new URL(`../vectors/${name}`, import.meta.url);

/** The draft, as tests/vectors/drafts/ holds it. */
export const DRAFT = readFileSync(vectorPath("drafts/draft-ietf-tls-ecdhe-mlkem.md"), "utf8");

/** The paragraph of §3 that begins "When the NAME group is negotiated, the SIDE's key…", up to the next blank line. */
function paragraph(name: string, side: "client" | "server"): string {
  const start = DRAFT.indexOf(`When the ${name} group is negotiated, the ${side}'s key`);
  if (start < 0) throw new Error(`draft: no paragraph for the ${side} share of ${name}`);
  return DRAFT.slice(start, DRAFT.indexOf("\n\n", start));
}

/** "The size of the client share is 1216 bytes (1184 bytes for the ML-KEM part and 32 bytes for X25519)", read. */
export function draftShareSize(name: string, side: "client" | "server"): { total: number; parts: number[] } {
  const text = paragraph(name, side).replace(/\s+/g, " ");
  const m = /The size of the (?:client|server) share is (\d+) bytes \(([^)]*)\)/.exec(text);
  if (m === null) throw new Error(`draft: no size in the ${side} paragraph of ${name}`);
  return { total: Number(m[1]), parts: [...m[2]!.matchAll(/(\d+)/g)].map((p) => Number(p[1])) };
}

/** Which part §3 names first in a share: "the concatenation of the client's ML-KEM-768 encapsulation key and …". */
export function draftShareOrder(name: string, side: "client" | "server"): "mlkem first" | "ecdh first" {
  const text = paragraph(name, side).replace(/\s+/g, " ");
  const after = text.slice(text.indexOf("concatenation of"));
  const mlkem = after.indexOf("ML-KEM");
  const ecdh = Math.min(...["X25519", "secp256r1"].map((c) => after.indexOf(c)).filter((i) => i >= 0));
  if (mlkem < 0 || !Number.isFinite(ecdh)) throw new Error(`draft: cannot read the ${side} share order of ${name}`);
  return mlkem < ecdh ? "mlkem first" : "ecdh first";
}

/** The value §6 (IANA) gives a group: "## X25519MLKEM768 … Value: : 4588 (0x11EC)". */
export function draftCodePoint(name: string): number {
  const m = new RegExp(`## ${name}\\s+Value:\\s+: (\\d+) \\(0x([0-9A-F]+)\\)`).exec(DRAFT);
  if (m === null) throw new Error(`draft: no IANA value for ${name}`);
  if (Number(m[1]) !== parseInt(m[2]!, 16)) throw new Error(`draft: ${name}'s decimal and hex values differ`);
  return Number(m[1]);
}

/** Which secret the draft puts first for a group (§3.3): "the shared secret is the concatenation of the X and Y …". */
export function draftSecretOrder(name: string): "mlkem first" | "ecdh first" {
  const start = DRAFT.indexOf(`For ${name}, the shared secret is the`);
  if (start < 0) throw new Error(`draft: no shared-secret paragraph for ${name}`);
  const text = DRAFT.slice(start, DRAFT.indexOf("\n\n", start)).replace(/\s+/g, " ");
  const m = /concatenation of the (ML-KEM|ECDHE)/.exec(text);
  if (m === null) throw new Error(`draft: cannot read the order for ${name}`);
  return m[1] === "ML-KEM" ? "mlkem first" : "ecdh first";
}

export interface MlKemCase {
  seed: Uint8Array; // d ‖ z
  m: Uint8Array;
  ek: Uint8Array;
  dk: Uint8Array;
  ct: Uint8Array;
  ss: Uint8Array;
  tamperedCt: Uint8Array;
  tamperedSs: Uint8Array;
}

/** ML-KEM-768 known answers from kyber-py (tests/vectors/mlkem768/kyber-py.json). */
export function mlkemCases(): MlKemCase[] {
  const json = JSON.parse(readFileSync(vectorPath("mlkem768/kyber-py.json"), "utf8")) as { cases: Record<string, string>[] };
  return json.cases.map((c) => ({
    seed: fromHex(c.d! + c.z!),
    m: fromHex(c.m!),
    ek: fromHex(c.ek!),
    dk: fromHex(c.dk!),
    ct: fromHex(c.ct!),
    ss: fromHex(c.ss!),
    tamperedCt: fromHex(c.tamperedCt!),
    tamperedSs: fromHex(c.tamperedSs!),
  }));
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));

/** An X25519 key pair from Node's crypto, as raw bytes, and Node's X25519 with a peer's raw public key. */
export function nodeX25519() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("x25519");
  const jwk = privateKey.export({ format: "jwk" });
  return {
    publicKey: b64(jwk.x!),
    privateKey: b64(jwk.d!),
    sharedWith(peer: Uint8Array): Uint8Array {
      const peerKey = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(peer).toString("base64url") }, format: "jwk" });
      return new Uint8Array(crypto.diffieHellman({ privateKey, publicKey: peerKey }));
    },
    nodePublic: publicKey,
  };
}

/** A P-256 key pair from Node's crypto (uncompressed point, 32-byte scalar), and Node's ECDH (the x coordinate). */
export function nodeP256() {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const priv = ecdh.getPrivateKey();
  const privateKey = new Uint8Array(32);
  privateKey.set(priv, 32 - priv.length);
  return {
    publicKey: new Uint8Array(ecdh.getPublicKey()),
    privateKey,
    sharedWith: (peer: Uint8Array) => new Uint8Array(ecdh.computeSecret(peer)),
  };
}
