// A TLS 1.3 server, from the first ClientHello to application data: one short script that reads like RFC 8446 §2 from
// the server's side, and the steps it calls, each one message or one decision. Everything below the steps is
// chapters 00–09's: the same codecs, key schedule and record layer as the client's, with the directions swapped.
// Read RFC 8446 §2 (the flows), §2.2–2.3 (resumption and 0-RTT), §4.1.4 (HelloRetryRequest), §4.4 (the server's
// authentication messages) and §D.4 (middlebox compatibility).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError, decodeError, illegalParameter } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { readOpaque } from "../00-bytes/index.js";
import { type ClientHello, type KeyPair, decodeClientHello, extensionType, makeKeyPair } from "../01-client-hello/index.js";
import { type ServerChoice, encodeServerHello } from "../02-server-hello/index.js";
import { type HashName, digest, encodeCertificate } from "../03-certificates/index.js";
import { type RecordTransport, expectMessage, writeKeyLog } from "../06-tls12-handshake/index.js";
import {
  type Aead13,
  type ApplicationSecrets,
  type EarlySecrets,
  type HandshakeSecrets,
  type TrafficKeys,
  TranscriptHash,
  applicationSecrets,
  earlySecrets,
  handshakeSecrets,
  keyLogLines13,
  resumptionMasterSecret,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../07-tls13-key-schedule/index.js";
import {
  type CertificateVerify,
  type EncryptedExtensions,
  type Tls13RecordLayer,
  compatibilityMode,
  direction13,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeNewSessionTicket,
} from "../08-tls13-handshake/index.js";
import { earlyKeyLogLine } from "../09-resumption-0rtt/index.js";
import { hasExtension, processClientHello } from "./client-hello.js";
import { DEFAULT_ALPN, DEFAULT_TICKETS, DEFAULT_TICKET_LIFETIME, SERVER_GROUPS, type Tls13ServerConfig, clock, serverPreferences } from "./config.js";
import { type EarlyDataDecision, type EarlyDataSkipper, decideEarlyData, readEarlyData } from "./early-data.js";
import { checkSecondClientHello, helloRetryRequest, invariantHash, messageHashFromHash, openCookie, sealCookie } from "./hello-retry.js";
import { type AcceptedPsk, checkPskOffer } from "./psk.js";
import {
  type CertificateChoice,
  type ServerKeyShare,
  checkClientFinished,
  chooseAlpn,
  encryptedExtensions,
  pickCertificate,
  serverFinished,
  serverHello,
  serverKeyShare,
  signCertificateVerify,
} from "./server-messages.js";
import { type TicketState, newSessionTicket } from "./tickets.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * How many bytes of early data a server skips when it does not read them (RFC 8446 §4.2.10: "up to the configured
 * max_early_data_size"): its own limit, and at least one whole record, for tickets issued while the limit was higher.
 */
export const MIN_EARLY_DATA_SKIP = 2 ** 14 + 256;

export function earlyDataBudget(config: Tls13ServerConfig): number {
  return Math.max(config.maxEarlyData ?? 0, MIN_EARLY_DATA_SKIP);
}

/** The ClientHello the server answers, what it chose from it, and the transcript so far. */
export interface ClientHelloRead {
  clientHello: ClientHello;
  /** The ClientHello as received: the transcript and the binder take these bytes, never a re-encoding. */
  message: Uint8Array;
  choice: ServerChoice;
  /** ClientHello, or message_hash(ClientHello1) + HelloRetryRequest + ClientHello2 after a retry (RFC 8446 §4.4.1). */
  transcript: TranscriptHash;
  /** What precedes this ClientHello in the transcript: empty, or message_hash(ClientHello1) || HelloRetryRequest. */
  transcriptBefore: Uint8Array;
  helloRetry: boolean;
  /** True once the middlebox ChangeCipherSpec has gone out (after a HelloRetryRequest). */
  changeCipherSpecSent: boolean;
}

/** The cookie a second ClientHello must carry back, `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2). */
function returnedCookie(ch: ClientHello): Uint8Array {
  const ext = ch.extensions.find((e) => extensionType(e) === ExtensionType.cookie);
  if (ext === undefined || ext.kind !== "raw") {
    throw new TlsError(AlertDescription.missing_extension, "the second ClientHello must send the cookie back (RFC 8446 §4.2.2)", { field: "cookie" });
  }
  const r = new ByteReader(ext.data);
  const cookie = readOpaque(r, 2, "cookie");
  r.end("cookie");
  if (cookie.length === 0) throw decodeError("cookie", 0, "a cookie must not be empty (<1..2^16-1>)");
  return cookie;
}

/** No usable key share: a HelloRetryRequest whose cookie holds all the server must know later. Returns true if a ChangeCipherSpec went out too. */
export function sendHelloRetryRequest(records: Tls13RecordLayer, ch1: ClientHello, message1: Uint8Array, choice: ServerChoice, config: Tls13ServerConfig): boolean {
  // TODO 10.4: hash = suiteHash(choice.cipherSuite). cookie = sealCookie(config.cookieKey, { cipherSuite, group,
  // clientHello1Hash: digest(hash, message1), invariantHash: invariantHash(hash, ch1), issuedAt: clock(config) }).
  // Send encodeServerHello(helloRetryRequest(ch1, suite, group, cookie)). In middlebox compatibility mode (the
  // client sent a session id: chapter 08's compatibilityMode) send the dummy ChangeCipherSpec right after it, "after
  // its first handshake message" (RFC 8446 §D.4), and return whether you did.
  throw new NotImplemented("10.4");
  // END 10.4
}

/** The second ClientHello, judged by its cookie alone: the server kept nothing of the first. */
export async function readSecondClientHello(records: Tls13RecordLayer, skipper: EarlyDataSkipper, config: Tls13ServerConfig): Promise<Omit<ClientHelloRead, "changeCipherSpecSent">> {
  // TODO 10.4: read the next handshake message, a ClientHello (expectMessage); skipper.pass() (the early data
  // before it, if any, has been skipped). decodeClientHello; openCookie(config.cookieKey, returnedCookie(ch2),
  // clock(config)); checkSecondClientHello(ch2, state); processClientHello(ch2, serverPreferences(config)) must now
  // give the cookie's suite and group with a share in it (else illegal_parameter). Rebuild the HelloRetryRequest
  // from ch2, the cookie's suite and group and the cookie itself (the same bytes that were sent, since the session id
  // cannot have changed). transcriptBefore = messageHashFromHash(hash, state.clientHello1Hash) || HelloRetryRequest;
  // the transcript holds those two messages, then ClientHello2 (RFC 8446 §4.4.1).
  throw new NotImplemented("10.4");
  // END 10.4
}

/** Reads the ClientHello; without a usable key share, asks for another with a HelloRetryRequest (RFC 8446 §4.1.4). */
export async function readClientHello(records: Tls13RecordLayer, skipper: EarlyDataSkipper, config: Tls13ServerConfig): Promise<ClientHelloRead> {
  // TODO 10.4: the first message must be a ClientHello (expectMessage). Once it is here, a middlebox
  // ChangeCipherSpec may arrive (records.inHandshake = true, RFC 8446 §5). decodeClientHello (chapter 01), then
  // processClientHello (10.1). A key share in the chosen group: the transcript is a new TranscriptHash(suiteHash(suite))
  // holding this message; return it with an empty transcriptBefore. Else sendHelloRetryRequest; if the first
  // ClientHello offered early_data, skipper.skipBeforeSecondHello(earlyDataBudget(config)) (its 0-RTT records are
  // unreadable now, §4.2.10); then readSecondClientHello, with changeCipherSpecSent from sendHelloRetryRequest.
  throw new NotImplemented("10.4");
  // END 10.4
}

/** Everything the server's flight settled: the keys of both directions and what was sent. */
export interface ServerFlight {
  cipherSuite: number;
  group: number;
  hash: HashName;
  aead: Aead13;
  serverRandom: Uint8Array;
  keyShare: ServerKeyShare;
  early: EarlySecrets;
  handshake: HandshakeSecrets;
  application: ApplicationSecrets;
  handshakeKeys: { client: TrafficKeys; server: TrafficKeys };
  applicationKeys: { client: TrafficKeys; server: TrafficKeys };
  encryptedExtensions: EncryptedExtensions;
  /** The certificate and scheme, on a full handshake (a PSK replaces them). */
  certificate?: CertificateChoice;
  certificateVerify?: CertificateVerify;
}

/**
 * The server's whole flight: ServerHello, then under the handshake keys EncryptedExtensions, Certificate and
 * CertificateVerify (not when a PSK was accepted) and Finished; afterwards the server writes with its application keys.
 */
export function sendServerFlight(
  records: Tls13RecordLayer,
  hello: ClientHelloRead,
  psk: AcceptedPsk | undefined,
  alpn: string | undefined,
  earlyDataAccepted: boolean,
  config: Tls13ServerConfig,
): ServerFlight {
  // TODO 10.12: add every message you send to hello.transcript, in order. (1) On a full handshake choose the
  // certificate first (pickCertificate, 10.10), so a client we cannot sign for gets its alert before any ServerHello.
  // (2) serverKeyShare(choice, fixed key pair or makeKeyPair) (10.5; config.keyShare instead if set); send encodeServerHello(serverHello(ch, suite,
  // keyPair, config.fixed?.random ?? 32 random bytes, psk?.index)); the middlebox ChangeCipherSpec if in compatibility
  // mode and not sent yet. (3) earlySecrets(hash, psk?.state.psk), handshakeSecrets with transcript.hash() (chapter
  // 07); write with the server's handshake keys. (4) encryptedExtensions(ch, config.advertisedGroups ?? config.groups ??
  // SERVER_GROUPS, alpn, earlyDataAccepted) (10.6). (5) Full handshake: the Certificate (chapter 03's form for TLS 1.3:
  // empty context, the chain with no extensions), then encodeCertificateVerify(signCertificateVerify(choice,
  // transcript.hash(), config.fixed?.pssSalt)) (10.10). (6) serverFinished (10.11). (7) applicationSecrets, and write
  // with the server's application keys: the server may send data now, before the client's Finished (0.5-RTT).
  throw new NotImplemented("10.12");
  // END 10.12
}

/**
 * The client's second flight: its Finished (after EndOfEarlyData, if early data was read). The record layer must be
 * reading with the client's handshake keys. Returns the resumption master secret.
 */
export async function readClientFinished(records: Tls13RecordLayer, flight: ServerFlight, transcript: TranscriptHash): Promise<Uint8Array> {
  // TODO 10.13: the next handshake message must be Finished (expectMessage: a Certificate we never asked for is
  // unexpected_message too); checkClientFinished over transcript.hash() BEFORE adding it (10.11); add it. The
  // handshake is over: records.inHandshake = false (a ChangeCipherSpec now is unexpected_message, RFC 8446 §5), read
  // with the client's application keys, and return resumptionMasterSecret(flight.application, transcript.hash()):
  // the one secret whose transcript holds the client's Finished (chapter 07).
  throw new NotImplemented("10.13");
  // END 10.13
}

/** Sends `config.tickets` NewSessionTickets under the application keys; returns what they hold. */
export function sendSessionTickets(records: Tls13RecordLayer, flight: ServerFlight, resumption: Uint8Array, alpn: string | undefined, serverName: string | undefined, config: Tls13ServerConfig): TicketState[] {
  if (config.ticketKeys === undefined) return [];
  const states: TicketState[] = [];
  for (let index = 0; index < (config.tickets ?? DEFAULT_TICKETS); index++) {
    const ageAdd = config.fixed?.ticketAgeAdd ?? new DataView(randomBytes(4).buffer).getUint32(0);
    const params = {
      cipherSuite: flight.cipherSuite,
      resumptionMasterSecret: resumption,
      index,
      now: clock(config),
      lifetime: config.ticketLifetime ?? DEFAULT_TICKET_LIFETIME,
      ageAdd,
      maxEarlyData: config.maxEarlyData ?? 0,
      alpn,
      serverName,
    };
    const { ticket, state } = newSessionTicket(params, config.ticketKeys);
    records.sendHandshake(encodeNewSessionTicket(ticket));
    states.push(state);
  }
  return states;
}

/** What the handshake settled, for the connection and its page. */
export interface ServerEstablished {
  hello: ClientHelloRead;
  psk?: AcceptedPsk;
  alpn?: string;
  early: EarlyDataDecision;
  /** Bytes of 0-RTT data read. */
  earlyDataReceived: number;
  flight: ServerFlight;
  resumptionMasterSecret: Uint8Array;
  tickets: TicketState[];
}

/** What is settled once the server's flight is out: what the application may know while 0-RTT data arrives. */
export type HandshakeSoFar = Pick<ServerEstablished, "hello" | "psk" | "alpn" | "early" | "flight">;

/** Called with each piece of accepted 0-RTT data as it arrives, before the client's Finished; `write` answers it. */
export type EarlyDataHandler = (data: Uint8Array, write: (data: Uint8Array) => void, known: HandshakeSoFar) => void | Promise<void>;

/** The server's handshake, message by message (RFC 8446 §2, §2.2, §2.3), from the server's side:
 *
 *       Client                                               Server
 *       ClientHello
 *       + key_share
 *       + pre_shared_key, early_data*
 *       (Application Data*)         -------->
 *                                                       ServerHello
 *                                                       + key_share
 *                                                 + pre_shared_key*
 *                                             {EncryptedExtensions}
 *                                                    {Certificate*}
 *                                              {CertificateVerify*}
 *                                                        {Finished}
 *                                   <--------   [Application Data*]
 *       (EndOfEarlyData*)
 *       {Finished}                  -------->
 *                                   <--------   [NewSessionTicket*]
 *       [Application Data]          <------->    [Application Data]
 *
 *   () client_early_traffic_secret, {} handshake keys, [] application keys; * only sometimes.
 */
export async function serverHandshake13(
  records: Tls13RecordLayer,
  skipper: EarlyDataSkipper,
  config: Tls13ServerConfig,
  onEarlyData?: EarlyDataHandler,
): Promise<ServerEstablished> {
  // TODO 10.14: the script, one step per line of the diagram. (1) readClientHello (10.4). (2) checkPskOffer with
  // its message, transcriptBefore, the chosen suite, config.ticketKeys and clock(config) (10.17): the binder first.
  // (3) alpn = chooseAlpn(ch, config.alpn ?? DEFAULT_ALPN); decideEarlyData (10.19). (4) sendServerFlight (10.12),
  // then write keyLogLines13(client random, handshake, application secrets) to config.keyLog (writeKeyLog). (5)
  // Early data accepted: its secret is flight.early.clientEarlyTrafficSecret(digest(hash, the ClientHello)) (also to
  // the key log: earlyKeyLogLine); read with its keys (direction13 + trafficKeys) and hand each readEarlyData piece to
  // onEarlyData (with records.sendApplicationData as its `write`, and { hello, psk, alpn, early, flight }: what is known
  // so far) until null (10.20); the limit is the ticket's
  // maxEarlyData. Not accepted: read with the client's handshake keys, and if early data was offered,
  // skipper.skipUndecryptable(a separate direction13 of those keys, earlyDataBudget(config)). (6) readClientFinished
  // (10.13). (7) sendSessionTickets. Return the ServerEstablished.
  throw new NotImplemented("10.14");
  // END 10.14
}

/** The host name the client asked for (RFC 6066 §3), if any. */
export function findServerName(ch: ClientHello): string | undefined {
  for (const e of ch.extensions) if (e.kind === "server_name") return e.serverNames[0]?.hostName;
  return undefined;
}
