// Chapter 03, keys beyond RSA and ECDSA: Ed25519 (03.27) and RSA keys restricted to PSS (03.28). Graded against
// outside references only: Wycheproof (ed25519_test.json; rsa_pss_2048_sha256_mgf1_32_params_test.json, whose key
// carries its RSASSA-PSS parameters), Node's crypto and the openssl command (which make keys, sign, and refuse what a
// restricted key may not sign), and the Ed25519 and RSA-PSS chains of tests/fixtures (made by make-certs.sh, checked
// there with `openssl verify`).
import { expect } from "chai";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ByteReader } from "../../lib/bytes.js";
import { equalBytes, fromHex, toHex } from "../../lib/hex.js";
import { readPemCertificates } from "../../lib/pem.js";
import {
  type Certificate,
  type HashName,
  type PublicKey,
  type SignatureAlgorithm,
  ED25519_ORDER,
  parseCertificates,
  pssKeyProblem,
  readSubjectPublicKeyInfo,
  validateChain,
  verifyEd25519,
  verifyPkcs1v15,
  verifyPss,
  verifySignature,
} from "../../chapters/03-certificates/index.js";
import { fixturePath, readFixture, type FixtureName } from "../support/fixtures.js";
import { unrestrictedTwin } from "../support/keys.js";
import { assertProperty, badInputs } from "../support/properties.js";
import { type WycheproofCase, checkCases, hashName, wycheproof } from "./signatures.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
const MESSAGES: Uint8Array[] = [new Uint8Array(0), text("abc"), text("tls-by-hand chapter 03"), Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)];
/** Node's names for our hashes. */
const NODE_HASH: Record<HashName, string> = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

/** A copy of `b` with one bit flipped. */
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  out[(bit >> 3) % out.length] ^= 1 << (bit & 7);
  return out;
}

/** The raw 32-byte Ed25519 public key of a Node key, from its JWK export (OpenSSL's encoding, not ours). */
const ed25519Raw = (key: crypto.KeyObject): Uint8Array => u8(Buffer.from(key.export({ format: "jwk" }).x!, "base64url"));

/** A SubjectPublicKeyInfo through the learner's 03.6, which must read all of it. */
function spkiKey(der: Uint8Array): PublicKey {
  const r = new ByteReader(der);
  const key = readSubjectPublicKeyInfo(r, "subjectPublicKeyInfo");
  expect(r.offset, "readSubjectPublicKeyInfo reads the whole SubjectPublicKeyInfo").to.equal(der.length);
  return key;
}

/** The certificates of a fixture file, parsed by chapter 03. */
const certs = (name: FixtureName): Certificate[] => parseCertificates(readPemCertificates(readFixture(name), name));
/** The fixtures' root, the only trust anchor. */
const root = (): Certificate[] => certs("ca.crt");

describe("03 keys beyond RSA and ECDSA", function () {
  describe("Ed25519", function () {
    interface EddsaGroup {
      publicKey: { pk: string };
      publicKeyDer: string;
    }
    const file = wycheproof<EddsaGroup>("ed25519_test.json");
    const verifyCase = (g: EddsaGroup, c: WycheproofCase): boolean => verifyEd25519(fromHex(g.publicKey.pk), fromHex(c.msg), fromHex(c.sig));

    it("03.27 accepts every valid Wycheproof case (ed25519_test.json)", function () {
      checkCases(file, "valid", true, verifyCase);
    });

    it("03.27 rejects every invalid Wycheproof case (S ≥ L, non-canonical R, truncated or padded signatures, …), returning false", function () {
      checkCases(file, "invalid", false, verifyCase);
    });

    it("03.27 the keys of Wycheproof's SubjectPublicKeyInfos, read by 03.6, verify their valid cases", function () {
      // RFC 8410 §3: id-Ed25519 with no parameters, the 32 key bytes in the BIT STRING.
      checkCases(file, "valid", true, (g, c) => {
        const key = spkiKey(fromHex(g.publicKeyDer));
        if (key.kind !== "ed25519") throw new Error(`03.6 read the SubjectPublicKeyInfo as ${key.kind}, not ed25519`);
        expect(toHex(key.point), "the key 03.6 read").to.equal(g.publicKey.pk);
        return verifyEd25519(key.point, fromHex(c.msg), fromHex(c.sig));
      });
    });

    it("03.27 accepts Node's Ed25519 signatures, and refuses a flipped bit, another message or another key", function () {
      const pair = crypto.generateKeyPairSync("ed25519");
      const other = crypto.generateKeyPairSync("ed25519");
      const key = ed25519Raw(pair.publicKey);
      for (const message of MESSAGES) {
        const sig = u8(crypto.sign(null, message, pair.privateKey));
        expect(verifyEd25519(key, message, sig), `${message.length}-byte message`).to.equal(true);
        for (const bit of [0, 255, 256, 511]) expect(verifyEd25519(key, message, flipBit(sig, bit)), `bit ${bit} of the signature flipped`).to.equal(false);
        expect(verifyEd25519(key, flipBit(message.length > 0 ? message : Uint8Array.of(0), 5), sig), "another message").to.equal(false);
        expect(verifyEd25519(ed25519Raw(other.publicKey), message, sig), "another key").to.equal(false);
      }
    });

    it("03.27 refuses S + L, a second signature anyone could make from a valid one (RFC 8032 §8.4), as OpenSSL does", function () {
      const pair = crypto.generateKeyPairSync("ed25519");
      const message = text("malleable?");
      const sig = u8(crypto.sign(null, message, pair.privateKey));
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
      const bigger = s + ED25519_ORDER;
      const twisted = sig.slice();
      for (let i = 0; i < 32; i++) twisted[32 + i] = Number((bigger >> BigInt(8 * i)) & 0xffn);
      expect(crypto.verify(null, message, pair.publicKey, twisted), "OpenSSL on S + L").to.equal(false);
      expect(verifyEd25519(ed25519Raw(pair.publicKey), message, twisted), "verifyEd25519 on S + L").to.equal(false);
      expect(verifyEd25519(ed25519Raw(pair.publicKey), message, sig), "verifyEd25519 on S").to.equal(true);
    });

    it("03.27 returns false, never throws, for random and mutated signatures and keys", function () {
      const pair = crypto.generateKeyPairSync("ed25519");
      const message = MESSAGES[2]!;
      const key = ed25519Raw(pair.publicKey);
      const seed = u8(crypto.sign(null, message, pair.privateKey));
      expect(verifyEd25519(key, message, seed), "the seed signature itself").to.equal(true);
      assertProperty(
        fc.property(badInputs([seed], 80).filter((x) => !equalBytes(x, seed)), badInputs([key], 40).filter((x) => !equalBytes(x, key)), (sig, k) => {
          expect(verifyEd25519(key, message, sig), `signature ${toHex(sig.subarray(0, 8))}… (${sig.length} bytes)`).to.equal(false);
          expect(verifyEd25519(k, message, seed), `key ${toHex(k.subarray(0, 8))}… (${k.length} bytes)`).to.equal(false);
        }),
        { demands: "verifyEd25519 answers false, never throws, for any signature but the one Node made and for any other key, whatever their lengths" },
      );
    });

    it("03.27 an Ed25519 CA's signature on a certificate verifies (RFC 8410 §6), and the chain of server-ed25519 validates", function () {
      const [leaf, ca] = certs("server-ed25519-chain.crt");
      expect(leaf!.signatureAlgorithm.kind, "the server certificate's signatureAlgorithm").to.equal("ed25519");
      expect(ca!.publicKey.kind, "the CA's key").to.equal("ed25519");
      expect(verifySignature(leaf!.signatureAlgorithm, ca!.publicKey, leaf!.tbs, leaf!.signature), "the CA's Ed25519 signature").to.equal(true);
      expect(verifySignature(leaf!.signatureAlgorithm, ca!.publicKey, flipBit(leaf!.tbs, 100), leaf!.signature), "over other bytes").to.equal(false);
      expect(verifySignature(leaf!.signatureAlgorithm, leaf!.publicKey, leaf!.tbs, leaf!.signature), "with the leaf's own key").to.equal(false);
      const v = validateChain([leaf!, ca!], { roots: root(), host: "localhost" });
      expect(v.path.map((c) => c.subject.text), "the path").to.deep.equal([leaf!.subject.text, ca!.subject.text, root()[0]!.subject.text]);
    });
  });

  describe("RSA-PSS keys", function () {
    interface PssParamsGroup {
      sha: string;
      mgf: string;
      mgfSha: string;
      sLen: number;
      publicKeyDer: string;
      publicKey: { modulus: string; publicExponent: string };
    }
    const file = wycheproof<PssParamsGroup>("rsa_pss_2048_sha256_mgf1_32_params_test.json");
    const pssOf = (g: PssParamsGroup): SignatureAlgorithm => ({
      kind: "rsa-pss",
      hash: hashName(g.sha),
      mgfHash: hashName(g.mgfSha),
      saltLength: g.sLen,
      name: `RSASSA-PSS (${g.sha}, MGF1-${g.mgfSha}, salt ${g.sLen})`,
    });
    const pkcs1: SignatureAlgorithm = { kind: "rsa-pkcs1", hash: "SHA-256", name: "sha256WithRSAEncryption" };

    it("03.28 Wycheproof's key with RSASSA-PSS-params (read by 03.6) verifies every valid case with its own parameters, and no invalid one", function () {
      const g = file.testGroups[0]!;
      const key = spkiKey(fromHex(g.publicKeyDer));
      expect(key, "03.6's reading of the SubjectPublicKeyInfo").to.deep.include({ kind: "rsa", pss: true, pssParameters: { hash: "SHA-256", mgfHash: "SHA-256", saltLength: 32 } });
      expect(pssKeyProblem(key, pssOf(g)), "the key's own parameters").to.equal(undefined);
      checkCases(file, "valid", true, (group, c) => verifySignature(pssOf(group), key, fromHex(c.msg), fromHex(c.sig)));
      checkCases(file, "invalid", false, (group, c) => verifySignature(pssOf(group), key, fromHex(c.msg), fromHex(c.sig)));
    });

    it("03.28 the WrongPrimitive case: a true PKCS #1 v1.5 signature of the same key numbers, which a PSS-only key must refuse (RFC 4055 §1.2)", function () {
      const g = file.testGroups[0]!;
      const key = spkiKey(fromHex(g.publicKeyDer));
      if (key.kind !== "rsa") throw new Error("03.6 did not read an RSA key");
      const wrong = g.tests.filter((t) => t.flags.includes("WrongPrimitive"));
      expect(wrong.length, "WrongPrimitive cases").to.be.greaterThan(0);
      for (const c of wrong) {
        // The numbers say yes: as an rsaEncryption key, this is a valid signature (chapter 03's 03.13 agrees).
        expect(verifyPkcs1v15(key, "SHA-256", fromHex(c.msg), fromHex(c.sig)), `tcId ${c.tcId}: the bare PKCS #1 v1.5 check`).to.equal(true);
        const problem = pssKeyProblem(key, pkcs1);
        expect(problem, `tcId ${c.tcId}: pssKeyProblem for sha256WithRSAEncryption`).to.be.a("string");
        expect(problem!, "it names RFC 4055 §1.2").to.include("RFC 4055");
        expect(verifySignature(pkcs1, key, fromHex(c.msg), fromHex(c.sig)), `tcId ${c.tcId}: verifySignature`).to.equal(false);
      }
    });

    // What OpenSSL lets a key restricted to SHA-256, MGF1-SHA-256, salt ≥ 32 sign: `openssl dgst -sign` with these
    // options either signs (allowed) or refuses ("digest not allowed", "pss saltlen too small").
    const ROWS: { what: string; hash: HashName; mgfHash: HashName; saltLength: number }[] = [
      { what: "its own parameters", hash: "SHA-256", mgfHash: "SHA-256", saltLength: 32 },
      { what: "a longer salt (64)", hash: "SHA-256", mgfHash: "SHA-256", saltLength: 64 },
      { what: "a shorter salt (20)", hash: "SHA-256", mgfHash: "SHA-256", saltLength: 20 },
      { what: "SHA-384", hash: "SHA-384", mgfHash: "SHA-384", saltLength: 48 },
      { what: "MGF1 with SHA-512", hash: "SHA-256", mgfHash: "SHA-512", saltLength: 32 },
      { what: "SHA-512 with MGF1-SHA-256", hash: "SHA-512", mgfHash: "SHA-256", saltLength: 64 },
    ];
    const opensslSigns = (dir: string, keyFile: string, row: (typeof ROWS)[number]): boolean => {
      const message = join(dir, "m.bin");
      writeFileSync(message, "restricted");
      try {
        execFileSync(
          "openssl",
          ["dgst", `-${NODE_HASH[row.hash]}`, "-sign", keyFile, "-sigopt", "rsa_padding_mode:pss", "-sigopt", `rsa_mgf1_md:${NODE_HASH[row.mgfHash]}`, "-sigopt", `rsa_pss_saltlen:${row.saltLength}`, "-out", join(dir, "s.bin"), message],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        return true;
      } catch {
        return false;
      }
    };

    it("03.28 a key restricted to SHA-256, MGF1-SHA-256, salt ≥ 32 (server-rsa-pss.key) allows what OpenSSL lets it sign, nothing else", function () {
      const [leaf] = certs("server-rsa-pss.crt");
      const key = leaf!.publicKey;
      expect(key, "the server's key, read by 03.6").to.deep.include({ kind: "rsa", pss: true, pssParameters: { hash: "SHA-256", mgfHash: "SHA-256", saltLength: 32 } });
      const twin = unrestrictedTwin(crypto.createPrivateKey(readFixture("server-rsa-pss.key")));
      const message = text("restricted");
      const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-pss-"));
      try {
        for (const row of ROWS) {
          const allowed = opensslSigns(dir, fixturePath("server-rsa-pss.key"), row);
          const algorithm: SignatureAlgorithm = { kind: "rsa-pss", ...row, name: `RSASSA-PSS (${row.what})` };
          const problem = pssKeyProblem(key, algorithm);
          expect(problem === undefined, `${row.what}: OpenSSL ${allowed ? "signs" : "refuses"}, pssKeyProblem says ${problem ?? "fine"}`).to.equal(allowed);
          // The same parameters with the unrestricted twin: a signature the numbers accept (03.14 says so).
          if (row.mgfHash !== row.hash) continue; // Node's PSS signs with MGF1 of the message hash only
          const sig = u8(crypto.sign(NODE_HASH[row.hash], message, { key: twin, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: row.saltLength }));
          if (key.kind !== "rsa") throw new Error("not an RSA key");
          expect(verifyPss(key, row.hash, message, sig, row.saltLength, row.mgfHash), `${row.what}: the bare PSS check`).to.equal(true);
          expect(verifySignature(algorithm, key, message, sig), `${row.what}: verifySignature`).to.equal(allowed);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("03.28 an id-RSASSA-PSS key without parameters allows any PSS and no PKCS #1 v1.5; an rsaEncryption key is not restricted here", function () {
      const [unrestricted] = parseCertificates(readPemCertificates(readFixture("ca.crt"), "ca.crt")).map((c) => c.publicKey);
      const pssAny: PublicKey = { ...(unrestricted as Extract<PublicKey, { kind: "rsa" }>), pss: true };
      for (const row of ROWS) {
        const algorithm: SignatureAlgorithm = { kind: "rsa-pss", ...row, name: row.what };
        expect(pssKeyProblem(pssAny, algorithm), `PSS key without parameters, ${row.what}`).to.equal(undefined);
        expect(pssKeyProblem(unrestricted!, algorithm), `rsaEncryption key, ${row.what}`).to.equal(undefined);
      }
      expect(pssKeyProblem(pssAny, pkcs1), "PSS key without parameters, PKCS #1 v1.5").to.be.a("string");
      expect(pssKeyProblem(unrestricted!, pkcs1), "rsaEncryption key, PKCS #1 v1.5").to.equal(undefined);
      const ecdsa: SignatureAlgorithm = { kind: "ecdsa", hash: "SHA-256", name: "ecdsa-with-SHA256" };
      expect(pssKeyProblem(pssAny, ecdsa), "PSS key, ECDSA").to.be.a("string");
    });

    it("03.28 a CA whose key is restricted to PSS signs the server's certificate with its parameters: the chain validates, other parameters do not", function () {
      const [leaf, ca] = certs("server-rsa-pss-chain.crt");
      expect(ca!.publicKey, "the CA's key").to.deep.include({ kind: "rsa", pss: true });
      expect(leaf!.signatureAlgorithm, "the CA's signature").to.deep.include({ kind: "rsa-pss", hash: "SHA-256", mgfHash: "SHA-256", saltLength: 32 });
      validateChain([leaf!, ca!], { roots: root(), host: "localhost" });
      // The same tbsCertificate signed by the CA's unrestricted twin with SHA-384: good numbers, forbidden parameters.
      const twin = unrestrictedTwin(crypto.createPrivateKey(readFixture("ca-rsa-pss.key")));
      const sig = u8(crypto.sign("sha384", leaf!.tbs, { key: twin, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }));
      const sha384: SignatureAlgorithm = { kind: "rsa-pss", hash: "SHA-384", mgfHash: "SHA-384", saltLength: 48, name: "RSASSA-PSS (SHA-384)" };
      if (ca!.publicKey.kind !== "rsa") throw new Error("not an RSA key");
      expect(verifyPss(ca!.publicKey, "SHA-384", leaf!.tbs, sig, 48, "SHA-384"), "the bare PSS check").to.equal(true);
      expect(verifySignature(sha384, ca!.publicKey, leaf!.tbs, sig), "verifySignature with the CA's restricted key").to.equal(false);
    });
  });
});
