// Exercises 03.5–03.7 (names, public keys, the certificate) and 03.8–03.11 (extensions), graded against outside
// references only:
// Node's crypto.X509Certificate and OpenSSL's certificate text (`openssl pkcs7 -print_certs -text`, one run for all)
// for every certificate file in tests/fixtures and tests/fixtures/pki (the directories are listed when the tests
// load, so every *.crt there is covered, whatever the folders hold), RFC 8448's certificates, two made here by
// `openssl req`, and edits of real certificates (with a DER re-encoder written out below from X.690). Signatures
// are checked lightly: where Node finds the issuer, its key must verify the bytes we call tbs and signature.
// Each exercise's tests read only what that exercise reads, cut out of real certificates by a DER tree written
// here: 03.5 gets Names, 03.6 SubjectPublicKeyInfos, 03.7 certificates with their extensions taken out, 03.8 extension
// lists whose OIDs no reader knows, 03.9–03.11 extension values. The tests titled 03.11 at the end read everything.
import { expect } from "chai";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { X509Certificate, constants, createPublicKey, generateKeyPairSync, verify, type KeyObject, type RSAPSSKeyPairKeyObjectOptions } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { isNotImplemented } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { readPemCertificates, toPem } from "../../lib/pem.js";
import {
  ATTRIBUTE_NAMES,
  CONSTRAINT_IP_LENGTHS,
  type Certificate,
  EXTENSION_READERS,
  type Extensions,
  type GeneralNames,
  MAX_EXTENSIONS,
  SAN_IP_LENGTHS,
  emptyGeneralNames,
  parseCertificate,
  readAuthorityInfoAccess,
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readExtKeyUsage,
  readExtensions,
  readGeneralName,
  readKeyUsage,
  readName,
  readNameConstraints,
  readSubjectAltName,
  readSubjectPublicKeyInfo,
} from "../../chapters/03-certificates/x509.js";
import { expectBytes, showBytes } from "../support/expect-bytes.js";
import { NUM_RUNS, assertProperty, checkTlsError, concatBytes, mutationsOf, truncations } from "../support/properties.js";
import { traceSection, rfc8448RsaKey } from "../support/rfc8448.js";

const BAD_CERTIFICATE = [AlertDescription.bad_certificate];
/**
 * Bytes left over inside a structure: `.end()` on a ByteReader says decode_error, and parseCertificate turns that
 * into bad_certificate like every other fault of a certificate (RFC 8446 §6.2: the certificate is corrupt).
 */
const BAD_OR_LEFTOVER = [AlertDescription.bad_certificate];
/** A reader called on its own (not through parseCertificate) reports leftover bytes as the ByteReader does: decode_error. */
const READER_ALERTS = [AlertDescription.bad_certificate, AlertDescription.decode_error];

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const PKI = join(FIXTURES, "pki");
const listCrt = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".crt")).sort();
  } catch {
    return [];
  }
};

// ---------------------------------------------------------------------------------------------------------------
// A small DER tree (X.690 §8.1), written out here to take real certificates apart and put edited ones together

interface DerNode {
  tag: number;
  /** Where the TLV starts and ends in the bytes it was parsed from. */
  start: number;
  end: number;
  contents: Uint8Array;
  /** For constructed tags (bit 0x20): the elements inside, which encodeDer uses instead of `contents`. */
  children?: DerNode[];
}

function parseDer(b: Uint8Array, at = 0): DerNode {
  const tag = b[at]!;
  let length = b[at + 1]!;
  let header = 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + b[at + 2 + i]!;
    header += count;
  }
  const start = at;
  const end = at + header + length;
  if (end > b.length) throw new Error(`reference DER parser: element at ${at} runs past the end`);
  const node: DerNode = { tag, start, end, contents: b.slice(at + header, end) };
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

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** A TLV with the shortest length (X.690 §10.1). */
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const contents = concatBytes(...parts);
  return concatBytes(Uint8Array.from([tag, ...lengthBytes(contents.length)]), contents);
};

function encodeDer(node: { tag: number; contents: Uint8Array; children?: DerNode[] }): Uint8Array {
  return node.children ? tlv(node.tag, ...node.children.map(encodeDer)) : tlv(node.tag, node.contents);
}

/** A node made from bytes of one TLV. */
const nodeOf = (der: Uint8Array): DerNode => parseDer(der);

/** X.690 §8.19: an OBJECT IDENTIFIER's contents. */
function oidContents(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(BigInt);
  const subs = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const s of subs) {
    const groups: number[] = [];
    let v = s;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return Uint8Array.from(out);
}
const oid = (dotted: string): Uint8Array => tlv(0x06, oidContents(dotted));

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
const hex = (b: Uint8Array): string => toHex(b);

/** The parts of a certificate's tree, by RFC 5280 §4.1's order. */
function partsOf(cert: DerNode) {
  const tbs = cert.children![0]!;
  const fields = tbs.children!;
  const v = fields[0]!.tag === 0xa0 ? 1 : 0;
  const extensionsWrapper = fields.find((f) => f.tag === 0xa3);
  return {
    tbs,
    fields,
    serialIndex: v,
    signature: fields[v + 1]!,
    issuer: fields[v + 2]!,
    validity: fields[v + 3]!,
    subject: fields[v + 4]!,
    spki: fields[v + 5]!,
    extensionsWrapper,
    extensions: extensionsWrapper ? extensionsWrapper.children![0]!.children! : [],
    signatureAlgorithm: cert.children![1]!,
    signatureValue: cert.children![2]!,
  };
}

/** The extension with this OID inside a parsed Extension list. */
function extension(extensions: DerNode[], dotted: string): DerNode {
  const want = hex(oidContents(dotted));
  const found = extensions.find((e) => hex(e.children![0]!.contents) === want);
  if (!found) throw new Error(`the certificate has no extension ${dotted}`);
  return found;
}

/** Edits a copy of a certificate's tree and re-encodes it (no re-signing: parsing does not check signatures). */
function edit(der: Uint8Array, change: (cert: DerNode, parts: ReturnType<typeof partsOf>) => void): Uint8Array {
  const cert = parseDer(der);
  change(cert, partsOf(cert));
  return encodeDer(cert);
}

/**
 * The certificate with its extensions taken out (version left alone). Exercise 03.7's tests read these, so that
 * they pass before readExtensions (03.8) is done; every other field is byte for byte the original's.
 */
const withoutExtensions = (der: Uint8Array): Uint8Array =>
  edit(der, (_, p) => {
    p.tbs.children = p.fields.filter((f) => f.tag !== 0xa3);
  });

/** An Extension (RFC 5280 §4.1): SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
const extensionDer = (dotted: string, critical: boolean, value: Uint8Array): Uint8Array =>
  tlv(0x30, oid(dotted), critical ? h("01 01 ff") : new Uint8Array(0), tlv(0x04, value));

// ---------------------------------------------------------------------------------------------------------------
// The corpus: every certificate file, RFC 8448's certificates, two made by `openssl req`, and edited ones

interface Entry {
  name: string;
  der: Uint8Array;
  x: X509Certificate;
  /** This certificate's part of `openssl pkcs7 -print_certs -text`. */
  text: string;
}

/** The Certificate handshake message's first certificate (RFC 8446 §4.4.2): context<0..255>, list<0..2^24-1>, cert_data<1..2^24-1>. */
function firstCertificateOf(message: Uint8Array): Uint8Array {
  const u24 = (i: number): number => (message[i]! << 16) | (message[i + 1]! << 8) | message[i + 2]!;
  let at = 4; // msg_type (1) and length (3), RFC 8446 §4
  at += 1 + message[at]!; // certificate_request_context
  at += 3; // certificate_list length
  const length = u24(at);
  return message.slice(at + 3, at + 3 + length);
}

/** RFC 8448's Certificate messages: §3's server (RSA), §6's server (ECDSA P-256) and §6's client (RSA). */
function rfc8448Certificates(): { name: string; der: Uint8Array }[] {
  const find = (section: 3 | 6, actor: "client" | "server"): Uint8Array => {
    const step = traceSection(section).find((s) => s.actor === actor && s.action.includes("construct a Certificate handshake"));
    const value = step?.values.find((v) => v.label === "Certificate");
    if (!value) throw new Error(`RFC 8448 §${section}: no ${actor} Certificate message`);
    return firstCertificateOf(value.bytes);
  };
  return [
    { name: "RFC 8448 §3 server certificate (RSA)", der: find(3, "server") },
    { name: "RFC 8448 §6 server certificate (ECDSA)", der: find(6, "server") },
    { name: "RFC 8448 §6 client certificate (RSA)", der: find(6, "client") },
  ];
}

/** One config for `openssl req -x509`: names in every string type (string_mask default), and every extension kind. */
const REQ_CONFIG = `[req]
distinguished_name = dn
string_mask = default
utf8 = yes
prompt = no
x509_extensions = ext
[dn]
[ext]
basicConstraints = critical, CA:TRUE, pathlen:3
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly
subjectAltName = DNS:names.test, email:a@b.example, URI:https://u.example/, IP:10.1.2.3, IP:2001:db8::1, dirName:dir, DNS:second.test
extendedKeyUsage = serverAuth, clientAuth, codeSigning, 1.3.6.1.4.1.55555.7
authorityKeyIdentifier = keyid:always, issuer:always
subjectKeyIdentifier = hash
1.3.6.1.4.1.55555.2 = ASN1:UTF8String:not critical
certificatePolicies = 2.5.29.32.0
[dir]
CN = in a SAN
[plain]
subjectKeyIdentifier = hash
`;
/** A multi-valued RDN, BMPString (ā, 日本), TeletexString (Ü), IA5String, escapes, attributes ATTRIBUTE_NAMES lacks. */
const REQ_SUBJECT =
  '/C=NZ/ST=Te Ika-a-Māui/O=Ünïcode Ltd+OU=日本/CN=x\\+y, z"q/emailAddress=a@b.example/DC=example/SN=Sur/serialNumber=123/2.5.4.97=VATNZ-1/L=#hash ';

function opensslMade(dir: string): { name: string; der: Uint8Array }[] {
  writeFileSync(join(dir, "req.cnf"), REQ_CONFIG, "utf8");
  const made = (name: string, file: string, args: string[]): { name: string; der: Uint8Array } => {
    execFileSync("openssl", ["req", "-x509", "-new", "-config", join(dir, "req.cnf"), "-nodes", "-keyout", join(dir, `${file}.key`), "-out", join(dir, file), "-days", "30", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    return { name, der: readPemCertificates(readFileSync(join(dir, file), "utf8"))[0]! };
  };
  return [
    made("openssl req: every name string type and extension kind (P-256, ecdsa-with-SHA384)", "names.crt", [
      "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha384", "-multivalue-rdn", "-subj", REQ_SUBJECT, "-set_serial", "0x00ff",
    ]),
    made("openssl req: a self-signed Ed25519 certificate (RFC 8410)", "ed25519.crt", [
      "-newkey", "ed25519", "-extensions", "plain", "-subj", "/CN=ed25519.test", "-set_serial", "7",
    ]),
    made("openssl req: an Ed448 certificate (key and signature this chapter does not support)", "ed448.crt", [
      "-newkey", "ed448", "-extensions", "plain", "-subj", "/CN=ed448.test", "-set_serial", "8",
    ]),
  ];
}

/** Edited certificates that still parse: each must read as Node and openssl read it. */
function editedGood(base: (name: string) => Uint8Array): { name: string; der: Uint8Array }[] {
  const secp256k1 = new Uint8Array(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ type: "spki", format: "der" }));
  const pssDefaults = tlv(0x30, oid("1.2.840.113549.1.1.10"), h("30 00")); // RSASSA-PSS with every parameter at its SHA-1 default
  const unknown = (i: number): Uint8Array => extensionDer(`1.3.6.1.4.1.55555.100.${i}`, false, new Uint8Array(0));
  return [
    {
      name: "edited: a v1 certificate (no version, no extensions)",
      der: edit(base("pki/leaf-p256.crt"), (_, p) => {
        p.tbs.children = p.fields.filter((f) => f.tag !== 0xa0 && f.tag !== 0xa3);
      }),
    },
    {
      name: "edited: a 20-octet serial number (RFC 5280 §4.1.2.2's limit)",
      der: edit(base("pki/leaf-rsa.crt"), (_, p) => {
        p.fields[p.serialIndex] = nodeOf(tlv(0x02, h("7f" + "a5".repeat(19))));
      }),
    },
    {
      name: "edited: a negative serial number (some CAs issued them)",
      der: edit(base("pki/leaf-rsa.crt"), (_, p) => {
        p.fields[p.serialIndex] = nodeOf(h("02 02 fe 01"));
      }),
    },
    {
      name: "edited: a critical extension nobody understands",
      der: edit(base("server-ecdsa.crt"), (_, p) => {
        p.extensions.push(nodeOf(extensionDer("1.3.6.1.4.1.55555.9", true, h("05 00"))));
      }),
    },
    {
      name: "edited: an authorityKeyIdentifier without a keyIdentifier",
      der: edit(base("pki/leaf-p256.crt"), (_, p) => {
        extension(p.extensions, "2.5.29.35").children![1] = nodeOf(tlv(0x04, tlv(0x30, h("82 01 05"))));
      }),
    },
    {
      name: `edited: exactly MAX_EXTENSIONS (${MAX_EXTENSIONS}) extensions`,
      der: edit(base("pki/leaf-p256.crt"), (_, p) => {
        for (let i = p.extensions.length; i < MAX_EXTENSIONS; i++) p.extensions.push(nodeOf(unknown(i)));
      }),
    },
    {
      name: "edited: an EC key on secp256k1 (not a curve this chapter supports)",
      der: edit(base("pki/leaf-p256.crt"), (_, p) => {
        p.fields[p.serialIndex + 5] = nodeOf(secp256k1);
      }),
    },
    {
      name: "edited: RSASSA-PSS with SHA-1 defaults (unsupported, not an error)",
      der: edit(base("pki/leaf-pss.crt"), (cert, p) => {
        p.fields[p.serialIndex + 1] = nodeOf(pssDefaults);
        cert.children![1] = nodeOf(pssDefaults);
      }),
    },
  ];
}

interface Corpus {
  entries: Entry[];
  byName: Map<string, Entry>;
}

let cachedCorpus: Corpus | undefined;

/** Every certificate with Node's reading and openssl's text; made once (one openssl text run for all of them). */
function corpus(): Corpus {
  if (cachedCorpus) return cachedCorpus;
  const found: { name: string; der: Uint8Array }[] = [];
  for (const f of listCrt(FIXTURES)) {
    const ders = readPemCertificates(readFileSync(join(FIXTURES, f), "utf8"), f);
    ders.forEach((der, i) => found.push({ name: ders.length === 1 ? f : `${f} #${i + 1}`, der }));
  }
  for (const f of listCrt(PKI)) {
    const ders = readPemCertificates(readFileSync(join(PKI, f), "utf8"), f);
    ders.forEach((der, i) => found.push({ name: ders.length === 1 ? `pki/${f}` : `pki/${f} #${i + 1}`, der }));
  }
  found.push(...rfc8448Certificates());
  const base = (name: string): Uint8Array => {
    const hit = found.find((e) => e.name === name);
    if (!hit) throw new Error(`fixture ${name} is missing`);
    return hit.der;
  };
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-x509-"));
  try {
    found.push(...opensslMade(dir));
    found.push(...editedGood(base));
    writeFileSync(join(dir, "all.pem"), found.map((e) => toPem(e.der)).join(""), "utf8");
    const p7 = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", join(dir, "all.pem"), "-outform", "DER"], { stdio: ["ignore", "pipe", "pipe"] });
    const text = execFileSync("openssl", ["pkcs7", "-inform", "DER", "-print_certs", "-text", "-noout"], { input: p7, stdio: ["pipe", "pipe", "pipe"] }).toString("utf8");
    const blocks = text.split(/^(?=Certificate:$)/m).filter((b) => b.startsWith("Certificate:"));
    if (blocks.length !== found.length) throw new Error(`openssl printed ${blocks.length} certificates for ${found.length}`);
    const entries = found.map((e, i) => ({ ...e, x: new X509Certificate(e.der), text: blocks[i]! }));
    for (const e of entries) {
      // The blocks come back in input order; make sure, so that no certificate is judged by another's text.
      const serial = opensslFacts(e.text).serial;
      if (serial !== nodeSerial(e.x)) throw new Error(`openssl's text for ${e.name} has serial ${serial}, Node says ${e.x.serialNumber}`);
    }
    cachedCorpus = { entries, byName: new Map(entries.map((e) => [e.name, e])) };
    return cachedCorpus;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function entry(name: string): Entry {
  const e = corpus().byName.get(name);
  if (!e) throw new Error(`no certificate named ${name} in the corpus`);
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// What the oracles say

/** Node's serialNumber is hex, with a "-" in front of a negative one ("-01FF"). */
function nodeSerial(x: X509Certificate): bigint {
  const s = x.serialNumber;
  return s.startsWith("-") ? -BigInt("0x" + s.slice(1)) : BigInt("0x" + s);
}

type ExpectedAlgorithm =
  | { kind: "rsa-pkcs1" | "ecdsa"; hash: string }
  | { kind: "rsa-pss"; hash: string; mgfHash: string; saltLength: number }
  | { kind: "ed25519" }
  | { kind: "unsupported" };

interface OpensslExtension {
  oid: string;
  critical: boolean;
  lines: string[];
}

interface OpensslFacts {
  version: number;
  serial: bigint;
  algorithm: ExpectedAlgorithm;
  /** openssl's name for the signature algorithm and, for PSS, its hash and salt (for crypto.verify). */
  algorithmName: string;
  pss?: { hash: string; saltLength: number };
  modulus?: bigint;
  extensions: OpensslExtension[];
}

/** OpenSSL's display names of extensions (crypto/objects/objects.txt) and their OIDs (RFC 5280 §4.2, RFC 6962). */
const EXTENSION_OIDS: Readonly<Record<string, string>> = {
  "X509v3 Subject Key Identifier": "2.5.29.14",
  "X509v3 Key Usage": "2.5.29.15",
  "X509v3 Subject Alternative Name": "2.5.29.17",
  "X509v3 Issuer Alternative Name": "2.5.29.18",
  "X509v3 Basic Constraints": "2.5.29.19",
  "X509v3 Name Constraints": "2.5.29.30",
  "X509v3 CRL Distribution Points": "2.5.29.31",
  "X509v3 Certificate Policies": "2.5.29.32",
  "X509v3 Policy Constraints": "2.5.29.36",
  "X509v3 Authority Key Identifier": "2.5.29.35",
  "X509v3 Extended Key Usage": "2.5.29.37",
  "X509v3 Inhibit Any Policy": "2.5.29.54",
  "Authority Information Access": "1.3.6.1.5.5.7.1.1",
  "CT Precertificate SCTs": "1.3.6.1.4.1.11129.2.4.2",
  "Netscape Comment": "2.16.840.1.113730.1.13",
  "Netscape Cert Type": "2.16.840.1.113730.1.1",
};
/** The extensions chapter 03 reads (RFC 5280 §4.2.1.1, .2, .3, .6, .9, .10, .12, §4.2.2.1): EXTENSION_READERS' OIDs. */
const UNDERSTOOD = new Set(["2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30", "2.5.29.35", "2.5.29.37", "1.3.6.1.5.5.7.1.1"]);
const HASHES: Readonly<Record<string, string>> = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
/** openssl's keyUsage words (crypto/x509/v3_bitst.c) in RFC 5280 §4.2.1.3's bit order. */
const KEY_USAGE_WORDS: Readonly<Record<string, string>> = {
  "Digital Signature": "digitalSignature",
  "Non Repudiation": "nonRepudiation",
  "Content Commitment": "nonRepudiation",
  "Key Encipherment": "keyEncipherment",
  "Data Encipherment": "dataEncipherment",
  "Key Agreement": "keyAgreement",
  "Certificate Sign": "keyCertSign",
  "CRL Sign": "cRLSign",
  "Encipher Only": "encipherOnly",
  "Decipher Only": "decipherOnly",
};

function opensslFacts(text: string): OpensslFacts {
  const lines = text.split("\n");
  const find = (re: RegExp): RegExpExecArray | undefined => {
    for (const l of lines) {
      const m = re.exec(l);
      if (m) return m;
    }
    return undefined;
  };
  const version = Number(find(/^ {8}Version: (\d+) /)?.[1]);
  let serial: bigint;
  const inline = find(/^ {8}Serial Number: (-?\d+) \(/);
  if (inline) {
    serial = BigInt(inline[1]!);
  } else {
    const i = lines.findIndex((l) => /^ {8}Serial Number:\s*$/.test(l));
    const m = /^\s+(\(Negative\))?([0-9a-f:]+)$/.exec(lines[i + 1] ?? "");
    if (!m) throw new Error(`cannot read the serial number from openssl's text:\n${text.slice(0, 400)}`);
    serial = BigInt("0x" + m[2]!.replace(/:/g, "")) * (m[1] ? -1n : 1n);
  }
  // The signature algorithm inside tbsCertificate, with RSASSA-PSS's parameters on the lines after it.
  const at = lines.findIndex((l) => /^ {8}Signature Algorithm: /.test(l));
  const algorithmName = lines[at]!.replace(/^ {8}Signature Algorithm: /, "").trim();
  let algorithm: ExpectedAlgorithm = { kind: "unsupported" };
  let pss: OpensslFacts["pss"];
  let m: RegExpExecArray | null;
  if ((m = /^sha(256|384|512)WithRSAEncryption$/.exec(algorithmName))) algorithm = { kind: "rsa-pkcs1", hash: `SHA-${m[1]}` };
  else if ((m = /^ecdsa-with-SHA(256|384|512)$/.exec(algorithmName))) algorithm = { kind: "ecdsa", hash: `SHA-${m[1]}` };
  else if (algorithmName === "ED25519") algorithm = { kind: "ed25519" };
  else if (algorithmName === "rsassaPss") {
    const params = lines.slice(at + 1, at + 6).join("\n");
    const hash = /Hash Algorithm: (\w+)(?! \(default\))\s*$/m.exec(params)?.[1];
    const mgf = /Mask Algorithm: mgf1 with (\w+)(?! \(default\))\s*$/m.exec(params)?.[1];
    const salt = /Salt Length: 0x([0-9a-fA-F]+)/.exec(params)?.[1];
    const saltLength = salt === undefined ? 20 : parseInt(salt, 16);
    if (hash && mgf && HASHES[hash] && HASHES[mgf]) {
      algorithm = { kind: "rsa-pss", hash: HASHES[hash]!, mgfHash: HASHES[mgf]!, saltLength };
      pss = { hash, saltLength };
    }
  }
  // An RSA modulus, for keys Node cannot export as JWK (RSASSA-PSS keys).
  let modulus: bigint | undefined;
  const mod = lines.findIndex((l) => /^\s+Modulus:\s*$/.test(l));
  if (mod >= 0) {
    let digits = "";
    for (let i = mod + 1; i < lines.length && /^\s+[0-9a-f]{2}(:[0-9a-f]{2})*:?$/.test(lines[i]!); i++) digits += lines[i]!.trim().replace(/:/g, "");
    modulus = BigInt("0x" + digits);
  }
  // Extensions: a 12-space header "name: [critical]", then its value lines, indented further.
  const extensions: OpensslExtension[] = [];
  const start = lines.findIndex((l) => /^ {8}X509v3 extensions:\s*$/.test(l));
  if (start >= 0) {
    for (let i = start + 1; i < lines.length && /^ {12}/.test(lines[i]!); i++) {
      const head = /^ {12}(\S.*?):\s*(critical)?\s*$/.exec(lines[i]!);
      if (!head) {
        extensions[extensions.length - 1]?.lines.push(lines[i]!.trim());
        continue;
      }
      const name = head[1]!;
      const dotted = /^\d+(\.\d+)+$/.test(name) ? name : EXTENSION_OIDS[name];
      if (dotted === undefined) throw new Error(`the test's EXTENSION_OIDS table lacks openssl's name "${name}"; add it`);
      extensions.push({ oid: dotted, critical: head[2] === "critical", lines: [] });
    }
  }
  return { version, serial, algorithm, algorithmName, pss, modulus, extensions };
}

/** Node's "CN=…\nO=…" (one RDN a line, " + " inside a multi-valued one, RFC 4514 escapes) as (OID, value) pairs. */
const NAME_OIDS: Readonly<Record<string, string>> = {
  CN: "2.5.4.3",
  SN: "2.5.4.4",
  serialNumber: "2.5.4.5",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  street: "2.5.4.9",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  title: "2.5.4.12",
  GN: "2.5.4.42",
  initials: "2.5.4.43",
  dnQualifier: "2.5.4.46",
  pseudonym: "2.5.4.65",
  organizationIdentifier: "2.5.4.97",
  emailAddress: "1.2.840.113549.1.9.1",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
};

function nodeName(text: string): { type: string; value: string }[][] {
  if (text === "") return [];
  return text.split("\n").map((line) =>
    line.split(" + ").map((pair) => {
      const eq = pair.indexOf("=");
      const key = pair.slice(0, eq);
      const type = /^\d+(\.\d+)+$/.test(key) ? key : NAME_OIDS[key];
      if (type === undefined) throw new Error(`the test's NAME_OIDS table lacks Node's attribute name "${key}"; add it`);
      return { type, value: pair.slice(eq + 1).replace(/\\(.)/gu, "$1") };
    }),
  );
}

/** Node's subjectAltName ("DNS:a, IP Address:127.0.0.1, …"): the dNSNames and iPAddresses, in order. */
function nodeSan(text: string | undefined): { dnsNames: string[]; ipAddresses: string[] } | undefined {
  if (text === undefined) return undefined;
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const m of text.matchAll(/(?:^|, )(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === "DNS") dnsNames.push(value);
    else ipAddresses.push(hex(ipBytes(value)));
  }
  return { dnsNames, ipAddresses };
}

/** An IPv4 dotted quad or an IPv6 address (groups, "::" allowed) as its 4 or 16 bytes (RFC 5280 §4.2.1.6). */
function ipBytes(text: string): Uint8Array {
  if (!text.includes(":")) return Uint8Array.from(text.split(".").map(Number));
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

const fromBase64Url = (s: string): bigint => BigInt("0x" + (Buffer.from(s, "base64url").toString("hex") || "0"));

type ExpectedKey =
  | { kind: "rsa"; n: bigint; e: bigint; bits: number; pss: boolean; pssParameters?: { hash: string; mgfHash: string; saltLength: number } }
  | { kind: "ec"; curve: string; point: string }
  | { kind: "ed25519"; point: string }
  | { kind: "unsupported" };

/** The key as Node reads it; `modulus` is needed for RSASSA-PSS keys, which Node cannot write as JWK. */
function expectedKey(key: KeyObject, modulus: bigint | undefined): ExpectedKey {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    const jwk = key.export({ format: "jwk" });
    return { kind: "rsa", n: fromBase64Url(jwk.n!), e: fromBase64Url(jwk.e!), bits: details.modulusLength!, pss: false };
  }
  if (key.asymmetricKeyType === "rsa-pss") {
    if (modulus === undefined) throw new Error("no modulus for an RSA-PSS key");
    const rsa = { kind: "rsa" as const, n: modulus, e: details.publicExponent!, bits: details.modulusLength!, pss: true };
    // Node reports the key's RSASSA-PSS-params (RFC 4055 §3.1) when it has some.
    if (details.hashAlgorithm === undefined) return rsa;
    const hash = HASHES[details.hashAlgorithm];
    const mgfHash = HASHES[details.mgf1HashAlgorithm!];
    if (hash === undefined || mgfHash === undefined) return { kind: "unsupported" };
    return { ...rsa, pssParameters: { hash, mgfHash, saltLength: details.saltLength! } };
  }
  if (key.asymmetricKeyType === "ed25519") {
    return { kind: "ed25519", point: hex(Buffer.from(key.export({ format: "jwk" }).x!, "base64url")) };
  }
  if (key.asymmetricKeyType === "ec" && (details.namedCurve === "prime256v1" || details.namedCurve === "secp384r1")) {
    const jwk = key.export({ format: "jwk" });
    const point = concatBytes(Uint8Array.of(4), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url"));
    return { kind: "ec", curve: jwk.crv!, point: hex(point) };
  }
  return { kind: "unsupported" };
}

/** A fresh id-RSASSA-PSS key restricted by RSASSA-PSS-params (RFC 4055 §3.1), as Node (OpenSSL) writes one. */
function restrictedPssKey(hashAlgorithm: string, mgf1HashAlgorithm: string, saltLength: number): KeyObject {
  // @types/node 20 types saltLength as a string; Node takes the number. 1024 bits: what is read here is the same at any
  // size, and a 2048-bit key takes OpenSSL about 0.2 s to make, in every grade of this chapter.
  const options = { modulusLength: 1024, hashAlgorithm, mgf1HashAlgorithm, saltLength } as unknown as RSAPSSKeyPairKeyObjectOptions;
  return generateKeyPairSync("rsa-pss", options).publicKey;
}

/** An RSASSA-PSS SubjectPublicKeyInfo relabelled rsaEncryption (same key bits), which Node can write as JWK. */
function rsaEncryptionTwin(spki: Uint8Array): Uint8Array {
  const tree = parseDer(spki);
  tree.children![0] = nodeOf(tlv(0x30, oid("1.2.840.113549.1.1.1"), h("05 00")));
  return encodeDer(tree);
}

function ourKey(cert: Certificate): ExpectedKey {
  const k = cert.publicKey;
  if (k.kind === "rsa") {
    const rsa = { kind: "rsa" as const, n: k.n, e: k.e, bits: k.bits, pss: k.pss };
    return k.pssParameters === undefined ? rsa : { ...rsa, pssParameters: { ...k.pssParameters } };
  }
  if (k.kind === "ec") return { kind: "ec", curve: k.curve, point: hex(k.point) };
  if (k.kind === "ed25519") return { kind: "ed25519", point: hex(k.point) };
  return { kind: "unsupported" };
}

function ourAlgorithm(cert: Certificate): ExpectedAlgorithm {
  const a = cert.signatureAlgorithm;
  if (a.kind === "rsa-pss") return { kind: a.kind, hash: a.hash, mgfHash: a.mgfHash, saltLength: a.saltLength };
  if (a.kind === "unsupported" || a.kind === "ed25519") return { kind: a.kind };
  return { kind: a.kind, hash: a.hash };
}

/** The keys in the corpus that Node says signed this certificate (its own, if self-signed); a light check only. */
function issuersOf(e: Entry): KeyObject[] {
  return corpus()
    .entries.filter((c) => (c === e || e.x.checkIssued(c.x)) && e.x.verify(c.x.publicKey))
    .map((c) => c.x.publicKey);
}

/** Verifies our tbs and signature bytes with the issuer's key, as openssl names the algorithm. */
function verifiesOurBytes(facts: OpensslFacts, key: KeyObject, cert: Certificate): boolean | undefined {
  const name = facts.algorithmName;
  let m: RegExpExecArray | null;
  if ((m = /^(?:sha(\d+)WithRSAEncryption|ecdsa-with-SHA(\d+))$/.exec(name))) {
    return verify(`sha${m[1] ?? m[2]}`, cert.tbs, key, cert.signature);
  }
  if (name === "rsassaPss" && facts.pss) {
    return verify(facts.pss.hash, cert.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: facts.pss.saltLength }, cert.signature);
  }
  if (name === "ED25519") return verify(null, cert.tbs, key, cert.signature);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The comparisons, one per exercise. Each reads only what its exercise reads, cut out of the certificate by the
// test's own DER tree, so that a bug in another exercise does not fail it.

/** A reader over exactly `bytes`, behind nothing: offsets are relative to them. */
const readerOf = (bytes: Uint8Array): ByteReader => new ByteReader(bytes);

/** Node's names of issuer and subject against exercise 03.5's readName on the Name TLVs themselves. */
function checkNames(e: Entry): void {
  const p = partsOf(parseDer(e.der));
  for (const [which, node, n] of [
    ["issuer", e.x.issuer, p.issuer],
    ["subject", e.x.subject, p.subject],
  ] as const) {
    const bytes = e.der.slice(n.start, n.end);
    const r = readerOf(bytes);
    const ours = readName(r, which);
    expect(r.offset, `${which}: readName reads the whole Name and no further`).to.equal(bytes.length);
    const expected = nodeName(node);
    expect(
      ours.rdns.map((rdn) => rdn.map((a) => ({ type: a.type, value: a.value }))),
      `${which}: attribute types and values, in order (Node: ${JSON.stringify(node)})`,
    ).to.deep.equal(expected);
    expect(
      ours.rdns.map((rdn) => rdn.map((a) => a.name)),
      `${which}: attribute names (ATTRIBUTE_NAMES, else the OID)`,
    ).to.deep.equal(expected.map((rdn) => rdn.map((a) => ATTRIBUTE_NAMES[a.type] ?? a.type)));
    const text = expected.map((rdn) => rdn.map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.value}`).join("+")).join(", ");
    expect(ours.text, `${which}.text`).to.equal(text);
    expectBytes(ours.der, bytes, `${which}.der: the Name TLV exactly as sent`);
  }
}

/** Node's public key against exercise 03.6's readSubjectPublicKeyInfo on the SubjectPublicKeyInfo TLV itself. */
function checkKey(e: Entry): void {
  const facts = opensslFacts(e.text);
  const p = partsOf(parseDer(e.der));
  const bytes = e.der.slice(p.spki.start, p.spki.end);
  const r = readerOf(bytes);
  const key = readSubjectPublicKeyInfo(r, "subjectPublicKeyInfo");
  expect(r.offset, "readSubjectPublicKeyInfo reads the whole SubjectPublicKeyInfo and no further").to.equal(bytes.length);
  expect(ourKey({ publicKey: key } as Certificate), `public key (Node: ${e.x.publicKey.asymmetricKeyType})`).to.deep.equal(expectedKey(e.x.publicKey, facts.modulus));
}

/**
 * Exercise 03.7's fields of one certificate, read from its copy without extensions, against Node, openssl and the
 * test's DER tree (the fields Node and openssl read are the same bytes in both copies). The names and the key are
 * compared as bytes and by kind only: reading them is 03.5's and 03.6's.
 */
function checkFields(e: Entry): void {
  const facts = opensslFacts(e.text);
  const der = withoutExtensions(e.der);
  const cert = parseCertificate(der);
  const p = partsOf(parseDer(der));
  const slice = (n: DerNode): Uint8Array => der.slice(n.start, n.end);

  expectBytes(cert.der, der, "der: the whole certificate as received");
  expectBytes(cert.tbs, slice(p.tbs), "tbs: the tbsCertificate TLV exactly as sent");
  expect(cert.version, "version (openssl's Version line)").to.equal(facts.version);
  expect(cert.serial, "serial (Node's serialNumber)").to.equal(nodeSerial(e.x));
  expectBytes(cert.issuer.der, slice(p.issuer), "issuer.der: the issuer Name read in its place");
  expectBytes(cert.subject.der, slice(p.subject), "subject.der: the subject Name read in its place");
  expect(cert.notBefore.getTime(), `notBefore (Node: ${e.x.validFrom})`).to.equal(Date.parse(e.x.validFrom));
  expect(cert.notAfter.getTime(), `notAfter (Node: ${e.x.validTo})`).to.equal(Date.parse(e.x.validTo));
  expect(cert.publicKey.kind, "publicKey: a key was read in its place").to.equal(expectedKey(e.x.publicKey, facts.modulus).kind);
  expect(ourAlgorithm(cert), `signature algorithm (openssl: ${facts.algorithmName})`).to.deep.equal(facts.algorithm);
  expectBytes(cert.signature, p.signatureValue.contents.slice(1), "signature: the signatureValue's bits");
  expect(cert.extensions, "extensions of a certificate without any").to.deep.equal({ all: [] });
}

/** The extnValue bytes (the OCTET STRING's contents) of every extension with this OID, by the test's DER tree. */
function extensionValues(der: Uint8Array, dotted: string): Uint8Array[] {
  const want = hex(oidContents(dotted));
  return partsOf(parseDer(der))
    .extensions.filter((e) => hex(e.children![0]!.contents) === want)
    .map((e) => e.children![e.children!.length - 1]!.contents);
}

/** Runs a value reader of 03.9–03.11 on extnValue bytes and checks it read all of them. */
function readValue<T>(read: (r: ByteReader, field: string) => T, value: Uint8Array, what: string): T {
  const r = readerOf(value);
  const result = read(r, what);
  expect(r.remaining, `${what}: bytes left after the value`).to.equal(0);
  return result;
}

/** openssl's GeneralName lines ("DNS:a", "IP Address:1.2.3.4", "IP:10.0.0.0/255.0.0.0", "DirName:…", "email:…", "URI:…"). */
function opensslGeneralNames(lines: string[]): { dnsNames: string[]; ipAddresses: string[]; directoryNames: number; otherForms: number[] } {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], directoryNames: 0, otherForms: [] as number[] };
  const FORMS: Readonly<Record<string, number>> = { othername: 0, email: 1, "X400Name": 3, EdiPartyName: 5, URI: 6, "Registered ID": 8 };
  for (const item of lines.join(", ").split(/, (?=[A-Za-z][A-Za-z0-9 ]*:)/)) {
    const colon = item.indexOf(":");
    const kind = item.slice(0, colon);
    const value = item.slice(colon + 1);
    if (kind === "DNS") out.dnsNames.push(value);
    else if (kind === "IP Address" || kind === "IP") {
      const [address, mask] = value.split("/");
      out.ipAddresses.push(hex(concatBytes(ipBytes(address!), mask === undefined ? new Uint8Array(0) : ipBytes(mask))));
    } else if (kind === "DirName") out.directoryNames++;
    else if (kind in FORMS) out.otherForms.push(FORMS[kind]!);
    else throw new Error(`the test does not know openssl's GeneralName kind "${kind}" in ${item}`);
  }
  return out;
}

const generalNamesShape = (g: GeneralNames) => ({
  dnsNames: g.dnsNames,
  ipAddresses: g.ipAddresses.map(hex),
  directoryNames: g.directoryNames.length,
  otherForms: g.otherForms,
});

/** Exercise 03.9: the subjectAltName values of one certificate against Node and openssl. */
function checkSubjectAltName(e: Entry): void {
  const facts = opensslFacts(e.text);
  const values = extensionValues(e.der, "2.5.29.17");
  const text = facts.extensions.find((x) => x.oid === "2.5.29.17");
  expect(values.length > 0, "openssl and the DER tree agree that a subjectAltName is present").to.equal(text !== undefined);
  if (text === undefined) return;
  const ours = readValue(readSubjectAltName, values[0]!, "subjectAltName");
  expect(generalNamesShape(ours), `subjectAltName (openssl: ${text.lines.join(" ")})`).to.deep.equal(opensslGeneralNames(text.lines));
  const node = nodeSan(e.x.subjectAltName);
  expect({ dnsNames: ours.dnsNames, ipAddresses: ours.ipAddresses.map(hex) }, `DNS names and addresses (Node: ${e.x.subjectAltName})`).to.deep.equal(node);
}

/** Exercise 03.10: basicConstraints, keyUsage, extKeyUsage, authorityKeyIdentifier and authorityInfoAccess values against openssl and Node. */
function checkSmallExtensions(e: Entry): void {
  const facts = opensslFacts(e.text);
  const named = (dotted: string): OpensslExtension | undefined => facts.extensions.find((x) => x.oid === dotted);
  const value = (dotted: string): Uint8Array | undefined => extensionValues(e.der, dotted)[0];

  const bc = named("2.5.29.19");
  if (bc !== undefined) {
    const pathLen = /pathlen:(\d+)/.exec(bc.lines.join(" "))?.[1];
    const expected = { ca: /CA:TRUE/.test(bc.lines.join(" ")), ...(pathLen === undefined ? {} : { pathLen: Number(pathLen) }) };
    expect(readValue(readBasicConstraints, value("2.5.29.19")!, "basicConstraints"), `basicConstraints (openssl: ${bc.lines.join(" ")})`).to.deep.equal(expected);
  }
  const ku = named("2.5.29.15");
  if (ku !== undefined) {
    const expected = ku.lines.join(", ").split(", ").map((w) => {
      const name = KEY_USAGE_WORDS[w];
      if (name === undefined) throw new Error(`the test's KEY_USAGE_WORDS table lacks openssl's "${w}"`);
      return name;
    });
    expect(readValue(readKeyUsage, value("2.5.29.15")!, "keyUsage"), `keyUsage (openssl: ${ku.lines.join(" ")})`).to.deep.equal(expected);
  }
  // Node 20's x.keyUsage is, despite its name, the extended key usage OIDs (renamed extKeyUsage in later Nodes).
  const eku = (e.x as X509Certificate & { extKeyUsage?: string[] }).extKeyUsage ?? e.x.keyUsage;
  expect(named("2.5.29.37") !== undefined, "openssl and Node agree that extKeyUsage is present").to.equal(eku !== undefined);
  if (eku !== undefined) expect(readValue(readExtKeyUsage, value("2.5.29.37")!, "extKeyUsage"), "extKeyUsage (Node's OIDs)").to.deep.equal(eku);

  const aki = named("2.5.29.35");
  if (aki !== undefined) {
    const keyId = aki.lines.find((l) => /^(keyid:)?[0-9A-F]{2}(:[0-9A-F]{2})*$/.test(l))?.replace(/^keyid:/, "").replace(/:/g, "").toLowerCase();
    const ours = readValue(readAuthorityKeyIdentifier, value("2.5.29.35")!, "authorityKeyIdentifier");
    expect(
      { keyIdentifier: ours.keyIdentifier && hex(ours.keyIdentifier), authorityCertIssuer: ours.authorityCertIssuer, authorityCertSerialNumber: ours.authorityCertSerialNumber },
      `authorityKeyIdentifier (openssl: ${aki.lines.join(" ")})`,
    ).to.deep.equal({
      keyIdentifier: keyId,
      authorityCertIssuer: aki.lines.some((l) => l.startsWith("DirName:")),
      authorityCertSerialNumber: aki.lines.some((l) => l.startsWith("serial:")),
    });
  }
  const aia = named("1.3.6.1.5.5.7.1.1");
  if (aia !== undefined) readValue(readAuthorityInfoAccess, value("1.3.6.1.5.5.7.1.1")!, "authorityInfoAccess");
}

/** openssl's "Permitted:" / "Excluded:" blocks of a Name Constraints extension. */
function opensslNameConstraints(lines: string[]) {
  const blocks: Record<string, string[]> = {};
  let current: string | undefined;
  for (const l of lines) {
    if (l === "Permitted:" || l === "Excluded:") blocks[(current = l === "Permitted:" ? "permitted" : "excluded")] = [];
    else if (current !== undefined) blocks[current]!.push(l);
    else throw new Error(`unexpected line in openssl's Name Constraints: ${l}`);
  }
  const shape = (b: string[] | undefined) => (b === undefined ? undefined : opensslGeneralNames(b));
  return { permitted: shape(blocks.permitted), excluded: shape(blocks.excluded) };
}

/** Exercise 03.11: the nameConstraints value of one certificate against openssl. */
function checkNameConstraintsValue(e: Entry): void {
  const text = opensslFacts(e.text).extensions.find((x) => x.oid === "2.5.29.30");
  if (text === undefined) return;
  const ours = readValue(readNameConstraints, extensionValues(e.der, "2.5.29.30")[0]!, "nameConstraints");
  const shape = (g: GeneralNames | undefined) => (g === undefined ? undefined : generalNamesShape(g));
  expect({ permitted: shape(ours.permitted), excluded: shape(ours.excluded) }, `nameConstraints (openssl: ${text.lines.join(" ")})`).to.deep.equal(
    opensslNameConstraints(text.lines),
  );
}

/** All of 03.8–03.11 at once, through parseCertificate: the whole extension list against openssl and Node. */
function checkExtensions(e: Entry): void {
  const facts = opensslFacts(e.text);
  const cert = parseCertificate(e.der);
  const ext = cert.extensions;

  // The whole certificate now: our tbs must be the exact bytes its issuer signed (a light check; where Node finds
  // the issuer in the corpus, its key must verify our tbs and signature bytes).
  const tbs = partsOf(parseDer(e.der)).tbs;
  expectBytes(cert.tbs, e.der.slice(tbs.start, tbs.end), "tbs: the tbsCertificate TLV exactly as sent");
  for (const key of issuersOf(e)) {
    const ok = verifiesOurBytes(facts, key, cert);
    if (ok !== undefined) expect(ok, "the issuer's key verifies our tbs and signature bytes").to.equal(true);
  }
  expect(ext.all, "every extension in order: oid, critical, understood").to.deep.equal(
    facts.extensions.map((x) => ({ oid: x.oid, critical: x.critical, understood: UNDERSTOOD.has(x.oid) })),
  );
  const san = nodeSan(e.x.subjectAltName);
  expect(ext.subjectAltName && { dnsNames: ext.subjectAltName.dnsNames, ipAddresses: ext.subjectAltName.ipAddresses.map(hex) }, `subjectAltName (Node: ${e.x.subjectAltName})`).to.deep.equal(san);
  const eku = (e.x as X509Certificate & { extKeyUsage?: string[] }).extKeyUsage ?? e.x.keyUsage;
  expect(ext.extKeyUsage, "extKeyUsage (Node's OIDs)").to.deep.equal(eku);
  const ski = facts.extensions.find((x) => x.oid === "2.5.29.14")?.lines[0]?.replace(/:/g, "").toLowerCase();
  expect(ext.subjectKeyIdentifier && hex(ext.subjectKeyIdentifier), "subjectKeyIdentifier (openssl)").to.equal(ski);
  for (const [what, present] of [
    ["basicConstraints", "2.5.29.19"],
    ["keyUsage", "2.5.29.15"],
    ["authorityKeyIdentifier", "2.5.29.35"],
    ["nameConstraints", "2.5.29.30"],
  ] as const) {
    expect(ext[what] !== undefined, `${what} is read exactly when openssl lists it`).to.equal(facts.extensions.some((x) => x.oid === present));
  }
}

/** Parsing must fail with a TlsError carrying one of `alerts`, a field, and an offset in [from, to] when given. */
function expectParseError(der: Uint8Array, alerts: readonly number[] = BAD_CERTIFICATE, within?: [number, number]): void {
  let thrown: unknown;
  try {
    parseCertificate(der);
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error("the certificate must be rejected, but it parsed");
  const error = checkTlsError(thrown, der, alerts);
  if (within) expect(error.offset, `the offset in "${error.message}"`).to.be.within(within[0], within[1]);
}

/** `read` on a reader over `bytes` must fail with a TlsError carrying one of `alerts` (and an offset in [from, to]). */
function expectReadError(read: (r: ByteReader) => unknown, bytes: Uint8Array, alerts: readonly number[] = BAD_CERTIFICATE, within?: [number, number]): void {
  let thrown: unknown;
  try {
    read(readerOf(bytes));
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`${showBytes(bytes)} must be rejected, but it was read`);
  const error = checkTlsError(thrown, bytes, alerts);
  if (within) expect(error.offset, `the offset in "${error.message}"`).to.be.within(within[0], within[1]);
}

/** Runs `fn` on each item, naming the first that fails (an unfinished exercise fails as itself). */
function forEvery<V>(items: V[], what: (v: V) => string, fn: (v: V) => void): void {
  for (const item of items) {
    try {
      fn(item);
    } catch (e) {
      if (isNotImplemented(e)) throw e;
      throw new Error(`${what(item)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

const FILE_NAMES = [...listCrt(FIXTURES), ...listCrt(PKI).map((f) => `pki/${f}`)];
const OTHER_NAMES = [
  "RFC 8448 §3 server certificate (RSA)",
  "RFC 8448 §6 server certificate (ECDSA)",
  "RFC 8448 §6 client certificate (RSA)",
  "openssl req: every name string type and extension kind (P-256, ecdsa-with-SHA384)",
  "openssl req: a self-signed Ed25519 certificate (RFC 8410)",
  "openssl req: an Ed448 certificate (key and signature this chapter does not support)",
];
const EDITED_NAMES = [
  "edited: a v1 certificate (no version, no extensions)",
  "edited: a 20-octet serial number (RFC 5280 §4.1.2.2's limit)",
  "edited: a negative serial number (some CAs issued them)",
  "edited: a critical extension nobody understands",
  "edited: an authorityKeyIdentifier without a keyIdentifier",
  `edited: exactly MAX_EXTENSIONS (${MAX_EXTENSIONS}) extensions`,
  "edited: an EC key on secp256k1 (not a curve this chapter supports)",
  "edited: RSASSA-PSS with SHA-1 defaults (unsupported, not an error)",
];

/** The corpus entries of a file: one, or several (#1, #2, …) for a chain file. */
const entriesOf = (name: string): Entry[] => corpus().entries.filter((e) => e.name === name || e.name.startsWith(`${name} #`));

/** leaf-rsa without its extensions: what the tests of 03.7 edit (the version checks below keep them). */
const base = (): Uint8Array => withoutExtensions(entry("pki/leaf-rsa.crt").der);
const full = (): Uint8Array => entry("pki/leaf-rsa.crt").der;

/** 10,000 nested SEQUENCEs, built from the inside out so that every length is right: only the structure is wrong. */
function deeplyNested(): Uint8Array {
  const depth = 10000;
  const sizes = [2];
  for (let i = 1; i < depth; i++) sizes.push(lengthBytes(sizes[i - 1]!).length + 1 + sizes[i - 1]!);
  const parts: Uint8Array[] = [];
  for (let i = depth - 1; i >= 1; i--) parts.push(Uint8Array.from([0x30, ...lengthBytes(sizes[i - 1]!)]));
  parts.push(h("30 00"));
  return concatBytes(...parts);
}

/** `run` must refuse `input` with a TlsError within a second. */
function expectQuickRefusal(what: string, input: Uint8Array, run: () => unknown): void {
  const start = performance.now();
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`${what} accepted 10,000 nested SEQUENCEs`);
  checkTlsError(thrown, input, BAD_CERTIFICATE);
  expect(performance.now() - start, `${what}: milliseconds`).to.be.below(1000);
}

describe("03.5 readName", () => {
  it("03.5 reads the issuer and subject of every certificate in the corpus as Node's X509Certificate does", () => {
    forEvery(corpus().entries, (e) => e.name, checkNames);
  });

  it("03.5 an issuer's Name bytes equal its issuer's subject Name bytes (what path building compares)", () => {
    let pairs = 0;
    const nameAt = (der: Uint8Array, which: "issuer" | "subject"): Uint8Array => {
      const n = partsOf(parseDer(der))[which];
      return readName(readerOf(der.slice(n.start, n.end)), which).der;
    };
    for (const child of corpus().entries) {
      for (const parent of corpus().entries) {
        if (!child.x.checkIssued(parent.x)) continue;
        expectBytes(nameAt(child.der, "issuer"), nameAt(parent.der, "subject"), `${child.name}'s issuer, against ${parent.name}'s subject`);
        pairs++;
      }
    }
    expect(pairs, "issuer/subject pairs found by Node").to.be.greaterThan(10);
  });

  it("03.5 reads an empty Name (allowed when the subjectAltName names the subject, RFC 5280 §4.1.2.6)", () => {
    const name = readName(readerOf(h("30 00")), "subject");
    expect(name.rdns).to.deep.equal([]);
    expect(name.text).to.equal("");
    expectBytes(name.der, h("30 00"), "der");
  });

  it("03.5 rejects a Name with an empty RDN, a non-string value, or a bad string", () => {
    const cn = (value: Uint8Array): Uint8Array => tlv(0x31, tlv(0x30, oid("2.5.4.3"), value));
    const bad: [string, Uint8Array][] = [
      ["an empty RDN (X.501: at least one attribute)", tlv(0x30, h("31 00"))],
      ["an INTEGER value", tlv(0x30, cn(h("02 01 05")))],
      ["a PrintableString with '@'", tlv(0x30, cn(h("13 03 61 40 62")))],
      ["a UTF8String that is not UTF-8", tlv(0x30, cn(h("0c 02 c3 28")))],
      ["a type without a value", tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.3"))))],
      ["a SET where the Name's SEQUENCE goes", tlv(0x31, cn(h("0c 01 61")))],
    ];
    forEvery(bad, ([what]) => what, ([, bytes]) => expectReadError((r) => readName(r, "subject"), bytes));
  });

  it("03.5 rejects 10,000 nested SEQUENCEs quickly", () => {
    const nested = deeplyNested();
    expectQuickRefusal("readName", nested, () => readName(readerOf(nested), "subject"));
  });
});

describe("03.6 readSubjectPublicKeyInfo", () => {
  it("03.6 reads the public key of every certificate in the corpus as Node's X509Certificate does", () => {
    forEvery(corpus().entries, (e) => e.name, checkKey);
  });

  it("03.6 reads RFC 8448 §2's RSA modulus and exponent from §3's server certificate", () => {
    const key = rfc8448RsaKey();
    const der = entry("RFC 8448 §3 server certificate (RSA)").der;
    const p = partsOf(parseDer(der));
    const ours = readSubjectPublicKeyInfo(readerOf(der.slice(p.spki.start, p.spki.end)), "subjectPublicKeyInfo");
    const big = (b: Uint8Array): bigint => BigInt("0x" + hex(b));
    expect(ours).to.deep.include({ kind: "rsa", n: big(key.modulus), e: big(key.publicExponent), bits: 1024, pss: false });
  });

  it("03.6 names a key it cannot use by what it is, name and OID (RFC 8410 §3, RFC 5480 §2.1.1.1): \"Ed448 (1.3.101.113)\", not a bare OID", () => {
    const cases: [string, KeyObject, string][] = [
      ["Ed448", generateKeyPairSync("ed448").publicKey, "Ed448 (1.3.101.113)"],
      ["X448", generateKeyPairSync("x448").publicKey, "X448 (1.3.101.111)"],
      ["P-521", generateKeyPairSync("ec", { namedCurve: "secp521r1" }).publicKey, "EC key on curve secp521r1 (1.3.132.0.35)"],
      ["secp256k1", generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey, "EC key on curve secp256k1 (1.3.132.0.10)"],
    ];
    for (const [what, key, name] of cases) {
      const got = readSubjectPublicKeyInfo(readerOf(new Uint8Array(key.export({ type: "spki", format: "der" }))), "subjectPublicKeyInfo");
      expect(got, `${what}: an unsupported key, named`).to.deep.equal({ kind: "unsupported", name });
    }
  });

  it("03.6 reads the keys Node writes as SubjectPublicKeyInfo", () => {
    const cases: [string, KeyObject][] = [
      ["RSA (server-rsa.crt)", entry("server-rsa.crt").x.publicKey],
      ["P-256 (pki/leaf-p256.crt)", entry("pki/leaf-p256.crt").x.publicKey],
      ["P-384 (pki/leaf-p384.crt)", entry("pki/leaf-p384.crt").x.publicKey],
      ["RSASSA-PSS (pki/leaf-pss.crt)", entry("pki/leaf-pss.crt").x.publicKey],
      ["Ed25519", generateKeyPairSync("ed25519").publicKey],
      ["Ed448", generateKeyPairSync("ed448").publicKey],
      ["RSASSA-PSS restricted to SHA-384, MGF1-SHA-384, salt ≥ 48 (RFC 4055 §3.1)", restrictedPssKey("sha384", "sha384", 48)],
      ["RSASSA-PSS restricted to SHA-256 with MGF1-SHA-512, salt ≥ 20", restrictedPssKey("sha256", "sha512", 20)],
      ["RSASSA-PSS server key (server-rsa-pss.crt)", entry("server-rsa-pss.crt").x.publicKey],
      ["X25519", generateKeyPairSync("x25519").publicKey],
      ["secp256k1", generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey],
      ["P-521", generateKeyPairSync("ec", { namedCurve: "secp521r1" }).publicKey],
    ];
    for (const [what, key] of cases) {
      const spki = new Uint8Array(key.export({ type: "spki", format: "der" }));
      const r = readerOf(concatBytes(spki, h("05 00")));
      const ours = readSubjectPublicKeyInfo(r, "subjectPublicKeyInfo");
      expect(r.offset, `${what}: reads exactly the SubjectPublicKeyInfo`).to.equal(spki.length);
      // The modulus of an RSASSA-PSS key by way of an rsaEncryption twin, which Node can write as JWK.
      const twin = key.asymmetricKeyType === "rsa-pss" ? createPublicKey({ key: Buffer.from(rsaEncryptionTwin(spki)), format: "der", type: "spki" }) : undefined;
      const expected = expectedKey(key, twin && fromBase64Url(twin.export({ format: "jwk" }).n!));
      expect(ourKey({ publicKey: ours } as Certificate), what).to.deep.equal(expected);
    }
  });

  /** leaf-p256's or leaf-rsa's SubjectPublicKeyInfo with its BIT STRING replaced. */
  const spkiWith = (name: string, bitString: Uint8Array): Uint8Array => {
    const der = entry(name).der;
    const p = partsOf(parseDer(der));
    const spki = parseDer(der.slice(p.spki.start, p.spki.end));
    spki.children![1] = nodeOf(bitString);
    return encodeDer(spki);
  };
  const readSpki = (r: ByteReader) => readSubjectPublicKeyInfo(r, "subjectPublicKeyInfo");

  it("03.6 names the keys it cannot use by what they are (Ed448 (1.3.101.113), not a bare OID), and reads a PSS key limited to SHA-1 as unsupported", () => {
    const spkiOf = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ type: "spki", format: "der" }));
    // The OIDs of RFC 8410 §3 (id-X25519, id-X448, id-Ed448) and RFC 3279 §2.3.2 (id-dsa).
    const cases: [string, Uint8Array, string][] = [
      ["Ed448", spkiOf(generateKeyPairSync("ed448").publicKey), "1.3.101.113"],
      ["X25519", spkiOf(generateKeyPairSync("x25519").publicKey), "1.3.101.110"],
      ["X448", spkiOf(generateKeyPairSync("x448").publicKey), "1.3.101.111"],
      // 1024 bits: only the OID is read, and OpenSSL takes about 0.7 s to make the parameters of a 2048-bit DSA key.
      ["DSA", spkiOf(generateKeyPairSync("dsa", { modulusLength: 1024, divisorLength: 160 }).publicKey), "1.2.840.10040.4.1"],
    ];
    forEvery(cases, ([what]) => what, ([what, spki, dotted]) => {
      const key = readSubjectPublicKeyInfo(readerOf(spki), "subjectPublicKeyInfo");
      expect(key.kind, `${what}: kind`).to.equal("unsupported");
      const name = key.kind === "unsupported" ? key.name : "";
      expect(name, `${what}: the name says what the key is`).to.include(what);
      expect(name, `${what}: and its OID`).to.include(`(${dotted})`);
    });
    // An id-RSASSA-PSS key whose parameters are an empty SEQUENCE: every field at its default, SHA-1 (RFC 4055 §3.1).
    const pss = entry("pki/leaf-pss.crt").der;
    const p = partsOf(parseDer(pss));
    const tree = parseDer(pss.slice(p.spki.start, p.spki.end));
    tree.children![0] = nodeOf(tlv(0x30, oid("1.2.840.113549.1.1.10"), h("30 00")));
    const sha1 = readSubjectPublicKeyInfo(readerOf(encodeDer(tree)), "subjectPublicKeyInfo");
    expect(sha1.kind, "an id-RSASSA-PSS key limited to SHA-1").to.equal("unsupported");
    expect(sha1.kind === "unsupported" ? sha1.name : "", "its name").to.match(/RSASSA-PSS.*SHA-1/);
  });

  it("03.6 rejects an Ed25519 key with parameters (RFC 8410 §3: they MUST be absent) or not of 32 bytes", () => {
    const raw = (entry("server-ed25519.crt").x.publicKey.export({ format: "jwk" }).x)!;
    const key = new Uint8Array(Buffer.from(raw, "base64url"));
    const ED25519 = tlv(0x30, oid("1.3.101.112"));
    const keys: [string, Uint8Array][] = [
      ["NULL parameters", tlv(0x30, tlv(0x30, oid("1.3.101.112"), h("05 00")), tlv(0x03, h("00"), key))],
      ["31 bytes", tlv(0x30, ED25519, tlv(0x03, h("00"), key.subarray(1)))],
      ["33 bytes", tlv(0x30, ED25519, tlv(0x03, h("00"), key, h("00")))],
      ["one unused bit", tlv(0x30, ED25519, tlv(0x03, h("01"), key))],
    ];
    const good = readSubjectPublicKeyInfo(readerOf(tlv(0x30, ED25519, tlv(0x03, h("00"), key))), "subjectPublicKeyInfo");
    expect(good, "the same key, well formed").to.deep.equal({ kind: "ed25519", point: key });
    forEvery(keys, ([what]) => what, ([, spki]) => expectReadError(readSpki, spki, READER_ALERTS));
  });

  it("03.6 rejects an EC key that is not an uncompressed point of the curve's size", () => {
    const x = new Uint8Array(32).fill(7);
    const points: [string, Uint8Array][] = [
      ["compressed (SEC 1 §2.3.3)", concatBytes(h("02"), x)],
      ["too short", concatBytes(h("04"), x)],
      ["too long", concatBytes(h("04"), x, x, h("00"))],
      ["not a point encoding", concatBytes(h("05"), x, x)],
    ];
    forEvery(points, ([what]) => what, ([, point]) => expectReadError(readSpki, spkiWith("pki/leaf-p256.crt", tlv(0x03, h("00"), point))));
  });

  it("03.6 rejects an RSA key with an even, too small, or negative value, or a padded BIT STRING", () => {
    const n = (entry("pki/leaf-rsa.crt").x.publicKey.export({ format: "jwk" }).n)!;
    const modulus = concatBytes(h("00"), Buffer.from(n, "base64url"));
    const keys: [string, string, Uint8Array][] = [
      ["e = 65536, even", "00", tlv(0x30, tlv(0x02, modulus), h("02 03 01 00 00"))],
      ["e = 1", "00", tlv(0x30, tlv(0x02, modulus), h("02 01 01"))],
      ["n = -1", "00", tlv(0x30, h("02 01 ff"), h("02 03 01 00 01"))],
      ["no exponent", "00", tlv(0x30, tlv(0x02, modulus))],
      ["one unused bit in the key's BIT STRING", "01", tlv(0x30, tlv(0x02, modulus), h("02 03 01 00 01"))],
      ["a third INTEGER", "00", tlv(0x30, tlv(0x02, modulus), h("02 03 01 00 01 02 01 00"))],
      ["a byte after the RSAPublicKey", "00", concatBytes(tlv(0x30, tlv(0x02, modulus), h("02 03 01 00 01")), h("00"))],
    ];
    forEvery(keys, ([what]) => what, ([, unused, key]) => expectReadError(readSpki, spkiWith("pki/leaf-rsa.crt", tlv(0x03, h(unused), key)), READER_ALERTS));
  });
});

describe("03.7 readCertificate", () => {
  for (const name of FILE_NAMES) {
    it(`03.7 reads ${name} as Node's X509Certificate and openssl do`, () => {
      const entries = entriesOf(name);
      expect(entries.length, name).to.be.greaterThan(0);
      for (const e of entries) checkFields(e);
    });
  }
  for (const name of [...OTHER_NAMES, ...EDITED_NAMES]) {
    it(`03.7 reads the ${name} as Node's X509Certificate and openssl do`, () => checkFields(entry(name)));
  }

  it("03.7 rejects extensions in a v1 certificate (RFC 5280 §4.1.2.9: v3 only)", () => {
    expectParseError(edit(full(), (_, p) => void p.fields.shift()));
  });

  it("03.7 rejects extensions in a v2 certificate", () => {
    expectParseError(edit(full(), (_, p) => void (p.fields[0] = nodeOf(h("a0 03 02 01 01")))));
  });

  it("03.7 rejects a version other than v1, v2, v3 (RFC 5280 §4.1: Version ::= INTEGER { v1(0), v2(1), v3(2) })", () => {
    // Without extensions, so that "extensions need v3" cannot be what refuses it.
    for (const version of ["a0 03 02 01 03", "a0 03 02 01 ff", "a0 03 02 01 80"]) {
      expectParseError(edit(base(), (_, p) => void (p.fields[0] = nodeOf(h(version)))));
    }
  });

  it("03.7 rejects a serial number longer than 20 octets (RFC 5280 §4.1.2.2)", () => {
    expectParseError(edit(base(), (_, p) => void (p.fields[p.serialIndex] = nodeOf(tlv(0x02, h("01" + "00".repeat(20)))))));
  });

  it("03.7 rejects a signatureAlgorithm that differs from tbsCertificate's signature field (RFC 5280 §4.1.1.2)", () => {
    // leaf-rsa is signed with ecdsa-with-SHA256 (1.2.840.10045.4.3.2); the outer copy claims ecdsa-with-SHA384.
    const der = edit(base(), (cert) => void (cert.children![1] = nodeOf(tlv(0x30, oid("1.2.840.10045.4.3.3")))));
    const outer = partsOf(parseDer(der)).signatureAlgorithm;
    expectParseError(der, BAD_CERTIFICATE, [outer.start, outer.end]);
  });

  it("03.7 rejects a signature BIT STRING with unused bits", () => {
    const der = edit(base(), (cert) => {
      const bits = cert.children![2]!.contents.slice();
      bits[0] = 1;
      bits[bits.length - 1]! &= 0xfe; // a valid BIT STRING with one unused bit, which no signature has
      cert.children![2] = nodeOf(tlv(0x03, bits));
    });
    expectParseError(der);
  });

  it("03.7 rejects bytes after the certificate, and an element after signatureValue", () => {
    expectParseError(concatBytes(base(), h("00")));
    expectParseError(edit(base(), (cert) => void cert.children!.push(nodeOf(h("05 00")))), BAD_OR_LEFTOVER);
    expectParseError(edit(base(), (_, p) => void p.fields.push(nodeOf(h("05 00")))), BAD_OR_LEFTOVER);
  });

  it("03.7 rejects an unusable validity: a bad time, or a time in the wrong type", () => {
    const withValidity = (validity: Uint8Array): Uint8Array => edit(base(), (_, p) => void (p.fields[p.serialIndex + 3] = nodeOf(validity)));
    const utc = (t: string): Uint8Array => tlv(0x17, Buffer.from(t, "latin1"));
    expectParseError(withValidity(tlv(0x30, utc("250101000000Z"), utc("250230000000Z"))));
    expectParseError(withValidity(tlv(0x30, utc("250101000000Z"), tlv(0x0c, Buffer.from("260101000000Z")))));
    expectParseError(withValidity(tlv(0x30, utc("250101000000Z"))));
  });

  it("03.7 rejects every truncation: of the certificate, and of tbsCertificate with every length re-encoded", () => {
    const der = withoutExtensions(entry("pki/leaf-p256.crt").der);
    forEvery(truncations(der), (t) => `the first ${t.length} bytes`, (t) => expectParseError(t, BAD_CERTIFICATE));
    // Cut inside: tbsCertificate's fields end early, but every enclosing length is right, so only
    // readCertificate's own reading of the fields can notice that some are missing or cut.
    const fields = concatBytes(...partsOf(parseDer(der)).fields.map(encodeDer));
    const cuts = Array.from({ length: fields.length }, (_, k) => k);
    forEvery(cuts, (k) => `tbsCertificate cut to ${k} of ${fields.length} bytes`, (k) =>
      expectParseError(edit(der, (_, p) => {
        p.tbs.children = undefined;
        p.tbs.contents = fields.slice(0, k);
      })),
    );
  });

  it("03.7 throws only TlsErrors for mutated certificates (or parses them)", () => {
    const names = ["pki/leaf-rsa.crt", "pki/leaf-p384.crt", "pki/leaf-pss.crt", "pki/inter-pss.crt", "RFC 8448 §6 server certificate (ECDSA)"];
    const seeds = names.map((n) => withoutExtensions(entry(n).der));
    assertProperty(
      fc.property(mutationsOf(seeds), (der) => {
        try {
          parseCertificate(der);
        } catch (e) {
          checkTlsError(e, der, BAD_OR_LEFTOVER);
        }
      }),
      NUM_RUNS,
    );
  });

  it("03.7 rejects 10,000 nested SEQUENCEs quickly", () => {
    const nested = deeplyNested();
    expectQuickRefusal("parseCertificate", nested, () => parseCertificate(nested));
  });
});

/** A private OID for the n-th renamed extension: no reader in EXTENSION_READERS knows it. */
const privateOid = (n: number): string => `1.3.6.1.4.1.55555.200.${n}`;

/** A certificate's extensions with every extnID replaced by a private OID (critical flags and values kept). */
function renamedExtensions(der: Uint8Array): { der: Uint8Array; wrapper: Uint8Array; count: number } {
  let count = 0;
  const renamed = edit(der, (_, p) => {
    p.extensions.forEach((e, i) => (e.children![0] = nodeOf(oid(privateOid(i)))));
    count = p.extensions.length;
  });
  const wrapper = partsOf(parseDer(renamed)).extensionsWrapper!;
  return { der: renamed, wrapper: renamed.slice(wrapper.start, wrapper.end), count };
}

const readExtensionsOf = (wrapper: Uint8Array) => readExtensions(readerOf(wrapper), "extensions");

describe("03.8 readExtensions", () => {
  it("03.8 reads every certificate's extension list (each extnID renamed to a private OID, so no value reader runs): critical flags and order as openssl lists them", () => {
    const withExtensions = corpus().entries.filter((e) => partsOf(parseDer(e.der)).extensionsWrapper !== undefined);
    expect(withExtensions.length, "certificates with extensions").to.be.greaterThan(20);
    forEvery(withExtensions, (e) => e.name, (e) => {
      const { wrapper } = renamedExtensions(e.der);
      const r = readerOf(wrapper);
      const ours = readExtensions(r, "extensions");
      expect(r.remaining, "bytes left after the [3] element").to.equal(0);
      expect(ours.all).to.deep.equal(opensslFacts(e.text).extensions.map((x, i) => ({ oid: privateOid(i), critical: x.critical, understood: false })));
    });
  });

  it("03.8 hands a known OID's extnValue to its reader in EXTENSION_READERS (over exactly those bytes) and marks it understood", () => {
    const probe = "1.3.6.1.4.1.55555.201";
    const value = h("30 03 02 01 07");
    const seen: string[] = [];
    const readers = EXTENSION_READERS as Record<string, (v: ByteReader, x: Extensions, f: string) => void>;
    readers[probe] = (v) => void seen.push(hex(v.bytes(v.remaining, "probe value")));
    try {
      const list = tlv(0xa3, tlv(0x30, extensionDer("1.3.6.1.4.1.55555.202", false, h("05 00")), extensionDer(probe, true, value)));
      const ours = readExtensionsOf(list);
      expect(seen, "what the reader was given").to.deep.equal([hex(value)]);
      expect(ours.all).to.deep.equal([
        { oid: "1.3.6.1.4.1.55555.202", critical: false, understood: false },
        { oid: probe, critical: true, understood: true },
      ]);
    } finally {
      delete readers[probe];
    }
  });

  it("03.8 keeps an extension that appears twice, both times (RFC 5280 §4.2 forbids it; validation, not the reader, refuses it)", () => {
    const { der, count } = renamedExtensions(entry("pki/leaf-rsa.crt").der);
    for (let i = 0; i < count; i++) {
      const twice = edit(der, (_, p) => void p.extensions.splice(i + 1, 0, nodeOf(encodeDer(p.extensions[i]!))));
      const w = partsOf(parseDer(twice)).extensionsWrapper!;
      const all = readExtensionsOf(twice.slice(w.start, w.end)).all;
      expect(all.map((x) => x.oid), `extension #${i + 1} repeated`).to.deep.equal([...Array.from({ length: i + 1 }, (_, k) => privateOid(k)), privateOid(i), ...Array.from({ length: count - i - 1 }, (_, k) => privateOid(i + 1 + k))]);
    }
  });

  it(`03.8 reads exactly MAX_EXTENSIONS (${MAX_EXTENSIONS}) extensions and rejects one more`, () => {
    const list = (n: number): Uint8Array => tlv(0xa3, tlv(0x30, ...Array.from({ length: n }, (_, i) => extensionDer(privateOid(i), false, new Uint8Array(0)))));
    expect(readExtensionsOf(list(MAX_EXTENSIONS)).all.length).to.equal(MAX_EXTENSIONS);
    expectReadError((r) => readExtensions(r, "extensions"), list(MAX_EXTENSIONS + 1));
  });

  it("03.8 rejects a critical flag that is not DER's TRUE (01 01 01), an Extension without its extnValue, or with a fourth field", () => {
    const bad: [string, Uint8Array][] = [
      ["critical 01 01 01", tlv(0x30, oid(privateOid(1)), h("01 01 01"), tlv(0x04, h("05 00")))],
      ["no extnValue", tlv(0x30, oid(privateOid(1)), h("01 01 ff"))],
      ["a fourth field", tlv(0x30, oid(privateOid(1)), h("01 01 ff"), tlv(0x04, h("05 00")), h("05 00"))],
      ["extnValue as a BIT STRING", tlv(0x30, oid(privateOid(1)), tlv(0x03, h("00 05 00")))],
    ];
    forEvery(bad, ([what]) => what, ([, ext]) => expectReadError((r) => readExtensions(r, "extensions"), tlv(0xa3, tlv(0x30, ext)), READER_ALERTS));
  });

  it("03.8 reads the extension list cut at each Extension's end, and rejects it cut anywhere else", () => {
    const { der } = renamedExtensions(entry("pki/leaf-rsa.crt").der);
    const list = partsOf(parseDer(der)).extensions.map(encodeDer);
    const contents = concatBytes(...list);
    const ends = new Map(list.map((_, i) => [concatBytes(...list.slice(0, i + 1)).length, i + 1]));
    const cuts = Array.from({ length: contents.length }, (_, k) => k + 1);
    forEvery(cuts, (k) => `the extensions cut to ${k} of ${contents.length} bytes`, (k) => {
      const wrapper = tlv(0xa3, tlv(0x30, contents.slice(0, k)));
      const whole = ends.get(k);
      if (whole === undefined) expectReadError((r) => readExtensions(r, "extensions"), wrapper, READER_ALERTS);
      else expect(readExtensionsOf(wrapper).all.length, "extensions read").to.equal(whole);
    });
  });
});

/** A subjectAltName's value: GeneralNames, a SEQUENCE of these. */
const sanValue = (...names: Uint8Array[]): Uint8Array => tlv(0x30, ...names);
const readSan = (r: ByteReader) => readSubjectAltName(r, "subjectAltName");

describe("03.9 readGeneralName and readSubjectAltName", () => {
  it("03.9 reads the subjectAltName of every certificate in the corpus as Node and openssl do", () => {
    const withSan = corpus().entries.filter((e) => extensionValues(e.der, "2.5.29.17").length > 0);
    expect(withSan.length, "certificates with a subjectAltName").to.be.greaterThan(20);
    forEvery(corpus().entries, (e) => e.name, checkSubjectAltName);
  });

  it("03.9 sorts every GeneralName form (X.509 §9.3.2.1, RFC 5280 §4.2.1.6): dNSName, iPAddress, directoryName kept; the others noted by tag", () => {
    const value = sanValue(
      h("81 0b 61 40 62 2e 65 78 61 6d 70 6c 65"), // [1] rfc822Name a@b.example
      tlv(0x82, Buffer.from("www.example.test")),
      tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.3"), tlv(0x0c, Buffer.from("in a SAN")))))),
      h("86 04 75 3a 2f 2f"), // [6] URI
      h("87 04 0a 01 02 03"),
      h("88 03 2a 03 04"), // [8] registeredID
      tlv(0xa0, oid("1.3.6.1.4.1.55555.3"), tlv(0xa0, tlv(0x0c, Buffer.from("x")))), // [0] otherName
    );
    const ours = readValue(readSubjectAltName, value, "subjectAltName");
    expect({ ...generalNamesShape(ours), directoryNames: ours.directoryNames.map((d) => d.text) }).to.deep.equal({
      dnsNames: ["www.example.test"],
      ipAddresses: ["0a010203"],
      directoryNames: ["CN=in a SAN"],
      otherForms: [1, 6, 8, 0],
    });
  });

  it("03.9 readGeneralName takes an iPAddress of the lengths it is told: 4 or 16 in a SAN, address and mask (8 or 32) in a constraint", () => {
    for (const [bytes, lengths, ok] of [
      [h("87 04 0a 00 00 01"), SAN_IP_LENGTHS, true],
      [h("87 08 0a 00 00 00 ff 00 00 00"), CONSTRAINT_IP_LENGTHS, true],
      [h("87 08 0a 00 00 00 ff 00 00 00"), SAN_IP_LENGTHS, false],
      [h("87 04 0a 00 00 01"), CONSTRAINT_IP_LENGTHS, false],
    ] as const) {
      const read = (r: ByteReader) => {
        const names = emptyGeneralNames();
        readGeneralName(r, "GeneralName", names, lengths);
        return names;
      };
      if (ok) expect(hex(read(readerOf(bytes)).ipAddresses[0]!), `${hex(bytes)} with lengths ${lengths.join("/")}`).to.equal(hex(bytes.slice(2)));
      else expectReadError(read, bytes);
    }
  });

  it("03.9 rejects a subjectAltName iPAddress that is neither 4 nor 16 bytes", () => {
    for (const length of [0, 3, 5, 8, 15, 17]) {
      expectReadError(readSan, sanValue(h("82 09 6c 6f 63 61 6c 68 6f 73 74"), tlv(0x87, new Uint8Array(length).fill(1))));
    }
  });

  it("03.9 rejects a dNSName that is not ASCII (IA5String), an empty subjectAltName, and GeneralNames that are not a SEQUENCE or are cut short", () => {
    const bad: [string, Uint8Array][] = [
      ["a UTF-8 dNSName", sanValue(tlv(0x82, Buffer.from("bücher.example", "utf8")))],
      ["an empty SEQUENCE (GeneralNames is SIZE (1..MAX))", h("30 00")],
      ["an OCTET STRING", h("04 03 82 01 61")],
      ["a GeneralName cut short", h("30 03 82 05 61")],
      ["a directoryName that is no Name", sanValue(tlv(0xa4, h("02 01 05")))],
    ];
    forEvery(bad, ([what]) => what, ([, value]) => expectReadError(readSan, value, READER_ALERTS));
  });
});

describe("03.10 basicConstraints, keyUsage, extKeyUsage, authorityKeyIdentifier, authorityInfoAccess", () => {
  it("03.10 reads those extensions of every certificate in the corpus as openssl and Node do", () => {
    forEvery(corpus().entries, (e) => e.name, checkSmallExtensions);
  });

  it("03.10 rejects extension values that are not what their OID says, or carry trailing bytes", () => {
    const bad: [string, (r: ByteReader) => unknown, Uint8Array][] = [
      ["keyUsage as an INTEGER", (r) => readKeyUsage(r, "keyUsage"), h("02 01 05")],
      ["keyUsage with set padding bits", (r) => readKeyUsage(r, "keyUsage"), h("03 02 07 81")],
      ["basicConstraints as a SET", (r) => readBasicConstraints(r, "basicConstraints"), h("31 03 01 01 ff")],
      ["basicConstraints with cA 01", (r) => readBasicConstraints(r, "basicConstraints"), h("30 03 01 01 01")],
      ["basicConstraints with a negative pathLen", (r) => readBasicConstraints(r, "basicConstraints"), h("30 06 01 01 ff 02 01 ff")],
      ["basicConstraints with a third field", (r) => readBasicConstraints(r, "basicConstraints"), h("30 06 01 01 ff 05 01 00")],
      ["extKeyUsage holding an INTEGER", (r) => readExtKeyUsage(r, "extKeyUsage"), h("30 03 02 01 01")],
      ["extKeyUsage with a bad OID", (r) => readExtKeyUsage(r, "extKeyUsage"), h("30 03 06 01 80")],
      ["authorityKeyIdentifier as an OCTET STRING", (r) => readAuthorityKeyIdentifier(r, "authorityKeyIdentifier"), h("04 02 01 02")],
      ["authorityKeyIdentifier with its fields out of order", (r) => readAuthorityKeyIdentifier(r, "authorityKeyIdentifier"), h("30 07 82 01 05 80 02 01 02")],
      ["authorityInfoAccess that is empty", (r) => readAuthorityInfoAccess(r, "authorityInfoAccess"), h("30 00")],
      ["authorityInfoAccess without a location", (r) => readAuthorityInfoAccess(r, "authorityInfoAccess"), tlv(0x30, tlv(0x30, oid("1.3.6.1.5.5.7.48.2")))],
      ["authorityInfoAccess with a location cut short", (r) => readAuthorityInfoAccess(r, "authorityInfoAccess"), tlv(0x30, tlv(0x30, oid("1.3.6.1.5.5.7.48.2"), h("86 09 68 74")))],
    ];
    forEvery(bad, ([what]) => what, ([, read, value]) => expectReadError(read, value, READER_ALERTS));
  });

  it("03.10 reads an authorityKeyIdentifier with all three fields, with none, and with only the issuer and serial", () => {
    const issuer = tlv(0xa1, tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.3"), tlv(0x0c, Buffer.from("ca")))))));
    const cases: [string, Uint8Array, object][] = [
      ["all three", tlv(0x30, h("80 02 01 02"), issuer, h("82 01 05")), { keyIdentifier: "0102", authorityCertIssuer: true, authorityCertSerialNumber: true }],
      ["none", h("30 00"), { keyIdentifier: undefined, authorityCertIssuer: false, authorityCertSerialNumber: false }],
      ["issuer and serial", tlv(0x30, issuer, h("82 01 05")), { keyIdentifier: undefined, authorityCertIssuer: true, authorityCertSerialNumber: true }],
    ];
    for (const [what, value, expected] of cases) {
      const ours = readValue(readAuthorityKeyIdentifier, value, "authorityKeyIdentifier");
      expect({ ...ours, keyIdentifier: ours.keyIdentifier && hex(ours.keyIdentifier) }, what).to.deep.equal(expected);
    }
  });
});

const readNc = (r: ByteReader) => readNameConstraints(r, "nameConstraints");
const subtree = (name: Uint8Array): Uint8Array => tlv(0x30, name);

describe("03.11 readNameConstraints", () => {
  it("03.11 reads the nameConstraints of every certificate in the corpus that has one as openssl does", () => {
    const constrained = corpus().entries.filter((e) => extensionValues(e.der, "2.5.29.30").length > 0);
    expect(constrained.map((e) => e.name), "certificates with nameConstraints").to.include.members(["pki/inter-nc-excluded.crt", "pki/inter-nc-permitted.crt"]);
    forEvery(constrained, (e) => e.name, checkNameConstraintsValue);
  });

  it("03.11 reads both lists and every form: dNSName, iPAddress with its mask, directoryName, others by tag", () => {
    const value = tlv(
      0x30,
      tlv(0xa0, subtree(tlv(0x82, Buffer.from("corp.test"))), subtree(h("87 08 0a 00 00 00 ff 00 00 00")), subtree(h("81 05 2e 63 6f 72 70"))),
      tlv(0xa1, subtree(tlv(0x82, Buffer.from(".bank.test"))), subtree(tlv(0x87, new Uint8Array(16), new Uint8Array(16).fill(0xff))), subtree(tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.10"), tlv(0x0c, Buffer.from("x")))))))),
    );
    const ours = readValue(readNameConstraints, value, "nameConstraints");
    const shape = (g: GeneralNames | undefined) => g && { ...generalNamesShape(g), directoryNames: g.directoryNames.map((d) => d.text) };
    expect({ permitted: shape(ours.permitted), excluded: shape(ours.excluded) }).to.deep.equal({
      permitted: { dnsNames: ["corp.test"], ipAddresses: ["0a000000ff000000"], directoryNames: [], otherForms: [1] },
      excluded: { dnsNames: [".bank.test"], ipAddresses: ["00".repeat(16) + "ff".repeat(16)], directoryNames: ["O=x"], otherForms: [] },
    });
  });

  it("03.11 rejects what RFC 5280 §4.2.1.10 rules out: no list at all, an empty list, minimum or maximum, a wildcard or empty label, a mask with a gap, an address without its mask", () => {
    const bad: [string, Uint8Array][] = [
      ["an empty NameConstraints", h("30 00")],
      ["an empty permittedSubtrees", h("30 02 a0 00")],
      ["both lists empty", h("30 04 a0 00 a1 00")],
      ["a minimum", tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x82, Buffer.from("a.test")), h("80 01 01"))))],
      ["a maximum", tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x82, Buffer.from("a.test")), h("81 01 02"))))],
      ["a wildcard dNSName", tlv(0x30, tlv(0xa0, subtree(tlv(0x82, Buffer.from("*.a.test")))))],
      ["an empty label", tlv(0x30, tlv(0xa1, subtree(tlv(0x82, Buffer.from("a..test")))))],
      ["a mask with a gap (255.0.255.0)", tlv(0x30, tlv(0xa0, subtree(h("87 08 0a 00 00 00 ff 00 ff 00"))))],
      ["an IPv4 address without its mask", tlv(0x30, tlv(0xa0, subtree(h("87 04 0a 00 00 00"))))],
      ["the lists swapped ([1] before [0])", tlv(0x30, tlv(0xa1, subtree(tlv(0x82, Buffer.from("b.test")))), tlv(0xa0, subtree(tlv(0x82, Buffer.from("a.test")))))],
    ];
    forEvery(bad, ([what]) => what, ([, value]) => expectReadError(readNc, value, READER_ALERTS));
  });
});

describe("03.8–03.11 every extension, through parseCertificate", () => {
  for (const name of FILE_NAMES) {
    it(`03.11 reads the extensions of ${name} as openssl and Node do`, () => {
      for (const e of entriesOf(name)) checkExtensions(e);
    });
  }
  for (const name of [...OTHER_NAMES, ...EDITED_NAMES.filter((n) => !n.includes("v1 certificate"))]) {
    it(`03.11 reads the extensions of the ${name} as openssl and Node do`, () => checkExtensions(entry(name)));
  }

  it("03.11 keeps an unknown critical extension as not understood, for validation to refuse (pki/critical-unknown.crt)", () => {
    const e = entriesOf("pki/critical-unknown.crt")[0];
    if (e === undefined) throw new Error("tests/fixtures/pki/critical-unknown.crt is missing");
    const unknown = opensslFacts(e.text).extensions.filter((x) => x.critical && !UNDERSTOOD.has(x.oid));
    expect(unknown.length, "openssl sees a critical extension outside the ones this chapter reads").to.be.greaterThan(0);
    const all = parseCertificate(e.der).extensions.all;
    for (const x of unknown) expect(all).to.deep.include({ oid: x.oid, critical: true, understood: false });
  });

  it("03.11 throws only TlsErrors for mutated certificates with extensions (or parses them)", () => {
    const names = ["pki/leaf-rsa.crt", "pki/leaf-pss.crt", "pki/critical-unknown.crt", "pki/inter-ec.crt", "pki/inter-nc-permitted.crt", "openssl req: every name string type and extension kind (P-256, ecdsa-with-SHA384)"];
    const seeds = names.flatMap((n) => entriesOf(n).map((e) => e.der));
    assertProperty(
      fc.property(mutationsOf(seeds), (der) => {
        try {
          parseCertificate(der);
        } catch (e) {
          checkTlsError(e, der, BAD_OR_LEFTOVER);
        }
      }),
      NUM_RUNS,
    );
  });
});
