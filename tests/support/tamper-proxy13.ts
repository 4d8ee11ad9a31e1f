// A man in the middle on 127.0.0.1 for the TLS 1.3 tests: it forwards a client's connection to a real server and may
// change what the server sends. It sees the hellos in the clear, so a rule can rewrite a ServerHello or a
// HelloRetryRequest; with the server's key log (which only the server's side of the test can give it) it can also
// decrypt the server's encrypted flight (EncryptedExtensions … Finished), hand the messages to a rule, and encrypt
// the rule's messages again with Node's AEAD, one per record. Or it can change any record's bytes as they pass.
// Framing is done here (RFC 8446 §5.1); what to change is the test's.
import { recordReader, startRelay } from "./relay.js";
import { type OracleDirection, oracleDirection, oracleOpen, oracleSeal, suite13 } from "./tls13-oracle.js";

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const FINISHED = 20;
/** The random of a HelloRetryRequest, SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3), first bytes. */
const HRR_RANDOM_PREFIX = [0xcf, 0x21, 0xad, 0x74];

/** One plaintext record: type, 03 03, length, fragment. */
export function record13(type: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + fragment.length);
  out.set([type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff]);
  out.set(fragment, 5);
  return out;
}

/** True for a ServerHello message that is really a HelloRetryRequest. */
export function isHelloRetry(message: Uint8Array): boolean {
  return HRR_RANDOM_PREFIX.every((b, i) => message[6 + i] === b);
}

/** The cipher suite of a ServerHello message: header(4), version(2), random(32), session id, suite. */
export function serverHelloSuite(message: Uint8Array): number {
  const at = 4 + 2 + 32 + 1 + message[38]!;
  return (message[at]! << 8) | message[at + 1]!;
}

/** What the proxy saw of one connection. */
export interface Seen13 {
  /** The latest ClientHello message (header included); after a HelloRetryRequest, the second one. */
  clientHello?: Uint8Array;
  /** Every ServerHello message the server sent (a HelloRetryRequest first, if there was one), before any change. */
  serverHellos: Uint8Array[];
  /** Every record the client sent, in order (header included). */
  clientRecords: Uint8Array[];
  /** Every record the server sent, in order, before any rule changed it. */
  serverRecords: Uint8Array[];
  /** The client random in hex (from the ClientHello), for key log lookups. */
  clientRandom?: string;
  /** Set if the proxy itself failed (say, no key log line yet); it then drops the connection. */
  error?: string;
}

export interface ProxyRules13 {
  /** Each plaintext handshake message of the server (ServerHello, HelloRetryRequest) → the messages to send instead, one record each. */
  serverHello?: (message: Uint8Array, index: number, seen: Seen13) => Uint8Array[];
  /**
   * The server's messages under its handshake keys, decrypted, once the Finished is among them → the contents of the
   * handshake records to send instead, each encrypted again as one record (return the messages for one message per
   * record, their concatenation for all in one, pieces of it to split them). Needs `serverSecret`.
   */
  serverFlight?: (messages: Uint8Array[], seen: Seen13) => Uint8Array[];
  /** SERVER_HANDSHAKE_TRAFFIC_SECRET for a client random (hex), from the server's key log. */
  serverSecret?: (clientRandom: string) => string | undefined;
  /** Each protected server record (outer type 23) as it passes, numbered from 0, → the bytes to send instead. */
  protectedRecord?: (record: Uint8Array, index: number, seen: Seen13) => Uint8Array;
}

export interface TamperProxy13 {
  port: number;
  /** What the proxy saw of the latest connection. */
  seen(): Seen13;
  close(): Promise<void>;
}

const join = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Splits a run of handshake bytes into whole messages; returns them and the bytes left over. */
function messagesOf(bytes: Uint8Array): { messages: Uint8Array[]; rest: Uint8Array } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (bytes.length - at >= 4) {
    const size = 4 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    if (bytes.length - at < size) break;
    messages.push(bytes.slice(at, at + size));
    at += size;
  }
  return { messages, rest: bytes.slice(at) };
}

/** Starts a proxy on 127.0.0.1 that forwards each connection to 127.0.0.1:targetPort under `rules`. */
export async function startTamperProxy13(targetPort: number, rules: ProxyRules13 = {}): Promise<TamperProxy13> {
  let latest: Seen13 = { serverHellos: [], clientRecords: [], serverRecords: [] };
  const relay = await startRelay(targetPort, (client, upstream) => {
    const seen: Seen13 = { serverHellos: [], clientRecords: [], serverRecords: [] };
    latest = seen;

    // client → server: unchanged; remember the records and the ClientHello (our client sends it in one record).
    const readClient = recordReader();
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      for (const record of readClient(chunk)) {
        seen.clientRecords.push(record);
        if (record[0] === HANDSHAKE && record[5] === CLIENT_HELLO) {
          seen.clientHello = record.slice(5);
          seen.clientRandom = Buffer.from(record.subarray(5 + 6, 5 + 38)).toString("hex");
        }
      }
    });
    client.on("end", () => upstream.end());

    // server → client
    const readServer = recordReader();
    let helloBytes: Uint8Array = new Uint8Array(0);
    let helloIndex = 0;
    let protectedIndex = 0;
    let flight: "collecting" | "done" = rules.serverFlight ? "collecting" : "done";
    let flightBytes: Uint8Array = new Uint8Array(0);
    let reader: OracleDirection | undefined;
    let suite = 0x1301;
    upstream.on("data", (chunk: Buffer) => {
      try {
        handleServerBytes(chunk);
      } catch (e) {
        seen.error = (e as Error).message;
        client.destroy();
        upstream.destroy();
      }
    });
    const handleServerBytes = (chunk: Buffer): void => {
      for (const record of readServer(chunk)) {
        seen.serverRecords.push(record);
        if (record[0] === HANDSHAKE) {
          // The hellos, in the clear.
          const { messages, rest } = messagesOf(join([helloBytes, record.subarray(5)]));
          helloBytes = rest;
          for (const m of messages) {
            if (m[0] === SERVER_HELLO) {
              seen.serverHellos.push(m);
              suite = serverHelloSuite(m);
            }
          }
          if (rules.serverHello === undefined) client.write(record);
          else for (const m of messages) for (const out of rules.serverHello(m, helloIndex++, seen)) client.write(record13(HANDSHAKE, out));
          continue;
        }
        if (record[0] !== APPLICATION_DATA) {
          client.write(record); // ChangeCipherSpec, a plaintext alert
          continue;
        }
        if (flight === "collecting") {
          if (reader === undefined) {
            const secret = seen.clientRandom && rules.serverSecret?.(seen.clientRandom);
            if (!secret) throw new Error("tamper proxy: no server handshake secret for this connection in the key log");
            reader = oracleDirection(suite13(suite), Buffer.from(secret, "hex"));
          }
          const opened = oracleOpen(reader, record);
          flightBytes = join([flightBytes, opened.content]);
          const { messages, rest } = messagesOf(flightBytes);
          if (rest.length === 0 && messages.some((m) => m[0] === FINISHED)) {
            const writer = oracleDirection(suite13(suite), Buffer.from(rules.serverSecret!(seen.clientRandom!)!, "hex"));
            for (const m of rules.serverFlight!(messages, seen)) client.write(oracleSeal(writer, HANDSHAKE, m));
            flight = "done";
          }
          continue;
        }
        const index = protectedIndex++;
        client.write(rules.protectedRecord ? rules.protectedRecord(record, index, seen) : record);
      }
    };
    upstream.on("end", () => client.end());
  });
  return { ...relay, seen: () => latest };
}
