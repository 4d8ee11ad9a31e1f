// A TLS 1.2 server, from the ClientHello to application data: one short script that reads like RFC 5246 §7.3 from the
// server's side, the way Go's handshake_server.go is cut, and the steps it calls, each one message or one decision.
// The full handshake and the abbreviated one (a resumed session) are two paths of the same script. Everything below
// the steps is chapters 00–10's: the same codecs, PRF, record layer and Finished as the client's, the directions
// swapped. Read RFC 5246 §7.3 (both flows), §7.4 (each message), RFC 7627 §4 and RFC 5077 §3.1–§3.4.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteWriter } from "../../lib/bytes.js";
import { HandshakeType, ProtocolVersion, RANDOM_LENGTH } from "../../lib/constants.js";
import { writeHandshake } from "../00-bytes/index.js";
import { decodeClientHello } from "../01-client-hello/index.js";
import { encodeServerHello } from "../02-server-hello/index.js";
import { encodeCertificate } from "../03-certificates/index.js";
import { extendedMasterSecret, masterSecret, prfHash } from "../04-rsa-key-exchange/index.js";
import { type ServerKeyExchange, encodeServerKeyExchange } from "../05-dhe-key-exchange/index.js";
import { type Tls12RecordLayer, expectMessage, keyLogLine, writeKeyLog } from "../06-tls12-handshake/index.js";
import { type Choice12, processClientHello12 } from "./client-hello.js";
import { DEFAULT_SESSION_LIFETIME, type Tls12ServerConfig, clock12 } from "./config.js";
import { type FinishedKeys12, readClientFinished12, sendServerFinished12 } from "./finished.js";
import { type Ephemeral12, makeServerKeyExchange, premasterFromClientKeyExchange } from "./key-exchange.js";
import { sessionKeys12 } from "./record-protection.js";
import { serverHello12, serverRandom12 } from "./server-hello.js";
import { type Resumption12, SESSION_ID_LENGTH, type Session12, clientTicket, issueTicket12, resumeSession12 } from "./session.js";
import { NotImplemented } from "../../lib/errors.js";

/** ServerHelloDone: a header and an empty body (RFC 5246 §7.4.5): "that is all from me, your turn". */
export function encodeServerHelloDone(): Uint8Array {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.server_hello_done, () => {});
  return w.toBytes();
}

/** What the server's first flight settled. */
export interface Flight12 {
  serverRandom: Uint8Array;
  /** The session ID given in the ServerHello: fresh when the server keeps sessions, else empty. */
  sessionId: Uint8Array;
  /** True when a NewSessionTicket will follow (the ServerHello said so, RFC 5077 §3.2). */
  ticket: boolean;
  /** DHE and ECDHE: the signed ServerKeyExchange, and the key pair behind it. */
  serverKeyExchange?: ServerKeyExchange;
  ephemeral?: Ephemeral12;
}

/** The server's first flight: ServerHello, Certificate, ServerKeyExchange (DHE, ECDHE) and ServerHelloDone. */
export function sendServerHelloFlight12(records: Tls12RecordLayer, choice: Choice12, config: Tls12ServerConfig): Flight12 {
  // TODO 11.14: each message goes out with records.sendHandshake (which adds it to the transcript). (1)
  // serverRandom = serverRandom12(config.fixed?.random ?? 32 random bytes, config.downgradeSentinel ?? true) (11.5).
  // (2) sessionId: with a config.sessionCache, config.fixed?.sessionId ?? SESSION_ID_LENGTH random bytes; without one,
  // empty ("this session cannot be resumed", RFC 5246 §7.4.1.3). (3) ticket: config.ticketKeys and the client sent a
  // session_ticket extension (clientTicket). (4) encodeServerHello(serverHello12(…)) (11.5). (5) The Certificate in its
  // TLS 1.2 form: chapter 03's encodeCertificate({ empty requestContext, the chain as entries without extensions },
  // TLS 1.2). (6) Not RSA: makeServerKeyExchange(choice, client random, serverRandom, config.fixed) (11.7) and
  // encodeServerKeyExchange (chapter 05). (7) encodeServerHelloDone(). Return the Flight12.
  throw new NotImplemented("11.14");
  // END 11.14
}

/** The connection's secrets as the server holds them; premaster is absent on a resumed session (it was never sent). */
export interface Secrets12 extends FinishedKeys12 {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  premaster?: Uint8Array;
  extendedMasterSecret: boolean;
  /** RFC 7627 §3: the transcript hash up to and including ClientKeyExchange, when the extension was used. */
  sessionHash?: Uint8Array;
}

/** Reads the ClientKeyExchange and derives everything from it: premaster, master secret, keys (RFC 5246 §8.1). */
export async function readClientKeyExchange12(records: Tls12RecordLayer, choice: Choice12, flight: Flight12): Promise<Secrets12> {
  // TODO 11.15: (1) The next message must be a ClientKeyExchange (expectMessage: a Certificate we never asked
  // for is unexpected_message). (2) premaster = premasterFromClientKeyExchange(it, choice, flight.ephemeral) (11.8).
  // (3) With the extended master secret, the session hash is records.transcript.hash(choice.hash) NOW, the
  // ClientKeyExchange in it and nothing after (RFC 7627 §3), and master = extendedMasterSecret(hash, premaster,
  // sessionHash); else masterSecret(hash, premaster, client random, flight.serverRandom) (chapter 04). (4) The keys:
  // sessionKeys12(suite, hash, master, client random, server random) (11.9). Return the Secrets12.
  throw new NotImplemented("11.15");
  // END 11.15
}

/** What a handshake settled, for the connection, its page and the tests. */
export interface Established12 {
  choice: Choice12;
  secrets: Secrets12;
  /** The session: new after a full handshake, the resumed one after an abbreviated handshake. */
  session: Session12;
  /** How the session was resumed; undefined after a full handshake. */
  resumedBy?: Resumption12["by"];
  /** The first flight of a full handshake. */
  flight?: Flight12;
  /** True when a NewSessionTicket went out. */
  ticketIssued: boolean;
}

/**
 * The abbreviated handshake (RFC 5246 §7.3, Figure 2; RFC 5077 §3.1): no certificate, no key exchange, and the server
 * finishes first.
 *
 *      ClientHello                  -------->
 *                                                       ServerHello
 *                                                [ChangeCipherSpec]
 *                                   <--------              Finished
 *      [ChangeCipherSpec]
 *      Finished                     -------->
 */
export async function resumedHandshake12(records: Tls12RecordLayer, choice: Choice12, resumption: Resumption12, config: Tls12ServerConfig): Promise<Established12> {
  // TODO 11.16: the session decides the suite: resumed = { ...choice, cipherSuite: session.cipherSuite, hash:
  // prfHash(that suite) } (RFC 5246 §7.4.1.3: a resumed session keeps its suite). (1) A fresh serverRandom
  // (serverRandom12, as in 11.14) and the ServerHello: serverHello12(resumed, serverRandom, resumption.sessionId, false).
  // (2) The keys: the session's master secret, the NEW randoms: sessionKeys12(…) (11.9), so this connection's keys are
  // its own; the key log line (writeKeyLog(config.keyLog, keyLogLine(client random, master))). (3) sendServerFinished12
  // (11.11), then (4) readClientFinished12 (11.10): here the server finishes first. Return the Established12, with
  // secrets { keys, hash, master, the randoms, extendedMasterSecret: session's } (no premaster), resumedBy = how.
  throw new NotImplemented("11.16");
  // END 11.16
}

/** The server's handshake, message by message (RFC 5246 §7.3), from the server's side:
 *
 *      Client                                               Server
 *
 *      ClientHello                  -------->
 *                                                      ServerHello
 *                                                     Certificate
 *                                               ServerKeyExchange*
 *                                   <--------      ServerHelloDone
 *      ClientKeyExchange
 *      [ChangeCipherSpec]
 *      Finished                     -------->
 *                                               NewSessionTicket*
 *                                               [ChangeCipherSpec]
 *                                   <--------             Finished
 *      Application Data             <------->     Application Data
 *
 *   * DHE and ECDHE only; NewSessionTicket only when the client asked for tickets (RFC 5077 §3.1).
 */
export async function serverHandshake12(records: Tls12RecordLayer, config: Tls12ServerConfig): Promise<Established12> {
  // TODO 11.17: the script, one step per line. (1) The first message must be a ClientHello (expectMessage);
  // processClientHello12(decodeClientHello(it), it, config) (11.4). (2) resumeSession12 (11.13): a session to resume
  // means resumedHandshake12 (11.16), and that is all. Else the full handshake: (3) sendServerHelloFlight12 (11.14);
  // (4) readClientKeyExchange12 (11.15), and the key log line at once (writeKeyLog, keyLogLine: a Finished that fails
  // can still be read in a capture); (5) readClientFinished12 (11.10). (6) The session: { suite, master,
  // extendedMasterSecret, issuedAt: clock12(config), lifetime: config.sessionLifetime ?? DEFAULT_SESSION_LIFETIME,
  // serverName ?? "", alpn ?? "" }. (7) sendServerFinished12 (11.11) with issueTicket12(session, config.ticketKeys)
  // (11.12) when flight.ticket. (8) Only now, with both Finished exchanged, may the session be resumed: a non-empty
  // flight.sessionId goes into config.sessionCache. Return the Established12.
  throw new NotImplemented("11.17");
  // END 11.17
}
