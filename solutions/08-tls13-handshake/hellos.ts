// The first round trip of a TLS 1.3 handshake, as steps of the client's script (handshake.ts): send the ClientHello,
// read the ServerHello and start the transcript, and the extra round trip of a HelloRetryRequest. Each step is graded
// on its own against RFC 8448. Read RFC 8446 §4.1.2 (ClientHello), §4.1.3 (ServerHello), §4.1.4 (HelloRetryRequest),
// §4.4.1 (the transcript hash) and §D.4 (middlebox compatibility).
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup, describeCode, describeSuite } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { writeOpaque } from "../00-bytes/index.js";
import {
  type ClientExtension,
  type ClientHello,
  DEFAULT_SUITES,
  type KeyPair,
  encodeClientHello,
  makeClientHello,
  makeKeyPair,
} from "../01-client-hello/index.js";
import { type Negotiated, type ServerHello, checkServerHello, decodeServerHello, findServerExtension, isHelloRetryRequest } from "../02-server-hello/index.js";
import { expectMessage, sniFor } from "../06-tls12-handshake/index.js";
import { TranscriptHash, messageHash, suiteHash } from "../07-tls13-key-schedule/index.js";
import type { Tls13Options } from "./handshake.js";
import type { Tls13RecordLayer } from "./record-layer.js";

/** The suites the TLS 1.3 client can run: all three of RFC 8446 §B.4 (they differ only in AEAD and hash). */
export const TLS13_SUITES: readonly number[] = DEFAULT_SUITES["1.3"];

/** A ClientHello to send, and the private keys behind its key shares. */
export interface ClientHelloOffer {
  clientHello: ClientHello;
  keyPairs: KeyPair[];
  /** How a HelloRetryRequest's new key pair is made, when not by chapter 01's makeKeyPair (chapter 12's hybrid groups). */
  makeKeyPair?: (group: number) => KeyPair;
}

/** A ClientHello that has gone out. */
export interface ClientHelloSent extends ClientHelloOffer {
  /** Its bytes as sent: the transcript starts with them (and chapter 09's early secrets hash them). */
  message: Uint8Array;
  /** True once our middlebox ChangeCipherSpec has gone out (chapter 09 sends it before 0-RTT data). */
  changeCipherSpecSent: boolean;
}

/**
 * Builds the second ClientHello after a HelloRetryRequest. `transcriptBefore` is message_hash(ClientHello1) ||
 * HelloRetryRequest: what a PSK binder in the second ClientHello must cover first (chapter 09).
 */
export type RetryBuilder = (first: ClientHelloOffer, hrr: ServerHello, transcriptBefore: Uint8Array) => ClientHelloOffer;

/** The retry of a plain handshake: retryClientHello with fresh keys (a PSK-less ClientHello has no binder to redo). */
const freshRetry: RetryBuilder = (first, hrr) => retryClientHello(first, hrr, first.makeKeyPair);

/** What the hello exchange settled: the ClientHello the server answered, its ServerHello, the transcript so far. */
export interface Hellos {
  /** The ClientHello the ServerHello answers (the second one after a HelloRetryRequest). */
  clientHello: ClientHello;
  keyPairs: KeyPair[];
  serverHello: ServerHello;
  /** The ServerHello's bytes as received. */
  serverHelloMessage: Uint8Array;
  negotiated: Negotiated;
  /** ClientHello … ServerHello, with message_hash in place of ClientHello1 after a retry. Later steps add to it. */
  transcript: TranscriptHash;
  helloRetryRequest: boolean;
  /** True once our middlebox ChangeCipherSpec has gone out. */
  changeCipherSpecSent: boolean;
}

/**
 * Middlebox compatibility mode (RFC 8446 §D.4) is on when the ClientHello carries a legacy_session_id: the client
 * then also sends a dummy ChangeCipherSpec before its second flight, so the connection looks like TLS 1.2 resumption.
 */
export function compatibilityMode(ch: ClientHello): boolean {
  return ch.legacySessionId.length > 0;
}

/** Sends the ClientHello and opens the handshake window of the record layer. */
export function sendClientHello(records: Tls13RecordLayer, offer: ClientHelloOffer): ClientHelloSent {
  // EXERCISE 08.9: the bytes you send are the bytes you hash: keep them (RFC 8446 §4.4.1).
  // 1. records.inHandshake = true (from now until the server's Finished a middlebox ChangeCipherSpec may arrive).
  // 2. message = encodeClientHello(offer.clientHello); records.sendHandshake(message).
  // 3. Return { ...offer, message, changeCipherSpecSent: false }.
  records.inHandshake = true;
  const message = encodeClientHello(offer.clientHello);
  records.sendHandshake(message);
  return { ...offer, message, changeCipherSpecSent: false };
  // END 08.9
}

/** The ClientHello of a new connection: `options.fixed`'s (tests replaying a recording), else a fresh one. */
export function newClientHello13(options: Tls13Options): ClientHelloOffer {
  // EXERCISE 08.9: options.fixed if set (tests replay a recorded handshake with it). Else chapter 01's makeClientHello:
  // version "1.3", serverName sniFor(options.servername) (chapter 06: never an IP address, RFC 6066 §3), cipherSuites
  // (default [...TLS13_SUITES]), and options.groups, keyShareGroups and signatureSchemes as they are. (options.offer,
  // chapter 12's hybrid offer, builds it around this one when it is set.)
  if (options.fixed !== undefined) return { clientHello: options.fixed.clientHello, keyPairs: options.fixed.keyPairs };
  if (options.offer !== undefined) return options.offer(options, (o) => newClientHello13({ ...o, offer: undefined }));
  return makeClientHello({
    version: "1.3",
    serverName: sniFor(options.servername),
    cipherSuites: options.cipherSuites ?? [...TLS13_SUITES],
    groups: options.groups,
    keyShareGroups: options.keyShareGroups,
    signatureSchemes: options.signatureSchemes,
  });
  // END 08.9
}

/**
 * Reads the server's answer to `sent`: a ServerHello (the transcript starts: ClientHello, ServerHello), or a
 * HelloRetryRequest, handed to processHelloRetryRequest with `retry` to build the second ClientHello.
 */
export async function processServerHello(records: Tls13RecordLayer, sent: ClientHelloSent, retry: RetryBuilder = freshRetry): Promise<Hellos> {
  // EXERCISE 08.10: the suite the ServerHello names picks the transcript's hash; ClientHello AND ServerHello go in.
  // 1. message = expectMessage(await records.readHandshake(), HandshakeType.server_hello); decodeServerHello it.
  // 2. negotiated = checkServerHello(sent.clientHello, serverHello) (chapter 02: everything it chose, we offered).
  // 3. isHelloRetryRequest: return processHelloRetryRequest(records, sent, serverHello, message, negotiated, retry).
  // 4. transcript = new TranscriptHash(suiteHash(negotiated.cipherSuite)); add sent.message, then the ServerHello.
  // 5. Return the Hellos: sent's ClientHello and key pairs, helloRetryRequest false, sent's changeCipherSpecSent.
  const message = expectMessage(await records.readHandshake(), HandshakeType.server_hello);
  const serverHello = decodeServerHello(message);
  const negotiated = checkServerHello(sent.clientHello, serverHello);
  if (isHelloRetryRequest(serverHello)) return processHelloRetryRequest(records, sent, serverHello, message, negotiated, retry);
  const transcript = new TranscriptHash(suiteHash(negotiated.cipherSuite));
  transcript.add(sent.message);
  transcript.add(message);
  return {
    clientHello: sent.clientHello,
    keyPairs: sent.keyPairs,
    serverHello,
    serverHelloMessage: message,
    negotiated,
    transcript,
    helloRetryRequest: false,
    changeCipherSpecSent: sent.changeCipherSpecSent,
  };
  // END 08.10
}

/** The cookie extension's body, `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2), as a raw ClientHello extension. */
function cookieExtension(cookie: Uint8Array): ClientExtension {
  const w = new ByteWriter();
  writeOpaque(w, 2, cookie, "cookie");
  return { kind: "raw", type: ExtensionType.cookie, data: w.toBytes() };
}

/**
 * The second ClientHello after a HelloRetryRequest (RFC 8446 §4.1.2): the first one again, with exactly the changes
 * the HelloRetryRequest asks for. `makePair` makes the new key pair (chapter 01's makeKeyPair; tests pass fixed ones).
 */
export function retryClientHello(first: ClientHelloOffer, hrr: ServerHello, makePair: (group: number) => KeyPair = makeKeyPair): ClientHelloOffer {
  // EXERCISE 08.11: RFC 8446 §4.1.2: "the client MUST send the same ClientHello without modification, except":
  // 1. The HelloRetryRequest has a key_share (findServerExtension; it names selectedGroup): replace our key_share by
  //    ONE share in that group, from a fresh makePair(group); the key pairs are then just that one. Without it, keep both.
  // 2. It has a cookie: add a cookie extension echoing it (cookieExtension), before a pre_shared_key if there is one
  //    (that must stay last, §4.2.11), else at the end.
  // 3. Remove early_data (0-RTT is not allowed after a HelloRetryRequest). Random, session id, suites, order: unchanged.
  const ks = findServerExtension(hrr.extensions, "key_share");
  const group = ks !== undefined && "selectedGroup" in ks ? ks.selectedGroup : undefined;
  const pair = group !== undefined ? makePair(group) : undefined;
  const extensions: ClientExtension[] = [];
  for (const e of first.clientHello.extensions) {
    if (e.kind === "raw" && e.type === ExtensionType.early_data) continue;
    if (e.kind === "key_share" && pair !== undefined) extensions.push({ kind: "key_share", shares: [{ group: pair.group, keyExchange: pair.publicKey }] });
    else extensions.push(e);
  }
  const cookie = findServerExtension(hrr.extensions, "cookie");
  if (cookie !== undefined) {
    const psk = extensions.findIndex((e) => e.kind === "raw" && e.type === ExtensionType.pre_shared_key);
    extensions.splice(psk < 0 ? extensions.length : psk, 0, cookieExtension(cookie.cookie));
  }
  return { clientHello: { ...first.clientHello, extensions }, keyPairs: pair !== undefined ? [pair] : first.keyPairs };
  // END 08.11
}

/**
 * The answer was a HelloRetryRequest (RFC 8446 §4.1.4): send the second ClientHello, read the real ServerHello, and
 * return the Hellos with the transcript message_hash(ClientHello1), HelloRetryRequest, ClientHello2, ServerHello.
 */
export async function processHelloRetryRequest(
  records: Tls13RecordLayer,
  sent: ClientHelloSent,
  hrr: ServerHello,
  hrrMessage: Uint8Array,
  negotiated: Negotiated,
  retry: RetryBuilder = freshRetry,
): Promise<Hellos> {
  // EXERCISE 08.11: the transcript restarts: ClientHello1 becomes message_hash(ClientHello1) (RFC 8446 §4.4.1).
  // 1. transcript = new TranscriptHash(suiteHash(negotiated.cipherSuite)); add sent.message; restartAfterHelloRetry();
  //    add hrrMessage.
  // 2. second = retry(sent, hrr, messageHash(hash, sent.message) || hrrMessage).
  // 3. records.setWriteKeys(undefined): the second ClientHello goes in the clear (0-RTT keys, chapter 09, end here).
  // 4. Compatibility mode (compatibilityMode) and no ChangeCipherSpec sent yet: records.sendChangeCipherSpec() (§D.4).
  // 5. Send encodeClientHello(second.clientHello); add it to the transcript.
  // 6. Read the next message: expectMessage server_hello, decode; another HelloRetryRequest is unexpected_message.
  // 7. checkServerHello against the SECOND ClientHello; its suite must be the HelloRetryRequest's, and its group the
  //    one asked for if one was (illegal_parameter). Add it to the transcript; return the Hellos (helloRetryRequest true).
  const hash = suiteHash(negotiated.cipherSuite);
  const transcript = new TranscriptHash(hash);
  transcript.add(sent.message);
  transcript.restartAfterHelloRetry();
  transcript.add(hrrMessage);
  const second = retry(sent, hrr, concat(messageHash(hash, sent.message), hrrMessage));
  records.setWriteKeys(undefined);
  const compat = compatibilityMode(sent.clientHello);
  if (compat && !sent.changeCipherSpecSent) records.sendChangeCipherSpec();
  const clientHello2 = encodeClientHello(second.clientHello);
  records.sendHandshake(clientHello2);
  transcript.add(clientHello2);

  const message = expectMessage(await records.readHandshake(), HandshakeType.server_hello);
  const serverHello = decodeServerHello(message);
  if (isHelloRetryRequest(serverHello)) {
    throw new TlsError(AlertDescription.unexpected_message, "a second HelloRetryRequest (RFC 8446 §4.1.4)", { field: "server_hello" });
  }
  const again = checkServerHello(second.clientHello, serverHello);
  if (again.cipherSuite !== negotiated.cipherSuite) {
    throw illegalParameter(
      "cipher_suite",
      `the HelloRetryRequest chose ${describeSuite(negotiated.cipherSuite)}, the ServerHello ${describeSuite(again.cipherSuite)} (RFC 8446 §4.1.4)`,
    );
  }
  if (negotiated.group !== undefined && again.group !== negotiated.group) {
    throw illegalParameter("key_share", `the HelloRetryRequest asked for ${describeCode(NamedGroup, negotiated.group)}, the ServerHello used another group`);
  }
  transcript.add(message);
  const changeCipherSpecSent = sent.changeCipherSpecSent || compat;
  return { ...second, serverHello, serverHelloMessage: message, negotiated: again, transcript, helloRetryRequest: true, changeCipherSpecSent };
  // END 08.11
}
