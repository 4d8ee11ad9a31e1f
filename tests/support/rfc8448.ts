// Reads the example handshakes of RFC 8448 ("Example Handshake Traces for TLS 1.3") straight from the RFC text
// in tests/vectors/rfc8448.txt, so that no test ever retypes a hex string. Each labelled value is checked against
// the "(N octets)" the RFC prints beside it; a mismatch throws, so a parsing slip cannot pass for a vector.
// Read RFC 8448 §1 for the trace format and RFC 8446 §7 for what the secrets mean.

import { readFileSync } from "node:fs";

/** The sections of RFC 8448 that hold a trace. */
export type TraceSection = 3 | 4 | 5 | 6 | 7;

export const SECTION_TITLES: Readonly<Record<TraceSection, string>> = {
  3: "Simple 1-RTT Handshake",
  4: "Resumed 0-RTT Handshake",
  5: "HelloRetryRequest",
  6: "Client Authentication",
  7: "Compatibility Mode",
};

/** One labelled value, e.g. `ClientHello (196 octets): 01 00 00 c0 ...`. */
export interface TraceValue {
  label: string;
  bytes: Uint8Array;
  /** Set when the RFC printed words instead of hex: "0 (all zero octets)" or "(empty)". */
  printed?: string;
}

/** One `{client}` or `{server}` step with the values printed under it. */
export interface TraceStep {
  actor: "client" | "server";
  /** The step's text without the trailing colon, wrapped lines joined: "construct a ClientHello handshake message". */
  action: string;
  values: TraceValue[];
  /** 1-based line in rfc8448.txt, to find the step when reading the RFC beside a failing test. */
  line: number;
}

/** The RSA key of RFC 8448 §2, used by the server in most traces (big-endian integers). */
export interface Rfc8448RsaKey {
  modulus: Uint8Array;
  publicExponent: Uint8Array;
  privateExponent: Uint8Array;
  prime1: Uint8Array;
  prime2: Uint8Array;
  exponent1: Uint8Array;
  exponent2: Uint8Array;
  coefficient: Uint8Array;
}

const RFC_URL = new URL("../vectors/rfc8448.txt", import.meta.url);

// Every trace uses TLS_AES_128_GCM_SHA256, so the RFC's "0 (all zero octets)" salt is Hash.length = 32 zero bytes
// (RFC 8446 §7.1: "0" means a string of Hash.length bytes set to zero).
const ZERO_SALT_LENGTH = 32;

// Page furniture that can interrupt a hex block anywhere: footer, form feed, running header.
const PAGE_FOOTER = /^Thomson\s+Informational\s+\[Page \d+\]$/;
const PAGE_HEADER = /^RFC 8448\s+TLS 1\.3 Traces\s+January 2019$/;

const SECTION_HEADING = /^(\d+)\.  (\S.*)$/;
const STEP_LINE = /^   \{(client|server)\}  (\S.*)$/;
// Six spaces, a label, an optional "(N octets)", two spaces, then the start of the value.
const VALUE_LINE = /^      (\S[^:]*?)(?: \((\d+) octets\))?:  (\S.*)$/;
const HEX_RUN = /^(?:[0-9a-f]{2} )*[0-9a-f]{2}$/;
const HEX_CONTINUATION = /^         ((?:[0-9a-f]{2} )*[0-9a-f]{2})$/;

interface NumberedLine {
  n: number;
  text: string;
}

let cachedLines: NumberedLine[] | undefined;
const cachedSections = new Map<TraceSection, TraceStep[]>();

/** The RFC's lines with page furniture removed (blank lines kept: they separate steps and values). */
function rfcLines(): NumberedLine[] {
  if (cachedLines) return cachedLines;
  const raw = readFileSync(RFC_URL, "latin1").split("\n");
  cachedLines = raw
    .map((text, i) => ({ n: i + 1, text: text.replace(/\f/g, "").trimEnd() }))
    .filter((l) => !PAGE_FOOTER.test(l.text) && !PAGE_HEADER.test(l.text));
  return cachedLines;
}

/** The lines strictly between the heading of section `n` and the next section heading. */
function sectionLines(n: number, title: string): NumberedLine[] {
  const lines = rfcLines();
  const start = lines.findIndex((l) => l.text === `${n}.  ${title}`);
  if (start < 0) throw new Error(`rfc8448.txt: heading "${n}.  ${title}" not found`);
  let end = start + 1;
  while (end < lines.length && !SECTION_HEADING.test(lines[end]!.text)) end++;
  return lines.slice(start + 1, end);
}

function parseHexRun(hex: string, where: string): number[] {
  if (!HEX_RUN.test(hex)) throw new Error(`rfc8448.txt ${where}: not a run of hex octets: "${hex}"`);
  return hex.split(" ").map((h) => parseInt(h, 16));
}

/**
 * Reads one value whose first line is lines[i]; returns it and the index after its last continuation line.
 * Blank lines are skipped while looking for continuations because a page break leaves some in mid-value.
 */
function readValue(lines: NumberedLine[], i: number): { value: TraceValue; next: number } {
  const first = lines[i]!;
  const m = VALUE_LINE.exec(first.text);
  if (!m) throw new Error(`rfc8448.txt line ${first.n}: expected "label (N octets):  hex", got "${first.text}"`);
  const [, label, declared, rest] = m as unknown as [string, string, string | undefined, string];
  const where = `line ${first.n} (${label})`;

  let octets: number[];
  let printed: string | undefined;
  if (rest === "0 (all zero octets)") {
    printed = rest;
    octets = new Array<number>(ZERO_SALT_LENGTH).fill(0);
  } else if (rest === "(empty)") {
    printed = rest;
    octets = [];
  } else {
    octets = parseHexRun(rest, where);
  }

  let next = i + 1;
  for (;;) {
    let j = next;
    while (j < lines.length && lines[j]!.text === "") j++;
    const c = j < lines.length ? HEX_CONTINUATION.exec(lines[j]!.text) : null;
    if (!c) break;
    if (printed !== undefined) throw new Error(`rfc8448.txt ${where}: hex after "${printed}"`);
    octets.push(...parseHexRun(c[1]!, where));
    next = j + 1;
  }

  // The check that makes the parser trustworthy: the RFC states every length, so compare.
  if (declared !== undefined && Number(declared) !== octets.length) {
    throw new Error(`rfc8448.txt ${where}: RFC says ${declared} octets, parsed ${octets.length}`);
  }
  return { value: { label, bytes: Uint8Array.from(octets), ...(printed !== undefined ? { printed } : {}) }, next };
}

function parseSection(n: TraceSection): TraceStep[] {
  const lines = sectionLines(n, SECTION_TITLES[n]);
  const steps: TraceStep[] = [];
  let current: TraceStep | undefined;
  // True right after a step line: a six-space line there is the step's text wrapping, not a value.
  let inStepText = false;

  for (let i = 0; i < lines.length; ) {
    const { n: lineNo, text } = lines[i]!;
    const step = STEP_LINE.exec(text);
    if (step) {
      current = { actor: step[1] as "client" | "server", action: step[2]!, values: [], line: lineNo };
      steps.push(current);
      inStepText = true;
      i++;
    } else if (text === "") {
      inStepText = false;
      i++;
    } else if (inStepText && current && text.startsWith("      ")) {
      current.action += " " + text.trim();
      i++;
    } else if (current && VALUE_LINE.test(text)) {
      const { value, next } = readValue(lines, i);
      current.values.push(value);
      i = next;
    } else if (/^   \S/.test(text) || (!current && text.startsWith("      "))) {
      // Prose and notes at the top of a section (and their wrapped lines) belong to no step.
      current = undefined;
      i++;
    } else {
      throw new Error(`rfc8448.txt line ${lineNo}: unexpected line in §${n}: "${text}"`);
    }
  }
  for (const s of steps) s.action = s.action.replace(/:$/, "");
  return steps;
}

/** Every step of the trace in RFC 8448 section `n`, in the RFC's order. */
export function traceSection(n: TraceSection): TraceStep[] {
  let steps = cachedSections.get(n);
  if (!steps) {
    steps = parseSection(n);
    cachedSections.set(n, steps);
  }
  return steps;
}

/**
 * The bytes of the `occurrence`-th value labelled exactly `label` (case matters: "Finished" is the message,
 * "finished" the finished key) under a step whose action contains `actionIncludes`, counted in RFC order.
 * Example: findValue(3, "construct a ClientHello", "ClientHello"). In §5 the HelloRetryRequest is printed as
 * the first "construct a ServerHello" (occurrence 0) and the real ServerHello is occurrence 1.
 */
export function findValue(section: TraceSection, actionIncludes: string, label: string, occurrence = 0): Uint8Array {
  const found: Uint8Array[] = [];
  const steps = traceSection(section).filter((s) => s.action.includes(actionIncludes));
  for (const s of steps) for (const v of s.values) if (v.label === label) found.push(v.bytes);
  const hit = found[occurrence];
  if (hit) return hit.slice(); // a copy, so one test cannot corrupt the vector for the next
  const actions = steps.map((s) => `"${s.action}" [${s.values.map((v) => v.label).join(", ")}]`);
  throw new Error(
    `RFC 8448 §${section}: no value "${label}" #${occurrence} under a step containing "${actionIncludes}" ` +
      `(found ${found.length}). ` +
      (actions.length ? `Matching steps: ${actions.join("; ")}` : `No step's action contains that text.`),
  );
}

/** The server's RSA key printed in RFC 8448 §2 (values there carry no octet counts, so p·q = n is checked instead). */
export function rfc8448RsaKey(): Rfc8448RsaKey {
  const lines = sectionLines(2, "Private Keys");
  const values = new Map<string, Uint8Array>();
  for (let i = 0; i < lines.length; i++) {
    const m = /^   ([a-z0-9 ()]+):  (\S.*)$/.exec(lines[i]!.text);
    if (!m) continue;
    const octets = parseHexRun(m[2]!, `line ${lines[i]!.n}`);
    // Continuations here are indented six spaces, and a page break can fall between them.
    for (let j = i + 1; j < lines.length; j++) {
      const t = lines[j]!.text;
      if (t === "") continue;
      if (!/^      \S/.test(t)) break;
      octets.push(...parseHexRun(t.trim(), `line ${lines[j]!.n}`));
      i = j;
    }
    values.set(m[1]!, Uint8Array.from(octets));
  }
  const get = (name: string): Uint8Array => {
    const v = values.get(name);
    if (!v) throw new Error(`RFC 8448 §2: "${name}" not found (have: ${[...values.keys()].join(", ")})`);
    return v;
  };
  const key: Rfc8448RsaKey = {
    modulus: get("modulus (public)"),
    publicExponent: get("public exponent"),
    privateExponent: get("private exponent"),
    prime1: get("prime1"),
    prime2: get("prime2"),
    exponent1: get("exponent1"),
    exponent2: get("exponent2"),
    coefficient: get("coefficient"),
  };
  const big = (b: Uint8Array): bigint => BigInt("0x" + Buffer.from(b).toString("hex"));
  if (big(key.prime1) * big(key.prime2) !== big(key.modulus)) {
    throw new Error("RFC 8448 §2: prime1 · prime2 does not equal the modulus; the key was misparsed");
  }
  return key;
}
