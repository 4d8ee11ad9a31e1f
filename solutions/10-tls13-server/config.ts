// What a TLS 1.3 server is told before any client arrives: its certificates and keys, what it prefers, the keys of
// its cookies and tickets, whether it takes 0-RTT data and how it guards it. A finished helper, not an exercise.
// One config serves every connection; the objects in it that change (ticket keys, the anti-replay record) are shared.
import { randomBytes } from "@noble/hashes/utils.js";
import { NamedGroup, ProtocolVersion } from "../../lib/constants.js";
import { DEFAULT_SUITES, type KeyPair } from "../01-client-hello/index.js";
import type { ServerChoice, ServerPreferences } from "../02-server-hello/index.js";
import type { KeyLogTarget } from "../06-tls12-handshake/index.js";
import type { TraceEntry } from "../08-tls13-handshake/index.js";
import type { AntiReplay } from "./anti-replay.js";
import type { ServerCredential } from "./credentials.js";
import { COOKIE_KEY_LENGTH } from "./hello-retry.js";
import type { ServerKeyShare } from "./server-messages.js";
import type { TicketSealer } from "./tickets.js";

/** The suites this server runs, best first: all three of RFC 8446 §B.4. */
export const SERVER_SUITES: readonly number[] = DEFAULT_SUITES["1.3"];
/** The groups this server does (EC)DHE in, best first: what chapter 01's makeKeyPair can make. */
export const SERVER_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1];
/** RFC 8446 §4.6.1: a ticket may live 7 days at most; ours live 2 hours unless told otherwise. */
export const DEFAULT_TICKET_LIFETIME = 7200;
/** NewSessionTickets after each handshake: more than one lets a client open parallel connections with fresh ones. */
export const DEFAULT_TICKETS = 2;
/** The application protocols the server answers ALPN with (RFC 7301): it serves HTTP/1.1 pages. */
export const DEFAULT_ALPN: readonly string[] = ["http/1.1"];

/** Values that replace the random ones, for tests that replay a recorded handshake byte for byte. Never set in real use. */
export interface FixedServer {
  /** ServerHello.random. */
  random?: Uint8Array;
  /** The server's key share. */
  keyPair?: KeyPair;
  /** The RSA-PSS salt of the CertificateVerify. */
  pssSalt?: Uint8Array;
  /** ticket_age_add of every NewSessionTicket. */
  ticketAgeAdd?: number;
}

export interface Tls13ServerConfig {
  /** The chains and keys to choose from, best first (chosen by the client's signature_algorithms). */
  credentials: ServerCredential[];
  /** The suites, best first (default SERVER_SUITES). */
  cipherSuites?: readonly number[];
  /** The groups, best first (default SERVER_GROUPS). */
  groups?: readonly number[];
  /** What EncryptedExtensions lists in supported_groups for the client's next connection (default: `groups`). */
  advertisedGroups?: readonly number[];
  /** The application protocols, best first (default DEFAULT_ALPN); a client offering none of them gets an alert. */
  alpn?: readonly string[];
  /** The key cookies are sealed with (newSecretKey()): a HelloRetryRequest leaves the server with no state. */
  cookieKey: Uint8Array;
  /** With ticket keys, the server sends NewSessionTickets and accepts them back (resumption). */
  ticketKeys?: TicketSealer;
  /** NewSessionTickets after a handshake (default DEFAULT_TICKETS). */
  tickets?: number;
  /** Seconds a ticket may be used for (default DEFAULT_TICKET_LIFETIME). */
  ticketLifetime?: number;
  /** Bytes of 0-RTT data a ticket allows (RFC 8446 §4.2.10); 0 or absent: no 0-RTT. */
  maxEarlyData?: number;
  /** The replay guard for 0-RTT (RFC 8446 §8); absent means early data is accepted even when replayed. */
  antiReplay?: AntiReplay;
  /** Where the NSS key log lines go. */
  keyLog?: KeyLogTarget;
  /** Called with everything sent or received. */
  onTrace?: (entry: TraceEntry) => void;
  /** The clock, in ms since 1970 (default Date.now): tickets, cookies and anti-replay count time with it. */
  now?: () => number;
  /**
   * The server's half of the key exchange instead of chapter 10's serverKeyShare (ECDHE): chapter 12's, which
   * encapsulates to a hybrid post-quantum share and hands the ECDHE groups on to serverKeyShare.
   */
  keyShare?: (choice: ServerChoice, makePair: (group: number) => KeyPair) => ServerKeyShare;
  /** Tests only. */
  fixed?: FixedServer;
}

/** A fresh secret key for cookies or tickets: 32 random bytes (AES-256-GCM). */
export function newSecretKey(): Uint8Array {
  return randomBytes(COOKIE_KEY_LENGTH);
}

/** The preferences chapter 02's chooseParameters takes: TLS 1.3 only, then the config's suites and groups. */
export function serverPreferences(config: Tls13ServerConfig): ServerPreferences {
  return {
    versions: [ProtocolVersion.TLS1_3],
    cipherSuites: [...(config.cipherSuites ?? SERVER_SUITES)],
    groups: [...(config.groups ?? SERVER_GROUPS)],
  };
}

/** The config's clock. */
export function clock(config: Tls13ServerConfig): number {
  return (config.now ?? Date.now)();
}
