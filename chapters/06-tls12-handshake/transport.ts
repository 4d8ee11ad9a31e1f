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
 * The `field` of a TlsError that says the peer closed the connection when we still expected something from it: no
 * alert came, it simply went away (a FIN, or a reset). The handshake ends there, and no alert of ours goes out.
 */
export const CONNECTION_CLOSED = "connection closed by the peer";

/**
 * The error for a peer that went away without an alert; `detail` says when, e.g. "during the handshake". `peer` is
 * who went away: the server, for a client (chapters 06, 08); the client, for chapter 10's and 11's servers.
 */
export function connectionClosed(detail: string, peer: "server" | "client" = "server"): TlsError {
  return new TlsError(AlertDescription.handshake_failure, `the ${peer} closed the connection ${detail}`, { field: CONNECTION_CLOSED });
}

/** True when `e` says the peer closed the connection (rather than sending an alert, or a check of ours failing). */
export function isConnectionClosed(e: unknown): boolean {
  return isTlsError(e) && e.field === CONNECTION_CLOSED;
}

/** How long a read may wait for the peer before the connection is given up, by default. */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
/**
 * How many unread bytes a connection may hold before it stops reading the socket until some are consumed: a peer
 * that sends faster than we read then fills TCP's window, not our memory (a server holds many connections).
 */
export const MAX_BUFFERED_BYTES = 4 * 2 ** 16;
/** How long close() waits for the peer's FIN before it destroys the socket. */
export const CLOSE_GRACE_MS = 2000;

/**
 * Wraps a connected socket. Bytes that arrive are buffered until nextRecord finds a whole record in them;
 * `readRecord` waits for one. A connection that ends in the middle of a record is an error, not a quiet end.
 * `peer` is who is at the other end (a server wraps its client's socket with "client"), for the words of an error.
 *
 * What we write in one go (a flight: Certificate, ClientKeyExchange, ChangeCipherSpec, Finished) leaves as ONE write,
 * at the end of the current tick (cork/uncork). Fewer packets, and above all: a server that refuses the first message
 * of a flight sends its alert and closes, and a later write of ours into the closed connection fails (EPIPE, or the
 * reset that answers it). Node then drops the socket with whatever was still unread — the alert that says why. With
 * the flight in one write, the server reads it whole, and its alert is in `buffered` before any failure is reported:
 * readRecord hands over what arrived before it reports that the connection is gone.
 */
export function socketTransport(socket: net.Socket, timeoutMs = DEFAULT_READ_TIMEOUT_MS, peer: "server" | "client" = "server"): RecordTransport {
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
    if (buffered.length > MAX_BUFFERED_BYTES) socket.pause();
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
    // A reset, or a write into a connection the peer has closed: the peer went away. Say so in those words, not
    // as "write EPIPE"; what it sent before (its alert, its answer) is still in `buffered` and is read first.
    const gone = e.code === "EPIPE" || e.code === "ECONNRESET";
    failure = gone ? connectionClosed(`(our ${e.syscall ?? "socket"} failed: ${e.code})`, peer) : e;
    notify();
  });

  return {
    async readRecord(): Promise<TlsRecord | null> {
      for (;;) {
        const found = nextRecord(buffered); // chapter 00: null until a whole record is here
        if (found !== null) {
          buffered = buffered.slice(found.size);
          if (socket.isPaused() && buffered.length <= MAX_BUFFERED_BYTES) socket.resume();
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
      // Let everything queued before the FIN go out, and the peer answer with its own FIN (then the socket closes by
      // itself); a peer that never does is let go of after CLOSE_GRACE_MS. Destroying at once could drop our last
      // records, or reset a connection whose peer is slow to read them.
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
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
