// TLS 1.2 servers on 127.0.0.1 that answer an HTTP GET and keep their own key log, for chapter 06's live tests,
// the command-line tool's tests and the benchmark: Node's tls (a tiny HTTPS responder, key log from its 'keylog'
// event) and `openssl s_server -www` (key log from -keylogfile). Both hold the RSA and the ECDSA fixture
// certificates, so one server covers every suite: the client picks by what it offers.

import * as tls from "node:tls";
import { readFixture } from "./fixtures.js";
import { serveHttps, startKeyLoggingOpenSsl } from "./https-responders.js";
import type { OpenSslServer } from "./peers.js";

/** OpenSSL names of the TLS 1.2 suites the chapter runs (RFC 5288, RFC 5289), forward-secret ones first. */
export const OPENSSL_TLS12_SUITES = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES128-GCM-SHA256",
  "AES128-GCM-SHA256",
  "AES256-GCM-SHA384",
].join(":");

/** "CLIENT_RANDOM <random> <master>" lines → master secret (hex) by client random (hex), lowercase. */
export function parseKeyLog(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (label === "CLIENT_RANDOM" && random !== undefined && secret !== undefined) out.set(random.toLowerCase(), secret.toLowerCase());
  }
  return out;
}

export interface HttpsResponder {
  port: number;
  server: tls.Server;
  /** The server's key log: master secret by client random (hex). */
  keyLog: Map<string, string>;
  /** Messages of the handshakes the server refused ('tlsClientError'), e.g. "… alert number 42". */
  clientErrors: string[];
  close(): Promise<void>;
}

/**
 * A Node TLS 1.2 server that answers one HTTP request per connection with "200 OK" and a body naming the suite
 * it negotiated, then closes (close_notify and FIN). `options` may override anything (ciphers, requestCert, …).
 */
export async function startHttpsResponder(options: tls.TlsOptions = {}): Promise<HttpsResponder> {
  const server = tls.createServer({
    key: [readFixture("server-rsa.key"), readFixture("server-ecdsa.key")],
    cert: [readFixture("server-rsa.crt"), readFixture("server-ecdsa.crt")],
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    ciphers: OPENSSL_TLS12_SUITES,
    ecdhCurve: "X25519:P-256",
    dhparam: "auto",
    ...options,
  });
  const keyLog = new Map<string, string>();
  server.on("keylog", (line: Buffer) => {
    for (const [random, secret] of parseKeyLog(line.toString("latin1"))) keyLog.set(random, secret);
  });
  const { port, clientErrors, close } = await serveHttps(server);
  return { port, server, keyLog, clientErrors, close };
}

export interface OpenSslResponder extends OpenSslServer {
  /** Reads s_server's -keylogfile now: master secret by client random (hex). */
  keyLog(): Map<string, string>;
}

/**
 * `openssl s_server -www -tls1_2` with both fixture certificates (-cert/-key RSA, -dcert/-dkey ECDSA), the chapter's
 * suites, X25519 and P-256, and a key log file. -www answers "GET /" with a page describing the session
 * (it includes the cipher and "Extended master secret: yes|no"), then closes the connection.
 */
export async function startOpenSslResponder(extra: string[] = []): Promise<OpenSslResponder> {
  return startKeyLoggingOpenSsl("tls-by-hand-s_server-", ["-tls1_2", "-cipher", OPENSSL_TLS12_SUITES, "-groups", "X25519:P-256"], extra, parseKeyLog);
}
