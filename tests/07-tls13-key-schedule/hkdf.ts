// Exercise 07.1, HKDF-Expand-Label and Derive-Secret, against outside references only: every derivation RFC 8448
// prints (its HkdfLabel `info` bytes and its output, parsed from the RFC text), Wycheproof's HKDF-SHA-256/384 cases
// (tests/vectors/wycheproof), and a second HKDF-Expand-Label written in oracles.ts on Node's HMAC, for random
// labels, contexts and lengths and at every limit of the HkdfLabel structure.
import { expect } from "chai";
import fc from "fast-check";
import crypto from "node:crypto";
import { AlertDescription } from "../../lib/constants.js";
import {
  LABEL_DERIVED,
  deriveSecret,
  hkdfExpand,
  hkdfExpandLabel,
  hkdfExtract,
  hkdfLabel,
} from "../../chapters/07-tls13-key-schedule/index.js";
import { NUM_RUNS, assertProperty, expectTlsError } from "../support/properties.js";
import { type TraceSection, traceSection } from "../support/rfc8448.js";
import {
  EMPTY,
  HASH_LEN,
  type Hash13,
  hex,
  nodeDigest,
  referenceDeriveSecret,
  referenceExpand,
  referenceExpandLabel,
  referenceExtract,
  referenceHkdfLabel,
  unhex,
  vectorFile,
} from "./oracles.js";
import { annotateWith, expectBytes, type Structure } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

// ---------------------------------------------------------------------------------------------------------------
// RFC 8448: every HKDF-Expand-Label the traces print. A derivation step prints PRK, hash (the context), info (the
// HkdfLabel) and expanded; a "derive … traffic keys" step prints PRK and key/iv info and expanded. The label is in
// the step's title: derive secret "tls13 c hs traffic", calculate finished "tls13 finished", …

interface PrintedDerivation {
  where: string;
  label: string;
  prk: Uint8Array;
  context: Uint8Array;
  info: Uint8Array;
  expanded: Uint8Array;
}

function printedDerivations(): PrintedDerivation[] {
  const out: PrintedDerivation[] = [];
  for (const section of [3, 4, 5, 6, 7] as TraceSection[]) {
    for (const step of traceSection(section)) {
      const v = new Map(step.values.map((x) => [x.label, x.bytes]));
      const where = `RFC 8448 §${section} line ${step.line} (${step.actor} ${step.action})`;
      const prk = v.get("PRK");
      if (prk === undefined) continue;
      if (v.has("info")) {
        // The one step without a label in its title: a PSK binder is a Finished computation (RFC 8446 §4.2.11.2).
        const label = step.action.includes("PSK binder") ? "finished" : /"tls13 ([a-z ]+)"/.exec(step.action)?.[1];
        if (label === undefined) throw new Error(`${where}: no "tls13 …" label in the step title`);
        out.push({ where, label, prk, context: v.get("hash")!, info: v.get("info")!, expanded: v.get("expanded")! });
      }
      for (const part of ["key", "iv"]) {
        if (!v.has(`${part} info`)) continue;
        out.push({ where: `${where} ${part}`, label: part, prk, context: EMPTY, info: v.get(`${part} info`)!, expanded: v.get(`${part} expanded`)! });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Wycheproof HKDF (RFC 5869 extract-then-expand): ikm, salt, info, size → okm; the invalid cases ask for more than
// 255·HashLen bytes (flag SizeTooLarge).

interface HkdfCase {
  tcId: number;
  comment: string;
  flags: string[];
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: "valid" | "invalid" | "acceptable";
}
interface HkdfFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { tests: HkdfCase[] }[];
}

function wycheproof(hash: Hash13): { file: HkdfFile; cases: HkdfCase[] } {
  const name = hash === "SHA-256" ? "hkdf_sha256_test.json" : "hkdf_sha384_test.json";
  const file = JSON.parse(vectorFile(`wycheproof/${name}`).toString("utf8")) as HkdfFile;
  expect(file.algorithm).to.equal(`HKDF-${hash}`);
  const cases = file.testGroups.flatMap((g) => g.tests);
  expect(cases.length, "numberOfTests").to.equal(file.numberOfTests);
  return { file, cases };
}

/** Random ASCII labels (every code point 0 … 127, as HkdfLabel takes any bytes), 1 … 249 characters. */
const asciiLabel = (maxLength: number) =>
  fc.uint8Array({ minLength: 1, maxLength }).map((b) => String.fromCharCode(...Array.from(b, (x) => x & 0x7f)));

const hashes: Hash13[] = ["SHA-256", "SHA-384"];

/** RFC 8446 §7.1's HkdfLabel, field by field (test-side framing), to name the field where two HkdfLabels differ. */
const hkdfLabelLayout: Structure = (bytes) =>
  annotateWith(bytes, (r) => {
    r.bytes(2, "length (uint16)");
    r.bytes(r.bytes(1, "label length (1 byte: label<7..255>)")[0]!, "label");
    r.bytes(r.bytes(1, "context length (1 byte: context<0..255>)")[0]!, "context");
  });

// ---------------------------------------------------------------------------------------------------------------

describe("07.1 HKDF-Expand-Label and Derive-Secret", () => {
  it("07.1 hkdfLabel builds the HkdfLabel bytes RFC 8448 prints as `info`, for every derivation in §3–§7", () => {
    const all = printedDerivations();
    // §3 alone prints 20 derivations; the five traces together well over 80.
    expect(all.length).to.be.greaterThan(80);
    for (const d of all) {
      const w = hkdfLabel(d.label, d.context, d.expanded.length);
      expectBytes(w.toBytes(), d.info, `HkdfLabel for ${d.where}`, { annotations: w.annotations, structure: hkdfLabelLayout });
    }
  });

  it("07.1 hkdfExpandLabel gives every `expanded` value RFC 8448 prints, from the trace's own PRK, label and hash (§3–§7)", () => {
    for (const d of printedDerivations()) {
      expectBytes(hkdfExpandLabel("SHA-256", d.prk, d.label, d.context, d.expanded.length), d.expanded, d.where);
    }
  });

  it('07.1 deriveSecret gives §3\'s two "derived" secrets from its early and handshake secrets and Hash(""), computed by Node', () => {
    const emptyHash = nodeDigest("SHA-256");
    const steps = traceSection(3).filter((s) => s.action.includes('"tls13 derived"') && s.values.length > 0);
    // The server prints both, the client the first once more.
    expect(new Set(steps.map((s) => s.action))).to.deep.equal(
      new Set(['derive secret for handshake "tls13 derived"', 'derive secret for master "tls13 derived"']),
    );
    for (const s of steps) {
      const v = new Map(s.values.map((x) => [x.label, x.bytes]));
      expectBytes(v.get("hash")!, emptyHash, "the trace's context is Hash of nothing");
      expectBytes(deriveSecret("SHA-256", v.get("PRK")!, LABEL_DERIVED, emptyHash), v.get("expanded")!, s.action);
    }
  });

  for (const hash of hashes) {
    it(`07.1 Wycheproof HKDF-${hash}: every case through hkdfExtract/hkdfExpand, and HKDF-Expand-Label on the same keys at the same sizes`, () => {
      // The extract and expand steps are given (noble's). Each case is checked through them, then HKDF-Expand-Label
      // (yours) is asked for the case's size from the case's PRK: it must agree with the Node reference for every
      // size up to 255·HashLen (Wycheproof's MaximalOutputSize cases), and refuse the SizeTooLarge ones as
      // hkdfExpand does: a bug in our own code, internal_error, never a wrong or short output.
      const { cases } = wycheproof(hash);
      let valid = 0;
      let invalid = 0;
      for (const c of cases) {
        const where = `tcId ${c.tcId} (${c.flags.join(", ")})`;
        const prk = hkdfExtract(hash, unhex(c.salt), unhex(c.ikm));
        const info = unhex(c.info);
        const context = info.subarray(0, 255);
        if (c.result === "valid") {
          expectBytes(hkdfExpand(hash, prk, info, c.size), fromHex(c.okm), where);
          expectBytes(hkdfExpandLabel(hash, prk, "wycheproof", context, c.size), referenceExpandLabel(hash, prk, "wycheproof", context, c.size), `${where}, HKDF-Expand-Label`);
          valid++;
        } else {
          expect(c.result, where).to.equal("invalid");
          expect(c.flags, where).to.deep.equal(["SizeTooLarge"]);
          expect(c.size, where).to.be.greaterThan(255 * HASH_LEN[hash]);
          expectTlsError(() => hkdfExpand(hash, prk, info, c.size), { alert: AlertDescription.internal_error });
          expectTlsError(() => hkdfExpandLabel(hash, prk, "wycheproof", context, c.size), { alert: AlertDescription.internal_error });
          invalid++;
        }
      }
      expect(invalid, "Wycheproof's SizeTooLarge cases").to.equal(3);
      expect(valid + invalid).to.equal(cases.length);
    });
  }

  it(`07.1 hkdfExpandLabel equals the Node reference for random secrets, labels, contexts and lengths (${NUM_RUNS} runs)`, () => {
    // First the reference against OpenSSL's own HKDF (crypto.hkdfSync does extract and expand in one call).
    for (const hash of hashes) {
      const [ikm, salt] = [crypto.randomBytes(40), crypto.randomBytes(20)];
      const info = referenceHkdfLabel("check", crypto.randomBytes(7), 100);
      const openssl = new Uint8Array(crypto.hkdfSync(hash === "SHA-256" ? "sha256" : "sha384", ikm, salt, info, 100));
      expectBytes(referenceExpand(hash, referenceExtract(hash, salt, ikm), info, 100), openssl, "the reference vs crypto.hkdfSync");
    }
    assertProperty(
      fc.property(
        fc.constantFrom(...hashes),
        fc.uint8Array({ minLength: 48, maxLength: 64 }),
        asciiLabel(249),
        fc.uint8Array({ maxLength: 255 }),
        fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 255 * 32 })),
        (hash, secret, label, context, length) => {
          const ours = hkdfExpandLabel(hash, secret, label, context, length);
          expectBytes(ours, referenceExpandLabel(hash, secret, label, context, length), "HKDF-Expand-Label output");
          const w = hkdfLabel(label, context, length);
          expectBytes(w.toBytes(), referenceHkdfLabel(label, context, length), "HkdfLabel", { annotations: w.annotations, structure: hkdfLabelLayout });
        },
      ),
      { demands: "HKDF-Expand-Label builds HkdfLabel (length, \"tls13 \" + label, context) and expands it, for any secret, label, context and length", inputs: ["hash", "secret", "label", "context", "length"] },
    );
  });

  it(`07.1 deriveSecret equals the Node reference for random secrets, labels and transcript hashes (${NUM_RUNS} runs)`, () => {
    assertProperty(
      fc.property(
        fc.constantFrom(...hashes),
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        asciiLabel(40),
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        (hash, secret, label, context) => {
          const transcriptHash = context.subarray(0, HASH_LEN[hash]);
          const ours = deriveSecret(hash, secret, label, transcriptHash);
          expect(ours.length).to.equal(HASH_LEN[hash]);
          expectBytes(ours, referenceDeriveSecret(hash, secret, label, transcriptHash), "Derive-Secret output");
        },
      ),
      { demands: "Derive-Secret(secret, label, hash) is HKDF-Expand-Label(secret, label, hash, Hash.length)", inputs: ["hash", "secret", "label", "transcript hash"] },
    );
  });

  it("07.1 the limits of HkdfLabel: label up to 255 bytes with its prefix, context up to 255, length up to 255·HashLen; beyond is internal_error", () => {
    const secret = crypto.randomBytes(48);
    const internal = { alert: AlertDescription.internal_error };
    for (const hash of hashes) {
      // At the limits: accepted, and right.
      const longest = "x".repeat(255 - "tls13 ".length);
      const fullContext = crypto.randomBytes(255);
      const most = 255 * HASH_LEN[hash];
      expectBytes(hkdfExpandLabel(hash, secret, longest, fullContext, 16), referenceExpandLabel(hash, secret, longest, fullContext, 16), "HKDF-Expand-Label with the longest label and context");
      expectBytes(hkdfExpandLabel(hash, secret, "k", EMPTY, most), referenceExpandLabel(hash, secret, "k", EMPTY, most), "HKDF-Expand-Label of the most bytes allowed");
      expect(hkdfExpandLabel(hash, secret, "k", EMPTY, 0).length, "0 bytes asked, 0 given").to.equal(0);
      // One past them: refused.
      expectTlsError(() => hkdfExpandLabel(hash, secret, longest + "x", EMPTY, 16), { ...internal, field: /label/ });
      expectTlsError(() => hkdfExpandLabel(hash, secret, "k", crypto.randomBytes(256), 16), { ...internal, field: /context/ });
      expectTlsError(() => hkdfExpandLabel(hash, secret, "k", EMPTY, most + 1), internal);
    }
    // opaque label<7..255>: "tls13 " alone is 6 bytes, so the label cannot be empty.
    expectTlsError(() => hkdfLabel("", EMPTY, 32), { ...internal, field: /label/ });
    // Labels are ASCII; a length is a whole number that fits a uint16.
    expectTlsError(() => hkdfLabel("clé", EMPTY, 32), { ...internal, field: /label/ });
    expectTlsError(() => hkdfLabel("key", EMPTY, -1), internal);
    expectTlsError(() => hkdfLabel("key", EMPTY, 1.5), internal);
    expectTlsError(() => hkdfLabel("key", EMPTY, 0x10000), internal);
  });

  it("07.1 deriveSecret refuses a transcript hash of another hash's size (internal_error)", () => {
    const secret = crypto.randomBytes(48);
    expectTlsError(() => deriveSecret("SHA-256", secret, "c hs traffic", new Uint8Array(48)), {
      alert: AlertDescription.internal_error,
      field: "transcript hash",
    });
    expectTlsError(() => deriveSecret("SHA-384", secret, "c hs traffic", new Uint8Array(32)), {
      alert: AlertDescription.internal_error,
      field: "transcript hash",
    });
    expectTlsError(() => deriveSecret("SHA-256", secret, "c hs traffic", EMPTY), { alert: AlertDescription.internal_error });
  });
});
