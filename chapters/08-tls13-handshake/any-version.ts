// A client that connects the way real clients do: ONE ClientHello offers TLS 1.3 and TLS 1.2, and the server's
// ServerHello says which handshake follows. The client then goes on with this chapter's script (08.17) or with
// chapter 06's (06.13), from the ServerHello on. The same step is where the downgrade sentinel protects it: an
// attacker who hides our TLS 1.3 offer from a TLS 1.3 server gets a TLS 1.2 answer whose random says so. Read RFC
// 8446 §D.1 (negotiating with an older server), §4.1.3 (the downgrade sentinel) and §4.2.1 (supported_versions).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { HandshakeType, ProtocolVersion } from "../../lib/constants.js";
import { makeClientHello } from "../01-client-hello/index.js";
import { checkServerVersion, decodeServerHello } from "../02-server-hello/index.js";
import {
  type Established,
  type Tls12Connection,
  type Tls12Options,
  type RecordTransport,
  TLS12_SUITES,
  clientHandshake,
  established12,
  expectMessage,
  sniFor,
} from "../06-tls12-handshake/index.js";
import { type Established13, type Tls13Connection, type Tls13Options, clientHandshake13, established13 } from "./handshake.js";
import { type ClientHelloOffer, TLS13_SUITES, sendClientHello } from "./hellos.js";
import { Tls13RecordLayer } from "./record-layer.js";
import { NotImplemented } from "../../lib/errors.js";

/** What the caller decides about a connection that may turn out TLS 1.3 or TLS 1.2. */
export interface TlsOptions extends Tls13Options {
  /** The suites to offer, best first (default: every TLS 1.3 suite, then every TLS 1.2 suite this client runs). */
  cipherSuites?: number[];
  /** TLS 1.2: offer the extended master secret (RFC 7627)? Default true. */
  extendedMasterSecret?: boolean;
}

/** What the handshake settled: the version the server chose, and that version's handshake result. */
export type EstablishedAnyVersion = { version: "1.3"; established: Established13 } | { version: "1.2"; established: Established };

/** A connection after a completed handshake, in whichever version the server chose; `version` says which. */
export type TlsConnection = Tls13Connection | Tls12Connection;

/** The options chapter 06's script understands (no TLS 1.3 replay values: the ClientHello went out already). */
export function tls12Options(options: TlsOptions): Tls12Options {
  const { fixed: _fixed, padding: _padding, keyShareGroups: _shares, ...shared } = options;
  return shared;
}

/**
 * One ClientHello for both versions (RFC 8446 §D.1), then the handshake the server chose:
 *
 *       Client                                   Server (TLS 1.3)              Server (TLS 1.2 only)
 *       ClientHello
 *       + supported_versions [1.3, 1.2]
 *       + key_share, TLS 1.3 and 1.2 suites  -->
 *                                                ServerHello                   ServerHello
 *                                                + supported_versions 1.3      legacy_version 1.2
 *                                                + key_share                   (a 1.3 server that chose 1.2 ends its
 *                                                {EncryptedExtensions} …       random with DOWNGRD 01)
 *       chapter 08's script goes on                                            chapter 06's script goes on
 */
export async function clientHandshakeAnyVersion(records: Tls13RecordLayer, options: TlsOptions): Promise<EstablishedAnyVersion> {
  // TODO 08.19: ONE hello for both versions; the ServerHello decides which script goes on (RFC 8446 §D.1).
  // 1. offer = options.fixed's clientHello and keyPairs if set, else makeClientHello({ version: "both", serverName:
  //    sniFor(options.servername), cipherSuites (default [...TLS13_SUITES, ...TLS12_SUITES]), and options.groups,
  //    keyShareGroups and signatureSchemes as they are }) (options.offer, chapter 12's hybrid offer, builds it around
  //    that makeClientHello when it is set); options.extendedMasterSecret === false: drop the
  //    extended_master_secret extension. sent = sendClientHello(records, offer) (08.9).
  // 2. serverHello = decodeServerHello(expectMessage(await records.peekHandshake(), server_hello)): PEEK, do not take:
  //    the script that goes on reads it again, into its own transcript.
  // 3. checkServerVersion(sent.clientHello, serverHello) (chapter 02, 02.7): a version we offered, no downgrade sentinel.
  // 4. TLS 1.3: return { version: "1.3", established: await clientHandshake13(records, options, sent) } (08.17).
  // 5. TLS 1.2: records12 = records.continueAsTls12(sent.message) (our ClientHello starts its transcript); return
  //    { version: "1.2", established: await clientHandshake(records12, tls12Options(options), sent.clientHello) } (06.13).
  throw new NotImplemented("08.19");
  // END 08.19
}

/**
 * Runs the client side of a handshake that offers TLS 1.3 and TLS 1.2 over `transport` and returns the connection in
 * the version the server chose, ready for application data. On any failure it sends the fitting alert (with the
 * record layer that holds the connection by then), closes the transport and throws the TlsError.
 */
export async function connectTls(transport: RecordTransport, options: TlsOptions): Promise<TlsConnection> {
  const records = new Tls13RecordLayer(transport, options.onTrace);
  records.padding = options.padding ?? 0;
  try {
    const result = await clientHandshakeAnyVersion(records, options);
    return result.version === "1.3" ? established13(result.established) : established12(result.established);
  } catch (error) {
    (records.successor ?? records).abort(error);
    throw error;
  }
}
