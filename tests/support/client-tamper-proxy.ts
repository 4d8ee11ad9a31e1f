// A plain TCP relay on 127.0.0.1 that can change what the CLIENT sends, record by record, and keeps every record in
// both directions. Chapter 09 uses it to flip a byte of a binder on its way to a real server, and the notebook to
// capture a 0-RTT flight and send it again (a replay). Framing only (RFC 8446 §5.1); what to change is the caller's.
import * as net from "node:net";
import { HOST, recordReader, startRelay } from "./relay.js";

const RECORD_HEADER_LENGTH = 5;

/**
 * The length of the whole record at the start of `bytes`, or undefined while it is incomplete. Unlike
 * completeRecordLength it checks nothing, so this relay passes even malformed records on, one by one.
 */
function recordLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < RECORD_HEADER_LENGTH) return undefined;
  const n = RECORD_HEADER_LENGTH + ((bytes[3]! << 8) | bytes[4]!);
  return bytes.length >= n ? n : undefined;
}

export interface RelaySeen {
  /** Every record the client sent, as it sent it (before any change), header included. */
  clientRecords: Uint8Array[];
  /** Every record the server sent, header included. */
  serverRecords: Uint8Array[];
}

export interface ClientTamperProxy {
  port: number;
  /** The records of the latest connection. */
  seen(): RelaySeen;
  close(): Promise<void>;
}

/**
 * Forwards each connection to 127.0.0.1:targetPort. `clientRecord(record, index)` may return other bytes to send in
 * place of the client's record number `index` (0 is the ClientHello); the server's records pass unchanged.
 */
export async function startClientTamperProxy(
  targetPort: number,
  clientRecord?: (record: Uint8Array, index: number) => Uint8Array,
): Promise<ClientTamperProxy> {
  let latest: RelaySeen = { clientRecords: [], serverRecords: [] };
  const relay = await startRelay(targetPort, (client, upstream) => {
    const seen: RelaySeen = { clientRecords: [], serverRecords: [] };
    latest = seen;
    const forward = (from: net.Socket, to: net.Socket, kept: Uint8Array[], change?: (r: Uint8Array, i: number) => Uint8Array) => {
      const read = recordReader(recordLength);
      from.on("data", (chunk: Buffer) => {
        for (const record of read(chunk)) {
          const index = kept.length;
          kept.push(record);
          to.write(change ? change(record.slice(), index) : record);
        }
      });
      from.on("end", () => to.end());
    };
    forward(client, upstream, seen.clientRecords, clientRecord);
    forward(upstream, client, seen.serverRecords);
  });
  return { ...relay, seen: () => latest };
}

/** Sends `records` (whole records, as captured) to 127.0.0.1:port as one burst; resolves with what came back before `ms`. */
export async function replayRecords(port: number, records: readonly Uint8Array[], ms = 1000): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: net.Socket = net.connect({ host: HOST, port }, () => socket.write(Buffer.concat(records.map((r) => Buffer.from(r)))));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    const done = () => {
      socket.destroy();
      resolve(new Uint8Array(Buffer.concat(chunks)));
    };
    socket.on("close", done);
    setTimeout(done, ms).unref();
  });
}
