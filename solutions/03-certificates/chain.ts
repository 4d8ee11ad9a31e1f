// Deciding whether to believe a server: build a path from its certificate through the intermediates it sent to
// a root we already trust, check every link (signature, dates, CA powers), and check that the name we dialled is
// one the certificate was issued for. Read RFC 5280 §6.1 (path validation), §4.2.1.3, §4.2.1.9, §4.2.1.12,
// RFC 9525 §6.3 (host names and wildcards) and RFC 8446 §4.4.2.4 and §6.2 (which alert a client sends).
import { AlertDescription } from "../../lib/constants.js";
import { type CertificateCheck, CertificateError } from "../../lib/errors.js";
import { equalBytes } from "../../lib/hex.js";
import { verifyEcdsa } from "./ecdsa.js";
import { verifyPkcs1v15, verifyPss } from "./rsa.js";
import { type Certificate, type PublicKey, type SignatureAlgorithm, Oid, formatIpAddress, isSelfIssued } from "./x509.js";

/**
 * Checks `signature` over `message` with `key`, for the algorithm a certificate names. False when the key does
 * not fit the algorithm (an EC key for an RSA signature), when either is unsupported, or when it does not verify.
 */
export function verifySignature(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (algorithm.kind === "rsa-pkcs1" && key.kind === "rsa" && !key.pss) {
    return verifyPkcs1v15(key, algorithm.hash, message, signature);
  }
  if (algorithm.kind === "rsa-pss" && key.kind === "rsa") {
    return verifyPss(key, algorithm.hash, message, signature, algorithm.saltLength, algorithm.mgfHash);
  }
  if (algorithm.kind === "ecdsa" && key.kind === "ec") {
    return verifyEcdsa(key.curve, key.point, algorithm.hash, message, signature);
  }
  return false;
}

/** The most certificates in a path, anchor included: real ones have 2–4; the cap stops loops and hostile bundles. */
export const MAX_PATH_LENGTH = 8;

/** What validation needs besides the chain: the trust anchors, and optionally a host name and a time. */
export interface ValidationOptions {
  /** The roots we trust, as certificates (their self-signatures are not what makes them trusted: this list is). */
  roots: Certificate[];
  /** The name the client dialled (a DNS name or an IP literal). Without it there is no name check. */
  host?: string;
  /** The time to validate at; now if absent. */
  at?: Date;
}

/** A chain that passed: the path from the leaf to its anchor, and every check made. */
export interface Validation {
  path: Certificate[];
  checks: CertificateCheck[];
}

/**
 * Records checks in order and stops at the first that fails, throwing a CertificateError that carries the alert
 * a client would send and every check made so far. `index` is the position in the path (0 = the leaf).
 */
export class Checklist {
  readonly checks: CertificateCheck[] = [];

  constructor(private readonly path: Certificate[]) {}

  /** Records one check; if `ok` is false, throws with `alert`. */
  require(index: number, check: string, ok: boolean, alert: number, detail: string): void {
    const subject = this.path[index]?.subject.text ?? `certificate ${index}`;
    this.checks.push({ index, subject, check, ok, detail });
    if (!ok) throw new CertificateError(alert, { subject, check, detail }, this.checks.slice());
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 dotted quad or an IPv6 literal (with "::" and an optional [brackets]) as 4 or 16 bytes; else undefined. */
export function parseIp(host: string): Uint8Array | undefined {
  const v4 = IPV4.exec(host);
  if (v4 !== null) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p, i) => p <= 255 && String(p) === v4[i + 1]) ? Uint8Array.from(parts) : undefined;
  }
  const text = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // An embedded IPv4 address may end an IPv6 literal (::ffff:127.0.0.1).
      if (i === items.length - 1 && item.includes(".")) {
        const v4bytes = parseIp(item);
        if (v4bytes === undefined || v4bytes.length !== 4) return undefined;
        out.push((v4bytes[0] << 8) | v4bytes[1], (v4bytes[2] << 8) | v4bytes[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * A-Z to a-z and nothing else. DNS names compare case-insensitively in ASCII only (RFC 4343): JavaScript's
 * toLowerCase is Unicode-aware and turns the Kelvin sign K (U+212A) into "k", which would let "Kelvin" match.
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Does the certificate cover `host`? subjectAltName only: the subject's CN is never consulted (RFC 9525 §6.3). */
export function matchesHost(cert: Certificate, host: string): boolean {
  // EXERCISE 03.11: if parseIp(host) gives bytes, compare them with each SAN iPAddress (equalBytes, same
  // length). Otherwise compare DNS names case-insensitively with asciiLower (not toLowerCase, see there),
  // ignoring one trailing dot on the host; a host with non-ASCII characters matches nothing (IDNs must be
  // converted to A-labels first). A SAN name matches exactly, or as a wildcard: "*" must be the WHOLE left-most
  // label and matches exactly one non-empty label of the host ("*.a.test" matches "x.a.test", not "a.test" nor
  // "x.y.a.test"); a partial label like "f*.a.test", a "*" anywhere else, or a wildcard over fewer than two
  // labels ("*.test") matches nothing. No SAN means no match: the CN is not a fallback. (RFC 9525 §6.3,
  // RFC 6125 §6.4.3, RFC 5280 §4.2.1.6)
  const san = cert.extensions.subjectAltName;
  if (san === undefined) return false;
  const ip = parseIp(host);
  if (ip !== undefined) return san.ipAddresses.some((a) => equalBytes(a, ip));
  // A host with non-ASCII characters matches nothing: an IDN must be turned into its A-label (xn--…) first.
  if (!PRINTABLE_ASCII.test(host)) return false;
  const wanted = asciiLower(host).replace(/\.$/, "");
  if (wanted === "") return false;
  const hostLabels = wanted.split(".");
  return san.dnsNames.some((presented) => {
    const name = asciiLower(presented);
    if (!name.includes("*")) return name === wanted;
    const labels = name.split(".");
    const [first, ...rest] = labels;
    if (first !== "*" || rest.some((l) => l.includes("*")) || rest.length < 2) return false;
    return hostLabels.length === labels.length && hostLabels[0] !== "" && hostLabels.slice(1).join(".") === rest.join(".");
  });
  // END 03.11
}

/**
 * Orders a chain: from the leaf, repeatedly find the certificate whose subject is the current one's issuer,
 * among the trust anchors first and then the intermediates the server sent (which may come in any order).
 */
export function buildPath(leaf: Certificate, intermediates: Certificate[], roots: Certificate[]): Certificate[] {
  // EXERCISE 03.12: start with [leaf]. Loop: if the last certificate is byte-identical to a root, the path
  // is complete. Else look for its issuer: a root whose subject.der equals its issuer.der (prefer roots: a
  // trusted one ends the path), else an intermediate not yet used in the path. Names are compared as exact
  // DER bytes. No issuer found, or a self-issued certificate that is not a root (a self-signed leaf, an
  // unknown root sent by the server): throw new CertificateError(AlertDescription.unknown_ca, { subject,
  // check: "path", detail }) saying whose issuer is missing. A path never grows past MAX_PATH_LENGTH
  // certificates, the anchor included: stop with the same error.
  // (RFC 5280 §6.1, RFC 8446 §4.4.2.2 "the sender's certificate MUST come first")
  const path = [leaf];
  const used = new Set<Certificate>([leaf]);
  const unknown = (cert: Certificate, detail: string): CertificateError =>
    new CertificateError(AlertDescription.unknown_ca, { subject: cert.subject.text, check: "path", detail });
  for (;;) {
    const current = path[path.length - 1];
    if (roots.some((root) => equalBytes(root.der, current.der))) return path;
    if (path.length === MAX_PATH_LENGTH) throw unknown(current, `no trusted root within ${MAX_PATH_LENGTH} certificates`);
    const root = roots.find((c) => equalBytes(c.subject.der, current.issuer.der));
    if (root !== undefined) {
      path.push(root);
      return path;
    }
    if (isSelfIssued(current)) throw unknown(current, "self-issued and not one of the trusted roots");
    const issuer = intermediates.find((c) => !used.has(c) && equalBytes(c.subject.der, current.issuer.der));
    if (issuer === undefined) {
      throw unknown(current, `its issuer "${current.issuer.text}" is neither a trusted root nor among the certificates sent`);
    }
    path.push(issuer);
    used.add(issuer);
  }
  // END 03.12
}

const day = (d: Date): string => d.toISOString().replace(".000Z", "Z");

/**
 * Validates a chain as a TLS client does. `chain` is what the server sent: its own certificate first, then
 * intermediates in any order. Returns the path and the checks; throws a CertificateError at the first failure.
 */
export function validateChain(chain: Certificate[], options: ValidationOptions): Validation {
  if (chain.length === 0) {
    throw new CertificateError(AlertDescription.bad_certificate, { subject: "(none)", check: "path", detail: "the server sent no certificate" });
  }
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) {
    throw new CertificateError(AlertDescription.internal_error, { subject: "(none)", check: "time", detail: "the validation time is not a valid date" });
  }
  const path = buildPath(chain[0], chain.slice(1), options.roots);
  const list = new Checklist(path);
  const A = AlertDescription;
  // EXERCISE 03.13: walk the path from the trust anchor (last) down to the leaf (index 0), making each check
  // with list.require(index, check, ok, alert, detail) so every step is recorded:
  //   every certificate: "validity" notBefore ≤ at ≤ notAfter (certificate_expired, RFC 8446 §6.2 uses it for
  //     "not yet valid" too); "critical extensions": none with understood false (unsupported_certificate,
  //     RFC 5280 §4.2); "key": the public key is supported (unsupported_certificate);
  //   every certificate but the anchor: "signature" by the next one's key over tbs, using verifySignature
  //     (bad_certificate; an unsupported algorithm is unsupported_certificate);
  //   every issuer (index ≥ 1): "basicConstraints" cA true (bad_certificate); "keyUsage" keyCertSign when a
  //     keyUsage extension is present (bad_certificate); "pathLen" when it has one: the number of
  //     non-self-issued intermediates below it (indices 1 … index−1) must not exceed it (bad_certificate);
  //   the leaf: "extKeyUsage" serverAuth or anyExtendedKeyUsage when the extension is present
  //     (unsupported_certificate); "hostname" matchesHost when options.host is set (bad_certificate).
  // Details say what was found ("valid 2025-01-01 … 2125-01-01", "signed by CN=… with ecdsa-with-SHA256").
  // (RFC 5280 §6.1.3, §6.1.4, §4.2.1.3, §4.2.1.9, §4.2.1.12)
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i];
    const { extensions } = cert;
    list.require(
      i,
      "validity",
      cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime(),
      A.certificate_expired,
      `valid ${day(cert.notBefore)} … ${day(cert.notAfter)}, checked at ${day(at)}`,
    );
    const unknownCritical = extensions.all.filter((e) => e.critical && !e.understood).map((e) => e.oid);
    list.require(
      i,
      "critical extensions",
      unknownCritical.length === 0,
      A.unsupported_certificate,
      unknownCritical.length === 0 ? "all understood" : `critical extension(s) not understood: ${unknownCritical.join(", ")}`,
    );
    list.require(
      i,
      "key",
      cert.publicKey.kind !== "unsupported",
      A.unsupported_certificate,
      cert.publicKey.kind === "rsa"
        ? `RSA-${cert.publicKey.bits}${cert.publicKey.pss ? " (PSS only)" : ""}`
        : cert.publicKey.kind === "ec"
          ? `ECDSA ${cert.publicKey.curve}`
          : `unsupported key ${cert.publicKey.name}`,
    );
    if (i < path.length - 1) {
      const issuer = path[i + 1];
      const algorithm = cert.signatureAlgorithm;
      list.require(i, "signature algorithm", algorithm.kind !== "unsupported", A.unsupported_certificate, algorithm.name);
      list.require(
        i,
        "signature",
        verifySignature(algorithm, issuer.publicKey, cert.tbs, cert.signature),
        A.bad_certificate,
        `signed by ${issuer.subject.text} with ${algorithm.name}`,
      );
    }
    if (i >= 1) {
      const bc = extensions.basicConstraints;
      list.require(i, "basicConstraints", bc?.ca === true, A.bad_certificate, bc === undefined ? "no basicConstraints: not a CA" : `cA ${bc.ca}`);
      if (extensions.keyUsage !== undefined) {
        list.require(
          i,
          "keyUsage",
          extensions.keyUsage.includes("keyCertSign"),
          A.bad_certificate,
          `keyUsage ${extensions.keyUsage.join(", ") || "(none)"}`,
        );
      }
      if (bc?.pathLen !== undefined) {
        const below = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
        list.require(i, "pathLen", below <= bc.pathLen, A.bad_certificate, `pathLenConstraint ${bc.pathLen}, ${below} CA certificate(s) below it`);
      }
    }
  }
  const leaf = path[0];
  const eku = leaf.extensions.extKeyUsage;
  if (eku !== undefined) {
    list.require(
      0,
      "extKeyUsage",
      eku.includes(Oid.serverAuth) || eku.includes(Oid.anyExtendedKeyUsage),
      A.unsupported_certificate,
      `extKeyUsage ${eku.map((o) => (o === Oid.serverAuth ? "serverAuth" : o === Oid.clientAuth ? "clientAuth" : o)).join(", ")}`,
    );
  }
  if (options.host !== undefined) {
    const san = leaf.extensions.subjectAltName;
    const names = san === undefined ? "no subjectAltName" : `subjectAltName ${[...san.dnsNames, ...san.ipAddresses.map(formatIpAddress)].join(", ")}`;
    list.require(0, "hostname", matchesHost(leaf, options.host), A.bad_certificate, `${options.host} against ${names}`);
  }
  // END 03.13
  return { path, checks: list.checks };
}
