// The TCP side of a TLS connection, given: something that hands over the peer's bytes one whole record at a time
// and sends ours. TCP delivers a stream with no record boundaries, so this is where chapter 00's nextRecord cuts
// it into records (RFC 5246 §6.2.1). Nothing here knows about keys or handshakes.
import * as net from "node:net";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError, isTlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type TlsRecord, nextRecord } from "../00-bytes/index.js";

/** What a TLS client needs from the network: whole records in, bytes out. */
export interface RecordTransport {
  /** The next complete record from the peer, or null once the peer has closed the connection. */
  readRecord(): Promise<TlsRecord | null>;
  /** Sends bytes (one or more whole records) to the peer. */
  write(bytes: Uint8Array): void;
  /** Closes the connection (TCP FIN); reading afterwards gives null. */
  close(): void;
}

/**
 * The `field` of a TlsError that says the server closed the connection when we still expected something from it: no
 * alert came, it simply went away (a FIN, or a reset). The handshake ends there, and no alert of ours goes out.
 */
export const SERVER_CLOSED = "connection closed by the server";

/** The error for a server that went away without an alert; `detail` says when, e.g. "during the handshake". */
export function serverClosed(detail: string): TlsError {
  return new TlsError(AlertDescription.handshake_failure, `the server closed the connection ${detail}`, { field: SERVER_CLOSED });
}

/** True when `e` says the server closed the connection (rather than sending an alert, or a check of ours failing). */
export function isServerClosed(e: unknown): boolean {
  return isTlsError(e) && e.field === SERVER_CLOSED;
}

/** How long a read may wait for the peer before the connection is given up, by default. */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/**
 * Wraps a connected socket. Bytes that arrive are buffered until nextRecord finds a whole record in them;
 * `readRecord` waits for one. A connection that ends in the middle of a record is an error, not a quiet end.
 *
 * What we write in one go (a flight: Certificate, ClientKeyExchange, ChangeCipherSpec, Finished) leaves as ONE write,
 * at the end of the current tick (cork/uncork). Fewer packets, and above all: a server that refuses the first message
 * of a flight sends its alert and closes, and a later write of ours into the closed connection fails (EPIPE, or the
 * reset that answers it). Node then drops the socket with whatever was still unread — the alert that says why. With
 * the flight in one write, the server reads it whole, and its alert is in `buffered` before any failure is reported:
 * readRecord hands over what arrived before it reports that the connection is gone.
 */
export function socketTransport(socket: net.Socket, timeoutMs = DEFAULT_READ_TIMEOUT_MS): RecordTransport {
  let buffered: Uint8Array = new Uint8Array(0);
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  socket.on("data", (chunk: Uint8Array) => {
    buffered = concat(buffered, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    notify();
  });
  socket.on("end", () => {
    ended = true;
    notify();
  });
  socket.on("close", () => {
    ended = true;
    notify();
  });
  socket.on("error", (e: NodeJS.ErrnoException) => {
    // A reset, or a write into a connection the server has closed: the server went away. Say so in those words, not
    // as "write EPIPE"; what it sent before (its alert, its answer) is still in `buffered` and is read first.
    const gone = e.code === "EPIPE" || e.code === "ECONNRESET";
    failure = gone ? serverClosed(`(our ${e.syscall ?? "socket"} failed: ${e.code})`) : e;
    notify();
  });

  return {
    async readRecord(): Promise<TlsRecord | null> {
      for (;;) {
        const found = nextRecord(buffered); // chapter 00: null until a whole record is here
        if (found !== null) {
          buffered = buffered.slice(found.size);
          return found.record;
        }
        if (failure !== undefined) throw failure;
        if (ended) {
          if (buffered.length === 0) return null;
          throw new TlsError(AlertDescription.decode_error, `the connection ended inside a record (${buffered.length} bytes of it arrived)`, {
            field: "record",
          });
        }
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            wake = undefined;
            reject(new Error(`no data from ${socket.remoteAddress}:${socket.remotePort} for ${timeoutMs} ms`));
          }, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    write(bytes: Uint8Array): void {
      if (socket.destroyed || !socket.writable) return;
      // Everything written until this tick ends goes out together (see above).
      if (socket.writableCorked === 0) {
        socket.cork();
        process.nextTick(() => socket.uncork());
      }
      socket.write(bytes);
    },
    close(): void {
      socket.end();
      // Give the FIN (and anything queued before it) a moment, then let go of the socket for good.
      setTimeout(() => socket.destroy(), 100).unref();
    },
  };
}

/** Opens a TCP connection to host:port and wraps it. */
export function connectTcp(host: string, port: number, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<RecordTransport> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true); // a handshake is small messages back and forth: do not let Nagle hold them
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`cannot connect to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socketTransport(socket, timeoutMs));
    });
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${host}:${port}: ${e.message}`));
    };
    socket.once("error", onError);
  });
}
