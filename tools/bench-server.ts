// The server's speed (chapter 10): full TLS 1.3 handshakes per second with Node's tls.connect as the client, against
// Node's own tls.createServer with the same certificate, in the same run and the same process. Per certificate: the
// median time of one handshake + GET, the ratio to Node's, and what dominates it (the signature, the (EC)DHE, the key
// schedule, measured on their own). Then 200 connections held open at once: errors and the memory they take.
import * as tls from "node:tls";
import { x25519 } from "@noble/curves/ed25519.js";
import { isNotImplemented } from "../lib/errors.js";
import { REQUEST, RESPONSE, fixture, medianMs } from "./bench-common.js";

type Chapter10 = typeof import("../solutions/10-tls13-server/index.js");
type Chapter07 = typeof import("../solutions/07-tls13-key-schedule/index.js");

const RUNS = 40;
const CONCURRENT = 200;

interface Case {
  label: string;
  cert: "server-ecdsa" | "server-rsa";
  goal: string;
}

export const SERVER_CASES: Case[] = [
  { label: "TLS 1.3 server, X25519 + ECDSA P-256", cert: "server-ecdsa", goal: "≤ 5×" },
  { label: "TLS 1.3 server, X25519 + RSA-2048 (PSS in BigInt)", cert: "server-rsa", goal: "reported" },
];

/** Node's own server, the baseline: answers one request and closes. */
function nodeServer(cert: Case["cert"]): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer({ key: fixture(`${cert}.key`), cert: fixture(`${cert}.crt`), minVersion: "TLSv1.3", ecdhCurve: "X25519:P-256" }, (socket) => {
    socket.once("data", () => socket.end(RESPONSE));
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

/** A full handshake (no session reuse) and one GET, with Node's client. */
function nodeGet(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: tls.TLSSocket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), minVersion: "TLSv1.3", ecdhCurve: "X25519" }, () =>
      socket.write(REQUEST),
    );
    socket.on("data", () => {});
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
}

/** The median time of `runs` calls of `f`, in ms, after five to warm up. */
export const median = (f: () => Promise<unknown> | unknown, runs = RUNS): Promise<number> => medianMs(f, runs);

const ms = (x: number) => `${x.toFixed(2)} ms`;
const perSecond = (x: number) => `${Math.round(1000 / x)}/s`;

/**
 * What one handshake's server side costs, part by part, measured alone with the implementation's own functions; the
 * rest of `total` is everything else (messages, transcript, records, the socket, and Node's client in this process).
 */
async function parts(ch10: Chapter10, ch07: Chapter07, cert: Case["cert"], total: number): Promise<string> {
  const credential = ch10.readServerCredential(fixture(`${cert}.crt`), fixture(`${cert}.key`));
  const scheme = credential.privateKey.kind === "rsa" ? 0x0804 : 0x0403;
  const transcript = new Uint8Array(32).fill(7);
  const sign = await median(() => void ch10.signCertificateVerify({ credential, scheme }, transcript), 20);
  const peer = x25519.getPublicKey(x25519.utils.randomSecretKey());
  const choice = { version: 0x0304, cipherSuite: 0x1301, group: 0x001d, keyShare: { group: 0x001d, keyExchange: peer }, helloRetry: false };
  const kx = await median(() => void ch10.serverKeyShare(choice), 20);
  const schedule = await median(() => {
    const hs = ch07.handshakeSecrets(ch07.earlySecrets("SHA-256"), new Uint8Array(32).fill(1), transcript);
    const app = ch07.applicationSecrets(hs, transcript);
    ch07.trafficKeys("SHA-256", "AES_128_GCM", hs.serverHandshakeTrafficSecret);
    ch07.trafficKeys("SHA-256", "AES_128_GCM", app.serverApplicationTrafficSecret);
    ch07.finishedVerifyData("SHA-256", hs.serverHandshakeTrafficSecret, transcript);
  }, 20);
  const rest = Math.max(0, total - sign - kx - schedule);
  return `CertificateVerify signature ${ms(sign)}, X25519 key share + shared secret ${ms(kx)}, key schedule ${ms(schedule)}, the rest ${ms(rest)}`;
}

/** Opens `count` connections to `port` at once, each completing its handshake and staying open; then closes them. */
async function holdOpen(port: number, count: number): Promise<{ errors: number; heapMiB: number; rssMiB: number; seconds: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const start = process.hrtime.bigint();
  const sockets: tls.TLSSocket[] = [];
  const results = await Promise.allSettled(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), minVersion: "TLSv1.3" }, () => resolve());
          sockets.push(s);
          s.on("error", reject);
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await new Promise((r) => setTimeout(r, 200));
  const after = process.memoryUsage();
  for (const s of sockets) s.destroy();
  const mib = (n: number) => n / 2 ** 20;
  return { errors: results.filter((r) => r.status === "rejected").length, heapMiB: mib(after.heapUsed - before.heapUsed), rssMiB: mib(after.rss - before.rss), seconds };
}

/** The server benchmark: Node's server as the baseline, then the reference server and the learner's. */
export async function benchServer(log: (line: string) => void): Promise<void> {
  const impls: [string, string][] = [
    ["reference server (solutions/)", "../solutions"],
    ["your server (chapters/)", "../chapters"],
  ];
  for (const c of SERVER_CASES) {
    const node = await nodeServer(c.cert);
    let native: number;
    try {
      native = await median(() => nodeGet(node.port));
    } finally {
      node.close();
    }
    log(`${c.label.padEnd(52)} Node tls.createServer           ${ms(native)}  ${perSecond(native)}   (baseline, median of ${RUNS})`);
    for (const [label, base] of impls) {
      const ch10 = (await import(`${base}/10-tls13-server/index.js`)) as Chapter10;
      const ch07 = (await import(`${base}/07-tls13-key-schedule/index.js`)) as Chapter07;
      try {
        const credential = ch10.readServerCredential(fixture(`${c.cert}.crt`), fixture(`${c.cert}.key`));
        const server = await ch10.startTlsServer({ tls13: { credentials: [credential], cookieKey: ch10.newSecretKey() } });
        try {
          const t = await median(() => nodeGet(server.port));
          log(`${c.label.padEnd(52)} ${label.padEnd(31)} ${ms(t)}  ${perSecond(t)}   ${(t / native).toFixed(1)}× Node   (goal ${c.goal})`);
          log(`${"".padEnd(52)}   of which, measured alone: ${await parts(ch10, ch07, c.cert, t)}`);
        } finally {
          await server.close();
        }
      } catch (e) {
        if (!isNotImplemented(e)) throw e;
        log(`${c.label.padEnd(52)} ${label.padEnd(31)} not measured: exercise ${e.exercise} is not done yet`);
      }
    }
  }
  // Many connections at once, held open: the reference server, then Node's, with the ECDSA certificate.
  const ch10 = (await import("../solutions/10-tls13-server/index.js")) as Chapter10;
  const ours = await ch10.startTlsServer({ tls13: { credentials: [ch10.readServerCredential(fixture("server-ecdsa.crt"), fixture("server-ecdsa.key"))], cookieKey: ch10.newSecretKey() } });
  const a = await holdOpen(ours.port, CONCURRENT);
  const openOnServer = ours.open;
  await ours.close();
  log(`${`${CONCURRENT} connections held open`.padEnd(52)} reference server                ${a.errors} errors, ${openOnServer} open on the server, +${a.heapMiB.toFixed(1)} MiB heap, +${a.rssMiB.toFixed(1)} MiB RSS (both ends, this process), ${a.seconds.toFixed(2)} s to open`);
  const node = await nodeServer("server-ecdsa");
  const b = await holdOpen(node.port, CONCURRENT);
  node.close();
  log(`${`${CONCURRENT} connections held open`.padEnd(52)} Node tls.createServer           ${b.errors} errors, +${b.heapMiB.toFixed(1)} MiB heap, +${b.rssMiB.toFixed(1)} MiB RSS (both ends), ${b.seconds.toFixed(2)} s to open`);
}

if (process.argv[1]?.endsWith("bench-server.ts")) await benchServer(console.log);
