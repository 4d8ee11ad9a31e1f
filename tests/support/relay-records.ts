// For peers that write no key log (nginx): a relay keeps the records the server sent, and Node's crypto opens them
// with the secrets from OUR key log, so what they decrypt to (the server's own HTTP answer) is the outside proof that
// our secrets are the server's. TLS 1.2: the key block cut from the master secret (RFC 5246 §6.3) with the reference
// PRF; TLS 1.3: tests/08-tls13-handshake/helpers.ts's decryptServerRecords. Shares nothing with the chapters.
import { fromHex } from "../../lib/hex.js";
import { cipherSuites } from "../../lib/constants.js";
import { startClientTamperProxy } from "./client-tamper-proxy.js";
import { referenceOpen, referenceOpenChaCha20, referencePrf } from "./tls12-oracle.js";

/** Runs `work` against a relay in front of 127.0.0.1:port; returns its result and the records the server sent. */
export async function throughRelay<T>(port: number, work: (relayPort: number) => Promise<T>): Promise<T & { serverRecords: Uint8Array[] }> {
  const proxy = await startClientTamperProxy(port);
  try {
    const result = await work(proxy.port);
    return { ...result, serverRecords: proxy.seen().serverRecords };
  } finally {
    await proxy.close();
  }
}

/** Our key log lines of one connection: label → secret (hex). */
export function secretsOf(keyLog: string[]): Map<string, string> {
  return new Map(keyLog.map((l) => l.split(" ")).map(([label, , secret]) => [label!, secret!]));
}

/**
 * TLS 1.2: the application data the server sent (every record after its Finished, as text), opened with keys Node's
 * crypto cut from the master secret of our key log line ("CLIENT_RANDOM random master"). The server random is read
 * from the ServerHello record itself; after the server's ChangeCipherSpec its sequence numbers count from 0.
 */
export function openServerData12(serverRecords: Uint8Array[], keyLogLine: string, suite: number): string {
  const [label, random, master] = keyLogLine.split(" ");
  if (label !== "CLIENT_RANDOM" || random === undefined || master === undefined) throw new Error(`not a TLS 1.2 key log line: ${keyLogLine}`);
  const info = cipherSuites.get(suite)!;
  const hash = info.hash === "SHA384" ? "sha384" : "sha256";
  const serverHello = serverRecords[0]!; // record header (5), handshake header (4), version (2), then the random
  const serverRandom = serverHello.subarray(5 + 4 + 2, 5 + 4 + 2 + 32);
  const chacha = info.aead === "CHACHA20_POLY1305";
  const keyLength = chacha || info.name.includes("AES_256") ? 32 : 16;
  const ivLength = chacha ? 12 : 4;
  const block = referencePrf(hash, fromHex(master), "key expansion", Buffer.concat([serverRandom, fromHex(random)]), 2 * keyLength + 2 * ivLength);
  const key = block.slice(keyLength, 2 * keyLength);
  const iv = block.slice(2 * keyLength + ivLength, 2 * keyLength + 2 * ivLength);
  const afterCcs = serverRecords.slice(serverRecords.findIndex((r) => r[0] === 20) + 1);
  let text = "";
  afterCcs.forEach((record, seq) => {
    if (record[0] !== 23) return;
    const plaintext = chacha ? referenceOpenChaCha20(key, iv, BigInt(seq), record) : referenceOpen(key, iv, BigInt(seq), record);
    text += new TextDecoder().decode(plaintext);
  });
  return text;
}
