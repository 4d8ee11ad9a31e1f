// The TLS 1.2 server's handshake wrapped as the connection an application uses (the same shape as chapter 10's, so
// chapter 10's HTTP responder and `tls-by-hand serve` take either), and the one door for both versions: read the
// ClientHello, choose the version (11.1), and let chapter 10's or this chapter's handshake answer it. A finished
// helper, not an exercise. Read RFC 8446 §4.2.1 and §4.1.3 (one server, two versions) and RFC 5246 §7.2.2.
import { AlertDescription, ContentType, HANDSHAKE_HEADER_LENGTH, HandshakeType, MAX_PLAINTEXT_LENGTH, NamedGroup, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type TlsRecord, nextHandshake } from "../00-bytes/index.js";
import { type ClientHello, decodeClientHello, findExtension } from "../01-client-hello/index.js";
import { keyName } from "../05-dhe-key-exchange/index.js";
import { MAX_HANDSHAKE_MESSAGE_LENGTH, type RecordTransport, Tls12RecordLayer } from "../06-tls12-handshake/index.js";
import {
  type AcceptOptions,
  type ConnectionInfo,
  type ServerConnection,
  type Tls13ServerConfig,
  acceptTls13,
  schemeName,
} from "../10-tls13-server/index.js";
import { chooseVersion } from "./client-hello.js";
import type { Tls12ServerConfig } from "./config.js";
import { type Established12, serverHandshake12 } from "./handshake.js";

const groupName = (g: number): string => describeCode(NamedGroup, g).replace(/ \(.*/, "");

/** The connection as the server saw it, for its page and its log. */
export function connectionInfo12(e: Established12): ConnectionInfo {
  const { choice } = e;
  const ch = choice.clientHello;
  const leaf = choice.credential.leaf;
  const certificate = `certificate ${leaf.subject.text} (${keyName(leaf.publicKey).replace(/^an? /, "")})`;
  const resumed = e.resumedBy !== undefined;
  const keyExchange = resumed
    ? "none: the master secret of an earlier session, with fresh randoms"
    : choice.keyExchange === "RSA"
      ? "RSA: the client encrypted the premaster to the certificate's key"
      : `${choice.keyExchange} ${groupName(choice.group!)}`;
  const authentication = resumed
    ? "the earlier session's master secret (no certificate sent)"
    : choice.keyExchange === "RSA"
      ? `${certificate}: only its private key could decrypt the premaster`
      : `${certificate}, ${schemeName(choice.scheme!)} over the ServerKeyExchange`;
  return {
    version: "TLS 1.2",
    cipherSuite: choice.cipherSuite,
    group: resumed ? undefined : choice.group,
    keyExchange,
    authentication,
    resumed,
    resumedBy: e.resumedBy,
    extendedMasterSecret: e.secrets.extendedMasterSecret,
    earlyData: "not offered",
    earlyDataReason: "TLS 1.2 has no 0-RTT",
    helloRetryRequest: false,
    serverName: choice.serverName,
    alpn: choice.alpn,
    offeredSuites: ch.cipherSuites,
    offeredGroups: findExtension(ch.extensions, "supported_groups")?.groups ?? [],
    offeredKeyShares: (findExtension(ch.extensions, "key_share")?.shares ?? []).map((s) => s.group),
    offeredSignatureSchemes: findExtension(ch.extensions, "signature_algorithms")?.schemes ?? [],
    clientRandom: ch.random,
  };
}

/** A connection after this chapter's handshake, with everything the handshake settled. */
export interface Tls12ServerConnection extends ServerConnection {
  established: Established12;
  records: Tls12RecordLayer;
}

/**
 * Runs the server side of a TLS 1.2 handshake over `transport` and returns the connection, ready for application
 * data. On any failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function acceptTls12(transport: RecordTransport, config: Tls12ServerConfig, options: AcceptOptions = {}): Promise<Tls12ServerConnection> {
  const records = new Tls12RecordLayer(transport, options.onTrace ?? config.onTrace, "server");
  let e: Established12;
  try {
    e = await serverHandshake12(records, config);
  } catch (error) {
    records.abort(error);
    throw error;
  }
  return {
    info: connectionInfo12(e),
    established: e,
    records,
    trace: records.trace,
    read: async () => {
      try {
        return await records.readApplicationData();
      } catch (error) {
        records.abort(error);
        throw error;
      }
    },
    write: (data) => records.sendApplicationData(data),
    updateKeys: () => {
      throw new TlsError(AlertDescription.internal_error, "TLS 1.2 has no KeyUpdate (RFC 8446 §4.6.3 is TLS 1.3's)", { field: "key_update" });
    },
    close: () => records.close(),
    abort: (error) => records.abort(error),
  };
}

/** A transport that hands out `first` again before reading on from `rest`. */
function replayFirst(first: TlsRecord[], rest: RecordTransport): RecordTransport {
  const queue = [...first];
  return {
    readRecord: async () => queue.shift() ?? rest.readRecord(),
    write: (bytes) => rest.write(bytes),
    close: () => rest.close(),
  };
}

/**
 * Reads the records of the client's first message and decodes it when it is a ClientHello. Returns a transport that
 * hands those records out again, so the handshake that answers reads them as if nothing had looked before. Anything
 * that does not read (a record of another type, a decoding failure) is left for that handshake to report.
 */
export async function peekClientHello(transport: RecordTransport): Promise<{ transport: RecordTransport; clientHello?: ClientHello }> {
  const kept: TlsRecord[] = [];
  let buffer: Uint8Array = new Uint8Array(0);
  try {
    for (;;) {
      const record = await transport.readRecord();
      if (record === null) break;
      kept.push(record);
      if (record.type !== ContentType.handshake || record.fragment.length > MAX_PLAINTEXT_LENGTH) break;
      buffer = concat(buffer, record.fragment);
      if (buffer.length >= HANDSHAKE_HEADER_LENGTH && ((buffer[1]! << 16) | (buffer[2]! << 8) | buffer[3]!) > MAX_HANDSHAKE_MESSAGE_LENGTH) break;
      const found = nextHandshake(buffer);
      if (found === null) continue;
      const clientHello = found.message[0] === HandshakeType.client_hello ? decodeClientHello(found.message) : undefined;
      return { transport: replayFirst(kept, transport), ...(clientHello === undefined ? {} : { clientHello }) };
    }
  } catch {
    // The handshake that reads these records again meets the same failure and answers it with its alert.
  }
  return { transport: replayFirst(kept, transport) };
}

/** The configurations of a server that speaks both versions from one port (either may be left out). */
export interface BothVersions {
  tls13?: Tls13ServerConfig;
  tls12?: Tls12ServerConfig;
}

/**
 * One server, two versions: reads the ClientHello, chooses the version (chooseVersion, 11.1: a client offering 1.3 and
 * 1.2 gets 1.3), and runs chapter 10's or this chapter's handshake on it. No version in common: the fitting alert.
 */
export async function acceptTls(transport: RecordTransport, configs: BothVersions, options: AcceptOptions = {}): Promise<ServerConnection> {
  const versions = [...(configs.tls13 ? [ProtocolVersion.TLS1_3] : []), ...(configs.tls12 ? [ProtocolVersion.TLS1_2] : [])];
  const peeked = await peekClientHello(transport);
  let version: number | undefined = versions[0];
  if (peeked.clientHello !== undefined) {
    try {
      version = chooseVersion(peeked.clientHello, versions);
    } catch (error) {
      // Neither handshake ran: answer in TLS 1.2's plaintext record form, which every version of client reads.
      new Tls12RecordLayer(peeked.transport, options.onTrace, "server").abort(error);
      throw error;
    }
  }
  if (version === ProtocolVersion.TLS1_3 && configs.tls13 !== undefined) return acceptTls13(peeked.transport, configs.tls13, options);
  if (configs.tls12 !== undefined) return acceptTls12(peeked.transport, configs.tls12, options);
  throw new TlsError(AlertDescription.internal_error, "acceptTls needs a TLS 1.3 or a TLS 1.2 configuration", { field: "configs" });
}
