// A DER reader: the subset of ASN.1's Distinguished Encoding Rules that X.509 certificates use. Every value is
// tag, length, contents (ITU-T X.690 §8.1); DER allows exactly one encoding of each value (X.690 §10), so
// anything loose (long lengths that could be short, padded integers, indefinite lengths) is refused.
// Read X.690 §8.1–8.3, §8.6, §8.19, §10 and §11.7–11.8, and RFC 5280 §4.1.2.5 for the two time formats.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { NotImplemented } from "../../lib/errors.js";

/** The universal tags X.509 uses (X.680 §8.4), as the single identifier byte DER writes for each. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  BMPString: 0x1e,
  /** SEQUENCE and SET are "constructed" (bit 6, 0x20, set): their contents are more TLVs. */
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Bits of the identifier byte (X.690 §8.1.2): class in the top two, constructed flag, tag number in the low five. */
export const TAG_CLASS_CONTEXT = 0x80;
export const TAG_CONSTRUCTED = 0x20;
/** Tag number 31 in the low five bits means "the number follows in more bytes" (X.690 §8.1.2.4). */
export const TAG_NUMBER_MASK = 0x1f;
/** A first length byte with the top bit set says how many length bytes follow (X.690 §8.1.3.5). */
export const LENGTH_LONG_FORM = 0x80;
/** A certificate is a few KiB; four length bytes (4 GiB) is more than any real DER needs. */
export const MAX_LENGTH_BYTES = 4;

/** `[n]` in ASN.1: a context-specific tag, constructed (EXPLICIT, wrapping a TLV) or primitive (IMPLICIT). */
export function contextTag(n: number, constructed: boolean): number {
  return TAG_CLASS_CONTEXT | (constructed ? TAG_CONSTRUCTED : 0) | n;
}

/** A readable name for a tag byte, for error messages and notes: "SEQUENCE", "[3] constructed". */
export function tagName(tag: number): string {
  for (const [name, value] of Object.entries(Tag)) if (value === tag) return name;
  if ((tag & 0xc0) === TAG_CLASS_CONTEXT) {
    return `[${tag & TAG_NUMBER_MASK}]${(tag & TAG_CONSTRUCTED) !== 0 ? " constructed" : ""}`;
  }
  return `tag 0x${tag.toString(16).padStart(2, "0")}`;
}

/**
 * A certificate that does not decode is one the client cannot use: bad_certificate (RFC 8446 §6.2 "a
 * certificate was corrupt"). Every DER error says which field, at which byte, and what was wrong.
 */
export function derError(field: string, offset: number, message: string): TlsError {
  return new TlsError(AlertDescription.bad_certificate, message, { field, offset });
}

/** What a TLV header says: the tag byte, the contents' length, and where the header started. */
export interface DerHeader {
  tag: number;
  length: number;
  /** Absolute offset of the tag byte. */
  offset: number;
}

/** Reads one identifier byte and one length (X.690 §8.1.2, §8.1.3 with DER's §10.1), notes both. */
export function readHeader(r: ByteReader, field: string): DerHeader {
  // TODO 03.1: read the tag byte (r.bytes(1, …)). Tag numbers ≥ 31 (low five bits all set) need the
  // multi-byte form, which X.509 never uses: refuse it. Then the length: a first byte below 0x80 IS the
  // length (short form); 0x80 alone means "indefinite", which DER forbids; 0x81–0x84 say how many big-endian
  // length bytes follow (long form, at most MAX_LENGTH_BYTES). DER wants the shortest form: a long form
  // for a length under 128, or with a leading zero byte, is an error. Check r.remaining before each read, so
  // that running out is a derError too. Every error: derError(field, offset, what was expected and what
  // arrived). Return checkFits(r, field, { tag, length, offset-of-the-tag }). (X.690 §8.1.2–8.1.3, §10.1)
  throw new NotImplemented("03.1");
  // END 03.1
}

/** The contents must fit in what is left of the enclosing element (a length running past it is a lie). */
function checkFits(r: ByteReader, field: string, header: DerHeader): DerHeader {
  if (header.length > r.remaining) {
    throw derError(field, header.offset, `${tagName(header.tag)} says ${header.length} bytes, only ${r.remaining} left`);
  }
  return header;
}

/**
 * Reads a TLV that must have tag `tag` and hands back a reader over its contents (one level deeper in the
 * notes). The caller reads the contents and calls `.end()`, so leftover bytes inside are an error too.
 */
export function readElement(r: ByteReader, tag: number, field: string): ByteReader {
  const header = readHeader(r, field);
  if (header.tag !== tag) {
    throw derError(field, header.offset, `expected ${tagName(tag)}, found ${tagName(header.tag)}`);
  }
  return r.sub(header.length, `${field} (${tagName(tag)})`);
}

/** One whole TLV of any tag: its header, a reader over its contents, and its exact bytes (for hashing). */
export interface DerElement {
  tag: number;
  contents: ByteReader;
  der: Uint8Array;
}

/** Reads any one TLV; `der` is the TLV exactly as it was sent (a signature covers these bytes, not a re-encoding). */
export function readAny(r: ByteReader, field: string): DerElement {
  const header = readHeader(r, field);
  const contents = r.sub(header.length, `${field} (${tagName(header.tag)})`);
  const der = Uint8Array.prototype.slice.call(r.data, header.offset, r.offset);
  return { tag: header.tag, contents, der };
}

/** The tag of the next TLV without reading it, or undefined at the end (for OPTIONAL and DEFAULT fields). */
export function peekTag(r: ByteReader): number | undefined {
  return r.remaining === 0 ? undefined : r.peek(1, "tag")[0];
}

/** Reads the whole of `bytes` as exactly one TLV of `tag`; trailing bytes after it are an error. */
export function readTopLevel(bytes: Uint8Array, tag: number, field: string): ByteReader {
  const r = new ByteReader(bytes);
  const inner = readElement(r, tag, field);
  if (r.remaining !== 0) throw derError(field, r.offset, `${r.remaining} byte(s) after the end of the ${tagName(tag)}`);
  return inner;
}

/** Bytes as characters 0–255, one by one (spreading a huge array into fromCharCode would overflow the stack). */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

/** The contents' absolute offset, for errors found after reading them. */
function contentsOffset(r: ByteReader): number {
  return r.offset;
}

/** An INTEGER (X.690 §8.3), two's complement, big-endian, as a BigInt. DER: no redundant leading byte. */
export function readInteger(r: ByteReader, field: string): bigint {
  // TODO 03.2: readElement(r, Tag.INTEGER, field), then the contents: at least one byte; the first nine
  // bits must not be all 0s or all 1s (a 00 before a byte under 0x80, or FF before a byte ≥ 0x80, is padding
  // DER forbids). Build the value as a BigInt (BigInt("0x" + toHex(bytes)) reads it in one go); if the top bit
  // of the first byte is set the number is negative: subtract 2^(8·length). (X.690 §8.3.2, §8.3.3)
  throw new NotImplemented("03.2");
  // END 03.2
}

/** A small non-negative INTEGER (a version, a pathLenConstraint) as a number; larger than `max` is an error. */
export function readSmallInteger(r: ByteReader, field: string, max: number): number {
  const at = r.offset;
  const value = readInteger(r, field);
  if (value < 0n || value > BigInt(max)) throw derError(field, at, `must be between 0 and ${max}, got ${value}`);
  return Number(value);
}

/** A BOOLEAN (X.690 §8.2): one byte, and DER allows only 0x00 (FALSE) and 0xFF (TRUE) (X.690 §11.1). */
export function readBoolean(r: ByteReader, field: string): boolean {
  // TODO 03.2: a BOOLEAN's contents are exactly one byte: 0x00 is FALSE, 0xFF is TRUE, anything else (BER
  // allows any non-zero) is not DER. (X.690 §8.2.2, §11.1)
  throw new NotImplemented("03.2");
  // END 03.2
}

/** A BIT STRING's bits, as whole bytes plus the count of unused bits at the end of the last byte. */
export interface BitString {
  bytes: Uint8Array;
  unusedBits: number;
}

/** A BIT STRING (X.690 §8.6): one byte counting the unused bits in the last byte, then the bytes. */
export function readBitString(r: ByteReader, field: string): BitString {
  // TODO 03.2: the first content byte is the number of unused bits (0–7) at the end of the last byte; an
  // empty string must say 0. DER also wants those unused bits to be zero (X.690 §11.2.1). Return the
  // remaining bytes and the count. (X.690 §8.6.2)
  throw new NotImplemented("03.2");
  // END 03.2
}

/** An OCTET STRING (X.690 §8.7): the contents are the value. */
export function readOctetString(r: ByteReader, field: string): Uint8Array {
  const body = readElement(r, Tag.OCTET_STRING, field);
  return body.bytes(body.remaining, `${field} value`);
}

/** NULL (X.690 §8.8): no contents at all. */
export function readNull(r: ByteReader, field: string): void {
  const body = readElement(r, Tag.NULL, field);
  body.end(field);
}

/** An OBJECT IDENTIFIER (X.690 §8.19) in dotted form, e.g. "1.2.840.113549.1.1.11". */
export function readOid(r: ByteReader, field: string): string {
  // TODO 03.3: the contents are base-128 numbers, 7 bits per byte, high bit set on every byte but a
  // number's last. A number may not start with 0x80 (not minimal) and the contents may not end mid-number.
  // The first number packs two arcs: X·40 + Y, with X = 0 or 1 when it is below 80, else X = 2 and
  // Y = first − 80. Return the arcs joined with "." and add it to the notes with body.describe(…).
  // Use BigInt or check the size: an arc beyond Number.MAX_SAFE_INTEGER is an error. (X.690 §8.19.2–8.19.4)
  throw new NotImplemented("03.3");
  // END 03.3
}

/** The two-digit years of a UTCTime mean 1950–2049 (RFC 5280 §4.1.2.5.1). */
export const UTC_TIME_PIVOT = 50;

/** Days per month, February aside (see isLeapYear). */
export const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The Gregorian rule: every fourth year, except centuries, except every fourth century. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the only forms RFC 5280 §4.1.2.5 allows. */
export function readTime(r: ByteReader, field: string): Date {
  // TODO 03.4: read either tag (peekTag tells which). The contents are ASCII digits ending in "Z":
  // UTCTime "YYMMDDHHMMSSZ" (13 bytes; YY < 50 is 20YY, else 19YY) and GeneralizedTime "YYYYMMDDHHMMSSZ"
  // (15 bytes). RFC 5280 forbids every other variant (no fractions, no offsets, seconds always present).
  // Check each field's range (month 1–12, day valid for that month: DAYS_IN_MONTH and isLeapYear, hour 0–23,
  // minute and second 0–59) and
  // build the Date with Date.UTC. Errors name the field and offset. (RFC 5280 §4.1.2.5.1, §4.1.2.5.2)
  throw new NotImplemented("03.4");
  // END 03.4
}

/** The string types that appear in names and SANs. */
const STRING_TAGS: readonly number[] = [Tag.UTF8String, Tag.PrintableString, Tag.IA5String, Tag.TeletexString, Tag.BMPString];

/** PrintableString's alphabet (X.680 §41.4): letters, digits, space and ' ( ) + , - . / : = ? */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** Any of the string types X.509 names use, as a JavaScript string. */
export function readString(r: ByteReader, field: string): string {
  // TODO 03.4: accept UTF8String (decode as UTF-8, refusing invalid sequences: TextDecoder with
  // { fatal: true }), PrintableString (only its small alphabet, see PRINTABLE), IA5String (ASCII, bytes
  // < 0x80), and the legacy TeletexString (read as Latin-1) and BMPString (UTF-16BE, even length). Any other
  // tag is an error. Add the text to the notes with describe. (RFC 5280 §4.1.2.4, X.680 §41)
  throw new NotImplemented("03.4");
  // END 03.4
}
