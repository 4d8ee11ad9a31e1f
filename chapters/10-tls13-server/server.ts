// The server as a program: a TCP listener that runs the handshake on every connection it accepts, then the HTTP
// responder, many connections at once. A connection that fails (a bad message, an alert, a client that goes silent)
// is closed with its alert and logged, and the others carry on. Each connection has limits: a deadline for the
// handshake, the record layer's caps on record and message sizes, a cap on unread bytes; so memory stays bounded.
// A finished helper, not an exercise: `tls-by-hand serve` and the chapter's tests and notebook start it.
import * as net from "node:net";
import { alertName, isTlsError } from "../../lib/errors.js";
import { renderText } from "../../lib/render.js";
import { ContentType, HandshakeType, ProtocolVersion } from "../../lib/constants.js";
import { decodeServerHello, negotiatedVersion } from "../02-server-hello/index.js";
import { type RecordTransport, annotator, isReceivedAlert, socketTransport } from "../06-tls12-handshake/index.js";
import { type TraceEntry, annotator13 } from "../08-tls13-handshake/index.js";
import { type AcceptOptions, acceptTls13 } from "./accept.js";
import type { Tls13ServerConfig } from "./config.js";
import { type ConnectionInfo, type ServerConnection, describeConnection } from "./connection.js";
import { HttpSession, type RequestRecord } from "./http.js";

/** A connection that has not finished its handshake after this long is closed (RFC 8446 sets no limit; servers do). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A connection silent this long after its handshake is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** How many finished connections and requests the server keeps a record of (the oldest are dropped). */
export const LOG_LIMIT = 1000;

/** How a connection's handshake is run: this chapter's acceptTls13, or chapter 11's acceptTls12 and acceptTls (which take the same options). */
export type Acceptor = (transport: RecordTransport, options: AcceptOptions) => Promise<ServerConnection>;

export interface TlsServerOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The TLS 1.3 configuration (certificates, preferences, tickets, 0-RTT). */
  tls13: Tls13ServerConfig;
  /** The handshake (default: acceptTls13 with `tls13`). */
  accept?: Acceptor;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** One line per event: a connection's outcome, each request, a failure. */
  onLog?: (line: string) => void;
  /** Every message both ways, annotated, as it happens (the --trace view). */
  onTrace?: (connection: number, text: string) => void;
}

/** What the server knows about one connection. */
export interface ConnectionRecord {
  id: number;
  remote: string;
  info?: ConnectionInfo;
  /** How it failed: the alert (sent by us, or received from the client) and why. */
  failure?: { alert: string; sentByUs: boolean; detail: string };
  requests: number;
  closed: boolean;
}

export interface TlsServer {
  host: string;
  port: number;
  /** https://host:port/ */
  url: string;
  /** Every request acted on, oldest first (at most LOG_LIMIT). */
  requests: RequestRecord[];
  /** Every connection, oldest first (at most LOG_LIMIT). */
  connections: ConnectionRecord[];
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > LOG_LIMIT) list.splice(0, list.length - LOG_LIMIT);
}

/** What went wrong, in words, and which alert went (or came). */
function describeFailure(e: unknown): { alert: string; sentByUs: boolean; detail: string } {
  if (isTlsError(e)) return { alert: e.alertName, sentByUs: !isReceivedAlert(e), detail: e.detail };
  return { alert: alertName(80), sentByUs: true, detail: e instanceof Error ? e.message : String(e) };
}

/** True for a ServerHello that settles on TLS 1.2 (chapter 11's server): the messages after it read differently. */
function isTls12ServerHello(entry: TraceEntry): boolean {
  if (entry.contentType !== ContentType.handshake || entry.content[0] !== HandshakeType.server_hello) return false;
  try {
    return negotiatedVersion(decodeServerHello(entry.content)) !== ProtocolVersion.TLS1_3;
  } catch {
    return false;
  }
}

/**
 * Prints each trace entry as it happens, annotated with the chapters' decoders (chapter 08's for TLS 1.3, chapter
 * 06's once a ServerHello settled on TLS 1.2), with the keys that protected it.
 */
function tracer(id: number, print: (connection: number, text: string) => void): (entry: TraceEntry) => void {
  const annotate13 = annotator13();
  let annotate12: ReturnType<typeof annotator> | undefined;
  return (entry) => {
    if (annotate12 === undefined && isTls12ServerHello(entry)) annotate12 = annotator();
    const annotated = (annotate12 ?? annotate13)(entry);
    const arrow = entry.from === "client" ? "→" : "←";
    const how = entry.encrypted ? ` (encrypted${entry.keys === undefined ? "" : `: ${entry.keys}`})` : "";
    print(id, `${arrow} ${entry.name}${how}, ${annotated.data.length} bytes\n${renderText(annotated.data, annotated.annotations)}`);
  };
}

/** Starts a TLS server on host:port; every connection gets the handshake, then the HTTP responder. */
export async function startTlsServer(options: TlsServerOptions): Promise<TlsServer> {
  const host = options.host ?? "127.0.0.1";
  const log = options.onLog ?? (() => {});
  const accept: Acceptor = options.accept ?? ((transport, o) => acceptTls13(transport, options.tls13, o));
  const requests: RequestRecord[] = [];
  const connections: ConnectionRecord[] = [];
  const sockets = new Set<net.Socket>();
  let next = 0;

  const serve = async (socket: net.Socket): Promise<void> => {
    const record: ConnectionRecord = { id: ++next, remote: `${socket.remoteAddress}:${socket.remotePort}`, requests: 0, closed: false };
    keep(connections, record);
    socket.setNoDelay(true);
    const transport = socketTransport(socket, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, "client");
    const http = new HttpSession(record.id, (r) => {
      record.requests++;
      keep(requests, r);
      log(`#${record.id} ${r.method} ${r.path}${r.early ? " (0-RTT early data)" : ""}`);
    });
    const deadlineMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, deadlineMs);
    let connection: ServerConnection;
    try {
      connection = await accept(transport, {
        onEarlyData: (data, write, info) => http.feed(data, true, info, write),
        onTrace: options.onTrace === undefined ? undefined : tracer(record.id, options.onTrace),
      });
    } catch (e) {
      record.failure = timedOut ? { alert: "none", sentByUs: true, detail: `no handshake within ${deadlineMs} ms: closed` } : describeFailure(e);
      const f = record.failure;
      log(`#${record.id} ${record.remote} handshake failed: ${f.alert === "none" ? "" : `${f.sentByUs ? "sent" : "received"} alert ${f.alert}: `}${f.detail}`);
      record.closed = true;
      return;
    } finally {
      clearTimeout(deadline);
    }
    record.info = connection.info;
    log(`#${record.id} ${record.remote} ${describeConnection(connection.info)}`);
    try {
      while (!http.closing) {
        const data = await connection.read();
        if (data === null) break;
        http.feed(data, false, connection.info, (bytes) => connection.write(bytes));
      }
      connection.close();
    } catch (e) {
      // read() has already sent the alert (or received one) and closed the transport.
      record.failure = describeFailure(e);
      log(`#${record.id} failed after the handshake: ${record.failure.sentByUs ? "sent" : "received"} alert ${record.failure.alert}: ${record.failure.detail}`);
    }
    record.closed = true;
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {}); // a reset is the transport's business; serve() sees the close
    socket.on("close", () => sockets.delete(socket));
    serve(socket).catch((e) => log(`#? internal error: ${e instanceof Error ? e.stack : String(e)}`));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    requests,
    connections,
    get open() {
      return sockets.size;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}
