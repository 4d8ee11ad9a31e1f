// A TLS 1.3 client that resumes: it offers a ticket in its ClientHello, sends its first request as 0-RTT early data
// right behind it, and then follows whatever the server decided: PSK and early data accepted (no certificates, an
// EndOfEarlyData), PSK accepted but early data rejected (the data goes again after the handshake), or PSK refused (a
// full handshake as in chapter 08). Read RFC 8446 §2.2–2.3 (the flows), §4.2.10 (early data), §4.2.11 (PSK), §4.5
// (EndOfEarlyData), §7.1 (the early secrets) and §D.4 (middlebox compatibility).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { concat, toHex } from "../../lib/hex.js";
import { type ClientHello, type KeyPair, encodeClientHello, extensionType, findExtension, makeClientHello } from "../01-client-hello/index.js";
import { checkServerHello, decodeServerHello, findServerExtension, isHelloRetryRequest, serverExtensionType } from "../02-server-hello/index.js";
import {
  type Certificate,
  HASH_LENGTH,
  type HashName,
  type Validation,
  decodeCertificate,
  digest,
  encodeCertificate,
  parseCertificates,
  validateChain,
} from "../03-certificates/index.js";
import { ecdhePremaster } from "../05-dhe-key-exchange/index.js";
import { type RecordTransport, checkVerifyData, expectMessage, sniFor, writeKeyLog } from "../06-tls12-handshake/index.js";
import {
  type Aead13,
  type TrafficKeys,
  TranscriptHash,
  applicationSecrets,
  earlySecrets,
  finishedVerifyData,
  handshakeSecrets,
  keyLogLines13,
  messageHash,
  resumptionMasterSecret,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../07-tls13-key-schedule/index.js";
import {
  type CertificateRequest,
  type CertificateVerify,
  type EncryptedExtensions,
  type PostHandshakeState,
  type ReceivedTicket,
  TLS13_SUITES,
  type Tls13Options,
  type Tls13Secrets,
  type TraceEntry,
  Tls13RecordLayer,
  checkEncryptedExtensions,
  compatibilityMode,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeEncryptedExtensions,
  decodeFinished13,
  direction13,
  encodeFinished13,
  handlePostHandshake,
  retryClientHello,
  sendKeyUpdate,
  signingKey,
  verifyCertificateVerify,
} from "../08-tls13-handshake/index.js";
import { offerTicket, offeredPsks } from "./binder.js";
import { decodeSelectedIdentity, encodeEndOfEarlyData } from "./psk-messages.js";
import { type StoredTicket, acceptTicket, isStoredTicket, ticketValid } from "./ticket.js";
import { NotImplemented } from "../../lib/errors.js";

/** The NSS key log label of the 0-RTT traffic secret (the name OpenSSL writes too). */
export const KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET = "CLIENT_EARLY_TRAFFIC_SECRET";

/** "CLIENT_EARLY_TRAFFIC_SECRET <client random> <secret>", lowercase hex, as chapter 07's keyLogLines13 writes the others. */
export function earlyKeyLogLine(clientRandom: Uint8Array, clientEarlyTrafficSecret: Uint8Array): string {
  // TODO 09.4: a client random that is not RANDOM_LENGTH bytes is our bug (TlsError internal_error, field "client
  // random"); else KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET + " " + toHex(clientRandom) + " " + toHex(secret).
  throw new NotImplemented("09.4");
  // END 09.4
}

/** The keys of 0-RTT data: from the ticket's PSK and the ClientHello, before the server has said a word. */
export interface EarlyTraffic {
  hash: HashName;
  aead: Aead13;
  /** client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello). */
  clientEarlyTrafficSecret: Uint8Array;
  keys: TrafficKeys;
}

/** RFC 8446 §7.1, §7.3: the early traffic secret and record keys for `clientHello` (the whole message as sent). */
export function earlyTraffic(ticket: StoredTicket, clientHello: Uint8Array): EarlyTraffic {
  // TODO 09.4: the hash and AEAD are those of the ticket's suite (suiteHash, suiteAead): early data is protected
  // "with the cipher suite associated with the PSK" (RFC 8446 §4.2.10), since the server has not chosen one yet.
  // clientEarlyTrafficSecret = earlySecrets(hash, ticket.psk).clientEarlyTrafficSecret(digest(hash, clientHello)), and
  // keys = trafficKeys(hash, aead, that secret).
  throw new NotImplemented("09.4");
  // END 09.4
}

/** What became of the ticket and the early data. */
export interface Resumption {
  /** True when the ClientHello offered a ticket (one was given, for this server name, not expired). */
  pskOffered: boolean;
  /** True when the ServerHello chose it (pre_shared_key, selected_identity 0): no certificates this time. */
  pskAccepted: boolean;
  /** "accepted": the server read our 0-RTT data (early_data in EncryptedExtensions); "rejected": it skipped it. */
  earlyData: "not sent" | "accepted" | "rejected";
  /** Set when early data was sent. */
  clientEarlyTrafficSecret?: Uint8Array;
}

/** What the caller decides about a connection that may resume. */
export interface ResumeOptions extends Tls13Options {
  /** The ticket to offer; without one (or with one that has expired or is for another name) a full handshake. */
  ticket?: StoredTicket;
  /** Data to send as 0-RTT when the ticket allows it; connectResumed sends it after the handshake otherwise. */
  earlyData?: Uint8Array;
  /** The time the ticket's age is counted to (default now). */
  now?: Date;
}

/** A handshake that may have resumed: like chapter 08's Established13, but the certificates only on a full handshake. */
export interface EstablishedResumed {
  records: Tls13RecordLayer;
  cipherSuite: number;
  group: number;
  clientHello: ClientHello;
  encryptedExtensions: EncryptedExtensions;
  serverCertificates: Certificate[];
  validation?: Validation;
  certificateVerify?: CertificateVerify;
  secrets: Tls13Secrets;
  resumption: Resumption;
}

/** The suites to offer: the ticket's first (0-RTT is only accepted with the very suite of the ticket, §4.2.10). */
function suitesFor(options: ResumeOptions): number[] {
  const suites = options.cipherSuites ?? [...TLS13_SUITES];
  const t = options.ticket;
  return t === undefined || !suites.includes(t.cipherSuite) ? suites : [t.cipherSuite, ...suites.filter((s) => s !== t.cipherSuite)];
}

/**
 * The client side of a TLS 1.3 handshake that offers `options.ticket` (RFC 8446 §2.2, §2.3):
 *
 *       ClientHello
 *       + early_data
 *       + key_share
 *       + psk_key_exchange_modes
 *       + pre_shared_key
 *       (Application Data*)     -------->
 *                                                  ServerHello
 *                                             + pre_shared_key
 *                                                 + key_share
 *                                        {EncryptedExtensions}
 *                                                + early_data*
 *                                                   {Finished}
 *                               <--------  [Application Data*]
 *       (EndOfEarlyData)
 *       {Finished}              -------->
 *
 *   () protected with client_early_traffic_secret, {} with the handshake secrets, [] with the application secrets.
 */
export async function clientHandshakeResumed(records: Tls13RecordLayer, options: ResumeOptions): Promise<EstablishedResumed> {
  // TODO 09.5: chapter 08's clientHandshake13 with a PSK, one step per message; each message goes into the
  // transcript as before. (1) The ClientHello: options.fixed, else makeClientHello as in chapter 08 but with
  // cipherSuites: suitesFor(options) (serverName: sniFor(servername), chapter 06); if a ticket
  // is usable (same servername, ticketValid at now), offerTicket(…, earlyData) where earlyData means we have data that
  // fits the ticket's maxEarlyDataSize. Send it. (2) With early data: earlyTraffic(ticket, the ClientHello's bytes),
  // write earlyKeyLogLine, the middlebox ChangeCipherSpec now in compatibility mode (§D.4), write with the early keys
  // and send the data before reading anything. (3) ServerHello. A HelloRetryRequest (checkServerHello it against the
  // first ClientHello) ends 0-RTT: the server skipped our early data. Go back to writing in the clear
  // (records.setWriteKeys(undefined)), send the compatibility ChangeCipherSpec if not yet sent, build the second
  // ClientHello with chapter 08's retryClientHello and, if the ticket's hash is the HelloRetryRequest suite's, offer
  // it again with offerTicket(…, false, messageHash(hash, ClientHello1) || HelloRetryRequest) (fresh age, fresh
  // binder, §4.1.2), else drop pre_shared_key. Send it; the next message must be a real ServerHello
  // (unexpected_message), checked against the SECOND ClientHello, with the HelloRetryRequest's suite. The transcript
  // is then ClientHello1 (restartAfterHelloRetry), HelloRetryRequest, ClientHello2, ServerHello. Then
  // checkServerHello; its pre_shared_key (decodeSelectedIdentity) means the PSK was accepted: the index must be 0,
  // the one identity we offered, and the suite's hash the ticket's (illegal_parameter, §4.2.11). A
  // key_share is required (we offer only psk_dhe_ke): missing_extension. (4) Keys: earlySecrets(hash, psk when
  // accepted), handshakeSecrets, read with the server's handshake keys; keep writing with the early keys for now. (5)
  // EncryptedExtensions: checkEncryptedExtensions; early_data there means accepted, which is illegal_parameter unless
  // we sent early data and the PSK was accepted. (6) Only when the PSK was refused: CertificateRequest?, Certificate,
  // CertificateVerify as in chapter 08 (with the PSK, the server's Finished proves it holds the PSK: no signature). (7)
  // The server's Finished, applicationSecrets, read with application keys. (8) If early data was accepted:
  // EndOfEarlyData (encodeEndOfEarlyData) under the EARLY keys, into the transcript (§4.5). Then (compatibility
  // ChangeCipherSpec if not yet sent) our handshake keys, an empty Certificate if asked, our Finished, application
  // keys, the resumption master secret, keyLogLines13. Return the EstablishedResumed.
  throw new NotImplemented("09.5");
  // END 09.5
}

/** A connection after a handshake that may have resumed. */
export interface ResumedConnection {
  version: typeof ProtocolVersion.TLS1_3;
  cipherSuite: number;
  group: number;
  encryptedExtensions: EncryptedExtensions;
  /** Empty when the PSK was accepted: a resumed server does not show its certificate again. */
  serverCertificates: Certificate[];
  validation?: Validation;
  certificateVerify?: CertificateVerify;
  secrets: Tls13Secrets;
  resumption: Resumption;
  /** True when options.earlyData went out after the handshake (early data rejected, or not possible with the ticket). */
  earlyDataResent: boolean;
  trace: TraceEntry[];
  /** The NewSessionTickets received so far, as chapter 08 keeps them. */
  tickets: ReceivedTicket[];
  /** The tickets received so far, ready to be stored and offered next time (acceptTicket drops the unusable ones). */
  newTickets(): StoredTicket[];
  write(data: Uint8Array): void;
  read(): Promise<Uint8Array | null>;
  updateKeys(requestPeer?: boolean): void;
  close(): void;
}

/** What connectResumed does right after the handshake: the early data again if it was not read, and new tickets. */
export function afterResumedHandshake(
  e: EstablishedResumed,
  state: PostHandshakeState,
  options: ResumeOptions,
): { earlyDataResent: boolean; newTickets: () => StoredTicket[] } {
  // TODO 09.6: RFC 8446 §4.2.10: "If the server ... rejects early data, the client ... MAY ... retransmit the
  // application data": if options.earlyData is non-empty and e.resumption.earlyData is not "accepted", send it now
  // with state.records.sendApplicationData (under the application keys) and set earlyDataResent. newTickets() maps
  // state.tickets through acceptTicket(t, options.servername, e.cipherSuite, e.secrets.resumptionMasterSecret),
  // keeping the StoredTickets (isStoredTicket).
  throw new NotImplemented("09.6");
  // END 09.6
}

/**
 * Connects, offering `options.ticket` if it is usable, with `options.earlyData` as 0-RTT if the ticket allows it.
 * Whatever the server decided, the data reaches it: if it was not read as early data, it is sent again as ordinary
 * application data right after the handshake. On failure: the fitting alert, the transport closed, the TlsError thrown.
 */
export async function connectResumed(transport: RecordTransport, options: ResumeOptions): Promise<ResumedConnection> {
  const records = new Tls13RecordLayer(transport, options.onTrace);
  records.padding = options.padding ?? 0;
  let e: EstablishedResumed;
  try {
    e = await clientHandshakeResumed(records, options);
  } catch (error) {
    records.abort(error);
    throw error;
  }
  const state: PostHandshakeState = {
    records,
    hash: e.secrets.hash,
    aead: suiteAead(e.cipherSuite),
    clientTrafficSecret: e.secrets.application.clientApplicationTrafficSecret,
    serverTrafficSecret: e.secrets.application.serverApplicationTrafficSecret,
    tickets: [],
  };
  let after: ReturnType<typeof afterResumedHandshake>;
  try {
    after = afterResumedHandshake(e, state, options);
  } catch (error) {
    records.abort(error);
    throw error;
  }
  const { earlyDataResent, newTickets } = after;
  const failed = (error: unknown): never => {
    records.abort(error);
    throw error;
  };
  return {
    version: ProtocolVersion.TLS1_3,
    cipherSuite: e.cipherSuite,
    group: e.group,
    encryptedExtensions: e.encryptedExtensions,
    serverCertificates: e.serverCertificates,
    ...(e.validation !== undefined ? { validation: e.validation } : {}),
    ...(e.certificateVerify !== undefined ? { certificateVerify: e.certificateVerify } : {}),
    secrets: e.secrets,
    resumption: e.resumption,
    earlyDataResent,
    trace: records.trace,
    tickets: state.tickets,
    newTickets,
    write: (bytes) => records.sendApplicationData(bytes),
    read: async () => {
      try {
        for (;;) {
          const next = await records.readPostHandshake();
          if (next === null) return null;
          if (next.kind === "data") return next.data;
          handlePostHandshake(state, next.message);
        }
      } catch (error) {
        return failed(error);
      }
    },
    updateKeys: (requestPeer = false) => sendKeyUpdate(state, requestPeer),
    close: () => records.close(),
  };
}

/** One line for a --trace view: what became of the ticket and the early data. */
export function describeResumption(r: Resumption, earlyDataResent = false): string {
  if (!r.pskOffered) return "full handshake (no usable ticket)";
  const psk = r.pskAccepted ? "PSK accepted (resumed, no certificate)" : "PSK refused (full handshake)";
  const early = r.earlyData === "not sent" ? "no early data" : `early data ${r.earlyData}`;
  return `${psk}; ${early}${earlyDataResent ? "; data resent after the handshake" : ""}`;
}
