// The TLS 1.3 record layer: between the handshake and the TCP stream. It sends our messages in records, protected
// once our keys are on; it turns the peer's records back into handshake messages, alerts and application data,
// opening them with the peer's keys once those are on. Written for the client (this chapter); chapter 10's server
// uses the very same class with `side: "server"`, which only swaps who is who in the trace and the messages.
// What is new since TLS 1.2: the true content type hides inside the encryption, a lone ChangeCipherSpec is only
// there for middleboxes and is dropped, and a handshake message may not straddle a change of keys. Read RFC 8446 §5
// (records), §5.1 (handshake messages in records), §6 (alerts) and §D.4 (middlebox compatibility).
import { ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  HANDSHAKE_HEADER_LENGTH,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  MAX_PLAINTEXT_LENGTH,
  ProtocolVersion,
  describeCode,
  nameOf,
} from "../../lib/constants.js";
import { TlsError, alertName, isTlsError } from "../../lib/errors.js";
import { concat, equalBytes } from "../../lib/hex.js";
import { nextHandshake, writeRecord } from "../00-bytes/index.js";
import {
  CHANGE_CIPHER_SPEC,
  MAX_HANDSHAKE_MESSAGE_LENGTH,
  RECEIVED_ALERT,
  type RecordTransport,
  Tls12RecordLayer,
  type TraceEntry,
  isReceivedAlert,
  connectionClosed,
  isConnectionClosed,
} from "../06-tls12-handshake/index.js";
import { type Direction13, openRecord13, sealRecord13 } from "./record-protection.js";

export type { TraceEntry } from "../06-tls12-handshake/index.js";
export { RECEIVED_ALERT, isReceivedAlert } from "../06-tls12-handshake/index.js";

const describeHandshake = (type: number): string => nameOf(HandshakeType, type) ?? `handshake(${type})`;

/** A message's name for the trace; a HelloRetryRequest is a server_hello with a special random (RFC 8446 §4.1.3). */
function messageName(message: Uint8Array): string {
  const random = message.subarray(HANDSHAKE_HEADER_LENGTH + 2, HANDSHAKE_HEADER_LENGTH + 2 + HELLO_RETRY_REQUEST_RANDOM.length);
  if (message[0] === HandshakeType.server_hello && equalBytes(random, HELLO_RETRY_REQUEST_RANDOM)) return "hello_retry_request";
  return describeHandshake(message[0]!);
}

/** What arrives after the handshake: application data, or a handshake message (NewSessionTicket, KeyUpdate). */
export type PostHandshake = { kind: "data"; data: Uint8Array } | { kind: "handshake"; message: Uint8Array };

/** Which end of the connection a record layer serves. */
export type Side = TraceEntry["from"];

/** The records of one TLS 1.3 connection, a client's (the default) or a server's. */
export class Tls13RecordLayer {
  /** Everything sent and received so far. */
  readonly trace: TraceEntry[] = [];
  /** Set when the server's close_notify has arrived: it sends nothing more. */
  peerClosed = false;
  /**
   * True from our first ClientHello until the server's Finished: the window in which a plaintext
   * ChangeCipherSpec (the single byte 01) may arrive and is dropped unseen (RFC 8446 §5). The handshake sets it.
   */
  inHandshake = false;
  /** Zero bytes added to each protected record we send, to hide the true lengths (RFC 8446 §5.4). */
  padding = 0;
  private readState: Direction13 | undefined;
  private writeState: Direction13 | undefined;
  /** Handshake bytes received but not yet a whole message. */
  private handshakeBuffer: Uint8Array = new Uint8Array(0);
  /** How many records the message at the front of handshakeBuffer has come in so far. */
  private recordsInBuffer = 0;
  /** False until our first record (the ClientHello) has gone out. */
  private firstRecordSent = false;
  /** How many KeyUpdates the keys in each direction have gone through (counted when a label repeats), for the trace. */
  private readGeneration = 0;
  private writeGeneration = 0;

  /** The other end: "server" for a client's record layer, "client" for a server's. */
  readonly peer: Side;

  constructor(
    readonly transport: RecordTransport,
    private readonly onTrace?: (entry: TraceEntry) => void,
    readonly side: Side = "client",
  ) {
    this.peer = side === "client" ? "server" : "client";
  }

  private note(entry: TraceEntry): void {
    this.trace.push(entry);
    this.onTrace?.(entry);
  }

  /** Notes something we sent, encrypted if our keys are on (sealed as the record with our next sequence number). */
  private sent(contentType: number, name: string, content: Uint8Array, records = 1): void {
    const w = this.writeState;
    const keys = w === undefined ? undefined : `${this.keyName(w, this.writeGeneration)}, record ${w.sequence}`;
    this.note({ from: this.side, contentType, name, content, encrypted: w !== undefined, records, ...(keys === undefined ? {} : { keys }) });
  }

  /** Notes something the peer sent; `encrypted` says whether it came protected (by the record just opened). */
  private received(contentType: number, name: string, content: Uint8Array, encrypted: boolean, records = 1): void {
    const r = this.readState;
    const keys = !encrypted || r === undefined ? undefined : `${this.keyName(r, this.readGeneration)}, record ${r.sequence - 1n}`;
    this.note({ from: this.peer, contentType, name, content, encrypted, records, ...(keys === undefined ? {} : { keys }) });
  }

  /** The keys' name for the trace: their label, and for application traffic the generation (RFC 8446 §7.2's N). */
  private keyName(d: Direction13, generation: number): string {
    const label = d.label ?? "unnamed keys";
    return /application/.test(label) ? `${label} ${generation}` : label;
  }

  /** True once what we send is protected. */
  get writeProtected(): boolean {
    return this.writeState !== undefined;
  }

  /** True once what the peer sends must be protected. */
  get readProtected(): boolean {
    return this.readState !== undefined;
  }

  /** True while part of a handshake message is waiting for the rest. */
  get handshakePending(): boolean {
    return this.handshakeBuffer.length > 0;
  }

  /**
   * From now on, protect what we send with `next` (handshake keys, application keys, a KeyUpdate's keys), or send in
   * the clear with undefined (a client whose 0-RTT data met a HelloRetryRequest sends its second ClientHello so).
   */
  setWriteKeys(next: Direction13 | undefined): void {
    this.writeGeneration = next?.label !== undefined && next.label === this.writeState?.label ? this.writeGeneration + 1 : 0;
    this.writeState = next;
  }

  /**
   * From now on, open what the peer sends with `next`. RFC 8446 §5.1: "Handshake messages MUST NOT span key
   * changes": the message before the change must have ended with its record, or it would be half under each key.
   */
  setReadKeys(next: Direction13): void {
    if (this.handshakePending) {
      throw new TlsError(AlertDescription.unexpected_message, "a handshake message spans a change of keys (RFC 8446 §5.1)", { field: "handshake" });
    }
    this.readGeneration = next.label !== undefined && next.label === this.readState?.label ? this.readGeneration + 1 : 0;
    this.readState = next;
  }

  // ---- sending ----

  /**
   * Sends `content` as records of `type`, at most 2^14 bytes each, protected once our keys are on. A plaintext record
   * says 0x0303, except the one carrying a client's first ClientHello: RFC 8446 §5.1 lets it say 0x0301, which old
   * servers and middleboxes expect, and most clients do so. A server's records always say 0x0303.
   */
  private send(type: number, content: Uint8Array): void {
    for (let at = 0; at < content.length; at += MAX_PLAINTEXT_LENGTH) {
      const chunk = content.subarray(at, at + MAX_PLAINTEXT_LENGTH);
      if (this.writeState !== undefined) {
        this.transport.write(sealRecord13(this.writeState, type, chunk, this.padding));
      } else {
        const version = this.firstRecordSent || this.side === "server" ? ProtocolVersion.TLS1_2 : ProtocolVersion.TLS1_0;
        const w = new ByteWriter();
        writeRecord(w, type, version, (fragment) => fragment.bytes(chunk, "fragment"));
        this.transport.write(w.toBytes());
      }
      this.firstRecordSent = true;
    }
  }

  /** Sends one handshake message (header included). The transcript is the handshake's business, not ours. */
  sendHandshake(message: Uint8Array): void {
    this.sent(ContentType.handshake, describeHandshake(message[0]!), message, Math.max(1, Math.ceil(message.length / MAX_PLAINTEXT_LENGTH)));
    this.send(ContentType.handshake, message);
  }

  /**
   * Sends the dummy ChangeCipherSpec of middlebox compatibility mode (RFC 8446 §D.4): a plaintext record holding the
   * byte 01, which TLS 1.3 itself ignores. It makes the connection look like a resumed TLS 1.2 session to boxes on
   * the path that would otherwise drop what they do not understand.
   */
  sendChangeCipherSpec(): void {
    const content = Uint8Array.of(CHANGE_CIPHER_SPEC);
    this.note({ from: this.side, contentType: ContentType.change_cipher_spec, name: "change_cipher_spec (middlebox compatibility)", content, encrypted: false, records: 1 });
    const w = new ByteWriter();
    writeRecord(w, ContentType.change_cipher_spec, ProtocolVersion.TLS1_2, (fragment) => fragment.bytes(content, "change_cipher_spec"));
    this.transport.write(w.toBytes());
  }

  /** Sends an alert, protected if our keys are on. TLS 1.3 ignores the level (RFC 8446 §6). */
  sendAlert(level: number, description: number): void {
    const content = Uint8Array.of(level, description);
    this.sent(ContentType.alert, `alert: ${alertName(description)}`, content);
    this.send(ContentType.alert, content);
  }

  /** Sends application data; only once our keys are on. Empty data sends nothing. */
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
   * The next record's content and true type, decrypted if the server's keys are on. A middlebox ChangeCipherSpec
   * is dropped here; alerts are dealt with here: close_notify ends the stream (null), user_canceled is skipped, any
   * other alert becomes a TlsError carrying its description. Also null when the server hangs up without close_notify.
   */
  async readContent(): Promise<{ type: number; content: Uint8Array; encrypted: boolean } | null> {
    // EXERCISE 08.7: the records' contents. Loop: record = await this.transport.readRecord() (null: return null).
    // (1) A record of type change_cipher_spec: while this.inHandshake, with nothing half-read in handshakeBuffer and
    // exactly the byte 01, note it (this.received(…, "change_cipher_spec (ignored)", …, false)) and read on; any other
    // is unexpected_message (RFC 8446 §5). (2) Once the server's keys are on (this.readState), open it with
    // openRecord13: its inner type is the true one, and a protected change_cipher_spec is unexpected_message. Before,
    // the fragment is the content, and application data cannot come unprotected (unexpected_message). (3) An alert is
    // exactly 2 bytes (else decode_error); note it as "alert: " + alertName(description); close_notify: set
    // this.peerClosed, return null; user_canceled: read on (a close_notify follows, RFC 8446 §6.1); anything else is
    // fatal whatever its level (§6): throw a TlsError with the server's description and field RECEIVED_ALERT. (4) Any
    // other type: return { type, content, encrypted }.
    for (;;) {
      const record = await this.transport.readRecord();
      if (record === null) return null;
      if (record.type === ContentType.change_cipher_spec) {
        const lone = record.fragment.length === 1 && record.fragment[0] === CHANGE_CIPHER_SPEC;
        if (!this.inHandshake || !lone || this.handshakePending) {
          throw new TlsError(
            AlertDescription.unexpected_message,
            !lone ? "a ChangeCipherSpec other than the single byte 01" : "a ChangeCipherSpec outside the handshake (RFC 8446 §5)",
            { field: "content type" },
          );
        }
        this.received(ContentType.change_cipher_spec, "change_cipher_spec (ignored)", record.fragment, false);
        continue;
      }
      const encrypted = this.readState !== undefined;
      let type = record.type;
      let content = record.fragment;
      if (this.readState !== undefined) {
        ({ contentType: type, content } = openRecord13(this.readState, record));
        if (type === ContentType.change_cipher_spec) {
          throw new TlsError(AlertDescription.unexpected_message, "a protected ChangeCipherSpec (RFC 8446 §5)", { field: "content type" });
        }
      } else if (type === ContentType.application_data) {
        throw new TlsError(AlertDescription.unexpected_message, `application data before the ${this.peer}'s keys are on`, { field: "content type" });
      }
      if (type !== ContentType.alert) return { type, content, encrypted };
      if (content.length !== 2) {
        throw new TlsError(AlertDescription.decode_error, `an alert is 2 bytes, this one has ${content.length}`, { field: "alert", offset: 0 });
      }
      const description = content[1]!;
      this.received(ContentType.alert, `alert: ${alertName(description)}`, content, encrypted);
      if (description === AlertDescription.close_notify) {
        this.peerClosed = true;
        return null;
      }
      if (description === AlertDescription.user_canceled) continue;
      throw new TlsError(description, `sent by the ${this.peer} (code ${description})`, { field: RECEIVED_ALERT });
    }
    // END 08.7
  }

  /**
   * Takes one whole handshake message off the front of the buffer, if there is one, and notes it. A record that held
   * the end of this message and the start of the next counts for both.
   */
  private takeHandshake(encrypted: boolean): Uint8Array | null {
    const found = nextHandshake(this.handshakeBuffer);
    if (found === null) return null;
    this.handshakeBuffer = this.handshakeBuffer.slice(found.size);
    this.received(ContentType.handshake, messageName(found.message), found.message, encrypted, this.recordsInBuffer);
    this.recordsInBuffer = this.handshakeBuffer.length > 0 ? 1 : 0;
    return found.message;
  }

  /** Appends a handshake record's content to the buffer; refuses empty ones and absurd lengths. */
  private bufferHandshake(content: Uint8Array): void {
    if (content.length === 0) {
      // RFC 8446 §5.1: no zero-length handshake fragments; §5.4: a protected one is unexpected_message.
      throw new TlsError(AlertDescription.unexpected_message, "an empty handshake record (RFC 8446 §5.1)", { field: "fragment" });
    }
    this.handshakeBuffer = concat(this.handshakeBuffer, content);
    this.recordsInBuffer++;
    if (this.handshakeBuffer.length >= HANDSHAKE_HEADER_LENGTH) {
      const b = this.handshakeBuffer;
      const length = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
      if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
        throw new TlsError(AlertDescription.decode_error, `a ${length}-byte handshake message is more than we accept`, { field: "handshake length", offset: 1 });
      }
    }
  }

  /**
   * The next handshake message, header included, whichever way the server cut its records: a record may hold
   * several messages, and a message may come in several records (RFC 8446 §5.1).
   */
  async readHandshake(): Promise<Uint8Array> {
    // EXERCISE 08.8: handshake messages from records, as in 06.5 but without the transcript (the handshake adds each
    // message itself, once it knows the suite's hash). Loop: this.takeHandshake(this.readProtected) gives a whole
    // message from the buffer, or null; return it if there is one. Else read a record with readContent: null means
    // the peer hung up mid-handshake (throw connectionClosed("during the handshake", this.peer)); anything but a
    // handshake record is unexpected_message (RFC 8446 §5.1: no other record may come between the pieces of a
    // message, nor in place of one); this.bufferHandshake(content) appends it (and refuses an empty one) and read on.
    for (;;) {
      const message = this.takeHandshake(this.readProtected);
      if (message !== null) return message;
      const next = await this.readContent();
      if (next === null) throw connectionClosed("during the handshake", this.peer);
      if (next.type !== ContentType.handshake) {
        throw new TlsError(AlertDescription.unexpected_message, `expected a handshake record, got ${describeCode(ContentType, next.type, 2)}`, {
          field: "content type",
        });
      }
      this.bufferHandshake(next.content);
    }
    // END 08.8
  }

  /**
   * The next handshake message, header included, WITHOUT taking it: the next readHandshake returns it again. A client
   * that offered TLS 1.3 and 1.2 in one hello reads the ServerHello so, to see which version the server chose before
   * either handshake reads it for good (08.19). Nothing is noted in the trace until then.
   */
  async peekHandshake(): Promise<Uint8Array> {
    for (;;) {
      const found = nextHandshake(this.handshakeBuffer);
      if (found !== null) return found.message;
      const next = await this.readContent();
      if (next === null) throw connectionClosed("before its ServerHello", this.peer);
      if (next.type !== ContentType.handshake) {
        throw new TlsError(AlertDescription.unexpected_message, `expected a handshake record, got ${describeCode(ContentType, next.type, 2)}`, {
          field: "content type",
        });
      }
      this.bufferHandshake(next.content);
    }
  }

  /** Set once the connection went on as TLS 1.2 (continueAsTls12): that record layer has it now. */
  successor: Tls12RecordLayer | undefined;

  /**
   * The server chose TLS 1.2 (08.19): hands the connection to a TLS 1.2 record layer (chapter 06) and returns it. It
   * gets the transport, the trace so far, the handshake bytes not yet read (the ServerHello, and whatever came with
   * it) and the transcript's start: `clientHello`, the bytes of the ClientHello we sent. Nothing is protected yet,
   * so nothing else carries over; this layer must not be used again.
   */
  continueAsTls12(clientHello: Uint8Array): Tls12RecordLayer {
    if (this.readProtected || this.writeProtected) {
      throw new TlsError(AlertDescription.internal_error, "keys are on: too late to go on as TLS 1.2", { field: "record layer" });
    }
    const next = new Tls12RecordLayer(this.transport, this.onTrace);
    next.continueFrom({ trace: this.trace, sent: [clientHello], pending: this.handshakeBuffer, recordsInPending: this.recordsInBuffer });
    this.successor = next;
    return next;
  }

  /**
   * After the handshake: the next application data, or the next whole handshake message (NewSessionTicket,
   * KeyUpdate, …), or null once the server has closed. Empty application data records mean nothing and are skipped.
   */
  async readPostHandshake(): Promise<PostHandshake | null> {
    for (;;) {
      if (this.peerClosed) return null;
      const message = this.takeHandshake(true);
      if (message !== null) return { kind: "handshake", message };
      const next = await this.readContent();
      if (next === null) {
        if (this.handshakePending) throw connectionClosed("in the middle of a handshake message", this.peer);
        return null;
      }
      if (next.type === ContentType.handshake) {
        this.bufferHandshake(next.content);
        continue;
      }
      if (next.type !== ContentType.application_data || this.handshakePending) {
        const what = describeCode(ContentType, next.type, 2);
        throw new TlsError(AlertDescription.unexpected_message, `${what} ${this.handshakePending ? "in the middle of a handshake message" : "after the handshake"}`, {
          field: "content type",
        });
      }
      if (next.content.length === 0) continue;
      this.received(ContentType.application_data, "application_data", next.content, true);
      return { kind: "data", data: next.content };
    }
  }

  /**
   * Ends a connection that failed: sends the fatal alert our check produced (not when the server's own alert ended
   * it, nor when it has gone away), protected if our keys are on, then closes the transport.
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

  /** Sends close_notify (RFC 8446 §6.1) and closes the transport. */
  close(): void {
    try {
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    } finally {
      this.transport.close();
    }
  }
}
