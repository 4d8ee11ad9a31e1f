// Handshake speed: a full handshake plus one GET against a local Node `tls` server, our client (the reference, and
// the learner's when its chapters are done) against Node's own tls.connect to the same server, in this process.
// TLS 1.2 (chapter 06) per key exchange; TLS 1.3 (chapter 08) per key share group (P-384 too), suite and certificate
// (RSA, ECDSA P-256, ECDSA P-384 from chapter 03's test PKI).
// Figures are medians of RUNS sequential connections after a warm-up; the ratio is ours ÷ Node's.
import * as tls from "node:tls";
import { CipherSuite, NamedGroup } from "../lib/constants.js";
import { isNotImplemented } from "../lib/errors.js";
import { readPemCertificates } from "../lib/pem.js";
import { REQUEST, RESPONSE, fixture, medianMs } from "./bench-common.js";

type Chapter03 = typeof import("../solutions/03-certificates/index.js");
type Chapter06 = typeof import("../solutions/06-tls12-handshake/index.js");
type Chapter08 = typeof import("../solutions/08-tls13-handshake/index.js");
type Connection = { write(d: Uint8Array): void; read(): Promise<Uint8Array | null>; close(): void };
type Roots = ReturnType<Chapter03["parseCertificates"]>;

const RUNS = 50;

/** One comparison: how the server is set up, how Node connects, how our client connects. */
interface Case {
  label: string;
  goal: string;
  /** cert: the fixture's name (NAME.key, NAME.crt); certFile: another file for the certificates (a chain). */
  server: tls.TlsOptions & { cert: string; certFile?: string };
  /** The roots that issued the server's certificate, under tests/fixtures (default ca.crt). */
  ca?: string;
  node: tls.ConnectionOptions;
  ours: (ch06: Chapter06, ch08: Chapter08, ca: Roots, port: number) => Promise<Connection>;
}

const tls12 = (kx: string, openssl: string, suite: number, goal: string): Case => ({
  label: `TLS 1.2 ${kx}`,
  goal,
  server: { cert: "server-rsa", ciphers: openssl, dhparam: "auto", maxVersion: "TLSv1.2" },
  node: { ciphers: openssl, maxVersion: "TLSv1.2" },
  ours: async (ch06, _ch08, ca, port) => ch06.connectTls12(await ch06.connectTcp("127.0.0.1", port), { servername: "localhost", ca, cipherSuites: [suite] }),
});

const tls13 = (label: string, cert: string, curve: string, group: number, name: string, suite: number, goal: string, extra: { certFile?: string; ca?: string } = {}): Case => ({
  label: `TLS 1.3 ${label}`,
  goal,
  server: { cert, ...(extra.certFile !== undefined ? { certFile: extra.certFile } : {}), minVersion: "TLSv1.3", ecdhCurve: "X25519:P-256:P-384" },
  ...(extra.ca === undefined ? {} : { ca: extra.ca }),
  node: { ciphers: name, ecdhCurve: curve, minVersion: "TLSv1.3", ...(extra.ca === undefined ? {} : { ca: fixture(extra.ca) }) },
  ours: async (ch06, ch08, ca, port) =>
    ch08.connectTls13(await ch06.connectTcp("127.0.0.1", port), { servername: "localhost", ca, cipherSuites: [suite], groups: [group] }),
});

export const TLS12_CASES: Case[] = [
  tls12("RSA", "AES128-GCM-SHA256", CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, "≤ 3×"),
  tls12("ECDHE (X25519)", "ECDHE-RSA-AES128-GCM-SHA256", CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "≤ 3×"),
  tls12("DHE (2048-bit)", "DHE-RSA-AES128-GCM-SHA256", CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "reported"),
];

export const TLS13_CASES: Case[] = [
  tls13("X25519, AES-128-GCM, ECDSA", "server-ecdsa", "X25519", NamedGroup.x25519, "TLS_AES_128_GCM_SHA256", CipherSuite.TLS_AES_128_GCM_SHA256, "≤ 3×"),
  tls13("X25519, AES-128-GCM, RSA", "server-rsa", "X25519", NamedGroup.x25519, "TLS_AES_128_GCM_SHA256", CipherSuite.TLS_AES_128_GCM_SHA256, "reported"),
  tls13("P-256, AES-256-GCM, ECDSA", "server-ecdsa", "P-256", NamedGroup.secp256r1, "TLS_AES_256_GCM_SHA384", CipherSuite.TLS_AES_256_GCM_SHA384, "reported"),
  tls13("X25519, ChaCha20, ECDSA", "server-ecdsa", "X25519", NamedGroup.x25519, "TLS_CHACHA20_POLY1305_SHA256", CipherSuite.TLS_CHACHA20_POLY1305_SHA256, "reported"),
  // An Ed25519 leaf under an Ed25519 CA (two EdDSA checks, CertificateVerify ed25519), sent as a chain.
  tls13("X25519, AES-128-GCM, Ed25519", "server-ed25519", "X25519", NamedGroup.x25519, "TLS_AES_128_GCM_SHA256", CipherSuite.TLS_AES_128_GCM_SHA256, "reported", { certFile: "server-ed25519-chain" }),
  tls13("P-384, AES-256-GCM, ECDSA", "server-ecdsa", "P-384", NamedGroup.secp384r1, "TLS_AES_256_GCM_SHA384", CipherSuite.TLS_AES_256_GCM_SHA384, "reported"),
  tls13("X25519, AES-256-GCM, ECDSA P-384", "pki/leaf-p384", "X25519", NamedGroup.x25519, "TLS_AES_256_GCM_SHA384", CipherSuite.TLS_AES_256_GCM_SHA384, "reported", { ca: "pki/roots.pem" }),
];

/** A server that answers any request with RESPONSE and closes. */
function startServer({ cert, certFile, ...options }: Case["server"]): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer({ key: fixture(`${cert}.key`), cert: fixture(`${certFile ?? cert}.crt`), ...options }, (socket) => {
    socket.once("data", () => socket.end(RESPONSE));
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

function nodeGet(port: number, options: tls.ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: tls.TLSSocket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), ...options }, () => socket.write(REQUEST));
    socket.on("data", () => {});
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
}

async function ourGet(connection: Connection): Promise<void> {
  connection.write(new TextEncoder().encode(REQUEST));
  while ((await connection.read()) !== null);
  connection.close();
}

// warm-up: JIT, the server's session caches, the DH parameters
const median = (f: () => Promise<void>): Promise<number> => medianMs(f, RUNS);

/** Runs each case: Node's client as the baseline, then the reference client and the learner's. */
export async function benchTls(cases: Case[], log: (line: string) => void): Promise<void> {
  const impls: [string, string][] = [
    ["reference client (solutions/)", "../solutions"],
    ["your client (chapters/)", "../chapters"],
  ];
  for (const c of cases) {
    const server = await startServer(c.server);
    try {
      const native = await median(() => nodeGet(server.port, c.node));
      log(`${c.label.padEnd(40)} Node tls.connect + GET          ${native.toFixed(2)} ms   (baseline, median of ${RUNS})`);
      for (const [label, base] of impls) {
        const ch03 = (await import(`${base}/03-certificates/index.js`)) as Chapter03;
        const ch06 = (await import(`${base}/06-tls12-handshake/index.js`)) as Chapter06;
        const ch08 = (await import(`${base}/08-tls13-handshake/index.js`)) as Chapter08;
        try {
          const ca = ch03.parseCertificates(readPemCertificates(fixture(c.ca ?? "ca.crt")));
          const t = await median(async () => ourGet(await c.ours(ch06, ch08, ca, server.port)));
          log(`${c.label.padEnd(40)} ${label.padEnd(31)} ${t.toFixed(2)} ms   ${(t / native).toFixed(1)}× Node   (goal ${c.goal})`);
        } catch (e) {
          if (!isNotImplemented(e)) throw e;
          log(`${c.label.padEnd(40)} ${label.padEnd(31)} not measured: exercise ${e.exercise} is not done yet`);
        }
      }
    } finally {
      server.close();
    }
  }
}

if (process.argv[1]?.endsWith("bench-tls.ts")) await benchTls([...TLS12_CASES, ...TLS13_CASES], console.log);
