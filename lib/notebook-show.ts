// The notebooks' plumbing for showing things: HTML tables, Mermaid diagrams drawn from a connection's trace,
// one collapsible section per message, a small line chart. None of it is a lesson, so it lives here rather
// than in the notebooks' cells; what the learner's code computes is passed in, never recomputed here.
import * as tslab from "tslab";
import type { Annotation } from "./bytes.js";
import { type Shade, renderHtml } from "./render.js";

export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** "1 byte", "2 bytes". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** An HTML table, left-aligned; cells are HTML (escape text yourself). `mono` marks columns set in monospace. */
export function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], mono: readonly number[] = []): string {
  const cell = (x: string, i: number) =>
    `<td style="text-align:left;vertical-align:top${mono.includes(i) ? ";font-family:monospace" : ""}">${x}</td>`;
  return (
    `<table><thead><tr>${head.map((h) => `<th style="text-align:left">${h}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("") +
    "</tbody></table>"
  );
}

export function showTable(head: readonly string[], rows: readonly (readonly string[])[], mono: readonly number[] = []): void {
  tslab.display.html(htmlTable(head, rows, mono));
}

/**
 * Text made safe for a Mermaid label: `;` ends a statement in a sequence diagram and `#` starts an entity
 * code, so both become entity codes (`#59;`, `#35;`), which Mermaid draws as the characters.
 */
export const mermaidText = (s: string): string => s.replace(/[#;]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\n/g, " ");

/** Shows a Mermaid diagram (JupyterLab renders a ```mermaid block in Markdown output). */
export function showMermaid(lines: readonly string[]): void {
  tslab.display.markdown("```mermaid\n" + lines.join("\n") + "\n```");
}

/** What the diagrams and sections need of a trace entry (chapters 06, 08 and 09 record these). */
export interface TraceLike {
  from: "client" | "server";
  name: string;
  content: Uint8Array;
  encrypted: boolean;
  records: number;
}

/** How to draw one arrow of a connection: a mark in front (🔒, 🔑), a note after the size, lines around it (a rect). */
export interface ArrowStyle {
  mark?: string;
  note?: string;
  before?: string[];
  after?: string[];
}

/**
 * A sequence diagram of a connection, one arrow per message as the trace recorded it: its name, its size,
 * how many records carried it. `style` adds a mark or a note per entry; by default 🔒 marks what was encrypted.
 */
export function traceDiagram(
  trace: readonly TraceLike[],
  participants: { client: string; server: string },
  style: (e: TraceLike, i: number) => ArrowStyle = (e) => ({ mark: e.encrypted ? "🔒" : undefined }),
  extra: { before?: string[]; after?: string[] } = {},
): string[] {
  const lines = ["sequenceDiagram", `  participant C as ${mermaidText(participants.client)}`, `  participant S as ${mermaidText(participants.server)}`];
  lines.push(...(extra.before ?? []));
  trace.forEach((e, i) => {
    const { mark, note, before = [], after = [] } = style(e, i);
    const arrow = e.from === "client" ? "C->>S" : "S->>C";
    const split = e.records > 1 ? `, ${e.records} records` : "";
    const text = `${mark === undefined ? "" : mark + " "}${e.name.replace(":", "")} (${plural(e.content.length, "byte")}${split})${note === undefined ? "" : ", " + note}`;
    lines.push(...before, `  ${arrow}: ${mermaidText(text)}`, ...after);
  });
  lines.push(...(extra.after ?? []));
  return lines;
}

/** An annotated message, as chapter 06's and 08's annotateTrace return them. */
export interface AnnotatedLike {
  entry: TraceLike;
  data: Uint8Array;
  annotations: readonly Annotation[];
  error?: string;
}

/**
 * One collapsible section per message (HTML <details>): the summary line names it, its direction and size;
 * `open` says which start unfolded; `below` adds HTML under a message's bytes (a certificate's fields, say).
 */
export function messageSections(
  messages: readonly AnnotatedLike[],
  open: (a: AnnotatedLike, i: number) => boolean,
  below: (a: AnnotatedLike, i: number) => string = () => "",
): string {
  return messages
    .map((a, i) => {
      const arrow = a.entry.from === "client" ? "→ client:" : "← server:";
      const how = a.entry.encrypted ? "🔒 encrypted, shown decrypted" : "in the clear";
      const summary = `<summary style="cursor:pointer"><b>${arrow} ${escapeHtml(a.entry.name)}</b> (${plural(a.data.length, "byte")}, ${how})${a.error === undefined ? "" : " ⚠ not decoded"}</summary>`;
      const body = renderHtml(a.data, a.annotations) + below(a, i);
      return `<details${open(a, i) ? " open" : ""} style="margin:2px 0">${summary}<div style="margin-left:1.5em">${body}</div></details>`;
    })
    .join("");
}

/** A step line chart as inline SVG: x and y grow to the right and upwards; `marks` label points of interest. */
export function lineChart(
  points: readonly { x: number; y: number }[],
  labels: { x: string; y: string; title: string },
  marks: readonly { x: number; text: string }[] = [],
): string {
  const width = 640;
  const height = 280;
  const left = 56;
  const bottom = 40;
  const top = 28;
  const right = 16;
  const maxX = Math.max(1, ...points.map((p) => p.x));
  const maxY = Math.max(1, ...points.map((p) => p.y));
  const sx = (x: number) => left + (x / maxX) * (width - left - right);
  const sy = (y: number) => height - bottom - (y / maxY) * (height - bottom - top);
  let path = "";
  points.forEach((p, i) => {
    path += i === 0 ? `M${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}` : `H${sx(p.x).toFixed(1)}V${sy(p.y).toFixed(1)}`;
  });
  const ticks = (max: number) => [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max));
  const xTicks = ticks(maxX).map((v) => `<text x="${sx(v)}" y="${height - bottom + 16}" text-anchor="middle">${v}</text>`);
  const yTicks = ticks(maxY).map((v) => `<text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end">${v}</text>`);
  const markSvg = marks.map(
    (m) =>
      `<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${top}" y2="${height - bottom}" stroke="#bbb" stroke-dasharray="4 3"/>` +
      `<text x="${sx(m.x) + 4}" y="${top + 12}" fill="#555">${escapeHtml(m.text)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="12" font-family="sans-serif">` +
    `<text x="${left}" y="16" font-weight="bold">${escapeHtml(labels.title)}</text>` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>` +
    xTicks.join("") + yTicks.join("") + markSvg.join("") +
    `<path d="${path}" fill="none" stroke="#c62828" stroke-width="2"/>` +
    `<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(labels.x)}</text>` +
    `<text transform="translate(14,${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(labels.y)}</text>` +
    `</svg>`
  );
}

/** What a certificate summary needs of chapter 03's parsed Certificate. */
export interface CertificateLike {
  subject: { text: string };
  issuer: { text: string };
  notBefore: Date;
  notAfter: Date;
  publicKey: { kind: string; bits?: number; curve?: string };
  extensions: { subjectAltName?: { dnsNames: readonly string[]; ipAddresses: readonly Uint8Array[] } };
}

const ipText = (a: Uint8Array): string =>
  a.length === 4 ? [...a].join(".") : Array.from({ length: a.length / 2 }, (_, i) => ((a[2 * i]! << 8) | a[2 * i + 1]!).toString(16)).join(":");

/** A small table of the certificates a Certificate message carried: subject, SAN, validity, key, issuer. */
export function certificateSummary(certificates: readonly CertificateLike[]): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const rows = certificates.map((c, i) => {
    const san = c.extensions.subjectAltName;
    const names = san === undefined ? "—" : [...san.dnsNames.map((n) => `DNS:${n}`), ...san.ipAddresses.map((a) => `IP:${ipText(a)}`)].join(", ");
    const key = c.publicKey.kind === "rsa" ? `RSA-${c.publicKey.bits}` : c.publicKey.kind === "ec" ? `ECDSA ${c.publicKey.curve}` : c.publicKey.kind;
    return [String(i), escapeHtml(c.subject.text), escapeHtml(names), `${day(c.notBefore)} … ${day(c.notAfter)}`, key, escapeHtml(c.issuer.text)];
  });
  return `<p style="margin:6px 0 2px"><b>The certificates inside, read by chapter 03's parseCertificate:</b></p>` +
    htmlTable(["#", "subject", "subjectAltName", "valid", "key", "issuer"], rows);
}

/**
 * The alert named in an OpenSSL error line, as Node's tls reports a received alert
 * ("error:0A000412:SSL routines::sslv3 alert bad certificate" → "bad_certificate"), or undefined.
 */
export function alertInOpenSslError(message: string): string | undefined {
  const m = /alert ([a-z ]+?)(?:\s*$|:)/.exec(message);
  return m === null ? undefined : m[1]!.trim().replace(/ /g, "_");
}

/**
 * Annotations where the leaf note over [at, at + length) (a field some writer kept as raw bytes) is replaced by
 * `inner`, the notes another reader or writer made for exactly those bytes, moved to that offset and depth.
 */
export function spliceAnnotations(outer: readonly Annotation[], at: number, length: number, inner: readonly Annotation[]): Annotation[] {
  const i = outer.findIndex((a) => !a.group && a.offset === at && a.length === length);
  if (i < 0) return [...outer];
  const depth = outer[i]!.depth;
  const moved = inner.map((a) => ({ ...a, offset: a.offset + at, depth: a.depth + depth }));
  return [...outer.slice(0, i), ...moved, ...outer.slice(i + 1)];
}

/** Annotated bytes as an HTML table with parts of them shaded (renderHtml's table). */
export function shadedBytes(data: Uint8Array, annotations: readonly Annotation[], title: string, shades: readonly Shade[]): string {
  return renderHtml(data, annotations, title, shades);
}
