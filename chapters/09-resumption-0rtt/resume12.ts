// TLS 1.2 resumption, beside TLS 1.3's: the client keeps the master secret of a finished connection and, next time,
// asks the server to take it up again, either by the session ID the server gave (RFC 5246 §7.4.1.2: the server
// remembers the session) or by a session ticket (RFC 5077: the server sealed the session and the client carries it).
// When the server agrees, the abbreviated handshake follows: no certificate, no key exchange, the old master secret
// and two fresh randoms make new keys, and the server finishes first. Read RFC 5246 §7.3 (the flows), §7.4.1.2–3
// (session_id), RFC 5077 §3.1–3.4 (tickets) and RFC 7627 §5.3 (resumption and the extended master secret).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, describeSuite } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { equalBytes, toHex } from "../../lib/hex.js";
import { readHandshake, readOpaque, readUint } from "../00-bytes/index.js";
import { type ClientHello, extensionType } from "../01-client-hello/index.js";
import { serverExtensionType } from "../02-server-hello/index.js";
import { keyBlock, keyBlockParams } from "../04-rsa-key-exchange/index.js";
import { type Hello12, type KeyLogTarget, type Tls12RecordLayer, type Tls12Secrets, expectMessage, keyLogLine, writeKeyLog } from "../06-tls12-handshake/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** RFC 5246 §7.4.1.2: a session ID is at most 32 bytes; a client that carries a ticket makes up 32 random ones. */
export const SESSION_ID_LENGTH = 32;
/** How long a session found by its ID is kept when the server says nothing about it (seconds; RFC 5246 §F.1.4: "an upper limit of 24 hours is suggested"). */
export const SESSION_ID_LIFETIME = 24 * 60 * 60;

/**
 * What a TLS 1.2 client keeps to resume a session: which server, the suite and the master secret (and whether it was
 * the extended one), the session ID the server gave, and the server's ticket if it sent one (opaque to us: only the
 * server can open it, RFC 5077 §4).
 */
export interface ClientSession12 {
  servername: string;
  cipherSuite: number;
  master: Uint8Array;
  extendedMasterSecret: boolean;
  /** The ServerHello's session_id: empty when the server keeps no cache (RFC 5246 §7.4.1.3). */
  sessionId: Uint8Array;
  /** RFC 5077 §3.3: the ticket of the server's NewSessionTicket, if any. */
  ticket?: Uint8Array;
  /** When we received the session (ms since 1970) and for how many seconds we may offer it. */
  receivedAt: number;
  lifetime: number;
}

/**
 * The ClientHello that offers `session` (or asks for a ticket when there is none): `base` is an ordinary TLS 1.2
 * ClientHello from chapter 01. `tickets` false leaves the SessionTicket extension out (resumption by ID only).
 */
export function offerSession12(base: ClientHello, session: ClientSession12 | undefined, tickets = true): ClientHello {
  // TODO 09.12: (1) RFC 5246 §7.4.1.2: the ClientHello MUST offer the session's cipher_suite; if base does not,
  // offer no session (session = undefined): a full handshake. (2) With tickets: add the SessionTicket extension
  // ({ kind: "raw", type: ExtensionType.session_ticket, data }) whose data is the session's ticket, or empty to say
  // "I can take a ticket" (RFC 5077 §3.2). (3) legacySessionId: the session's sessionId if it has one; else, when a
  // ticket is offered, 32 fresh random bytes (SESSION_ID_LENGTH): the server echoes them when it accepts the ticket,
  // and that echo is how we know (RFC 5077 §3.4); else empty. Return a new ClientHello; leave base as it was.
  throw new NotImplemented("09.12");
  // END 09.12
}

/**
 * Did the server take the session up? RFC 5246 §7.4.1.3: it did if its ServerHello echoes the non-empty session_id we
 * sent; any other session_id means a full handshake. When it did, the session's terms must hold, or the server is
 * not the one we spoke to (or someone is meddling).
 */
export function checkResumption12(hello: Hello12, session: ClientSession12 | undefined): boolean {
  // TODO 09.13: (1) Not resumed (false) unless we sent a session and a non-empty legacySessionId, and the
  // ServerHello's legacySessionIdEcho equals it byte for byte. (2) Resumed: the cipher suite must be the session's
  // (RFC 5246 §7.4.1.3: "the value from the state of the session being resumed"), else illegal_parameter, field
  // "cipher_suite", naming both. (3) RFC 7627 §5.3: the server's extended_master_secret echo (hello.extendedMasterSecret)
  // must match how the session's master secret was made, else handshake_failure, field "extended_master_secret": a
  // session without it resumed as if with it, or the other way round, is what the triple handshake attack needs.
  throw new NotImplemented("09.13");
  // END 09.13
}

/**
 * The keys of an abbreviated handshake: the session's master secret comes back unchanged and only the randoms are new
 * (RFC 5246 §7.3, §6.3). No premaster secret, no key exchange: which is why a resumed TLS 1.2 session is no more
 * secret than the first connection's master secret.
 */
export function resumedSecrets12(hello: Hello12, session: ClientSession12, keyLog?: KeyLogTarget): Tls12Secrets {
  // TODO 09.14: (1) keys = keyBlock(hello.hash, session.master, client random, server random,
  // keyBlockParams(hello.cipherSuite)) (chapter 04): the THIS connection's randoms, the OLD master secret. (2)
  // writeKeyLog(keyLog, keyLogLine(client random, session.master)): the same master secret under a new client random.
  // (3) Return the Tls12Secrets: premaster empty (there is none), master, extendedMasterSecret as the session's, no
  // sessionHash (nothing was hashed into this master secret now).
  throw new NotImplemented("09.14");
  // END 09.14
}

/**
 *   struct {
 *       uint32 ticket_lifetime_hint;
 *       opaque ticket<0..2^16-1>;
 *   } NewSessionTicket;                               RFC 5077 §3.3
 * The whole handshake message (type 4), header included.
 */
export function decodeNewSessionTicket12(message: Uint8Array): { lifetimeHint: number; ticket: Uint8Array } {
  // TODO 09.15: readHandshake; a type other than new_session_ticket is unexpected_message (field "handshake
  // type"). Then ticket_lifetime_hint (uint32, seconds; 0 = the server does not say) and the ticket (opaque, 2-byte
  // length); nothing may follow, in the body or after it (the readers' end() says decode_error). Unlike TLS 1.3's
  // NewSessionTicket there is no age_add, no nonce, no extension: the ticket is the session, sealed.
  throw new NotImplemented("09.15");
  // END 09.15
}

/**
 * The server's NewSessionTicket, if it promised one: RFC 5077 §3.2, a server that echoes the SessionTicket extension
 * MUST send NewSessionTicket, right before its ChangeCipherSpec (in a full handshake and in an abbreviated one). It is
 * part of the transcript the server's Finished covers (§3.3).
 */
export async function readNewSessionTicket12(records: Tls12RecordLayer, hello: Hello12): Promise<{ lifetimeHint: number; ticket: Uint8Array } | undefined> {
  // TODO 09.15: no SessionTicket extension in hello.serverHello.extensions (serverExtensionType): undefined, read
  // nothing. Else the next handshake message (records.readHandshake adds it to the transcript) must be a
  // new_session_ticket (expectMessage from chapter 06: unexpected_message otherwise); decode it and return it.
  throw new NotImplemented("09.15");
  // END 09.15
}

/** Did our ClientHello carry the SessionTicket extension? */
export function offeredTickets(ch: ClientHello): boolean {
  return ch.extensions.some((e) => extensionType(e) === ExtensionType.session_ticket);
}

/** "session ID 3f2a…" / "a session ticket (212 bytes)": for messages. */
export function describeSession12(s: ClientSession12): string {
  const id = s.sessionId.length > 0 ? `session ID ${toHex(s.sessionId).slice(0, 16)}…` : "no session ID";
  return s.ticket === undefined ? id : `${id}, a session ticket (${s.ticket.length} bytes)`;
}
