// The server's handshake wrapped as a connection the application uses: the record layer over the socket (with the
// early-data skipper in between), the handshake script, then reading and writing application data, the client's
// KeyUpdates on the way. A finished helper, not an exercise. Read RFC 8446 §4.6 and RFC 8449 §4 (record_size_limit).
import { ByteReader } from "../../lib/bytes.js";
import { ExtensionType, MAX_PLAINTEXT_LENGTH, NamedGroup, describeCode } from "../../lib/constants.js";
import { readUint } from "../00-bytes/index.js";
import { type ClientHello, extensionType, findExtension } from "../01-client-hello/index.js";
import { keyName } from "../05-dhe-key-exchange/index.js";
import type { RecordTransport } from "../06-tls12-handshake/index.js";
import { Tls13RecordLayer, type TraceEntry } from "../08-tls13-handshake/index.js";
import type { Tls13ServerConfig } from "./config.js";
import { type ConnectionInfo, type ServerConnection, schemeName } from "./connection.js";
import { EarlyDataSkipper } from "./early-data.js";
import { type HandshakeSoFar, type ServerEstablished, findServerName, serverHandshake13 } from "./handshake.js";
import { type ServerTrafficState, handleClientPostHandshake, sendServerKeyUpdate } from "./post-handshake.js";

/** RFC 8449 §4: a record_size_limit below 64 is never valid. */
const MIN_RECORD_SIZE_LIMIT = 64;

/** The largest plaintext the client takes in one record: its record_size_limit minus the content type byte (RFC 8449 §4). */
export function clientMaxPlaintext(ch: ClientHello): number {
  const ext = ch.extensions.find((e) => extensionType(e) === ExtensionType.record_size_limit);
  if (ext === undefined || ext.kind !== "raw" || ext.data.length !== 2) return MAX_PLAINTEXT_LENGTH;
  const limit = readUint(new ByteReader(ext.data), 2, "record_size_limit");
  return Math.min(MAX_PLAINTEXT_LENGTH, Math.max(MIN_RECORD_SIZE_LIMIT, limit) - 1);
}

/** The connection as the server saw it, from what the handshake has settled so far. */
export function connectionInfo(e: HandshakeSoFar): ConnectionInfo {
  const ch = e.hello.clientHello;
  const group = describeCode(NamedGroup, e.flight.group).replace(/ \(.*/, "");
  const cert = e.flight.certificate;
  const leaf = cert?.credential.leaf;
  return {
    version: "TLS 1.3",
    cipherSuite: e.flight.cipherSuite,
    group: e.flight.group,
    keyExchange: e.psk !== undefined ? `PSK + ${group} (psk_dhe_ke)` : `${group} (ECDHE)`,
    authentication:
      leaf === undefined ? "the PSK of a session ticket (no certificate)" : `certificate ${leaf.subject.text} (${keyName(leaf.publicKey).replace(/^an? /, "")}), ${schemeName(cert!.scheme)}`,
    resumed: e.psk !== undefined,
    earlyData: !e.early.offered ? "not offered" : e.early.accept ? "accepted" : "rejected",
    earlyDataReason: e.early.reason,
    helloRetryRequest: e.hello.helloRetry,
    serverName: findServerName(ch),
    alpn: e.alpn,
    offeredSuites: ch.cipherSuites,
    offeredGroups: findExtension(ch.extensions, "supported_groups")?.groups ?? [],
    offeredKeyShares: (findExtension(ch.extensions, "key_share")?.shares ?? []).map((s) => s.group),
    offeredSignatureSchemes: findExtension(ch.extensions, "signature_algorithms")?.schemes ?? [],
    clientRandom: ch.random,
  };
}

/** What the application may say about a connection before it is accepted. */
export interface AcceptOptions {
  /** Accepted 0-RTT data, as it arrives, with what is known of the connection then; `write` answers it (0.5-RTT). */
  onEarlyData?: (data: Uint8Array, write: (data: Uint8Array) => void, info: ConnectionInfo) => void | Promise<void>;
  /** Called with everything sent or received (overrides the config's). */
  onTrace?: (entry: TraceEntry) => void;
}

/** A connection after this chapter's handshake, with everything the handshake settled. */
export interface Tls13ServerConnection extends ServerConnection {
  established: ServerEstablished;
  records: Tls13RecordLayer;
}

/**
 * Runs the server side of a TLS 1.3 handshake over `transport` and returns the connection, ready for application
 * data. On any failure it sends the fitting alert, closes the transport and throws the TlsError.
 */
export async function acceptTls13(transport: RecordTransport, config: Tls13ServerConfig, options: AcceptOptions = {}): Promise<Tls13ServerConnection> {
  const skipper = new EarlyDataSkipper(transport);
  const records = new Tls13RecordLayer(skipper, options.onTrace ?? config.onTrace, "server");
  let e: ServerEstablished;
  try {
    const onEarlyData = options.onEarlyData;
    e = await serverHandshake13(records, skipper, config, onEarlyData && ((data, write, known) => onEarlyData(data, write, connectionInfo(known))));
  } catch (error) {
    records.abort(error);
    throw error;
  }
  const state: ServerTrafficState = {
    records,
    hash: e.flight.hash,
    aead: e.flight.aead,
    serverTrafficSecret: e.flight.application.serverApplicationTrafficSecret,
    clientTrafficSecret: e.flight.application.clientApplicationTrafficSecret,
  };
  const maxPlaintext = clientMaxPlaintext(e.hello.clientHello);
  const failed = (error: unknown): never => {
    records.abort(error);
    throw error;
  };
  return {
    info: connectionInfo(e),
    established: e,
    records,
    trace: records.trace,
    read: async () => {
      try {
        for (;;) {
          const next = await records.readPostHandshake();
          if (next === null) return null;
          if (next.kind === "data") return next.data;
          handleClientPostHandshake(state, next.message);
        }
      } catch (error) {
        return failed(error);
      }
    },
    write: (data) => {
      for (let at = 0; at < data.length; at += maxPlaintext) records.sendApplicationData(data.subarray(at, at + maxPlaintext));
    },
    updateKeys: (requestPeer = false) => sendServerKeyUpdate(state, requestPeer),
    close: () => records.close(),
    abort: (error) => records.abort(error),
  };
}
