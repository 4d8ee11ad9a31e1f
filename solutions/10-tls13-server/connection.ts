// What a server's handshake hands to the application: the connection as the server saw it (version, suite, group,
// how it authenticated, whether it resumed, what became of early data, what the client offered) and the calls to
// read and write. A finished helper, not an exercise. Chapter 11's TLS 1.2 server returns the same shape, so the
// HTTP responder and `tls-by-hand serve` take either.
import { NamedGroup, SignatureScheme, describeCode, describeSuite } from "../../lib/constants.js";
import type { TraceEntry } from "../08-tls13-handshake/index.js";

/** The connection as the server saw it: what its page shows and its log prints. */
export interface ConnectionInfo {
  version: "TLS 1.3" | "TLS 1.2";
  cipherSuite: number;
  /** The (EC)DHE group, when there was one. */
  group?: number;
  /** How the keys were agreed: "X25519 (ECDHE)", "PSK + X25519 (psk_dhe_ke)", "RSA", … */
  keyExchange: string;
  /** How the server proved itself: its certificate and signature scheme, or the PSK of a ticket. */
  authentication: string;
  resumed: boolean;
  /** TLS 1.2 (chapter 11): how the session was found, "session ID" or "session ticket". */
  resumedBy?: string;
  /** TLS 1.2 (chapter 11): the master secret is the extended one (RFC 7627). */
  extendedMasterSecret?: boolean;
  earlyData: "not offered" | "accepted" | "rejected";
  /** Why early data was accepted or rejected. */
  earlyDataReason: string;
  helloRetryRequest: boolean;
  serverName?: string;
  alpn?: string;
  /** What the client offered, in its order (GREASE and unknown values included). */
  offeredSuites: number[];
  offeredGroups: number[];
  offeredKeyShares: number[];
  offeredSignatureSchemes: number[];
  clientRandom: Uint8Array;
}

/** A connection after a server's handshake. */
export interface ServerConnection {
  info: ConnectionInfo;
  /** Everything sent and received so far. */
  trace: TraceEntry[];
  /** The next application data from the client, or null once it has closed. Handles its KeyUpdates on the way. */
  read(): Promise<Uint8Array | null>;
  /** Sends application data. */
  write(data: Uint8Array): void;
  /** Moves our sending keys on (KeyUpdate); with `requestPeer`, asks the client to move its keys on too. */
  updateKeys(requestPeer?: boolean): void;
  /** Sends close_notify and closes the connection. */
  close(): void;
  /** Ends the connection after a failure: the fitting fatal alert, then the transport closed. */
  abort(error: unknown): void;
}

/** One line for a log: "TLS 1.3, TLS_AES_128_GCM_SHA256, x25519, resumed, early data accepted". */
export function describeConnection(info: ConnectionInfo): string {
  const suite = describeSuite(info.cipherSuite).replace(/ \(.*/, "");
  const parts = [info.version, suite];
  if (info.group !== undefined) parts.push(describeCode(NamedGroup, info.group).replace(/ \(.*/, ""));
  if (info.helloRetryRequest) parts.push("after a HelloRetryRequest");
  parts.push(info.resumed ? (info.resumedBy === undefined ? "resumed" : `resumed by ${info.resumedBy}`) : "full handshake");
  if (info.earlyData !== "not offered") parts.push(`early data ${info.earlyData}`);
  return parts.join(", ");
}

/** A scheme's name without its code, for the page. */
export function schemeName(scheme: number): string {
  return describeCode(SignatureScheme, scheme).replace(/ \(.*/, "");
}
