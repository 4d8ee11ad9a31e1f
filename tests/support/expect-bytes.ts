// Assertions whose failures show what differs. Bytes: the first differing offset, a few bytes of both sides
// around it, and the TLS field at that offset (from annotations, the same notes the dumps show). Codes: hex
// with their name, `0x0304 (TLS 1.3)`. Values with bytes inside (a decoded message): the path to the first
// difference, then the same byte or code report there. Every failure is a chai AssertionError, never truncated.

import * as chai from "chai";
import { AssertionError } from "chai";
import { ByteReader, type Annotation } from "../../lib/bytes.js";
import {
  AlertDescription,
  CipherSuite,
  ContentType,
  ECPointFormat,
  HandshakeType,
  NameType,
  NamedGroup,
  OtherCipherSuite,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureScheme,
  isGrease,
  nameOf,
  type CodeTable,
} from "../../lib/constants.js";

// chai cuts long values to `[ …(4) ]` and `'0000…'` by default; a learner must see all of them.
chai.config.truncateThreshold = 0;

/** How many bytes of context to show on each side of the first difference. */
const CONTEXT = 8;

/** What a decoder made of some bytes: the notes it took, and where it stopped if it failed. */
export interface Decoded {
  annotations: readonly Annotation[];
  /** The error the decoder stopped with, if it did (a counterexample is bad input: partial notes are normal). */
  error?: string;
}

/**
 * Labels bytes with the fields a decoder finds in them, e.g. `(b) => annotateWith(b, readHandshake)`. Used on
 * EXPECTED bytes (which come from outside: an RFC trace, a recording) to name the field where a difference is,
 * so the decoder is normally the reference one from solutions/, imported by the test that needs it.
 */
export type Structure = (bytes: Uint8Array) => Decoded;

/** Runs `read` over `bytes` with a fresh ByteReader and keeps its notes, also when it throws. */
export function annotateWith(bytes: Uint8Array, read: (r: ByteReader) => unknown): Decoded {
  const r = new ByteReader(bytes);
  try {
    read(r);
    if (r.remaining > 0) return { annotations: r.annotations, error: `${r.remaining} byte(s) left over at offset ${r.offset}` };
    return { annotations: r.annotations };
  } catch (e) {
    return { annotations: r.annotations, error: e instanceof Error ? e.message : String(e) };
  }
}

export interface BytesOptions {
  /** Notes on the ACTUAL bytes (a ByteWriter's or ByteReader's `annotations`), offsets relative to them. */
  annotations?: readonly Annotation[];
  /** Notes on the EXPECTED bytes, offsets relative to them. */
  expectedAnnotations?: readonly Annotation[];
  /**
   * A decoder that labels the expected bytes (and tries the actual ones) when no expectedAnnotations are given.
   * In expectSame it applies to every byte string inside the value (e.g. a list of handshake messages).
   */
  structure?: Structure;
}

// ---- bytes ------------------------------------------------------------------------------------------------------

const hex2 = (b: number): string => b.toString(16).padStart(2, "0");
const spaced = (bytes: Uint8Array): string => Array.from(bytes, hex2).join(" ");

/** Short hex for a value inside a message: whole up to 48 bytes, else its start and end. */
export function showBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return "<0 bytes>";
  if (bytes.length <= 48) return `<${bytes.length} bytes: ${spaced(bytes)}>`;
  return `<${bytes.length} bytes: ${spaced(bytes.subarray(0, 24))} … ${spaced(bytes.subarray(bytes.length - 8))}>`;
}

/** `from`…`to` of `bytes` as hex, the byte at `mark` in brackets, with … where the window cuts the bytes. */
function window(bytes: Uint8Array, from: number, to: number, mark: number): string {
  const start = Math.max(0, from);
  const end = Math.min(bytes.length, to);
  const parts: string[] = [];
  for (let i = start; i < end; i++) parts.push(i === mark ? `[${hex2(bytes[i]!)}]` : hex2(bytes[i]!));
  if (mark >= bytes.length && mark < to) parts.push("(end)");
  return `${start > 0 ? "…" : ""}${parts.join(" ")}${end < bytes.length ? "…" : ""}`;
}

/**
 * Text safe to print: characters outside printable ASCII (a host name's bytes, U+FFFD) as \xNN or \uNNNN, except
 * the few the dumps and messages use themselves (· › … – §).
 */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e·›…–§]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** The fields holding `offset`, outermost first: `extensions › server_name › host_name (bytes 9–14)`. */
export function fieldAt(annotations: readonly Annotation[], offset: number): string | undefined {
  const holding = annotations.filter((a) => a.length > 0 && a.offset <= offset && offset < a.offset + a.length);
  if (holding.length === 0) return undefined;
  // Outermost first; at equal depth a group before the leaf it holds.
  holding.sort((a, b) => a.depth - b.depth || Number(b.group) - Number(a.group) || b.length - a.length);
  const inner = holding[holding.length - 1]!;
  const span = inner.length === 1 ? `byte ${inner.offset}` : `bytes ${inner.offset}–${inner.offset + inner.length - 1}`;
  return `${holding.map((a) => printable(a.note)).join(" › ")} (${span})`;
}

/** The difference between two byte strings as lines of text, or undefined when they are equal. */
export function describeBytesDifference(actual: Uint8Array, expected: Uint8Array, options: BytesOptions = {}): string[] | undefined {
  const common = Math.min(actual.length, expected.length);
  let at = 0;
  while (at < common && actual[at] === expected[at]) at++;
  if (at === common && actual.length === expected.length) return undefined;

  const lines: string[] = [];
  if (at < common) {
    let differing = 0;
    for (let i = at; i < common; i++) if (actual[i] !== expected[i]) differing++;
    const sizes =
      actual.length === expected.length
        ? `(${expected.length} bytes each; ${differing} differ${differing === 1 ? "s" : ""})`
        : `(of ${expected.length} expected, ${actual.length} actual)`;
    lines.push(`bytes differ at offset ${at} ${sizes}`);
  } else if (actual.length < expected.length) {
    const n = expected.length - actual.length;
    lines.push(`actual is ${n} byte${n === 1 ? "" : "s"} shorter (${actual.length} of ${expected.length}); the first ${actual.length} agree`);
  } else {
    const n = actual.length - expected.length;
    lines.push(`actual has ${n} extra byte${n === 1 ? "" : "s"} after the ${expected.length} expected, which all agree`);
  }

  const decodedExpected = options.expectedAnnotations === undefined && options.structure ? options.structure(expected) : undefined;
  const expectedNotes = options.expectedAnnotations ?? decodedExpected?.annotations;
  const expectedField = expectedNotes && at < expected.length ? fieldAt(expectedNotes, at) : undefined;
  const actualField = options.annotations && at < actual.length ? fieldAt(options.annotations, at) : undefined;
  if (expectedField !== undefined) lines.push(`  field there:     ${expectedField}`);
  else if (expectedNotes && at === expected.length && at > 0) {
    const last = fieldAt(expectedNotes, at - 1);
    if (last !== undefined) lines.push(`  expected ends:   ${last}`);
  }
  if (actualField !== undefined && actualField !== expectedField) lines.push(`  your notes there: ${actualField}`);
  if (options.structure) {
    const readBack = options.structure(actual);
    if (readBack.error !== undefined) lines.push(`  reading your bytes as that structure fails: ${readBack.error}`);
  }

  // Both lines show the same offsets, so their columns line up; the wider side sets how far the window goes.
  const after = at < common ? CONTEXT + 1 : 2 * CONTEXT;
  const from = at - CONTEXT;
  const to = at + after; // [..] marks offset `at`
  lines.push(`  expected  ${window(expected, from, to, at)}`);
  lines.push(`  actual    ${window(actual, from, to, at)}`);
  return lines;
}

/** Throws a chai AssertionError (a normal test failure) that says where the bytes differ and what field is there. */
export function expectBytes(actual: unknown, expected: Uint8Array, what = "bytes", options: BytesOptions = {}): void {
  if (!(actual instanceof Uint8Array)) {
    throw new AssertionError(`${what}: expected ${expected.length} bytes, got ${show(actual)}`);
  }
  const lines = describeBytesDifference(actual, expected, options);
  if (lines !== undefined) throw new AssertionError(`${what}: ${lines.join("\n")}`);
}

// ---- codes ------------------------------------------------------------------------------------------------------

/** Suites we negotiate and those we only name. */
export const AnyCipherSuite: CodeTable = { ...CipherSuite, ...OtherCipherSuite };

const VERSION_LABELS: Readonly<Record<number, string>> = {
  0x0300: "SSL 3.0",
  0x0301: "TLS 1.0",
  0x0302: "TLS 1.1",
  0x0303: "TLS 1.2",
  0x0304: "TLS 1.3",
};

const widths = new WeakMap<CodeTable, number>();
/** Hex digits for a table's codes: 2 for one-byte code points (content types, alerts), 4 for two-byte ones. */
function widthOf(table: CodeTable): number {
  let w = widths.get(table);
  if (w === undefined) {
    w = Object.values(table).some((v) => v > 0xff) ? 4 : 2;
    widths.set(table, w);
  }
  return w;
}

/** `0x0304 (TLS 1.3)`, `0x1301 (TLS_AES_128_GCM_SHA256)`, `0x0a0a (GREASE)`, `0x1234 (unknown)`. */
export function showCode(value: unknown, table: CodeTable): string {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) return show(value);
  const hex = "0x" + value.toString(16).padStart(widthOf(table), "0");
  const name =
    (table === ProtocolVersion ? VERSION_LABELS[value] : undefined) ??
    nameOf(table, value) ??
    (widthOf(table) === 4 && isGrease(value) ? "GREASE" : "unknown");
  return `${hex} (${name})`;
}

/** Fails with both codes in hex and by name: `protocol version: expected 0x0304 (TLS 1.3), got 0x0303 (TLS 1.2)`. */
export function expectCode(actual: unknown, expected: number, table: CodeTable, what = "code"): void {
  if (actual !== expected) {
    throw new AssertionError(`${what}: expected ${showCode(expected, table)}, got ${showCode(actual, table)}`);
  }
}

/** Fails unless `actual` is one of `allowed`, listing them by name. */
export function expectCodeIn(actual: unknown, allowed: readonly number[], table: CodeTable, what = "code"): void {
  if (typeof actual !== "number" || !allowed.includes(actual)) {
    throw new AssertionError(`${what}: got ${showCode(actual, table)}, expected one of ${allowed.map((c) => showCode(c, table)).join(", ")}`);
  }
}

// ---- values with bytes and codes inside ----------------------------------------------------------------------------

/**
 * Which code table a property of that name holds, so that a difference in a decoded message reads
 * `cipherSuites[2]: expected 0x1302 (TLS_AES_256_GCM_SHA384), got …`. Names the chapters' interfaces use.
 */
export const CODE_FIELDS: Readonly<Record<string, CodeTable>> = {
  legacyVersion: ProtocolVersion,
  version: ProtocolVersion,
  versions: ProtocolVersion,
  selectedVersion: ProtocolVersion,
  legacyRecordVersion: ProtocolVersion,
  cipherSuite: AnyCipherSuite,
  cipherSuites: AnyCipherSuite,
  suite: AnyCipherSuite,
  group: NamedGroup,
  groups: NamedGroup,
  selectedGroup: NamedGroup,
  namedGroup: NamedGroup,
  scheme: SignatureScheme,
  schemes: SignatureScheme,
  signatureScheme: SignatureScheme,
  modes: PskKeyExchangeMode,
  formats: ECPointFormat,
  nameType: NameType,
  alert: AlertDescription,
  contentType: ContentType,
  msgType: HandshakeType,
  handshakeType: HandshakeType,
};

export interface SameOptions extends BytesOptions {
  /** More property names → code tables, for this comparison (they add to and override CODE_FIELDS). */
  codes?: Readonly<Record<string, CodeTable>>;
  /** The code table of the value itself, e.g. CipherSuite for a list of suites. */
  table?: CodeTable;
}

/** A value shown in full (no truncation): bytes as short hex, codes by name when `table` is given. */
export function show(value: unknown, table?: CodeTable, codes: Readonly<Record<string, CodeTable>> = CODE_FIELDS): string {
  if (value instanceof Uint8Array) return showBytes(value);
  if (typeof value === "number" && table !== undefined) return showCode(value, table);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return `[${value.map((v) => show(v, table, codes)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${show(v, codes[k], codes)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return String(value);
}

/** The first difference between two values as lines of text, or undefined when they are deeply equal. */
export function describeDifference(actual: unknown, expected: unknown, options: SameOptions = {}): string[] | undefined {
  const codes = { ...CODE_FIELDS, ...options.codes };
  const walk = (a: unknown, e: unknown, path: string, table: CodeTable | undefined): string[] | undefined => {
    const here = path === "" ? "" : `${path}: `;
    if (e instanceof Uint8Array) {
      if (!(a instanceof Uint8Array)) return [`${here}expected ${showBytes(e)}, got ${show(a, table, codes)}`];
      // Annotations describe the top-level bytes only; a structure describes every byte string inside.
      const lines = describeBytesDifference(a, e, path === "" ? options : { structure: options.structure });
      return lines === undefined ? undefined : [`${here}${lines[0]}`, ...lines.slice(1)];
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) return [`${here}expected a list ${show(e, table, codes)}, got ${show(a, table, codes)}`];
      for (let i = 0; i < Math.min(a.length, e.length); i++) {
        const d = walk(a[i], e[i], `${path}[${i}]`, table);
        if (d !== undefined) {
          return a.length === e.length ? d : [...d, `  (and the list has ${a.length} items, not ${e.length})`];
        }
      }
      if (a.length !== e.length) {
        return [
          `${here}expected ${e.length} item${e.length === 1 ? "" : "s"}, got ${a.length}`,
          `  expected ${show(e, table, codes)}`,
          `  actual   ${show(a, table, codes)}`,
        ];
      }
      return undefined;
    }
    if (e !== null && typeof e === "object") {
      if (a === null || typeof a !== "object" || Array.isArray(a) || a instanceof Uint8Array) {
        return [`${here}expected ${show(e, table, codes)}, got ${show(a, table, codes)}`];
      }
      const ea = e as Record<string, unknown>;
      const aa = a as Record<string, unknown>;
      for (const k of Object.keys(ea)) {
        if (!(k in aa) && ea[k] !== undefined) return [`${path === "" ? "" : path + "."}${k}: missing (expected ${show(ea[k], codes[k], codes)})`];
      }
      for (const k of Object.keys(aa)) {
        if (!(k in ea) && aa[k] !== undefined) return [`${path === "" ? "" : path + "."}${k}: not expected (got ${show(aa[k], codes[k], codes)})`];
      }
      for (const k of Object.keys(ea)) {
        const d = walk(aa[k], ea[k], path === "" ? k : `${path}.${k}`, codes[k]);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    if (Object.is(a, e) || a === e) return undefined;
    return [`${here}expected ${show(e, table, codes)}, got ${show(a, table, codes)}`];
  };
  return walk(actual, expected, "", options.table);
}

/**
 * Deep equality for decoded messages, lists of byte strings and other values: fails at the first difference,
 * naming its path (`extensions[4].shares[0].keyExchange`), with the byte report there and codes by name.
 */
export function expectSame(actual: unknown, expected: unknown, what = "value", options: SameOptions = {}): void {
  const lines = describeDifference(actual, expected, options);
  if (lines !== undefined) throw new AssertionError(`${what}: ${lines.join("\n")}`);
}

/** expectSame on the properties `expected` names, the others ignored (chai's deep.include for an object). */
export function expectFields(actual: unknown, expected: Readonly<Record<string, unknown>>, what = "value", options: SameOptions = {}): void {
  if (actual === null || typeof actual !== "object") throw new AssertionError(`${what}: expected an object, got ${show(actual)}`);
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]));
  expectSame(picked, expected, what, options);
}

/** Fails unless some item of `list` is deeply equal to `item` (bytes and all), showing the whole list if not. */
export function expectContains(list: readonly unknown[], item: unknown, what = "list", options: SameOptions = {}): void {
  if (!Array.isArray(list)) throw new AssertionError(`${what}: expected a list, got ${show(list)}`);
  if (list.some((x) => describeDifference(x, item, options) === undefined)) return;
  const codes = { ...CODE_FIELDS, ...options.codes };
  throw new AssertionError(
    `${what}: no item is ${show(item, options.table, codes)}\n  the ${list.length} items: ${show(list, options.table, codes)}`,
  );
}
