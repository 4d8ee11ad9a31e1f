// The outside references chapter 05's tests read, and a reference encoder written from the RFC structs. Nothing
// here uses the code under test: RFC 7919's primes are parsed from the RFC text, openssl names its own groups,
// Node's crypto makes keys and signatures, and the illustrated TLS 1.2 connection (tls12.xargs.org) gives real
// bytes with their keys. See tests/vectors/SOURCES.md for where each file came from.
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const vectorPath = (name: string): string => fileURLToPath(new URL(`../vectors/${name}`, import.meta.url));

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
export const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
export const bigOf = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt("0x" + hex(b)));
/** A non-negative integer as big-endian bytes, exactly `length` of them (Node-free and independent of chapter 03). */
export function bytesOf(x: bigint, length: number): Uint8Array {
  const h = x.toString(16).padStart(2 * length, "0");
  if (h.length > 2 * length) throw new Error(`${x} does not fit in ${length} bytes`);
  return unhex(h);
}
/** Minimal big-endian bytes (no leading zero byte), as RFC 5246 §8.1.2 wants Z. */
export const minimalBytes = (x: bigint): Uint8Array => bytesOf(x, Math.max(1, Math.ceil(x.toString(16).length / 2)));

// ---------------------------------------------------------------------------------------------------------------
// RFC 7919 Appendix A, parsed from the RFC text

export interface RfcGroup {
  name: string;
  /** The NamedGroup value the RFC gives ("registry value 256"). */
  registryValue: number;
  bits: number;
  p: bigint;
  g: bigint;
}

/**
 * The five groups of RFC 7919 Appendix A from tests/vectors/rfc7919.txt: each section's "The hexadecimal
 * representation of p is:" block (page headers and footers in between skipped), its generator line and its
 * registry value. Throws unless each p has the bit length its name promises.
 */
export function rfc7919Groups(): RfcGroup[] {
  const text = readFileSync(vectorPath("rfc7919.txt"), "latin1");
  const appendix = text.slice(text.search(/^Appendix A\. {2}Supported Groups Registry/m));
  const sections = appendix.split(/^A\.\d\. {2}(?=ffdhe\d+$)/m).slice(1);
  const groups = sections.map((section): RfcGroup => {
    const name = /^ffdhe\d+/.exec(section)![0];
    const bits = Number(name.slice("ffdhe".length));
    const registry = /has registry value (\d+)/.exec(section.replace(/\s+/g, " "));
    const block = /The hexadecimal representation of p is:\n([\s\S]*?)\n\s*The generator is: g = (\d+)/.exec(section);
    if (registry === null || block === null) throw new Error(`RFC 7919 ${name}: registry value or p not found`);
    // Only lines made of 8-digit hex groups belong to the number; the page breaks in between do not.
    const digits = block[1]!
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^[0-9A-F]{8}( [0-9A-F]{8})*$/.test(l))
      .join("")
      .replace(/ /g, "");
    const p = BigInt("0x" + digits);
    if (p.toString(2).length !== bits) throw new Error(`RFC 7919 ${name}: parsed p has ${p.toString(2).length} bits`);
    return { name, registryValue: Number(registry[1]), bits, p, g: BigInt(block[2]!) };
  });
  if (groups.length !== 5) throw new Error(`RFC 7919 Appendix A: expected 5 groups, parsed ${groups.length}`);
  return groups;
}

/**
 * The prime of an RFC 7919 group as `openssl genpkey -genparam -pkeyopt group:NAME` makes it, read back with
 * `openssl asn1parse` (DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, … }, PKCS #3).
 */
export function opensslGroup(name: string): { p: bigint; g: bigint } {
  const params = spawnSync("openssl", ["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", `group:${name}`], { encoding: "latin1" });
  if (params.status !== 0) throw new Error(`openssl genpkey -genparam group:${name}: ${params.stderr}`);
  const parsed = spawnSync("openssl", ["asn1parse"], { input: params.stdout, encoding: "latin1" });
  const integers = [...parsed.stdout.matchAll(/INTEGER\s+:([0-9A-F]+)/g)].map((m) => BigInt("0x" + m[1]));
  if (integers.length < 2) throw new Error(`openssl asn1parse found no prime and base:\n${parsed.stdout}`);
  return { p: integers[0]!, g: integers[1]! };
}

/** A Node DH group's prime and generator as numbers (getDiffieHellman: RFC 2409 / RFC 3526 MODP groups). */
export function nodeGroup(name: string): { p: bigint; g: bigint; pBytes: Uint8Array; gBytes: Uint8Array } {
  const dh = crypto.getDiffieHellman(name);
  const pBytes = new Uint8Array(dh.getPrime());
  const gBytes = new Uint8Array(dh.getGenerator());
  return { p: bigOf(pBytes), g: bigOf(gBytes), pBytes, gBytes };
}

// ---------------------------------------------------------------------------------------------------------------
// Wycheproof

export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  public: string;
  private: string;
  shared: string;
  result: "valid" | "invalid" | "acceptable";
}

/** A Wycheproof ECDH/XDH file from tests/vectors/wycheproof, checked to hold as many cases as its header says. */
export function wycheproof(name: string): { algorithm: string; cases: WycheproofCase[] } {
  const file = JSON.parse(readFileSync(vectorPath(`wycheproof/${name}`), "utf8")) as {
    algorithm: string;
    numberOfTests: number;
    testGroups: { tests: WycheproofCase[] }[];
  };
  const cases = file.testGroups.flatMap((g) => g.tests);
  if (cases.length !== file.numberOfTests) throw new Error(`${name}: ${cases.length} cases, but the header says ${file.numberOfTests}`);
  return { algorithm: file.algorithm, cases };
}

// ---------------------------------------------------------------------------------------------------------------
// The illustrated TLS 1.2 connection (tls12.xargs.org): ECDHE_RSA, x25519, rsa_pkcs1_sha256

interface IllustratedValues {
  clientEphemeralX25519: { private: string; public: string };
  serverEphemeralX25519: { private: string; public: string };
  statedOnPage: { pre_master_secret: string };
}

/** One record file: the 5-byte header, then exactly one handshake message (checked). Returns the message. */
function illustratedMessage(name: string, type: number): Uint8Array {
  const record = new Uint8Array(readFileSync(vectorPath(`illustrated-tls12/caps/${name}`)));
  const length = (record[3]! << 8) | record[4]!;
  const message = record.subarray(5);
  const bodyLength = (message[1]! << 16) | (message[2]! << 8) | message[3]!;
  if (record[0] !== 22 || length !== message.length || message[0] !== type || 4 + bodyLength !== message.length) {
    throw new Error(`illustrated-tls12/caps/${name} is not one record holding one handshake message of type ${type}`);
  }
  return message.slice();
}

export function illustrated() {
  const values = JSON.parse(readFileSync(vectorPath("illustrated-tls12/values.json"), "utf8")) as IllustratedValues;
  const clientHello = illustratedMessage("clienthello", 1);
  const serverHello = illustratedMessage("serverhello", 2);
  const certificate = illustratedMessage("servercert", 11);
  // Certificate (RFC 5246 §7.4.2): header (4), list length (3), first certificate's length (3), its DER.
  const firstLength = (certificate[7]! << 16) | (certificate[8]! << 8) | certificate[9]!;
  const leaf = new crypto.X509Certificate(Buffer.from(certificate.subarray(10, 10 + firstLength)));
  return {
    // ClientHello / ServerHello: header (4), version (2), then the 32-byte random (RFC 5246 §7.4.1.2-3).
    clientRandom: clientHello.slice(6, 38),
    serverRandom: serverHello.slice(6, 38),
    serverKeyExchange: illustratedMessage("serverkeyexchange", 12),
    clientKeyExchange: illustratedMessage("clientkeyexchange", 16),
    leaf,
    clientPrivate: unhex(values.clientEphemeralX25519.private),
    clientPublic: unhex(values.clientEphemeralX25519.public),
    serverPublic: unhex(values.serverEphemeralX25519.public),
    premaster: unhex(values.statedOnPage.pre_master_secret),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Keys as chapter 03's PublicKey, built from Node's JWK export (not from our certificate parser)

export type PublicKeyLike =
  | { kind: "rsa"; n: bigint; e: bigint; bits: number; pss: boolean }
  | { kind: "ec"; curve: "P-256" | "P-384"; point: Uint8Array };

const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64url"));

export function publicKeyOf(key: crypto.KeyObject): PublicKeyLike {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "RSA") {
    const n = bigOf(b64url(jwk.n!));
    return { kind: "rsa", n, e: bigOf(b64url(jwk.e!)), bits: n.toString(2).length, pss: false };
  }
  if (jwk.kty === "EC" && (jwk.crv === "P-256" || jwk.crv === "P-384")) {
    return { kind: "ec", curve: jwk.crv, point: cat([0x04], b64url(jwk.x!), b64url(jwk.y!)) };
  }
  throw new Error(`no PublicKey form for a ${jwk.kty} ${jwk.crv ?? ""} key`);
}

// ---------------------------------------------------------------------------------------------------------------
// The messages, written out from the RFC structs (RFC 5246 §7.4.3, §7.4.7.2, §4.7; RFC 8422 §5.4, §5.7)

export const u8 = (n: number): number[] => [n & 0xff];
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const opaque16 = (b: Uint8Array): Uint8Array => cat(u16(b.length), b);
const opaque8 = (b: Uint8Array): Uint8Array => cat(u8(b.length), b);

/** ServerDHParams: dh_p, dh_g, dh_Ys, each opaque<1..2^16-1>. */
export const refDhParams = (p: Uint8Array, g: Uint8Array, ys: Uint8Array): Uint8Array => cat(opaque16(p), opaque16(g), opaque16(ys));
/** ServerECDHParams: curve_type named_curve (3), namedcurve (uint16), ECPoint point<1..2^8-1>. */
export const refEcdhParams = (curve: number, point: Uint8Array): Uint8Array => cat([3], u16(curve), opaque8(point));
/** A handshake message: msg_type, uint24 length, body (RFC 5246 §7.4). */
export const refHandshake = (type: number, body: Uint8Array): Uint8Array => cat([type], u24(body.length), body);
/** ServerKeyExchange (type 12): params, then DigitallySigned { SignatureAndHashAlgorithm (uint16), opaque signature<0..2^16-1> }. */
export const refServerKeyExchange = (params: Uint8Array, scheme: number, signature: Uint8Array): Uint8Array =>
  refHandshake(12, cat(params, u16(scheme), opaque16(signature)));
/** ClientKeyExchange (type 16) for DHE: opaque dh_Yc<1..2^16-1>. */
export const refClientKeyExchangeDh = (yc: Uint8Array): Uint8Array => refHandshake(16, opaque16(yc));
/** ClientKeyExchange (type 16) for ECDHE: ECPoint, opaque point<1..2^8-1>. */
export const refClientKeyExchangeEcdh = (point: Uint8Array): Uint8Array => refHandshake(16, opaque8(point));

/** How long the params are at the start of a ServerKeyExchange body, by walking the RFC structs' length fields. */
export function refParamsLength(body: Uint8Array, kind: "dhe" | "ecdhe"): number {
  if (kind === "ecdhe") return 1 + 2 + 1 + body[3]!; // curve_type, namedcurve, point<1..2^8-1>
  let at = 0;
  for (let i = 0; i < 3; i++) at += 2 + ((body[at]! << 8) | body[at + 1]!); // dh_p, dh_g, dh_Ys<1..2^16-1>
  return at;
}
