// The oracles of exercises 03.16–03.24 (host names, path building, the checks, validateChain), shared by hosts.ts,
// paths.ts, checks.ts, validate.ts and limbo.ts: `openssl verify`, run live on every case of the test PKI's manifest
// (tests/fixtures/pki) and on chains made here with the openssl command; Node's X509Certificate (checkHost, checkIP,
// checkIssued, verify); and the chains that Node's tls and `openssl s_server` send on 127.0.0.1. Where an RFC and
// openssl or Node disagree, the test asserts the RFC's verdict and its title says why.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertDescription, HandshakeType } from "../../lib/constants.js";
import { type CertificateCheck, type CertificateError, alertName, isCertificateError, isNotImplemented } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { clientHelloRecord, makeClientHello } from "../../chapters/01-client-hello/index.js";
import {
  type Certificate,
  Checklist,
  MAX_PATH_LENGTH,
  buildPaths,
  checkCertificate,
  checkIssuer,
  checkLeaf,
  checkNameConstraints,
  checkProfile,
  parseCertificates,
  validateChain,
} from "../../chapters/03-certificates/index.js";
import { type PkiCase, loadManifest, pkiPath, readPemCerts } from "../support/pki.js";
import { ContentType as RecordType, HANDSHAKE_HEADER_LENGTH, RECORD_HEADER_LENGTH, completeRecordLength } from "../support/records.js";

export const A = AlertDescription;
export const CASES = loadManifest();

// ---------------------------------------------------------------------------------------------------------------
// The test PKI, read by Node (the oracle) and parsed by the learner's code (03.5), each certificate once

const cache = new Map<string, Certificate[]>();
/** The certificates of a PKI file (or of an absolute path), parsed by parseCertificates and kept. */
export function parsed(file: string): Certificate[] {
  let certs = cache.get(file);
  if (certs === undefined) {
    certs = parseCertificates(readPemCerts(file));
    cache.set(file, certs);
  }
  return certs;
}
export const one = (name: string): Certificate => parsed(`${name}.crt`)[0]!;
export const roots = (): Certificate[] => parsed("roots.pem");
export const derOf = (name: string): Uint8Array => readPemCerts(`${name}.crt`)[0]!;

export const nodeCert = (der: Uint8Array): X509Certificate => new X509Certificate(Buffer.from(der));
/** A subject as Node reads it ("O=…\nCN=…"), written the way RFC 5280 order reads: "O=…, CN=…". */
export const nodeSubject = (der: Uint8Array): string => nodeCert(der).subject.split("\n").join(", ");

/** Node's host name check with RFC 9525's rules: no partial or multi-label wildcards, never the subject CN. */
export const RFC9525 = { partialWildcards: false, multiLabelWildcards: false, subject: "never" } as const;
export const nodeMatches = (der: Uint8Array, name: string): boolean =>
  net.isIP(name) === 0 ? nodeCert(der).checkHost(name, RFC9525) !== undefined : nodeCert(der).checkIP(name) !== undefined;

/** Every link of a path: Node says each certificate was issued by the next (names, key ids) and its signature verifies. */
export function expectLinksConfirmedByNode(path: Certificate[], anchors: Uint8Array[], what: string): void {
  for (let i = 0; i + 1 < path.length; i++) {
    const child = nodeCert(path[i]!.der);
    const issuer = nodeCert(path[i + 1]!.der);
    expect(child.checkIssued(issuer), `${what}: Node's checkIssued for path[${i}] by path[${i + 1}]`).to.equal(true);
    expect(child.verify(issuer.publicKey), `${what}: Node verifies path[${i}]'s signature with path[${i + 1}]'s key`).to.equal(true);
  }
  const last = toHex(path[path.length - 1]!.der);
  expect(anchors.map((a) => toHex(a)), `${what}: the path ends at one of the trust anchors, byte for byte`).to.include(last);
}

export type Outcome = { ok: true; path: Certificate[]; checks: CertificateCheck[] } | { ok: false; error: CertificateError };

/** Runs a validation; a CertificateError is an outcome, anything else (NotImplemented included) fails the test. */
export function outcome(run: () => { path: Certificate[]; checks: CertificateCheck[] }): Outcome {
  try {
    const { path, checks } = run();
    return { ok: true, path, checks };
  } catch (e) {
    if (isNotImplemented(e)) throw e;
    if (!isCertificateError(e)) throw new Error(`expected a CertificateError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return { ok: false, error: e };
  }
}

/** Expects a refusal with this check and alert; returns the error. */
export function expectRefused(o: Outcome, check: string, alert: number, what: string): CertificateError {
  if (o.ok) expect.fail(`${what}: expected ${alertName(alert)} (${check}), but it was accepted with path ${o.path.map((c) => c.subject.text).join(" → ")}`);
  expect(o.error.check, `${what}: the failed check (${o.error.message})`).to.equal(check);
  expect(alertName(o.error.alert), `${what}: the alert (${o.error.message})`).to.equal(alertName(alert));
  expect(o.error.checks, `${what}: a CertificateError carries its list of checks`).to.be.an("array");
  return o.error;
}

/** The checks list after a failure: every entry before the last passed; the last is the failure itself. */
export function expectChecksEndWithFailure(e: CertificateError, what: string): void {
  const checks = e.checks;
  if (e.check === "path") {
    // buildPath refuses before any check is recorded (03.12 throws a bare CertificateError).
    expect(checks.filter((c) => !c.ok), `${what}: no failed entry before a path failure`).to.deep.equal([]);
    return;
  }
  expect(checks.length, `${what}: the checks made before the failure`).to.be.greaterThan(0);
  const last = checks[checks.length - 1]!;
  expect(last.ok, `${what}: the last check is the failed one`).to.equal(false);
  expect(last.check, `${what}: the last check's name`).to.equal(e.check);
  expect(last.subject, `${what}: the last check's certificate`).to.equal(e.certificate);
  expect(checks.slice(0, -1).filter((c) => !c.ok), `${what}: every earlier check passed`).to.deep.equal([]);
}

// ---------------------------------------------------------------------------------------------------------------
// openssl verify, the oracle for 03.18–03.24

/** X509_V_ERR_* numbers of OpenSSL 3 (include/openssl/x509_vfy.h) for the errors these chains can produce. */
const X509_V_ERR: Readonly<Record<number, string>> = {
  2: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT",
  7: "X509_V_ERR_CERT_SIGNATURE_FAILURE",
  9: "X509_V_ERR_CERT_NOT_YET_VALID",
  10: "X509_V_ERR_CERT_HAS_EXPIRED",
  18: "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT",
  19: "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN",
  20: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  21: "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  22: "X509_V_ERR_CERT_CHAIN_TOO_LONG",
  25: "X509_V_ERR_PATH_LENGTH_EXCEEDED",
  26: "X509_V_ERR_INVALID_PURPOSE",
  32: "X509_V_ERR_KEYUSAGE_NO_CERTSIGN",
  34: "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION",
  41: "X509_V_ERR_INVALID_EXTENSION",
  47: "X509_V_ERR_PERMITTED_VIOLATION",
  48: "X509_V_ERR_EXCLUDED_VIOLATION",
  55: "X509_V_ERR_PATH_LOOP",
  62: "X509_V_ERR_HOSTNAME_MISMATCH",
  64: "X509_V_ERR_IP_ADDRESS_MISMATCH",
  79: "X509_V_ERR_INVALID_CA",
  80: "X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA",
  81: "X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN",
  82: "X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA",
  83: "X509_V_ERR_ISSUER_NAME_EMPTY",
  84: "X509_V_ERR_SUBJECT_NAME_EMPTY",
  85: "X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER",
  86: "X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER",
  87: "X509_V_ERR_EMPTY_SUBJECT_ALT_NAME",
  88: "X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL",
  89: "X509_V_ERR_CA_BCONS_NOT_CRITICAL",
  90: "X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL",
  91: "X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL",
};
/** OpenSSL 1.1.1 numbered invalid CA 24 (3.0 moved it to 79 and gave 24 to NO_ISSUER_PUBLIC_KEY). */
const X509_V_ERR_1_1: Readonly<Record<number, string>> = { 24: "X509_V_ERR_INVALID_CA" };

/**
 * The one table between openssl's first error and our refusal: which check of ours fails (RFC 5280 §6.1 step, or
 * the §4 profile rule that -x509_strict also checks) and which alert a TLS client sends for it (RFC 8446 §6.2). The
 * first check listed is the one our validation meets first on the chains of the test PKI.
 */
export const OURS_FOR_OPENSSL: Readonly<Record<string, { checks: readonly string[]; alert: number }>> = {
  X509_V_ERR_CERT_HAS_EXPIRED: { checks: ["validity"], alert: A.certificate_expired },
  X509_V_ERR_CERT_NOT_YET_VALID: { checks: ["validity"], alert: A.certificate_expired },
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: { checks: ["path"], alert: A.unknown_ca },
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { checks: ["path"], alert: A.unknown_ca },
  X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: { checks: ["path"], alert: A.unknown_ca },
  X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: { checks: ["path"], alert: A.unknown_ca },
  X509_V_ERR_PATH_LOOP: { checks: ["path"], alert: A.unknown_ca },
  X509_V_ERR_CERT_SIGNATURE_FAILURE: { checks: ["signature"], alert: A.bad_certificate },
  // A CA certificate whose cA and keyCertSign disagree: "CA flags" (the profile, 03.20) sees it before the issuer's
  // own checks (03.21) do.
  X509_V_ERR_INVALID_CA: { checks: ["CA flags", "basicConstraints", "keyUsage"], alert: A.bad_certificate },
  X509_V_ERR_KEYUSAGE_NO_CERTSIGN: { checks: ["CA flags", "keyUsage"], alert: A.bad_certificate },
  X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: { checks: ["CA flags"], alert: A.bad_certificate },
  X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA: { checks: ["CA flags"], alert: A.bad_certificate },
  X509_V_ERR_PATH_LENGTH_EXCEEDED: { checks: ["pathLen"], alert: A.bad_certificate },
  X509_V_ERR_CA_BCONS_NOT_CRITICAL: { checks: ["basicConstraints"], alert: A.bad_certificate },
  X509_V_ERR_INVALID_PURPOSE: { checks: ["extKeyUsage"], alert: A.unsupported_certificate },
  X509_V_ERR_HOSTNAME_MISMATCH: { checks: ["hostname"], alert: A.bad_certificate },
  X509_V_ERR_IP_ADDRESS_MISMATCH: { checks: ["hostname"], alert: A.bad_certificate },
  X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: { checks: ["critical extensions"], alert: A.unsupported_certificate },
  X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL: { checks: ["critical extensions"], alert: A.bad_certificate },
  X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL: { checks: ["critical extensions"], alert: A.bad_certificate },
  X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER: { checks: ["key identifiers"], alert: A.bad_certificate },
  X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER: { checks: ["key identifiers"], alert: A.bad_certificate },
  X509_V_ERR_ISSUER_NAME_EMPTY: { checks: ["names"], alert: A.bad_certificate },
  X509_V_ERR_SUBJECT_NAME_EMPTY: { checks: ["names"], alert: A.bad_certificate },
  X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL: { checks: ["names"], alert: A.bad_certificate },
  X509_V_ERR_PERMITTED_VIOLATION: { checks: ["name constraints"], alert: A.bad_certificate },
  X509_V_ERR_EXCLUDED_VIOLATION: { checks: ["name constraints"], alert: A.bad_certificate },
};

/** The exercise each check belongs to: the step a refusal blames (buildPaths throws "path"). */
export const STEP_OF_CHECK: Readonly<Record<string, string>> = {
  path: "03.18",
  validity: "03.19",
  extensions: "03.19",
  "critical extensions": "03.19",
  key: "03.19",
  names: "03.20",
  "key identifiers": "03.20",
  "CA flags": "03.20",
  "serial number": "03.20",
  basicConstraints: "03.21",
  keyUsage: "03.21",
  pathLen: "03.21",
  "signature algorithm": "03.21",
  signature: "03.21",
  "name constraints": "03.22",
  "server keyUsage": "03.23",
  extKeyUsage: "03.23",
  hostname: "03.23",
  "path length": "03.24",
};

/**
 * Runs ONE step of validation on a path, alone, the way validatePath would run it: 03.19 and 03.20 on every
 * certificate from the anchor down, 03.21 on every issuer, 03.22 and 03.23 once. Returns the checks it recorded, or
 * the CertificateError it threw. A test that grades one step calls this, so that another step's bug cannot fail it.
 */
export function runStep(step: string, path: Certificate[], options: { host?: string; at: Date }): Outcome {
  const list = new Checklist(path);
  return outcome(() => {
    if (step === "03.19") for (let i = path.length - 1; i >= 0; i--) checkCertificate(list, path, i, options.at);
    else if (step === "03.20") for (let i = path.length - 1; i >= 0; i--) checkProfile(list, path, i);
    else if (step === "03.21") for (let i = path.length - 1; i >= 1; i--) checkIssuer(list, path, i);
    else if (step === "03.22") checkNameConstraints(list, path);
    else if (step === "03.23") checkLeaf(list, path, { roots: [], host: options.host });
    else throw new Error(`runStep: no step ${step}`);
    return { path, checks: list.checks };
  });
}

/** Every path buildPaths gives for a manifest case, and the first (the one validateChain tries first). */
export const pathsOf = (c: PkiCase): Certificate[][] => {
  const [leaf, ...rest] = parsed(c.chain);
  return buildPaths(leaf!, rest, parsed(c.roots));
};
export const firstPath = (c: PkiCase): Certificate[] => pathsOf(c)[0]!;

interface OpenSslError {
  code: number;
  name: string;
  /** 0 is the leaf: the same numbering as our path index. */
  depth: number;
  /** The subject of the certificate at that depth, as openssl printed it just before the error line. */
  subject: string;
  text: string;
}
export interface OpenSslVerdict {
  ok: boolean;
  /** On success, -show_chain's subjects, leaf first. */
  chain: string[];
  errors: OpenSslError[];
  output: string;
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", timeout: 15000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") {
        reject(new Error(`cannot run ${command} ${args.join(" ")} (is it installed?): ${error.message}`));
      } else {
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
      }
    });
  });
}

export async function openssl(args: string[]): Promise<string> {
  const r = await run("openssl", args);
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

let opensslVersion: Promise<string> | undefined;

let scratch: string | undefined;
after(function () {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});
/** A private temporary folder for the PEM files openssl reads; removed after all the tests. */
export function scratchDir(): string {
  return (scratch ??= mkdtempSync(join(tmpdir(), "tls-by-hand-03-chain-")));
}
let files = 0;
/** DER certificates as one PEM file (Node writes the PEM), for openssl's -CAfile / -untrusted / the leaf. */
export function pemFileOf(ders: Uint8Array[]): string {
  const file = join(scratchDir(), `certs-${files++}.pem`);
  writeFileSync(file, ders.map((d) => nodeCert(d).toString()).join(""));
  return file;
}

/**
 * `openssl verify -x509_strict -purpose sslserver -attime T -CAfile ROOTS -untrusted BUNDLE [-verify_hostname H |
 * -verify_ip IP] LEAF`, as make-pki.sh ran it, with -show_chain and names printed as "O=…, CN=…" in UTF-8.
 */
export async function opensslVerify(input: {
  leaf: Uint8Array;
  untrusted?: Uint8Array[];
  roots?: Uint8Array[];
  host?: string;
  ip?: string;
  at?: Date;
  purpose?: boolean;
}): Promise<OpenSslVerdict> {
  const version = await (opensslVersion ??= openssl(["version"]));
  const names = version.startsWith("OpenSSL 1.1") ? { ...X509_V_ERR, ...X509_V_ERR_1_1 } : X509_V_ERR;
  const args = ["verify", "-x509_strict", "-show_chain", "-nameopt", "utf8,sep_comma_plus_space"];
  if (input.purpose !== false) args.push("-purpose", "sslserver");
  if (input.at !== undefined) args.push("-attime", String(Math.floor(input.at.getTime() / 1000)));
  args.push("-CAfile", pemFileOf(input.roots ?? readPemCerts("roots.pem")));
  if (input.untrusted !== undefined && input.untrusted.length > 0) args.push("-untrusted", pemFileOf(input.untrusted));
  if (input.host !== undefined) args.push("-verify_hostname", input.host);
  if (input.ip !== undefined) args.push("-verify_ip", input.ip);
  args.push(pemFileOf([input.leaf]));
  const r = await run("openssl", args);
  const output = `${r.stdout}${r.stderr}`;
  const errors: OpenSslError[] = [];
  let previous = "";
  for (const line of r.stderr.split(/\r?\n/)) {
    const m = /^error (\d+) at (\d+) depth lookup: ?(.*)$/.exec(line);
    if (m !== null) {
      const code = Number(m[1]);
      errors.push({ code, name: names[code] ?? `openssl error ${code}`, depth: Number(m[2]), subject: previous, text: m[3]! });
    }
    previous = line;
  }
  const chain: string[] = [];
  for (const line of r.stdout.split(/\r?\n/)) {
    const m = /^depth=(\d+): (.*?)( \(untrusted\))?$/.exec(line);
    if (m !== null) chain[Number(m[1])] = m[2]!;
  }
  const ok = r.code === 0;
  if (!ok && errors.length === 0) throw new Error(`openssl verify failed without an error line:\n${output}`);
  return { ok, chain, errors, output };
}

/**
 * Our outcome must be openssl's: the same path when it accepts; when it refuses, the check and alert that
 * OURS_FOR_OPENSSL gives for its first error, on the certificate at the depth openssl names.
 */
export function expectSameAsOpenSsl(ours: Outcome, ssl: OpenSslVerdict, anchors: Uint8Array[], what: string): void {
  if (ssl.ok) {
    if (!ours.ok) expect.fail(`${what}: openssl verify accepts the chain, but it was refused: ${ours.error.message}`);
    expect(ours.path.map((c) => c.subject.text), `${what}: the path, leaf first, as openssl -show_chain prints it`).to.deep.equal(ssl.chain);
    expectLinksConfirmedByNode(ours.path, anchors, what);
    return;
  }
  const first = ssl.errors[0]!;
  const said = `openssl: ${first.name} at depth ${first.depth} (${first.text})`;
  if (ours.ok) expect.fail(`${what}: ${said}, but the chain was accepted`);
  const want = OURS_FOR_OPENSSL[first.name];
  if (want === undefined) expect.fail(`${what}: ${said} is not in this test's table OURS_FOR_OPENSSL:\n${ssl.output}`);
  expect(want.checks, `${what}: ${said}; the failed check was "${ours.error.check}" (${ours.error.message})`).to.include(ours.error.check);
  expect(alertName(ours.error.alert), `${what}: ${said}; the alert`).to.equal(alertName(want.alert));
  expect(ours.error.certificate, `${what}: ${said}; the certificate named`).to.equal(first.subject);
  expectChecksEndWithFailure(ours.error, what);
  if (ours.error.check !== "path") {
    expect(ours.error.checks[ours.error.checks.length - 1]!.index, `${what}: ${said}; the failing check's index in the path`).to.equal(first.depth);
  }
}

/** Every manifest case through openssl verify, all at once (each is a short process), the first time it is asked. */
let manifestVerdicts: Promise<OpenSslVerdict[]> | undefined;
export function opensslOnManifest(): Promise<OpenSslVerdict[]> {
  return (manifestVerdicts ??= Promise.all(
    CASES.map((c) => {
      const chain = readPemCerts(c.chain);
      return opensslVerify({ leaf: chain[0]!, untrusted: chain, roots: readPemCerts(c.roots), host: c.host, ip: c.ip, at: new Date(c.at) });
    }),
  ));
}

export const validateCase = (c: PkiCase): Outcome =>
  outcome(() => validateChain(parsed(c.chain), { roots: parsed(c.roots), host: c.host ?? c.ip, at: new Date(c.at) }));

// ---------------------------------------------------------------------------------------------------------------
// Chains that the fixtures do not have, made here with the openssl command (OpenSSL 3's `req -x509 -CA`)

export interface Generated {
  /** long[k] is "long k+1": long[0] is signed by root-rsa, each next one by the one before. All CAs. */
  long: Uint8Array[];
  /**
   * Server certificates below MAX_PATH_LENGTH − 2 intermediates (a path of MAX_PATH_LENGTH with the root) and
   * below all MAX_PATH_LENGTH of them.
   */
  leafUnderShort: Uint8Array;
  leafUnderAll: Uint8Array;
  /** A name loop: loopA is issued by "loop B", loopB by "loop A"; loopLeaf is issued by "loop A". */
  loopA: Uint8Array;
  loopB: Uint8Array;
  loopLeaf: Uint8Array;
  /** A leaf under root-rsa whose SAN holds wildcards of every shape and a name with a "k". */
  odd: Uint8Array;
  /** TWINS CAs all named "twin", each self-issued (and all with one key), and a leaf issued by "twin". */
  twins: Uint8Array[];
  twinLeaf: Uint8Array;
}

/** How many look-alike CAs makeCertificates makes: enough for far more orderings than path building may try. */
export const TWINS = 7;

export const ODD_SAN = ["*.test", "a.*.b.test", "x*.c.test", "*x.d.test", "**.e.test", "*", "Mixed.Case.Test", "kelvin.test", "*.kelvin.test"];

let generatedCerts: Promise<Generated> | undefined;
export function generated(): Promise<Generated> {
  return (generatedCerts ??= makeCertificates());
}

async function makeCertificates(): Promise<Generated> {
  const dir = join(scratchDir(), "generated");
  mkdirSync(dir);
  const config = join(dir, "req.cnf");
  writeFileSync(config, "[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused\n");
  const key = join(dir, "key.pem");
  await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  const ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always"];
  const leaf = (san: string) => [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${san}`,
    "subjectKeyIdentifier=hash",
    "authorityKeyIdentifier=keyid:always",
  ];
  let serial = 100;
  const rootRsa = { cert: pkiPath("root-rsa.crt"), key: pkiPath("root-rsa.key") };
  /** One certificate for our key; every certificate here shares it, only names and issuers differ. */
  const issue = async (cn: string, issuer: { cert: string; key: string } | "self", extensions: string[]) => {
    const out = join(dir, `${serial}.pem`);
    const by = issuer === "self" ? [] : ["-CA", issuer.cert, "-CAkey", issuer.key];
    await openssl([
      "req", "-config", config, "-new", "-x509", "-key", key, "-subj", `/O=tls-by-hand generated/CN=${cn}`, ...by,
      "-set_serial", String(serial++), "-days", "3650", ...extensions.flatMap((e) => ["-addext", e]), "-out", out,
    ]);
    return { cert: out, key, der: readPemCerts(out)[0]! };
  };
  const makeLong = async () => {
    const long: { cert: string; key: string; der: Uint8Array }[] = [];
    for (let i = 0; i < MAX_PATH_LENGTH; i++) long.push(await issue(`long ${i + 1}`, i === 0 ? rootRsa : long[i - 1]!, ca));
    const [short, all] = await Promise.all([
      issue(`leaf under long ${MAX_PATH_LENGTH - 2}`, long[MAX_PATH_LENGTH - 3]!, leaf("DNS:localhost")),
      issue(`leaf under long ${MAX_PATH_LENGTH}`, long[MAX_PATH_LENGTH - 1]!, leaf("DNS:localhost")),
    ]);
    return { long: long.map((c) => c.der), leafUnderShort: short.der, leafUnderAll: all.der };
  };
  const makeLoop = async () => {
    const firstB = await issue("loop B", "self", ca); // only to sign loop A with the issuer name "loop B"
    const loopA = await issue("loop A", firstB, ca);
    const [loopB, loopLeaf] = await Promise.all([issue("loop B", loopA, ca), issue("loop leaf", loopA, leaf("DNS:localhost"))]);
    return { loopA: loopA.der, loopB: loopB.der, loopLeaf: loopLeaf.der };
  };
  const makeTwins = async () => {
    const twins: { cert: string; key: string; der: Uint8Array }[] = [];
    for (let i = 0; i < TWINS; i++) twins.push(await issue("twin", "self", ca));
    const twinLeaf = await issue("under a twin", twins[0]!, leaf("DNS:localhost"));
    return { twins: twins.map((t) => t.der), twinLeaf: twinLeaf.der };
  };
  const [long, loop, odd, twins] = await Promise.all([makeLong(), makeLoop(), issue("odd names", rootRsa, leaf(ODD_SAN.map((n) => `DNS:${n}`).join(","))), makeTwins()]);
  return { ...long, ...loop, odd: odd.der, ...twins };
}

// ---------------------------------------------------------------------------------------------------------------
// Live: our TLS 1.2 ClientHello, then the server's Certificate message (RFC 5246 §7.4.2)

/** Sends our ClientHello to 127.0.0.1:port and returns the server's Certificate handshake message (header included). */
export function serverCertificateMessage(port: number, timeoutMs = 5000): Promise<Uint8Array> {
  const { clientHello } = makeClientHello({ version: "1.2", serverName: "localhost" });
  const hello = clientHelloRecord(clientHello).toBytes();
  const socket = net.connect({ port, host: "127.0.0.1" });
  let received = Buffer.alloc(0);
  let used = 0;
  let handshake = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  return new Promise<Uint8Array>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no Certificate message from 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(hello));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        for (let size = completeRecordLength(received, used); size !== undefined; size = completeRecordLength(received, used)) {
          const type = received[used]!;
          const fragment = received.subarray(used + RECORD_HEADER_LENGTH, used + size);
          used += size;
          if (type === RecordType.alert) throw new Error(`the server sent an alert: ${fragment.toString("hex")}`);
          if (type !== RecordType.handshake) throw new Error(`expected handshake records, got content type ${type}`);
          handshake = Buffer.concat([handshake, fragment]);
          while (handshake.length >= HANDSHAKE_HEADER_LENGTH) {
            const total = HANDSHAKE_HEADER_LENGTH + ((handshake[1]! << 16) | (handshake[2]! << 8) | handshake[3]!);
            if (handshake.length < total) break;
            const message = new Uint8Array(handshake.subarray(0, total));
            handshake = handshake.subarray(total);
            if (message[0] === HandshakeType.certificate) return resolve(message);
          }
        }
      } catch (e) {
        reject(e);
      }
    });
    socket.on("error", (e) => reject(new Error(`127.0.0.1:${port}: ${e.message}`)));
    socket.on("close", () => reject(new Error(`127.0.0.1:${port} hung up before its Certificate message`)));
  }).finally(() => {
    clearTimeout(timer);
    socket.destroy();
  });
}

// ---------------------------------------------------------------------------------------------------------------

