// Deciding whether to believe a server: find every path from its certificate through the intermediates it sent to
// a root we already trust, and take the first path whose every link holds (signature, dates, CA powers, name
// constraints) and whose leaf names the host we dialled. Read RFC 5280 §6.1 (path validation), §4.2.1.3, §4.2.1.9,
// §4.2.1.10, §4.2.1.12, RFC 4158 (path building), RFC 9525 §6.3 (host names and wildcards) and RFC 8446 §4.4.2.4
// and §6.2 (which alert a client sends).
import { AlertDescription } from "../../lib/constants.js";
import { type CertificateCheck, CertificateError, isCertificateError } from "../../lib/errors.js";
import { equalBytes } from "../../lib/hex.js";
import { verifyEcdsa } from "./ecdsa.js";
import { verifyEd25519 } from "./eddsa.js";
import { pssKeyProblem } from "./pss-keys.js";
import { verifyPkcs1v15, verifyPss } from "./rsa.js";
import {
  type Certificate,
  type Name,
  type NameConstraints,
  type PublicKey,
  type SignatureAlgorithm,
  Oid,
  describeKey,
  emptyGeneralNames,
  formatIpAddress,
  isCritical,
  isSelfIssued,
} from "./x509.js";

/**
 * Checks `signature` over `message` with `key`, for the algorithm a certificate names. False when the key does
 * not fit the algorithm (an EC key for an RSA signature, a PSS-only key for PKCS #1 v1.5 or for PSS parameters it
 * does not allow), when either is unsupported, or when it does not verify.
 */
export function verifySignature(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  // An id-RSASSA-PSS key answers for every signature made with it: only PSS, and only with its parameters (03.28).
  if (key.kind === "rsa" && key.pss && pssKeyProblem(key, algorithm) !== undefined) return false;
  if (algorithm.kind === "rsa-pkcs1" && key.kind === "rsa" && !key.pss) {
    return verifyPkcs1v15(key, algorithm.hash, message, signature);
  }
  if (algorithm.kind === "rsa-pss" && key.kind === "rsa") {
    return verifyPss(key, algorithm.hash, message, signature, algorithm.saltLength, algorithm.mgfHash);
  }
  if (algorithm.kind === "ecdsa" && key.kind === "ec") {
    return verifyEcdsa(key.curve, key.point, algorithm.hash, message, signature);
  }
  if (algorithm.kind === "ed25519" && key.kind === "ed25519") {
    return verifyEd25519(key.point, message, signature);
  }
  return false;
}

/** The most certificates in a path, anchor included: real ones have 2–4; the cap stops loops and hostile bundles. */
export const MAX_PATH_LENGTH = 8;
/** At most this many complete paths are built and tried; real chains offer one to four (cross-signs, re-issues). */
export const MAX_PATHS = 16;
/** Path building gives up after this many steps, so that a bundle of many look-alike CAs cannot make it search for ever. */
export const MAX_PATH_STEPS = 1000;

/** What validation needs besides the chain: the trust anchors, and optionally a host name, a time and a depth. */
export interface ValidationOptions {
  /** The roots we trust, as certificates (their self-signatures are not what makes them trusted: this list is). */
  roots: Certificate[];
  /** The name the client dialled (a DNS name or an IP literal). Without it there is no name check. */
  host?: string;
  /** The time to validate at; now if absent. */
  at?: Date;
  /** The most intermediates (self-issued ones not counted) a path may have; MAX_PATH_LENGTH bounds it anyway. */
  maxIntermediates?: number;
}

/** A chain that passed: the path from the leaf to its anchor, and every check made on it. */
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
  // EXERCISE 03.16: if parseIp(host) gives bytes, compare them with each SAN iPAddress (equalBytes, same
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
  // END 03.16
}

// ---------------------------------------------------------------------------------------------------------------
// Path building: every way up from the leaf to a trust anchor

/**
 * The certificates that may have issued `cert`, best first: the trust anchors, then what the server sent. A
 * candidate's subject is `cert`'s issuer, and where both carry key identifiers they name the same key.
 */
export function findIssuers(cert: Certificate, intermediates: Certificate[], roots: Certificate[]): Certificate[] {
  // EXERCISE 03.17: go through roots, then intermediates. A candidate's subject.der must equal cert.issuer.der
  // (exact DER bytes). If cert has an authorityKeyIdentifier with a keyIdentifier AND the candidate has a
  // subjectKeyIdentifier, they must be equal: a CA that was re-keyed keeps its name, and the key id tells its
  // keys apart. Where either is missing, the name alone decides. Leave out byte-identical copies (the same
  // certificate sent twice, or sent and trusted). (RFC 5280 §4.2.1.1, §4.2.1.2, §6.1)
  const wanted = cert.extensions.authorityKeyIdentifier?.keyIdentifier;
  const found: Certificate[] = [];
  for (const candidate of [...roots, ...intermediates]) {
    if (!equalBytes(candidate.subject.der, cert.issuer.der)) continue;
    const id = candidate.extensions.subjectKeyIdentifier;
    if (wanted !== undefined && id !== undefined && !equalBytes(wanted, id)) continue;
    if (found.some((c) => equalBytes(c.der, candidate.der))) continue;
    found.push(candidate);
  }
  return found;
  // END 03.17
}

/** The trust anchor `cert` is, if it is one (the same bytes as a root). */
const isTrusted = (cert: Certificate, roots: Certificate[]): boolean => roots.some((r) => equalBytes(r.der, cert.der));

/**
 * Every path from the leaf up to a trust anchor, depth first, best first (each step tries findIssuers' order), at
 * most MAX_PATHS of them. The server's intermediates may come in any order, hold extras, or offer two issuers for
 * one certificate (a cross-signed root, a re-keyed CA): validateChain tries the paths in turn, so a dead end or a
 * path that fails a check is not the end. Throws unknown_ca, naming the certificate where the deepest search stopped,
 * when no path exists.
 */
export function buildPaths(leaf: Certificate, intermediates: Certificate[], roots: Certificate[]): Certificate[][] {
  // EXERCISE 03.18: depth first from [leaf]. A path whose last certificate is a root (byte for byte) is complete:
  // keep it and go no higher. Otherwise try each of findIssuers(last, …) that is not already in the path (compare
  // bytes: that stops loops, A → B → A), and after each, go back and try the next: that is backtracking. Stop
  // going deeper at MAX_PATH_LENGTH certificates, and stop altogether at MAX_PATHS complete paths or after
  // MAX_PATH_STEPS steps. Remember the longest path that could not go on. No complete path: throw new
  // CertificateError(AlertDescription.unknown_ca, { subject, check: "path", detail }) for that path's last
  // certificate: "no trusted root within MAX_PATH_LENGTH certificates", "self-issued and not one of the trusted
  // roots", or "its issuer "…" is neither a trusted root nor among the certificates sent". (RFC 5280 §6.1,
  // RFC 4158 §2–3, RFC 8446 §4.4.2 "the sender's certificate MUST come first")
  const paths: Certificate[][] = [];
  let deadEnd = [leaf];
  let steps = 0;
  const extend = (path: Certificate[]): void => {
    const last = path[path.length - 1];
    if (isTrusted(last, roots)) {
      paths.push(path);
      return;
    }
    let wentOn = false;
    if (path.length < MAX_PATH_LENGTH) {
      for (const issuer of findIssuers(last, intermediates, roots)) {
        if (paths.length === MAX_PATHS || ++steps > MAX_PATH_STEPS) return;
        if (path.some((c) => equalBytes(c.der, issuer.der))) continue;
        wentOn = true;
        extend([...path, issuer]);
      }
    }
    if (!wentOn && path.length > deadEnd.length) deadEnd = path;
  };
  extend([leaf]);
  if (paths.length > 0) return paths;
  const stuck = deadEnd[deadEnd.length - 1];
  const detail =
    deadEnd.length === MAX_PATH_LENGTH
      ? `no trusted root within ${MAX_PATH_LENGTH} certificates`
      : isSelfIssued(stuck)
        ? "self-issued and not one of the trusted roots"
        : `its issuer "${stuck.issuer.text}" is neither a trusted root nor among the certificates sent`;
  throw new CertificateError(AlertDescription.unknown_ca, { subject: stuck.subject.text, check: "path", detail });
  // END 03.18
}

/**
 * How clients built paths before they learnt to backtrack (OpenSSL before 1.1.0, for one): follow the server's
 * certificates by issuer name, first match wins, and look among the trust anchors only when the server's list has
 * no issuer. Returns that one path, complete or not. validateChain never uses it: it is here for the notebook's
 * story of the cross-signed root that expired in 2021.
 */
export function firstMatchPath(chain: Certificate[], roots: Certificate[]): Certificate[] {
  const path = chain.slice(0, 1);
  while (path.length > 0 && path.length < MAX_PATH_LENGTH && !isTrusted(path[path.length - 1], roots)) {
    const last = path[path.length - 1];
    const named = (c: Certificate): boolean => equalBytes(c.subject.der, last.issuer.der) && !path.includes(c);
    const next = chain.find(named) ?? roots.find(named);
    if (next === undefined) break;
    path.push(next);
  }
  return path;
}

// ---------------------------------------------------------------------------------------------------------------
// The checks on one path, from the trust anchor down to the leaf (RFC 5280 §6.1)

const day = (d: Date): string => d.toISOString().replace(".000Z", "Z");

/** Extensions that RFC 5280 says a CA MUST mark non-critical (§4.2.1.1, §4.2.1.2, §4.2.2.1). */
const NEVER_CRITICAL: readonly string[] = [Oid.authorityKeyIdentifier, Oid.subjectKeyIdentifier, Oid.authorityInfoAccess];

/** Is path[index] usable at all at time `at`: in its dates, without repeated or unknown critical extensions, with a key we know? */
export function checkCertificate(list: Checklist, path: Certificate[], index: number, at: Date): void {
  // EXERCISE 03.19: four checks on path[index], in this order, each one list.require(index, check, ok, alert,
  // detail): "validity": notBefore ≤ at ≤ notAfter, both ends included (certificate_expired, which RFC 8446 §6.2
  // also uses for "not yet valid"); "extensions": no OID twice in extensions.all (bad_certificate, RFC 5280 §4.2);
  // "critical extensions": none that is critical and not understood (unsupported_certificate, §4.2) and none of
  // NEVER_CRITICAL marked critical (bad_certificate), one check with the alert of what failed; "key": the public key is not "unsupported"
  // (unsupported_certificate). Details say what was found: "valid 2025-01-01T00:00:00Z … 2125-01-01T00:00:00Z,
  // checked at …" (day() formats), the repeated OID, the critical OIDs, "RSA-2048" / "ECDSA P-256".
  // (RFC 5280 §4.1.2.5, §4.2, §6.1.3 (a)(2))
  const cert = path[index];
  const { all } = cert.extensions;
  const A = AlertDescription;
  const inDates = cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
  list.require(index, "validity", inDates, A.certificate_expired, `valid ${day(cert.notBefore)} … ${day(cert.notAfter)}, checked at ${day(at)}`);
  const repeated = all.find((e, i) => all.findIndex((f) => f.oid === e.oid) !== i);
  const counted = `${all.length} extension(s), none repeated`;
  list.require(index, "extensions", repeated === undefined, A.bad_certificate, repeated ? `${repeated.oid} appears twice (RFC 5280 §4.2)` : counted);
  const unknown = all.filter((e) => e.critical && !e.understood).map((e) => e.oid);
  const forbidden = all.filter((e) => e.critical && NEVER_CRITICAL.includes(e.oid)).map((e) => e.oid);
  const detail =
    unknown.length > 0 ? `critical extension(s) not understood: ${unknown.join(", ")}`
    : forbidden.length > 0 ? `critical, which RFC 5280 §4.2.1.1, §4.2.1.2, §4.2.2.1 forbid: ${forbidden.join(", ")}`
    : "all critical ones understood";
  const alert = unknown.length > 0 ? A.unsupported_certificate : A.bad_certificate;
  list.require(index, "critical extensions", unknown.length + forbidden.length === 0, alert, detail);
  const key = cert.publicKey;
  list.require(index, "key", key.kind !== "unsupported", A.unsupported_certificate, describeKey(key));
  // END 03.19
}

/**
 * Does path[index] keep the rules of RFC 5280's profile that say how a conforming certificate is made: names that
 * are there, key identifiers that let a path be found, CA flags that agree? A CA that breaks them made a mistake,
 * and a client that tolerates mistakes invites them. (OpenSSL's -x509_strict checks most of these too.)
 */
export function checkProfile(list: Checklist, path: Certificate[], index: number): void {
  // EXERCISE 03.20: four checks, each bad_certificate, each passing with a short summary or failing with the
  // first problem found (and its RFC section) as detail. "names": the issuer is not empty (§4.1.2.4); a CA's
  // subject is not empty (§4.1.2.6); an empty subject comes with a critical subjectAltName (§4.2.1.6); a non-empty
  // one does not (§4.2.1.6 SHOULD, CA/B Forum BR §7.1.2.7.12 MUST). "key identifiers": an authorityKeyIdentifier
  // with a keyIdentifier unless the certificate is self-issued (§4.2.1.1); no authorityCertIssuer or
  // authorityCertSerialNumber (BR §7.1.2.11.1); a CA (cA true) has a subjectKeyIdentifier (§4.2.1.2); the trust
  // anchor (the last in the path), if self-issued, names itself: its keyIdentifier is its own subjectKeyIdentifier
  // (BR §7.1.2.1.3). "CA flags": cA and keyCertSign agree (a keyUsage without keyCertSign in a CA, keyCertSign
  // without cA), and a pathLenConstraint or nameConstraints come only with cA (§4.2.1.3, §4.2.1.9, §4.2.1.10).
  // "serial number": positive (§4.1.2.2), except on the trust anchor. isCritical and isSelfIssued are given.
  const cert = path[index];
  const x = cert.extensions;
  const ca = x.basicConstraints?.ca === true;
  const emptySubject = cert.subject.rdns.length === 0;
  const sanCritical = isCritical(cert, Oid.subjectAltName);
  const names =
    cert.issuer.rdns.length === 0 ? "the issuer is an empty name (RFC 5280 §4.1.2.4)"
    : emptySubject && ca ? "a CA with an empty subject (RFC 5280 §4.1.2.6)"
    : emptySubject && !sanCritical ? "an empty subject needs a critical subjectAltName (RFC 5280 §4.2.1.6)"
    : !emptySubject && sanCritical ? "a critical subjectAltName beside a subject (RFC 5280 §4.2.1.6, CA/B Forum BR §7.1.2.7.12)"
    : undefined;
  list.require(index, "names", names === undefined, AlertDescription.bad_certificate, names ?? `issuer ${cert.issuer.text}`);
  const aki = x.authorityKeyIdentifier;
  const ski = x.subjectKeyIdentifier;
  const anchor = index === path.length - 1;
  const ids =
    aki?.keyIdentifier === undefined && !isSelfIssued(cert) ? "no authorityKeyIdentifier keyIdentifier naming the issuer's key (RFC 5280 §4.2.1.1)"
    : aki !== undefined && (aki.authorityCertIssuer || aki.authorityCertSerialNumber) ? "authorityKeyIdentifier names an issuer and serial (CA/B Forum BR §7.1.2.11.1)"
    : ca && ski === undefined ? "a CA without subjectKeyIdentifier (RFC 5280 §4.2.1.2)"
    : anchor && isSelfIssued(cert) && aki !== undefined && (ski === undefined || aki.keyIdentifier === undefined || !equalBytes(aki.keyIdentifier, ski)) ? "a self-signed root whose authorityKeyIdentifier is not its own subjectKeyIdentifier (CA/B Forum BR §7.1.2.1.3)"
    : undefined;
  list.require(index, "key identifiers", ids === undefined, AlertDescription.bad_certificate, ids ?? "present where required");
  const certSign = x.keyUsage?.includes("keyCertSign");
  const flags =
    ca && certSign === false ? "cA true, but keyUsage without keyCertSign (RFC 5280 §4.2.1.3, §4.2.1.9)"
    : !ca && certSign === true ? "keyCertSign without cA (RFC 5280 §4.2.1.9)"
    : !ca && x.basicConstraints?.pathLen !== undefined ? "a pathLenConstraint without cA (RFC 5280 §4.2.1.9)"
    : !ca && x.nameConstraints !== undefined ? "nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)"
    : undefined;
  list.require(index, "CA flags", flags === undefined, AlertDescription.bad_certificate, flags ?? (ca ? "cA true" : "not a CA, and claims no CA powers"));
  // A serial is a positive number (§4.1.2.2); a trust anchor is taken as it is, since some long-trusted roots have 0.
  const serialOk = index === path.length - 1 || cert.serial > 0n;
  list.require(index, "serial number", serialOk, AlertDescription.bad_certificate, serialOk ? `${cert.serial}` : `${cert.serial}: not positive (RFC 5280 §4.1.2.2)`);
  // END 03.20
}

/**
 * May path[index] issue certificates, and did its key sign path[index − 1]? (RFC 5280 §6.1.3 (a)(1), §6.1.4 (k),
 * (l), (n)) `index` ≥ 1: the leaf issues nothing.
 */
export function checkIssuer(list: Checklist, path: Certificate[], index: number): void {
  // EXERCISE 03.21: on path[index] (the CA), all bad_certificate: "basicConstraints": present, cA true and marked
  // critical (§4.2.1.9: a CA MUST mark it critical); "keyUsage": keyCertSign, when a keyUsage extension is there;
  // "pathLen", when it has a pathLenConstraint: the CAs below it, not counting the leaf nor self-issued ones
  // (path[1 … index−1]), are at most that many. Then on path[index − 1], recorded at index − 1: "signature
  // algorithm" not "unsupported" (unsupported_certificate); "signature": verifySignature(its algorithm, the CA's
  // publicKey, its tbs, its signature) (bad_certificate), detail "signed by <CA subject> with <algorithm name>".
  const A = AlertDescription;
  const ca = path[index];
  const bc = ca.extensions.basicConstraints;
  const critical = isCritical(ca, Oid.basicConstraints);
  const found = bc === undefined ? "no basicConstraints: not a CA" : `cA ${bc.ca}${bc.ca && !critical ? ", not critical (RFC 5280 §4.2.1.9)" : ""}`;
  list.require(index, "basicConstraints", bc?.ca === true && critical, A.bad_certificate, found);
  const usage = ca.extensions.keyUsage;
  if (usage !== undefined) list.require(index, "keyUsage", usage.includes("keyCertSign"), A.bad_certificate, `keyUsage ${usage.join(", ") || "(none)"}`);
  if (bc?.pathLen !== undefined) {
    const below = path.slice(1, index).filter((c) => !isSelfIssued(c)).length;
    list.require(index, "pathLen", below <= bc.pathLen, A.bad_certificate, `pathLenConstraint ${bc.pathLen}, ${below} CA certificate(s) below it`);
  }
  const child = path[index - 1];
  const algorithm = child.signatureAlgorithm;
  list.require(index - 1, "signature algorithm", algorithm.kind !== "unsupported", A.unsupported_certificate, algorithm.name);
  const signed = verifySignature(algorithm, ca.publicKey, child.tbs, child.signature);
  list.require(index - 1, "signature", signed, A.bad_certificate, `signed by ${ca.subject.text} with ${algorithm.name}`);
  // END 03.21
}

/** A DNS name that may be checked against a constraint: letter-digit-hyphen labels, "*" allowed as the whole first. */
const DNS_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Is the DNS name inside the subtree `constraint`? (RFC 5280 §4.2.1.10) */
export function dnsNameWithin(name: string, constraint: string): boolean {
  // EXERCISE 03.22: compare with asciiLower, ignoring one trailing dot on the name. "" contains every name;
  // "example.test" contains itself and every name that ends in ".example.test" (labels added on the left);
  // ".example.test" contains only those below it. "notexample.test" is NOT inside "example.test". (§4.2.1.10)
  const n = asciiLower(name).replace(/\.$/, "");
  const c = asciiLower(constraint);
  if (c === "") return true;
  if (c.startsWith(".")) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
  // END 03.22
}

/** Is the address (4 or 16 bytes) inside the subtree address || mask (8 or 32 bytes)? (RFC 5280 §4.2.1.10) */
export function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  // EXERCISE 03.22: an IPv4 address is never inside an IPv6 subtree nor the other way round (the constraint
  // is twice the address's length); otherwise every byte ANDed with the mask equals the constraint's byte ANDed
  // with it. (RFC 5280 §4.2.1.10)
  if (constraint.length !== 2 * address.length) return false;
  const mask = constraint.subarray(address.length);
  return address.every((b, i) => (b & mask[i]) === (constraint[i] & mask[i]));
  // END 03.22
}

/** Is the distinguished name inside the subtree `constraint`: do the constraint's RDNs begin it? (RFC 5280 §4.2.1.10, §7.1) */
export function directoryNameWithin(name: Name, constraint: Name): boolean {
  // EXERCISE 03.22: the constraint has no more RDNs than the name, and each of its RDNs equals the name's RDN at the
  // same position: as many attributes, the same types in the same order, values equal once trimmed, inner runs of
  // spaces made one, and ASCII case ignored (a simple form of §7.1's caseIgnoreMatch).
  const simple = (v: string): string => asciiLower(v.trim().replace(/ +/g, " "));
  if (constraint.rdns.length > name.rdns.length) return false;
  return constraint.rdns.every((rdn, i) => {
    const other = name.rdns[i];
    return rdn.length === other.length && rdn.every((a, j) => a.type === other[j].type && simple(a.value) === simple(other[j].value));
  });
  // END 03.22
}

/** Why `cert`'s names break the constraints, or undefined when they keep them. */
function nameConstraintProblem(cert: Certificate, constraints: NameConstraints): string | undefined {
  // EXERCISE 03.22: the names to check are the subjectAltName's dNSNames, iPAddresses and directoryNames, plus the
  // subject when it is not empty (a directoryName too). For each form: a name inside any excluded subtree of its
  // form is a problem; so is a name outside every permitted subtree of its form — when permitted has any of that
  // form (a constraint on DNS names says nothing about addresses). A dNSName that fails DNS_NAME is a problem
  // wherever there is a DNS constraint. A form this chapter cannot check (otherForms) that is both constrained
  // and present is a problem too (§4.2.1.10: process it or reject). Return e.g. "www.bank.test is in the
  // excluded subtree bank.test". (RFC 5280 §4.2.1.10, §6.1.3 (b), (c))
  const san = cert.extensions.subjectAltName ?? emptyGeneralNames();
  const directories = cert.subject.rdns.length > 0 ? [cert.subject, ...san.directoryNames] : san.directoryNames;
  const { permitted, excluded } = constraints;
  const problem = <T>(names: T[], allowed: T[] | undefined, denied: T[] | undefined, within: (n: T, c: T) => boolean, show: (x: T) => string) => {
    for (const name of names) {
      const out = denied?.find((c) => within(name, c));
      if (out !== undefined) return `${show(name)} is in the excluded subtree ${show(out)}`;
      if (allowed !== undefined && allowed.length > 0 && !allowed.some((c) => within(name, c))) {
        return `${show(name)} is outside the permitted subtrees ${allowed.map(show).join(", ")}`;
      }
    }
    return undefined;
  };
  const dnsConstrained = (permitted?.dnsNames.length ?? 0) + (excluded?.dnsNames.length ?? 0) > 0;
  const badDns = dnsConstrained ? san.dnsNames.find((d) => !DNS_NAME.test(d)) : undefined;
  const unchecked = san.otherForms.find((f) => permitted?.otherForms.includes(f) || excluded?.otherForms.includes(f));
  return (
    (badDns !== undefined ? `"${badDns}" is not a DNS name, so no constraint can hold it` : undefined) ??
    problem(san.dnsNames, permitted?.dnsNames, excluded?.dnsNames, dnsNameWithin, (d) => (d === "" ? '""' : d)) ??
    problem(san.ipAddresses, permitted?.ipAddresses, excluded?.ipAddresses, ipWithin, formatIpAddress) ??
    problem(directories, permitted?.directoryNames, excluded?.directoryNames, directoryNameWithin, (d) => `"${d.text}"`) ??
    (unchecked !== undefined ? `a GeneralName of form [${unchecked}] is constrained, and this chapter cannot check that form` : undefined)
  );
  // END 03.22
}

/**
 * Every CA's nameConstraints over the certificates below it (RFC 5280 §6.1.3 (b), (c), §6.1.4 (g)), whether or
 * not the extension is marked critical: a constraint that only binds when critical binds no one an attacker
 * chooses. Self-issued intermediates are exempt (§4.2.1.10: a CA re-keying itself keeps its name); the leaf never is.
 */
export function checkNameConstraints(list: Checklist, path: Certificate[]): void {
  // EXERCISE 03.22: for each CA path[ca] (ca ≥ 1) with nameConstraints, and each certificate path[i] below it
  // (i < ca) that is the leaf or not self-issued: list.require(i, "name constraints", problem === undefined,
  // bad_certificate, problem ?? "within the name constraints of <the CA's subject>").
  for (let ca = path.length - 1; ca >= 1; ca--) {
    const constraints = path[ca].extensions.nameConstraints;
    if (constraints === undefined) continue;
    for (let i = ca - 1; i >= 0; i--) {
      if (i > 0 && isSelfIssued(path[i])) continue;
      const problem = nameConstraintProblem(path[i], constraints);
      const ok = `within the name constraints of ${path[ca].subject.text}`;
      list.require(i, "name constraints", problem === undefined, AlertDescription.bad_certificate, problem ?? ok);
    }
  }
  // END 03.22
}

/** keyUsage bits that agree with serverAuth: signing (TLS 1.3, ECDHE), RSA key transport, static (EC)DH (RFC 5280 §4.2.1.12). */
const SERVER_KEY_USAGES: readonly string[] = ["digitalSignature", "keyEncipherment", "keyAgreement"];

/** Is the leaf a TLS server's certificate, for the name the client dialled? */
export function checkLeaf(list: Checklist, path: Certificate[], options: ValidationOptions): void {
  // EXERCISE 03.23: on path[0], in this order: "server keyUsage", when the leaf has both keyUsage and extKeyUsage: at
  // least one of SERVER_KEY_USAGES (unsupported_certificate; RFC 5280 §4.2.1.12: the two must agree; which bit
  // the handshake needs is for the handshake to check, as chapter 06's checkKeyForSuite does); "extKeyUsage", when
  // present: serverAuth or anyExtendedKeyUsage (unsupported_certificate); "hostname", when options.host is set:
  // matchesHost (bad_certificate), detail "<host> against subjectAltName a, b" or "… against no subjectAltName".
  // (RFC 5280 §4.2.1.3, §4.2.1.12, RFC 9525 §6)
  const A = AlertDescription;
  const leaf = path[0];
  const x = leaf.extensions;
  const usage = x.keyUsage;
  const eku = x.extKeyUsage;
  if (usage !== undefined && eku !== undefined) {
    const ok = usage.some((u) => SERVER_KEY_USAGES.includes(u));
    list.require(0, "server keyUsage", ok, A.unsupported_certificate, `keyUsage ${usage.join(", ") || "(none)"} beside an extKeyUsage`);
  }
  if (eku !== undefined) {
    const ok = eku.includes(Oid.serverAuth) || eku.includes(Oid.anyExtendedKeyUsage);
    const names = eku.map((o) => (o === Oid.serverAuth ? "serverAuth" : o === Oid.clientAuth ? "clientAuth" : o)).join(", ");
    list.require(0, "extKeyUsage", ok, A.unsupported_certificate, `extKeyUsage ${names}`);
  }
  if (options.host !== undefined) {
    const san = x.subjectAltName;
    const names = san === undefined ? "no subjectAltName" : `subjectAltName ${[...san.dnsNames, ...san.ipAddresses.map(formatIpAddress)].join(", ")}`;
    list.require(0, "hostname", matchesHost(leaf, options.host), A.bad_certificate, `${options.host} against ${names}`);
  }
  // END 03.23
}

/** Every check on one path, anchor first; returns the checks or throws the first failure (a CertificateError). */
export function validatePath(path: Certificate[], options: ValidationOptions): CertificateCheck[] {
  // EXERCISE 03.24: a new Checklist(path); for each index from the anchor (last) down to the leaf (0):
  // checkCertificate and checkProfile on it, then checkIssuer when it is not the leaf (index ≥ 1). When
  // options.maxIntermediates is set: "path length", on the anchor, the intermediates (path[1 … length−2]) that are
  // not self-issued are at most that many (unknown_ca: no acceptable path). Then checkNameConstraints and
  // checkLeaf. Return list.checks. (RFC 5280 §6.1.3, §6.1.4, §6.1.5)
  const list = new Checklist(path);
  const at = options.at ?? new Date();
  for (let i = path.length - 1; i >= 0; i--) {
    checkCertificate(list, path, i, at);
    checkProfile(list, path, i);
    if (i >= 1) checkIssuer(list, path, i);
  }
  if (options.maxIntermediates !== undefined) {
    const intermediates = path.slice(1, -1).filter((c) => !isSelfIssued(c)).length;
    const detail = `${intermediates} intermediate(s), at most ${options.maxIntermediates} allowed`;
    list.require(path.length - 1, "path length", intermediates <= options.maxIntermediates, AlertDescription.unknown_ca, detail);
  }
  checkNameConstraints(list, path);
  checkLeaf(list, path, options);
  return list.checks;
  // END 03.24
}

/**
 * Validates a chain as a TLS client does. `chain` is what the server sent: its own certificate first, then
 * intermediates in any order. Returns the first path that passes every check and those checks; throws the
 * failure of the first path tried when none passes (a CertificateError with the alert to send).
 */
export function validateChain(chain: Certificate[], options: ValidationOptions): Validation {
  if (chain.length === 0) {
    throw new CertificateError(AlertDescription.bad_certificate, { subject: "(none)", check: "path", detail: "the server sent no certificate" });
  }
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) {
    throw new CertificateError(AlertDescription.internal_error, { subject: "(none)", check: "time", detail: "the validation time is not a valid date" });
  }
  // EXERCISE 03.24: for each path of buildPaths(chain[0], chain.slice(1), options.roots): return { path, checks:
  // validatePath(path, { ...options, at }) } if it passes; if it throws a CertificateError (isCertificateError),
  // remember the first such error and try the next path — the backtracking that makes a cross-signed or re-keyed
  // CA work; any other error goes straight through. No path passed: throw the first path's error. (RFC 5280 §6.1,
  // RFC 4158 §3)
  let firstFailure: unknown;
  for (const path of buildPaths(chain[0], chain.slice(1), options.roots)) {
    try {
      return { path, checks: validatePath(path, { ...options, at }) };
    } catch (e) {
      if (!isCertificateError(e)) throw e;
      firstFailure ??= e;
    }
  }
  throw firstFailure;
  // END 03.24
}
