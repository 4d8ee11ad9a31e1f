// The test harness's side of a TLS 1.2 handshake with a real server, for chapter 05's live tests. It frames records
// and handshake messages (tests/support/records.ts), and it finishes the handshake that the code under test began:
// given OUR master secret it sends ChangeCipherSpec and a client Finished sealed with AES-128-GCM (RFC 5246
// §7.4.9, RFC 5288 §3), all with Node's crypto and the harness's own PRF (RFC 5246 §5, tests/support/tls12-oracle.ts).
//
// Why a Finished? OpenSSL (inside Node too) writes a TLS 1.2 key-log line only when it builds its own Finished, so a
// server logs its master secret only after a valid client Finished has arrived. A server that answers with its
// ChangeCipherSpec has derived the same keys; its key log then shows the master secret we must match.
import crypto from "node:crypto";
import * as net from "node:net";
import { completeRecordLength, ContentType, HANDSHAKE_HEADER_LENGTH, RECORD_HEADER_LENGTH } from "../support/records.js";
import { VERIFY_DATA_LENGTH, referenceGcmKeys, referencePrf, referenceSealedFinished } from "../support/tls12-oracle.js";
import { parseKeyLog } from "../support/tls12-peers.js";
import { cat, hex } from "./vectors.js";

const HOST = "127.0.0.1";
const SERVER_HELLO_DONE = 14;
const ALERTS: Record<number, string> = {
  10: "unexpected_message",
  20: "bad_record_mac",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
};

export const record = (type: number, fragment: Uint8Array): Uint8Array =>
  cat([type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff], fragment);

export const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash("sha256").update(data).digest());

/** "CLIENT_RANDOM <client random> <master secret>" lines (NSS key log format): the master for our client random. */
export function masterFromKeyLog(text: string, clientRandom: Uint8Array): Uint8Array | undefined {
  const master = parseKeyLog(text).get(hex(clientRandom));
  return master === undefined ? undefined : new Uint8Array(Buffer.from(master, "hex"));
}

/** Polls `look` every 20 ms until it gives a value, for at most `ms`. */
export async function waitFor<T>(what: string, look: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const found = look();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One TLS 1.2 connection driven by the test: send our ClientHello record, collect the server's flight up to
 * ServerHelloDone (each handshake message whole, header included), later finish with our master secret.
 */
export class Tls12Probe {
  /** The server's handshake messages so far, in order. */
  readonly messages: Uint8Array[] = [];
  private received = Buffer.alloc(0);
  private handshake = Buffer.alloc(0);
  private otherRecords: { type: number; fragment: Uint8Array }[] = [];
  private closed = false;
  private error: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => (this.error ??= e));
    socket.on("close", () => (this.closed = true));
  }

  static async open(port: number, clientHelloRecord: Uint8Array): Promise<Tls12Probe> {
    const socket = net.connect({ port, host: HOST });
    const probe = new Tls12Probe(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.write(clientHelloRecord);
    await waitFor("the server's flight up to ServerHelloDone", () => {
      probe.check();
      return probe.messages.some((m) => m[0] === SERVER_HELLO_DONE) ? true : undefined;
    });
    return probe;
  }

  /** The first server message of this handshake type (header included). */
  message(type: number): Uint8Array {
    const found = this.messages.find((m) => m[0] === type);
    if (found === undefined) throw new Error(`the server sent no handshake message of type ${type}; got ${this.messages.map((m) => m[0]).join(", ")}`);
    return found;
  }

  /**
   * Sends our ClientKeyExchange, ChangeCipherSpec and a Finished made from `master`, then waits for the server's
   * ChangeCipherSpec: the sign that it derived the same master secret. An alert from the server says it did not.
   * `transcript` is every handshake message so far, ClientHello to ClientKeyExchange (the Finished hash, §7.4.9).
   */
  async finish(clientKeyExchange: Uint8Array, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, transcript: Uint8Array): Promise<void> {
    // AES_128_GCM key block (RFC 5246 §6.3): no MAC keys, two 16-byte keys, two 4-byte implicit IVs (salts).
    const keys = referenceGcmKeys("sha256", master, clientRandom, serverRandom, 16);
    const verifyData = referencePrf("sha256", master, "client finished", sha256(transcript), VERIFY_DATA_LENGTH);
    const sealed = referenceSealedFinished(keys.clientKey, keys.clientSalt, verifyData);
    this.socket.write(cat(record(ContentType.handshake, clientKeyExchange), record(ContentType.change_cipher_spec, Uint8Array.of(1)), sealed));
    await waitFor("the server's ChangeCipherSpec (its acceptance of our Finished)", () => {
      this.check();
      return this.otherRecords.some((r) => r.type === ContentType.change_cipher_spec) ? true : undefined;
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Throws if the server sent an alert, failed or hung up. */
  private check(): void {
    const alert = this.otherRecords.find((r) => r.type === ContentType.alert);
    if (alert !== undefined) {
      const code = alert.fragment[1] ?? -1;
      throw new Error(`the server sent the alert ${ALERTS[code] ?? code} (${hex(alert.fragment)})`);
    }
    if (this.error !== undefined) throw new Error(`connection error: ${this.error.message}`);
    if (this.closed) throw new Error("the server closed the connection");
  }

  private onData(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    try {
      for (let size = completeRecordLength(this.received); size !== undefined; size = completeRecordLength(this.received)) {
        const type = this.received[0]!;
        const fragment = new Uint8Array(this.received.subarray(RECORD_HEADER_LENGTH, size));
        this.received = this.received.subarray(size);
        // Only the plaintext flight is framed into messages; after its ChangeCipherSpec the server's records are
        // encrypted, and the harness only needs to see that they came.
        if (type === ContentType.handshake && !this.otherRecords.some((r) => r.type === ContentType.change_cipher_spec)) {
          this.handshake = Buffer.concat([this.handshake, fragment]);
          while (this.handshake.length >= HANDSHAKE_HEADER_LENGTH) {
            const total = HANDSHAKE_HEADER_LENGTH + this.handshake.readUIntBE(1, 3);
            if (this.handshake.length < total) break;
            this.messages.push(new Uint8Array(this.handshake.subarray(0, total)));
            this.handshake = this.handshake.subarray(total);
          }
        } else {
          this.otherRecords.push({ type, fragment });
        }
      }
    } catch (e) {
      this.error ??= e as Error;
    }
  }
}
