// What a TLS 1.2 server is told before any client arrives: its certificates and keys (chapter 10's credentials), the
// suites, curves and finite-field groups it prefers, whether it keeps sessions to resume (by session ID, by ticket)
// and whether it also speaks TLS 1.3 (then its random carries the downgrade sentinel). A finished helper, not an
// exercise. One config serves every connection; the session cache and ticket keys in it are shared.
import { CipherSuite, NamedGroup } from "../../lib/constants.js";
import type { KeyPair } from "../01-client-hello/index.js";
import type { DhKeyPair } from "../05-dhe-key-exchange/index.js";
import type { KeyLogTarget, TraceEntry } from "../06-tls12-handshake/index.js";
import type { ServerCredential, TicketSealer } from "../10-tls13-server/index.js";
import type { SessionCache } from "./session.js";

/**
 * The TLS 1.2 suites this server runs, best first: forward secrecy first (ECDHE, then DHE), AES-128-GCM before the
 * larger and slower choices, and RSA key exchange, which has none, last (RFC 7525 §4.2 recommends the same order).
 */
export const SERVER_SUITES_12: readonly number[] = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
];
/** The curves for ECDHE, best first: what chapter 05's ecdhePremaster computes. */
export const SERVER_CURVES_12: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1];
/** The RFC 7919 groups for DHE, best first: the larger ones cost many times more per handshake. */
export const SERVER_FFDHE_GROUPS: readonly number[] = [NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096];
/** How long a session may be resumed (seconds): RFC 5246 §F.1.4 suggests at most 24 hours; ours last 2. */
export const DEFAULT_SESSION_LIFETIME = 7200;

/** Values that replace the random ones, for tests that replay a recorded handshake byte for byte. Never set in real use. */
export interface FixedServer12 {
  /** The 32 fresh bytes of ServerHello.random (the downgrade sentinel, if on, still goes into the last 8). */
  random?: Uint8Array;
  /** The ECDHE key pair. */
  keyPair?: KeyPair;
  /** The DHE key pair. */
  dhKeyPair?: DhKeyPair;
  /** The session ID of a full handshake (when the server keeps sessions). */
  sessionId?: Uint8Array;
  /** The RSA-PSS salt of the ServerKeyExchange signature. */
  pssSalt?: Uint8Array;
}

export interface Tls12ServerConfig {
  /** The chains and keys to choose from, best first (chosen by the suite and the client's signature_algorithms). */
  credentials: ServerCredential[];
  /** The suites, best first (default SERVER_SUITES_12). */
  cipherSuites?: readonly number[];
  /** The ECDHE curves, best first (default SERVER_CURVES_12). */
  curves?: readonly number[];
  /** The DHE groups, best first (default SERVER_FFDHE_GROUPS). */
  ffdheGroups?: readonly number[];
  /** Agree to the extended master secret when the client offers it (RFC 7627)? Default true. */
  extendedMasterSecret?: boolean;
  /** The application protocols, best first (default chapter 10's DEFAULT_ALPN). */
  alpn?: readonly string[];
  /** Sessions kept for resumption by session ID (RFC 5246 §7.4.1.2); absent: empty session IDs, no such resumption. */
  sessionCache?: SessionCache;
  /** Ticket keys (chapter 10's TicketKeys): with them the server issues RFC 5077 tickets and resumes from them. */
  ticketKeys?: TicketSealer;
  /** Seconds a session may be resumed for (default DEFAULT_SESSION_LIFETIME); also the ticket's lifetime hint. */
  sessionLifetime?: number;
  /**
   * True (the default) when this server also speaks TLS 1.3: a TLS 1.2 ServerHello then ends its random with the
   * downgrade sentinel (RFC 8446 §4.1.3). False for a server that knows nothing newer than 1.2.
   */
  downgradeSentinel?: boolean;
  /** Where the NSS key log lines go. */
  keyLog?: KeyLogTarget;
  /** Called with everything sent or received. */
  onTrace?: (entry: TraceEntry) => void;
  /** The clock, in ms since 1970 (default Date.now): sessions and tickets age with it. */
  now?: () => number;
  /** Tests only. */
  fixed?: FixedServer12;
}

/** The config's clock. */
export function clock12(config: Tls12ServerConfig): number {
  return (config.now ?? Date.now)();
}
