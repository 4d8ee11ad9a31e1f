// Exercises 03.1–03.4, the DER reader, graded against outside references only: encodings worked by hand from
// ITU-T X.690 (§8.1.2–8.1.3, §8.2, §8.3, §8.6, §8.19, §10, §11) and RFC 5280 §4.1.2.5, a header decoder written
// out here from X.690 as a second opinion for random bytes, and the `openssl asn1parse -genconf` encoder, which
// writes the random INTEGERs, OIDs, bit lists, times and strings that each reader must read back (one openssl run).
import { expect } from "chai";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { isNotImplemented } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import {
  readBitString,
  readBoolean,
  readHeader,
  readInteger,
  readOid,
  readString,
  readTime,
} from "../../chapters/03-certificates/der.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { NUM_RUNS, assertProperty, badInputs, checkTlsError, concatBytes } from "../support/properties.js";

/** Every DER fault, running out of bytes included, is a corrupt certificate (RFC 8446 §6.2), never decode_error. */
const BAD_CERTIFICATE = [AlertDescription.bad_certificate];

// ---------------------------------------------------------------------------------------------------------------
// Harness: every element is read from behind a few bytes of other data, so offsets must be absolute

const PREFIX = Uint8Array.of(0xee, 0xee, 0xee);
const FIELD = "probe";
type Reader<T> = (r: ByteReader, field: string) => T;

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "latin1"));
/** A TLV with a short-form length, for the small hand-made vectors below. */
const tlv = (tag: number, contents: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(tag, contents.length), contents);

function placed(element: Uint8Array, after: Uint8Array = new Uint8Array(0)): { buffer: Uint8Array; reader: ByteReader } {
  const buffer = concatBytes(PREFIX, element, after);
  return { buffer, reader: new ByteReader(buffer, { start: PREFIX.length }) };
}

/** Reads `element` (followed by `after`, which must be left alone) and returns the value and the bytes consumed. */
function readOne<T>(read: Reader<T>, element: Uint8Array, after?: Uint8Array): { value: T; consumed: number } {
  const { reader } = placed(element, after);
  const value = read(reader, FIELD);
  return { value, consumed: reader.offset - PREFIX.length };
}

/** Reads one whole element and expects `expected`; the reader must stop exactly at the element's end. */
function expectRead<T>(read: Reader<T>, element: Uint8Array, expected: T): void {
  const trailer = Uint8Array.of(0x05, 0x00); // a NULL after the element, which the reader must not touch
  const { value, consumed } = readOne(read, element, trailer);
  expectSame(value, expected, `value read from ${toHex(element, " ")}`);
  expect(consumed, `bytes consumed from ${toHex(element, " ")}`).to.equal(element.length);
}

/** Expects a bad_certificate TlsError naming the field we passed and an absolute offset inside the element. */
function expectRejected(read: Reader<unknown>, element: Uint8Array): void {
  const { buffer, reader } = placed(element);
  let thrown: unknown;
  let value: unknown;
  try {
    value = read(reader, FIELD);
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) {
    const shown = element.length > 16 ? `${toHex(element.subarray(0, 16), " ")} … (${element.length} bytes)` : toHex(element, " ");
    const read = JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toHex(v) : v));
    throw new Error(`${shown} must be rejected with a derError, but your code read it as ${read}`);
  }
  const e = checkTlsError(thrown, buffer, BAD_CERTIFICATE);
  expect(e.field, `the field named by "${e.message}"`).to.include(FIELD);
  expect(e.offset, `the offset in "${e.message}" counts from the start of the input`).to.be.at.least(PREFIX.length);
}

// ---------------------------------------------------------------------------------------------------------------
// A reference header decoder, written out from X.690 §8.1.2–8.1.3 and §10.1, to judge random bytes

type RefHeader = { tag: number; headerLength: number; length: number } | "truncated" | "not DER";

function refHeader(b: Uint8Array, at: number): RefHeader {
  if (at >= b.length) return "truncated";
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) return "not DER"; // high tag number form: X.509 never needs it
  if (at + 1 >= b.length) return "truncated";
  const first = b[at + 1]!;
  if (first < 0x80) return { tag, headerLength: 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) return "not DER"; // indefinite (§10.1), or more length bytes than this project reads
  if (at + 2 + count > b.length) return "truncated";
  if (b[at + 2] === 0) return "not DER"; // leading zero length byte: not the shortest form (§10.1)
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + b[at + 2 + i]!;
  if (length < 0x80) return "not DER"; // long form for a length the short form holds (§10.1)
  return { tag, headerLength: 2 + count, length };
}

/** X.690 §8.1.3: the shortest length encoding, as DER requires. */
function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Splits a run of DER elements (the contents of a SEQUENCE) into the elements, with the reference decoder. */
function splitElements(b: Uint8Array, start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = start; at < end; ) {
    const hd = refHeader(b, at);
    if (typeof hd === "string") throw new Error(`openssl wrote something the reference cannot read at ${at}: ${hd}`);
    out.push(b.slice(at, at + hd.headerLength + hd.length));
    at += hd.headerLength + hd.length;
  }
  return out;
}

/**
 * Runs one random input (behind PREFIX) through `read`: it must either throw a TlsError naming field and offset,
 * or read exactly one DER element (as the reference decoder measures it) and nothing after it.
 */
function readOrReject<T>(read: Reader<T>, input: Uint8Array, check?: (value: T, contents: Uint8Array) => void): void {
  const { buffer, reader } = placed(input);
  let value: T;
  try {
    value = read(reader, FIELD);
  } catch (e) {
    checkTlsError(e, buffer, BAD_CERTIFICATE);
    return;
  }
  const hd = refHeader(buffer, PREFIX.length);
  if (typeof hd === "string") throw new Error(`${toHex(input, " ")} is ${hd}, yet it was read as ${String(value)}`);
  const end = PREFIX.length + hd.headerLength + hd.length;
  if (reader.offset !== end) {
    throw new Error(`reading ${toHex(input, " ")} stopped at ${reader.offset - PREFIX.length}, not at the element's end ${end - PREFIX.length}`);
  }
  check?.(value, buffer.slice(PREFIX.length + hd.headerLength, end));
}

/** The property every reader must have on random bytes and on mutations of good encodings of its type. */
function fuzz<T>(read: Reader<T>, seeds: Uint8Array[], check?: (value: T, contents: Uint8Array) => void): void {
  assertProperty(
    fc.property(badInputs(seeds, 24), (input) => readOrReject(read, input, check)),
    NUM_RUNS,
  );
}

/** Times `fn`, which must throw a TlsError; the readers are linear, so anything slow is a hang in the making. */
function rejectedQuickly(fn: () => unknown, input: Uint8Array, limitMs = 1000): void {
  const start = performance.now();
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  const elapsed = performance.now() - start;
  if (thrown === undefined) throw new Error(`${toHex(input.subarray(0, 16), " ")}… must be rejected`);
  checkTlsError(thrown, input, BAD_CERTIFICATE);
  expect(elapsed, "milliseconds to reject").to.be.below(limitMs);
}

// ---------------------------------------------------------------------------------------------------------------
// The outside encoder: one `openssl asn1parse -genconf` run writes every random value of the suite

/** X.680 §41.4: PrintableString's whole alphabet. */
const PRINTABLE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?";
/** Characters OpenSSL's config parser treats specially (quotes, comments, variables, escapes, spaces at the ends). */
const confEscape = (s: string): string => s.replace(/[\\'"#$ ]/g, "\\$&");
/** What the config parser cannot carry even escaped: a backquote (dropped) and a trailing space (trimmed). */
const confSafe = (s: string): boolean => !s.includes("`") && !s.endsWith(" ");

const SEED = 0x0301;
const sample = <T>(arb: fc.Arbitrary<T>, n: number): T[] => fc.sample(arb, { numRuns: n, seed: SEED });
const text = (unit: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.string({ unit, maxLength: 24 }).filter(confSafe);

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** A random time, whole seconds, in [min, max]. */
const timeIn = (min: string, max: string): fc.Arbitrary<Date> =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

/** RFC 5280 §4.1.2.5.1/§4.1.2.5.2 text for a time, and the ISO form Date.parse reads as the expected value. */
function timeText(d: Date, utc: boolean): { text: string; iso: string } {
  const y = d.getUTCFullYear();
  const rest = [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => pad(n, 2));
  const text = (utc ? pad(y % 100, 2) : pad(y, 4)) + rest.join("") + "Z";
  const iso = `${pad(y, 4)}-${rest[0]}-${rest[1]}T${rest[2]}:${rest[3]}:${rest[4]}Z`;
  return { text, iso };
}

const notSurrogate = (c: number): boolean => c < 0xd800 || c > 0xdfff;
const notControl = (c: number): boolean => c >= 0x20 && !(c >= 0x7f && c <= 0x9f);
/** Random printable characters up to code point `max`, from ASCII, two- and three-byte UTF-8, and (if allowed) beyond. */
function codePoints(max: number): fc.Arbitrary<string> {
  const ranges = [
    [0x20, 0x7e],
    [0xa0, 0x7ff],
    [0x800, 0xffff],
    [0x10000, 0x10ffff],
  ].filter(([lo]) => lo! <= max);
  return fc
    .oneof(...ranges.map(([lo, hi]) => fc.integer({ min: lo!, max: Math.min(hi!, max) })))
    .filter((c) => notSurrogate(c) && notControl(c))
    .map((c) => String.fromCodePoint(c));
}

interface Vectors {
  integers: { value: bigint; der: Uint8Array }[];
  oids: { value: string; der: Uint8Array }[];
  bits: { positions: number[]; der: Uint8Array }[];
  hexBits: { bytes: Uint8Array; der: Uint8Array }[];
  times: { text: string; iso: string; der: Uint8Array }[];
  strings: { kind: string; value: string; der: Uint8Array }[];
}

/** Hand-picked INTEGER edges: around every byte boundary up to 2^128, where the sign and padding rules bite. */
function integerEdges(): bigint[] {
  const out = [0n, 1n, -1n];
  for (let k = 7n; k <= 128n; k += 8n) for (const v of [1n << k, (1n << k) - 1n, (1n << k) + 1n]) out.push(v, -v);
  return out;
}

function makeVectors(): Vectors {
  const integers = [
    ...integerEdges(),
    ...sample(
      fc.oneof(
        fc.integer({ min: -70000, max: 70000 }).map(BigInt),
        fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }),
        fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }),
      ),
      300,
    ),
  ];
  const arc = fc.oneof(fc.nat(127), fc.nat(16383), fc.nat(0xffffffff), fc.maxSafeNat());
  const oids = [
    "0.0", "0.39", "1.0", "1.39", "2.0", "2.39", "2.40", "2.999.3", "1.2.840.113549.1.1.11", "2.9007199254740911",
    ...sample(
      fc
        .tuple(fc.nat(2), fc.nat(39), fc.nat(2 ** 40), fc.array(arc, { maxLength: 8 }))
        .map(([x, y, big, rest]) => [x, x === 2 ? big : y, ...rest].join(".")),
      300,
    ),
  ];
  const bitSets = sample(fc.uniqueArray(fc.nat(60), { minLength: 1, maxLength: 12 }), 100).map((s) => s.sort((a, b) => a - b));
  const hexBits = sample(fc.uint8Array({ minLength: 1, maxLength: 20 }), 50);
  const times = [
    ...sample(timeIn("1950-01-01T00:00:00Z", "2049-12-31T23:59:59Z"), 150).map((d) => ({ ...timeText(d, true), utc: true })),
    ...sample(timeIn("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"), 150).map((d) => ({ ...timeText(d, false), utc: false })),
  ];
  const strings = [
    ...sample(text(codePoints(0x10ffff)), 100).map((value) => ({ kind: "UTF8String", value })),
    ...sample(text(fc.constantFrom(...PRINTABLE_ALPHABET)), 100).map((value) => ({ kind: "PRINTABLESTRING", value })),
    ...sample(text(codePoints(0x7e)), 100).map((value) => ({ kind: "IA5STRING", value })),
    ...sample(text(codePoints(0xffff)), 100).map((value) => ({ kind: "BMPSTRING", value })),
  ];

  const sections: [string, string[]][] = [
    ["integers", integers.map((v) => `INTEGER:${v}`)],
    ["oids", oids.map((v) => `OID:${v}`)],
    ["bits", bitSets.map((s) => `FORMAT:BITLIST,BITSTRING:${s.join(",")}`)],
    ["hexBits", hexBits.map((b) => `FORMAT:HEX,BITSTRING:${toHex(b)}`)],
    ["times", times.map((t) => `${t.utc ? "UTCTIME" : "GENTIME"}:${t.text}`)],
    ["strings", strings.map((s) => `FORMAT:UTF8,${s.kind}:${confEscape(s.value)}`)],
  ];
  const conf = [
    "asn1 = SEQUENCE:all",
    "[all]",
    ...sections.map(([name], i) => `s${i} = SEQUENCE:${name}`),
    ...sections.flatMap(([name, lines]) => [`[${name}]`, ...lines.map((line, i) => `v${i} = ${line}`)]),
  ].join("\n");
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-der-"));
  let der: Uint8Array;
  try {
    writeFileSync(join(dir, "vectors.cnf"), conf + "\n", "utf8");
    execFileSync("openssl", ["asn1parse", "-genconf", join(dir, "vectors.cnf"), "-out", join(dir, "vectors.der"), "-noout"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    der = new Uint8Array(readFileSync(join(dir, "vectors.der")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const outer = refHeader(der, 0);
  if (typeof outer === "string") throw new Error(`openssl's output does not start with a header: ${outer}`);
  const parts = splitElements(der, outer.headerLength, der.length).map((section) => {
    const hd = refHeader(section, 0);
    if (typeof hd === "string") throw new Error("bad section");
    return splitElements(section, hd.headerLength, section.length);
  });
  const expectCount = (i: number, n: number): Uint8Array[] => {
    if (parts[i]!.length !== n) throw new Error(`openssl wrote ${parts[i]!.length} elements for ${sections[i]![0]}, expected ${n}`);
    return parts[i]!;
  };
  const ders = sections.map(([, lines], i) => expectCount(i, lines.length));
  return {
    integers: integers.map((value, i) => ({ value, der: ders[0]![i]! })),
    oids: oids.map((value, i) => ({ value, der: ders[1]![i]! })),
    bits: bitSets.map((positions, i) => ({ positions, der: ders[2]![i]! })),
    hexBits: hexBits.map((bytes, i) => ({ bytes, der: ders[3]![i]! })),
    times: times.map((t, i) => ({ text: t.text, iso: t.iso, der: ders[4]![i]! })),
    strings: strings.map((s, i) => ({ kind: s.kind, value: s.value, der: ders[5]![i]! })),
  };
}

let cachedVectors: Vectors | undefined;
/** The openssl-made vectors, made once on first use. */
const vectors = (): Vectors => (cachedVectors ??= makeVectors());

/** Runs `fn` on every vector and reports every failure at once (with the value), not only the first. */
function forEvery<V>(items: V[], describeItem: (v: V) => string, fn: (v: V) => void): void {
  const failures: string[] = [];
  for (const item of items) {
    try {
      fn(item);
    } catch (e) {
      if (isNotImplemented(e)) throw e;
      failures.push(`${describeItem(item)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${items.length} failed:\n  ${failures.slice(0, 8).join("\n  ")}`);
  }
}

/** A reference reading of a DER INTEGER's contents (X.690 §8.3.3): two's complement, big-endian. */
function refInteger(contents: Uint8Array): bigint {
  const unsigned = BigInt("0x" + (toHex(contents) || "0"));
  return contents[0]! >= 0x80 ? unsigned - (1n << BigInt(8 * contents.length)) : unsigned;
}

// ---------------------------------------------------------------------------------------------------------------

describe("03 DER: headers (03.1)", () => {
  it("03.1 reads the tag and a short-form length (X.690 §8.1.3.4)", () => {
    const cases: [string, number, number][] = [
      ["02 01 05", 0x02, 1],
      ["30 00", 0x30, 0],
      ["31 03 02 01 00", 0x31, 3],
      ["04 7f" + "00".repeat(127), 0x04, 127],
      ["a0 03 02 01 02", 0xa0, 3], // [0] EXPLICIT, as the certificate version is wrapped (RFC 5280 §4.1)
      ["82 02 61 62", 0x82, 2], // [2] IMPLICIT, a dNSName (RFC 5280 §4.2.1.6)
    ];
    for (const [hex, tag, length] of cases) {
      const { value, consumed } = readOne(readHeader, h(hex));
      expect(value, hex).to.deep.equal({ tag, length, offset: PREFIX.length });
      expect(consumed, `header bytes consumed from ${hex}`).to.equal(2);
    }
  });

  it("03.1 reads long-form lengths of one to four bytes (X.690 §8.1.3.5)", () => {
    const cases: [string, number][] = [
      ["81 80", 128],
      ["81 ff", 255],
      ["82 01 00", 256],
      ["82 ff ff", 65535],
      ["83 01 00 00", 65536],
      ["83 01 23 45", 0x012345],
      ["84 01 00 00 00", 0x1000000],
    ];
    for (const [lengthHex, length] of cases) {
      const header = h("30" + lengthHex);
      const { value, consumed } = readOne(readHeader, concatBytes(header, new Uint8Array(length)));
      expect(value, lengthHex).to.deep.equal({ tag: 0x30, length, offset: PREFIX.length });
      expect(consumed, `header bytes consumed from 30 ${lengthHex}`).to.equal(header.length);
    }
  });

  it("03.1 reads back every length as the shortest encoding writes it", () => {
    const lengths = fc.oneof(fc.nat(0x7f), fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0x100, max: 0xffff }), fc.integer({ min: 0x10000, max: 0x12000 }));
    const tags = fc.integer({ min: 0, max: 255 }).filter((t) => (t & 0x1f) !== 0x1f);
    assertProperty(
      fc.property(tags, lengths, (tag, length) => {
        const header = concatBytes(Uint8Array.of(tag), encodeLength(length));
        const { value, consumed } = readOne(readHeader, concatBytes(header, new Uint8Array(length)));
        expect(value).to.deep.equal({ tag, length, offset: PREFIX.length });
        expect(consumed).to.equal(header.length);
      }),
    );
  });

  const rejected: [string, string][] = [
    ["an indefinite length (0x80), which DER forbids (X.690 §10.1)", "30 80 02 01 00 00 00"],
    ["a long form for a length the short form holds (81 05)", "02 81 05 01 02 03 04 05"],
    ["a long form for length zero (81 00)", "30 81 00"],
    ["a long form for 127 (81 7f)", "04 81 7f" + "00".repeat(127)],
    ["a long-form length with a leading zero byte (82 00 80)", "04 82 00 80" + "00".repeat(128)],
    ["a four-byte length with a leading zero (84 00 00 01 00)", "04 84 00 00 01 00" + "00".repeat(256)],
    ["more length bytes than MAX_LENGTH_BYTES (85 …)", "04 85 00 00 00 01 00"],
    ["the reserved length byte 0xff (X.690 §8.1.3.5 c)", "04 ff 00"],
    ["a multi-byte tag number (1f …, X.690 §8.1.2.4)", "1f 01 01 00"],
    ["a multi-byte constructed tag (3f …)", "3f 81 00 00"],
    ["a multi-byte context-specific tag (bf 1f …)", "bf 1f 01 00"],
    ["nothing at all", ""],
    ["a tag without a length", "30"],
    ["a long form cut after its first byte (81)", "30 81"],
    ["a long form cut inside its length bytes (82 01)", "30 82 01"],
    ["a length past the end of the input (checkFits)", "04 05 01 02 03 04"],
    ["a long-form length past the end of the input", "04 81 80" + "00".repeat(127)],
    ["the largest length (84 ff ff ff ff) with two bytes after it", "30 84 ff ff ff ff 00 00"],
  ];
  for (const [what, hex] of rejected) {
    it(`03.1 rejects ${what}`, () => expectRejected(readHeader, h(hex)));
  }

  it("03.1 matches the X.690 reading of random header bytes", () => {
    const headerish = fc.oneof(
      fc.uint8Array({ maxLength: 8 }),
      fc.tuple(fc.nat(255), fc.integer({ min: 0x80, max: 0x86 }), fc.uint8Array({ maxLength: 6 })).map(([t, l, rest]) => Uint8Array.of(t, l, ...rest)),
    );
    assertProperty(
      fc.property(headerish, (input) => {
        const { buffer, reader } = placed(input);
        const found = refHeader(buffer, PREFIX.length);
        // A header whose contents run past the end of the input is refused too (the exercise returns checkFits).
        const ref = typeof found !== "string" && found.headerLength + found.length <= input.length ? found : undefined;
        const what = typeof found === "string" ? found : "a header longer than the input";
        let got: ReturnType<typeof readHeader>;
        try {
          got = readHeader(reader, FIELD);
        } catch (e) {
          checkTlsError(e, buffer, BAD_CERTIFICATE);
          if (ref) throw new Error(`${toHex(input, " ")} is a good header (length ${ref.length}) but was refused: ${(e as Error).message}`);
          return;
        }
        if (!ref) throw new Error(`${toHex(input, " ")} is ${what}, yet readHeader returned length ${got.length}`);
        expect(got, toHex(input, " ")).to.deep.equal({ tag: ref.tag, length: ref.length, offset: PREFIX.length });
        expect(reader.offset - PREFIX.length, `bytes consumed from ${toHex(input, " ")}`).to.equal(ref.headerLength);
      }),
    );
  });

});

describe("03 DER: INTEGER, BOOLEAN, BIT STRING (03.2)", () => {
  it("03.2 reads the INTEGERs worked out by hand from X.690 §8.3", () => {
    const cases: [string, bigint][] = [
      ["02 01 00", 0n],
      ["02 01 01", 1n],
      ["02 01 7f", 127n],
      ["02 02 00 80", 128n], // the 00 keeps 0x80 from reading as negative
      ["02 02 01 00", 256n],
      ["02 01 80", -128n],
      ["02 02 ff 7f", -129n],
      ["02 01 ff", -1n],
      ["02 02 ff 00", -256n],
      ["02 03 01 00 01", 65537n], // the usual RSA public exponent
      ["02 09 00 ff ff ff ff ff ff ff ff", (1n << 64n) - 1n],
      ["02 08 80 00 00 00 00 00 00 00", -(1n << 63n)],
      ["02 08 7f ff ff ff ff ff ff ff", (1n << 63n) - 1n],
    ];
    for (const [hex, value] of cases) expectRead(readInteger, h(hex), value);
  });

  it("03.2 reads every INTEGER openssl encodes (random, up to 2100 bits, negative too)", () => {
    forEvery(vectors().integers, (v) => `INTEGER ${v.value}`, (v) => expectRead(readInteger, v.der, v.value));
  });

  it("03.2 reads a 4 KiB INTEGER", () => {
    const contents = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) & 0xff);
    contents[0] = 0x5a;
    expectRead(readInteger, concatBytes(h("02 82 10 00"), contents), BigInt("0x" + toHex(contents)));
  });

  const integerRejects: [string, string][] = [
    ["a redundant leading 00 (00 01)", "02 02 00 01"],
    ["a redundant leading 00 (00 7f)", "02 02 00 7f"],
    ["a redundant leading ff (ff 80)", "02 02 ff 80"],
    ["a redundant leading ff (ff ff)", "02 02 ff ff"],
    ["a redundant 00 before a long value", "02 04 00 00 ff ff"],
    ["an empty INTEGER (X.690 §8.3.1)", "02 00"],
    ["another tag (OCTET STRING)", "04 01 05"],
    ["an ENUMERATED", "0a 01 05"],
    ["a length past the end of the input", "02 05 01 02"],
    ["a length of 0x84 ff ff ff ff", "02 84 ff ff ff ff 01"],
    ["an indefinite length", "02 80 01 00 00"],
  ];
  for (const [what, hex] of integerRejects) {
    it(`03.2 readInteger rejects ${what}`, () => expectRejected(readInteger, h(hex)));
  }

  it("03.2 reads BOOLEANs: 00 is FALSE, ff is TRUE (X.690 §11.1)", () => {
    expectRead(readBoolean, h("01 01 ff"), true);
    expectRead(readBoolean, h("01 01 00"), false);
  });

  const booleanRejects: [string, string][] = [
    ["01, which BER reads as TRUE but DER forbids", "01 01 01"],
    ["7f", "01 01 7f"],
    ["80", "01 01 80"],
    ["an empty BOOLEAN", "01 00"],
    ["a two-byte BOOLEAN", "01 02 ff ff"],
    ["an INTEGER", "02 01 ff"],
    ["a length past the end", "01 01"],
  ];
  for (const [what, hex] of booleanRejects) {
    it(`03.2 readBoolean rejects ${what}`, () => expectRejected(readBoolean, h(hex)));
  }

  it("03.2 reads BIT STRINGs worked out by hand from X.690 §8.6", () => {
    const cases: [string, string, number][] = [
      ["03 01 00", "", 0],
      ["03 02 00 ff", "ff", 0],
      ["03 02 07 80", "80", 7], // one bit set
      ["03 02 05 a0", "a0", 5], // keyUsage digitalSignature + keyEncipherment (RFC 5280 §4.2.1.3)
      ["03 03 04 ab c0", "abc0", 4],
      ["03 03 07 80 80", "8080", 7], // keyUsage digitalSignature + decipherOnly: bit 8 spills into a second byte
    ];
    for (const [hex, bytes, unusedBits] of cases) expectRead(readBitString, h(hex), { bytes: h(bytes), unusedBits });
  });

  it("03.2 reads every named-bit list openssl encodes (X.690 §11.2.2)", () => {
    forEvery(
      vectors().bits,
      (v) => `bits {${v.positions.join(",")}}`,
      (v) => {
        const last = v.positions[v.positions.length - 1]!;
        const bytes = new Uint8Array((last >> 3) + 1);
        for (const p of v.positions) bytes[p >> 3]! |= 0x80 >> (p & 7);
        expectRead(readBitString, v.der, { bytes, unusedBits: 7 - (last & 7) });
      },
    );
    forEvery(vectors().hexBits, (v) => `BIT STRING ${toHex(v.bytes)}`, (v) => expectRead(readBitString, v.der, { bytes: v.bytes, unusedBits: 0 }));
  });

  const bitRejects: [string, string][] = [
    ["more than 7 unused bits", "03 02 08 00"],
    ["0xff unused bits", "03 02 ff 00"],
    ["unused bits in an empty string", "03 01 01"],
    ["no unused-bits byte at all", "03 00"],
    ["a set padding bit (X.690 §11.2.1)", "03 02 01 01"],
    ["a set padding bit in the last of several bytes", "03 03 04 ab c8"],
    ["an OCTET STRING", "04 02 00 ff"],
    ["a length past the end", "03 03 00 ff"],
  ];
  for (const [what, hex] of bitRejects) {
    it(`03.2 readBitString rejects ${what}`, () => expectRejected(readBitString, h(hex)));
  }

  it("03.2 readInteger throws only TlsErrors on bad input and reads exactly one INTEGER", () => {
    fuzz(readInteger, vectors().integers.slice(0, 40).map((v) => v.der), (value, contents) => {
      expect(value).to.equal(refInteger(contents));
    });
  });

  it("03.2 readBoolean throws only TlsErrors on bad input and reads exactly one BOOLEAN", () => {
    fuzz(readBoolean, [h("01 01 ff"), h("01 01 00")], (value, contents) => {
      expect(toHex(contents)).to.equal(value ? "ff" : "00");
    });
  });

  it("03.2 readBitString throws only TlsErrors on bad input and reads exactly one BIT STRING", () => {
    fuzz(readBitString, vectors().bits.slice(0, 40).map((v) => v.der), (value, contents) => {
      expect(value.unusedBits).to.equal(contents[0]);
      expectBytes(value.bytes, contents.subarray(1), "the BIT STRING's bytes");
    });
  });
});

describe("03 DER: OBJECT IDENTIFIER (03.3)", () => {
  it("03.3 reads the OIDs worked out by hand from X.690 §8.19", () => {
    const cases: [string, string][] = [
      ["06 09 2a 86 48 86 f7 0d 01 01 0b", "1.2.840.113549.1.1.11"], // sha256WithRSAEncryption (RFC 8017)
      ["06 03 55 1d 11", "2.5.29.17"], // subjectAltName (RFC 5280 §4.2.1.6)
      ["06 08 2a 86 48 ce 3d 03 01 07", "1.2.840.10045.3.1.7"], // secp256r1 (RFC 5480)
      ["06 05 2b 81 04 00 22", "1.3.132.0.34"], // secp384r1 (RFC 5480)
      ["06 03 88 37 03", "2.999.3"], // X.690 §8.19.5's own example: first subidentifier 2·40 + 999 = 1079
      ["06 0a 09 92 26 89 93 f2 2c 64 01 19", "0.9.2342.19200300.100.1.25"], // domainComponent (RFC 4519)
      ["06 01 00", "0.0"],
      ["06 01 27", "0.39"],
      ["06 01 28", "1.0"],
      ["06 01 4f", "1.39"],
      ["06 01 50", "2.0"],
      ["06 01 7f", "2.47"],
    ];
    for (const [hex, oid] of cases) expectRead(readOid, h(hex), oid);
  });

  it("03.3 reads every OID openssl encodes (random arcs up to 2^53 − 1)", () => {
    forEvery(vectors().oids, (v) => `OID ${v.value}`, (v) => expectRead(readOid, v.der, v.value));
  });

  it("03.3 reads an arc above 2^53 exactly, or refuses it", () => {
    // 1.2.18446744073709551616 (2^64), as openssl encodes it.
    const der = h("06 0b 2a 82 80 80 80 80 80 80 80 80 00");
    const { buffer, reader } = placed(der);
    try {
      expect(readOid(reader, FIELD)).to.equal("1.2.18446744073709551616");
    } catch (e) {
      checkTlsError(e, buffer, BAD_CERTIFICATE);
    }
  });

  it("03.3 adds the dotted OID to the notes", () => {
    const { reader } = placed(h("06 09 2a 86 48 86 f7 0d 01 01 0b"));
    readOid(reader, FIELD);
    const notes = reader.annotations.map((a) => a.note);
    expect(notes.some((n) => n.includes("1.2.840.113549.1.1.11")), `notes: ${JSON.stringify(notes)}`).to.equal(true);
  });

  const oidRejects: [string, string][] = [
    ["an empty OID", "06 00"],
    ["a first component starting with 0x80 (not minimal)", "06 02 80 01"],
    ["a later component starting with 0x80", "06 03 2a 80 01"],
    ["an end in the middle of a component", "06 02 2a 86"],
    ["a lone continuation byte", "06 01 86"],
    ["a RELATIVE-OID tag", "0d 01 2a"],
    ["a length past the end", "06 09 2a 86 48"],
  ];
  for (const [what, hex] of oidRejects) {
    it(`03.3 readOid rejects ${what}`, () => expectRejected(readOid, h(hex)));
  }

  it("03.3 readOid throws only TlsErrors on bad input and reads exactly one OID", () => {
    fuzz(readOid, vectors().oids.slice(0, 40).map((v) => v.der));
  });

  it("03.3 refuses a 4 KiB OID of continuation bytes quickly", () => {
    const der = concatBytes(h("06 82 10 00"), new Uint8Array(4096).fill(0x81));
    rejectedQuickly(() => readOid(new ByteReader(der), FIELD), der);
  });
});

describe("03 DER: times and strings (03.4)", () => {
  const utc = (text: string): Uint8Array => tlv(0x17, ascii(text));
  const gen = (text: string): Uint8Array => tlv(0x18, ascii(text));

  it("03.4 reads UTCTime with RFC 5280's century rule (YY < 50 is 20YY)", () => {
    const cases: [string, string][] = [
      ["491231235959Z", "2049-12-31T23:59:59Z"],
      ["500101000000Z", "1950-01-01T00:00:00Z"],
      ["000101000000Z", "2000-01-01T00:00:00Z"],
      ["991231235959Z", "1999-12-31T23:59:59Z"],
      ["250101000000Z", "2025-01-01T00:00:00Z"],
      ["000229120000Z", "2000-02-29T12:00:00Z"], // 2000 is a leap year (divisible by 400)
      ["240229000000Z", "2024-02-29T00:00:00Z"],
    ];
    for (const [text, iso] of cases) expectRead(readTime, utc(text), new Date(Date.parse(iso)));
  });

  it("03.4 reads GeneralizedTime, years 0001–9999", () => {
    const cases: [string, string][] = [
      ["20500101000000Z", "2050-01-01T00:00:00Z"],
      ["21250101000000Z", "2125-01-01T00:00:00Z"],
      ["19491231235959Z", "1949-12-31T23:59:59Z"],
      ["99991231235959Z", "9999-12-31T23:59:59Z"],
      ["00500101000000Z", "0050-01-01T00:00:00Z"], // Date.UTC alone would make this 1950
      ["00010101000000Z", "0001-01-01T00:00:00Z"],
      ["20000229000000Z", "2000-02-29T00:00:00Z"],
    ];
    for (const [text, iso] of cases) expectRead(readTime, gen(text), new Date(Date.parse(iso)));
  });

  it("03.4 reads every UTCTime and GeneralizedTime openssl encodes (random instants)", () => {
    forEvery(vectors().times, (v) => v.text, (v) => expectRead(readTime, v.der, new Date(Date.parse(v.iso))));
  });

  const timeRejects: [string, Uint8Array][] = [
    ["UTCTime with fractional seconds", utc("491231235959.5Z")],
    ["UTCTime with an offset instead of Z", utc("491231235959+0100")],
    ["UTCTime with a negative offset", utc("4912312359-0500")],
    ["UTCTime without seconds", utc("4912312359Z")],
    ["UTCTime without the Z", utc("491231235959")],
    ["UTCTime with text after the Z", utc("491231235959Z0")],
    ["UTCTime with a lowercase z", utc("491231235959z")],
    ["UTCTime with month 13", utc("491331235959Z")],
    ["UTCTime with month 00", utc("490031235959Z")],
    ["UTCTime with day 00", utc("491200235959Z")],
    ["UTCTime with February 30", utc("490230000000Z")],
    ["UTCTime with February 29 in a common year", utc("230229000000Z")],
    ["UTCTime with April 31", utc("490431000000Z")],
    ["UTCTime with hour 24", utc("491231240000Z")],
    ["UTCTime with minute 60", utc("491231236000Z")],
    ["UTCTime with second 60", utc("491231235960Z")],
    ["UTCTime with a space for a digit", utc("49123123595 Z")],
    ["UTCTime with a sign in a digit pair", utc("49123123+959Z")],
    ["UTCTime in GeneralizedTime's four-digit-year form", utc("20491231235959Z")],
    ["UTCTime with non-ASCII digits", tlv(0x17, Uint8Array.from(Buffer.from("٤٩١٢٣١٢٣٥٩٥٩Z", "utf8")))],
    ["an empty UTCTime", utc("")],
    ["GeneralizedTime with fractional seconds", gen("20491231235959.123Z")],
    ["GeneralizedTime without seconds", gen("204912312359Z")],
    ["GeneralizedTime without the Z (local time)", gen("20491231235959")],
    ["GeneralizedTime with text after the Z", gen("20491231235959Z ")],
    ["GeneralizedTime with an offset", gen("20491231235959+0000")],
    ["GeneralizedTime in UTCTime's two-digit-year form", gen("491231235959Z")],
    ["GeneralizedTime with February 29 in 2100 (not a leap year)", gen("21000229000000Z")],
    ["GeneralizedTime with February 29 in 1900 (not a leap year)", gen("19000229000000Z")],
    ["GeneralizedTime with month 13", gen("20491301000000Z")],
    ["a time in a UTF8String", tlv(0x0c, ascii("491231235959Z"))],
    ["a time in a PrintableString", tlv(0x13, ascii("491231235959Z"))],
  ];
  for (const [what, der] of timeRejects) {
    it(`03.4 readTime rejects ${what}`, () => expectRejected(readTime, der));
  }
  it("03.4 readTime rejects a length past the end", () => expectRejected(readTime, h("17 0d 34 39 31 32")));
  it("03.4 readTime rejects the end of the input", () => expectRejected(readTime, new Uint8Array(0)));

  it("03.4 reads each string type X.509 names use", () => {
    const cases: [string, string][] = [
      ["0c 06 68 c3 a9 6c 6c 6f", "héllo"], // UTF8String
      ["0c 04 f0 9f 98 80", "😀"], // UTF8String, a four-byte sequence
      ["0c 00", ""],
      ["13 07 41 62 63 20 31 32 33", "Abc 123"], // PrintableString
      ["13 0b 27 28 29 2b 2c 2d 2e 2f 3a 3d 3f", "'()+,-./:=?"], // PrintableString's punctuation, X.680 §41.4
      ["16 05 61 40 62 2a 63", "a@b*c"], // IA5String: all of ASCII
      ["14 03 61 e9 62", "aéb"], // TeletexString, read as Latin-1
      ["1e 04 00 68 00 e9", "hé"], // BMPString: UTF-16BE
      ["1e 04 65 e5 67 2c", "日本"],
    ];
    for (const [hex, text] of cases) expectRead(readString, h(hex), text);
  });

  it("03.4 reads every UTF8String, PrintableString, IA5String and BMPString openssl encodes (random text)", () => {
    forEvery(vectors().strings, (v) => `${v.kind} ${JSON.stringify(v.value)}`, (v) => expectRead(readString, v.der, v.value));
  });

  it("03.4 adds the text to the notes", () => {
    const { reader } = placed(h("0c 05 68 65 6c 6c 6f"));
    readString(reader, FIELD);
    const notes = reader.annotations.map((a) => a.note);
    expect(notes.some((n) => n.includes("hello")), `notes: ${JSON.stringify(notes)}`).to.equal(true);
  });

  const stringRejects: [string, string][] = [
    ["a PrintableString with '@'", "13 03 61 40 62"],
    ["a PrintableString with '*'", "13 03 61 2a 62"],
    ["a PrintableString with '&'", "13 03 61 26 62"],
    ["a PrintableString with '_'", "13 03 61 5f 62"],
    ["a PrintableString with a byte above 0x7f", "13 02 61 e9"],
    ["a UTF8String with a lone continuation byte", "0c 03 61 80 62"],
    ["a UTF8String with a bad second byte (c3 28)", "0c 02 c3 28"],
    ["a UTF8String with an overlong '/' (c0 af)", "0c 02 c0 af"],
    ["a UTF8String with an encoded surrogate (ed a0 80)", "0c 03 ed a0 80"],
    ["a UTF8String cut inside a sequence", "0c 02 e6 97"],
    ["a UTF8String with a five-byte form (f8 …)", "0c 05 f8 88 80 80 80"],
    ["a UTF8String above U+10FFFF (f4 90 80 80)", "0c 04 f4 90 80 80"],
    ["an IA5String with a byte above 0x7f", "16 03 61 e9 62"],
    ["a BMPString of odd length", "1e 03 00 68 00"],
    ["an OCTET STRING", "04 02 61 62"],
    ["a NumericString (not used in names)", "12 02 31 32"],
    ["an INTEGER", "02 01 05"],
    ["a length past the end", "0c 05 61 62"],
    ["the end of the input", ""],
  ];
  for (const [what, hex] of stringRejects) {
    it(`03.4 readString rejects ${what}`, () => expectRejected(readString, h(hex)));
  }

  it("03.4 readTime throws only TlsErrors on bad input and reads exactly one time", () => {
    fuzz(readTime, vectors().times.slice(0, 40).map((v) => v.der), (value) => {
      expect(Number.isNaN(value.getTime()), "an Invalid Date").to.equal(false);
    });
  });

  it("03.4 readString throws only TlsErrors on bad input and reads exactly one string", () => {
    const seeds = [
      ...vectors().strings.filter((_, i) => i % 10 === 0).map((v) => v.der),
      h("14 03 61 e9 62"),
      h("0c 04 f0 9f 98 80"),
    ];
    fuzz(readString, seeds);
  });

  it("03.4 reads a 64 KiB string quickly", () => {
    const text = "x".repeat(0x10000);
    const start = performance.now();
    expectRead(readString, concatBytes(h("0c 83 01 00 00"), ascii(text)), text);
    expect(performance.now() - start, "milliseconds").to.be.below(1000);
  });
});

describe("03 DER: huge lengths and deep nesting", () => {
  // 10,000 SEQUENCE headers, each claiming four gigabytes: every reader must stop at the first, with a TlsError.
  const nested = concatBytes(...Array.from({ length: 10000 }, () => h("30 84 ff ff ff ff")));
  const huge = (tag: number): Uint8Array => concatBytes(Uint8Array.of(tag), h("84 ff ff ff ff"), nested);
  const readers: [string, Reader<unknown>, number][] = [
    ["03.2", readInteger, 0x02],
    ["03.2", readBoolean, 0x01],
    ["03.2", readBitString, 0x03],
    ["03.3", readOid, 0x06],
    ["03.4", readTime, 0x17],
    ["03.4", readString, 0x0c],
  ];
  for (const [exercise, read, tag] of readers) {
    it(`${exercise} ${read.name} rejects 10,000 nested four-gigabyte headers quickly`, () => {
      rejectedQuickly(() => read(new ByteReader(nested), FIELD), nested);
      const input = huge(tag);
      rejectedQuickly(() => read(new ByteReader(input), FIELD), input);
    });
  }
});
