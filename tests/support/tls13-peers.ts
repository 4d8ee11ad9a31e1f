// TLS 1.3 servers on 127.0.0.1 that answer an HTTP GET and keep their own key log, for chapter 08's live tests
// (and the command-line tool's tests and the benchmark): Node's tls (a tiny HTTPS responder; key log from its
// 'keylog' event, one line per secret) and `openssl s_server -www -tls1_3` (key log from -keylogfile). Both hold the
// RSA and the ECDSA fixture certificates: in TLS 1.3 the server picks the one that fits the client's
// signature_algorithms, so the client chooses the certificate by the schemes it offers.
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { fixturePath, readFixture } from "./fixtures.js";
import { serveHttps, startKeyLoggingOpenSsl } from "./https-responders.js";
import type { OpenSslServer } from "./peers.js";
import { parseKeyLog13 } from "./tls13-oracle.js";

const HOST = "127.0.0.1";

/** OpenSSL's names of the TLS 1.3 suites (RFC 8446 §B.4), for -ciphersuites and Node's `ciphers`. */
export const OPENSSL_TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

export interface Https13Responder {
  port: number;
  server: tls.Server;
  /** The server's key log so far: by client random (hex), label → secret (hex). */
  keyLog: Map<string, Map<string, string>>;
  /** Messages of the handshakes the server refused ('tlsClientError'), e.g. "… alert number 42". */
  clientErrors: string[];
  close(): Promise<void>;
}

/**
 * A Node TLS 1.3 server that answers one HTTP request per connection with "200 OK" and a body naming the suite and
 * protocol it negotiated, then closes (close_notify and FIN). `options` may override anything (ecdhCurve,
 * requestCert, sessionTimeout, …); `onSecure` sees each connection before it answers.
 */
export async function startHttps13Responder(options: tls.TlsOptions = {}, onSecure?: (socket: tls.TLSSocket) => void): Promise<Https13Responder> {
  const server = tls.createServer({
    key: [readFixture("server-rsa.key"), readFixture("server-ecdsa.key")],
    cert: [readFixture("server-rsa.crt"), readFixture("server-ecdsa.crt")],
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    ecdhCurve: "X25519:P-256",
    ...options,
  });
  const keyLog = new Map<string, Map<string, string>>();
  server.on("keylog", (line: Buffer) => {
    for (const [random, entries] of parseKeyLog13(line.toString("latin1"))) {
      if (!keyLog.has(random)) keyLog.set(random, new Map());
      for (const [label, secret] of entries) keyLog.get(random)!.set(label, secret);
    }
  });
  const { port, clientErrors, close } = await serveHttps(server, onSecure);
  return { port, server, keyLog, clientErrors, close };
}

export interface OpenSsl13Responder extends OpenSslServer {
  /** Reads s_server's -keylogfile now: by client random (hex), label → secret (hex). */
  keyLog(): Map<string, Map<string, string>>;
}

/**
 * `openssl s_server -www -tls1_3` with both fixture certificates (-cert/-key RSA, -dcert/-dkey ECDSA), the three
 * suites, X25519 and P-256 unless `groups` says otherwise, and a key log file. -www answers "GET /" with a page
 * describing the session ("New, TLSv1.3, Cipher is …", "Shared groups: …"), then closes the connection.
 */
export async function startOpenSsl13Responder(groups = "X25519:P-256", extra: string[] = []): Promise<OpenSsl13Responder> {
  return startKeyLoggingOpenSsl("tls-by-hand-s_server13-", ["-tls1_3", "-ciphersuites", OPENSSL_TLS13_SUITES, "-groups", groups], extra, parseKeyLog13);
}

export interface InteractiveOpenSsl {
  port: number;
  /** Types `text` into s_server's stdin: a line of data goes to the client; "K\n" sends a KeyUpdate that requests ours. */
  type(text: string): void;
  /** Everything s_server printed so far (stdout and stderr). */
  output(): string;
  /** Waits until the output matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

const interactiveChildren = new Set<ChildProcess>();
let interactiveHook = false;

/**
 * `openssl s_server -tls1_3` in its interactive mode (no -www): what arrives from the client is printed, what is typed
 * on its stdin is sent, and a line holding just "K" makes it send a KeyUpdate with update_requested (lower-case "k":
 * without). For chapter 08's KeyUpdate test; peers.ts's servers do not expose their stdin.
 */
export async function startInteractiveOpenSsl13(extra: string[] = [], timeoutMs = 5000): Promise<InteractiveOpenSsl> {
  if (!interactiveHook) {
    interactiveHook = true;
    process.on("exit", () => {
      for (const c of interactiveChildren) c.kill("SIGKILL");
    });
  }
  const probe = net.createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, HOST, () => resolve((probe.address() as net.AddressInfo).port)));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const child = spawn(
    "openssl",
    ["s_server", "-accept", `${HOST}:${port}`, "-cert", fixturePath("server-rsa.crt"), "-key", fixturePath("server-rsa.key"), "-tls1_3", ...extra],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as net.Socket | null)?.unref();
  interactiveChildren.add(child);
  child.once("exit", () => interactiveChildren.delete(child));
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("latin1")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("latin1")));
  const waitForOutput = async (pattern: RegExp, ms = 5000): Promise<string> => {
    const until = Date.now() + ms;
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`openssl s_server exited before printing ${pattern}:\n${output}`);
      if (Date.now() > until) throw new Error(`openssl s_server did not print ${pattern} within ${ms} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return output;
  };
  await waitForOutput(/^ACCEPT/m, timeoutMs);
  let closing: Promise<void> | undefined;
  return {
    port,
    type: (text) => void child.stdin!.write(text),
    output: () => output,
    waitForOutput,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 1000).unref();
      })),
  };
}
