// A TLS 1.2 client, from ClientHello to the first byte of application data: a short script that reads like the
// message flow of RFC 5246 §7.3, one step per message (hellos.ts, server-flight.ts, key-exchange.ts, finish.ts),
// built from the pieces of chapters 00–05 and this chapter's record protection and Finished. Read RFC 5246 §7.3 (the flow), §7.4 (each message), §8.1 (the master secret), RFC 7627 (the extended
// master secret) and the NSS key log format (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ProtocolVersion } from "../../lib/constants.js";
import type { ClientHello, KeyPair } from "../01-client-hello/index.js";
import type { Certificate, Validation } from "../03-certificates/index.js";
import type { KeyBlock } from "../04-rsa-key-exchange/index.js";
import type { ServerKeyExchange } from "../05-dhe-key-exchange/index.js";
import { type ClientCredential, sendCertificateVerify12, sendClientCertificate12 } from "./client-auth.js";
import { readServerFinished12, sendClientFinished12 } from "./finish.js";
import { processServerHello12, sendClientHello12 } from "./hellos.js";
import { establishKeys12, sendClientKeyExchange12 } from "./key-exchange.js";
import { type TraceEntry, Tls12RecordLayer } from "./record-layer.js";
import { readServerFlight12 } from "./server-flight.js";
import type { KeyLogTarget } from "./shared.js";
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
  /** Our certificate and signer, for a server that asks who we are (mutual TLS, client-auth.ts); without it we answer
   * a CertificateRequest with an empty Certificate and the server decides. */
  clientCredential?: ClientCredential;
  /** Tests only: replay a recorded handshake. */
  fixed?: FixedHandshake12;
}

/**
 * Values that replace the random ones, for tests that replay a recorded handshake (the recordings in tests/vectors)
 * byte for byte. Never set in real use.
 */
export interface FixedHandshake12 {
  /** The ClientHello to send (with its random). */
  clientHello?: ClientHello;
  /** ECDHE: our key pair (its group must be the server's curve). */
  keyPair?: KeyPair;
  /** Where the random bytes of an RSA premaster secret or a DHE exponent come from. */
  random?: (n: number) => Uint8Array;
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
  version: typeof ProtocolVersion.TLS1_2;
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

/** What the handshake learned, and the record layer to go on with. */
export interface Established {
  records: Tls12RecordLayer;
  cipherSuite: number;
  serverCertificates: Certificate[];
  validation: Validation;
  serverKeyExchange?: ServerKeyExchange;
  secrets: Tls12Secrets;
}

/**
 * The application side of a record layer after its handshake: write, read (a failure sends its alert and closes),
 * close, and the trace. Every TLS 1.2 connection the client hands out is this (chapter 09's resumable one too).
 */
export function applicationChannel12(records: Tls12RecordLayer): Pick<Tls12Connection, "trace" | "write" | "read" | "close"> {
  return {
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

/** Wraps the record layer of a finished handshake as the connection the caller uses (chapter 08's connectTls too). */
export function established12(e: Established): Tls12Connection {
  const { records, ...rest } = e;
  return { ...rest, version: ProtocolVersion.TLS1_2, ...applicationChannel12(records) };
}

/**
 * Runs the client side of a full TLS 1.2 handshake over `transport` and returns the connection, ready for
 * application data. On any failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function connectTls12(transport: RecordTransport, options: Tls12Options): Promise<Tls12Connection> {
  const records = new Tls12RecordLayer(transport, options.onTrace);
  try {
    return established12(await clientHandshake(records, options));
  } catch (error) {
    records.abort(error);
    throw error;
  }
}

/**
 * The handshake itself, message by message (RFC 5246 §7.3). `sent` is a ClientHello that already went out (08.19
 * sends one hello for both versions and, when the server picks TLS 1.2, goes on here):
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
export async function clientHandshake(records: Tls12RecordLayer, options: Tls12Options, sent?: ClientHello): Promise<Established> {
  // TODO 06.13: the script of RFC 5246 §7.3, one step per message, each step's result handed to the next.
  // 1. clientHello = sent (a ClientHello that already went out: chapter 08's offer of both versions, 08.19) or else
  //    sendClientHello12(records, options); hello = await processServerHello12(records, clientHello).
  // 2. flight = await readServerFlight12(records, hello, options).
  // 3. auth = sendClientCertificate12(records, flight, options.clientCredential) (given: our Certificate, only if the
  //    server asked); premaster = sendClientKeyExchange12(records, hello, flight, options.fixed).
  // 4. secrets = establishKeys12(records, hello, premaster, options.keyLog); then, if auth came back,
  //    sendCertificateVerify12(records, auth) (06.16): after the session hash, which ends at ClientKeyExchange.
  // 5. sendClientFinished12(records, hello, secrets); await readServerFinished12(records, hello, secrets).
  // 6. Return { records, cipherSuite, serverCertificates, validation, serverKeyExchange (if any), secrets }.
  throw new NotImplemented("06.13");
  // END 06.13
}
