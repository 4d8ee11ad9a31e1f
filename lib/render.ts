// Shows annotated bytes: as indented text for the terminal, as an HTML table for the notebooks.
// The same annotations (from ByteWriter or ByteReader) drive both, so the two views never disagree.
import type { Annotation } from "./bytes.js";
import { toHex } from "./hex.js";

const BYTES_PER_LINE = 16;

/** Annotations in the order they were written or read (a group comes before what it holds), empty leaves left out. */
function ordered(annotations: readonly Annotation[]): Annotation[] {
  return annotations.filter((a) => a.group || a.length > 0);
}

/** Splits bytes into lines of hex, 16 bytes a line. */
function hexLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += BYTES_PER_LINE) lines.push(toHex(bytes.subarray(i, i + BYTES_PER_LINE), " "));
  return lines.length === 0 ? [""] : lines;
}

/**
 * One line per field, indented by nesting:
 *   16 03 01 00 c4  … record header notes
 *   ·· 01 00 00 c0  handshake header …
 */
export function renderText(data: Uint8Array, annotations: readonly Annotation[]): string {
  const out: string[] = [];
  for (const a of ordered(annotations)) {
    const indent = "·· ".repeat(a.depth);
    if (a.group) {
      out.push(`${indent}${a.note} (${a.length} byte${a.length === 1 ? "" : "s"})`);
      continue;
    }
    const lines = hexLines(data.subarray(a.offset, a.offset + a.length));
    const width = Math.min(a.length, BYTES_PER_LINE) * 3 - 1;
    out.push(`${indent}${(lines[0] ?? "").padEnd(width)}  ${a.note}`);
    for (const more of lines.slice(1)) out.push(`${indent}${more}`);
  }
  return out.join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Bytes to shade in the HTML table: the rows that lie entirely inside [from, to) (the first shade that fits wins). */
export interface Shade {
  from: number;
  to: number;
  color: string;
}

/** An HTML table: offset, bytes, field (indented by nesting). For `tslab.display.html`. */
export function renderHtml(data: Uint8Array, annotations: readonly Annotation[], title?: string, shades: readonly Shade[] = []): string {
  const rows = ordered(annotations).map((a) => {
    const pad = `padding-left:${0.4 + a.depth * 1.4}em`;
    const shade = shades.find((s) => a.offset >= s.from && a.offset + a.length <= s.to);
    const bytes = a.group ? `<i>${a.length} byte${a.length === 1 ? "" : "s"}</i>` : hexLines(data.subarray(a.offset, a.offset + a.length)).join("<br>");
    const note = a.group ? `<b>${escapeHtml(a.note)}</b>` : escapeHtml(a.note);
    return (
      `<tr${shade === undefined ? "" : ` style="background:${shade.color}"`}><td style="color:#888;text-align:right">${a.offset}</td>` +
      `<td style="font-family:monospace;text-align:left;white-space:nowrap">${bytes}</td>` +
      `<td style="text-align:left;${pad}">${note}</td></tr>`
    );
  });
  const caption = title === undefined ? "" : `<caption style="text-align:left"><b>${escapeHtml(title)}</b> (${data.length} bytes)</caption>`;
  return (
    `<table style="border-collapse:collapse;font-size:90%">${caption}` +
    `<thead><tr><th>offset</th><th style="text-align:left">bytes</th><th style="text-align:left">field</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}
