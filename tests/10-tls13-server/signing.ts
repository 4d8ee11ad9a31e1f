// Exercises 10.7–10.9: the server's signatures. RSA-PSS against RFC 8448 §3 (with the salt recovered from the RFC's
// own signature, the signature comes out byte for byte) and against OpenSSL's PSS verification through Node's crypto,
// on keys whose size makes the block one byte shorter than the modulus; the fault check; ECDSA signatures that Node's
// crypto accepts, in the DER that chapter 03 reads back.
import crypto from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { readEcdsaSignature } from "../../chapters/03-certificates/index.js";
import { type RsaPrivateKey, readRsaPrivateKey } from "../../chapters/04-rsa-key-exchange/index.js";
import { emsaPssEncode, encodeEcdsaSignature, signEcdsa, signRsaPss } from "../../chapters/10-tls13-server/index.js";
import { readFixture } from "../support/fixtures.js";
import { assertProperty, expectTlsError } from "../support/properties.js";
import { expectSameBytes, pssSaltOf, rfcCertificateVerifySignature, rfcMessage, rfcPublicKeyObject, rfcRsaKey } from "./vectors.js";

type Hash = "SHA-256" | "SHA-384" | "SHA-512";
const NODE_HASH = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" } as const;
const HASH_LENGTH = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 } as const;

/** What §3's CertificateVerify signs (RFC 8446 §4.4.3), built here from the RFC's messages with Node's SHA-256. */
function rfcSignedContent(): Uint8Array {
  const transcript = crypto.createHash("sha256");
  for (const m of ["ClientHello", "ServerHello", "EncryptedExtensions", "Certificate"]) transcript.update(rfcMessage(3, m));
  return new Uint8Array(Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from("TLS 1.3, server CertificateVerify", "latin1"), Buffer.of(0), transcript.digest()]));
}

const pem = (name: "server-rsa.key" | "server-ecdsa.key") => readFixture(name);
const derOfPem = (text: string) => new Uint8Array(crypto.createPrivateKey(text).export({ format: "der", type: "pkcs8" }));
const fixtureRsa = (): RsaPrivateKey => readRsaPrivateKey(derOfPem(pem("server-rsa.key")));

/** A fresh RSA key of `bits` bits, as chapter 04 reads it, and Node's public key for it. */
function nodeRsaKey(bits: number): { key: RsaPrivateKey; publicKey: crypto.KeyObject } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
  return { key: readRsaPrivateKey(new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }))), publicKey };
}

const nodeVerifiesPss = (publicKey: crypto.KeyObject, hash: Hash, message: Uint8Array, signature: Uint8Array, saltLength: number) =>
  crypto.verify(NODE_HASH[hash], message, { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);

/** RSASP1 on OpenSSL's RSA: m^d mod n for a block, through privateDecrypt with no padding. */
function nodeRawSign(privatePem: string | crypto.KeyObject, block: Uint8Array, k: number): Uint8Array {
  const padded = new Uint8Array(k);
  padded.set(block, k - block.length);
  return new Uint8Array(crypto.privateDecrypt({ key: privatePem, padding: crypto.constants.RSA_NO_PADDING }, padded));
}

describe("10.7 emsaPssEncode: the block a PSS signature opens to", () => {
  it("10.7 with §3's salt (recovered from the RFC's signature), the block is the one inside RFC 8448 §3's CertificateVerify, byte for byte", () => {
    const signature = rfcCertificateVerifySignature();
    const em = new Uint8Array(crypto.publicDecrypt({ key: rfcPublicKeyObject(), padding: crypto.constants.RSA_NO_PADDING }, signature));
    expectSameBytes(emsaPssEncode("SHA-256", rfcSignedContent(), 1023, pssSaltOf(signature)), em, "EMSA-PSS-ENCODE of §3's signed content");
  });

  it("10.7 OpenSSL verifies what our block becomes under its own RSA: 2048-bit key, SHA-256/384/512, salts of 0 to 64 bytes", () => {
    const privatePem = pem("server-rsa.key");
    const publicKey = crypto.createPublicKey(privatePem);
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom<Hash>("SHA-256", "SHA-384", "SHA-512"), fc.integer({ min: 0, max: 64 }), (message, hash, saltLength) => {
        const em = emsaPssEncode(hash, message, 2047, crypto.randomBytes(saltLength));
        return nodeVerifiesPss(publicKey, hash, message, nodeRawSign(privatePem, em, 256), saltLength);
      }),
      { numRuns: 60, demands: "OpenSSL verifies as RSA-PSS (that hash, that salt length) what m^d mod n of our EMSA-PSS block gives", inputs: ["message", "hash", "salt length"] },
    );
  });

  it("10.7 a modulus of 8k + 1 bits: emBits is a multiple of 8 and the block is one byte SHORTER than the modulus; OpenSSL still verifies", () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 1033 });
    const message = new TextEncoder().encode("a 1033-bit key: k = 130 bytes, emLen = 129");
    const em = emsaPssEncode("SHA-256", message, 1032, crypto.randomBytes(32));
    expect(em.length, "emLen = ⌈1032/8⌉").to.equal(129);
    expect(nodeVerifiesPss(publicKey, "SHA-256", message, nodeRawSign(privateKey, em, 130), 32)).to.equal(true);
  });

  it("10.7 no room for the hash and the salt (emLen < hLen + sLen + 2): internal_error", () => {
    expectTlsError(() => emsaPssEncode("SHA-512", new Uint8Array(1), 1023, new Uint8Array(64)), { alert: AlertDescription.internal_error });
  });
});

describe("10.8 signRsaPss: RSA-PSS with the CRT, checked before it goes out", () => {
  it("10.8 RFC 8448 §3's CertificateVerify signature, byte for byte, with the RFC's key and the salt it used", () => {
    const signature = rfcCertificateVerifySignature();
    expectSameBytes(signRsaPss(rfcRsaKey(), "SHA-256", rfcSignedContent(), pssSaltOf(signature)), signature, "our signature against §3's");
  });

  for (const hash of ["SHA-256", "SHA-384", "SHA-512"] as const) {
    it(`10.8 with the fixture's RSA-2048 key and ${hash}: 256 bytes that OpenSSL verifies as PSS (salt ${HASH_LENGTH[hash]})`, () => {
      const message = crypto.randomBytes(100);
      const signature = signRsaPss(fixtureRsa(), hash, message);
      expect(signature.length).to.equal(256);
      expect(nodeVerifiesPss(crypto.createPublicKey(pem("server-rsa.key")), hash, message, signature, HASH_LENGTH[hash])).to.equal(true);
    });
  }

  it("10.8 a 1033-bit key (the signature is k = 130 bytes, the block 129): OpenSSL verifies", () => {
    const { key, publicKey } = nodeRsaKey(1033);
    const message = new TextEncoder().encode("odd sizes");
    const signature = signRsaPss(key, "SHA-256", message);
    expect(signature.length).to.equal(130);
    expect(nodeVerifiesPss(publicKey, "SHA-256", message, signature, 32)).to.equal(true);
  });

  it("10.8 two signatures of one message differ (a fresh salt each time) and both verify", () => {
    const message = new TextEncoder().encode("salted");
    const a = signRsaPss(fixtureRsa(), "SHA-256", message);
    const b = signRsaPss(fixtureRsa(), "SHA-256", message);
    expect(toHex(a)).not.to.equal(toHex(b));
    for (const s of [a, b]) expect(nodeVerifiesPss(crypto.createPublicKey(pem("server-rsa.key")), "SHA-256", message, s, 32)).to.equal(true);
  });

  for (const [fault, change] of [
    ["dp", (k: RsaPrivateKey) => ({ ...k, dp: k.dp ^ 1n })],
    ["dq", (k: RsaPrivateKey) => ({ ...k, dq: k.dq + 2n })],
    ["qinv", (k: RsaPrivateKey) => ({ ...k, qinv: (k.qinv + 1n) % k.p })],
  ] as const) {
    it(`10.8 a fault in the CRT (a wrong ${fault}) is caught by the check: internal_error, no signature`, () => {
      expectTlsError(() => signRsaPss(change(fixtureRsa()), "SHA-256", new TextEncoder().encode("fault")), { alert: AlertDescription.internal_error, field: "signature" });
    });
  }
});

/** DER INTEGER by the rules of X.690 §8.3, written out here for small numbers: tag 02, length, minimal two's complement. */
const derInteger = (hex: string) => `02${(hex.length / 2).toString(16).padStart(2, "0")}${hex}`;

describe("10.9 encodeEcdsaSignature and signEcdsa", () => {
  const cases: [bigint, bigint, string][] = [
    [1n, 1n, derInteger("01") + derInteger("01")],
    [0x7fn, 0x80n, derInteger("7f") + derInteger("0080")],
    [0x0100n, 0xffffn, derInteger("0100") + derInteger("00ffff")],
  ];
  for (const [r, s, body] of cases) {
    it(`10.9 r = 0x${r.toString(16)}, s = 0x${s.toString(16)}: SEQUENCE { INTEGER, INTEGER } in minimal DER, a 00 before a top bit`, () => {
      const expected = `30${(body.length / 2).toString(16).padStart(2, "0")}${body}`;
      expect(toHex(encodeEcdsaSignature({ r, s }))).to.equal(expected);
    });
  }

  it("10.9 P-256-sized r and s (top bit set or not, with leading zero bytes): chapter 03's strict reader reads back the same numbers", () => {
    const n256 = 2n ** 256n;
    assertProperty(
      fc.property(fc.bigInt({ min: 1n, max: n256 - 1n }), fc.bigInt({ min: 1n, max: n256 - 1n }), (r, s) => {
        const back = readEcdsaSignature(encodeEcdsaSignature({ r, s }));
        return back.r === r && back.s === s;
      }),
      { numRuns: 300, demands: "chapter 03's strict DER reader reads back exactly the r and s we encoded", inputs: ["r", "s"] },
    );
  });

  it("10.9 numbers too long for a one-byte length use the long form (30 82 01 0e …)", () => {
    const r = 2n ** 2100n - 1n; // 263 bytes: the INTEGER needs 02 82 01 07, the SEQUENCE 30 82 01 0e
    const der = encodeEcdsaSignature({ r, s: 5n });
    expect(toHex(der.subarray(0, 3)), "SEQUENCE with a 2-byte long-form length").to.equal("308201");
    expect(readEcdsaSignature(der).r).to.equal(r);
  });

  it("10.9 r or s zero or negative is our bug: internal_error", () => {
    expectTlsError(() => encodeEcdsaSignature({ r: 0n, s: 1n }), { alert: AlertDescription.internal_error });
    expectTlsError(() => encodeEcdsaSignature({ r: 1n, s: -1n }), { alert: AlertDescription.internal_error });
  });

  it("10.9 signEcdsa with the fixture's P-256 key: Node verifies every signature; two of one message differ (hedged nonces)", () => {
    const keyPem = pem("server-ecdsa.key");
    const jwk = crypto.createPrivateKey(keyPem).export({ format: "jwk" });
    const d = new Uint8Array(Buffer.from(jwk.d!, "base64url"));
    const message = new TextEncoder().encode("TLS 1.3, server CertificateVerify");
    const a = signEcdsa("P-256", d, "SHA-256", message);
    const b = signEcdsa("P-256", d, "SHA-256", message);
    expect(toHex(a)).not.to.equal(toHex(b));
    for (const sig of [a, b]) expect(crypto.verify("sha256", message, crypto.createPublicKey(keyPem), sig)).to.equal(true);
  });

  it("10.9 signEcdsa on P-384 with SHA-384 (a key Node made): Node verifies it", () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" });
    const d = new Uint8Array(Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url"));
    const message = crypto.randomBytes(77);
    expect(crypto.verify("sha384", message, publicKey, signEcdsa("P-384", d, "SHA-384", message))).to.equal(true);
  });
});
