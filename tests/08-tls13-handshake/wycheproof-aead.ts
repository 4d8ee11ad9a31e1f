// Wycheproof's AES-GCM and ChaCha20-Poly1305 vectors through the path a TLS 1.3 record takes: the nonce from the
// learner's perRecordNonce (with sequence number 0 it must be the IV itself, RFC 8446 §5.3) and the AEAD the record
// layer calls (aeadFor, given). Only the shapes TLS 1.3 uses are run: 96-bit IVs and 128-bit tags, 128- or 256-bit
// AES keys (RFC 8446 §5.3, RFC 5116 §5.1–5.3, RFC 8439 §2.8); the other groups test lengths TLS never sends.
// Verdicts: "valid" must encrypt to ct || tag and decrypt back; "invalid" must be refused on decryption. The two
// files have no "acceptable" cases in these groups (checked below, so that a new one cannot slip through).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromHex } from "../../lib/hex.js";
import { aeadFor, perRecordNonce } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes } from "../support/expect-bytes.js";

interface AeadCase { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }
interface AeadFile { testGroups: { keySize: number; ivSize: number; tagSize: number; tests: AeadCase[] }[] }

const load = (name: string): AeadFile =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/wycheproof/${name}`, import.meta.url)), "utf8")) as AeadFile;

const FILES = [
  { name: "aes_gcm_test.json", aead: (keySize: number) => (keySize === 128 ? "AES_128_GCM" : keySize === 256 ? "AES_256_GCM" : undefined) },
  { name: "chacha20_poly1305_test.json", aead: (keySize: number) => (keySize === 256 ? "CHACHA20_POLY1305" : undefined) },
] as const;

describe("08.1 Wycheproof AEAD vectors through the record layer's nonce and AEAD", () => {
  for (const file of FILES) {
    it(`08.1 ${file.name}: every TLS 1.3-shaped case (96-bit IV, 128-bit tag) gives Wycheproof's verdict`, () => {
      let run = 0;
      for (const group of load(file.name).testGroups) {
        const aead = file.aead(group.keySize);
        if (aead === undefined || group.ivSize !== 96 || group.tagSize !== 128) continue;
        for (const c of group.tests) {
          expect(c.result, `tcId ${c.tcId}: no acceptable cases are expected here`).to.be.oneOf(["valid", "invalid"]);
          const nonce = perRecordNonce(fromHex(c.iv), 0n);
          const sealed = fromHex(c.ct + c.tag);
          if (c.result === "valid") {
            expectBytes(aeadFor(aead, fromHex(c.key), nonce, fromHex(c.aad)).encrypt(fromHex(c.msg)), sealed, `tcId ${c.tcId}: encrypted, ct || tag`);
            expectBytes(aeadFor(aead, fromHex(c.key), nonce, fromHex(c.aad)).decrypt(sealed), fromHex(c.msg), `tcId ${c.tcId}: decrypted`);
          } else {
            expect(() => aeadFor(aead, fromHex(c.key), nonce, fromHex(c.aad)).decrypt(sealed), `tcId ${c.tcId} (${c.flags.join(", ")})`).to.throw();
          }
          run++;
        }
      }
      expect(run, "cases run").to.be.greaterThan(60);
    });
  }
});
