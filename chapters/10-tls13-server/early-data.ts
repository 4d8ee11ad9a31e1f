// 0-RTT on the server: whether to read the early data that came with a ClientHello, reading it up to EndOfEarlyData
// when the answer is yes, and skipping it when the answer is no, so that the handshake goes on as if it had not been
// sent. Read RFC 8446 §4.2.10 (early data: the server's three choices, and the rules for accepting), §4.5
// (EndOfEarlyData), §5.1 (record sizes) and §8 (why accepting needs a replay guard).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, ContentType, ExtensionType, HandshakeType, MAX_PLAINTEXT_LENGTH } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { TlsRecord } from "../00-bytes/index.js";
import type { ClientHello } from "../01-client-hello/index.js";
import { type RecordTransport, expectMessage } from "../06-tls12-handshake/index.js";
import type { TranscriptHash } from "../07-tls13-key-schedule/index.js";
import { type Direction13, type Tls13RecordLayer, openRecord13 } from "../08-tls13-handshake/index.js";
import { decodeEndOfEarlyData } from "../09-resumption-0rtt/index.js";
import type { AntiReplay } from "./anti-replay.js";
import { hasExtension } from "./client-hello.js";
import type { AcceptedPsk } from "./psk.js";
import { NotImplemented } from "../../lib/errors.js";

/** What the server decided about the client's early data, and why (for the connection's page and log). */
export interface EarlyDataDecision {
  /** The ClientHello carried early_data. */
  offered: boolean;
  accept: boolean;
  reason: string;
}

/** What the decision needs to know about the server. */
export interface EarlyDataConfig {
  /** 0-RTT bytes the server takes now (0: none). */
  maxEarlyData?: number;
  antiReplay?: AntiReplay;
}

/**
 * Accept the client's 0-RTT data, or not (RFC 8446 §4.2.10). `alpn` is the protocol chosen for this connection
 * (undefined: none); `helloRetry` says a HelloRetryRequest was sent.
 */
export function decideEarlyData(
  ch: ClientHello,
  psk: AcceptedPsk | undefined,
  cipherSuite: number,
  helloRetry: boolean,
  alpn: string | undefined,
  config: EarlyDataConfig,
  now: number,
): EarlyDataDecision {
  // TODO 10.19: not offered (no early_data extension): { offered: false, accept: false }. Else refuse, with the
  // reason, in this order: after a HelloRetryRequest (the client cannot have sent early data the server can read);
  // no PSK accepted (early data is keyed by the PSK); the PSK is not the first identity offered ("the PSK used to
  // encrypt the early data MUST be the first PSK listed", §4.2.10); 0-RTT off on this server (config.maxEarlyData
  // not > 0); the ticket allows none (state.maxEarlyData 0); the suite or the ALPN protocol not the ticket's (§4.2.10:
  // both must be the same as when the ticket was issued); and LAST, config.antiReplay?.check({ obfuscatedTicketAge,
  // binder, issuedAt, ageAdd }, now) says no (last, so that only a ClientHello whose data is read gets recorded).
  // Without antiReplay (--allow-replay) there is no guard. Otherwise accept.
  throw new NotImplemented("10.19");
  // END 10.19
}

/** What readEarlyData keeps between calls. */
export interface EarlyDataState {
  transcript: TranscriptHash;
  /** The most 0-RTT bytes this connection may read: the ticket's max_early_data_size. */
  limit: number;
  /** Bytes read so far. */
  received: number;
  /** The keys of the client's handshake messages, for after EndOfEarlyData. */
  clientHandshakeKeys: Direction13;
}

/**
 * The next piece of accepted early data, or null once EndOfEarlyData has come (then the record layer reads with the
 * client's handshake keys). The record layer must be reading with the client's early traffic keys.
 */
export async function readEarlyData(records: Tls13RecordLayer, state: EarlyDataState): Promise<Uint8Array | null> {
  // TODO 10.20: next = await records.readPostHandshake() (chapter 08: application data or a whole handshake
  // message; it drops the client's middlebox ChangeCipherSpec). null: the client hung up (handshake_failure, field
  // "early_data"). Data: add its length to state.received; more than state.limit is unexpected_message (§4.2.10);
  // return it. A handshake message must be EndOfEarlyData (expectMessage, then chapter 09's decodeEndOfEarlyData): add
  // it to the transcript (§4.4.1: it comes before the client's Finished), switch reading to
  // state.clientHandshakeKeys (records.setReadKeys) and return null (§4.5).
  throw new NotImplemented("10.20");
  // END 10.20
}

/**
 * Sits between the socket and a server's record layer. It refuses plaintext records over 2^14 bytes (RFC 8446 §5.1:
 * record_overflow; chapter 00 lets TLS 1.2's larger ciphertexts through), and drops the 0-RTT records the server chose
 * not to read, so that the record layer never sees them (RFC 8446 §4.2.10).
 */
export class EarlyDataSkipper implements RecordTransport {
  private mode: "pass" | "before second hello" | "undecryptable" = "pass";
  private trialKeys: Direction13 | undefined;
  private budget = 0;
  /** Bytes of early data skipped so far. */
  skipped = 0;

  constructor(private readonly inner: RecordTransport) {}

  /** After a HelloRetryRequest: every application_data record before the second ClientHello is early data. */
  skipBeforeSecondHello(budget: number): void {
    this.mode = "before second hello";
    this.budget = budget;
  }

  /**
   * After refusing early data: drop records that the client's handshake keys cannot open, up to `budget` bytes.
   * `clientHandshakeKeys` must be a direction of its own (direction13 again), not the record layer's.
   */
  skipUndecryptable(clientHandshakeKeys: Direction13, budget: number): void {
    this.mode = "undecryptable";
    this.trialKeys = clientHandshakeKeys;
    this.budget = budget;
  }

  /** Stop skipping: every record goes to the record layer again. */
  pass(): void {
    this.mode = "pass";
  }

  async readRecord(): Promise<TlsRecord | null> {
    // TODO 10.20: loop over this.inner.readRecord() (null: return null). A record that is not application_data
    // with a fragment over MAX_PLAINTEXT_LENGTH is record_overflow (§5.1). In mode "pass", or for any record that is
    // not application_data (a ChangeCipherSpec, the second ClientHello), return it. Otherwise it may be early data:
    // "before second hello": skip it. "undecryptable": try openRecord13 with this.trialKeys (a direction of its own,
    // not the record layer's: a record that fails leaves its sequence number alone); if it opens, it is the client's
    // second flight: this.pass() and return the record (the record layer opens it again, with its own direction); if
    // it throws, skip it. Each skipped record adds its fragment
    // length to this.skipped; past this.budget it is too much: bad_record_mac for one that does not open,
    // unexpected_message before the second ClientHello (§4.2.10: "up to the configured max_early_data_size").
    throw new NotImplemented("10.20");
    // END 10.20
  }

  write(bytes: Uint8Array): void {
    this.inner.write(bytes);
  }

  close(): void {
    this.inner.close();
  }
}
