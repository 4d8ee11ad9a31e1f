// Checks that a decoder fails the way a TLS implementation must: with the project's TlsError carrying a fitting
// alert and naming the field and byte offset where it stopped, never with a RangeError or TypeError. Property
// tests (fast-check) feed decoders random bytes and mutations of real messages; the helpers here build both.
// Read RFC 8446 §6.2 (which alert for which failure) and lib/errors.ts.

import fc from "fast-check";
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { alertName, isNotImplemented, isTlsError, type TlsError } from "../../lib/errors.js";

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

/**
 * fc.assert with the project's run count, except that an unfinished exercise fails as itself ("exercise 00.2 is
 * not done yet") rather than as a shrunk counterexample.
 */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  numRuns: number = NUM_RUNS,
): void {
  try {
    fc.assert(property, { numRuns });
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    if (isNotImplemented(cause)) throw cause;
    throw e;
  }
}

/**
 * Property: for every input the arbitrary makes, `decode` either returns or throws a TlsError with one of
 * `alerts`, naming field and offset. `also` may check a successful result further.
 */
export function onlyTlsErrors<T>(
  decode: (input: Uint8Array) => T,
  inputs: fc.Arbitrary<Uint8Array>,
  options: { alerts?: readonly number[]; numRuns?: number; also?: (value: T, input: Uint8Array) => void } = {},
): void {
  const alerts = options.alerts ?? [AlertDescription.decode_error];
  assertProperty(
    fc.property(inputs, (input) => {
      const result = decodeOrTlsError(decode, input, alerts);
      if (result.ok && options.also) options.also(result.value, input);
    }),
    options.numRuns ?? NUM_RUNS,
  );
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
