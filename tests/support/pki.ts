// The chapter 03 test PKI (tests/fixtures/pki, made by make-pki.sh): reads its PEM files as DER and its
// manifest of validation cases, each with the verdict RFC 5280 §6 / RFC 9525 §6 call for and what `openssl verify`
// said. Paths are resolved from this file, so tests run the same from any folder. TEST-ONLY keys; see the README.

import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of tests/fixtures/pki/ (with a trailing separator). */
export const PKI_DIR = fileURLToPath(new URL("../fixtures/pki/", import.meta.url));

/** The instant every case is validated at; fixed so the verdicts never depend on the clock (RFC 5280 §6.1.1 (c)). */
export const VALIDATION_TIME = new Date("2030-06-01T00:00:00Z");

/** One row of manifest.json: a chain to validate, for a host or an IP address (or neither), at a fixed time. */
export interface PkiCase {
  /** Unique, kebab-case, e.g. "wildcard-two-labels". */
  name: string;
  /** Bundle file in PKI_DIR, as a server sends it: the leaf first, then intermediates in any order. */
  chain: string;
  /** Trust anchors file in PKI_DIR (always "roots.pem": root-rsa and root-p384). */
  roots: string;
  /** DNS name to match against the leaf's subjectAltName (RFC 9525 §6.3). */
  host?: string;
  /** IPv4 or IPv6 address, in text form, to match against iPAddress entries (RFC 9525 §6.4). */
  ip?: string;
  /** ISO 8601 validation time; always the same as VALIDATION_TIME. */
  at: string;
  /** The verdict by RFC 5280 and RFC 9525: this is what tests assert. */
  expect: "valid" | "invalid";
  /** What `openssl verify` reported: "ok" or the X509_V_ERR_* name of its first error. */
  opensslError: string;
  /** openssl's error lines as printed ("error 10 at 0 depth lookup: certificate has expired"; several joined by "; "). */
  opensslDetail?: string;
  /** One sentence: what the case shows. */
  why: string;
  /** Present when openssl's verdict is not the RFC's, with the reason; `expect` is the RFC's. */
  opensslDiffers?: string;
}

/** Absolute path of a file in the PKI folder (absolute paths are returned as they are). */
export function pkiPath(file: string): string {
  return isAbsolute(file) ? file : join(PKI_DIR, file);
}

/** A PKI file as text (PEM certificates, PKCS#8 keys) for Node's tls options or openssl. */
export function readPkiText(file: string): string {
  return readFileSync(pkiPath(file), "utf8");
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block of a PEM file (RFC 7468 §5), decoded to DER, in file order. */
export function readPemCerts(file: string): Uint8Array[] {
  const text = readPkiText(file);
  const certs: Uint8Array[] = [];
  for (const m of text.matchAll(PEM_CERTIFICATE)) {
    const base64 = (m[1] ?? "").replace(/\s+/g, "");
    certs.push(new Uint8Array(Buffer.from(base64, "base64")));
  }
  if (certs.length === 0) throw new Error(`${file}: no PEM CERTIFICATE block`);
  return certs;
}

function checkCase(c: unknown, i: number): PkiCase {
  const o = c as Record<string, unknown>;
  const str = (k: string): boolean => typeof o[k] === "string";
  const ok =
    typeof c === "object" &&
    c !== null &&
    ["name", "chain", "roots", "at", "opensslError", "why"].every(str) &&
    (o.expect === "valid" || o.expect === "invalid") &&
    ["host", "ip", "opensslDetail", "opensslDiffers"].every((k) => o[k] === undefined || str(k)) &&
    !(o.host !== undefined && o.ip !== undefined);
  if (!ok) throw new Error(`manifest.json: case ${i} is malformed: ${JSON.stringify(c)}`);
  return o as unknown as PkiCase;
}

/** The cases of manifest.json, checked for shape. */
export function loadManifest(): PkiCase[] {
  const manifest = JSON.parse(readPkiText("manifest.json")) as { cases?: unknown };
  if (!Array.isArray(manifest.cases)) throw new Error("manifest.json: no cases array");
  return manifest.cases.map(checkCase);
}

/** A case's inputs as DER: the chain as sent (leaf first), the trust anchors, and the validation time. */
export function caseInputs(c: PkiCase): { chain: Uint8Array[]; roots: Uint8Array[]; at: Date } {
  return { chain: readPemCerts(c.chain), roots: readPemCerts(c.roots), at: new Date(c.at) };
}
