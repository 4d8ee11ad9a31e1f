// The TLS 1.2 record layer: what sits between the handshake and the TCP stream. It cuts what we send into records
// (encrypted once our ChangeCipherSpec has gone out), and turns the records that arrive back into handshake
// messages, a ChangeCipherSpec, alerts or application data. Written for the client (this chapter); chapter 11's
// server uses the very same class with `side: "server"`, which only swaps who is who in the trace and the messages.
// Read RFC 5246 §6.2 (records), §7.1 (ChangeCipherSpec), §7.2 (alerts) and §7.4 (handshake messages may be split
// over records or share one).
import { ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  MAX_PLAINTEXT_LENGTH,
  ProtocolVersion,
  describeCode,
  nameOf,
} from "../../lib/constants.js";
import { TlsError, alertName, isTlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { nextHandshake, writeRecord } from "../00-bytes/index.js";
import { digest, type HashName } from "../03-certificates/index.js";
import { type DirectionState, protectRecord, unprotectRecord } from "./record-protection.js";
import { type RecordTransport, connectionClosed, isConnectionClosed } from "./transport.js";

/** RFC 5246 §7.1: the ChangeCipherSpec message is this one byte. */
export const CHANGE_CIPHER_SPEC = 1;
/**
 * The longest handshake message we accept. The uint24 length allows 16 MiB, but a peer that announces that much
 * is either broken or trying to make us buffer it; real certificate chains stay far below (Go uses the same cap).
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 2 ** 18;
/** The `field` of a TlsError that reports an alert the peer sent us (as opposed to one we send). */
export const RECEIVED_ALERT = "received alert";

/** True when `e` reports a fatal alert the peer sent, rather than a check of ours that failed. */
export function isReceivedAlert(e: unknown): boolean {
  return isTlsError(e) && e.field === RECEIVED_ALERT;
}

/** One thing that crossed the connection, for a --trace view and the notebook. */
export interface TraceEntry {
  from: "client" | "server";
  /** The record type it travelled in. */
  contentType: number;
  /** "client_hello", "change_cipher_spec", "alert: close_notify", "application_data", … */
  name: string;
  /** A handshake message with its 4-byte header; the ChangeCipherSpec byte; the alert's two bytes; the data. */
  content: Uint8Array;
  /** True if it travelled encrypted (after that side's ChangeCipherSpec). */
  encrypted: boolean;
  /** How many records carried it (a handshake message may be split, or share a record with others). */
  records: number;
  /**
   * When it travelled encrypted: which keys sealed or opened it and the record's sequence number under them, e.g.
   * "server handshake traffic, record 3" (the last record, for a message that came in several).
   */
  keys?: string;
}

/**
 * The handshake messages so far, in order, as both sides hash them for the Finished messages and the extended
 * master secret (RFC 5246 §7.4.9: every handshake message, headers included, but no record headers, no
 * ChangeCipherSpec and no HelloRequest).
 */
export class Transcript {
  readonly messages: Uint8Array[] = [];

  add(message: Uint8Array): void {
    this.messages.push(message);
  }

  /** Hash(handshake_messages) with the suite's PRF hash. */
  hash(hash: HashName): Uint8Array {
    return digest(hash, concat(...this.messages));
  }
}

const describeHandshake = (type: number): string => nameOf(HandshakeType, type) ?? `handshake(${type})`;

/** Which end of the connection a record layer serves. */
export type Side12 = TraceEntry["from"];

/** The records of one TLS 1.2 connection, a client's (the default) or a server's. */
export class Tls12RecordLayer {
  /** Everything sent and received so far. */
  readonly trace: TraceEntry[] = [];
  readonly transcript = new Transcript();
  /** Set when the peer's close_notify has arrived: it sends nothing more. */
  peerClosed = false;
  private readState: DirectionState | undefined;
  private writeState: DirectionState | undefined;
  /** Handshake bytes received but not yet a whole message: messages and records do not line up. */
  private handshakeBuffer: Uint8Array = new Uint8Array(0);
  /** How many records the message at the front of handshakeBuffer has come in so far. */
  private recordsInBuffer = 0;

  /** The other end: "server" for a client's record layer, "client" for a server's. */
  readonly peer: Side12;

  constructor(
    readonly transport: RecordTransport,
    private readonly onTrace?: (entry: TraceEntry) => void,
    readonly side: Side12 = "client",
  ) {
    this.peer = side === "client" ? "server" : "client";
  }

  /**
   * Takes over a connection that another record layer began: a client that offered TLS 1.3 and 1.2 in one hello
   * reads the ServerHello with its TLS 1.3 record layer, and hands over here when the server chose TLS 1.2 (chapter
   * 08, exercise 08.19). What comes along: everything sent and received so far (the trace), the handshake messages
   * already sent (our ClientHello, which starts the transcript), and the handshake bytes received but not yet taken
   * (the ServerHello and whatever came with it in its records). Nothing is protected yet on either side.
   */
  continueFrom(earlier: { trace: readonly TraceEntry[]; sent: readonly Uint8Array[]; pending: Uint8Array; recordsInPending: number }): void {
    if (this.trace.length > 0 || this.transcript.messages.length > 0) {
      throw new TlsError(AlertDescription.internal_error, "only a fresh record layer can take over a connection", { field: "record layer" });
    }
    this.trace.push(...earlier.trace);
    for (const message of earlier.sent) this.transcript.add(message);
    this.handshakeBuffer = earlier.pending.slice();
    this.recordsInBuffer = earlier.recordsInPending;
  }

  private note(entry: TraceEntry): void {
    this.trace.push(entry);
    this.onTrace?.(entry);
  }

  /** Notes something we sent, encrypted if our keys are on (sealed as the record with our next sequence number). */
  private sent(contentType: number, name: string, content: Uint8Array, records = 1): void {
    const w = this.writeState;
    const keys = w === undefined ? undefined : `${this.side}_write_key, record ${w.sequence}`;
    this.note({ from: this.side, contentType, name, content, encrypted: w !== undefined, records, ...(keys === undefined ? {} : { keys }) });
  }

  /** Notes something the peer sent, encrypted if its keys are on (the record just opened had the sequence before). */
  private received(contentType: number, name: string, content: Uint8Array, records = 1): void {
    const r = this.readState;
    const keys = r === undefined ? undefined : `${this.peer}_write_key, record ${r.sequence - 1n}`;
    this.note({ from: this.peer, contentType, name, content, encrypted: r !== undefined, records, ...(keys === undefined ? {} : { keys }) });
  }

  /** True once we protect what we send. */
  get writeProtected(): boolean {
    return this.writeState !== undefined;
  }

  /** True once what the peer sends must be protected (its ChangeCipherSpec has arrived). */
  get readProtected(): boolean {
    return this.readState !== undefined;
  }

  // ---- sending ----

  /**
   * Sends `content` as records of `type`, at most 2^14 bytes each (RFC 5246 §6.2.1), sealed with the write
   * state once our ChangeCipherSpec has gone out, in the clear before.
   */
  private send(type: number, content: Uint8Array): void {
    for (let at = 0; at < content.length; at += MAX_PLAINTEXT_LENGTH) {
      const chunk = content.subarray(at, at + MAX_PLAINTEXT_LENGTH);
      if (this.writeState !== undefined) {
        this.transport.write(protectRecord(this.writeState, type, chunk));
      } else {
        const w = new ByteWriter();
        writeRecord(w, type, ProtocolVersion.TLS1_2, (fragment) => fragment.bytes(chunk, "fragment"));
        this.transport.write(w.toBytes());
      }
    }
  }

  /** Sends one handshake message (header included) and adds it to the transcript. */
  sendHandshake(message: Uint8Array): void {
    this.transcript.add(message);
    this.sent(ContentType.handshake, describeHandshake(message[0]!), message);
    this.send(ContentType.handshake, message);
  }

  /** Sends ChangeCipherSpec, then protects everything after it with `next` (RFC 5246 §7.1). */
  sendChangeCipherSpec(next: DirectionState): void {
    const content = Uint8Array.of(CHANGE_CIPHER_SPEC);
    this.sent(ContentType.change_cipher_spec, "change_cipher_spec", content);
    this.send(ContentType.change_cipher_spec, content);
    this.writeState = next;
  }

  /** Sends an alert (RFC 5246 §7.2), protected if our keys are on. */
  sendAlert(level: number, description: number): void {
    const content = Uint8Array.of(level, description);
    this.sent(ContentType.alert, `alert: ${alertName(description)}`, content);
    this.send(ContentType.alert, content);
  }

  /** Sends application data; only after the handshake. Empty data sends nothing. */
  sendApplicationData(data: Uint8Array): void {
    if (this.writeState === undefined) {
      throw new TlsError(AlertDescription.internal_error, "application data before the handshake finished", { field: "application_data" });
    }
    if (data.length === 0) return;
    this.sent(ContentType.application_data, "application_data", data, Math.ceil(data.length / MAX_PLAINTEXT_LENGTH));
    this.send(ContentType.application_data, data);
  }

  // ---- receiving ----

  /**
   * The next record's content, decrypted if the peer's keys are on. Alerts are dealt with here: close_notify
   * ends the stream (null), a warning is skipped, a fatal alert becomes a TlsError carrying its description.
   * Also null when the peer closes the connection without a close_notify.
   */
  async readContent(): Promise<{ type: number; content: Uint8Array } | null> {
    // EXERCISE 06.4: the records' contents, alerts dealt with. Loop: record = await this.transport.readRecord()
    // (null: return null). Once the peer's keys are on (this.readState set) open it with unprotectRecord (your
    // openRecord of 06.1, or the suite's own AEAD), else its fragment is the content, and a plaintext fragment over
    // 2^14 bytes is record_overflow (RFC 5246 §6.2.1). Any type but alert: return { type, content }. An alert is
    // exactly 2 bytes, level then description (else decode_error); note it with this.received(ContentType.alert,
    // "alert: " + alertName(description), content); close_notify: set this.peerClosed and return null; any other
    // warning: skip it and read on (RFC 5246 §7.2); fatal: throw a TlsError whose alert is the peer's description and
    // whose field is RECEIVED_ALERT, so that the caller can tell it from a failed check of our own.
    for (;;) {
      const record = await this.transport.readRecord();
      if (record === null) return null;
      if (this.readState === undefined && record.fragment.length > MAX_PLAINTEXT_LENGTH) {
        throw new TlsError(AlertDescription.record_overflow, `a plaintext record of ${record.fragment.length} bytes, over 2^14`, { field: "fragment length", offset: 3 });
      }
      const content = this.readState === undefined ? record.fragment : unprotectRecord(this.readState, record.type, record.fragment);
      if (record.type !== ContentType.alert) return { type: record.type, content };
      if (content.length !== 2) {
        throw new TlsError(AlertDescription.decode_error, `an alert is 2 bytes, this one has ${content.length}`, { field: "alert", offset: 0 });
      }
      const [level, description] = [content[0]!, content[1]!];
      this.received(ContentType.alert, `alert: ${alertName(description)}`, content);
      if (description === AlertDescription.close_notify) {
        this.peerClosed = true;
        return null;
      }
      // RFC 5246 §7.2: a warning leaves the connection usable; TLS 1.2 servers send e.g. no_renegotiation this way.
      if (level === AlertLevel.warning) continue;
      throw new TlsError(description, `sent by the ${this.peer} (code ${description})`, { field: RECEIVED_ALERT });
    }
    // END 06.4
  }

  /**
   * The next handshake message, header included, whichever way the peer cut its records: a record may hold
   * several messages, and a message may come in several records (RFC 5246 §6.2.1). Adds it to the transcript.
   */
  async readHandshake(): Promise<Uint8Array> {
    // EXERCISE 06.5: handshake messages from records. Loop: if nextHandshake (chapter 00) finds a whole message at
    // the front of this.handshakeBuffer, take it out of the buffer; a HelloRequest (type 0) is ignored during a
    // handshake and never hashed (RFC 5246 §7.4.1.1); any other message: this.transcript.add it, note it with
    // this.received(ContentType.handshake, describeHandshake(type), message, this.recordsInBuffer), set
    // recordsInBuffer to 1 if bytes of the next message are already buffered (they came in the same record), else 0,
    // and return it. Otherwise read a record with readContent: null means the peer hung up mid-handshake (throw
    // connectionClosed("during the handshake", this.peer)); anything but a handshake record is unexpected_message, and
    // so is an empty one (RFC 5246 §6.2.1 forbids them); append its content to the buffer, count the record, and as
    // soon as the 4-byte header is there, a length over MAX_HANDSHAKE_MESSAGE_LENGTH is decode_error.
    for (;;) {
      const found = nextHandshake(this.handshakeBuffer);
      if (found !== null) {
        this.handshakeBuffer = this.handshakeBuffer.slice(found.size);
        const type = found.message[0]!;
        if (type === HandshakeType.hello_request) continue; // RFC 5246 §7.4.1.1: we are already negotiating
        this.transcript.add(found.message);
        this.received(ContentType.handshake, describeHandshake(type), found.message, this.recordsInBuffer);
        // A record that held the end of this message and the start of the next counts for both.
        this.recordsInBuffer = this.handshakeBuffer.length > 0 ? 1 : 0;
        return found.message;
      }
      const next = await this.readContent();
      if (next === null) throw connectionClosed("during the handshake", this.peer);
      if (next.type !== ContentType.handshake) {
        throw new TlsError(AlertDescription.unexpected_message, `expected a handshake record, got ${describeCode(ContentType, next.type, 2)}`, {
          field: "content type",
        });
      }
      if (next.content.length === 0) {
        throw new TlsError(AlertDescription.unexpected_message, "an empty handshake record (RFC 5246 §6.2.1 forbids them)", { field: "fragment" });
      }
      this.handshakeBuffer = concat(this.handshakeBuffer, next.content);
      this.recordsInBuffer++;
      if (this.handshakeBuffer.length >= HANDSHAKE_HEADER_LENGTH) {
        const b = this.handshakeBuffer;
        const length = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
        if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
          throw new TlsError(AlertDescription.decode_error, `a ${length}-byte handshake message is more than we accept`, {
            field: "handshake length",
            offset: 1,
          });
        }
      }
    }
    // END 06.5
  }

  /** True while part of a handshake message is waiting for the rest. */
  get handshakePending(): boolean {
    return this.handshakeBuffer.length > 0;
  }

  /**
   * Reads the peer's ChangeCipherSpec, then opens everything after it with `next`. It must come between
   * whole handshake messages: a message split across the key change would be half unauthenticated.
   */
  async readChangeCipherSpec(next: DirectionState): Promise<void> {
    if (this.handshakePending) {
      throw new TlsError(AlertDescription.unexpected_message, "ChangeCipherSpec in the middle of a handshake message", { field: "content type" });
    }
    const record = await this.readContent();
    if (record === null) throw connectionClosed("before its ChangeCipherSpec", this.peer);
    if (record.type !== ContentType.change_cipher_spec) {
      const what = record.type === ContentType.handshake ? describeHandshake(record.content[0] ?? -1) : describeCode(ContentType, record.type, 2);
      throw new TlsError(AlertDescription.unexpected_message, `expected the ${this.peer}'s ChangeCipherSpec, got ${what}`, { field: "content type" });
    }
    if (record.content.length !== 1 || record.content[0] !== CHANGE_CIPHER_SPEC) {
      throw new TlsError(AlertDescription.decode_error, "a ChangeCipherSpec is the single byte 01", { field: "change_cipher_spec", offset: 0 });
    }
    this.received(ContentType.change_cipher_spec, "change_cipher_spec", record.content);
    this.readState = next;
  }

  /**
   * The next application data after the handshake, or null once the peer has closed. A server's HelloRequest, or a
   * client's new ClientHello, asks for a new handshake, which we do not do: answer with a no_renegotiation warning
   * (RFC 5246 §7.2.2).
   */
  async readApplicationData(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.peerClosed) return null;
      const next = await this.readContent();
      if (next === null) return null;
      if (next.type === ContentType.application_data) {
        if (next.content.length === 0) continue; // allowed, and means nothing (RFC 5246 §6.2.1 permits them for data)
        this.received(ContentType.application_data, "application_data", next.content);
        return next.content;
      }
      const renegotiate =
        next.type === ContentType.handshake &&
        (this.side === "client"
          ? next.content.length === HANDSHAKE_HEADER_LENGTH && next.content[0] === HandshakeType.hello_request
          : next.content[0] === HandshakeType.client_hello);
      if (renegotiate) {
        this.sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation);
        continue;
      }
      throw new TlsError(AlertDescription.unexpected_message, `expected application data, got ${describeCode(ContentType, next.type, 2)}`, {
        field: "content type",
      });
    }
  }

  /**
   * Ends a connection that failed: sends the fatal alert our check produced (the peer learns why we hung up;
   * not when the peer's own alert ended it, RFC 5246 §7.2.2, nor when it has gone away), then closes the transport.
   */
  abort(error: unknown): void {
    try {
      if (isTlsError(error) && !isReceivedAlert(error) && !isConnectionClosed(error)) this.sendAlert(AlertLevel.fatal, error.alert);
      else if (!isTlsError(error)) this.sendAlert(AlertLevel.fatal, AlertDescription.internal_error);
    } catch {
      // the connection is going away anyway
    }
    this.transport.close();
  }

  /** Sends close_notify (RFC 5246 §7.2.1) and closes the transport. */
  close(): void {
    try {
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    } finally {
      this.transport.close();
    }
  }
}
