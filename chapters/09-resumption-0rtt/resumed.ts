// A TLS 1.3 client that resumes: it offers a ticket in its ClientHello, sends its first request as 0-RTT early data
// right behind it, and then follows whatever the server decided: PSK and early data accepted (no certificates, an
// EndOfEarlyData), PSK accepted but early data rejected (the data goes again after the handshake), or PSK refused (a
// full handshake as in chapter 08). The script is chapter 08's, with this chapter's steps added; none of chapter 08's
// is written again. Read RFC 8446 §2.2–2.3 (the flows), §4.2.10 (early data), §4.2.11 (PSK), §4.5 (EndOfEarlyData),
// §7.1 (the early secrets) and §D.4 (middlebox compatibility).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, ExtensionType, ProtocolVersion, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, extensionType } from "../01-client-hello/index.js";
import { serverExtensionType } from "../02-server-hello/index.js";
import { type Certificate, type HashName, type Validation, digest } from "../03-certificates/index.js";
import { type RecordTransport, writeKeyLog } from "../06-tls12-handshake/index.js";
import { type Aead13, type TrafficKeys, earlySecrets, suiteAead, suiteHash, trafficKeys } from "../07-tls13-key-schedule/index.js";
import {
  type ApplicationKeys,
  type CertificateVerify,
  type ClientHelloSent,
  type Direction13,
  type EncryptedExtensions,
  type HandshakeKeys,
  type Hellos,
  type PostHandshakeState,
  type ReceivedTicket,
  type RetryBuilder,
  type ServerAuthentication,
  TLS13_SUITES,
  type Tls13Options,
  type Tls13Secrets,
  type TraceEntry,
  Tls13RecordLayer,
  channel13,
  compatibilityMode,
  direction13,
  establishHandshakeKeys,
  newClientHello13,
  processServerHello,
  readServerCertificate,
  readServerFinished,
  readServerParameters,
  retryClientHello,
  sendClientFinished,
  sendClientHello,
  tls13Secrets,
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

/** A ClientHello that has gone out, with the ticket it offered and the 0-RTT data sent behind it. */
export interface ResumingHello extends ClientHelloSent {
  /** The ticket offered: options.ticket if it was usable (same server name, not expired). */
  ticket?: StoredTicket;
  /** Set when 0-RTT data went out: its keys, and the direction that sealed it (EndOfEarlyData continues it). */
  early?: { traffic: EarlyTraffic; direction: Direction13 };
}

/**
 * Sends the ClientHello that offers `options.ticket` (if it is usable at `now`) and, right behind it and before
 * reading anything, `options.earlyData` as 0-RTT data if the ticket allows that much (RFC 8446 §2.3, §4.2.10).
 */
export function sendResumingClientHello(records: Tls13RecordLayer, options: ResumeOptions, now: Date): ResumingHello {
  // TODO 09.5: 0-RTT data is sealed with keys from the PSK and THIS ClientHello's bytes, before anything is read.
  // 1. ticket = options.ticket if it is for options.servername and ticketValid(it, now), else undefined.
  // 2. sendEarly: a ticket, and options.earlyData of 1 … ticket.maxEarlyDataSize bytes.
  // 3. base = newClientHello13({ ...options, cipherSuites: suitesFor(options) }) (chapter 08); with a ticket,
  //    offerTicket(base.clientHello, ticket, now, sendEarly) (09.3). Send it: sendClientHello (chapter 08).
  // 4. No early data: return { ...sent, ticket }.
  // 5. traffic = earlyTraffic(ticket, sent.message); writeKeyLog(options.keyLog, earlyKeyLogLine(random, its secret)).
  // 6. Compatibility mode (compatibilityMode): records.sendChangeCipherSpec() now, before the first protected record.
  // 7. direction = direction13(traffic.aead, traffic.keys, "client early traffic"); records.setWriteKeys(direction);
  //    records.sendApplicationData(the data). Return { ...sent, changeCipherSpecSent, ticket, early: { traffic, direction } }.
  throw new NotImplemented("09.5");
  // END 09.5
}

/**
 * The second ClientHello after a HelloRetryRequest, for chapter 08's processServerHello: chapter 08's retryClientHello,
 * with the ticket offered again (a fresh age and binder, no early data) if its hash is the HelloRetryRequest suite's.
 */
export function retryWithTicket(ticket: StoredTicket | undefined, now: Date): RetryBuilder {
  return (first, hrr, transcriptBefore) => {
    // TODO 09.6: the new binder covers message_hash(ClientHello1) || HelloRetryRequest first (RFC 8446 §4.2.11.2).
    // 1. second = retryClientHello(first, hrr) (chapter 08: the new key share, the cookie, early_data gone).
    // 2. A ticket whose hash is the HelloRetryRequest suite's (suiteHash of each cipher suite): return second with
    //    offerTicket(second.clientHello, ticket, now, false, transcriptBefore) as its ClientHello.
    // 3. Otherwise the PSK cannot be used with this suite: return second without its pre_shared_key extension.
    throw new NotImplemented("09.6");
    // END 09.6
  };
}

/**
 * The PSK the key schedule starts from: the ticket's, if the ServerHello chose it (pre_shared_key), else undefined
 * (a full handshake, chapter 08's). RFC 8446 §4.2.11.
 */
export function acceptedPsk(hellos: Hellos, ticket: StoredTicket | undefined): Uint8Array | undefined {
  // TODO 09.7: use the PSK only if it is the one we offered and its hash is the suite's (RFC 8446 §4.2.11).
  // 1. No pre_shared_key among hellos.serverHello's extensions (serverExtensionType): return undefined.
  // 2. selected = decodeSelectedIdentity(its data); selected >= the identities offeredPsks(hellos.clientHello) holds
  //    (0 if none): illegal_parameter, field "selected_identity".
  // 3. No ticket, or suiteHash(ticket.cipherSuite) is not the negotiated suite's: illegal_parameter, field "cipher_suite".
  // 4. Return ticket.psk.
  throw new NotImplemented("09.7");
  // END 09.7
}

/** Whether the server read our 0-RTT data: early_data in its EncryptedExtensions (RFC 8446 §4.2.10). */
export function earlyDataAccepted(ee: EncryptedExtensions, sent: ResumingHello, psk: Uint8Array | undefined, cipherSuite: number): boolean {
  // TODO 09.7: the server may accept early data only if we sent some, under the PSK it accepted, with its suite.
  // 1. accepted = ee.extensions has one of kind "early_data".
  // 2. accepted, but no early data was sent (sent.early) or no PSK accepted: illegal_parameter, field "early_data".
  // 3. accepted under another suite than the ticket's: illegal_parameter, field "cipher_suite". Return accepted.
  throw new NotImplemented("09.7");
  // END 09.7
}

/**
 * EndOfEarlyData (RFC 8446 §4.5): the last record of the 0-RTT stream, sent after the server's Finished when it read
 * our early data. establishHandshakeKeys (chapter 08) already put our handshake keys on; this message goes back under
 * the early keys (their sequence numbers continue), then the handshake keys return for our Finished. (An alert sent
 * between the ServerHello and here goes under the handshake keys: the server, still reading 0-RTT, cannot open it,
 * and the connection fails either way.)
 */
export function sendEndOfEarlyData(records: Tls13RecordLayer, sent: ResumingHello, hellos: Hellos, keys: HandshakeKeys): void {
  // TODO 09.8: EndOfEarlyData goes under the EARLY keys, and into the transcript before our Finished.
  // 1. records.setWriteKeys(sent.early.direction): the same direction, so its sequence number continues.
  // 2. message = encodeEndOfEarlyData(); records.sendHandshake(message); hellos.transcript.add(message).
  // 3. records.setWriteKeys(direction13(keys.aead, keys.keys.client, "client handshake traffic")).
  throw new NotImplemented("09.8");
  // END 09.8
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
  // TODO 09.9: chapter 08's script (08.17) with a PSK: its steps as they are, and this chapter's four in between.
  // 1. now = options.now ?? new Date(); sent = sendResumingClientHello(records, options, now).
  // 2. hellos = await processServerHello(records, sent, retryWithTicket(sent.ticket, now)).
  // 3. psk = acceptedPsk(hellos, sent.ticket); keys = establishHandshakeKeys(records, hellos, options.keyLog, psk).
  // 4. encryptedExtensions = await readServerParameters(records, hellos);
  //    earlyAccepted = earlyDataAccepted(encryptedExtensions, sent, psk, keys.cipherSuite).
  // 5. No PSK: server = await readServerCertificate(records, hellos, options). (With one, the Finished is the proof.)
  // 6. app = await readServerFinished(records, hellos, keys, options.keyLog).
  // 7. earlyAccepted: sendEndOfEarlyData(records, sent, hellos, keys).
  // 8. resumption = sendClientFinished(records, hellos, keys, app, server?.certificateRequest).
  // 9. Return resumedHandshake(records, sent, hellos, keys, app, resumption, encryptedExtensions, server, psk, earlyAccepted).
  throw new NotImplemented("09.9");
  // END 09.9
}

/** What clientHandshakeResumed returns, gathered from what its steps returned. */
export function resumedHandshake(
  records: Tls13RecordLayer,
  sent: ResumingHello,
  hellos: Hellos,
  keys: HandshakeKeys,
  app: ApplicationKeys,
  resumption: Uint8Array,
  encryptedExtensions: EncryptedExtensions,
  server: ServerAuthentication | undefined,
  psk: Uint8Array | undefined,
  earlyAccepted: boolean,
): EstablishedResumed {
  return {
    records,
    cipherSuite: keys.cipherSuite,
    group: keys.group,
    clientHello: hellos.clientHello,
    encryptedExtensions,
    serverCertificates: server?.serverCertificates ?? [],
    ...(server !== undefined ? { validation: server.validation, certificateVerify: server.certificateVerify } : {}),
    secrets: tls13Secrets(hellos, keys, app, resumption),
    resumption: {
      pskOffered: sent.ticket !== undefined,
      pskAccepted: psk !== undefined,
      earlyData: sent.early === undefined ? "not sent" : earlyAccepted ? "accepted" : "rejected",
      ...(sent.early !== undefined ? { clientEarlyTrafficSecret: sent.early.traffic.clientEarlyTrafficSecret } : {}),
    },
  };
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
  // TODO 09.10: RFC 8446 §4.2.10: "If the server ... rejects early data, the client ... MAY ... retransmit the
  // application data": if options.earlyData is non-empty and e.resumption.earlyData is not "accepted", send it now
  // with state.records.sendApplicationData (under the application keys) and set earlyDataResent. newTickets() maps
  // state.tickets through acceptTicket(t, options.servername, e.cipherSuite, e.secrets.resumptionMasterSecret),
  // keeping the StoredTickets (isStoredTicket).
  throw new NotImplemented("09.10");
  // END 09.10
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
  const channel = channel13(records, e.cipherSuite, e.secrets);
  let after: ReturnType<typeof afterResumedHandshake>;
  try {
    after = afterResumedHandshake(e, channel.state, options);
  } catch (error) {
    records.abort(error);
    throw error;
  }
  const { state: _state, ...rest } = channel;
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
    earlyDataResent: after.earlyDataResent,
    newTickets: after.newTickets,
    ...rest,
  };
}

/** One line for a --trace view: what became of the ticket and the early data. */
export function describeResumption(r: Resumption, earlyDataResent = false): string {
  if (!r.pskOffered) return "full handshake (no usable ticket)";
  const psk = r.pskAccepted ? "PSK accepted (resumed, no certificate)" : "PSK refused (full handshake)";
  const early = r.earlyData === "not sent" ? "no early data" : `early data ${r.earlyData}`;
  return `${psk}; ${early}${earlyDataResent ? "; data resent after the handshake" : ""}`;
}
