// What the server says once the handshake is done: a small HTTP/1.1 responder whose page shows the connection as the
// server saw it. A finished helper, not an exercise: HTTP is not the lesson, the table on the page is. It answers
// GET, HEAD and POST (the body is read and ignored) with one page, keeps the connection open for more requests unless
// told `Connection: close`, and records every request it acts on, which is how the replay lab counts. Read RFC 9112
// §2–§9 (HTTP/1.1 messages and persistent connections) only if curious.
import { NamedGroup, SignatureScheme, describeCode, describeSuite } from "../../lib/constants.js";
import { concat, toHex } from "../../lib/hex.js";
import type { ConnectionInfo } from "./connection.js";

/** One request the server acted on: the replay lab counts these. */
export interface RequestRecord {
  /** The connection's number on this server. */
  connection: number;
  method: string;
  path: string;
  /** True when it came as 0-RTT early data, before the handshake was over. */
  early: boolean;
  /** When it was acted on (ms since 1970). */
  at: number;
}

/** A request head larger than this gets 431 (RFC 6585 §5); a body larger than this, 413. Memory stays bounded. */
export const MAX_REQUEST_HEAD = 16 * 1024;
export const MAX_REQUEST_BODY = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder("latin1");
const HEAD_END = encoder.encode("\r\n\r\n");

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const names = (table: Record<string, number>, values: number[]): string => values.map((v) => describeCode(table, v)).join(", ") || "none";

/** The page: the connection as the server saw it, and the request it answers. */
export function connectionPage(info: ConnectionInfo, request: RequestRecord, number: number): string {
  const rows: [string, string][] = [
    ["protocol", info.version],
    ["cipher suite", describeSuite(info.cipherSuite)],
    ["key exchange", info.keyExchange],
    ["group", info.group === undefined ? "none" : describeCode(NamedGroup, info.group)],
    ["server authentication", info.authentication],
    ["resumed", info.resumed ? `yes: ${info.resumedBy === undefined ? "a session ticket's PSK" : `the master secret of an earlier session, found by its ${info.resumedBy}`}` : "no: a full handshake"],
    ...(info.extendedMasterSecret === undefined ? [] : [["extended master secret (RFC 7627)", info.extendedMasterSecret ? "yes" : "no"] as [string, string]]),
    ["early data (0-RTT)", `${info.earlyData}${info.earlyData === "not offered" ? "" : `: ${info.earlyDataReason}`}`],
    ["HelloRetryRequest", info.helloRetryRequest ? "yes: the client's first key share did not suit the server" : "no"],
    ["server name (SNI)", info.serverName ?? "none"],
    ["ALPN", info.alpn ?? "none"],
    ["client random", toHex(info.clientRandom)],
    ["suites the client offered", info.offeredSuites.map(describeSuite).join(", ")],
    ["groups the client offered", names(NamedGroup, info.offeredGroups)],
    ["key shares the client sent", names(NamedGroup, info.offeredKeyShares)],
    ["signature schemes the client offered", names(SignatureScheme, info.offeredSignatureSchemes)],
  ];
  const when = request.early ? "as 0-RTT early data, before the handshake was over (it could be a replay)" : "after the handshake";
  return (
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>tls-by-hand: your TLS server</title>` +
    `<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em;vertical-align:top}td{font-family:monospace}</style></head>\n` +
    `<body><h1>Hello from the TLS server you wrote</h1>\n` +
    `<p>Request ${number} on this connection: <code>${escapeHtml(`${request.method} ${request.path}`)}</code>, which arrived ${when}.</p>\n` +
    `<table>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}\n</table>\n` +
    `<p>tls-by-hand, chapter ${info.version === "TLS 1.2" ? 11 : 10}: the connection as the server saw it.</p></body></html>\n`
  );
}

/** A response with a status, the headers every response here carries, and a body. */
function response(status: string, body: string, close: boolean, head = false): Uint8Array {
  const bytes = encoder.encode(body);
  const headers = [
    `HTTP/1.1 ${status}`,
    "Content-Type: text/html; charset=utf-8",
    `Content-Length: ${bytes.length}`,
    "Cache-Control: no-store",
    `Connection: ${close ? "close" : "keep-alive"}`,
  ];
  return concat(encoder.encode(headers.join("\r\n") + "\r\n\r\n"), head ? new Uint8Array(0) : bytes);
}

/** One connection's HTTP: bytes in (early data first, then the rest), answers out. */
export class HttpSession {
  private buffer: Uint8Array = new Uint8Array(0);
  /** Requests answered on this connection. */
  answered = 0;
  /** Set once a response said `Connection: close`: the connection ends after it. */
  closing = false;

  constructor(
    readonly connection: number,
    private readonly onRequest?: (request: RequestRecord) => void,
  ) {}

  /** Takes more bytes from the client; answers every whole request in what has arrived. */
  feed(data: Uint8Array, early: boolean, info: ConnectionInfo, write: (data: Uint8Array) => void): void {
    if (this.closing) return;
    this.buffer = concat(this.buffer, data);
    for (;;) {
      const end = indexOf(this.buffer, HEAD_END);
      if (end < 0) {
        if (this.buffer.length > MAX_REQUEST_HEAD) this.fail(write, "431 Request Header Fields Too Large");
        return;
      }
      const lines = decoder.decode(this.buffer.subarray(0, end)).split("\r\n");
      const [method, path, version] = (lines[0] ?? "").split(" ");
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const length = Number(headers.get("content-length") ?? "0");
      if (method === undefined || path === undefined || !/^HTTP\/1\.[01]$/.test(version ?? "") || !Number.isSafeInteger(length) || length < 0) {
        return this.fail(write, "400 Bad Request");
      }
      if (length > MAX_REQUEST_BODY) return this.fail(write, "413 Content Too Large");
      if (this.buffer.length < end + HEAD_END.length + length) return; // the body is still coming
      this.buffer = this.buffer.slice(end + HEAD_END.length + length);
      const connection = (headers.get("connection") ?? "").toLowerCase();
      this.closing = connection === "close" || (version === "HTTP/1.0" && connection !== "keep-alive");
      const request: RequestRecord = { connection: this.connection, method, path, early, at: Date.now() };
      this.onRequest?.(request);
      this.answered++;
      write(response("200 OK", connectionPage(info, request, this.answered), this.closing, method === "HEAD"));
      if (this.closing) return;
    }
  }

  private fail(write: (data: Uint8Array) => void, status: string): void {
    this.closing = true;
    write(response(status, `<!doctype html><title>${status}</title><h1>${status}</h1>\n`, true));
  }
}
