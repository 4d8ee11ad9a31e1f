// X.509 v3 certificates: the structure a server sends to prove who it is. A certificate is the CA's signature
// over "to-be-signed" bytes (tbsCertificate) that bind a name to a public key for a time; we keep those exact
// bytes, because the signature covers them and not any re-encoding. Read RFC 5280 §4.1 (the structure), §4.2
// (extensions: §4.2.1.6 names, §4.2.1.10 name constraints), RFC 8017 Appendix A (RSA keys), RFC 5480 §2 (EC keys),
// RFC 4055 §3.1 (RSA-PSS parameters, in a signature and in a key) and RFC 8410 §3 (Ed25519 keys).
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { equalBytes } from "../../lib/hex.js";
import { describeOid } from "../../lib/oid-names.js";
import {
  Tag,
  contextTag,
  derError,
  peekTag,
  readAny,
  readBitString,
  readBoolean,
  readElement,
  readInteger,
  readNull,
  readOctetString,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  tagName,
  latin1,
  TAG_NUMBER_MASK,
} from "./der.js";
import type { EcCurve } from "./ecdsa.js";
import type { HashName } from "./hashes.js";

/** Object identifiers this chapter understands, with the document that assigns each. */
export const Oid = {
  // Public keys
  rsaEncryption: "1.2.840.113549.1.1.1", // RFC 8017 Appendix A.1
  rsassaPss: "1.2.840.113549.1.1.10", // RFC 4055 §3.1 (as a key: RSA usable only for PSS)
  ecPublicKey: "1.2.840.10045.2.1", // RFC 5480 §2.1.1
  secp256r1: "1.2.840.10045.3.1.7", // RFC 5480 §2.1.1.1 (P-256)
  secp384r1: "1.3.132.0.34", // RFC 5480 §2.1.1.1 (P-384)
  ed25519: "1.3.101.112", // RFC 8410 §3 (id-Ed25519: a key, and the signature algorithm of what it signs)
  // Keys and signatures this chapter names but does not check (RFC 8410 §3, RFC 3279 §2.2, §2.3)
  ed448: "1.3.101.113",
  x25519: "1.3.101.110",
  x448: "1.3.101.111",
  dsa: "1.2.840.10040.4.1",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  ecdsaWithSHA1: "1.2.840.10045.4.1",
  // Signature algorithms
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11", // RFC 8017 Appendix A.2.4
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2", // RFC 5758 §3.2
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  // Hashes and MGF1, for RSA-PSS parameters
  sha256: "2.16.840.1.101.3.4.2.1", // RFC 5758 §2
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  mgf1: "1.2.840.113549.1.1.8", // RFC 8017 Appendix B.2.1
  // Extensions (RFC 5280 §4.2.1)
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1", // RFC 5280 §4.2.2.1
  // Access methods inside authorityInfoAccess (RFC 5280 §4.2.2.1)
  ocsp: "1.3.6.1.5.5.7.48.1",
  caIssuers: "1.3.6.1.5.5.7.48.2",
  // Extended key usages (RFC 5280 §4.2.1.12)
  anyExtendedKeyUsage: "2.5.29.37.0",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** OID → its name, for the notes of a DER dump: "1.2.840.10045.4.3.2" reads as "ecdsaWithSHA256". */
export const OID_NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(Oid).map(([name, oid]) => [oid, name]));

/** How people write the algorithms whose OIDs this chapter knows, for messages about keys and signatures. */
const ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  [Oid.rsaEncryption]: "RSA",
  [Oid.rsassaPss]: "RSASSA-PSS",
  [Oid.ecPublicKey]: "EC",
  [Oid.ed25519]: "Ed25519",
  [Oid.ed448]: "Ed448",
  [Oid.dsa]: "DSA",
  [Oid.sha1WithRSAEncryption]: "sha1WithRSAEncryption (SHA-1)",
  [Oid.ecdsaWithSHA1]: "ecdsa-with-SHA1 (SHA-1)",
};

/**
 * An algorithm named by what it is and its OID, "Ed448 (1.3.101.113)", so that a refusal says what the server
 * chose: this chapter's names first, then lib/oid-names.ts's table ("secp521r1 (1.3.132.0.35)", "unknown algorithm
 * (1.2.3.4)").
 */
export function algorithmName(oid: string): string {
  const name = ALGORITHM_NAMES[oid];
  return name === undefined ? describeOid(oid) : `${name} (${oid})`;
}

/** readOid, plus the OID's name (when this chapter knows it) in the notes. */
export function readKnownOid(r: ByteReader, field: string): string {
  const oid = readOid(r, field);
  const name = OID_NAMES[oid] ?? ATTRIBUTE_NAMES[oid];
  if (name !== undefined) r.describe(name);
  return oid;
}

/** Short names for the attributes of a distinguished name (RFC 4519 §2, RFC 5280 Appendix A.1). */
export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.25": "DC",
};

/** A distinguished name: RDNs in the order they were encoded, each a set of type=value pairs. */
export interface Name {
  rdns: { type: string; name: string; value: string }[][];
  /** "CN=…, O=…" in encoded order, for people. */
  text: string;
  /** The exact DER, which is what path building compares. */
  der: Uint8Array;
}

/**
 * RSASSA-PSS parameters (RFC 4055 §3.1): the hash of the message, the hash inside MGF1 and the salt length. In a
 * signature algorithm they say how that signature was made; in an id-RSASSA-PSS key they are the only hash and MGF1
 * hash the key may sign with, and the shortest salt.
 */
export interface PssParameters {
  hash: HashName;
  mgfHash: HashName;
  saltLength: number;
}

/** How a certificate is signed, read from an AlgorithmIdentifier. */
export type SignatureAlgorithm =
  | { kind: "rsa-pkcs1"; hash: HashName; name: string }
  | ({ kind: "rsa-pss"; name: string } & PssParameters)
  | { kind: "ecdsa"; hash: HashName; name: string }
  /** RFC 8410 §6: PureEdDSA over the tbsCertificate itself (no hash first), parameters absent. */
  | { kind: "ed25519"; name: string }
  | { kind: "unsupported"; name: string };

/**
 * The subject's public key. `pss` marks an RSA key restricted to RSA-PSS (RFC 4055 §1.2); `pssParameters`, when
 * the key's AlgorithmIdentifier carries them, restrict it further (RFC 4055 §3.1). An Ed25519 key is the 32-byte
 * encoding of a point (RFC 8032 §5.1.5).
 */
export type PublicKey =
  | { kind: "rsa"; n: bigint; e: bigint; bits: number; pss: boolean; pssParameters?: PssParameters }
  | { kind: "ec"; curve: EcCurve; point: Uint8Array }
  | { kind: "ed25519"; point: Uint8Array }
  | { kind: "unsupported"; name: string };

/** "RSA-2048", "RSA-2048 (PSS only: SHA-256, MGF1-SHA-256, salt ≥ 32)", "ECDSA P-256", "Ed25519": for details and errors. */
export function describeKey(key: PublicKey): string {
  switch (key.kind) {
    case "rsa": {
      const p = key.pssParameters;
      const only = p === undefined ? " (PSS only)" : ` (PSS only: ${p.hash}, MGF1-${p.mgfHash}, salt ≥ ${p.saltLength})`;
      return `RSA-${key.bits}${key.pss ? only : ""}`;
    }
    case "ec":
      return `ECDSA ${key.curve}`;
    case "ed25519":
      return "Ed25519";
    default:
      return `unsupported key ${key.name}`;
  }
}

/** The keyUsage bits (RFC 5280 §4.2.1.3), bit 0 first. */
export const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

/**
 * The names of a GeneralNames list (RFC 5280 §4.2.1.6) that this chapter reads, by form, in order. The same shape
 * holds a subjectAltName and the subtrees of nameConstraints (where an iPAddress is an address and a mask).
 */
export interface GeneralNames {
  /** [2] dNSName: IA5String text, e.g. "www.example.test" or "*.example.test". */
  dnsNames: string[];
  /** [7] iPAddress: 4 or 16 bytes in a subjectAltName; address || mask, 8 or 32 bytes, in nameConstraints. */
  ipAddresses: Uint8Array[];
  /** [4] directoryName: a Name, like a subject. */
  directoryNames: Name[];
  /** The tag numbers of the other forms present (1 rfc822Name, 6 URI, …), which this chapter does not interpret. */
  otherForms: number[];
}

/** An empty GeneralNames, to fill. */
export function emptyGeneralNames(): GeneralNames {
  return { dnsNames: [], ipAddresses: [], directoryNames: [], otherForms: [] };
}

/** nameConstraints (RFC 5280 §4.2.1.10): the names a CA may certify (permitted) and may not (excluded). */
export interface NameConstraints {
  permitted?: GeneralNames;
  excluded?: GeneralNames;
}

/** authorityKeyIdentifier (RFC 5280 §4.2.1.1): which key of the issuer signed, and whether the other two fields are there. */
export interface AuthorityKeyIdentifier {
  keyIdentifier?: Uint8Array;
  /** [1] authorityCertIssuer is present. */
  authorityCertIssuer: boolean;
  /** [2] authorityCertSerialNumber is present. */
  authorityCertSerialNumber: boolean;
}

/** The extensions this chapter acts on; absent ones are undefined. */
export interface Extensions {
  subjectAltName?: GeneralNames;
  basicConstraints?: { ca: boolean; pathLen?: number };
  keyUsage?: KeyUsage[];
  /** Extended key usage OIDs, e.g. Oid.serverAuth. */
  extKeyUsage?: string[];
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: AuthorityKeyIdentifier;
  nameConstraints?: NameConstraints;
  /**
   * Every extension, in order, with whether this chapter understood it. An OID may appear twice here: RFC 5280
   * §4.2 forbids that, and validation refuses the certificate (a bad certificate, not a bad encoding).
   */
  all: { oid: string; critical: boolean; understood: boolean }[];
}

/** One parsed certificate. */
export interface Certificate {
  /** The whole certificate as received. */
  der: Uint8Array;
  /** tbsCertificate exactly as received: the bytes the issuer signed. */
  tbs: Uint8Array;
  /** 1, 2 or 3 (the DER holds 0, 1 or 2). */
  version: number;
  serial: bigint;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKey;
  extensions: Extensions;
  signatureAlgorithm: SignatureAlgorithm;
  /** The signature bits (signatureValue's BIT STRING contents). */
  signature: Uint8Array;
}

const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  [Oid.sha256]: "SHA-256",
  [Oid.sha384]: "SHA-384",
  [Oid.sha512]: "SHA-512",
};

const PKCS1_SIGNATURES: Readonly<Record<string, HashName>> = {
  [Oid.sha256WithRSAEncryption]: "SHA-256",
  [Oid.sha384WithRSAEncryption]: "SHA-384",
  [Oid.sha512WithRSAEncryption]: "SHA-512",
};

const ECDSA_SIGNATURES: Readonly<Record<string, HashName>> = {
  [Oid.ecdsaWithSHA256]: "SHA-256",
  [Oid.ecdsaWithSHA384]: "SHA-384",
  [Oid.ecdsaWithSHA512]: "SHA-512",
};

/** The RSA-PSS defaults when a parameter is absent (RFC 4055 §3.1): SHA-1, MGF1 with SHA-1, salt 20. */
const PSS_DEFAULT_SALT = 20;

/** A hash AlgorithmIdentifier inside PSS parameters; SHA-1 and others are not supported here. */
function readHashAlgorithm(r: ByteReader, field: string): HashName | undefined {
  const body = readElement(r, Tag.SEQUENCE, field);
  const oid = readKnownOid(body, `${field} algorithm`);
  // The parameters of a SHA-2 identifier are absent or NULL (RFC 5754 §2); accept both.
  if (peekTag(body) === Tag.NULL) readNull(body, `${field} parameters`);
  body.end(field);
  return HASH_BY_OID[oid];
}

/** RSASSA-PSS-params (RFC 4055 §3.1): hash [0], maskGen [1], saltLength [2], trailerField [3], all with defaults. */
export function readPssParameters(r: ByteReader, field: string): SignatureAlgorithm {
  const body = readElement(r, Tag.SEQUENCE, field);
  let hash: HashName | undefined;
  let mgfHash: HashName | undefined;
  let saltLength = PSS_DEFAULT_SALT;
  let defaults = true;
  if (peekTag(body) === contextTag(0, true)) {
    const wrapper = readElement(body, contextTag(0, true), `${field} hashAlgorithm`);
    hash = readHashAlgorithm(wrapper, `${field} hashAlgorithm`);
    wrapper.end(`${field} hashAlgorithm`);
    defaults = false;
  }
  if (peekTag(body) === contextTag(1, true)) {
    const wrapper = readElement(body, contextTag(1, true), `${field} maskGenAlgorithm`);
    const mgf = readElement(wrapper, Tag.SEQUENCE, `${field} maskGenAlgorithm`);
    wrapper.end(`${field} maskGenAlgorithm`);
    const mgfOid = readKnownOid(mgf, `${field} maskGenAlgorithm algorithm`);
    const inner = readHashAlgorithm(mgf, `${field} MGF1 hash`);
    mgf.end(`${field} maskGenAlgorithm`);
    mgfHash = mgfOid === Oid.mgf1 ? inner : undefined;
  }
  if (peekTag(body) === contextTag(2, true)) {
    const salt = readElement(body, contextTag(2, true), `${field} saltLength`);
    saltLength = readSmallInteger(salt, `${field} saltLength`, 1024);
    salt.end(`${field} saltLength`);
  }
  if (peekTag(body) === contextTag(3, true)) {
    const trailer = readElement(body, contextTag(3, true), `${field} trailerField`);
    const at = trailer.offset;
    // trailerFieldBC (1), meaning the 0xbc byte, is the only value ever defined (RFC 4055 §3.1).
    if (readSmallInteger(trailer, `${field} trailerField`, 255) !== 1) throw derError(`${field} trailerField`, at, "must be 1");
    trailer.end(`${field} trailerField`);
  }
  body.end(field);
  if (hash === undefined || mgfHash === undefined || defaults) {
    return { kind: "unsupported", name: `RSASSA-PSS with SHA-1 or an unknown hash/MGF (${Oid.rsassaPss})` };
  }
  return { kind: "rsa-pss", hash, mgfHash, saltLength, name: `RSASSA-PSS (${hash}, MGF1-${mgfHash}, salt ${saltLength})` };
}

/** A signature AlgorithmIdentifier (RFC 5280 §4.1.1.2). Unknown ones are kept as "unsupported", not refused here. */
export function readSignatureAlgorithm(r: ByteReader, field: string): SignatureAlgorithm {
  const body = readElement(r, Tag.SEQUENCE, field);
  const oid = readKnownOid(body, `${field} algorithm`);
  let algorithm: SignatureAlgorithm;
  if (oid in PKCS1_SIGNATURES) {
    // RFC 8017 Appendix A.2.4: the parameters are NULL; some encoders omit them, which RFC 4055 §5 tolerates.
    if (peekTag(body) === Tag.NULL) readNull(body, `${field} parameters`);
    const hash = PKCS1_SIGNATURES[oid];
    algorithm = { kind: "rsa-pkcs1", hash, name: `${hash.replace("-", "").toLowerCase()}WithRSAEncryption` };
  } else if (oid in ECDSA_SIGNATURES) {
    // RFC 5758 §3.2: the parameters MUST be absent.
    const hash = ECDSA_SIGNATURES[oid];
    algorithm = { kind: "ecdsa", hash, name: `ecdsa-with-${hash.replace("-", "")}` };
  } else if (oid === Oid.rsassaPss) {
    algorithm = readPssParameters(body, `${field} parameters`);
  } else if (oid === Oid.ed25519) {
    // RFC 8410 §3: "the parameters MUST be absent".
    if (body.remaining > 0) throw derError(`${field} parameters`, body.offset, "id-Ed25519 has no parameters (RFC 8410 §3)");
    algorithm = { kind: "ed25519", name: "Ed25519" };
  } else {
    // e.g. sha1WithRSAEncryption or Ed448: parse past it, let validation refuse it, naming what it is.
    if (body.remaining > 0) readAny(body, `${field} parameters`);
    algorithm = { kind: "unsupported", name: algorithmName(oid) };
  }
  body.end(field);
  return algorithm;
}

/** A Name (RFC 5280 §4.1.2.4): SEQUENCE OF RelativeDistinguishedName, each a SET OF AttributeTypeAndValue. */
export function readName(r: ByteReader, field: string): Name {
  // EXERCISE 03.5: readAny(r, field) gives the whole Name TLV (keep its `der`, path building compares those
  // bytes) and a reader over it, after checking the tag is SEQUENCE. Inside: zero or more SETs, each with one
  // or more SEQUENCE { type OBJECT IDENTIFIER, value (any string type: readString) }. Keep them as
  // { type: oid, name: ATTRIBUTE_NAMES[oid] ?? oid, value }. `text` is "name=value" pairs joined with ", "
  // (pairs of one RDN joined with "+"). Call .end() on every reader. (RFC 5280 §4.1.2.4, Appendix A.1)
  const at = r.offset;
  const element = readAny(r, field);
  if (element.tag !== Tag.SEQUENCE) throw derError(field, at, `expected SEQUENCE, found ${tagName(element.tag)}`);
  const body = element.contents;
  const rdns: Name["rdns"] = [];
  while (body.remaining > 0) {
    const set = readElement(body, Tag.SET, `${field} RDN`);
    const rdn: Name["rdns"][number] = [];
    do {
      const pair = readElement(set, Tag.SEQUENCE, `${field} attribute`);
      const type = readKnownOid(pair, `${field} attribute type`);
      const name = ATTRIBUTE_NAMES[type] ?? type;
      const value = readString(pair, `${field} ${name}`);
      pair.end(`${field} attribute`);
      rdn.push({ type, name, value });
    } while (set.remaining > 0);
    set.end(`${field} RDN`);
    rdns.push(rdn);
  }
  body.end(field);
  const text = rdns.map((rdn) => rdn.map((a) => `${a.name}=${a.value}`).join("+")).join(", ");
  return { rdns, text, der: element.der };
  // END 03.5
}

/** The uncompressed point sizes (RFC 5480 §2.2: 04 || X || Y) and the curves they belong to. */
const CURVES: Readonly<Record<string, { curve: EcCurve; pointLength: number }>> = {
  [Oid.secp256r1]: { curve: "P-256", pointLength: 65 },
  [Oid.secp384r1]: { curve: "P-384", pointLength: 97 },
};
/** SEC 1 §2.3.3: an uncompressed point starts with 0x04. */
const UNCOMPRESSED_POINT = 0x04;
/** RFC 8410 §3, RFC 8032 §5.1.5: an Ed25519 public key is 32 bytes, the encoding of a point. */
export const ED25519_KEY_LENGTH = 32;

/** SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): an AlgorithmIdentifier and the key in a BIT STRING. */
export function readSubjectPublicKeyInfo(r: ByteReader, field: string): PublicKey {
  // EXERCISE 03.6: SEQUENCE { SEQUENCE { algorithm OID, parameters }, subjectPublicKey BIT STRING }.
  // rsaEncryption: parameters NULL; the BIT STRING's bytes are DER again: RSAPublicKey SEQUENCE { n, e }
  // (RFC 8017 A.1.1) — read them from the BIT STRING's own reader after its unused-bits byte, so offsets stay
  // absolute; require n > 0, odd e ≥ 3. id-RSASSA-PSS: the same key, pss: true; parameters optional: when there,
  // read them with readPssParameters (given) and keep hash, mgfHash and saltLength as pssParameters — or, if it
  // says "unsupported" (SHA-1 defaults), the key is { kind: "unsupported", name } with that name. id-ecPublicKey:
  // parameters are the namedCurve OID; take P-256/P-384 from CURVES and require an uncompressed point (0x04, right
  // length). id-Ed25519: NO parameters (a derError if there are any), a key of ED25519_KEY_LENGTH bytes, kept as
  // point. bits = n.toString(2).length. Anything else: { kind: "unsupported", name: algorithmName(oid) }, not an
  // error. A BIT STRING with unused bits is an error. (RFC 5280 §4.1.2.7, RFC 5480 §2, RFC 4055 §1.2, §3.1,
  // RFC 8410 §3)
  const body = readElement(r, Tag.SEQUENCE, field);
  const algorithm = readElement(body, Tag.SEQUENCE, `${field} algorithm`);
  const oid = readKnownOid(algorithm, `${field} algorithm`);
  let key: PublicKey;
  const keyField = `${field} subjectPublicKey`;
  if (oid === Oid.rsaEncryption || oid === Oid.rsassaPss) {
    if (oid === Oid.rsaEncryption) readNull(algorithm, `${field} parameters`);
    // Absent parameters let an id-RSASSA-PSS key sign with any; present ones restrict it to them (RFC 4055 §3.1).
    const only = oid === Oid.rsassaPss && algorithm.remaining > 0 ? readPssParameters(algorithm, `${field} parameters`) : undefined;
    // Read the BIT STRING by hand so that the RSAPublicKey inside keeps absolute offsets and nested notes.
    const bitString = readElement(body, Tag.BIT_STRING, keyField);
    const at = bitString.offset;
    if (bitString.remaining < 1 || bitString.bytes(1, `${keyField} unused bits`)[0] !== 0) {
      throw derError(keyField, at, "the key's BIT STRING must have 0 unused bits");
    }
    const rsa = readElement(bitString, Tag.SEQUENCE, `${keyField} RSAPublicKey`);
    bitString.end(keyField);
    const n = readInteger(rsa, `${keyField} modulus`);
    const e = readInteger(rsa, `${keyField} publicExponent`);
    rsa.end(`${keyField} RSAPublicKey`);
    if (n <= 0n || e < 3n || e % 2n === 0n) throw derError(keyField, at, "RSA modulus must be positive and the exponent odd and ≥ 3");
    key = { kind: "rsa", n, e, bits: n.toString(2).length, pss: oid === Oid.rsassaPss };
    if (only?.kind === "unsupported") key = { kind: "unsupported", name: `an id-RSASSA-PSS key restricted to ${only.name}` };
    else if (only?.kind === "rsa-pss") key.pssParameters = { hash: only.hash, mgfHash: only.mgfHash, saltLength: only.saltLength };
  } else if (oid === Oid.ecPublicKey) {
    const curveOid = readKnownOid(algorithm, `${field} namedCurve`);
    const at = body.offset;
    const bits = readBitString(body, keyField);
    const known = CURVES[curveOid];
    if (known === undefined) {
      key = { kind: "unsupported", name: `EC key on curve ${algorithmName(curveOid)}` };
    } else if (bits.unusedBits !== 0 || bits.bytes.length !== known.pointLength || bits.bytes[0] !== UNCOMPRESSED_POINT) {
      throw derError(keyField, at, `a ${known.curve} key is an uncompressed point: 04 and ${known.pointLength - 1} bytes`);
    } else {
      key = { kind: "ec", curve: known.curve, point: bits.bytes };
    }
  } else if (oid === Oid.ed25519) {
    if (algorithm.remaining > 0) throw derError(`${field} parameters`, algorithm.offset, "id-Ed25519 has no parameters (RFC 8410 §3)");
    const at = body.offset;
    const bits = readBitString(body, keyField);
    if (bits.unusedBits !== 0 || bits.bytes.length !== ED25519_KEY_LENGTH) {
      throw derError(keyField, at, `an Ed25519 key is ${ED25519_KEY_LENGTH} bytes (RFC 8410 §3)`);
    }
    key = { kind: "ed25519", point: bits.bytes };
  } else {
    if (algorithm.remaining > 0) readAny(algorithm, `${field} parameters`);
    readBitString(body, keyField);
    key = { kind: "unsupported", name: algorithmName(oid) };
  }
  algorithm.end(`${field} algorithm`);
  body.end(field);
  return key;
  // END 03.6
}


/** Certificate versions as the DER writes them (RFC 5280 §4.1.2.1): v1 is 0 (the default), v3 is 2. */
export const VERSION_V3 = 2;
/** The [0] EXPLICIT wrapper of the version, and the [1] and [2] unique identifiers (RFC 5280 §4.1). */
const VERSION_TAG = contextTag(0, true);
const ISSUER_UNIQUE_ID = contextTag(1, false);
const SUBJECT_UNIQUE_ID = contextTag(2, false);
const EXTENSIONS_TAG = contextTag(3, true);
/** RFC 5280 §4.1.2.2: serial numbers are at most 20 octets. (Some real CAs issued negative ones; we read them.) */
const MAX_SERIAL = 1n << 160n;

/** Parses one DER certificate (RFC 5280 §4.1). Throws bad_certificate, with field and offset, if it does not parse. */
export function parseCertificate(der: Uint8Array): Certificate {
  const r = new ByteReader(der);
  try {
    const certificate = readCertificate(r);
    if (r.remaining !== 0) throw derError("Certificate", r.offset, `${r.remaining} byte(s) after the certificate`);
    return certificate;
  } catch (e) {
    // ByteReader.end() reports leftover bytes as decode_error; inside a certificate that is a corrupt
    // certificate like any other DER fault, so the client's alert is bad_certificate (RFC 8446 §6.2).
    if (e instanceof TlsError && e.alert === AlertDescription.decode_error) {
      throw new TlsError(AlertDescription.bad_certificate, e.detail, { field: e.field, offset: e.offset });
    }
    throw e;
  }
}

/**
 * Reads one certificate from `r` (which keeps every note: render `r.annotations` to see the DER tree).
 * parseCertificate is this plus "nothing may follow".
 */
export function readCertificate(r: ByteReader): Certificate {
  // The outer SEQUENCE, and its exact bytes: the certificate as received.
  const start = r.offset;
  const certificate = readElement(r, Tag.SEQUENCE, "Certificate");
  const der = Uint8Array.prototype.slice.call(r.data, start, r.offset);
  // EXERCISE 03.7: read what `certificate` holds: tbsCertificate, signatureAlgorithm, signatureValue BIT STRING.
  // tbsCertificate ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1, serialNumber INTEGER, signature
  // AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore, notAfter Time }, subject Name,
  // subjectPublicKeyInfo, issuerUniqueID [1] OPTIONAL, subjectUniqueID [2] OPTIONAL, extensions [3] OPTIONAL
  // (v3 only) }. Read tbsCertificate with readAny to keep its exact bytes (`tbs`). The outer
  // signatureAlgorithm must be byte-identical to the one inside tbsCertificate (§4.1.1.2), else bad_certificate;
  // the signature BIT STRING must have 0 unused bits; the version is 0, 1 or 2 (v1–v3), anything else is an
  // error. Missing extensions → { all: [] }. Use
  // readSignatureAlgorithm (given), readName, readTime, readSubjectPublicKeyInfo and readExtensions.
  // (RFC 5280 §4.1, §4.1.1, §4.1.2)
  const tbsAt = certificate.offset;
  const tbsElement = readAny(certificate, "tbsCertificate");
  if (tbsElement.tag !== Tag.SEQUENCE) throw derError("tbsCertificate", tbsAt, `expected SEQUENCE, found ${tagName(tbsElement.tag)}`);
  const tbs = tbsElement.contents;

  let version = 1;
  if (peekTag(tbs) === VERSION_TAG) {
    const wrapper = readElement(tbs, VERSION_TAG, "version");
    version = readSmallInteger(wrapper, "version", VERSION_V3) + 1;
    wrapper.end("version");
  }
  const serialAt = tbs.offset;
  const serial = readInteger(tbs, "serialNumber");
  if ((serial < 0n ? -serial : serial) >= MAX_SERIAL) throw derError("serialNumber", serialAt, "longer than 20 octets (RFC 5280 §4.1.2.2)");

  const innerAlgorithmAt = tbs.offset;
  readSignatureAlgorithm(tbs, "signature");
  const innerAlgorithm = r.data.slice(innerAlgorithmAt, tbs.offset);
  const issuer = readName(tbs, "issuer");
  const validity = readElement(tbs, Tag.SEQUENCE, "validity");
  const notBefore = readTime(validity, "notBefore");
  const notAfter = readTime(validity, "notAfter");
  validity.end("validity");
  const subject = readName(tbs, "subject");
  const publicKey = readSubjectPublicKeyInfo(tbs, "subjectPublicKeyInfo");
  if (peekTag(tbs) === ISSUER_UNIQUE_ID) readAny(tbs, "issuerUniqueID");
  if (peekTag(tbs) === SUBJECT_UNIQUE_ID) readAny(tbs, "subjectUniqueID");
  let extensions: Extensions = { all: [] };
  if (peekTag(tbs) === EXTENSIONS_TAG) {
    if (version !== 3) throw derError("extensions", tbs.offset, `extensions need a v3 certificate, this one is v${version}`);
    extensions = readExtensions(tbs, "extensions");
  }
  tbs.end("tbsCertificate");

  const outerAlgorithmAt = certificate.offset;
  const signatureAlgorithm = readSignatureAlgorithm(certificate, "signatureAlgorithm");
  if (!equalBytes(r.data.slice(outerAlgorithmAt, certificate.offset), innerAlgorithm)) {
    throw derError("signatureAlgorithm", outerAlgorithmAt, "differs from tbsCertificate's signature field (RFC 5280 §4.1.1.2)");
  }
  const signatureAt = certificate.offset;
  const signatureBits = readBitString(certificate, "signatureValue");
  if (signatureBits.unusedBits !== 0) throw derError("signatureValue", signatureAt, "a signature is whole bytes: 0 unused bits");
  certificate.end("Certificate");

  const signature = signatureBits.bytes;
  return { der, tbs: tbsElement.der, version, serial, issuer, subject, notBefore, notAfter, publicKey, extensions, signatureAlgorithm, signature };
  // END 03.7
}

/** An iPAddress as text, for notes: dotted quad, eight hex groups, or (in nameConstraints) address/prefix. */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 8 || bytes.length === 32) {
    const half = bytes.length / 2;
    const mask = bytes.subarray(half);
    let prefix = 0;
    while (prefix < 8 * half && (mask[prefix >> 3] & (0x80 >> (prefix & 7))) !== 0) prefix++;
    return `${formatIpAddress(bytes.subarray(0, half))}/${isIpMask(mask) ? prefix : formatIpAddress(mask)}`;
  }
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(":");
}

/** A netmask is ones, then zeros: 255.255.0.0 is /16, 255.0.255.0 is no mask at all (RFC 4632 §3.1). */
export function isIpMask(mask: Uint8Array): boolean {
  let zeros = false;
  for (const b of mask) {
    for (let bit = 0x80; bit > 0; bit >>= 1) {
      if ((b & bit) === 0) zeros = true;
      else if (zeros) return false;
    }
  }
  return true;
}

/** Most certificates carry under ten extensions; a hard cap keeps a hostile input from costing much. */
export const MAX_EXTENSIONS = 64;

/**
 * Reads the extensions of a v3 certificate (RFC 5280 §4.1.2.9, §4.2): the [3] EXPLICIT SEQUENCE OF Extension.
 * The value of each extension this chapter understands is read by its reader in EXTENSION_READERS.
 */
export function readExtensions(r: ByteReader, field: string): Extensions {
  // EXERCISE 03.8: [3] EXPLICIT wraps a SEQUENCE OF Extension, and each Extension is SEQUENCE { extnID OID,
  // critical BOOLEAN DEFAULT FALSE (present only if the next tag is BOOLEAN: DER leaves a default out),
  // extnValue OCTET STRING }. The OCTET STRING's bytes are DER again: read them through the reader
  // readElement gives you, so offsets stay absolute. If EXTENSION_READERS has a reader for the OID, call it
  // with that reader (it fills in `extensions`); otherwise take the bytes as they are (value.bytes(…)). Then
  // value.end(…). Record every extension in `all` with understood = "had a reader". Keep going when an OID
  // comes twice (validation refuses such a certificate, RFC 5280 §4.2); more than MAX_EXTENSIONS is a derError.
  // Do not refuse unknown critical extensions here either: validation does, naming the certificate.
  const outer = readElement(r, contextTag(3, true), field);
  const list = readElement(outer, Tag.SEQUENCE, field);
  outer.end(field);
  const extensions: Extensions = { all: [] };
  while (list.remaining > 0) {
    const at = list.offset;
    if (extensions.all.length === MAX_EXTENSIONS) throw derError(field, at, `more than ${MAX_EXTENSIONS} extensions`);
    const ext = readElement(list, Tag.SEQUENCE, `${field} extension`);
    const oid = readKnownOid(ext, `${field} extnID`);
    const critical = peekTag(ext) === Tag.BOOLEAN ? readBoolean(ext, `${field} critical`) : false;
    const value = readElement(ext, Tag.OCTET_STRING, `${field} extnValue`);
    ext.end(`${field} extension`);
    const name = OID_NAMES[oid] ?? `extension ${oid}`;
    const read = EXTENSION_READERS[oid];
    // A repeated extension is read like the first (the later copy wins); checkCertificate refuses it anyway.
    if (read !== undefined) read(value, extensions, name);
    else value.bytes(value.remaining, `${name} value (not interpreted)`);
    value.end(`${name} extnValue`);
    extensions.all.push({ oid, critical, understood: read !== undefined });
  }
  list.end(field);
  return extensions;
  // END 03.8
}

/** GeneralName's forms (RFC 5280 §4.2.1.6): [2] dNSName and [7] iPAddress are IMPLICIT primitives; [4] directoryName
 * is EXPLICIT (a Name is a CHOICE, so its tag stays inside), hence constructed. */
const GENERAL_NAME_DNS = contextTag(2, false);
const GENERAL_NAME_DIRECTORY = contextTag(4, true);
const GENERAL_NAME_IP = contextTag(7, false);
/** An iPAddress is 4 bytes (IPv4) or 16 (IPv6) in a subjectAltName (RFC 5280 §4.2.1.6). */
export const SAN_IP_LENGTHS: readonly number[] = [4, 16];
/** In nameConstraints it is an address and a mask: 8 or 32 bytes (RFC 5280 §4.2.1.10). */
export const CONSTRAINT_IP_LENGTHS: readonly number[] = [8, 32];

/**
 * Reads one GeneralName (RFC 5280 §4.2.1.6) and adds it to `names` by form. `ipLengths` says how long an
 * iPAddress may be here: SAN_IP_LENGTHS in a subjectAltName, CONSTRAINT_IP_LENGTHS in nameConstraints.
 *
 *   GeneralName ::= CHOICE {
 *        otherName                 [0]  AnotherName,
 *        rfc822Name                [1]  IA5String,
 *        dNSName                   [2]  IA5String,
 *        x400Address               [3]  ORAddress,
 *        directoryName             [4]  Name,
 *        ediPartyName              [5]  EDIPartyName,
 *        uniformResourceIdentifier [6]  IA5String,
 *        iPAddress                 [7]  OCTET STRING,
 *        registeredID              [8]  OBJECT IDENTIFIER }
 */
export function readGeneralName(r: ByteReader, field: string, names: GeneralNames, ipLengths: readonly number[]): void {
  // EXERCISE 03.9: readAny(r, field) gives the tag and a reader over the contents (GeneralName's tags are
  // IMPLICIT: the context tag replaces IA5String's or OCTET STRING's). [2] dNSName: ASCII text (a byte ≥ 0x80
  // is a derError: IA5String), push it to names.dnsNames; [7] iPAddress: its bytes, whose length must be one of
  // `ipLengths`, to names.ipAddresses; [4] directoryName: a Name inside (readName on the contents reader, then
  // .end() it), to names.directoryNames; any other form: skip its bytes and push its tag number (tag &
  // TAG_NUMBER_MASK) to names.otherForms. Describe dNSNames and addresses in the notes (formatIpAddress).
  // (RFC 5280 §4.2.1.6)
  const at = r.offset;
  const general = readAny(r, field);
  const contents = general.contents;
  if (general.tag === GENERAL_NAME_DNS) {
    const bytes = contents.bytes(contents.remaining, `${field} dNSName`);
    if (bytes.some((b) => b >= 0x80)) throw derError(`${field} dNSName`, at, "dNSName is an IA5String: ASCII only");
    const text = latin1(bytes);
    contents.describe(JSON.stringify(text));
    names.dnsNames.push(text);
  } else if (general.tag === GENERAL_NAME_IP) {
    const bytes = contents.bytes(contents.remaining, `${field} iPAddress`);
    if (!ipLengths.includes(bytes.length)) {
      throw derError(`${field} iPAddress`, at, `an iPAddress here has ${ipLengths.join(" or ")} bytes, not ${bytes.length}`);
    }
    contents.describe(formatIpAddress(bytes));
    names.ipAddresses.push(bytes);
  } else if (general.tag === GENERAL_NAME_DIRECTORY) {
    names.directoryNames.push(readName(contents, `${field} directoryName`));
    contents.end(`${field} directoryName`);
  } else {
    contents.bytes(contents.remaining, `${field} ${tagName(general.tag)} (not interpreted)`);
    names.otherForms.push(general.tag & TAG_NUMBER_MASK);
  }
  // END 03.9
}

/** subjectAltName (RFC 5280 §4.2.1.6): GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. */
export function readSubjectAltName(value: ByteReader, field: string): GeneralNames {
  // EXERCISE 03.9: a SEQUENCE of at least one GeneralName (an empty one names nothing: derError), each read with
  // readGeneralName(…, SAN_IP_LENGTHS) into one emptyGeneralNames(). (RFC 5280 §4.2.1.6)
  const at = value.offset;
  const list = readElement(value, Tag.SEQUENCE, field);
  if (list.remaining === 0) throw derError(field, at, "GeneralNames is SIZE (1..MAX): an empty subjectAltName names nothing");
  const names = emptyGeneralNames();
  while (list.remaining > 0) readGeneralName(list, `${field} GeneralName`, names, SAN_IP_LENGTHS);
  list.end(field);
  return names;
  // END 03.9
}

/** keyIdentifier, authorityCertIssuer and authorityCertSerialNumber inside AuthorityKeyIdentifier (RFC 5280 §4.2.1.1). */
const AKI_KEY_IDENTIFIER = contextTag(0, false);
const AKI_ISSUER = contextTag(1, true);
const AKI_SERIAL = contextTag(2, false);

/** basicConstraints (RFC 5280 §4.2.1.9): SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
export function readBasicConstraints(value: ByteReader, field: string): { ca: boolean; pathLen?: number } {
  // EXERCISE 03.10: both fields are optional; each is there only if the next tag says so (peekTag). Keep
  // pathLen out of the result when it is absent. pathLenConstraint fits readSmallInteger with a max of 255.
  // (RFC 5280 §4.2.1.9)
  const bc = readElement(value, Tag.SEQUENCE, field);
  const ca = peekTag(bc) === Tag.BOOLEAN ? readBoolean(bc, `${field} cA`) : false;
  const pathLen = peekTag(bc) === Tag.INTEGER ? readSmallInteger(bc, `${field} pathLenConstraint`, 255) : undefined;
  bc.end(field);
  return pathLen === undefined ? { ca } : { ca, pathLen };
  // END 03.10
}

/** keyUsage (RFC 5280 §4.2.1.3): a BIT STRING of named bits, bit 0 (digitalSignature) first. */
export function readKeyUsage(value: ByteReader, field: string): KeyUsage[] {
  // EXERCISE 03.10: bit i is KEY_USAGE_BITS[i], and bit 0 is the TOP bit of the first byte (0x80): bit i is
  // byte i >> 3, mask 0x80 >> (i & 7). Bits past the end are 0. (RFC 5280 §4.2.1.3, X.690 §8.6)
  const bits = readBitString(value, field);
  return KEY_USAGE_BITS.filter((_, i) => ((bits.bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
  // END 03.10
}

/** extKeyUsage (RFC 5280 §4.2.1.12): SEQUENCE SIZE (1..MAX) OF KeyPurposeId (an OID). */
export function readExtKeyUsage(value: ByteReader, field: string): string[] {
  // EXERCISE 03.10: the OIDs in order (readKnownOid names the ones this chapter knows). (RFC 5280 §4.2.1.12)
  const purposes = readElement(value, Tag.SEQUENCE, field);
  const oids: string[] = [];
  while (purposes.remaining > 0) oids.push(readKnownOid(purposes, `${field} keyPurposeId`));
  return oids;
  // END 03.10
}

/**
 * authorityKeyIdentifier (RFC 5280 §4.2.1.1): SEQUENCE { keyIdentifier [0] OPTIONAL, authorityCertIssuer [1]
 * GeneralNames OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }, all IMPLICIT.
 */
export function readAuthorityKeyIdentifier(value: ByteReader, field: string): AuthorityKeyIdentifier {
  // EXERCISE 03.10: keep [0]'s bytes (an OCTET STRING under an IMPLICIT tag: contextTag(0, false)) as the
  // keyIdentifier; for [1] (constructed) and [2] only note that they are there (readAny skips one), in that
  // order. (RFC 5280 §4.2.1.1)
  const aki = readElement(value, Tag.SEQUENCE, field);
  const result: AuthorityKeyIdentifier = { authorityCertIssuer: false, authorityCertSerialNumber: false };
  if (peekTag(aki) === AKI_KEY_IDENTIFIER) {
    const id = readElement(aki, AKI_KEY_IDENTIFIER, `${field} keyIdentifier`);
    result.keyIdentifier = id.bytes(id.remaining, `${field} keyIdentifier`);
  }
  if (peekTag(aki) === AKI_ISSUER) {
    readAny(aki, `${field} authorityCertIssuer`);
    result.authorityCertIssuer = true;
  }
  if (peekTag(aki) === AKI_SERIAL) {
    readAny(aki, `${field} authorityCertSerialNumber`);
    result.authorityCertSerialNumber = true;
  }
  aki.end(field);
  return result;
  // END 03.10
}

/**
 * authorityInfoAccess (RFC 5280 §4.2.2.1): SEQUENCE SIZE (1..MAX) OF AccessDescription { accessMethod OID,
 * accessLocation GeneralName }, where to fetch the issuer's certificate (caIssuers) or ask about revocation (ocsp).
 * A client that does not fetch anything still checks its shape: a malformed one makes the certificate bad.
 */
export function readAuthorityInfoAccess(value: ByteReader, field: string): void {
  // EXERCISE 03.10: a SEQUENCE of at least one AccessDescription (empty: derError); read each with
  // readKnownOid and readGeneralName (into a throwaway emptyGeneralNames(), SAN_IP_LENGTHS). (RFC 5280 §4.2.2.1)
  const at = value.offset;
  const list = readElement(value, Tag.SEQUENCE, field);
  if (list.remaining === 0) throw derError(field, at, "AuthorityInfoAccessSyntax is SIZE (1..MAX): at least one AccessDescription");
  while (list.remaining > 0) {
    const description = readElement(list, Tag.SEQUENCE, `${field} AccessDescription`);
    readKnownOid(description, `${field} accessMethod`);
    readGeneralName(description, `${field} accessLocation`, emptyGeneralNames(), SAN_IP_LENGTHS);
    description.end(`${field} AccessDescription`);
  }
  list.end(field);
  // END 03.10
}

/** A dNSName constraint: "" (every name), "example.test", or ".example.test" (only names below it). Labels are
 * letters, digits and hyphens; a "*" has no meaning in a constraint (RFC 5280 §4.2.1.10). */
const DNS_CONSTRAINT = /^\.?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)?$/;

/**
 * nameConstraints (RFC 5280 §4.2.1.10): the name space a CA's subordinates must stay in.
 *
 *   NameConstraints ::= SEQUENCE {
 *        permittedSubtrees       [0]     GeneralSubtrees OPTIONAL,
 *        excludedSubtrees        [1]     GeneralSubtrees OPTIONAL }
 *   GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 *   GeneralSubtree ::= SEQUENCE {
 *        base                    GeneralName,
 *        minimum         [0]     BaseDistance DEFAULT 0,
 *        maximum         [1]     BaseDistance OPTIONAL }
 */
export function readNameConstraints(value: ByteReader, field: string): NameConstraints {
  // EXERCISE 03.11: [0] and [1] are IMPLICIT SEQUENCEs, so constructed context tags (contextTag(n, true)).
  // Each holds at least one GeneralSubtree (derError otherwise); read each base with readGeneralName(…,
  // CONSTRAINT_IP_LENGTHS) into one emptyGeneralNames() per list. RFC 5280 uses neither minimum nor maximum:
  // anything after the base is a derError. A NameConstraints with neither list is a derError (§4.2.1.10: "MUST
  // NOT issue … an empty sequence"), and so is a constraint that cannot be one: a dNSName that fails
  // DNS_CONSTRAINT (a wildcard, an empty label) or an iPAddress whose mask is not ones then zeros (isIpMask).
  // (RFC 5280 §4.2.1.10)
  const at = value.offset;
  const body = readElement(value, Tag.SEQUENCE, field);
  const constraints: NameConstraints = {};
  for (const [n, key] of [[0, "permitted"], [1, "excluded"]] as const) {
    if (peekTag(body) !== contextTag(n, true)) continue;
    const listAt = body.offset;
    const subtrees = readElement(body, contextTag(n, true), `${field} ${key}Subtrees`);
    if (subtrees.remaining === 0) throw derError(`${field} ${key}Subtrees`, listAt, "GeneralSubtrees is SIZE (1..MAX): it may not be empty");
    const names = emptyGeneralNames();
    while (subtrees.remaining > 0) {
      const subtree = readElement(subtrees, Tag.SEQUENCE, `${field} GeneralSubtree`);
      readGeneralName(subtree, `${field} base`, names, CONSTRAINT_IP_LENGTHS);
      if (subtree.remaining > 0) throw derError(`${field} GeneralSubtree`, subtree.offset, "minimum and maximum are not used (RFC 5280 §4.2.1.10)");
    }
    const badName = names.dnsNames.find((d) => !DNS_CONSTRAINT.test(d));
    if (badName !== undefined) throw derError(`${field} ${key}Subtrees`, listAt, `"${badName}" is not a DNS name constraint`);
    const badIp = names.ipAddresses.find((ip) => !isIpMask(ip.subarray(ip.length / 2)));
    if (badIp !== undefined) throw derError(`${field} ${key}Subtrees`, listAt, `${formatIpAddress(badIp)}: the mask is not ones then zeros`);
    constraints[key] = names;
  }
  body.end(field);
  if (constraints.permitted === undefined && constraints.excluded === undefined) {
    throw derError(field, at, "neither permittedSubtrees nor excludedSubtrees: an empty NameConstraints (RFC 5280 §4.2.1.10)");
  }
  return constraints;
  // END 03.11
}

/** The readers of the extensions this chapter understands, by OID; readExtensions calls them with the extnValue. */
export const EXTENSION_READERS: Readonly<Record<string, (value: ByteReader, extensions: Extensions, field: string) => void>> = {
  [Oid.subjectAltName]: (v, x, f) => void (x.subjectAltName = readSubjectAltName(v, f)),
  [Oid.basicConstraints]: (v, x, f) => void (x.basicConstraints = readBasicConstraints(v, f)),
  [Oid.keyUsage]: (v, x, f) => void (x.keyUsage = readKeyUsage(v, f)),
  [Oid.extKeyUsage]: (v, x, f) => void (x.extKeyUsage = readExtKeyUsage(v, f)),
  [Oid.subjectKeyIdentifier]: (v, x, f) => void (x.subjectKeyIdentifier = readOctetString(v, f)),
  [Oid.authorityKeyIdentifier]: (v, x, f) => void (x.authorityKeyIdentifier = readAuthorityKeyIdentifier(v, f)),
  [Oid.authorityInfoAccess]: (v, _, f) => readAuthorityInfoAccess(v, f),
  [Oid.nameConstraints]: (v, x, f) => void (x.nameConstraints = readNameConstraints(v, f)),
};

/** Whether the certificate marks the extension `oid` critical (false when it is absent). */
export function isCritical(cert: Certificate, oid: string): boolean {
  return cert.extensions.all.some((e) => e.oid === oid && e.critical);
}

/** Parses a list of DER certificates, naming which one failed. */
export function parseCertificates(ders: Uint8Array[]): Certificate[] {
  return ders.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      if (e instanceof TlsError) {
        throw new TlsError(e.alert, `certificate ${i + 1} of ${ders.length}: ${e.detail}`, { field: e.field, offset: e.offset });
      }
      throw e;
    }
  });
}

/** True when a certificate names itself as its issuer (a root, or a self-signed leaf). */
export function isSelfIssued(cert: Certificate): boolean {
  return equalBytes(cert.issuer.der, cert.subject.der);
}
