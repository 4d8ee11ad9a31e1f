// Showing a TLS 1.3 connection: every message of a trace read again with the decoders of chapters 00–08, so that
// each byte carries its note (the --trace view of the command-line tool, and the notebook), and the key schedule
// in the order it unfolds. A finished helper, not an exercise; a message a decoder refuses is shown raw with the reason.
import { ByteReader } from "../../lib/bytes.js";
import { HandshakeType, ProtocolVersion, nameOf } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { readHandshake } from "../00-bytes/index.js";
import { readClientHelloBody } from "../01-client-hello/index.js";
import { decodeServerHello, readServerHelloBody } from "../02-server-hello/index.js";
import { HASH_LENGTH, readCertificateBody } from "../03-certificates/index.js";
import { type AnnotatedEntry, annotateEntries, annotator } from "../06-tls12-handshake/index.js";
import { suiteHash } from "../07-tls13-key-schedule/index.js";
import { readCertificateVerifyBody } from "./certificate-verify.js";
import { readEncryptedExtensionsBody } from "./encrypted-extensions.js";
import type { Tls13Secrets } from "./handshake.js";
import { readCertificateRequestBody, readFinishedBody13 } from "./messages.js";
import { readKeyUpdateBody, readNewSessionTicketBody } from "./post-handshake.js";
import type { TraceEntry } from "./record-layer.js";

/** One trace entry with a note for every byte: the same shape as chapter 06's. */
export type AnnotatedEntry13 = AnnotatedEntry;

function annotateHandshake(r: ByteReader, hashLength: number): void {
  const { type, body } = readHandshake(r);
  switch (type) {
    case HandshakeType.client_hello:
      readClientHelloBody(body);
      break;
    case HandshakeType.server_hello:
      readServerHelloBody(body);
      break;
    case HandshakeType.encrypted_extensions:
      readEncryptedExtensionsBody(body);
      break;
    case HandshakeType.certificate_request:
      readCertificateRequestBody(body);
      break;
    case HandshakeType.certificate:
      readCertificateBody(body, ProtocolVersion.TLS1_3);
      break;
    case HandshakeType.certificate_verify:
      readCertificateVerifyBody(body);
      break;
    case HandshakeType.finished:
      readFinishedBody13(body, hashLength);
      break;
    case HandshakeType.new_session_ticket:
      readNewSessionTicketBody(body);
      break;
    case HandshakeType.key_update:
      readKeyUpdateBody(body);
      break;
    default:
      body.bytes(body.remaining, "body (not decoded here)");
  }
  body.end(nameOf(HandshakeType, type) ?? "handshake body");
}

/**
 * Annotates the entries of one connection one at a time, as they happen (a --trace that streams, a notebook cell that
 * shows each message as it arrives). Finished's length comes from the suite the ServerHello chose, so keep one
 * annotator per connection and give it the entries in order.
 */
export function annotator13(): (entry: TraceEntry) => AnnotatedEntry13 {
  let hashLength = 32;
  const handshake = (r: ByteReader, message: Uint8Array): void => {
    if (message[0] === HandshakeType.server_hello) hashLength = HASH_LENGTH[suiteHash(decodeServerHello(message).cipherSuite)];
    annotateHandshake(r, hashLength);
  };
  return (entry) => annotateEntries([entry], handshake, "change_cipher_spec: 01, only for middleboxes; TLS 1.3 ignores it")[0]!;
}

/** Every entry of a trace, annotated. */
export function annotateTrace13(trace: readonly TraceEntry[]): AnnotatedEntry13[] {
  return trace.map(annotator13());
}

/**
 * The annotator for a connection that offered both versions (connectTls): TLS 1.3's until the ServerHello, then the
 * one of the version it chose (a TLS 1.3 ServerHello carries supported_versions, a TLS 1.2 one does not).
 */
export function annotatorAnyVersion(): (entry: TraceEntry) => AnnotatedEntry13 {
  const tls13 = annotator13();
  const tls12 = annotator();
  let chosen: ((entry: TraceEntry) => AnnotatedEntry13) | undefined;
  return (entry) => {
    if (chosen === undefined && entry.from === "server" && entry.content[0] === HandshakeType.server_hello) {
      let is13 = true;
      try {
        is13 = decodeServerHello(entry.content).extensions.some((e) => e.kind === "supported_versions");
      } catch {
        // a ServerHello that does not decode is shown raw by either annotator
      }
      chosen = is13 ? tls13 : tls12;
    }
    return (chosen ?? tls13)(entry);
  };
}

/** Every entry of a trace that offered both versions, annotated. */
export function annotateTraceAnyVersion(trace: readonly TraceEntry[]): AnnotatedEntry13[] {
  return trace.map(annotatorAnyVersion());
}

/** One derived value: the message after which it exists, its name as RFC 8446 §7 writes it, and its value in hex. */
export interface SecretRow {
  after: string;
  name: string;
  hex: string;
}

/** The key schedule of a connection, in the order it unfolds (RFC 8446 §7.1, §7.3). */
export function describeSecrets13(secrets: Tls13Secrets): SecretRow[] {
  const { handshake: hs, application: app, handshakeKeys, applicationKeys } = secrets;
  const row = (after: string, name: string, value: Uint8Array): SecretRow => ({ after, name, hex: toHex(value) });
  return [
    row("ClientHello", "client random", secrets.clientRandom),
    row("ServerHello", "server random", secrets.serverRandom),
    row("ServerHello", "(EC)DHE shared secret", secrets.sharedSecret),
    row("ServerHello", "early secret = HKDF-Extract(0, 0)", secrets.earlySecret),
    row("ServerHello", "handshake secret", hs.handshakeSecret),
    row("ServerHello", "client_handshake_traffic_secret", hs.clientHandshakeTrafficSecret),
    row("ServerHello", "server_handshake_traffic_secret", hs.serverHandshakeTrafficSecret),
    row("ServerHello", "server handshake key", handshakeKeys.server.key),
    row("ServerHello", "server handshake iv", handshakeKeys.server.iv),
    row("ServerHello", "client handshake key", handshakeKeys.client.key),
    row("ServerHello", "client handshake iv", handshakeKeys.client.iv),
    row("server Finished", "master secret", app.masterSecret),
    row("server Finished", "client_application_traffic_secret_0", app.clientApplicationTrafficSecret),
    row("server Finished", "server_application_traffic_secret_0", app.serverApplicationTrafficSecret),
    row("server Finished", "exporter_master_secret", app.exporterMasterSecret),
    row("server Finished", "server application key", applicationKeys.server.key),
    row("server Finished", "server application iv", applicationKeys.server.iv),
    row("server Finished", "client application key", applicationKeys.client.key),
    row("server Finished", "client application iv", applicationKeys.client.iv),
    row("client Finished", "resumption_master_secret", secrets.resumptionMasterSecret),
  ];
}
