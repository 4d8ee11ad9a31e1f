// Hex in and out. Test vectors, the command line and the notebooks speak hex.
import { decodeError } from "./errors.js";

/** Lowercase hex, optionally with a separator between bytes ("16 03 01"). */
export function toHex(bytes: Uint8Array, separator = ""): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(separator);
}

/** Parses hex; spaces, newlines, colons and a leading 0x are allowed. Bad input is a decode_error. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
  const bad = clean.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw decodeError("hex input", bad >> 1, `'${clean[bad]}' is not a hex digit`);
  if (clean.length % 2 !== 0) throw decodeError("hex input", clean.length >> 1, "odd number of hex digits");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** True when both arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Joins byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
