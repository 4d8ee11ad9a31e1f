// Shared by chapter 08's test files: connect our TLS 1.3 client to a server on 127.0.0.1, fetch a page, expect a
// refusal, compare key logs.
import { expect } from "chai";
import { toHex } from "../../lib/hex.js";
import { type Tls13Options, type TlsOptions, connectTls, connectTls13 } from "../../chapters/08-tls13-handshake/index.js";
import { GET, expectRejection, fetchWith, readAll, roots, waitFor } from "../support/client-helpers.js";
import { keyLogLinesFor, oracleDirection, oracleOpen, suite13 } from "../support/tls13-oracle.js";


export { GET, expectRejection, readAll, roots, waitFor };
/** Connects to 127.0.0.1:port with our TLS 1.3 client, sends GET /, reads the whole answer; collects the key log. */
export const fetchPage13 = (port: number, options: Partial<Tls13Options> = {}) => fetchWith(connectTls13, port, options);

/**
 * The same with the client that offers TLS 1.3 and 1.2 in one hello (08.19) (its key log: one CLIENT_RANDOM line for
 * TLS 1.2, five lines for TLS 1.3).
 */
export const fetchPageAny = (port: number, options: Partial<TlsOptions> = {}) => fetchWith(connectTls, port, options);

/** Our key log must equal the server's lines for our client random, line for line (order aside), all five of them. */
export async function expectSameKeyLog(ours: string[], clientRandom: Uint8Array, server: () => Map<string, Map<string, string>>): Promise<void> {
  const random = toHex(clientRandom);
  await waitFor(() => keyLogLinesFor(server(), random).length >= 5, () => `${keyLogLinesFor(server(), random).length} server lines`);
  expect([...ours].sort(), "our key log, line for line, against the server's").to.deep.equal(keyLogLinesFor(server(), random));
}

/**
 * Decrypts every protected record a server sent (as a proxy saw them, headers included) with the secrets from the
 * server's own key log: the handshake secret until its Finished has passed, then application secret 0 (so not past a
 * KeyUpdate). Each record's true type and content, and under which keys it came.
 */
export function decryptServerRecords(records: Uint8Array[], secrets: Map<string, string>, suite: number) {
  const s = suite13(suite);
  const handshake = oracleDirection(s, Buffer.from(secrets.get("SERVER_HANDSHAKE_TRAFFIC_SECRET")!, "hex"));
  const application = oracleDirection(s, Buffer.from(secrets.get("SERVER_TRAFFIC_SECRET_0")!, "hex"));
  const out: { stage: "handshake" | "application"; type: number; content: Uint8Array }[] = [];
  let stage: "handshake" | "application" = "handshake";
  let pending: Uint8Array = new Uint8Array(0);
  for (const record of records.filter((r) => r[0] === 23)) {
    const opened = oracleOpen(stage === "handshake" ? handshake : application, record);
    out.push({ stage, type: opened.type, content: opened.content });
    if (stage === "handshake") {
      pending = Uint8Array.from([...pending, ...opened.content]);
      // Walk the whole messages so far; once the Finished (type 20) is among them, the server's keys change.
      for (let at = 0; pending.length - at >= 4; ) {
        const size = 4 + ((pending[at + 1]! << 16) | (pending[at + 2]! << 8) | pending[at + 3]!);
        if (pending.length - at < size) break;
        if (pending[at] === 20) stage = "application";
        at += size;
      }
    }
  }
  return out;
}
