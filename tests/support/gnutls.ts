// GnuTLS's test server, `gnutls-serv --http` (Debian package gnutls-bin), as a peer no one here wrote: an HTTPS
// responder whose page says what it negotiated ("Protocol version: TLS1.3", "Description: (TLS1.3-X.509)-(ECDHE-
// SECP384R1)-(ECDSA-SECP384R1-SHA384)-(AES-256-GCM)"), with its own key log (GnuTLS honours SSLKEYLOGFILE). The
// caller picks versions, groups and suites with a GnuTLS priority string, certificates with the PKI's files, and
// anything else (--require-client-cert, --earlydata, --noticket …) with extra arguments. One server per suite of
// tests: start it in before(), close() it in after(); a child left behind is killed when the test process exits.
//
// gnutls-serv has no option to listen on one address: it binds the port on every interface (0.0.0.0 and ::), for the
// few seconds a suite runs. Our clients only ever connect to 127.0.0.1, and its keys are the throwaway test PKI's.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath } from "./fixtures.js";

const HOST = "127.0.0.1";

/** A certificate chain file (leaf first) and its private key, both PEM paths. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** The fixture pair every test server has: RSA-2048 and ECDSA P-256 leaves for localhost, under tests/fixtures/ca.crt. */
export const FIXTURE_CERTIFICATES: CertificateFiles[] = [
  { cert: fixturePath("server-rsa.crt"), key: fixturePath("server-rsa.key") },
  { cert: fixturePath("server-ecdsa.crt"), key: fixturePath("server-ecdsa.key") },
];

/** The ECDSA P-384 leaf of chapter 03's test PKI (localhost; its root is in tests/fixtures/pki/roots.pem). */
export const P384_CERTIFICATE: CertificateFiles = {
  cert: new URL("../fixtures/pki/chain-leaf-p384.pem", import.meta.url).pathname,
  key: new URL("../fixtures/pki/leaf-p384.key", import.meta.url).pathname,
};

/** A key log in the NSS format, grouped by client random (hex, lowercase): label → secret (hex, lowercase). */
export function parseKeyLog(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of text.split(/\r?\n/)) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (label === undefined || random === undefined || secret === undefined || label.startsWith("#")) continue;
    const key = random.toLowerCase();
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(label, secret.toLowerCase());
  }
  return out;
}

const children = new Set<ChildProcess>();
let exitHook = false;

/** Kills every server child still running when the test process exits (a test that forgot close(), a Ctrl-C). */
export function trackChild(child: ChildProcess): void {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as net.Socket | null)?.unref();
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => children.delete(child));
}

/** Stops a child and waits for it: SIGTERM, then SIGKILL after a second. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 1000);
  await exited;
  clearTimeout(killer);
}

/** A loopback port that was free a moment ago (the server binds it next; a lost race is retried). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(0, HOST, () => resolve()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface GnutlsServer {
  port: number;
  /** Everything gnutls-serv printed so far (stdout and stderr): one "Error in handshake: …" line per refusal. */
  output(): string;
  /** The server's key log so far (SSLKEYLOGFILE): by client random (hex), label → secret (hex). */
  keyLog(): Map<string, Map<string, string>>;
  close(): Promise<void>;
}

export interface GnutlsOptions {
  /** A GnuTLS priority string (default "NORMAL": TLS 1.3 and 1.2, every group and suite GnuTLS enables by default). */
  priority?: string;
  /** The certificates to serve; GnuTLS picks the one that fits the client's offer (default: the RSA and P-256 fixtures). */
  certificates?: CertificateFiles[];
  /** More arguments: "--require-client-cert", "--earlydata", "--noticket", "--disable-client-cert" … */
  args?: string[];
}

/**
 * Starts `gnutls-serv --http` on a free port and waits until it listens. Unless `args` says otherwise it does not ask
 * for a client certificate (--disable-client-cert): by default gnutls-serv sends a CertificateRequest.
 */
export async function startGnutlsServer(options: GnutlsOptions = {}): Promise<GnutlsServer> {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-gnutls-"));
  const keyLogFile = join(dir, "keys.log");
  const certificates = options.certificates ?? FIXTURE_CERTIFICATES;
  const extra = options.args ?? [];
  const askCert = extra.some((a) => /client-cert/.test(a));
  let lastOutput = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const args = [
      "--http",
      "--port", String(port),
      "--priority", options.priority ?? "NORMAL",
      ...certificates.flatMap((c) => ["--x509certfile", c.cert, "--x509keyfile", c.key]),
      ...(askCert ? [] : ["--disable-client-cert"]),
      ...extra,
    ];
    const child = spawn("gnutls-serv", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SSLKEYLOGFILE: keyLogFile } });
    trackChild(child);
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString("latin1")));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString("latin1")));
    const spawnError = new Promise<Error>((resolve) => child.once("error", (e) => resolve(e)));
    // "HTTP Server listening on IPv4 0.0.0.0 port N...done" once the socket is bound.
    const deadline = Date.now() + 5000;
    let failure: string | undefined;
    for (;;) {
      if (/listening on IPv4 .* port \d+\.\.\.done/.test(output)) break;
      const error = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 25))]);
      if (error !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`cannot run gnutls-serv (Debian package gnutls-bin; .ci/run installs it): ${error.message}`);
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        failure = output;
        break;
      }
    }
    if (failure !== undefined) {
      await stopChild(child);
      lastOutput = failure;
      if (/bind|in use/i.test(failure)) continue; // lost the race for the port
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`gnutls-serv did not start (${args.join(" ")}):\n${failure}`);
    }
    let closing: Promise<void> | undefined;
    return {
      port,
      output: () => output,
      keyLog: () => {
        try {
          return parseKeyLog(readFileSync(keyLogFile, "latin1"));
        } catch {
          return new Map();
        }
      },
      close: () =>
        (closing ??= stopChild(child).then(() => rmSync(dir, { recursive: true, force: true }))),
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`gnutls-serv could not bind a port after 5 attempts; last output:\n${lastOutput}`);
}
