// Resuming a TLS 1.2 session: the abbreviated handshake skips the certificate and the key exchange and derives new
// keys from the master secret of an earlier connection and two fresh randoms. The server finds that master secret
// either in its own memory, under the session ID it gave (RFC 5246 §7.4.1.2), or inside a session ticket it sealed
// and the client kept (RFC 5077): then the server remembers nothing. Read RFC 5246 §7.3 and §7.4.1.2, RFC 5077 §3 and
// §4 (tickets), RFC 7627 §5.3 (resumption and the extended master secret) and RFC 6066 §3 (server_name).
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, describeSuite } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { readOpaque, readUint, writeHandshake, writeOpaque, writeUint } from "../00-bytes/index.js";
import { type ClientHello, extensionType } from "../01-client-hello/index.js";
import { latin1 } from "../03-certificates/index.js";
import type { TicketSealer } from "../10-tls13-server/index.js";
import type { Choice12 } from "./client-hello.js";
import { SERVER_SUITES_12, type Tls12ServerConfig, clock12 } from "./config.js";

/** What a TLS 1.2 session is, to resume it: the suite, the master secret and how it was made, and when it ends. */
export interface Session12 {
  cipherSuite: number;
  master: Uint8Array;
  /** The master secret was the extended one (RFC 7627): resuming it needs the extension again (§5.3). */
  extendedMasterSecret: boolean;
  /** When the session was made (ms since 1970) and for how many seconds it may be resumed. */
  issuedAt: number;
  lifetime: number;
  /** The server_name and ALPN protocol of the first connection ("" for none). */
  serverName: string;
  alpn: string;
}

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** The session as bytes: what a ticket seals (RFC 5077 §4 leaves the format to the server). */
export function encodeSession12(s: Session12): Uint8Array {
  const w = new ByteWriter();
  writeUint(w, s.cipherSuite, 2, `cipher_suite: ${describeSuite(s.cipherSuite)}`);
  writeOpaque(w, 1, s.master, "master_secret");
  writeUint(w, s.extendedMasterSecret ? 1 : 0, 1, "extended master secret (1) or not (0)");
  writeUint(w, Math.floor(s.issuedAt / 1000), 4, "issued at (seconds)");
  writeUint(w, s.issuedAt % 1000, 2, "issued at (milliseconds)");
  writeUint(w, s.lifetime, 4, "lifetime (seconds)");
  writeOpaque(w, 2, text(s.serverName), "server name");
  writeOpaque(w, 1, text(s.alpn), "ALPN protocol");
  return w.toBytes();
}

export function decodeSession12(bytes: Uint8Array): Session12 {
  const r = new ByteReader(bytes);
  const cipherSuite = readUint(r, 2, "cipher_suite");
  const master = readOpaque(r, 1, "master_secret");
  const extendedMasterSecret = readUint(r, 1, "extended master secret") === 1;
  const issuedAt = readUint(r, 4, "issued at (seconds)") * 1000 + readUint(r, 2, "issued at (milliseconds)");
  const lifetime = readUint(r, 4, "lifetime (seconds)");
  const serverName = latin1(readOpaque(r, 2, "server name"));
  const alpn = latin1(readOpaque(r, 1, "ALPN protocol"));
  r.end("session state");
  return { cipherSuite, master, extendedMasterSecret, issuedAt, lifetime, serverName, alpn };
}

/** RFC 5246 §7.4.1.2: a session ID is at most 32 bytes; servers give 32 random ones. */
export const SESSION_ID_LENGTH = 32;
/** How many sessions a cache keeps by default; the oldest go first. */
export const DEFAULT_CACHE_SIZE = 10_000;

/** The server's memory of sessions, by session ID. A finished helper: a map with a size limit. */
export class SessionCache {
  private readonly sessions = new Map<string, Session12>();

  constructor(readonly maxSize = DEFAULT_CACHE_SIZE) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: Uint8Array): Session12 | undefined {
    return this.sessions.get(toHex(id));
  }

  set(id: Uint8Array, session: Session12): void {
    this.sessions.set(toHex(id), session);
    // A Map iterates in insertion order: the first key is the oldest session.
    while (this.sessions.size > this.maxSize) this.sessions.delete(this.sessions.keys().next().value!);
  }

  delete(id: Uint8Array): void {
    this.sessions.delete(toHex(id));
  }
}

/**
 *   struct {
 *       uint32 ticket_lifetime_hint;
 *       opaque ticket<0..2^16-1>;
 *   } NewSessionTicket;                               RFC 5077 §3.3
 * The whole handshake message (type 4), header included.
 */
export function encodeNewSessionTicket12(lifetimeHint: number, ticket: Uint8Array): Uint8Array {
  // EXERCISE 11.12: writeHandshake(w, HandshakeType.new_session_ticket, body): ticket_lifetime_hint as a uint32 (in
  // seconds; 0 means "unspecified", RFC 5077 §3.3), then the ticket as an opaque with a 2-byte length (writeOpaque
  // rejects one over 2^16 − 1 bytes). Note both fields. Unlike TLS 1.3's, this message has no age_add, no nonce and
  // no extensions: a TLS 1.2 ticket is simply the session, sealed.
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.new_session_ticket, (body) => {
    writeUint(body, lifetimeHint, 4, `ticket_lifetime_hint: ${lifetimeHint} s`);
    writeOpaque(body, 2, ticket, "ticket (the session, sealed under the server's ticket key)");
  });
  return w.toBytes();
  // END 11.12
}

/** The NewSessionTicket that carries `session`, sealed with `sealer` (chapter 10's TicketKeys). */
export function issueTicket12(session: Session12, sealer: TicketSealer): Uint8Array {
  // EXERCISE 11.12: the ticket's bytes are sealer.seal(encodeSession12(session)): authenticated encryption under a key
  // only the server has (chapter 10's TicketKeys: key name, nonce, AES-256-GCM), so the client can keep it but neither
  // read nor change it. The message: encodeNewSessionTicket12(session.lifetime, those bytes).
  return encodeNewSessionTicket12(session.lifetime, sealer.seal(encodeSession12(session)));
  // END 11.12
}

/**
 * The session inside a ticket, or undefined for a ticket this server cannot open (forged, changed, sealed under a
 * retired key) or that holds something else (a TLS 1.3 ticket, should the keys be shared): a full handshake follows.
 */
export function openTicket12(sealer: TicketSealer, ticket: Uint8Array): Session12 | undefined {
  const state = sealer.open(ticket);
  if (state === undefined) return undefined;
  try {
    return decodeSession12(state);
  } catch {
    return undefined;
  }
}

/** The client's SessionTicket extension (RFC 5077 §3.2): undefined if absent, empty if it has no ticket yet. */
export function clientTicket(ch: ClientHello): Uint8Array | undefined {
  const ext = ch.extensions.find((e) => extensionType(e) === ExtensionType.session_ticket);
  return ext === undefined ? undefined : ext.kind === "raw" ? ext.data : new Uint8Array(0);
}

/** A session the server agreed to resume, how it found it, and the session ID its ServerHello echoes. */
export interface Resumption12 {
  session: Session12;
  by: "session ID" | "session ticket";
  sessionId: Uint8Array;
}

/**
 * The session this ClientHello may resume, or undefined for a full handshake. RFC 7627 §5.3: a session made with the
 * extended master secret is never resumed without it; that is a handshake_failure.
 */
export function resumeSession12(choice: Choice12, config: Tls12ServerConfig): Resumption12 | undefined {
  // EXERCISE 11.13: (1) Find the session. A non-empty ticket (clientTicket) and config.ticketKeys: openTicket12
  // (undefined: a ticket we cannot open just means a full handshake, RFC 5077 §3.4); by "session ticket", and the
  // ServerHello echoes the client's session ID (§3.4).
  // Else a non-empty session ID and config.sessionCache: sessionCache.get(it); by "session ID". (2) Refuse quietly
  // (undefined) a session whose issuedAt + lifetime seconds is past clock12(config), whose suite the client no longer
  // offers or this server no longer runs (config.cipherSuites ?? SERVER_SUITES_12; RFC 5246 §7.4.1.2), or whose
  // serverName differs from this ClientHello's (choice.serverName ?? "", RFC 6066 §3). (3) RFC 7627 §5.3: a session
  // with the extended master secret but a ClientHello without it (choice.extendedMasterSecret false): handshake_failure,
  // field "extended_master_secret"; a session without it but a ClientHello with it: undefined (a full handshake,
  // which gets the better master secret).
  const ch = choice.clientHello;
  const ticket = clientTicket(ch);
  let found: Resumption12 | undefined;
  if (ticket !== undefined && ticket.length > 0 && config.ticketKeys !== undefined) {
    const session = openTicket12(config.ticketKeys, ticket);
    if (session !== undefined) found = { session, by: "session ticket", sessionId: ch.legacySessionId };
  }
  if (found === undefined && ch.legacySessionId.length > 0 && config.sessionCache !== undefined) {
    const session = config.sessionCache.get(ch.legacySessionId);
    if (session !== undefined) found = { session, by: "session ID", sessionId: ch.legacySessionId };
  }
  if (found === undefined) return undefined;
  const { session } = found;
  if (clock12(config) > session.issuedAt + session.lifetime * 1000) return undefined;
  if (!ch.cipherSuites.includes(session.cipherSuite) || !(config.cipherSuites ?? SERVER_SUITES_12).includes(session.cipherSuite)) return undefined;
  if (session.serverName !== (choice.serverName ?? "")) return undefined;
  if (session.extendedMasterSecret && !choice.extendedMasterSecret) {
    throw new TlsError(AlertDescription.handshake_failure, "this session was made with the extended master secret; resuming it without is refused (RFC 7627 §5.3)", {
      field: "extended_master_secret",
    });
  }
  if (!session.extendedMasterSecret && choice.extendedMasterSecret) return undefined;
  return found;
  // END 11.13
}
