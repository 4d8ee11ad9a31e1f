// TLS's presentation language, the notation every RFC message struct is written in (RFC 8446 §3):
// unsigned integers of 1, 2, 3 or 4 bytes, big-endian, and variable-length vectors whose length comes
// first in a prefix of 1, 2 or 3 bytes. Every message in the later chapters is built from these four.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";

/** The integer sizes TLS uses: uint8, uint16, uint24 and uint32 (RFC 8446 §3.3). */
export type UintSize = 1 | 2 | 3 | 4;

/** The sizes of a vector's length prefix: <0..2^8-1>, <0..2^16-1>, <0..2^24-1> (RFC 8446 §3.4). */
export type PrefixSize = 1 | 2 | 3;

/**
 * Writes `value` as an unsigned big-endian integer of `size` bytes: uint16 0x0303 is the bytes 03 03.
 * RFC 8446 §3.3 ("Numbers").
 */
export function writeUint(w: ByteWriter, value: number, size: UintSize, note: string): void {
  // EXERCISE 00.1: write `value` big-endian in `size` bytes with w.bytes(…, note). A value that is not an
  // integer in 0 .. 2^(8·size)−1 is our own bug: throw a TlsError with internal_error. (RFC 8446 §3.3)
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * size)) {
    throw new TlsError(AlertDescription.internal_error, `${value} does not fit in uint${8 * size}`, { field: note });
  }
  const out = new Uint8Array(size);
  // Division rather than >>> so that uint32 values above 2^31 stay exact.
  let rest = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  w.bytes(out, note);
  // END 00.1
}

/** Reads an unsigned big-endian integer of `size` bytes (RFC 8446 §3.3). */
export function readUint(r: ByteReader, size: UintSize, field: string): number {
  // EXERCISE 00.2: read `size` bytes with r.bytes(size, field) (it throws decode_error when the input is
  // too short) and combine them, most significant byte first. (RFC 8446 §3.3)
  const bytes = r.bytes(size, field);
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
  // END 00.2
}

/**
 * Writes a variable-length vector: the length of what `body` writes, in a `prefixSize`-byte prefix,
 * then the body itself. RFC 8446 §3.4: `opaque data<0..2^16-1>` has a 2-byte prefix.
 */
export function writeVector(w: ByteWriter, prefixSize: PrefixSize, note: string, body: (inner: ByteWriter) => void): void {
  // EXERCISE 00.3: let `body` write into a fresh ByteWriter, write its length with writeUint (a body too
  // long for the prefix is an internal_error), then w.append(inner, note). (RFC 8446 §3.4)
  const inner = new ByteWriter();
  body(inner);
  // The length is only known once the body is written; that is why the body goes to its own writer.
  writeUint(w, inner.length, prefixSize, `${note} length`);
  w.append(inner, note);
  // END 00.3
}

/**
 * Reads a variable-length vector and hands its contents to `body` as a reader of exactly that length.
 * `body` must consume all of it: a vector with bytes left over is a decode_error (RFC 8446 §3.4, §6.2).
 */
export function readVector<T>(r: ByteReader, prefixSize: PrefixSize, field: string, body: (inner: ByteReader) => T): T {
  // EXERCISE 00.4: read the length with readUint, check it fits in what is left (decode_error naming the
  // field and the offset of the length), take r.sub(length, field), run `body` on it, then check that it
  // consumed everything with inner.end(field). (RFC 8446 §3.4)
  const lengthAt = r.offset;
  const length = readUint(r, prefixSize, `${field} length`);
  if (length > r.remaining) {
    throw decodeError(field, lengthAt, `length ${length} is longer than the ${r.remaining} byte(s) left`);
  }
  const inner = r.sub(length, field);
  const value = body(inner);
  inner.end(field);
  return value;
  // END 00.4
}

// ---- Shorthands built on the four functions above (not exercises) ----

/** `opaque field<…>`: raw bytes after their length (no group: the bytes are the whole vector). */
export function writeOpaque(w: ByteWriter, prefixSize: PrefixSize, data: Uint8Array, note: string): void {
  writeUint(w, data.length, prefixSize, `${note} length`);
  if (data.length > 0) w.bytes(data, note);
}

/** Reads `opaque field<…>` and returns its bytes. */
export function readOpaque(r: ByteReader, prefixSize: PrefixSize, field: string): Uint8Array {
  const length = readUint(r, prefixSize, `${field} length`);
  return r.bytes(length, field);
}

/** Reads items until the vector is used up: `CipherSuite cipher_suites<2..2^16-2>` and the like. */
export function readList<T>(r: ByteReader, prefixSize: PrefixSize, field: string, item: (inner: ByteReader) => T): T[] {
  return readVector(r, prefixSize, field, (inner) => {
    const items: T[] = [];
    while (inner.remaining > 0) items.push(item(inner));
    return items;
  });
}
