// RFC 8448 from the server's side, read from the RFC text (tests/support/rfc8448.ts): the server's RSA key (§2) and
// certificate (from §3's Certificate message, taken apart here by hand), its randoms and key shares, and the RSA-PSS
// salt of §3's CertificateVerify, recovered from the RFC's signature with Node's crypto (OpenSSL's RSA and our own
// MGF1 on Node's SHA-256), so that a server given the trace's random values writes the trace's messages byte for byte.
// Also the byte comparison the tests use. Nothing here uses chapter 10's code.
import crypto from "node:crypto";
import { expect } from "chai";
import { NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type Structure, expectBytes } from "../support/expect-bytes.js";
import { type TraceSection, findValue, rfc8448RsaKey } from "../support/rfc8448.js";
import { structureFor } from "./structures13.js";

export const TLS_AES_128_GCM_SHA256 = 0x1301;

/** An RFC 8448 handshake message as printed under "construct a X handshake message". */
export const rfcMessage = (section: TraceSection, name: string, occurrence = 0) =>
  findValue(section, `construct a${/^[AEIOU]/.test(name) ? "n" : ""} ${name}`, name, occurrence);
export const record = (s: TraceSection, step: string, occurrence: number) => findValue(s, step, "complete record", occurrence);
export const payload = (s: TraceSection, step: string, occurrence: number) => findValue(s, step, "payload", occurrence);
export const secret = (s: TraceSection, label: string, occurrence = 0) => findValue(s, `derive secret "tls13 ${label}"`, "expanded", occurrence);

const big = (b: Uint8Array): bigint => BigInt("0x" + toHex(b));

/** The RSA key of RFC 8448 §2 as chapter 04's RsaPrivateKey (n, e, d and the CRT numbers). */
export function rfcRsaKey() {
  const k = rfc8448RsaKey();
  return {
    n: big(k.modulus),
    e: big(k.publicExponent),
    d: big(k.privateExponent),
    p: big(k.prime1),
    q: big(k.prime2),
    dp: big(k.exponent1),
    dq: big(k.exponent2),
    qinv: big(k.coefficient),
  };
}

/** The server's certificate, DER, out of §3's Certificate: header 4, context<1>, list<3>, cert_data<3>, extensions<2>. */
export function rfcCertificateDer(): Uint8Array {
  const m = rfcMessage(3, "Certificate");
  const contextLength = m[4]!;
  const at = 4 + 1 + contextLength + 3;
  const length = (m[at]! << 16) | (m[at + 1]! << 8) | m[at + 2]!;
  const der = m.slice(at + 3, at + 3 + length);
  expect(der[0], "a DER SEQUENCE").to.equal(0x30);
  return der;
}

/** The random of an RFC ServerHello: the 32 bytes after the 4-byte header and the 2-byte legacy_version. */
export const serverRandomOf = (serverHello: Uint8Array) => serverHello.slice(6, 38);

/** The server's x25519 key pair of §3 or §4 (the second "create an ephemeral x25519 key pair" of the section). */
export function serverX25519(s: TraceSection) {
  const privateKey = findValue(s, "create an ephemeral x25519 key pair", "private key", 1);
  const publicKey = findValue(s, "create an ephemeral x25519 key pair", "public key", 1);
  return { group: NamedGroup.x25519, privateKey, publicKey };
}

/** The server's P-256 key pair of §5. */
export function serverP256_5() {
  return {
    group: NamedGroup.secp256r1,
    privateKey: findValue(5, "create an ephemeral P-256 key pair", "private key", 1),
    publicKey: findValue(5, "create an ephemeral P-256 key pair", "public key", 1),
  };
}

/** MGF1 with SHA-256 on Node's hash (RFC 8017 §B.2.1), for taking the RFC's signature apart. */
function nodeMgf1(seed: Uint8Array, length: number): Uint8Array {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * 32 < length; counter++) {
    out.push(crypto.createHash("sha256").update(seed).update(Buffer.of(counter >>> 24, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)).digest());
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

const b64url = (x: bigint) => Buffer.from(x.toString(16).padStart(2 * Math.ceil(x.toString(16).length / 2), "0"), "hex").toString("base64url");

/** The RFC key's public half as a Node KeyObject. */
export function rfcPublicKeyObject(): crypto.KeyObject {
  const { n, e } = rfcRsaKey();
  return crypto.createPublicKey({ key: { kty: "RSA", n: b64url(n), e: b64url(e) }, format: "jwk" });
}

/**
 * The salt inside an RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) signature made with the RFC key: open it with the
 * public key (RSAVP1 on OpenSSL's RSA, no padding), unmask DB (RFC 8017 §9.1.2 steps 7–9) and take its last 32 bytes.
 */
export function pssSaltOf(signature: Uint8Array): Uint8Array {
  const em = new Uint8Array(crypto.publicDecrypt({ key: rfcPublicKeyObject(), padding: crypto.constants.RSA_NO_PADDING }, signature));
  expect(em[em.length - 1], "a PSS block ends in 0xbc").to.equal(0xbc);
  const h = em.subarray(em.length - 33, em.length - 1);
  const maskedDb = em.subarray(0, em.length - 33);
  const mask = nodeMgf1(h, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ mask[i]!);
  db[0]! &= 0x7f; // emBits = 1023 for the 1024-bit key
  return db.slice(db.length - 32);
}

/** §3's CertificateVerify signature: after the 4-byte header, the 2-byte scheme and the 2-byte length. */
export const rfcCertificateVerifySignature = () => rfcMessage(3, "CertificateVerify").slice(8);

/**
 * Compares bytes through expectBytes (tests/support/expect-bytes.ts): the first differing offset, both sides around
 * it, and the field there, named by the reference decoders (structures13.ts) when the bytes are records or messages.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string, structure: Structure | undefined = structureFor(expected)): void {
  expectBytes(actual, expected, what, structure === undefined ? {} : { structure });
}

/** A key and IV the trace prints under a "derive … traffic keys" step. */
export const keysAt = (s: TraceSection, step: string, occurrence = 0) => ({
  key: findValue(s, step, "key expanded", occurrence),
  iv: findValue(s, step, "iv expanded", occurrence),
});

/** The four directions' record keys of §3 (a full handshake) and §4 (a resumed one), and §4's early data keys. */
export function traceKeys(s: 3 | 4) {
  return s === 3
    ? {
        serverHandshake: keysAt(3, "derive write traffic keys for handshake data"),
        clientHandshake: keysAt(3, "derive read traffic keys for handshake data"),
        serverApplication: keysAt(3, "derive write traffic keys for application data", 0),
        clientApplication: keysAt(3, "derive write traffic keys for application data", 1),
      }
    : {
        serverHandshake: keysAt(4, "derive write traffic keys for handshake data", 0),
        clientHandshake: keysAt(4, "derive write traffic keys for handshake data", 1),
        serverApplication: keysAt(4, "derive write traffic keys for application data", 0),
        clientApplication: keysAt(4, "derive write traffic keys for application data", 1),
        clientEarly: keysAt(4, "derive write traffic keys for early application data"),
      };
}

/** §3's NewSessionTicket, field by field (RFC 8446 §4.6.1: lifetime 4, age_add 4, nonce<1>, ticket<2>, extensions<2>). */
export function rfcTicket() {
  const m = rfcMessage(3, "NewSessionTicket");
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  let at = 4;
  const lifetime = dv.getUint32(at);
  const ageAdd = dv.getUint32(at + 4);
  at += 8;
  const nonce = m.slice(at + 1, at + 1 + m[at]!);
  at += 1 + m[at]!;
  const ticketLength = dv.getUint16(at);
  const ticket = m.slice(at + 2, at + 2 + ticketLength);
  at += 2 + ticketLength;
  expect(dv.getUint16(at), "§3's ticket has one 8-byte extension").to.equal(8);
  expect(dv.getUint16(at + 2), "early_data").to.equal(42);
  return { lifetime, ageAdd, nonce, ticket, maxEarlyDataSize: dv.getUint32(at + 6) };
}

/** The obfuscated_ticket_age in §4's ClientHello: the 4 bytes just before the binders (2 + 1 + 32 from the end). */
export function obfuscatedAge4(): number {
  const ch = payload(4, "send handshake record", 0);
  return new DataView(ch.buffer, ch.byteOffset).getUint32(ch.length - 35 - 4);
}

/** The age §4's client presented, in ms: its obfuscated age minus §3's ticket_age_add, mod 2^32. */
export const presentedAge4 = () => (obfuscatedAge4() - rfcTicket().ageAdd + 2 ** 32) % 2 ** 32;

/** The groups an RFC EncryptedExtensions lists, read by hand: header 4, list<2>, then extension 10's body. */
export function rfcAdvertisedGroups(s: 3 | 4 | 5): number[] {
  const ee = findValue(s, "construct an EncryptedExtensions", "EncryptedExtensions");
  expect((ee[6]! << 8) | ee[7]!, "the first extension is supported_groups (10)").to.equal(10);
  const listLength = (ee[10]! << 8) | ee[11]!;
  const groups: number[] = [];
  for (let at = 12; at < 12 + listLength; at += 2) groups.push((ee[at]! << 8) | ee[at + 1]!);
  return groups;
}
