// What the TLS 1.2 and TLS 1.3 test servers share (tls12-peers.ts, tls13-peers.ts): a Node tls server that answers
// one HTTP GET per connection, and `openssl s_server -www` with both fixture certificates and a key log file. Each
// version's module adds its own protocol settings and reads the key log in its own format.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tls from "node:tls";
import { fixturePath } from "./fixtures.js";
import { type OpenSslServer, startOpenSslServer } from "./peers.js";

const HOST = "127.0.0.1";

/**
 * Makes `server` answer one HTTP request per connection with "200 OK" and a body naming the suite and protocol it
 * negotiated, then close (close_notify and FIN); listens on 127.0.0.1. `onSecure` sees each connection before it
 * answers. Returns the port, the messages of the handshakes it refused ('tlsClientError') and a close().
 */
export async function serveHttps(
  server: tls.Server,
  onSecure?: (socket: tls.TLSSocket) => void,
): Promise<{ port: number; clientErrors: string[]; close(): Promise<void> }> {
  const clientErrors: string[] = [];
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", (e: Error) => clientErrors.push(e.message));
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    socket.on("error", () => {});
    onSecure?.(socket);
    let request = "";
    socket.on("data", (chunk: Buffer) => {
      request += chunk.toString("latin1");
      if (!request.includes("\r\n\r\n")) return;
      const body = `hello from node: ${socket.getCipher().standardName} ${socket.getProtocol()}\n`;
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
  server.unref();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
  return { port, clientErrors, close };
}

/**
 * `openssl s_server -www` with both fixture certificates (-cert/-key RSA, -dcert/-dkey ECDSA) and a key log file in a
 * fresh temporary directory named after `dirPrefix`, plus `args` (version, suites, groups) and, last, the caller's
 * `extra`. keyLog() reads the file now through `parse` (an empty map while there is none); close() also removes the
 * directory.
 */
export async function startKeyLoggingOpenSsl<K, V>(
  dirPrefix: string,
  args: string[],
  extra: string[],
  parse: (text: string) => Map<K, V>,
): Promise<OpenSslServer & { keyLog(): Map<K, V> }> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const keyLogFile = join(dir, "keys.log");
  const server = await startOpenSslServer([
    "-cert", fixturePath("server-rsa.crt"),
    "-key", fixturePath("server-rsa.key"),
    "-dcert", fixturePath("server-ecdsa.crt"),
    "-dkey", fixturePath("server-ecdsa.key"),
    "-www",
    ...args,
    "-keylogfile", keyLogFile,
    ...extra,
  ]);
  return {
    ...server,
    keyLog: () => {
      try {
        return parse(readFileSync(keyLogFile, "latin1"));
      } catch {
        return new Map();
      }
    },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
