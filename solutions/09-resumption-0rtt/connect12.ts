// The TLS 1.2 client of chapter 06, able to resume: the same script with this chapter's steps added (resume12.ts).
// It offers a saved session, and follows what the server decides: the abbreviated handshake when the server takes
// the session up, chapter 06's full handshake when it does not; either way it keeps the session it ends with (and the
// server's new ticket) for the next time. Read RFC 5246 §7.3 (both flows) and RFC 5077 §3.1 (the flows with tickets).
import { makeClientHello, encodeClientHello, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES } from "../01-client-hello/index.js";
import type { Certificate, Validation } from "../03-certificates/index.js";
import type { ServerKeyExchange } from "../05-dhe-key-exchange/index.js";
import {
  type Hello12,
  type RecordTransport,
  type Tls12Options,
  type Tls12Secrets,
  type TraceEntry,
  TLS12_SUITES,
  Tls12RecordLayer,
  applicationChannel12,
  establishKeys12,
  processServerHello12,
  readServerFinished12,
  readServerFlight12,
  sendCertificateVerify12,
  sendClientCertificate12,
  sendClientFinished12,
  sendClientKeyExchange12,
  sniFor,
} from "../06-tls12-handshake/index.js";
import { type ClientSession12, SESSION_ID_LIFETIME, checkResumption12, offerSession12, readNewSessionTicket12, resumedSecrets12 } from "./resume12.js";

export interface Resume12Options extends Tls12Options {
  /** The session to offer (from a Session12Store), or none: a full handshake that asks for a ticket. */
  session?: ClientSession12;
  /** Offer and accept session tickets (RFC 5077)? Default true; false resumes by session ID only. */
  tickets?: boolean;
  /** The time now (tests fix it). */
  now?: Date;
}

/** What the handshake settled, resumed or not. */
export interface Established12Resumable {
  records: Tls12RecordLayer;
  hello: Hello12;
  /** True for the abbreviated handshake: the server took our session up. */
  resumed: boolean;
  /** The full handshake's certificates and validation; absent when resumed (the server sent none). */
  serverCertificates?: Certificate[];
  validation?: Validation;
  serverKeyExchange?: ServerKeyExchange;
  secrets: Tls12Secrets;
  /** The session to keep for next time: this connection's master secret, the server's session ID, its newest ticket. */
  session: ClientSession12;
}

/** The resumable connection: chapter 06's, plus what resumption settled. */
export interface Tls12ResumableConnection extends Omit<Established12Resumable, "records"> {
  cipherSuite: number;
  trace: TraceEntry[];
  write(data: Uint8Array): void;
  read(): Promise<Uint8Array | null>;
  close(): void;
}

/**
 * The two flows (RFC 5246 §7.3, RFC 5077 §3.1). Full, with a ticket:    Abbreviated (the server finishes first):
 *
 *   ClientHello (+SessionTicket)  -------->                         ClientHello (+ID, +ticket) -------->
 *                                 ServerHello (+SessionTicket)                          ServerHello (echoes the ID)
 *                                 Certificate, ServerKeyExchange*                        [NewSessionTicket]
 *                       <-------- ServerHelloDone                                       [ChangeCipherSpec]
 *   ClientKeyExchange                                                         <-------- Finished
 *   [ChangeCipherSpec], Finished  -------->                         [ChangeCipherSpec]
 *                                 [NewSessionTicket]                Finished            -------->
 *                       <-------- [ChangeCipherSpec], Finished
 */
export async function clientHandshake12Resumable(records: Tls12RecordLayer, options: Resume12Options): Promise<Established12Resumable> {
  // EXERCISE 09.16: the script. (1) base = makeClientHello (as 06.6 does: version "1.2", sniFor(servername), the
  // options' suites, groups and schemes, extended_master_secret dropped when options.extendedMasterSecret === false);
  // clientHello = offerSession12(base, options.session, options.tickets ?? true); records.sendHandshake(encode it).
  // (2) hello = processServerHello12 (06.7); resumed = checkResumption12(hello, options.session) (09.13).
  // (3) Resumed: secrets = resumedSecrets12 (09.14); ticket = readNewSessionTicket12 (09.15); THEN the server's
  // CCS + Finished (readServerFinished12, 06.12), THEN ours (sendClientFinished12, 06.11): the server finishes first.
  // (4) Full: chapter 06's steps as its script (06.13) runs them (readServerFlight12, our Certificate and
  // CertificateVerify if the server asked, sendClientKeyExchange12, establishKeys12, sendClientFinished12); then
  // ticket = readNewSessionTicket12 (it comes before the server's CCS), then readServerFinished12.
  // (5) session = { servername, cipherSuite, master, extendedMasterSecret (from secrets), sessionId: the ServerHello's
  // legacySessionIdEcho, ticket: the new one, or (resumed) the one we offered, receivedAt: now, lifetime: the
  // ticket's hint or SESSION_ID_LIFETIME } (a hint of 0 means "unspecified": SESSION_ID_LIFETIME too).
  const now = options.now ?? new Date();
  const base = makeClientHello({
    version: "1.2",
    serverName: sniFor(options.servername),
    cipherSuites: options.cipherSuites ?? [...TLS12_SUITES],
    groups: options.groups ?? DEFAULT_GROUPS,
    signatureSchemes: options.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES,
  }).clientHello;
  if (options.extendedMasterSecret === false) base.extensions = base.extensions.filter((e) => e.kind !== "extended_master_secret");
  const clientHello = offerSession12(base, options.session, options.tickets ?? true);
  records.sendHandshake(encodeClientHello(clientHello));
  const hello = await processServerHello12(records, clientHello);
  const resumed = checkResumption12(hello, options.session);
  let secrets: Tls12Secrets;
  let ticket: { lifetimeHint: number; ticket: Uint8Array } | undefined;
  let flight: Awaited<ReturnType<typeof readServerFlight12>> | undefined;
  if (resumed) {
    secrets = resumedSecrets12(hello, options.session!, options.keyLog);
    ticket = await readNewSessionTicket12(records, hello);
    await readServerFinished12(records, hello, secrets);
    sendClientFinished12(records, hello, secrets);
  } else {
    flight = await readServerFlight12(records, hello, options);
    const auth = sendClientCertificate12(records, flight, options.clientCredential);
    const premaster = sendClientKeyExchange12(records, hello, flight, options.fixed);
    secrets = establishKeys12(records, hello, premaster, options.keyLog);
    if (auth !== undefined) sendCertificateVerify12(records, auth);
    sendClientFinished12(records, hello, secrets);
    ticket = await readNewSessionTicket12(records, hello);
    await readServerFinished12(records, hello, secrets);
  }
  const kept = ticket?.ticket ?? (resumed ? options.session!.ticket : undefined);
  const session: ClientSession12 = {
    servername: options.servername,
    cipherSuite: hello.cipherSuite,
    master: secrets.master,
    extendedMasterSecret: secrets.extendedMasterSecret,
    sessionId: hello.serverHello.legacySessionIdEcho,
    ...(kept !== undefined ? { ticket: kept } : {}),
    receivedAt: now.getTime(),
    lifetime: ticket !== undefined && ticket.lifetimeHint > 0 ? ticket.lifetimeHint : SESSION_ID_LIFETIME,
  };
  const full = flight === undefined ? {} : { serverCertificates: flight.serverCertificates, validation: flight.validation, ...(flight.serverKeyExchange ? { serverKeyExchange: flight.serverKeyExchange } : {}) };
  return { records, hello, resumed, ...full, secrets, session };
  // END 09.16
}

/**
 * Runs clientHandshake12Resumable over `transport` and returns the connection, ready for application data. On any
 * failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function connectTls12Resumable(transport: RecordTransport, options: Resume12Options): Promise<Tls12ResumableConnection> {
  const records = new Tls12RecordLayer(transport, options.onTrace);
  let e: Established12Resumable;
  try {
    e = await clientHandshake12Resumable(records, options);
  } catch (error) {
    records.abort(error);
    throw error;
  }
  const { records: _records, ...rest } = e;
  return { ...rest, cipherSuite: e.hello.cipherSuite, ...applicationChannel12(records) };
}
