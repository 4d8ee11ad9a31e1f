// A TLS 1.3 client, from ClientHello to application data: a short script that reads like the message flow of RFC 8446
// §2, one step per message (hellos.ts, server-flight.ts, client-flight.ts), built from chapters 00–07 and this
// chapter's records and messages. Then what can happen after the handshake: session tickets kept for chapter 09,
// KeyUpdate answered. Read RFC 8446 §2 (the flow), §4.6 (post-handshake messages) and the NSS key log format.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { HandshakeType, ProtocolVersion, describeCode, AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { ClientHello, KeyPair } from "../01-client-hello/index.js";
import type { ServerHello } from "../02-server-hello/index.js";
import type { Certificate, HashName, Validation } from "../03-certificates/index.js";
import type { ClientCredential, KeyLogTarget, RecordTransport } from "../06-tls12-handshake/index.js";
import {
  type Aead13,
  type ApplicationSecrets,
  type HandshakeSecrets,
  type TrafficKeys,
  nextTrafficSecret,
  suiteAead,
  trafficKeys,
} from "../07-tls13-key-schedule/index.js";
import type { CertificateVerify } from "./certificate-verify.js";
import { sendClientCertificate13 } from "./client-auth.js";
import { sendClientFinished } from "./client-flight.js";
import type { EncryptedExtensions } from "./encrypted-extensions.js";
import { type ClientHelloOffer, type ClientHelloSent, type Hellos, newClientHello13, processServerHello, sendClientHello } from "./hellos.js";
import { type NewSessionTicket, decodeKeyUpdate, decodeNewSessionTicket, encodeKeyUpdate } from "./post-handshake.js";
import { direction13 } from "./record-protection.js";
import { type TraceEntry, Tls13RecordLayer } from "./record-layer.js";
import {
  type ApplicationKeys,
  type HandshakeKeys,
  establishHandshakeKeys,
  readServerCertificate,
  readServerFinished,
  readServerParameters,
} from "./server-flight.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * Values that replace the random ones, for tests that replay a recorded handshake (RFC 8448, tls13.xargs.org)
 * byte for byte. Never set in real use.
 */
export interface FixedHandshake {
  /** The ClientHello to send, and the private keys behind its key shares. */
  clientHello: ClientHello;
  keyPairs: KeyPair[];
  /** Builds the second ClientHello after a HelloRetryRequest (default: retryClientHello with fresh keys). */
  retry?: (first: { clientHello: ClientHello; keyPairs: KeyPair[] }, hrr: ServerHello, transcriptBefore: Uint8Array) => { clientHello: ClientHello; keyPairs: KeyPair[] };
  /** Judges the server's chain instead of validateChain (recorded certificates name no host, or have expired). */
  validate?: (chain: Certificate[]) => Validation;
}

/** What the caller decides about a connection. */
export interface Tls13Options {
  /** The name the client dialled: sent as server_name (unless it is an IP address) and checked against the certificate. */
  servername: string;
  /** The trust anchors: the server's chain must lead to one of these. */
  ca: Certificate[];
  /** The suites to offer, best first (default: all three TLS 1.3 suites). */
  cipherSuites?: number[];
  /** The groups to offer in supported_groups (default x25519, secp256r1). */
  groups?: number[];
  /** The groups to send a key share for right away (default: the first of `groups`). */
  keyShareGroups?: number[];
  /** The signature schemes to offer (default: chapter 01's list). */
  signatureSchemes?: number[];
  /** Where the NSS key log lines go: a file to append to, or a function to call once per line. */
  keyLog?: KeyLogTarget;
  /** The time to validate the certificates at (default now). */
  at?: Date;
  /** Called with everything sent or received, as it happens (a --trace view). */
  onTrace?: (entry: TraceEntry) => void;
  /** Zero bytes of padding in every protected record we send (RFC 8446 §5.4); default 0. */
  padding?: number;
  /** Our certificate and signer, for a server that asks who we are (mutual TLS, client-auth.ts); without it we answer
   * a CertificateRequest with an empty Certificate and the server decides. */
  clientCredential?: ClientCredential;
  /** Tests only: replay a recorded handshake. */
  fixed?: FixedHandshake;
  /**
   * Builds the first ClientHello around `base`, the one chapter 08 would send (TLS 1.3 only, or both versions: 08.19):
   * chapter 12's offer adds a hybrid post-quantum key share, whose key pairs finish the exchange themselves
   * (KeyPair.sharedSecret).
   */
  offer?: (options: Tls13Options, base: (options: Tls13Options) => ClientHelloOffer) => ClientHelloOffer;
}

/** The secrets of a connection, in the order the key schedule made them; enough to decrypt it afterwards. */
export interface Tls13Secrets {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** The suite's hash: SHA-256, or SHA-384 for TLS_AES_256_GCM_SHA384. */
  hash: HashName;
  /** The (EC)DHE shared secret (RFC 8446 §7.4). */
  sharedSecret: Uint8Array;
  earlySecret: Uint8Array;
  handshake: HandshakeSecrets;
  application: ApplicationSecrets;
  /** RFC 8446 §7.1: every session ticket's PSK is derived from it (chapter 09). */
  resumptionMasterSecret: Uint8Array;
  /** The record keys: handshake keys protect EncryptedExtensions … Finished, application keys everything after. */
  handshakeKeys: { client: TrafficKeys; server: TrafficKeys };
  applicationKeys: { client: TrafficKeys; server: TrafficKeys };
}

/** A NewSessionTicket the server sent after the handshake, and when it arrived (its lifetime counts from then). */
export interface ReceivedTicket {
  ticket: NewSessionTicket;
  receivedAt: Date;
}

/** A connection after a completed TLS 1.3 handshake. */
export interface Tls13Connection {
  version: typeof ProtocolVersion.TLS1_3;
  cipherSuite: number;
  /** The group of the (EC)DHE exchange. */
  group: number;
  /** True when the server first answered with a HelloRetryRequest. */
  helloRetryRequest: boolean;
  encryptedExtensions: EncryptedExtensions;
  /** The certificates the server sent, its own first. */
  serverCertificates: Certificate[];
  /** The validated path and every check made on it. */
  validation: Validation;
  certificateVerify: CertificateVerify;
  secrets: Tls13Secrets;
  /** Everything sent and received so far, in order. */
  trace: TraceEntry[];
  /** The session tickets received so far (they arrive after the handshake, while reading). */
  tickets: ReceivedTicket[];
  /** Sends application data (encrypted, in records of at most 2^14 bytes). */
  write(data: Uint8Array): void;
  /** The next application data from the server, or null once it has closed. Handles tickets and KeyUpdates on the way. */
  read(): Promise<Uint8Array | null>;
  /** Moves our sending keys on (KeyUpdate); with `requestPeer`, asks the server to move its keys on too. */
  updateKeys(requestPeer?: boolean): void;
  /** Sends close_notify and closes the connection. */
  close(): void;
}

/** What the handshake learned, and the record layer to go on with. */
export interface Established13 {
  records: Tls13RecordLayer;
  cipherSuite: number;
  group: number;
  helloRetryRequest: boolean;
  encryptedExtensions: EncryptedExtensions;
  serverCertificates: Certificate[];
  validation: Validation;
  certificateVerify: CertificateVerify;
  secrets: Tls13Secrets;
}

/**
 * Runs the client side of a full TLS 1.3 handshake over `transport` and returns the connection, ready for
 * application data. On any failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function connectTls13(transport: RecordTransport, options: Tls13Options): Promise<Tls13Connection> {
  const records = new Tls13RecordLayer(transport, options.onTrace);
  records.padding = options.padding ?? 0;
  try {
    return established13(await clientHandshake13(records, options));
  } catch (error) {
    records.abort(error);
    throw error;
  }
}

/**
 * The handshake itself, message by message (RFC 8446 §2). `sent` is a ClientHello that already went out (08.19 sends
 * one hello for both versions and, when the server picks TLS 1.3, goes on here):
 *
 *       Client                                           Server
 *
 *       ClientHello
 *       + key_share             -------->
 *                                                   ServerHello
 *                                                   + key_share
 *                                         {EncryptedExtensions}
 *                                         {CertificateRequest*}
 *                                                {Certificate*}
 *                                          {CertificateVerify*}
 *                                                    {Finished}
 *                               <--------   [Application Data*]
 *       {Certificate*}
 *       {CertificateVerify*}
 *       {Finished}              -------->
 *       [Application Data]      <------->    [Application Data]
 *
 *   {} protected with the [sender]_handshake_traffic_secret keys, [] with the [sender]_application_traffic_secret_N keys.
 */
export async function clientHandshake13(records: Tls13RecordLayer, options: Tls13Options, sent?: ClientHelloSent): Promise<Established13> {
  // TODO 08.17: the script of RFC 8446 §2, one step per message, each step's result handed to the next.
  // 1. first = sent (a ClientHello that already went out: the offer of both versions, 08.19) or else
  //    sendClientHello(records, newClientHello13(options)).
  // 2. hellos = await processServerHello(records, first, options.fixed?.retry) (a HelloRetryRequest is handled there).
  // 3. keys = establishHandshakeKeys(records, hellos, options.keyLog) (no PSK: chapter 09 passes one).
  // 4. encryptedExtensions = await readServerParameters(records, hellos).
  // 5. server = await readServerCertificate(records, hellos, options).
  // 6. app = await readServerFinished(records, hellos, keys, options.keyLog).
  // 7. A server.certificateRequest? sendClientCertificate13(records, hellos, it, options.clientCredential) (given; it
  //    calls 08.20–08.21 when we have a credential).
  //    resumption = sendClientFinished(records, hellos, keys, app): our Finished, after our Certificate if any.
  // 8. Return { records, cipherSuite, group (both from keys), helloRetryRequest, encryptedExtensions, the three of
  //    server (serverCertificates, validation, certificateVerify), secrets: tls13Secrets(hellos, keys, app, resumption) }.
  throw new NotImplemented("08.17");
  // END 08.17
}

/** The secrets of a finished handshake, gathered from what its steps returned. */
export function tls13Secrets(hellos: Hellos, keys: HandshakeKeys, app: ApplicationKeys, resumption: Uint8Array): Tls13Secrets {
  return {
    clientRandom: hellos.clientHello.random,
    serverRandom: hellos.serverHello.random,
    hash: keys.hash,
    sharedSecret: keys.sharedSecret,
    earlySecret: keys.early.earlySecret,
    handshake: keys.secrets,
    application: app.secrets,
    resumptionMasterSecret: resumption,
    handshakeKeys: keys.keys,
    applicationKeys: app.keys,
  };
}

/** What post-handshake messages change: the current traffic secrets (KeyUpdate) and the tickets. */
export interface PostHandshakeState {
  records: Tls13RecordLayer;
  hash: HashName;
  aead: Aead13;
  /** Our current application traffic secret (generation N), and the server's. */
  clientTrafficSecret: Uint8Array;
  serverTrafficSecret: Uint8Array;
  tickets: ReceivedTicket[];
}

/** Sends a KeyUpdate, then moves our sending keys to the next generation (RFC 8446 §4.6.3, §7.2). */
export function sendKeyUpdate(state: PostHandshakeState, requestPeer: boolean): void {
  // TODO 08.18: send encodeKeyUpdate({ updateRequested: requestPeer }) with records.sendHandshake — still under the
  // OLD keys: the server must read it with the keys it has — then clientTrafficSecret = nextTrafficSecret(hash, it)
  // and records.setWriteKeys(direction13(aead, trafficKeys(hash, aead, the new secret), "client application traffic"))
  // (the record layer counts the generations for the trace). (RFC 8446 §4.6.3, §7.2)
  throw new NotImplemented("08.18");
  // END 08.18
}

/**
 * A handshake message that arrived after the handshake (RFC 8446 §4.6): a NewSessionTicket is kept, a KeyUpdate moves
 * the server's keys on (and ours, if it asks). Anything else is unexpected_message.
 */
export function handlePostHandshake(state: PostHandshakeState, message: Uint8Array): void {
  switch (message[0]) {
    case HandshakeType.new_session_ticket: {
      // TODO 08.18: keep the ticket for chapter 09: decodeNewSessionTicket(message), then push { ticket, receivedAt:
      // new Date() } onto state.tickets (its lifetime counts from now) — unless the lifetime is 0, which means "the
      // ticket should be discarded immediately" (RFC 8446 §4.6.1).
      throw new NotImplemented("08.18");
      // END 08.18
    }
    case HandshakeType.key_update: {
      // TODO 08.18: decodeKeyUpdate(message); the server has moved to its next keys, so follow it:
      // serverTrafficSecret = nextTrafficSecret(hash, serverTrafficSecret), and read with its keys from now on
      // (records.setReadKeys(direction13(aead, trafficKeys(…), "server application traffic")); it refuses if a handshake
      // message is half-read, since a KeyUpdate must end its record). If the server asked (updateRequested), answer with
      // sendKeyUpdate(state, false) before any more data goes out (RFC 8446 §4.6.3); never answer a KeyUpdate that did
      // not ask, or two sides that both answer would update forever.
      throw new NotImplemented("08.18");
      // END 08.18
    }
    default:
      // A CertificateRequest for post-handshake authentication (which we never offered), or a message that belongs to
      // the handshake: neither may come now.
      throw new TlsError(
        AlertDescription.unexpected_message,
        `${describeCode(HandshakeType, message[0] ?? -1, 2)} after the handshake (RFC 8446 §4.6)`,
        { field: "handshake type", offset: 0 },
      );
  }
}

/** The application-data side of a TLS 1.3 connection after its handshake (chapter 09's resumed connection too). */
export interface Channel13 {
  /** What post-handshake messages change; chapter 09 reads its tickets. */
  state: PostHandshakeState;
  trace: TraceEntry[];
  tickets: ReceivedTicket[];
  write(data: Uint8Array): void;
  read(): Promise<Uint8Array | null>;
  updateKeys(requestPeer?: boolean): void;
  close(): void;
}

/**
 * Wraps the record layer of a finished handshake: data both ways, the server's tickets and KeyUpdates handled while
 * reading (handlePostHandshake), ours on request, and on any failure the fitting alert before the error goes on.
 */
export function channel13(records: Tls13RecordLayer, cipherSuite: number, secrets: Tls13Secrets): Channel13 {
  const state: PostHandshakeState = {
    records,
    hash: secrets.hash,
    aead: suiteAead(cipherSuite),
    clientTrafficSecret: secrets.application.clientApplicationTrafficSecret,
    serverTrafficSecret: secrets.application.serverApplicationTrafficSecret,
    tickets: [],
  };
  return {
    state,
    trace: records.trace,
    tickets: state.tickets,
    write: (data) => records.sendApplicationData(data),
    read: async () => {
      try {
        for (;;) {
          const next = await records.readPostHandshake();
          if (next === null) return null;
          if (next.kind === "data") return next.data;
          handlePostHandshake(state, next.message);
        }
      } catch (error) {
        records.abort(error);
        throw error;
      }
    },
    updateKeys: (requestPeer = false) => sendKeyUpdate(state, requestPeer),
    close: () => records.close(),
  };
}

/** Wraps the record layer of a finished handshake as the connection the caller uses (connectTls too). */
export function established13(e: Established13): Tls13Connection {
  const { records, ...rest } = e;
  const { state: _state, ...channel } = channel13(records, e.cipherSuite, e.secrets);
  return { ...rest, version: ProtocolVersion.TLS1_3, ...channel };
}
