// TLS 1.2 handshake speed: a full handshake plus one GET against a local Node `tls` server, our client (chapter
// 06 on chapters 00–05) against Node's own tls.connect to the same server, in this process, per key exchange.
// Figures are medians of RUNS sequential connections; the ratio is ours ÷ Node's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import { isNotImplemented } from "../lib/errors.js";
import { readPemCertificates } from "../lib/pem.js";
import { ROOT } from "./exercises.js";

type Chapter03 = typeof import("../solutions/03-certificates/index.js");
type Chapter06 = typeof import("../solutions/06-tls12-handshake/index.js");

const RUNS = 50;
const fixture = (f: string) => readFileSync(join(ROOT, "tests/fixtures", f), "utf8");
const RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
const REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

const CASES = [
  { kx: "RSA", openssl: "AES128-GCM-SHA256", goal: "≤ 3×" },
  { kx: "ECDHE (X25519)", openssl: "ECDHE-RSA-AES128-GCM-SHA256", goal: "≤ 3×" },
  { kx: "DHE (2048-bit)", openssl: "DHE-RSA-AES128-GCM-SHA256", goal: "reported" },
];

/** A server that answers any request with RESPONSE and closes. */
function startServer(ciphers: string): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer({ key: fixture("server-rsa.key"), cert: fixture("server-rsa.crt"), ciphers, dhparam: "auto", maxVersion: "TLSv1.2" }, (socket) => {
    socket.once("data", () => socket.end(RESPONSE));
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

function nodeGet(port: number, ciphers: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), ciphers, maxVersion: "TLSv1.2" }, () => socket.write(REQUEST));
    socket.on("data", () => {});
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
}

async function ourGet(ch06: Chapter06, ca: ReturnType<Chapter03["parseCertificates"]>, port: number, suite: number): Promise<void> {
  const connection = await ch06.connectTls12(await ch06.connectTcp("127.0.0.1", port), { servername: "localhost", ca, cipherSuites: [suite] });
  connection.write(new TextEncoder().encode(REQUEST));
  while ((await connection.read()) !== null);
  connection.close();
}

async function median(f: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 5; i++) await f(); // warm-up: JIT, the server's session caches, the DH parameters
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

export async function benchTls12(log: (line: string) => void): Promise<void> {
  const impls: [string, string, string][] = [
    ["reference client (solutions/)", "../solutions/06-tls12-handshake/index.js", "../solutions/03-certificates/index.js"],
    ["your client (chapters/)", "../chapters/06-tls12-handshake/index.js", "../chapters/03-certificates/index.js"],
  ];
  const { CipherSuite } = await import("../lib/constants.js");
  const suites: Record<string, number> = {
    "AES128-GCM-SHA256": CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    "ECDHE-RSA-AES128-GCM-SHA256": CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    "DHE-RSA-AES128-GCM-SHA256": CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
  };
  for (const c of CASES) {
    const server = await startServer(c.openssl);
    try {
      const native = await median(() => nodeGet(server.port, c.openssl));
      log(`TLS 1.2 ${c.kx.padEnd(15)} Node tls.connect + GET              ${native.toFixed(2)} ms   (baseline, median of ${RUNS})`);
      for (const [label, path06, path03] of impls) {
        const ch06 = (await import(path06)) as Chapter06;
        const ch03 = (await import(path03)) as Chapter03;
        try {
          const ca = ch03.parseCertificates(readPemCertificates(fixture("ca.crt")));
          const t = await median(() => ourGet(ch06, ca, server.port, suites[c.openssl]!));
          log(`TLS 1.2 ${c.kx.padEnd(15)} ${label.padEnd(35)} ${t.toFixed(2)} ms   ${(t / native).toFixed(1)}× Node   (goal ${c.goal})`);
        } catch (e) {
          if (!isNotImplemented(e)) throw e;
          log(`TLS 1.2 ${c.kx.padEnd(15)} ${label.padEnd(35)} not measured: exercise ${e.exercise} is not done yet`);
        }
      }
    } finally {
      server.close();
    }
  }
}

if (process.argv[1]?.endsWith("bench-tls12.ts")) await benchTls12(console.log);
