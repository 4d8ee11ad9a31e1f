// Real TLS peers on 127.0.0.1 for the chapter tests: Node's tls server, `openssl s_server`, a recorder that
// captures a real client's ClientHello, and a plain TCP `exchange` that sends a learner's bytes to a server.
// Every helper has a timeout and cleans up its sockets and child processes, so a failing test never hangs.
// Record framing (RFC 8446 §5.1) is in ./records.js; the parser for `s_server -trace` output in ./openssl-trace.js.

import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { fixturePath, readFixture } from "./fixtures.js";
import { completeRecordLength, firstHandshakeMessage, handshakeMessageFromRecords } from "./records.js";

const HOST = "127.0.0.1";
const CLIENT_HELLO = 1; // HandshakeType.client_hello (RFC 8446 §4)

// Learner clients send a ClientHello, read the reply and hang up: to a server that is an ECONNRESET or a
// failed handshake, which is expected here, so those errors are swallowed instead of crashing the test run.
const ignore = (): void => {};

/** Runs `work` with a timer that rejects with `what` after `timeoutMs`; the timer is always cleared. */
function withTimeout<T>(timeoutMs: number, what: () => string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what()}`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function listenOnLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  // server.close() waits for open connections, so end them first.
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------------------------------------------------------
// Node's tls server

export interface NodeServer {
  port: number;
  /** The underlying server, for tests that listen to 'keylog' or 'secureConnection'. */
  server: tls.Server;
  close(): Promise<void>;
}

/**
 * A Node TLS server on 127.0.0.1 (random port) using the RSA fixture unless `options` says otherwise.
 * After a handshake it echoes application data back, so a client can test both directions of its records.
 */
export async function startNodeServer(options: tls.TlsOptions = {}): Promise<NodeServer> {
  const server = tls.createServer({
    key: readFixture("server-rsa.key"),
    cert: readFixture("server-rsa.crt"),
    ...options,
  });
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", ignore);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", ignore);
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    socket.on("error", ignore);
    socket.pipe(socket);
  });
  const port = await listenOnLoopback(server);
  server.unref(); // a test that forgets close() must not keep mocha running forever
  let closing: Promise<void> | undefined;
  return { port, server, close: () => (closing ??= closeServer(server, sockets)) };
}

// ---------------------------------------------------------------------------------------------------------------
// openssl child processes

const children = new Set<ChildProcess>();
let exitHooksInstalled = false;

/** Kills every openssl we started and did not stop yet: on exit, and on Ctrl-C / SIGTERM. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (): void => {
    for (const c of children) c.kill("SIGKILL");
    children.clear();
  };
  process.on("exit", killAll);
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(signal, () => {
      killAll();
      // Having a listener cancels Node's default "exit on signal"; restore it unless someone else (mocha) handles it.
      if (process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}

function spawnOpenSsl(args: string[], stdin: "pipe" | "ignore"): ChildProcess {
  installExitHooks();
  const child = spawn("openssl", args, { stdio: [stdin, "pipe", "pipe"] });
  // Unreferenced, so a forgotten child cannot keep the test run alive; the exit hooks above then kill it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => children.delete(child));
  return child;
}

/** Stops a child and waits for it: SIGTERM, then SIGKILL if it is still there after a second. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 1000);
  await exited;
  clearTimeout(killer);
  child.stdin?.destroy();
}

/** A free loopback port: bind port 0, read the port, release it (openssl then binds it; see the retry below). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface OpenSslServer {
  port: number;
  /** Everything s_server printed so far, stdout and stderr interleaved in arrival order. */
  output(): string;
  /** Waits until the output matches `pattern` (e.g. /CIPHER is/), then returns the whole output. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts `openssl s_server -accept 127.0.0.1:PORT -cert … -key … <args>` and waits for its "ACCEPT" line.
 * Uses the RSA fixture unless `args` has its own -cert / -key. Pass "-trace" to read what it negotiated
 * (see serverHelloFromTrace), "-tls1_2" / "-tls1_3" to pin a version, "-www" for an HTTP responder.
 * Its stdin stays open: s_server ends a connection when its stdin closes.
 */
export async function startOpenSslServer(args: string[] = [], timeoutMs = 5000): Promise<OpenSslServer> {
  const defaults = [
    ...(args.includes("-cert") ? [] : ["-cert", fixturePath("server-rsa.crt")]),
    ...(args.includes("-key") ? [] : ["-key", fixturePath("server-rsa.key")]),
  ];
  let lastOutput = "";
  // The port is chosen before openssl binds it, so another process may take it in between: retry a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawnOpenSsl(["s_server", "-accept", `${HOST}:${port}`, ...defaults, ...args], "pipe");
    let output = "";
    let closed = false; // set on 'close', after the last output has been read (on 'exit' some may be pending)
    const watchers = new Set<() => void>();
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("latin1");
      for (const w of watchers) w();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("close", () => {
      closed = true;
      for (const w of watchers) w();
    });

    const waitForOutput = (pattern: RegExp, ms = 5000): Promise<string> => {
      let watcher: () => void = ignore;
      const seen = new Promise<string>((resolve, reject) => {
        watcher = () => {
          if (pattern.test(output)) resolve(output);
          else if (closed) reject(new Error(`openssl s_server exited before printing ${pattern}:\n${output}`));
        };
        watchers.add(watcher);
        watcher();
      });
      const what = (): string => `openssl s_server did not print ${pattern}; output:\n${output}`;
      return withTimeout(ms, what, seen).finally(() => watchers.delete(watcher));
    };

    const spawnFailed = new Promise<never>((_, reject) =>
      child.once("error", (e) => reject(new Error(`cannot run openssl (is it installed?): ${e.message}`))),
    );
    try {
      await Promise.race([waitForOutput(/^ACCEPT/m, timeoutMs), spawnFailed]);
    } catch (e) {
      await stopChild(child);
      lastOutput = output;
      if (/in use|bind/i.test(output)) continue; // lost the race for the port
      throw e;
    }
    let closing: Promise<void> | undefined;
    return { port, output: () => output, waitForOutput, close: () => (closing ??= stopChild(child)) };
  }
  throw new Error(`openssl s_server could not bind a port after 5 attempts; last output:\n${lastOutput}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Capturing a real client's ClientHello

/** Something to undo after a capture: close a socket, stop a process. */
export type Cleanup = () => void | Promise<void>;
/** Makes a client connect to 127.0.0.1:port; may return a Cleanup, which captureClientHello calls at the end. */
export type Connector = (port: number) => void | Cleanup | Promise<void | Cleanup>;

/** Connector for Node's TLS client (SNI "localhost", no certificate check: the recorder never answers). */
export function connectNode(options: tls.ConnectionOptions = {}): Connector {
  return (port) => {
    const socket = tls.connect({ port, host: HOST, servername: "localhost", rejectUnauthorized: false, ...options });
    socket.on("error", ignore); // the recorder hangs up on it
    return () => void socket.destroy();
  };
}

/** Connector for `openssl s_client -connect 127.0.0.1:PORT -servername localhost <args>`, stdin ignored. */
export function connectOpenSsl(args: string[] = []): Connector {
  return async (port) => {
    const child = spawnOpenSsl(["s_client", "-connect", `${HOST}:${port}`, "-servername", "localhost", ...args], "ignore");
    child.stdout!.resume(); // drain, so a chatty client never blocks on a full pipe
    child.stderr!.resume();
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e) => reject(new Error(`cannot run openssl (is it installed?): ${e.message}`)));
    });
    return () => stopChild(child);
  };
}

/**
 * Listens on 127.0.0.1, lets `connect` start a client there, and returns the raw bytes of the records that carry
 * its ClientHello: from the first record header to the end of the record where the message ends (it may span
 * records). The recorder never answers; it hangs up once it has the message.
 */
export async function captureClientHello(connect: Connector, timeoutMs = 5000): Promise<Uint8Array> {
  const server = net.createServer();
  const sockets = new Set<net.Socket>();
  let received = Buffer.alloc(0);
  let cleanup: Cleanup | undefined;

  const captured = new Promise<Uint8Array>((resolve, reject) => {
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("error", ignore);
      if (sockets.size > 1) return void socket.destroy(); // only the first connection is recorded
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        try {
          const found = firstHandshakeMessage(received);
          if (!found) return;
          if (found.message[0] !== CLIENT_HELLO) {
            throw new Error(`the first handshake message has type ${found.message[0]}, not ClientHello (1)`);
          }
          resolve(new Uint8Array(received.subarray(0, found.recordsLength)));
        } catch (e) {
          reject(e);
        }
      });
      socket.on("close", () =>
        reject(new Error(`the client hung up after ${received.length} bytes, before a complete ClientHello`)),
      );
    });
  });

  try {
    const port = await listenOnLoopback(server);
    const undo = await connect(port);
    if (typeof undo === "function") cleanup = undo;
    return await withTimeout(timeoutMs, () => `no complete ClientHello (got ${received.length} bytes)`, captured);
  } finally {
    captured.catch(ignore); // settled late (after a timeout, or by the close below): nobody is listening
    await closeServer(server, sockets);
    if (cleanup) await Promise.resolve(cleanup()).catch(ignore);
  }
}

/** The ClientHello message alone (header included, fragments joined) from captureClientHello's records. */
export function clientHelloMessage(records: Uint8Array): Uint8Array {
  return handshakeMessageFromRecords(records);
}

// ---------------------------------------------------------------------------------------------------------------
// Sending bytes to a server

/**
 * Plain TCP: connects to 127.0.0.1:port, writes `bytes`, reads until at least one complete TLS record has arrived,
 * and resolves with everything received by then (a server's flight often comes in one piece, so maybe more).
 */
export function exchange(port: number, bytes: Uint8Array, timeoutMs = 5000): Promise<Uint8Array> {
  let received = Buffer.alloc(0);
  const socket = net.connect({ port, host: HOST });
  const reply = new Promise<Uint8Array>((resolve, reject) => {
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        if (completeRecordLength(received) !== undefined) resolve(new Uint8Array(received));
      } catch (e) {
        reject(e); // the reply is not TLS at all
      }
    });
    socket.on("error", (e) => reject(new Error(`exchange with 127.0.0.1:${port}: ${e.message}`)));
    socket.on("close", () =>
      reject(new Error(`127.0.0.1:${port} closed the connection after ${received.length} bytes, before a full record`)),
    );
  });
  return withTimeout(timeoutMs, () => `no complete record from 127.0.0.1:${port} (got ${received.length} bytes)`, reply)
    .finally(() => socket.destroy());
}
