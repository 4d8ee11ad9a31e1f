// The recorded TLS 1.3 connections chapter 08's tests read: RFC 8448's traces (parsed from the RFC text by
// tests/support/rfc8448.ts) and the tls13.xargs.org connection (tests/vectors/illustrated-tls13, see SOURCES.md),
// with small readers written from the RFC structs so that expected values never come from the code under test.
import { readFileSync } from "node:fs";
import { type TraceSection, findValue } from "../support/rfc8448.js";

const ILLUSTRATED = new URL("../vectors/illustrated-tls13/", import.meta.url);

/** A file of the tls13.xargs.org capture: caps/<name>, keylog.txt, values.json, files/server.crt. */
export function illustrated(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, ILLUSTRATED)));
}

/** A plaintext capture (clienthello, serverhello) without its 5-byte record header: the handshake message. */
export const illustratedMessage = (name: string) => illustrated(`caps/${name}`).slice(5);

/** A decrypted capture (serverextensions, servercert, …) is a TLSInnerPlaintext: the content, then its type byte. */
export const illustratedInner = (name: string) => {
  const inner = illustrated(`caps/${name}`);
  return { content: inner.slice(0, inner.length - 1), type: inner[inner.length - 1]! };
};

export interface IllustratedValues {
  clientEphemeralX25519: { private: string; public: string };
  statedOnPage: Record<string, string>;
  keylog: { label: string; client_random: string; secret: string }[];
}

export const illustratedValues = (): IllustratedValues => JSON.parse(new TextDecoder().decode(illustrated("values.json"))) as IllustratedValues;

/** A value stated on the illustrated page, by the start of its name ("server_handshake_key", "handshake_hash"). */
export function stated(name: string): Uint8Array {
  const values = illustratedValues().statedOnPage;
  const key = Object.keys(values).find((k) => k === name || k.startsWith(name + " "));
  if (key === undefined) throw new Error(`illustrated-tls13/values.json: no "${name}"`);
  return Uint8Array.from(Buffer.from(values[key]!, "hex"));
}

/** The secret of a key log label in the illustrated capture's keylog.txt. */
export function illustratedSecret(label: string): Uint8Array {
  for (const line of new TextDecoder().decode(illustrated("keylog.txt")).split("\n")) {
    const [l, , secret] = line.trim().split(" ");
    if (l === label && secret !== undefined) return Uint8Array.from(Buffer.from(secret, "hex"));
  }
  throw new Error(`illustrated-tls13/keylog.txt: no ${label}`);
}

/** An RFC 8448 handshake message as printed under "construct a X handshake message". */
export const rfcMessage = (section: TraceSection, name: string, occurrence = 0) =>
  findValue(section, `construct a${/^[AEIOU]/.test(name) ? "n" : ""} ${name}`, name, occurrence);

// ---------------------------------------------------------------------------------------------------------------
// Readers written from the RFC structs, for expected values

/** The extensions of a block `Extension extensions<..>` (RFC 8446 §4.2), type and data, in order. */
export function extensionBlock(block: Uint8Array): { type: number; data: Uint8Array }[] {
  const length = (block[0]! << 8) | block[1]!;
  if (length !== block.length - 2) throw new Error(`extension block length ${length}, ${block.length - 2} bytes follow`);
  const out: { type: number; data: Uint8Array }[] = [];
  for (let at = 2; at < block.length; ) {
    const type = (block[at]! << 8) | block[at + 1]!;
    const size = (block[at + 2]! << 8) | block[at + 3]!;
    out.push({ type, data: block.slice(at + 4, at + 4 + size) });
    at += 4 + size;
  }
  return out;
}

/** A list of uint16 behind a 2-byte length. */
export function uint16List(data: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 2; at < data.length; at += 2) out.push((data[at]! << 8) | data[at + 1]!);
  return out;
}

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

/** NewSessionTicket read from RFC 8446 §4.6.1's struct (the message with its 4-byte header). */
export function ticketFields(message: Uint8Array) {
  const b = message.subarray(4);
  const nonceLength = b[8]!;
  const nonce = b.slice(9, 9 + nonceLength);
  const ticketAt = 9 + nonceLength;
  const ticketLength = (b[ticketAt]! << 8) | b[ticketAt + 1]!;
  const ticket = b.slice(ticketAt + 2, ticketAt + 2 + ticketLength);
  const extensions = extensionBlock(b.slice(ticketAt + 2 + ticketLength));
  return { lifetime: u32(b, 0), ageAdd: u32(b, 4), nonce, ticket, extensions, u32 };
}

/** The big-endian uint32 at `at`. */
export const uint32At = u32;

/** A handshake message: type, uint24 length, body. */
export function handshakeMessage(type: number, body: Uint8Array | number[]): Uint8Array {
  const b = Uint8Array.from(body);
  return Uint8Array.from([type, (b.length >> 16) & 0xff, (b.length >> 8) & 0xff, b.length & 0xff, ...b]);
}
