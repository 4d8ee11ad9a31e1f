// PEM, the text wrapping of DER that certificate files use (RFC 7468): base64 between "-----BEGIN LABEL-----"
// and "-----END LABEL-----" lines. A finished helper, not an exercise: the lesson is the DER inside.
import { AlertDescription } from "./constants.js";
import { TlsError } from "./errors.js";

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
/** The base64 alphabet with padding (RFC 4648 §4); PEM allows nothing else between the lines (RFC 7468 §3). */
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** One PEM block: its label and the DER bytes it wraps; `line` is the 1-based line of its BEGIN. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
  line: number;
}

/**
 * Every PEM block in `text`, in order. Text outside blocks is ignored (RFC 7468 §2 allows explanatory
 * text, as `openssl x509 -text` writes); a block that does not close or holds bad base64 is an error naming
 * its line. The alert is bad_certificate: to a TLS client, an unreadable certificate is a corrupt one.
 */
export function readPemBlocks(text: string, source = "PEM"): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i].trim());
    if (begin === null) continue;
    const label = begin[1];
    const start = i;
    let base64 = "";
    for (i++; i < lines.length; i++) {
      const line = lines[i].trim();
      const end = END.exec(line);
      if (end !== null) {
        if (end[1] !== label) throw pemError(source, i + 1, `"-----END ${end[1]}-----" closes "-----BEGIN ${label}-----"`);
        break;
      }
      if (!BASE64_LINE.test(line)) throw pemError(source, i + 1, `not base64: ${JSON.stringify(line.slice(0, 40))}`);
      base64 += line;
    }
    if (i === lines.length) throw pemError(source, start + 1, `"-----BEGIN ${label}-----" is never closed`);
    if (base64.length % 4 !== 0 || /=[^=]/.test(base64)) throw pemError(source, start + 1, "base64 of the wrong length or padding inside");
    blocks.push({ label, der: Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)), line: start + 1 });
  }
  return blocks;
}

/** The DER of every "CERTIFICATE" block in `text`; at least one must be there. */
export function readPemCertificates(text: string, source = "PEM"): Uint8Array[] {
  const certificates = readPemBlocks(text, source).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
  if (certificates.length === 0) throw pemError(source, 1, 'no "-----BEGIN CERTIFICATE-----" block');
  return certificates;
}

/** DER bytes as a PEM block, 64 base64 characters per line (RFC 7468 §2). */
export function toPem(der: Uint8Array, label = "CERTIFICATE"): string {
  let binary = "";
  for (const b of der) binary += String.fromCharCode(b);
  const base64 = btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function pemError(source: string, line: number, message: string): TlsError {
  return new TlsError(AlertDescription.bad_certificate, `${source} line ${line}: ${message}`, { field: "PEM", offset: line });
}
