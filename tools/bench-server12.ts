// The TLS 1.2 server's speed (chapter 11): full handshakes per second with Node's tls.connect as the client, against
// Node's own tls.createServer with the same certificate and suite, in the same run and the same process. RSA key
// exchange first (the case), then ECDHE and DHE for comparison. Per case: the median time of one handshake +
// GET, the ratio to Node's, and what dominates it, each part measured alone with the implementation's own functions:
// the RSA decryption (BigInt, CRT), the signature, the (EC)DHE arithmetic, the PRF (master secret, key block, both
// Finished). Runs on its own too: `node --import tsx tools/bench-server12.ts`.
import * as tls from "node:tls";
import { isNotImplemented } from "../lib/errors.js";
import { REQUEST, RESPONSE, fixture, medianMs } from "./bench-common.js";

type Chapter10 = typeof import("../solutions/10-tls13-server/index.js");
type Chapter11 = typeof import("../solutions/11-tls12-server/index.js");
type Chapter01 = typeof import("../solutions/01-client-hello/index.js");
type Chapter04 = typeof import("../solutions/04-rsa-key-exchange/index.js");
type Chapter05 = typeof import("../solutions/05-dhe-key-exchange/index.js");

const RUNS = 30;

interface Case12 {
  label: string;
  /** OpenSSL's name of the suite, for both servers and the client. */
  openssl: string;
  suite: number;
  kx: "RSA" | "ECDHE" | "DHE";
  goal: string;
}

export const SERVER12_CASES: Case12[] = [
  { label: "TLS 1.2 server, RSA key exchange (RSA-2048)", openssl: "AES128-GCM-SHA256", suite: 0x009c, kx: "RSA", goal: "reported" },
  { label: "TLS 1.2 server, ECDHE X25519 + RSA-PSS signature", openssl: "ECDHE-RSA-AES128-GCM-SHA256", suite: 0xc02f, kx: "ECDHE", goal: "reported" },
  { label: "TLS 1.2 server, DHE ffdhe2048 + RSA-PSS signature", openssl: "DHE-RSA-AES128-GCM-SHA256", suite: 0x009e, kx: "DHE", goal: "reported" },
];

/** Node's own TLS 1.2 server, the baseline: the RSA fixture, one suite; answers one request and closes. */
function nodeServer(c: Case12): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer(
    { key: fixture("server-rsa.key"), cert: fixture("server-rsa.crt"), minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: c.openssl, ecdhCurve: "X25519", dhparam: "auto" },
    (socket) => {
      socket.once("data", () => socket.end(RESPONSE));
      socket.on("error", () => {});
    },
  );
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

/** A full handshake (no session reuse) and one GET, with Node's client. */
function nodeGet(port: number, c: Case12): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: tls.TLSSocket = tls.connect(
      { host: "127.0.0.1", port, servername: "localhost", ca: fixture("ca.crt"), maxVersion: "TLSv1.2", ciphers: c.openssl, ecdhCurve: "X25519" },
      () => socket.write(REQUEST),
    );
    socket.on("data", () => {});
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
}

const median = (f: () => Promise<void> | void, runs = RUNS): Promise<number> => medianMs(f, runs, 3);

const ms = (x: number) => `${x.toFixed(2)} ms`;
const perSecond = (x: number) => `${Math.round(1000 / x)} handshakes/s`;

/** What one handshake's server side costs, part by part, measured alone; the rest of `total` is everything else. */
async function parts(base: string, c: Case12, total: number): Promise<string> {
  const ch04 = (await import(`${base}/04-rsa-key-exchange/index.js`)) as Chapter04;
  const ch05 = (await import(`${base}/05-dhe-key-exchange/index.js`)) as Chapter05;
  const ch10 = (await import(`${base}/10-tls13-server/index.js`)) as Chapter10;
  const ch11 = (await import(`${base}/11-tls12-server/index.js`)) as Chapter11;
  const credential = ch10.readServerCredential(fixture("server-rsa.crt"), fixture("server-rsa.key"));
  if (credential.privateKey.kind !== "rsa") throw new Error("the RSA fixture");
  const key = credential.privateKey.key;
  const out: string[] = [];
  let spent = 0;
  const measure = async (label: string, f: () => void) => {
    const t = await median(f, 15);
    spent += t;
    out.push(`${label} ${ms(t)}`);
  };
  if (c.kx === "RSA") {
    const ciphertext = ch04.rsaEncryptPkcs1v15(key, new Uint8Array(48).fill(3));
    await measure("RSA premaster decryption (CRT, implicit rejection)", () => void ch04.decryptPremaster(key, ciphertext, 0x0303));
  } else {
    await measure("the ServerKeyExchange signature (RSA-PSS, CRT + check)", () => void ch11.signWithScheme(credential, 0x0804, new Uint8Array(300)));
    if (c.kx === "ECDHE") {
      const ch01 = (await import(`${base}/01-client-hello/index.js`)) as Chapter01;
      const peer = ch01.makeKeyPair(0x001d).publicKey; // the client's share
      await measure("X25519 key pair + shared secret", () => void ch05.ecdhePremaster(0x001d, ch01.makeKeyPair(0x001d).privateKey, peer));
    } else {
      const p = ch05.FFDHE2048_P;
      await measure("ffdhe2048 key pair + shared secret (BigInt)", () => {
        const pair = ch05.dhKeyPair(p, ch05.FFDHE_GENERATOR);
        void ch05.dhPremaster(pair.privateKey, ch05.FFDHE_GENERATOR + 5n, p);
      });
    }
  }
  const random = new Uint8Array(32).fill(1);
  await measure("PRF: master secret, key block, both Finished", () => {
    const master = ch04.masterSecret("SHA-256", new Uint8Array(48), random, random);
    ch04.keyBlock("SHA-256", master, random, random, ch04.keyBlockParams(c.suite));
    ch04.prf("SHA-256", master, "client finished", new Uint8Array(32), 12);
    ch04.prf("SHA-256", master, "server finished", new Uint8Array(32), 12);
  });
  out.push(`the rest ${ms(Math.max(0, total - spent))} (messages, records, sockets, and Node's client in this process)`);
  return out.join(", ");
}

/** The TLS 1.2 server benchmark: Node's server as the baseline, then the reference server and the learner's. */
export async function benchServer12(log: (line: string) => void, cases: Case12[] = SERVER12_CASES): Promise<void> {
  const impls: [string, string][] = [
    ["reference server (solutions/)", "../solutions"],
    ["your server (chapters/)", "../chapters"],
  ];
  for (const c of cases) {
    const node = await nodeServer(c);
    let native: number;
    try {
      native = await median(() => nodeGet(node.port, c));
    } finally {
      node.close();
    }
    log(`${c.label.padEnd(52)} Node tls.createServer           ${ms(native)}  ${perSecond(native)}   (baseline, median of ${RUNS})`);
    for (const [label, base] of impls) {
      const ch10 = (await import(`${base}/10-tls13-server/index.js`)) as Chapter10;
      const ch11 = (await import(`${base}/11-tls12-server/index.js`)) as Chapter11;
      try {
        const credentials = [ch10.readServerCredential(fixture("server-rsa.crt"), fixture("server-rsa.key"))];
        const config = { credentials, cipherSuites: [c.suite] };
        const server = await ch10.startTlsServer({ tls13: { credentials, cookieKey: ch10.newSecretKey() }, accept: (t, o) => ch11.acceptTls12(t, config, o) });
        try {
          const t = await median(() => nodeGet(server.port, c));
          log(`${c.label.padEnd(52)} ${label.padEnd(31)} ${ms(t)}  ${perSecond(t)}   ${(t / native).toFixed(1)}× Node   (goal ${c.goal})`);
          log(`${"".padEnd(52)}   of which, measured alone: ${await parts(base, c, t)}`);
        } finally {
          await server.close();
        }
      } catch (e) {
        if (!isNotImplemented(e)) throw e;
        log(`${c.label.padEnd(52)} ${label.padEnd(31)} not measured: exercise ${e.exercise} is not done yet`);
      }
    }
  }
}

if (process.argv[1]?.endsWith("bench-server12.ts")) await benchServer12(console.log);
