// The plumbing the test proxies share (tamper-proxy.ts for TLS 1.2, tamper-proxy13.ts for TLS 1.3,
// client-tamper-proxy.ts for the client's records): a listener on 127.0.0.1 that pairs each connection with a new
// one to a target port, and a reader that cuts a byte stream into whole records (RFC 5246 §6.2.1, RFC 8446 §5.1).
// What each proxy does with the records is its own.
import * as net from "node:net";
import { completeRecordLength } from "./records.js";

export const HOST = "127.0.0.1";

export interface Relay {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1; each connection gets its own connection to 127.0.0.1:targetPort and `wire(client, upstream)`
 * attaches the handlers. When either side closes, both are destroyed; close() destroys every open socket.
 */
export async function startRelay(targetPort: number, wire: (client: net.Socket, upstream: net.Socket) => void): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: HOST, port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    wire(client, upstream);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
  server.unref();
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}

/** completeRecordLength, but a stream that is not TLS just stops the parsing (a proxy still forwards the bytes). */
export function safeRecordLength(bytes: Uint8Array): number | undefined {
  try {
    return completeRecordLength(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A reader for one direction of a connection: give it each chunk as it arrives, get back the records it completed
 * (header included), in order. `length` says how long the whole record at the start of the bytes is, or undefined
 * while it is incomplete (or, for safeRecordLength, unparseable).
 */
export function recordReader(length: (bytes: Uint8Array) => number | undefined = safeRecordLength): (chunk: Buffer) => Uint8Array[] {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    const records: Uint8Array[] = [];
    for (let n = length(buffer); n !== undefined; n = length(buffer)) {
      records.push(new Uint8Array(buffer.subarray(0, n)));
      buffer = buffer.subarray(n);
    }
    return records;
  };
}
