// A man in the middle on 127.0.0.1, for the TLS 1.2 tests: it forwards a client's connection to a real server and
// may re-cut or change what the server sends. Before the server's ChangeCipherSpec it sees the handshake in the
// clear, so it hands the whole first flight (ServerHello … ServerHelloDone) to a rule as a list of messages; after
// it, it hands over each record. Only framing is done here (RFC 5246 §6.2.1, §7.4): what to change is the test's.

import { ContentType, HANDSHAKE_HEADER_LENGTH, RECORD_HEADER_LENGTH } from "./records.js";
import { recordReader, startRelay } from "./relay.js";

const SERVER_HELLO_DONE = 14; // HandshakeType.server_hello_done, RFC 5246 §7.4
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const MAX_FRAGMENT = 2 ** 14;

/** One TLS 1.2 record: type, version 03 03, length, fragment (RFC 5246 §6.2.1). */
export function recordOf(type: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  out.set([type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff]);
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}

const join = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Each handshake message in a record of its own. */
export function onePerRecord(messages: Uint8Array[]): Uint8Array {
  return join(messages.map((m) => recordOf(ContentType.handshake, m)));
}

/** All the messages as one stream, cut into handshake records of `size` bytes: messages split across records. */
export function fragmented(messages: Uint8Array[], size: number): Uint8Array {
  const stream = join(messages);
  const records: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += size) records.push(recordOf(ContentType.handshake, stream.subarray(at, at + size)));
  return join(records);
}

/** Every message in one handshake record (several messages per record), or as few records of 2^14 as needed. */
export function together(messages: Uint8Array[]): Uint8Array {
  return fragmented(messages, MAX_FRAGMENT);
}

/** What the proxy saw of one connection. */
export interface Seen {
  /** The ClientHello message (header included), once it has passed. */
  clientHello?: Uint8Array;
  /** The ServerHello message, once it has arrived. */
  serverHello?: Uint8Array;
  /** Every record the client sent, in order (header included). */
  clientRecords: Uint8Array[];
  /** Every record the server sent, in order, before any rule changed it. */
  serverRecords: Uint8Array[];
}

export interface ProxyRules {
  /**
   * The server's handshake messages before its ChangeCipherSpec (each whole, header included), once ServerHelloDone
   * is among them; returns the bytes to send to the client instead. Without it the original records go through.
   */
  serverFlight?: (messages: Uint8Array[], seen: Seen) => Uint8Array;
  /** Each server record from its ChangeCipherSpec on (index 0 is the ChangeCipherSpec) → the bytes to send instead. */
  serverRecord?: (record: Uint8Array, index: number, seen: Seen) => Uint8Array;
  /** Bytes per write towards the client (e.g. 1: the client's stream reader gets them byte by byte). Default: all. */
  chunkSize?: number;
}

export interface TamperProxy {
  port: number;
  /** What the proxy saw of the latest connection. */
  seen(): Seen;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 that forwards each connection to 127.0.0.1:targetPort under `rules`. */
export async function startTamperProxy(targetPort: number, rules: ProxyRules = {}): Promise<TamperProxy> {
  let latest: Seen = { clientRecords: [], serverRecords: [] };
  const relay = await startRelay(targetPort, (client, upstream) => {
    const seen: Seen = { clientRecords: [], serverRecords: [] };
    latest = seen;

    // client → server: unchanged, but remember the records (and the ClientHello, for its random).
    const readClient = recordReader();
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      for (const record of readClient(chunk)) {
        seen.clientRecords.push(record);
        if (seen.clientHello === undefined && record[0] === ContentType.handshake && record[RECORD_HEADER_LENGTH] === CLIENT_HELLO) {
          seen.clientHello = record.slice(RECORD_HEADER_LENGTH); // our client sends its ClientHello in one record
        }
      }
    });
    client.on("end", () => upstream.end());

    // server → client: the first flight as messages, then record by record.
    const send = (bytes: Uint8Array): void => {
      const size = rules.chunkSize ?? bytes.length;
      for (let at = 0; at < bytes.length; at += Math.max(size, 1)) client.write(bytes.subarray(at, at + Math.max(size, 1)));
    };
    const readServer = recordReader();
    let phase: "flight" | "between" | "protected" = "flight";
    let flightRecords: Uint8Array[] = [];
    let handshakeBytes = Buffer.alloc(0);
    let messages: Uint8Array[] = [];
    let protectedIndex = 0;
    upstream.on("data", (chunk: Buffer) => {
      for (const record of readServer(chunk)) {
        seen.serverRecords.push(record);
        if (phase === "flight" && record[0] === ContentType.handshake) {
          flightRecords.push(record);
          handshakeBytes = Buffer.concat([handshakeBytes, record.subarray(RECORD_HEADER_LENGTH)]);
          while (handshakeBytes.length >= HANDSHAKE_HEADER_LENGTH) {
            const size = HANDSHAKE_HEADER_LENGTH + ((handshakeBytes[1]! << 16) | (handshakeBytes[2]! << 8) | handshakeBytes[3]!);
            if (handshakeBytes.length < size) break;
            const message = new Uint8Array(handshakeBytes.subarray(0, size));
            handshakeBytes = handshakeBytes.subarray(size);
            if (message[0] === SERVER_HELLO && seen.serverHello === undefined) seen.serverHello = message;
            messages.push(message);
          }
          if (messages.some((m) => m[0] === SERVER_HELLO_DONE)) {
            send(rules.serverFlight ? rules.serverFlight(messages, seen) : join(flightRecords));
            phase = "between";
            flightRecords = [];
            messages = [];
          }
          continue;
        }
        if (phase === "flight") {
          // An alert (or anything else) in the middle of the first flight: let what came before go first, unchanged.
          send(join(flightRecords));
          flightRecords = [];
          phase = "between";
        }
        if (record[0] === ContentType.change_cipher_spec) phase = "protected";
        if (phase === "protected") send(rules.serverRecord ? rules.serverRecord(record, protectedIndex++, seen) : record);
        else send(record);
      }
    });
    upstream.on("end", () => client.end());
  });
  return { ...relay, seen: () => latest };
}
