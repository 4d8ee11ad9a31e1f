// TLS 1.3 handshake speed: a full handshake plus one GET against a local Node `tls` server, our client (chapter
// 08 on chapters 00–07) against Node's own tls.connect to the same server, in this process, per combination of
// key share group, suite and certificate. Figures are medians of RUNS sequential connections.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import { CipherSuite, NamedGroup } from "../lib/constants.js";
import { isNotImplemented } from "../lib/errors.js";
import { readPemCertificates } from "../lib/pem.js";
import { ROOT } from "./exercises.js";

type Chapter03 = typeof import("../solutions/03-certificates/index.js");
type Chapter06 = typeof import("../solutions/06-tls12-handshake/index.js");
type Chapter08 = typeof import("../solutions/08-tls13-handshake/index.js");

const RUNS = 50;
const fixture = (f: string) => readFileSync(join(ROOT, "tests/fixtures", f), "utf8");
const RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
const REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

const CASES = [
  { label: "X25519, AES-128-GCM, ECDSA", cert: "server-ecdsa", group: NamedGroup.x25519, curve: "X25519", suite: CipherSuite.TLS_AES_128_GCM_SHA256, name: "TLS_AES_128_GCM_SHA256", goal: "≤ 3×" },
  { label: "X25519, AES-128-GCM, RSA", cert: "server-rsa", group: NamedGroup.x25519, curve: "X25519", suite: CipherSuite.TLS_AES_128_GCM_SHA256, name: "TLS_AES_128_GCM_SHA256", goal: "reported" },
  { label: "P-256, AES-256-GCM, ECDSA", cert: "server-ecdsa", group: NamedGroup.secp256r1, curve: "P-256", suite: CipherSuite.TLS_AES_256_GCM_SHA384, name: "TLS_AES_256_GCM_SHA384", goal: "reported" },
  { label: "X25519, ChaCha20, ECDSA", cert: "server-ecdsa", group: NamedGroup.x25519, curve: "X25519", suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, name: "TLS_CHACHA20_POLY1305_SHA256", goal: "reported" },
];

function startServer(cert: string): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer({ key: fixture(`${cert}.key`), cert: fixture(`${cert}.crt`), minVersion: "TLSv1.3", ecdhCurve: "X25519:P-256" }, (socket) => {
    socket.once("data", () => socket.end(RESPONSE));
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

function nodeGet(port: number, suiteName: string, curve: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), ciphers: suiteName, ecdhCurve: curve, minVersion: "TLSv1.3" },
      () => socket.write(REQUEST),
    );
    socket.on("data", () => {});
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
}

async function median(f: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 5; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

export async function benchTls13(log: (line: string) => void): Promise<void> {
  const impls: [string, string][] = [
    ["reference client (solutions/)", "../solutions"],
    ["your client (chapters/)", "../chapters"],
  ];
  for (const c of CASES) {
    const server = await startServer(c.cert);
    try {
      const native = await median(() => nodeGet(server.port, c.name, c.curve));
      log(`TLS 1.3 ${c.label.padEnd(27)} Node tls.connect + GET          ${native.toFixed(2)} ms   (baseline, median of ${RUNS})`);
      for (const [label, base] of impls) {
        const ch03 = (await import(`${base}/03-certificates/index.js`)) as Chapter03;
        const ch06 = (await import(`${base}/06-tls12-handshake/index.js`)) as Chapter06;
        const ch08 = (await import(`${base}/08-tls13-handshake/index.js`)) as Chapter08;
        try {
          const ca = ch03.parseCertificates(readPemCertificates(fixture("ca.crt")));
          const t = await median(async () => {
            const connection = await ch08.connectTls13(await ch06.connectTcp("127.0.0.1", server.port), { servername: "localhost", ca, cipherSuites: [c.suite], groups: [c.group] });
            connection.write(new TextEncoder().encode(REQUEST));
            while ((await connection.read()) !== null);
            connection.close();
          });
          log(`TLS 1.3 ${c.label.padEnd(27)} ${label.padEnd(31)} ${t.toFixed(2)} ms   ${(t / native).toFixed(1)}× Node   (goal ${c.goal})`);
        } catch (e) {
          if (!isNotImplemented(e)) throw e;
          log(`TLS 1.3 ${c.label.padEnd(27)} ${label.padEnd(31)} not measured: exercise ${e.exercise} is not done yet`);
        }
      }
    } finally {
      server.close();
    }
  }
}

if (process.argv[1]?.endsWith("bench-tls13.ts")) await benchTls13(console.log);
