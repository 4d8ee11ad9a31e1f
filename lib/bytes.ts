// The annotated byte writer and reader that every chapter builds on (a finished helper, not an exercise).
// Every byte written or read carries a note, nested by structure, so that any message can be shown as
// an annotated hex dump (see render.ts). Reading past the end or leaving bytes behind is a decode_error.
import { decodeError } from "./errors.js";

/** One annotated span of a message. A `group` spans its children (a vector, a structure). */
export interface Annotation {
  offset: number;
  length: number;
  depth: number;
  note: string;
  group: boolean;
}

/** Builds a message byte by byte; every write carries a note. */
export class ByteWriter {
  private buffer = new Uint8Array(64);
  private used = 0;
  readonly annotations: Annotation[] = [];

  /** How many bytes have been written. */
  get length(): number {
    return this.used;
  }

  /** Appends raw bytes with a note saying what they are. */
  bytes(data: Uint8Array, note: string): this {
    if (data.length === 0) return this;
    this.grow(data.length);
    this.buffer.set(data, this.used);
    this.annotations.push({ offset: this.used, length: data.length, depth: 0, note, group: false });
    this.used += data.length;
    return this;
  }

  /**
   * Appends everything another writer holds, its notes one level deeper, under a group note.
   * This is how a length-prefixed vector is built: write the body into its own writer, measure it,
   * write the length, then append the body.
   */
  append(inner: ByteWriter, note: string): this {
    const start = this.used;
    this.grow(inner.length);
    this.buffer.set(inner.toBytes(), start);
    this.annotations.push({ offset: start, length: inner.length, depth: 0, note, group: true });
    for (const a of inner.annotations) this.annotations.push({ ...a, offset: start + a.offset, depth: a.depth + 1 });
    this.used += inner.length;
    return this;
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }

  private grow(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.used + extra) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.used));
    this.buffer = bigger;
  }
}

/**
 * Reads a message front to back. Offsets are counted from the start of the outermost input, so an
 * error deep inside an extension still says where in the record it happened.
 */
export class ByteReader {
  private pos: number;
  private readonly limit: number;
  private readonly depth: number;
  /** Notes for everything read so far, shared by a reader and the sub-readers it hands out. */
  readonly annotations: Annotation[];

  constructor(
    readonly data: Uint8Array,
    options: { start?: number; end?: number; depth?: number; annotations?: Annotation[] } = {},
  ) {
    this.pos = options.start ?? 0;
    this.limit = options.end ?? data.length;
    this.depth = options.depth ?? 0;
    this.annotations = options.annotations ?? [];
  }

  /** The absolute offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** How many bytes this reader has left. */
  get remaining(): number {
    return this.limit - this.pos;
  }

  /** Reads `n` bytes, noted as `field`; throws decode_error if fewer than `n` are left. */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    if (n === 0) return new Uint8Array(0);
    // Uint8Array's slice, not Buffer's (which would return a view): the caller owns what it gets.
    const out = Uint8Array.prototype.slice.call(this.data, this.pos, this.pos + n);
    this.annotations.push({ offset: this.pos, length: n, depth: this.depth, note: field, group: false });
    this.pos += n;
    return out;
  }

  /** Looks at the next `n` bytes without consuming them (no note). */
  peek(n: number, field: string): Uint8Array {
    this.need(n, field);
    return Uint8Array.prototype.slice.call(this.data, this.pos, this.pos + n);
  }

  /**
   * Hands out a reader over the next `n` bytes, one level deeper, and skips them here.
   * Use it for a length-prefixed vector or a structure, then call `end()` on it.
   */
  sub(n: number, field: string): ByteReader {
    this.need(n, field);
    this.annotations.push({ offset: this.pos, length: n, depth: this.depth, note: field, group: true });
    const inner = new ByteReader(this.data, {
      start: this.pos,
      end: this.pos + n,
      depth: this.depth + 1,
      annotations: this.annotations,
    });
    this.pos += n;
    return inner;
  }

  /** Throws decode_error unless every byte was consumed: trailing bytes are never ignored. */
  end(field: string): void {
    if (this.remaining !== 0) {
      throw decodeError(field, this.pos, `${this.remaining} unexpected trailing byte(s)`);
    }
  }

  /** Adds a description to the note of the last thing read, e.g. the name of a cipher suite. */
  describe(text: string): void {
    const last = this.annotations[this.annotations.length - 1];
    if (last !== undefined) last.note = `${last.note}: ${text}`;
  }

  private need(n: number, field: string): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw decodeError(field, this.pos, `cannot read ${n} bytes`);
    }
    if (n > this.remaining) {
      throw decodeError(field, this.pos, `needs ${n} byte(s), only ${this.remaining} left`);
    }
  }
}
