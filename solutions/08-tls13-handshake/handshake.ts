// A TLS 1.3 client, from ClientHello to application data: one function that reads like the message flow of
// RFC 8446 §2, built from chapters 00–07 and this chapter's records and messages. Then what can happen after the
// handshake: session tickets kept for chapter 09, KeyUpdate answered. Read RFC 8446 §2 (the flow), §4.1.4
// (HelloRetryRequest), §4.4 (the server's authentication messages), §4.6 (post-handshake messages), §D.4
// (middlebox compatibility) and the NSS key log format.
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, describeCode, describeSuite } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { writeOpaque } from "../00-bytes/index.js";
import {
  type ClientExtension,
  type ClientHello,
  DEFAULT_SUITES,
  type KeyPair,
  encodeClientHello,
  findExtension,
  makeClientHello,
  makeKeyPair,
} from "../01-client-hello/index.js";
import { type Negotiated, type ServerHello, checkServerHello, decodeServerHello, findServerExtension, isHelloRetryRequest } from "../02-server-hello/index.js";
import {
  type Certificate,
  HASH_LENGTH,
  type HashName,
  type Validation,
  decodeCertificate,
  encodeCertificate,
  parseCertificates,
  validateChain,
} from "../03-certificates/index.js";
import { ecdhePremaster } from "../05-dhe-key-exchange/index.js";
import { type KeyLogTarget, type RecordTransport, checkVerifyData, expectMessage, sniFor, writeKeyLog } from "../06-tls12-handshake/index.js";
import {
  type Aead13,
  type ApplicationSecrets,
  type HandshakeSecrets,
  type TrafficKeys,
  TranscriptHash,
  applicationSecrets,
  earlySecrets,
  finishedVerifyData,
  handshakeSecrets,
  keyLogLines13,
  nextTrafficSecret,
  resumptionMasterSecret,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../07-tls13-key-schedule/index.js";
import { type CertificateVerify, decodeCertificateVerify, signingKey, verifyCertificateVerify } from "./certificate-verify.js";
import { type EncryptedExtensions, checkEncryptedExtensions, decodeEncryptedExtensions } from "./encrypted-extensions.js";
import { type CertificateRequest, decodeCertificateRequest, decodeFinished13, encodeFinished13 } from "./messages.js";
import { type NewSessionTicket, decodeKeyUpdate, decodeNewSessionTicket, encodeKeyUpdate } from "./post-handshake.js";
import { direction13 } from "./record-protection.js";
import { type TraceEntry, Tls13RecordLayer } from "./record-layer.js";

/** The suites connectTls13 can run: all three of RFC 8446 §B.4 (they differ only in AEAD and hash). */
export const TLS13_SUITES: readonly number[] = DEFAULT_SUITES["1.3"];

/**
 * Values that replace the random ones, for tests that replay a recorded handshake (RFC 8448, tls13.xargs.org)
 * byte for byte. Never set in real use.
 */
export interface FixedHandshake {
  /** The ClientHello to send, and the private keys behind its key shares. */
  clientHello: ClientHello;
  keyPairs: KeyPair[];
  /** Builds the second ClientHello after a HelloRetryRequest (default: retryClientHello with fresh keys). */
  retry?: (first: { clientHello: ClientHello; keyPairs: KeyPair[] }, hrr: ServerHello) => { clientHello: ClientHello; keyPairs: KeyPair[] };
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
  /** Tests only: replay a recorded handshake. */
  fixed?: FixedHandshake;
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

/**
 * Middlebox compatibility mode (RFC 8446 §D.4) is on when the ClientHello carries a legacy_session_id: the client
 * then also sends a dummy ChangeCipherSpec before its second flight, so the connection looks like TLS 1.2 resumption.
 */
export function compatibilityMode(ch: ClientHello): boolean {
  return ch.legacySessionId.length > 0;
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
export function retryClientHello(
  first: { clientHello: ClientHello; keyPairs: KeyPair[] },
  hrr: ServerHello,
  makePair: (group: number) => KeyPair = makeKeyPair,
): { clientHello: ClientHello; keyPairs: KeyPair[] } {
  // EXERCISE 08.6: RFC 8446 §4.1.2: "the client MUST send the same ClientHello without modification, except":
  // (1) if the HelloRetryRequest has a key_share (findServerExtension; it names selectedGroup), replace our key_share
  // by ONE share in that group, from a fresh makePair(group); the key pairs are then just that one. Without it, keep
  // the shares and pairs we had. (2) If it has a cookie, add a cookie extension echoing it (cookieExtension) — before
  // a pre_shared_key if there is one, since that must stay last (§4.2.11), else at the end. (3) Remove early_data
  // (0-RTT is not allowed after a HelloRetryRequest). Everything else stays: the same random, session id, suites,
  // and extension order. The checks that the HelloRetryRequest is acceptable are chapter 02's checkServerHello.
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
  // END 08.6
}

/** What the hello exchange settled: the ClientHello the server answered, its ServerHello, the transcript so far. */
export interface Hellos {
  clientHello: ClientHello;
  keyPairs: KeyPair[];
  serverHello: ServerHello;
  /** The ServerHello's bytes as received, for the transcript. */
  serverHelloMessage: Uint8Array;
  negotiated: Negotiated;
  /** ClientHello … (not yet the ServerHello), with message_hash in place of ClientHello1 after a retry. */
  transcript: TranscriptHash;
  helloRetryRequest: boolean;
  /** True if our middlebox ChangeCipherSpec has already gone out (before the second ClientHello). */
  changeCipherSpecSent: boolean;
}

/**
 * The answer was a HelloRetryRequest: send the second ClientHello and read the real ServerHello (RFC 8446 §4.1.4).
 * `first` is what we sent, `clientHello1` its bytes; `hrrMessage` the HelloRetryRequest as received.
 */
export async function processHelloRetryRequest(
  records: Tls13RecordLayer,
  first: { clientHello: ClientHello; keyPairs: KeyPair[] },
  clientHello1: Uint8Array,
  hrr: ServerHello,
  hrrMessage: Uint8Array,
  negotiated: Negotiated,
  options: Tls13Options,
): Promise<Hellos> {
  // EXERCISE 08.6: (1) The transcript starts now that the HelloRetryRequest's suite names the hash:
  // new TranscriptHash(suiteHash(suite)), add clientHello1, restartAfterHelloRetry() (ClientHello1 becomes
  // message_hash, RFC 8446 §4.4.1), add hrrMessage. (2) The second ClientHello: options.fixed?.retry, else
  // retryClientHello(first, hrr). (3) In compatibility mode (compatibilityMode(first.clientHello)) send the dummy
  // ChangeCipherSpec now, before the second flight (§D.4). (4) Send the second ClientHello (encodeClientHello) and add
  // it to the transcript. (5) Read the next message: it must be a ServerHello (expectMessage); a second
  // HelloRetryRequest is unexpected_message (§4.1.4: "If a client receives a second HelloRetryRequest in the same
  // connection ... it MUST abort"); check it with checkServerHello against the SECOND ClientHello; its suite must be the
  // HelloRetryRequest's (illegal_parameter), and so must its group if the HelloRetryRequest named one. Do not add the
  // ServerHello to the transcript (the caller does that for both paths). Return the Hellos.
  const transcript = new TranscriptHash(suiteHash(negotiated.cipherSuite));
  transcript.add(clientHello1);
  transcript.restartAfterHelloRetry();
  transcript.add(hrrMessage);
  const second = options.fixed?.retry?.(first, hrr) ?? retryClientHello(first, hrr);
  const compat = compatibilityMode(first.clientHello);
  if (compat) records.sendChangeCipherSpec();
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
  return { ...second, serverHello, serverHelloMessage: message, negotiated: again, transcript, helloRetryRequest: true, changeCipherSpecSent: compat };
  // END 08.6
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

/** The handshake itself, message by message (RFC 8446 §2):
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
export async function clientHandshake13(records: Tls13RecordLayer, options: Tls13Options): Promise<Established13> {
  // EXERCISE 08.5: the client handshake, one step per message, following the diagram; records.readHandshake() gives
  // the next message (check each type with expectMessage from chapter 06), and YOU add each message to the transcript.
  // (1) ClientHello: options.fixed, else makeClientHello({ version: "1.3", serverName: sniFor(servername),
  // cipherSuites (default TLS13_SUITES), groups, keyShareGroups, signatureSchemes }); set records.inHandshake, send it.
  // (2) ServerHello: decode, checkServerHello (chapter 02). A HelloRetryRequest goes to processHelloRetryRequest
  // (08.6); otherwise the transcript is a new TranscriptHash(suiteHash(suite)) holding ClientHello1. Add the ServerHello.
  // (3) Keys: the shared secret is chapter 05's ecdhePremaster(group, our private key for that group, the server's
  // key_share) (RFC 8446 §7.4); earlySecrets, handshakeSecrets with transcript.hash() (chapter 07). In compatibility
  // mode send the dummy ChangeCipherSpec now unless it went before a second ClientHello. Then read with the server's
  // handshake keys and write with ours: records.setReadKeys / setWriteKeys(direction13(aead, trafficKeys(…))).
  // (4) EncryptedExtensions: decode, checkEncryptedExtensions. (5) Optionally a CertificateRequest (keep it), then
  // Certificate in its TLS 1.3 form: the server's request context must be empty (illegal_parameter), its list not
  // (decode_error, RFC 8446 §4.4.2.4); parseCertificates, then options.fixed?.validate or validateChain({ roots: ca,
  // host: servername, at }). (6) CertificateVerify over transcript.hash() BEFORE adding it: verifyCertificateVerify
  // with signingKey(leaf) and the schemes our ClientHello offered. (7) The server's Finished: expected =
  // finishedVerifyData(hash, server handshake traffic secret, transcript.hash()) before adding it; decodeFinished13,
  // checkVerifyData (chapter 06: constant time, decrypt_error). Then records.inHandshake = false, applicationSecrets,
  // and read with the server's application keys. (8) Ours: an empty Certificate with the request's context if one came,
  // then Finished = encodeFinished13(finishedVerifyData(hash, client handshake traffic secret, transcript.hash())),
  // each added to the transcript; switch writing to our application keys; the resumption master secret over the
  // transcript with our Finished; write keyLogLines13 to options.keyLog. Return the Established13.
  // 1. ClientHello: what we can do, and a key share for the group we guess the server will pick.
  const first =
    options.fixed ??
    makeClientHello({
      version: "1.3",
      serverName: sniFor(options.servername),
      cipherSuites: options.cipherSuites ?? [...TLS13_SUITES],
      groups: options.groups,
      keyShareGroups: options.keyShareGroups,
      signatureSchemes: options.signatureSchemes,
    });
  records.inHandshake = true;
  const clientHello1 = encodeClientHello(first.clientHello);
  records.sendHandshake(clientHello1);

  // 2. ServerHello: the server's choices, checked against our offer (chapter 02). A HelloRetryRequest costs a round trip.
  const serverHelloMessage = expectMessage(await records.readHandshake(), HandshakeType.server_hello);
  const answer = decodeServerHello(serverHelloMessage);
  const negotiated = checkServerHello(first.clientHello, answer);
  let hellos: Hellos;
  if (isHelloRetryRequest(answer)) {
    hellos = await processHelloRetryRequest(records, first, clientHello1, answer, serverHelloMessage, negotiated, options);
  } else {
    const transcript = new TranscriptHash(suiteHash(negotiated.cipherSuite));
    transcript.add(clientHello1);
    hellos = { ...first, serverHello: answer, serverHelloMessage, negotiated, transcript, helloRetryRequest: false, changeCipherSpecSent: false };
  }
  const { clientHello, transcript } = hellos;
  transcript.add(hellos.serverHelloMessage);
  const cipherSuite = hellos.negotiated.cipherSuite;
  const hash = suiteHash(cipherSuite);
  const aead: Aead13 = suiteAead(cipherSuite);

  // 3. The shared secret and the handshake keys. From here on, everything is encrypted.
  const serverShare = findServerExtension(hellos.serverHello.extensions, "key_share");
  const pair = hellos.keyPairs.find((k) => serverShare !== undefined && "share" in serverShare && k.group === serverShare.share.group);
  if (serverShare === undefined || !("share" in serverShare) || pair === undefined) {
    throw new TlsError(AlertDescription.internal_error, "no key pair for the server's key share", { field: "key_share" });
  }
  const group = serverShare.share.group;
  const sharedSecret = ecdhePremaster(group, pair.privateKey, serverShare.share.keyExchange);
  const early = earlySecrets(hash);
  const hs = handshakeSecrets(early, sharedSecret, transcript.hash());
  if (compatibilityMode(clientHello) && !hellos.changeCipherSpecSent) records.sendChangeCipherSpec();
  const handshakeKeys = { client: trafficKeys(hash, aead, hs.clientHandshakeTrafficSecret), server: trafficKeys(hash, aead, hs.serverHandshakeTrafficSecret) };
  records.setReadKeys(direction13(aead, handshakeKeys.server));
  records.setWriteKeys(direction13(aead, handshakeKeys.client));

  // 4. EncryptedExtensions: the rest of the server's answers to our extensions.
  const eeMessage = expectMessage(await records.readHandshake(), HandshakeType.encrypted_extensions);
  const encryptedExtensions = decodeEncryptedExtensions(eeMessage);
  checkEncryptedExtensions(clientHello, encryptedExtensions);
  transcript.add(eeMessage);

  // 5. CertificateRequest (the server asks who WE are), then the server's Certificate (chapter 03).
  let message = await records.readHandshake();
  let certificateRequest: CertificateRequest | undefined;
  if (message[0] === HandshakeType.certificate_request) {
    certificateRequest = decodeCertificateRequest(message);
    transcript.add(message);
    message = await records.readHandshake();
  }
  const certificate = decodeCertificate(expectMessage(message, HandshakeType.certificate), ProtocolVersion.TLS1_3);
  if (certificate.requestContext.length > 0) {
    throw illegalParameter("certificate_request_context", "a server's Certificate has an empty request context (RFC 8446 §4.4.2)");
  }
  if (certificate.entries.length === 0) {
    throw new TlsError(AlertDescription.decode_error, "the server sent no certificate (RFC 8446 §4.4.2.4)", { field: "certificate_list" });
  }
  const serverCertificates = parseCertificates(certificate.entries.map((e) => e.certData));
  const validation =
    options.fixed?.validate?.(serverCertificates) ?? validateChain(serverCertificates, { roots: options.ca, host: options.servername, at: options.at });
  transcript.add(message);

  // 6. CertificateVerify: the server signs the transcript so far with the certificate's key.
  const cvMessage = expectMessage(await records.readHandshake(), HandshakeType.certificate_verify);
  const certificateVerify = decodeCertificateVerify(cvMessage);
  const offeredSchemes = findExtension(clientHello.extensions, "signature_algorithms")?.schemes ?? [];
  verifyCertificateVerify(certificateVerify, signingKey(serverCertificates[0]!), transcript.hash(), offeredSchemes);
  transcript.add(cvMessage);

  // 7. The server's Finished: an HMAC over the transcript with a key only the holder of the shared secret has.
  const expected = finishedVerifyData(hash, hs.serverHandshakeTrafficSecret, transcript.hash());
  const finishedMessage = expectMessage(await records.readHandshake(), HandshakeType.finished);
  checkVerifyData(expected, decodeFinished13(finishedMessage, HASH_LENGTH[hash]), "the server");
  transcript.add(finishedMessage);
  records.inHandshake = false;
  const app = applicationSecrets(hs, transcript.hash());
  const applicationKeys = {
    client: trafficKeys(hash, aead, app.clientApplicationTrafficSecret),
    server: trafficKeys(hash, aead, app.serverApplicationTrafficSecret),
  };
  records.setReadKeys(direction13(aead, applicationKeys.server));

  // 8. Our second flight: an empty Certificate if asked (we have none), then our Finished.
  if (certificateRequest !== undefined) {
    const empty = encodeCertificate({ requestContext: certificateRequest.context, entries: [] }, ProtocolVersion.TLS1_3);
    records.sendHandshake(empty);
    transcript.add(empty);
  }
  const clientFinished = encodeFinished13(finishedVerifyData(hash, hs.clientHandshakeTrafficSecret, transcript.hash()));
  records.sendHandshake(clientFinished);
  transcript.add(clientFinished);
  records.setWriteKeys(direction13(aead, applicationKeys.client));
  const resumption = resumptionMasterSecret(app, transcript.hash());
  for (const line of keyLogLines13(clientHello.random, hs, app)) writeKeyLog(options.keyLog, line);

  const secrets: Tls13Secrets = {
    clientRandom: clientHello.random,
    serverRandom: hellos.serverHello.random,
    hash,
    sharedSecret,
    earlySecret: early.earlySecret,
    handshake: hs,
    application: app,
    resumptionMasterSecret: resumption,
    handshakeKeys,
    applicationKeys,
  };
  return {
    records,
    cipherSuite,
    group,
    helloRetryRequest: hellos.helloRetryRequest,
    encryptedExtensions,
    serverCertificates,
    validation,
    certificateVerify,
    secrets,
  };
  // END 08.5
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
  // EXERCISE 08.7: send encodeKeyUpdate({ updateRequested: requestPeer }) with records.sendHandshake — still under the
  // OLD keys: the server must read it with the keys it has — then clientTrafficSecret = nextTrafficSecret(hash, it)
  // and records.setWriteKeys(direction13(aead, trafficKeys(hash, aead, the new secret))). (RFC 8446 §4.6.3, §7.2)
  state.records.sendHandshake(encodeKeyUpdate({ updateRequested: requestPeer }));
  state.clientTrafficSecret = nextTrafficSecret(state.hash, state.clientTrafficSecret);
  state.records.setWriteKeys(direction13(state.aead, trafficKeys(state.hash, state.aead, state.clientTrafficSecret)));
  // END 08.7
}

/**
 * A handshake message that arrived after the handshake (RFC 8446 §4.6): a NewSessionTicket is kept, a KeyUpdate moves
 * the server's keys on (and ours, if it asks). Anything else is unexpected_message.
 */
export function handlePostHandshake(state: PostHandshakeState, message: Uint8Array): void {
  switch (message[0]) {
    case HandshakeType.new_session_ticket: {
      // EXERCISE 08.4: keep the ticket for chapter 09: decodeNewSessionTicket(message), then push { ticket, receivedAt:
      // new Date() } onto state.tickets (its lifetime counts from now) — unless the lifetime is 0, which means "the
      // ticket should be discarded immediately" (RFC 8446 §4.6.1).
      const ticket = decodeNewSessionTicket(message);
      if (ticket.lifetime > 0) state.tickets.push({ ticket, receivedAt: new Date() });
      return;
      // END 08.4
    }
    case HandshakeType.key_update: {
      // EXERCISE 08.7: decodeKeyUpdate(message); the server has moved to its next keys, so follow it:
      // serverTrafficSecret = nextTrafficSecret(hash, serverTrafficSecret), and read with its keys from now on
      // (records.setReadKeys(direction13(aead, trafficKeys(…))); it refuses if a handshake message is half-read, since a
      // KeyUpdate must end its record). If the server asked (updateRequested), answer with sendKeyUpdate(state, false)
      // before any more data goes out (RFC 8446 §4.6.3); never answer a KeyUpdate that did not ask, or two sides that
      // both answer would update forever.
      const { updateRequested } = decodeKeyUpdate(message);
      state.serverTrafficSecret = nextTrafficSecret(state.hash, state.serverTrafficSecret);
      state.records.setReadKeys(direction13(state.aead, trafficKeys(state.hash, state.aead, state.serverTrafficSecret)));
      if (updateRequested) sendKeyUpdate(state, false);
      return;
      // END 08.7
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

/** Wraps the record layer of a finished handshake as the connection the caller uses. */
function established13(e: Established13): Tls13Connection {
  const { records, ...rest } = e;
  const state: PostHandshakeState = {
    records,
    hash: e.secrets.hash,
    aead: suiteAead(e.cipherSuite),
    clientTrafficSecret: e.secrets.application.clientApplicationTrafficSecret,
    serverTrafficSecret: e.secrets.application.serverApplicationTrafficSecret,
    tickets: [],
  };
  const failed = (error: unknown): never => {
    records.abort(error);
    throw error;
  };
  return {
    ...rest,
    version: ProtocolVersion.TLS1_3,
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
        return failed(error);
      }
    },
    updateKeys: (requestPeer = false) => sendKeyUpdate(state, requestPeer),
    close: () => records.close(),
  };
}
