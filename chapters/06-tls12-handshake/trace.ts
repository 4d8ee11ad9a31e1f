// Showing a connection: every message of a trace read again with the decoders of chapters 00–06, so that each
// byte carries its note (the --trace view of the command-line tool, and the notebook). A finished helper, not an
// exercise; a message a decoder refuses is shown as raw bytes with the reason.
import { type Annotation, ByteReader } from "../../lib/bytes.js";
import { AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion, SignatureScheme, cipherSuites, describeCode, nameOf } from "../../lib/constants.js";
import { isNotImplemented, isTlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { readHandshake, readOpaque, readUint } from "../00-bytes/index.js";
import { readClientHelloBody } from "../01-client-hello/index.js";
import { decodeServerHello, readServerHelloBody } from "../02-server-hello/index.js";
import { readCertificateBody } from "../03-certificates/index.js";
import { readClientKeyExchangeRsa } from "../04-rsa-key-exchange/index.js";
import { readClientKeyExchangeDh, readClientKeyExchangeEcdh, readServerKeyExchange } from "../05-dhe-key-exchange/index.js";
import { readCertificateRequest12Body } from "./client-auth.js";
import { readFinishedBody } from "./finished.js";
import type { TraceEntry } from "./record-layer.js";
import type { Tls12Secrets } from "./handshake.js";

/** One trace entry with a note for every byte. */
export interface AnnotatedEntry {
  entry: TraceEntry;
  /** Same bytes as entry.content. */
  data: Uint8Array;
  annotations: Annotation[];
  /** Set when a decoder refused the bytes (they are then shown raw). */
  error?: string;
}

type KeyExchange = "RSA" | "DHE" | "ECDHE" | undefined;

function keyExchangeOf(suite: number): KeyExchange {
  const kx = cipherSuites.get(suite)?.keyExchange;
  return kx === "RSA" ? "RSA" : kx === "DHE_RSA" ? "DHE" : kx === undefined ? undefined : "ECDHE";
}

function annotateHandshake(r: ByteReader, kx: KeyExchange): void {
  const { type, body } = readHandshake(r);
  switch (type) {
    case HandshakeType.client_hello:
      readClientHelloBody(body);
      break;
    case HandshakeType.server_hello:
      readServerHelloBody(body);
      break;
    case HandshakeType.certificate:
      readCertificateBody(body, ProtocolVersion.TLS1_2);
      break;
    case HandshakeType.server_key_exchange:
      readServerKeyExchange(body, kx === "DHE" ? "dhe" : "ecdhe");
      break;
    case HandshakeType.client_key_exchange:
      if (kx === "RSA") readClientKeyExchangeRsa(body);
      else if (kx === "DHE") readClientKeyExchangeDh(body);
      else readClientKeyExchangeEcdh(body);
      break;
    case HandshakeType.finished:
      readFinishedBody(body);
      break;
    case HandshakeType.server_hello_done:
      break;
    // Mutual TLS (client-auth.ts): the server's CertificateRequest (06.15) and our CertificateVerify, a scheme and a
    // signature<0..2^16-1> (RFC 5246 §7.4.8).
    case HandshakeType.certificate_request:
      readCertificateRequest12Body(body);
      break;
    case HandshakeType.certificate_verify:
      body.describe(describeCode(SignatureScheme, readUint(body, 2, "algorithm")));
      readOpaque(body, 2, "signature over the handshake messages");
      break;
    default:
      body.bytes(body.remaining, "body (not decoded here)");
  }
  body.end(nameOf(HandshakeType, type) ?? "handshake body");
}

/**
 * Annotates the entries of one connection one at a time, as they happen (a --trace that streams). The key exchange
 * (for ServerKeyExchange and ClientKeyExchange) comes from the ServerHello's suite, so keep one annotator per
 * connection and give it the entries in order.
 */
export function annotator(): (entry: TraceEntry) => AnnotatedEntry {
  let kx: KeyExchange;
  const handshake = (r: ByteReader, message: Uint8Array): void => {
    if (message[0] === HandshakeType.server_hello) kx = keyExchangeOf(decodeServerHello(message).cipherSuite);
    annotateHandshake(r, kx);
  };
  return (entry) => annotateEntries([entry], handshake, "change_cipher_spec: 01, from now on this side encrypts")[0]!;
}

/** Every entry of a trace, annotated. */
export function annotateTrace(trace: readonly TraceEntry[]): AnnotatedEntry[] {
  return trace.map(annotator());
}

/**
 * The loop both versions of the trace share (chapter 08 calls it too): each entry by its record type. `handshake`
 * reads one handshake message into `r` (it sees the message first, so the ServerHello can say what the rest means);
 * `changeCipherSpec` is the note for the ChangeCipherSpec byte. A message a decoder refuses is shown raw.
 */
export function annotateEntries(
  trace: readonly TraceEntry[],
  handshake: (r: ByteReader, message: Uint8Array) => void,
  changeCipherSpec: string,
): AnnotatedEntry[] {
  return trace.map((entry) => {
    const r = new ByteReader(entry.content);
    try {
      switch (entry.contentType) {
        case ContentType.handshake:
          handshake(r, entry.content);
          break;
        case ContentType.change_cipher_spec:
          r.bytes(1, changeCipherSpec);
          break;
        case ContentType.alert: {
          r.bytes(1, "level");
          r.describe(describeCode(AlertLevel, entry.content[0]!, 2));
          r.bytes(1, "description");
          r.describe(describeCode(AlertDescription, entry.content[1]!, 2));
          break;
        }
        default:
          r.bytes(entry.content.length, "application data (decrypted)");
      }
      r.end(entry.name);
      return { entry, data: entry.content, annotations: r.annotations };
    } catch (e) {
      if (!isTlsError(e) && !isNotImplemented(e)) throw e;
      return {
        entry,
        data: entry.content,
        annotations: [{ offset: 0, length: entry.content.length, depth: 0, note: `${entry.name} (not decoded: ${e.message})`, group: false }],
        error: e.message,
      };
    }
  });
}

/** The derived secrets as name/hex pairs, in the order they are made. */
export function describeSecrets(secrets: Tls12Secrets): [string, string][] {
  const { keys } = secrets;
  const rows: [string, string][] = [
    ["client random", toHex(secrets.clientRandom)],
    ["server random", toHex(secrets.serverRandom)],
    ["premaster secret", toHex(secrets.premaster)],
  ];
  if (secrets.sessionHash !== undefined) rows.push(["session hash (RFC 7627)", toHex(secrets.sessionHash)]);
  rows.push(
    [secrets.extendedMasterSecret ? "extended master secret" : "master secret", toHex(secrets.master)],
    ["client_write_key", toHex(keys.clientKey)],
    ["server_write_key", toHex(keys.serverKey)],
    ["client_write_IV (salt)", toHex(keys.clientIv)],
    ["server_write_IV (salt)", toHex(keys.serverIv)],
  );
  return rows;
}
