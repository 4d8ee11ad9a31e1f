// Checks that a decoder fails the way a TLS implementation must: with the project's TlsError carrying a fitting
// alert and naming the field and byte offset where it stopped, never with a RangeError or TypeError. Property
// tests (fast-check) feed decoders random bytes and mutations of real messages; the helpers here build both.
// Read RFC 8446 §6.2 (which alert for which failure) and lib/errors.ts.

import fc from "fast-check";
import { AssertionError, expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { alertName, isNotImplemented, isTlsError, type TlsError } from "../../lib/errors.js";
import { renderText } from "../../lib/render.js";
import { printable, show, showBytes, type Structure } from "./expect-bytes.js";

/** How many inputs every decoder property tries. */
export const NUM_RUNS = 1000;

const hex = (b: Uint8Array, max = 48): string =>
  Buffer.from(b.subarray(0, max)).toString("hex") + (b.length > max ? `… (${b.length} bytes)` : "");

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `a non-Error value (${String(e)})`;
}

/**
 * Throws (with a message a learner can act on) unless `e` is a TlsError whose alert is one of `alerts`, whose
 * field is named and whose offset lies inside the input. A NotImplemented is rethrown as it is, so an unfinished
 * exercise reads as such.
 */
export function checkTlsError(e: unknown, input: Uint8Array, alerts: readonly number[]): TlsError {
  if (isNotImplemented(e)) throw e;
  if (!isTlsError(e)) {
    throw new Error(`on input ${hex(input)} the decoder threw ${describeThrown(e)}; it must throw only a TlsError`, { cause: e });
  }
  if (!alerts.includes(e.alert)) {
    throw new Error(
      `on input ${hex(input)} the decoder sent ${alertName(e.alert)}, expected ${alerts.map(alertName).join(" or ")}: ${e.message}`,
    );
  }
  if (typeof e.field !== "string" || e.field === "") {
    throw new Error(`on input ${hex(input)} the TlsError does not name the field it was reading: ${e.message}`);
  }
  if (typeof e.offset !== "number" || !Number.isInteger(e.offset) || e.offset < 0 || e.offset > input.length) {
    throw new Error(`on input ${hex(input)} the TlsError's offset ${e.offset} is not a position in the ${input.length}-byte input: ${e.message}`);
  }
  return e;
}

/** Runs `decode(input)`; returns its result, or the TlsError it threw once checkTlsError has accepted it. */
export function decodeOrTlsError<T>(
  decode: (input: Uint8Array) => T,
  input: Uint8Array,
  alerts: readonly number[] = [AlertDescription.decode_error],
): { ok: true; value: T } | { ok: false; error: TlsError } {
  try {
    return { ok: true, value: decode(input) };
  } catch (e) {
    return { ok: false, error: checkTlsError(e, input, alerts) };
  }
}

export interface PropertyOptions {
  /** How many inputs to try (NUM_RUNS). */
  numRuns?: number;
  /** What the property demands, said so a learner can act on it: "every host name is kept byte for byte". */
  demands?: string;
  /**
   * How to show the counterexample's values, by position (one Structure for all byte values, or one per
   * argument): byte values get the annotated dump of that structure, read by the reference decoder.
   */
  explain?: Structure | readonly (Structure | undefined)[];
  /** Names for the property's arguments, in order, for the report: ["prefix size", "body"]. */
  inputs?: readonly string[];
}

/** The longest annotated dump a failure shows; a shrunk counterexample is almost always far shorter. */
const MAX_DUMP_LINES = 40;

function indent(text: string, by: string): string {
  return text.split("\n").map((l) => by + l).join("\n");
}

/** One value of a counterexample: bytes in full hex (and their dump), strings as strings, the rest via show(). */
function showValue(value: unknown, structure: Structure | undefined): string {
  if (!(value instanceof Uint8Array)) {
    if (typeof value === "string" && /[^\x20-\x7e]/.test(value)) {
      const codes = Array.from(value, (c) => c.codePointAt(0)!.toString(16).padStart(2, "0")).join(" ");
      return `${JSON.stringify(value)} (${value.length} character${value.length === 1 ? "" : "s"}, not all printable ASCII: ${codes})`;
    }
    return show(value);
  }
  const lines = [value.length > 0 && value.length <= 96 ? `<${value.length} bytes: ${Buffer.from(value).toString("hex")}>` : showBytes(value)];
  if (structure !== undefined && value.length > 0) {
    const decoded = structure(value);
    let dump = renderText(value, decoded.annotations).split("\n").filter((l) => l !== "").map(printable);
    if (dump.length > MAX_DUMP_LINES) dump = [...dump.slice(0, MAX_DUMP_LINES), `… ${dump.length - MAX_DUMP_LINES} more lines`];
    if (dump.length > 0) lines.push("as the reference decoder reads it:", ...dump.map((l) => "  " + l));
    if (decoded.error !== undefined) lines.push(`(the reference decoder stops there: ${printable(decoded.error)})`);
  }
  return lines.join("\n");
}

/** The report for a failed run: the property's demand, the assertion that failed, the smallest input, decoded. */
function failureReport(
  details: { numRuns: number; numShrinks: number; errorInstance: unknown; counterexample: readonly unknown[] },
  options: PropertyOptions,
): string {
  const lines: string[] = [];
  const shrunk = details.numShrinks > 0 ? `, shrunk ${details.numShrinks} time${details.numShrinks === 1 ? "" : "s"} to the smallest failing input` : "";
  lines.push(`property failed on input ${details.numRuns} of ${options.numRuns ?? NUM_RUNS}${shrunk}`);
  if (options.demands !== undefined) lines.push(`  it demands: ${options.demands}`);
  const cause = details.errorInstance;
  const message = cause instanceof Error ? `${cause.name === "AssertionError" || cause.name === "Error" ? "" : cause.name + ": "}${cause.message}` : String(cause);
  lines.push("  what failed:", indent(message, "    "));
  const values = details.counterexample;
  const structures = options.explain;
  lines.push(values.length === 1 ? "  the input:" : "  the inputs:");
  values.forEach((v, i) => {
    const structure = Array.isArray(structures) ? structures[i] : (structures as Structure | undefined);
    const shown = showValue(v, structure);
    const name = options.inputs?.[i];
    lines.push(indent(name !== undefined ? `${name}: ${shown}` : values.length === 1 ? shown : `${i + 1}. ${shown}`, "    "));
  });
  return lines.join("\n");
}

/**
 * Runs a property with the project's run count, and on failure reports what a learner needs: what the property
 * demands, the failing assertion's own message, and the (shrunk) counterexample decoded. An unfinished exercise
 * fails as itself ("exercise 00.2 is not done yet") rather than as a counterexample. The second argument may be
 * the number of runs (as before) or PropertyOptions.
 */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  options: number | PropertyOptions = {},
): void {
  const opts: PropertyOptions = typeof options === "number" ? { numRuns: options } : options;
  // fc.check, not fc.assert: its report hides the assertion in `cause` and ends with a hint about a verbose mode
  // the learner cannot switch on. Shrinking stays on: the smallest failing input is the easiest to read.
  const details = fc.check(property, { numRuns: opts.numRuns ?? NUM_RUNS });
  if (!details.failed) return;
  if (isNotImplemented(details.errorInstance)) throw details.errorInstance;
  if (details.counterexample === null) {
    throw new AssertionError(`property could not run: ${details.interrupted ? "interrupted" : `${details.numSkips} inputs skipped`}`);
  }
  // `cause`: what the code under test threw, so that the grader can tell whose code it was (tools/blame.ts).
  throw new AssertionError(failureReport({ ...details, counterexample: details.counterexample }, opts), { cause: details.errorInstance });
}

/**
 * Property: for every input the arbitrary makes, `decode` either returns or throws a TlsError with one of
 * `alerts`, naming field and offset. `also` may check a successful result further (say what it demands in
 * `demands`); `explain` names the inputs' fields in a failure report.
 */
export function onlyTlsErrors<T>(
  decode: (input: Uint8Array) => T,
  inputs: fc.Arbitrary<Uint8Array>,
  options: {
    alerts?: readonly number[];
    numRuns?: number;
    also?: (value: T, input: Uint8Array) => void;
    demands?: string;
    explain?: Structure;
  } = {},
): void {
  const alerts = options.alerts ?? [AlertDescription.decode_error];
  const base =
    `every input either decodes or fails with a TlsError (${alerts.map(alertName).join(" or ")}) naming the field ` +
    `and the offset where it stopped, never with another exception`;
  assertProperty(
    fc.property(inputs, (input) => {
      const result = decodeOrTlsError(decode, input, alerts);
      if (result.ok && options.also) options.also(result.value, input);
    }),
    {
      numRuns: options.numRuns ?? NUM_RUNS,
      demands: options.demands === undefined ? base : `${base};\n              and ${options.demands}`,
      explain: options.explain,
    },
  );
}

/**
 * "decoded" or "failed: <the error>": compare it with expect(…).to.equal("decoded") (or match /^failed/) so a
 * failure shows the decoder's error, or what it decoded, instead of "expected false to equal true".
 */
export function outcome<T>(result: { ok: true; value: T } | { ok: false; error: TlsError }): string {
  return result.ok ? `decoded ${show(result.value)}` : `failed: ${result.error.message}`;
}

/** Calls `fn`, expects a TlsError with `alert`, and checks its field (substring or pattern) and offset if given. */
export function expectTlsError(
  fn: () => unknown,
  expected: { alert: number; field?: string | RegExp; offset?: number },
): TlsError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected a TlsError (${alertName(expected.alert)}), but nothing was thrown`);
  if (isNotImplemented(thrown)) throw thrown;
  if (!isTlsError(thrown)) {
    throw new Error(`expected a TlsError (${alertName(expected.alert)}), got ${describeThrown(thrown)}`, { cause: thrown });
  }
  expect(thrown.alertName, `alert of "${thrown.message}"`).to.equal(alertName(expected.alert));
  if (expected.field !== undefined) {
    expect(thrown.field, `the field named by "${thrown.message}"`).to.be.a("string");
    if (typeof expected.field === "string") {
      expect(thrown.field, `the field named by "${thrown.message}"`).to.include(expected.field);
    } else {
      expect(thrown.field, `the field named by "${thrown.message}"`).to.match(expected.field);
    }
  }
  if (expected.offset !== undefined) {
    expect(thrown.offset, `the offset named by "${thrown.message}"`).to.equal(expected.offset);
  }
  return thrown;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

/** Random bytes, up to `maxLength` long. */
export function randomBytes(maxLength = 64): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength });
}

/** Every proper prefix of `message` (lengths 0 … length−1): a truncation at every offset. */
export function truncations(message: Uint8Array): Uint8Array[] {
  return Array.from({ length: message.length }, (_, n) => message.slice(0, n));
}

/**
 * Mutations of real messages, the bad input that finds the most bugs: cut at an offset, flip or set a byte,
 * nudge a one- or two-byte big-endian field up or down (every length field is one of these), append trailing
 * bytes, delete or insert a byte, overwrite a stretch with random bytes.
 */
export function mutationsOf(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error("mutationsOf needs at least one real message");
  const seed = fc.constantFrom(...seeds);
  const at = (s: Uint8Array, i: number): number => (s.length === 0 ? 0 : i % s.length);
  return fc.oneof(
    // truncate
    fc.tuple(seed, fc.nat()).map(([s, i]) => s.slice(0, at(s, i))),
    // flip some bits of one byte
    fc.tuple(seed, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([s, i, x]) => {
      const m = s.slice();
      if (m.length > 0) m[at(m, i)]! ^= x;
      return m;
    }),
    // change a length field: add a small delta to the uint16 (or uint8) at an offset, wrapping
    fc.tuple(seed, fc.nat(), fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0), fc.boolean()).map(([s, i, d, wide]) => {
      const m = s.slice();
      if (m.length < 2) return m;
      const j = at(m, i) % (m.length - 1);
      if (wide) {
        const v = (((m[j]! << 8) | m[j + 1]!) + d + 0x10000) & 0xffff;
        m[j] = v >> 8;
        m[j + 1] = v & 0xff;
      } else {
        m[j] = (m[j]! + d + 256) & 0xff;
      }
      return m;
    }),
    // trailing bytes
    fc.tuple(seed, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([s, extra]) => concatBytes(s, extra)),
    // delete one byte
    fc.tuple(seed, fc.nat()).map(([s, i]) => (s.length === 0 ? s : concatBytes(s.subarray(0, at(s, i)), s.subarray(at(s, i) + 1)))),
    // insert one byte
    fc.tuple(seed, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, i, b]) =>
      concatBytes(s.subarray(0, at(s, i)), Uint8Array.of(b), s.subarray(at(s, i))),
    ),
    // overwrite a stretch with random bytes
    fc.tuple(seed, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([s, i, r]) => {
      const m = s.slice();
      m.set(r.subarray(0, Math.max(0, m.length - at(m, i))), at(m, i));
      return m;
    }),
  );
}

/** Random bytes and mutations of the real messages, mixed. */
export function badInputs(seeds: readonly Uint8Array[], maxRandomLength = 64): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ arbitrary: mutationsOf(seeds), weight: 3 }, { arbitrary: randomBytes(maxRandomLength), weight: 1 });
}

// ---------------------------------------------------------------------------------------------------------------
// Streams

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * Plays a receiver: the stream arrives in `chunks`; after each one, `next` is asked for complete units (records,
 * handshake messages) until it answers null, and each unit is taken off the front of the buffer.
 * Returns the units and, for each chunk, how many units had been taken by the end of it.
 */
export function receive<T>(
  chunks: readonly Uint8Array[],
  next: (buffer: Uint8Array) => { size: number; unit: T } | null,
): { units: T[]; afterChunk: number[] } {
  let buffer: Uint8Array = new Uint8Array(0);
  const units: T[] = [];
  const afterChunk: number[] = [];
  for (const chunk of chunks) {
    buffer = concatBytes(buffer, chunk);
    // Each unit must take at least one byte (checked below), so this loop ends.
    for (;;) {
      const got = next(buffer);
      if (got === null) break;
      if (!Number.isInteger(got.size) || got.size <= 0 || got.size > buffer.length) {
        throw new Error(`the reader says a unit took ${got.size} bytes of a ${buffer.length}-byte buffer`);
      }
      units.push(got.unit);
      buffer = buffer.slice(got.size);
    }
    afterChunk.push(units.length);
  }
  if (buffer.length !== 0) throw new Error(`${buffer.length} byte(s) left over at the end of the stream`);
  return { units, afterChunk };
}

/** The stream cut in two at `cut`. */
export function splitAt(stream: Uint8Array, cut: number): Uint8Array[] {
  return [stream.slice(0, cut), stream.slice(cut)];
}

/** The stream one byte at a time. */
export function bytewise(stream: Uint8Array): Uint8Array[] {
  return Array.from(stream, (b) => Uint8Array.of(b));
}

/** How many of the units (given by their sizes, in order) are complete within the first `n` bytes. */
export function completeWithin(sizes: readonly number[], n: number): number {
  let end = 0;
  let count = 0;
  for (const s of sizes) {
    end += s;
    if (end > n) break;
    count++;
  }
  return count;
}
