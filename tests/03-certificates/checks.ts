// Exercises 03.19–03.23, the checks validation makes on one path, each graded ON ITS OWN (runStep): the step runs
// alone on the first path buildPaths finds, so that another step's bug cannot fail its tests. The outside
// references: `openssl verify -x509_strict` on every case of the test PKI's manifest (a refusal must come from the
// step that owns openssl's error, on the certificate at openssl's depth, and every chain openssl accepts must pass
// every step), Node's validFrom/validTo, and the text of RFC 5280 §4 and §6.1 for certificates edited here (an edit
// breaks the issuer's signature, which none of these steps but 03.21 looks at).
import { expect } from "chai";
import { type CertificateCheck, alertName } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import {
  type Certificate,
  Checklist,
  type Name,
  checkCertificate,
  checkIssuer,
  checkLeaf,
  checkNameConstraints,
  checkProfile,
  directoryNameWithin,
  dnsNameWithin,
  ipWithin,
  parseCertificate,
} from "../../chapters/03-certificates/index.js";
import { VALIDATION_TIME } from "../support/pki.js";
import { concatBytes } from "../support/properties.js";
import {
  A,
  CASES,
  OURS_FOR_OPENSSL,
  type Outcome,
  STEP_OF_CHECK,
  derOf,
  firstPath,
  pathsOf,
  nodeCert,
  nodeSubject,
  one,
  opensslOnManifest,
  outcome,
  parsed,
  runStep,
} from "./chain-oracles.js";

// ---------------------------------------------------------------------------------------------------------------
// Certificates edited here: the test PKI's, with one field changed (a DER tree written out from X.690)

interface Node {
  tag: number;
  contents: Uint8Array;
  children?: Node[];
}

function parseDer(b: Uint8Array, at = 0): Node & { end: number } {
  const tag = b[at]!;
  let length = b[at + 1]!;
  let header = 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + b[at + 2 + i]!;
    header += count;
  }
  const end = at + header + length;
  const node: Node & { end: number } = { tag, contents: b.slice(at + header, end), end };
  if ((tag & 0x20) !== 0) {
    node.children = [];
    for (let i = at + header; i < end; ) {
      const child = parseDer(b, i);
      node.children.push(child);
      i = child.end;
    }
  }
  return node;
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const contents = concatBytes(...parts);
  const n = contents.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concatBytes(Uint8Array.from([tag, ...length]), contents);
}
const encode = (n: Node): Uint8Array => (n.children ? tlv(n.tag, ...n.children.map(encode)) : tlv(n.tag, n.contents));
const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));

/** An OID's DER (X.690 §8.19), for the few this file writes. */
const OIDS: Readonly<Record<string, string>> = {
  subjectKeyIdentifier: "06 03 55 1d 0e",
  keyUsage: "06 03 55 1d 0f",
  subjectAltName: "06 03 55 1d 11",
  basicConstraints: "06 03 55 1d 13",
  nameConstraints: "06 03 55 1d 1e",
  authorityKeyIdentifier: "06 03 55 1d 23",
  extKeyUsage: "06 03 55 1d 25",
};

/** The same OIDs, dotted. */
const DOTTED: Readonly<Record<keyof typeof OIDS, string>> = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
};

/** The fields of tbsCertificate (RFC 5280 §4.1) of a certificate's tree, and its extension list. */
function tbsOf(cert: Node) {
  const fields = cert.children![0]!.children!;
  const v = fields[0]!.tag === 0xa0 ? 1 : 0;
  const wrapper = fields.find((f) => f.tag === 0xa3);
  return { fields, serial: v, issuer: v + 2, subject: v + 4, extensions: wrapper?.children![0]!.children ?? [] };
}
const oidOf = (ext: Node): string => Object.entries(OIDS).find(([, d]) => toHex(h(d)) === toHex(encode(ext.children![0]!)))?.[0] ?? "?";

/** A PKI certificate with its tree edited, parsed by the learner's parseCertificate (03.5–03.11, done before these). */
function edited(name: string, change: (t: ReturnType<typeof tbsOf>) => void): Certificate {
  const tree = parseDer(derOf(name));
  change(tbsOf(tree));
  return parseCertificate(encode(tree));
}
/** An Extension (RFC 5280 §4.1): SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
const extension = (oid: keyof typeof OIDS, critical: boolean, value: Uint8Array): Node =>
  parseDer(tlv(0x30, h(OIDS[oid]!), critical ? h("01 01 ff") : new Uint8Array(0), tlv(0x04, value)));
/** Replaces the extension `oid` (or adds it at the end). */
function setExtension(t: ReturnType<typeof tbsOf>, oid: keyof typeof OIDS, ext: Node | undefined): void {
  const i = t.extensions.findIndex((e) => oidOf(e) === oid);
  if (ext === undefined) {
    if (i >= 0) t.extensions.splice(i, 1);
  } else if (i >= 0) t.extensions[i] = ext;
  else t.extensions.push(ext);
}
const emptyName = (): Node => ({ tag: 0x30, contents: new Uint8Array(0), children: [] });

/** Runs one check function on a path of given certificates, alone. */
function alone(run: (list: Checklist) => void, path: Certificate[]): Outcome {
  const list = new Checklist(path);
  return outcome(() => {
    run(list);
    return { path, checks: list.checks };
  });
}

/** The outcome must be a refusal by `check` with `alert`, recorded for path[index]. */
function expectStepRefused(o: Outcome, check: string, alert: number, index: number, what: string): void {
  if (o.ok) expect.fail(`${what}: expected ${check} to refuse it (${alertName(alert)}), but it passed: ${o.checks.map((c) => `${c.check} ✓`).join(", ")}`);
  expect(o.error.check, `${what}: the failed check (${o.error.message})`).to.equal(check);
  expect(alertName(o.error.alert), `${what}: the alert (${o.error.message})`).to.equal(alertName(alert));
  const last: CertificateCheck = o.error.checks[o.error.checks.length - 1]!;
  expect(last.index, `${what}: the index of the certificate it names (${o.error.message})`).to.equal(index);
}
function expectStepPassed(o: Outcome, what: string): void {
  if (!o.ok) expect.fail(`${what}: expected it to pass, but ${o.error.message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest, one step at a time

const STEPS = ["03.19", "03.20", "03.21", "03.22", "03.23"] as const;
const STEP_TITLES: Readonly<Record<(typeof STEPS)[number], string>> = {
  "03.19": "checkCertificate",
  "03.20": "checkProfile",
  "03.21": "checkIssuer",
  "03.22": "checkNameConstraints",
  "03.23": "checkLeaf",
};

describe("03.19–03.23 the checks, one step at a time, on the test PKI's manifest", function () {
  this.timeout(20000);

  for (const step of STEPS) {
    it(`${step} ${STEP_TITLES[step]} passes every chain that openssl verify accepts (and every one it refuses for another step's reason, up to that reason)`, async function () {
      const verdicts = await opensslOnManifest();
      let checked = 0;
      CASES.forEach((c, i) => {
        const ssl = verdicts[i]!;
        const checks = c.opensslDiffers !== undefined ? ["hostname"] : ssl.ok ? [] : (OURS_FOR_OPENSSL[ssl.errors[0]!.name]?.checks ?? []);
        const blamed = new Set(checks.map((k) => STEP_OF_CHECK[k]));
        if (blamed.has(step) || blamed.has("03.18")) return; // refused by this step (below), or no path at all
        // A chain openssl accepts: the path it built (buildPaths finds it too, 03.18); one it refuses: the first path.
        const paths = pathsOf(c);
        const path = ssl.ok ? (paths.find((p) => p.map((x) => x.subject.text).join("\n") === ssl.chain.join("\n")) ?? paths[0]!) : paths[0]!;
        expectStepPassed(runStep(step, path, { host: c.host ?? c.ip, at: new Date(c.at) }), `${c.name} (openssl: ${ssl.ok ? "ok" : ssl.errors[0]!.name})`);
        checked++;
      });
      expect(checked, "cases checked").to.be.greaterThan(25);
    });
  }

  CASES.forEach((c, i) => {
    if (c.expect !== "invalid") return;
    const target = c.host !== undefined ? ` for ${c.host}` : c.ip !== undefined ? ` for ${c.ip}` : "";
    if (c.opensslDiffers !== undefined) {
      it(`03.23 ${c.name}${target}: hostname refuses it on its own (bad_certificate), where openssl verify accepts: RFC 9525 §6.3`, function () {
        expectStepRefused(runStep("03.23", firstPath(c), { host: c.host ?? c.ip, at: new Date(c.at) }), "hostname", A.bad_certificate, 0, c.name);
      });
      return;
    }
    const want = OURS_FOR_OPENSSL[c.opensslError];
    const step = want === undefined ? undefined : STEP_OF_CHECK[want.checks[0]!];
    if (step === undefined || !(STEPS as readonly string[]).includes(step)) return; // path failures: paths.ts
    it(`${step} ${c.name}${target}: ${want!.checks[0]} refuses it on its own, on the certificate openssl verify names (${c.opensslError.replace("X509_V_ERR_", "")})`, async function () {
      const first = (await opensslOnManifest())[i]!.errors[0]!;
      const o = runStep(step, firstPath(c), { host: c.host ?? c.ip, at: new Date(c.at) });
      if (o.ok) expect.fail(`${c.name}: openssl says ${first.name} at depth ${first.depth}, but ${STEP_TITLES[step as (typeof STEPS)[number]]} passed it`);
      expect(want!.checks, `${c.name}: openssl says ${first.name}; the failed check was "${o.error.check}" (${o.error.message})`).to.include(o.error.check);
      expect(alertName(o.error.alert), `${c.name}: the alert`).to.equal(alertName(want!.alert));
      expect(o.error.certificate, `${c.name}: the certificate named (openssl: depth ${first.depth})`).to.equal(first.subject);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("03.19 checkCertificate", function () {
  const chain = () => parsed("chain-leaf-p256.pem").concat(one("root-rsa"));

  it("03.19 validity includes both ends: valid at notBefore and at notAfter exactly, certificate_expired one second outside (Node's validFrom/validTo; RFC 5280 §4.1.2.5)", function () {
    const path = chain();
    const leaf = nodeCert(path[0]!.der);
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    expect(new Date(from).toISOString(), "Node's validFrom").to.equal("2025-01-01T00:00:00.000Z");
    for (const [t, ok] of [[from - 1000, false], [from, true], [from + 1000, true], [to - 1000, true], [to, true], [to + 1000, false]] as const) {
      const o = alone((list) => checkCertificate(list, path, 0, new Date(t)), path);
      if (ok) expectStepPassed(o, new Date(t).toISOString());
      else expectStepRefused(o, "validity", A.certificate_expired, 0, new Date(t).toISOString());
    }
  });

  it("03.19 refuses a repeated extension as a bad certificate, not a parse error (RFC 5280 §4.2: \"MUST NOT include more than one instance\")", function () {
    for (const oid of ["subjectAltName", "keyUsage", "extKeyUsage"] as const) {
      const twice = edited("leaf-p256", (t) => {
        const ext = t.extensions.find((e) => oidOf(e) === oid)!;
        t.extensions.push(parseDer(encode(ext)));
      });
      expect(twice.extensions.all.filter((e) => e.oid === DOTTED[oid]).length, `${oid} read twice`).to.equal(2);
      expectStepRefused(alone((list) => checkCertificate(list, [twice], 0, VALIDATION_TIME), [twice]), "extensions", A.bad_certificate, 0, `${oid} twice`);
    }
  });

  it("03.19 refuses a critical extension it does not understand (unsupported_certificate), and a critical authorityKeyIdentifier or subjectKeyIdentifier (bad_certificate; RFC 5280 §4.2, §4.2.1.1, §4.2.1.2)", function () {
    const unknown = one("critical-unknown");
    expectStepRefused(alone((list) => checkCertificate(list, [unknown], 0, VALIDATION_TIME), [unknown]), "critical extensions", A.unsupported_certificate, 0, "critical-unknown");
    for (const oid of ["authorityKeyIdentifier", "subjectKeyIdentifier"] as const) {
      const cert = edited("leaf-p256", (t) => {
        const ext = t.extensions.find((e) => oidOf(e) === oid)!;
        setExtension(t, oid, extension(oid, true, ext.children![ext.children!.length - 1]!.contents));
      });
      expectStepRefused(alone((list) => checkCertificate(list, [cert], 0, VALIDATION_TIME), [cert]), "critical extensions", A.bad_certificate, 0, `critical ${oid}`);
    }
  });

  it("03.19 refuses a key it cannot use (Ed448): unsupported_certificate, naming the algorithm and its OID", function () {
    // An Ed448 SubjectPublicKeyInfo (RFC 8410 §4: id-Ed448, 57-byte key) in place of leaf-p256's.
    const ed448 = parseDer(tlv(0x30, tlv(0x30, h("06 03 2b 65 71")), tlv(0x03, h("00"), new Uint8Array(57).fill(9))));
    const cert = edited("leaf-p256", (t) => void (t.fields[t.serial + 5] = ed448));
    expect(cert.publicKey.kind).to.equal("unsupported");
    const o = alone((list) => checkCertificate(list, [cert], 0, VALIDATION_TIME), [cert]);
    expectStepRefused(o, "key", A.unsupported_certificate, 0, "an Ed448 key");
    if (!o.ok) expect(o.error.checks[o.error.checks.length - 1]!.detail, "the detail names what the key is").to.equal("unsupported key Ed448 (1.3.101.113)");
  });
});

describe("03.20 checkProfile", function () {
  const profile = (cert: Certificate, path: Certificate[] = [cert, one("root-rsa")]): Outcome => alone((list) => checkProfile(list, path, path.indexOf(cert)), path);
  const value = (name: string, oid: keyof typeof OIDS): Uint8Array => {
    const t = tbsOf(parseDer(derOf(name)));
    const ext = t.extensions.find((e) => oidOf(e) === oid)!;
    return ext.children![ext.children!.length - 1]!.contents;
  };

  it("03.20 names (RFC 5280 §4.1.2.4, §4.1.2.6, §4.2.1.6): an empty issuer, a CA with an empty subject, an empty subject beside a non-critical SAN, a critical SAN beside a subject are refused; an empty subject with a critical SAN is fine", function () {
    const san = value("leaf-p256", "subjectAltName");
    const cases: [string, Certificate, boolean][] = [
      ["empty issuer", edited("leaf-p256", (t) => void (t.fields[t.issuer] = emptyName())), false],
      ["CA with an empty subject", edited("inter-ec", (t) => void (t.fields[t.subject] = emptyName())), false],
      ["empty subject, non-critical SAN", edited("leaf-p256", (t) => void (t.fields[t.subject] = emptyName())), false],
      ["subject and a critical SAN", edited("leaf-p256", (t) => setExtension(t, "subjectAltName", extension("subjectAltName", true, san))), false],
      ["empty subject, critical SAN", edited("leaf-p256", (t) => {
        t.fields[t.subject] = emptyName();
        setExtension(t, "subjectAltName", extension("subjectAltName", true, san));
      }), true],
    ];
    for (const [what, cert, ok] of cases) {
      const path = cert.extensions.basicConstraints?.ca ? [one("leaf-p256"), cert, one("root-rsa")] : [cert, one("inter-ec")];
      const o = profile(cert, path);
      if (ok) expectStepPassed(o, what);
      else expectStepRefused(o, "names", A.bad_certificate, path.indexOf(cert), what);
    }
  });

  it("03.20 key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2; CA/B Forum BR §7.1.2.1.3, §7.1.2.11.1): refused without authorityKeyIdentifier (unless self-issued), with an issuer and serial in it, a CA without subjectKeyIdentifier, a root whose keyIdentifier is not its own", function () {
    const aki = (hex: string) => extension("authorityKeyIdentifier", false, h(hex));
    const cases: [string, Certificate, Certificate[], boolean][] = [];
    const add = (what: string, cert: Certificate, path: (c: Certificate) => Certificate[], ok: boolean) => cases.push([what, cert, path(cert), ok]);
    add("a leaf without authorityKeyIdentifier", edited("leaf-p256", (t) => setExtension(t, "authorityKeyIdentifier", undefined)), (c) => [c, one("inter-ec")], false);
    add("an intermediate without authorityKeyIdentifier", edited("inter-ec", (t) => setExtension(t, "authorityKeyIdentifier", undefined)), (c) => [one("leaf-p256"), c, one("root-rsa")], false);
    add("a self-signed root without authorityKeyIdentifier (allowed)", one("root-rsa"), (c) => [one("inter-ec"), c], true);
    // authorityCertIssuer [1] GeneralNames holding a directoryName [4] (CN=ca), then authorityCertSerialNumber [2].
    const issuerAndSerial = toHex(tlv(0x30, tlv(0xa1, tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, h("06 03 55 04 03"), h("0c 02 63 61")))))), h("82 01 05")));
    add("only authorityCertIssuer and serial", edited("leaf-p256", (t) => setExtension(t, "authorityKeyIdentifier", aki(issuerAndSerial))), (c) => [c, one("inter-ec")], false);
    add("a keyIdentifier and a serial", edited("leaf-p256", (t) => setExtension(t, "authorityKeyIdentifier", aki("30 07 80 02 01 02 82 01 05"))), (c) => [c, one("inter-ec")], false);
    add("a CA without subjectKeyIdentifier", edited("inter-ec", (t) => setExtension(t, "subjectKeyIdentifier", undefined)), (c) => [one("leaf-p256"), c, one("root-rsa")], false);
    add("a root whose authorityKeyIdentifier names another key", edited("root-rsa", (t) => setExtension(t, "authorityKeyIdentifier", aki("30 06 80 04 01 02 03 04"))), (c) => [one("inter-ec"), c], false);
    const rootSki = value("root-rsa", "subjectKeyIdentifier").subarray(2);
    add("a root whose authorityKeyIdentifier is its own key (allowed)", edited("root-rsa", (t) => setExtension(t, "authorityKeyIdentifier", aki(toHex(tlv(0x30, tlv(0x80, rootSki)))))), (c) => [one("inter-ec"), c], true);
    for (const [what, cert, path, ok] of cases) {
      const o = profile(cert, path);
      if (ok) expectStepPassed(o, what);
      else expectStepRefused(o, "key identifiers", A.bad_certificate, path.indexOf(cert), what);
    }
  });

  it("03.20 CA flags (RFC 5280 §4.2.1.3, §4.2.1.9, §4.2.1.10): keyCertSign without cA, cA without keyCertSign, a pathLenConstraint or nameConstraints outside a CA are refused (openssl: inter-noca is INVALID_CA, KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA)", function () {
    const bc = (hex: string) => extension("basicConstraints", true, h(hex));
    const cases: [string, Certificate][] = [
      ["inter-noca: keyCertSign, cA false", one("inter-noca")],
      ["inter-nokeycertsign: cA true, keyUsage digitalSignature", one("inter-nokeycertsign")],
      ["a leaf with pathLenConstraint 0 and cA false", edited("leaf-p256", (t) => setExtension(t, "basicConstraints", bc("30 03 02 01 00")))],
      ["a leaf with nameConstraints", edited("leaf-p256", (t) => setExtension(t, "nameConstraints", extension("nameConstraints", true, h("30 0a a0 08 30 06 82 04 61 2e 74 74"))))],
      ["a leaf with keyCertSign", edited("leaf-p256", (t) => setExtension(t, "keyUsage", extension("keyUsage", true, h("03 02 02 84"))))],
    ];
    for (const [what, cert] of cases) expectStepRefused(profile(cert, [cert, one("root-rsa")]), "CA flags", A.bad_certificate, 0, what);
  });

  it("03.20 a serial number must be positive (RFC 5280 §4.1.2.2), except on the trust anchor: 0 and −1 are refused on a leaf", function () {
    for (const serial of ["02 01 00", "02 01 ff"]) {
      const cert = edited("leaf-p256", (t) => void (t.fields[t.serial] = parseDer(h(serial))));
      expectStepRefused(profile(cert, [cert, one("inter-ec")]), "serial number", A.bad_certificate, 0, `serial ${serial}`);
      expectStepPassed(profile(cert, [cert]), `serial ${serial} on a trust anchor`);
    }
  });
});

describe("03.21 checkIssuer", function () {
  it("03.21 refuses inter-noca as an issuer (basicConstraints cA false) and inter-nokeycertsign (keyUsage without keyCertSign), as openssl verify does (INVALID_CA; KEYUSAGE_NO_CERTSIGN)", async function () {
    const verdicts = await opensslOnManifest();
    for (const [name, check, chain] of [["inter-not-ca", "basicConstraints", "chain-leaf-under-noca.pem"], ["inter-no-certsign", "keyUsage", "chain-leaf-under-nokeycertsign.pem"]] as const) {
      const c = CASES.find((x) => x.name === name)!;
      expect(verdicts[CASES.indexOf(c)]!.output, `openssl on ${name}`).to.match(name === "inter-not-ca" ? /invalid CA certificate/ : /key usage does not include certificate signing/);
      const path = parsed(chain).concat(one("root-rsa"));
      expectStepRefused(alone((list) => checkIssuer(list, path, 1), path), check, A.bad_certificate, 1, name);
    }
  });

  it("03.21 refuses a CA whose basicConstraints is not critical (RFC 5280 §4.2.1.9: a CA \"MUST mark the extension as critical\")", function () {
    const tree = parseDer(derOf("inter-ec"));
    const t = tbsOf(tree);
    const i = t.extensions.findIndex((e) => oidOf(e) === "basicConstraints");
    t.extensions[i] = extension("basicConstraints", false, t.extensions[i]!.children![2]!.contents);
    const ca = parseCertificate(encode(tree));
    const path = [one("leaf-p256"), ca, one("root-rsa")];
    expectStepRefused(alone((list) => checkIssuer(list, path, 1), path), "basicConstraints", A.bad_certificate, 1, "non-critical basicConstraints");
  });

  it("03.21 checks the signature of the certificate below with this CA's key: leaf-p256 under inter-ec passes, bad-signature and leaf-p256 under inter-pss do not (Node's verify agrees)", function () {
    for (const [leaf, ca, ok] of [["leaf-p256", "inter-ec", true], ["bad-signature", "inter-ec", false], ["leaf-p256", "inter-pss", false]] as const) {
      expect(nodeCert(derOf(leaf)).verify(nodeCert(derOf(ca)).publicKey), `Node: ${leaf} signed by ${ca}`).to.equal(ok);
      const path = [one(leaf), one(ca)];
      const o = alone((list) => checkIssuer(list, path, 1), path);
      // inter-pss has no pathLen problem and is a CA: only the signature can fail.
      if (ok) expectStepPassed(o, `${leaf} by ${ca}`);
      else expectStepRefused(o, "signature", A.bad_certificate, 0, `${leaf} by ${ca}`);
    }
  });

  it("03.21 pathLen counts the CAs below, not the leaf, not self-issued ones (RFC 5280 §4.2.1.9, §6.1.4 (l)): inter-ec (pathlen 0) over inter-sub is refused at inter-ec, as openssl does", function () {
    const path = [one("leaf-under-sub"), one("inter-sub"), one("inter-ec"), one("root-rsa")];
    expectStepRefused(alone((list) => { for (let i = 3; i >= 1; i--) checkIssuer(list, path, i); }, path), "pathLen", A.bad_certificate, 2, "inter-ec over inter-sub");
    const ok = [one("leaf-p256"), one("inter-ec"), one("root-rsa")];
    expectStepPassed(alone((list) => { for (let i = 2; i >= 1; i--) checkIssuer(list, ok, i); }, ok), "inter-ec over a leaf");
  });
});

describe("03.22 name constraints", function () {
  it("03.22 dnsNameWithin: RFC 5280 §4.2.1.10's rule, \"adding zero or more labels to the left-hand side\"", function () {
    const table: [string, string, boolean][] = [
      ["host.example.com", "host.example.com", true],
      ["www.host.example.com", "host.example.com", true],
      ["host1.example.com", "host.example.com", false],
      ["nothost.example.com", "host.example.com", false],
      ["example.com", "host.example.com", false],
      ["WWW.Host.Example.COM", "host.EXAMPLE.com", true],
      ["www.host.example.com.", "host.example.com", true],
      ["anything.test", "", true],
      ["a.b.test", ".b.test", true],
      ["b.test", ".b.test", false],
      ["www.bank.test", "bank.test", true],
      ["www.bank.test.evil", "bank.test", false],
    ];
    for (const [name, constraint, within] of table) expect(dnsNameWithin(name, constraint), `${name} within ${JSON.stringify(constraint)}`).to.equal(within);
  });

  it("03.22 ipWithin: address AND mask (RFC 5280 §4.2.1.10: 192.0.2.0/24 is C0 00 02 00 FF FF FF 00); IPv4 never within an IPv6 subtree", function () {
    const v4 = h("c0 00 02 00 ff ff ff 00");
    const table: [string, Uint8Array, Uint8Array, boolean][] = [
      ["192.0.2.1 in 192.0.2.0/24", h("c0 00 02 01"), v4, true],
      ["192.0.2.255 in 192.0.2.0/24", h("c0 00 02 ff"), v4, true],
      ["192.0.3.1 in 192.0.2.0/24", h("c0 00 03 01"), v4, false],
      ["10.1.2.3 in 0.0.0.0/0", h("0a 01 02 03"), h("00 00 00 00 00 00 00 00"), true],
      ["::1 in ::1/128", concatBytes(new Uint8Array(15), h("01")), concatBytes(new Uint8Array(15), h("01"), new Uint8Array(16).fill(0xff)), true],
      ["::2 in ::1/128", concatBytes(new Uint8Array(15), h("02")), concatBytes(new Uint8Array(15), h("01"), new Uint8Array(16).fill(0xff)), false],
      ["192.0.2.1 in an IPv6 ::/0", h("c0 00 02 01"), new Uint8Array(32), false],
      ["::ffff:192.0.2.1 in 192.0.2.0/24", concatBytes(new Uint8Array(10), h("ff ff c0 00 02 01")), v4, false],
    ];
    for (const [what, address, constraint, within] of table) expect(ipWithin(address, constraint), what).to.equal(within);
  });

  it("03.22 directoryNameWithin: the constraint's RDNs begin the name (RFC 5280 §4.2.1.10, §7.1), case and extra spaces aside", function () {
    const name = (...rdns: [string, string][]): Name => ({ rdns: rdns.map(([type, value]) => [{ type, name: type, value }]), text: "", der: new Uint8Array(0) });
    const O = "2.5.4.10";
    const CN = "2.5.4.3";
    const table: [string, Name, Name, boolean][] = [
      ["O=x, CN=a within O=x", name([O, "x"], [CN, "a"]), name([O, "x"]), true],
      ["O=x within O=x", name([O, "x"]), name([O, "x"]), true],
      ["O=y, CN=a within O=x", name([O, "y"], [CN, "a"]), name([O, "x"]), false],
      ["O=x within O=x, CN=a", name([O, "x"]), name([O, "x"], [CN, "a"]), false],
      ["CN=a, O=x within O=x (order matters)", name([CN, "a"], [O, "x"]), name([O, "x"]), false],
      ["O=Tls  By  Hand within O=tls by hand", name([O, "Tls  By  Hand "]), name([O, "tls by hand"]), true],
      ["CN=x within O=x (the type matters)", name([CN, "x"]), name([O, "x"]), false],
    ];
    for (const [what, n, c, within] of table) expect(directoryNameWithin(n, c), what).to.equal(within);
  });

  it("03.22 applies a non-critical excluded subtree: inter-nc-excluded's bank.test refuses www.bank.test and allows shop.test (openssl: EXCLUDED_VIOLATION / ok)", function () {
    const ca = one("inter-nc-excluded");
    expect(ca.extensions.all.find((e) => e.oid === "2.5.29.30")?.critical, "the extension is not critical").to.equal(false);
    const bank = [one("leaf-nc-bank"), ca, one("root-rsa")];
    expectStepRefused(alone((list) => checkNameConstraints(list, bank), bank), "name constraints", A.bad_certificate, 0, "www.bank.test");
    const shop = [one("leaf-nc-shop"), ca, one("root-rsa")];
    expectStepPassed(alone((list) => checkNameConstraints(list, shop), shop), "shop.test");
  });

  it("03.22 constrains every certificate below the CA, intermediates too, but not a self-issued intermediate (RFC 5280 §4.2.1.10, §6.1.4 (b))", function () {
    // inter-nc-permitted (corp.test, 10.0.0.0/8, O=tls-by-hand test PKI) over a CA named O=another organisation: refused
    // at that CA; the same CA made self-issued is exempt, and then only the leaf below it is checked.
    const other = tbsOf(parseDer(derOf("leaf-nc-other-org")));
    const outsideName = other.fields[other.subject]!;
    const outsider = edited("inter-ec", (t) => void (t.fields[t.subject] = outsideName));
    const path = [one("leaf-nc-corp"), outsider, one("inter-nc-permitted"), one("root-rsa")];
    expectStepRefused(alone((list) => checkNameConstraints(list, path), path), "name constraints", A.bad_certificate, 1, "a CA named outside the subtree");
    const selfIssued = edited("inter-ec", (t) => {
      t.fields[t.subject] = outsideName;
      t.fields[t.issuer] = outsideName;
    });
    const exempt = [one("leaf-nc-corp"), selfIssued, one("inter-nc-permitted"), one("root-rsa")];
    expectStepPassed(alone((list) => checkNameConstraints(list, exempt), exempt), "the same CA, self-issued (a CA re-keying itself)");
  });
});

describe("03.23 checkLeaf", function () {
  const leafCheck = (cert: Certificate, host?: string): Outcome => alone((list) => checkLeaf(list, [cert], { roots: [], host }), [cert]);

  it("03.23 refuses a leaf whose keyUsage cannot agree with serverAuth (RFC 5280 §4.2.1.12), but leaves keyUsage alone without an extKeyUsage", function () {
    const ku = (hex: string) => edited("leaf-p256", (t) => setExtension(t, "keyUsage", extension("keyUsage", true, h(hex))));
    expectStepRefused(leafCheck(ku("03 02 01 06")), "server keyUsage", A.unsupported_certificate, 0, "keyCertSign, cRLSign with serverAuth");
    expectStepPassed(leafCheck(ku("03 02 05 20")), "keyEncipherment with serverAuth");
    expectStepPassed(leafCheck(ku("03 02 03 08")), "keyAgreement with serverAuth");
    const noEku = edited("leaf-p256", (t) => {
      setExtension(t, "keyUsage", extension("keyUsage", true, h("03 02 01 06")));
      const i = t.extensions.findIndex((e) => toHex(encode(e.children![0]!)) === toHex(h(OIDS.extKeyUsage!)));
      t.extensions.splice(i, 1);
    });
    expectStepPassed(leafCheck(noEku), "keyCertSign, cRLSign without extKeyUsage");
  });

  it("03.23 extKeyUsage: serverAuth or anyExtendedKeyUsage (RFC 5280 §4.2.1.12); clientAuth alone is unsupported_certificate (openssl: INVALID_PURPOSE)", function () {
    const eku = (hex: string) => edited("leaf-p256", (t) => setExtension(t, "extKeyUsage", extension("extKeyUsage", false, h(hex))));
    expectStepPassed(leafCheck(eku("30 06 06 04 55 1d 25 00")), "anyExtendedKeyUsage");
    expectStepPassed(leafCheck(eku("30 14 06 08 2b 06 01 05 05 07 03 02 06 08 2b 06 01 05 05 07 03 01")), "clientAuth and serverAuth");
    expectStepRefused(leafCheck(one("no-serverauth")), "extKeyUsage", A.unsupported_certificate, 0, "no-serverauth");
  });

  it("03.23 the host name: checked when one is given (matchesHost, 03.16), with the SAN in the detail; no host, no check", function () {
    const leaf = one("leaf-rsa");
    expectStepPassed(leafCheck(leaf, "localhost"), "localhost");
    expectStepRefused(leafCheck(leaf, "wrong.test"), "hostname", A.bad_certificate, 0, "wrong.test");
    const o = leafCheck(leaf, "wrong.test");
    if (!o.ok) expect(o.error.reason, "the detail").to.include("localhost").and.include("127.0.0.1");
    expectStepPassed(leafCheck(one("wrong-host")), "no host given");
    expect(nodeSubject(derOf("leaf-rsa")), "Node names the certificate the same").to.equal(leaf.subject.text);
  });
});
