// A TLS 1.2 client, from ClientHello to the first byte of application data: one function that reads like the
// message flow of RFC 5246 §7.3, built from the pieces of chapters 00–05 and this chapter's record protection and
// Finished. Read RFC 5246 §7.3 (the flow), §7.4 (each message), §8.1 (the master secret), RFC 7627 (the extended
// master secret) and the NSS key log format (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { appendFileSync } from "node:fs";
import {
  AlertDescription,
  type CipherSuiteInfo,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  RANDOM_LENGTH,
  cipherSuites,
  describeCode,
  describeSuite,
} from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import {
  DEFAULT_GROUPS,
  DEFAULT_SIGNATURE_SCHEMES,
  DEFAULT_SUITES,
  encodeClientHello,
  makeClientHello,
  makeKeyPair,
} from "../01-client-hello/index.js";
import { type ServerHello, checkServerHello, decodeServerHello, findServerExtension } from "../02-server-hello/index.js";
import {
  type Certificate,
  type PublicKey,
  type Validation,
  decodeCertificate,
  encodeCertificate,
  parseCertificates,
  parseIp,
  validateChain,
} from "../03-certificates/index.js";
import {
  type KeyBlock,
  MASTER_SECRET_LENGTH,
  encodeClientKeyExchangeRsa,
  extendedMasterSecret,
  keyBlock,
  keyBlockParams,
  makeRsaPremaster,
  masterSecret,
  prfHash,
  rsaEncryptPkcs1v15,
} from "../04-rsa-key-exchange/index.js";
import {
  type ServerKeyExchange,
  checkDhParams,
  decodeServerKeyExchange,
  dhKeyPair,
  dhPremaster,
  ecdhePremaster,
  encodeClientKeyExchangeDh,
  encodeClientKeyExchangeEcdh,
  verifyServerKeyExchange,
} from "../05-dhe-key-exchange/index.js";
import { LABEL_CLIENT_FINISHED, LABEL_SERVER_FINISHED, checkVerifyData, decodeFinished, encodeFinished, verifyData } from "./finished.js";
import { type TraceEntry, Tls12RecordLayer } from "./record-layer.js";
import { directionState } from "./record-protection.js";
import type { RecordTransport } from "./transport.js";
import { NotImplemented } from "../../lib/errors.js";

/** What the caller decides about a connection. */
export interface Tls12Options {
  /** The name the client dialled: sent as server_name (unless it is an IP address) and checked against the certificate. */
  servername: string;
  /** The trust anchors: the server's chain must lead to one of these. */
  ca: Certificate[];
  /** The suites to offer, best first (default: every TLS 1.2 suite this client can run). */
  cipherSuites?: number[];
  /** The groups to offer for ECDHE (default x25519, secp256r1). */
  groups?: number[];
  /** The signature schemes to accept in ServerKeyExchange (default: chapter 01's list). */
  signatureSchemes?: number[];
  /** Offer the extended master secret (RFC 7627)? Default true. */
  extendedMasterSecret?: boolean;
  /** Where the NSS key log line goes: a file to append to, or a function to call. */
  keyLog?: KeyLogTarget;
  /** The time to validate the certificates at (default now). */
  at?: Date;
  /** Called with everything sent or received, as it happens (a --trace view). */
  onTrace?: (entry: TraceEntry) => void;
}

/** The secrets of a connection: enough to decrypt it afterwards, which is what the key log is for. */
export interface Tls12Secrets {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  premaster: Uint8Array;
  master: Uint8Array;
  /** True when the master secret came from the session hash (RFC 7627), false for the RFC 5246 §8.1 formula. */
  extendedMasterSecret: boolean;
  /** RFC 7627 §3: the transcript hash up to and including ClientKeyExchange, when the extension was used. */
  sessionHash?: Uint8Array;
  keys: KeyBlock;
}

/** A connection after a completed handshake. */
export interface Tls12Connection {
  cipherSuite: number;
  /** The certificates the server sent, its own first. */
  serverCertificates: Certificate[];
  /** The validated path and every check made on it. */
  validation: Validation;
  /** The server's signed DH or ECDH values; absent for RSA key exchange. */
  serverKeyExchange?: ServerKeyExchange;
  secrets: Tls12Secrets;
  /** Everything sent and received so far, in order. */
  trace: TraceEntry[];
  /** Sends application data (encrypted, in records of at most 2^14 bytes). */
  write(data: Uint8Array): void;
  /** The next application data from the server, or null once it has closed (close_notify or end of stream). */
  read(): Promise<Uint8Array | null>;
  /** Sends close_notify and closes the connection. */
  close(): void;
}

/** The suites connectTls12 can run: TLS 1.2, key exchange RSA, DHE_RSA or ECDHE_*, AES-GCM. */
export const TLS12_SUITES: readonly number[] = DEFAULT_SUITES["1.2"];

/**
 * The NSS key log line for a TLS 1.2 connection: "CLIENT_RANDOM <client random> <master secret>", both in hex.
 * With it, Wireshark (or anyone) can decrypt a capture of the connection: that is the power of the master secret.
 */
export function keyLogLine(clientRandom: Uint8Array, master: Uint8Array): string {
  // TODO 06.4: the NSS key log line: the label CLIENT_RANDOM, a space, the 32-byte client random as 64 lowercase
  // hex digits, a space, the 48-byte master secret as 96 hex digits; no newline. Wrong lengths are our own bug
  // (internal_error). The client random is how a tool finds the connection in a capture; the master secret is all it
  // needs then.
  throw new NotImplemented("06.4");
  // END 06.4
}

/** Where key log lines go: a file to append to, or a function to call (the option of chapters 06, 08 and 09). */
export type KeyLogTarget = string | ((line: string) => void);

/** Sends one key log line to `keyLog`, if there is one. Chapters 08 and 09 write theirs through this too. */
export function writeKeyLog(keyLog: KeyLogTarget | undefined, line: string): void {
  if (keyLog === undefined) return;
  if (typeof keyLog === "string") appendFileSync(keyLog, line + "\n");
  else keyLog(line);
}

/** Checks that `message` is a handshake message of `type`; any other is unexpected_message (RFC 5246 §7.3). */
export function expectMessage(message: Uint8Array, type: number): Uint8Array {
  if (message[0] !== type) {
    throw new TlsError(
      AlertDescription.unexpected_message,
      `expected ${describeCode(HandshakeType, type, 2)}, got ${describeCode(HandshakeType, message[0] ?? -1, 2)}`,
      { field: "handshake type", offset: 0 },
    );
  }
  return message;
}

/**
 * The certificate's key must be one the suite can use (RFC 5246 §7.4.2): an RSA key that may encrypt for RSA key
 * exchange (keyEncipherment, if keyUsage is there), one that may sign for DHE_RSA / ECDHE_RSA, an EC key that may
 * sign for ECDHE_ECDSA.
 */
export function checkKeyForSuite(suite: CipherSuiteInfo, leaf: Certificate): PublicKey {
  const key = leaf.publicKey;
  const usage = leaf.extensions.keyUsage;
  const fail = (why: string): never => {
    throw new TlsError(AlertDescription.unsupported_certificate, `${suite.name} cannot use this certificate: ${why}`, { field: "certificate" });
  };
  const wantsEc = suite.keyExchange === "ECDHE_ECDSA";
  if (wantsEc && key.kind !== "ec") fail(`the suite needs an EC key, the certificate has ${key.kind === "rsa" ? "an RSA" : "an unsupported"} key`);
  if (!wantsEc && (key.kind !== "rsa" || key.pss)) fail("the suite needs an rsaEncryption key");
  const needed = suite.keyExchange === "RSA" ? "keyEncipherment" : "digitalSignature";
  if (usage !== undefined && !usage.includes(needed)) fail(`its keyUsage (${usage.join(", ")}) lacks ${needed}`);
  return key;
}

/** The server_name to send: a DNS name, never an IP address (RFC 6066 §3). Chapters 08 and 09 use it too. */
export function sniFor(servername: string): string | undefined {
  return parseIp(servername) === undefined ? servername : undefined;
}

/** What the handshake learned, and the record layer to go on with. */
export interface Established {
  records: Tls12RecordLayer;
  cipherSuite: number;
  serverCertificates: Certificate[];
  validation: Validation;
  serverKeyExchange?: ServerKeyExchange;
  secrets: Tls12Secrets;
}

/** Wraps the record layer of a finished handshake as the connection the caller uses. */
function established(e: Established): Tls12Connection {
  const { records, ...rest } = e;
  return {
    ...rest,
    trace: records.trace,
    write: (data) => records.sendApplicationData(data),
    read: async () => {
      try {
        return await records.readApplicationData();
      } catch (error) {
        records.abort(error);
        throw error;
      }
    },
    close: () => records.close(),
  };
}

/**
 * Runs the client side of a full TLS 1.2 handshake over `transport` and returns the connection, ready for
 * application data. On any failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function connectTls12(transport: RecordTransport, options: Tls12Options): Promise<Tls12Connection> {
  const records = new Tls12RecordLayer(transport, options.onTrace);
  try {
    return established(await clientHandshake(records, options));
  } catch (error) {
    records.abort(error);
    throw error;
  }
}

/** The handshake itself, message by message (RFC 5246 §7.3):
 *
 *      Client                                               Server
 *
 *      ClientHello                  -------->
 *                                                      ServerHello
 *                                                     Certificate
 *                                               ServerKeyExchange*
 *                                              CertificateRequest*
 *                                   <--------      ServerHelloDone
 *      Certificate*
 *      ClientKeyExchange
 *      [ChangeCipherSpec]
 *      Finished                     -------->
 *                                               [ChangeCipherSpec]
 *                                   <--------             Finished
 *      Application Data             <------->     Application Data
 */
export async function clientHandshake(records: Tls12RecordLayer, options: Tls12Options): Promise<Established> {
  // TODO 06.3: the client handshake. Follow the diagram, one step per message: records.readHandshake() gives the
  // next message (header included) and keeps the transcript, records.sendHandshake(m) sends one; check every type with
  // expectMessage. (1) ClientHello: makeClientHello({ version: "1.2", serverName: sniFor(servername), cipherSuites,
  // groups, signatureSchemes }) (defaults TLS12_SUITES, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES); when
  // options.extendedMasterSecret is false, drop that extension from clientHello.extensions. (2) ServerHello:
  // decodeServerHello, checkServerHello (chapter 02); a suite outside TLS12_SUITES is illegal_parameter; hash =
  // prfHash(suite); the extended master secret is on if the server echoed it. (3) Certificate: decodeCertificate(…, TLS
  // 1.2), parseCertificates, validateChain({ roots: options.ca, host: servername, at: options.at }), checkKeyForSuite.
  // (4) DHE and ECDHE only, ServerKeyExchange: decodeServerKeyExchange, verifyServerKeyExchange (the randoms, the
  // leaf's key, the schemes we offered); then DHE: checkDhParams; ECDHE: the curve must be one we offered
  // (illegal_parameter). (5) An optional CertificateRequest (we have no certificate: send an empty Certificate later,
  // RFC 5246 §7.4.6), then ServerHelloDone, whose body must be empty (decode_error). (6) ClientKeyExchange: RSA:
  // premaster = makeRsaPremaster(clientHello.legacyVersion), encodeClientKeyExchangeRsa(rsaEncryptPkcs1v15(key,
  // premaster)); DHE: dhKeyPair(p, g), dhPremaster, encodeClientKeyExchangeDh; ECDHE: makeKeyPair(curve),
  // ecdhePremaster, encodeClientKeyExchangeEcdh. (7) With the extended master secret, the session hash is
  // records.transcript.hash(hash) NOW, right after ClientKeyExchange, and master = extendedMasterSecret(hash,
  // premaster, sessionHash) (RFC 7627 §4); else masterSecret(hash, premaster, client random, server random) (RFC 5246
  // §8.1). keys = keyBlock(…, keyBlockParams(suite)); writeKeyLog(options.keyLog, keyLogLine(…)). (8)
  // records.sendChangeCipherSpec(directionState(keys.clientKey, keys.clientIv)), then our Finished: verifyData(hash,
  // master, "client finished", transcript hash). (9) Compute the server's verify_data BEFORE reading its Finished (its
  // transcript holds our Finished but not its own), records.readChangeCipherSpec(directionState(keys.serverKey,
  // keys.serverIv)), read its Finished (decodeFinished), checkVerifyData. Nothing may be left half-read
  // (records.handshakePending: unexpected_message). Return { records, cipherSuite, serverCertificates, validation,
  // serverKeyExchange, secrets } (secrets: a Tls12Secrets).
  throw new NotImplemented("06.3");
  // END 06.3
}
