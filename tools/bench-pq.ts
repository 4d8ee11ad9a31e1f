// The post-quantum handshake's cost (chapter 12): our TLS 1.3 client against our TLS 1.3 server, both in this
// process, one full handshake + GET at a time, with X25519 alone (chapters 08 and 10 as they are) and with
// X25519MLKEM768 (chapter 12's offer and key share), in the same run. Reports the median time of each, the ratio, what
// the key exchange itself costs on each side (measured alone), and the bytes each side sends during the handshake
// (records as they cross the wire, headers included). Runs on its own: node --import tsx tools/bench-pq.ts
import { readPemCertificates } from "../lib/pem.js";
import * as ch01 from "../solutions/01-client-hello/index.js";
import * as ch03 from "../solutions/03-certificates/index.js";
import * as ch05 from "../solutions/05-dhe-key-exchange/index.js";
import * as ch06 from "../solutions/06-tls12-handshake/index.js";
import * as ch08 from "../solutions/08-tls13-handshake/index.js";
import * as ch10 from "../solutions/10-tls13-server/index.js";
import * as ch12 from "../solutions/12-post-quantum/index.js";
import { median } from "./bench-server.js";
import { fixture } from "./bench-common.js";

const RUNS = 40;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** The post-quantum benchmark, on the reference code. */
export async function benchPq(log: (line: string) => void): Promise<void> {
  const ca = ch03.parseCertificates(readPemCertificates(fixture("ca.crt"), "ca.crt"));
  const credentials = [ch10.readServerCredential(fixture("server-ecdsa.crt"), fixture("server-ecdsa.key"), "server-ecdsa.crt")];
  const config = { credentials, cookieKey: ch10.newSecretKey() };
  const classical = await ch10.startTlsServer({ tls13: { ...config, groups: [0x001d] } });
  const pq = await ch10.startTlsServer({ tls13: ch12.pqServerConfig(config) });
  const request = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

  /** One handshake + GET; returns the bytes each side sent before the first application data. */
  async function once(port: number, hybrid: boolean): Promise<{ client: number; server: number; group: number }> {
    const tcp = await ch06.connectTcp("127.0.0.1", port);
    const sent = { client: 0, server: 0, done: false };
    const transport = {
      write: (bytes: Uint8Array) => {
        if (!sent.done) sent.client += bytes.length;
        tcp.write(bytes);
      },
      readRecord: async () => {
        const record = await tcp.readRecord();
        if (record !== null && !sent.done) sent.server += 5 + record.fragment.length;
        return record;
      },
      close: () => tcp.close(),
    };
    const options = { servername: "localhost", ca, groups: hybrid ? undefined : [0x001d] };
    const c = hybrid ? await ch12.connectPq(transport, options) : await ch08.connectTls13(transport, options);
    sent.done = true;
    c.write(request);
    while ((await c.read()) !== null);
    return { client: sent.client, server: sent.server, group: c.group };
  }

  try {
    const sizes = { x25519: await once(classical.port, false), hybrid: await once(pq.port, true) };
    // Interleaved, one of each in turn, so that a machine whose load changes during the run weighs on both alike.
    const times = { x: [] as number[], h: [] as number[] };
    for (let i = 0; i < RUNS + 5; i++) {
      for (const [list, port, hybrid] of [[times.x, classical.port, false], [times.h, pq.port, true]] as const) {
        const start = process.hrtime.bigint();
        await once(port, hybrid);
        if (i >= 5) list.push(Number(process.hrtime.bigint() - start) / 1e6); // the first five warm up
      }
    }
    const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const tX = mid(times.x);
    const tH = mid(times.h);
    log(`${"TLS 1.3, our client ↔ our server, X25519".padEnd(52)} ${ms(tX)} per handshake + GET   (baseline, median of ${RUNS}, interleaved)`);
    log(`${"TLS 1.3, our client ↔ our server, X25519MLKEM768".padEnd(52)} ${ms(tH)} per handshake + GET   ${(tH / tX).toFixed(2)}× the X25519 one`);
    for (const [name, s] of [["X25519", sizes.x25519], ["X25519MLKEM768", sizes.hybrid]] as const) {
      log(`  bytes sent in the handshake, ${name.padEnd(15)} client ${String(s.client).padStart(5)} B, server ${String(s.server).padStart(5)} B`);
    }
    // The key exchange alone, on each side: what the hybrid adds.
    const { x25519 } = await import("@noble/curves/ed25519.js");
    const peer = x25519.getPublicKey(x25519.utils.randomSecretKey());
    const pair = ch12.makeHybridKeyPair(0x11ec);
    const choiceX = { version: 0x0304, cipherSuite: 0x1301, group: 0x001d, keyShare: { group: 0x001d, keyExchange: peer }, helloRetry: false };
    const choiceH = { ...choiceX, group: 0x11ec, keyShare: { group: 0x11ec, keyExchange: pair.publicKey } };
    const answer = ch12.hybridServerKeyShare(choiceH).keyPair.publicKey;
    const keygenX = await median(() => ch01.makeKeyPair(0x001d), 200);
    const own = ch01.makeKeyPair(0x001d);
    const finishX = await median(() => ch05.ecdhePremaster(0x001d, own.privateKey, peer), 200);
    const keygenH = await median(() => ch12.makeHybridKeyPair(0x11ec), 200);
    const finishH = await median(() => ch12.hybridClientSecret(0x11ec, pair.privateKey, answer), 200);
    const serverX = await median(() => ch10.serverKeyShare(choiceX), 200);
    const serverH = await median(() => ch12.hybridServerKeyShare(choiceH), 200);
    log(`  key exchange alone, client: X25519 key pair ${ms(keygenX)} + shared secret ${ms(finishX)}; hybrid key pair ${ms(keygenH)} + decapsulation and X25519 ${ms(finishH)}`);
    log(`  key exchange alone, server: X25519 key pair + shared secret ${ms(serverX)}; hybrid (encapsulation, X25519 key pair and shared secret) ${ms(serverH)}`);
  } finally {
    await classical.close();
    await pq.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPq(console.log);
