// Session tickets a server can forget. The ticket IS the session: everything the server needs to resume (the PSK, its
// suite, when it was issued) sealed under a ticket key that never leaves the server, so a server with a thousand
// clients keeps one small key instead of a thousand sessions. Keys rotate; a ticket sealed under a retired key just
// stops working (a full handshake follows). Read RFC 8446 §4.6.1 (NewSessionTicket) and RFC 5077 §4 (the same idea
// in TLS 1.2: a key name, an IV, and an authenticated encryption of the state).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { gcm } from "@noble/ciphers/aes.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, describeSuite } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat, equalBytes } from "../../lib/hex.js";
import { readOpaque, readUint, writeOpaque, writeUint } from "../00-bytes/index.js";
import { latin1 } from "../03-certificates/index.js";
import { suiteHash } from "../07-tls13-key-schedule/index.js";
import { MAX_TICKET_LIFETIME, type NewSessionTicket } from "../08-tls13-handshake/index.js";
import { ticketPsk } from "../09-resumption-0rtt/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** The name of a ticket key, sent in front of every ticket it sealed (RFC 5077 §4 calls it key_name). */
export const TICKET_KEY_ID_LENGTH = 4;
/** AES-256-GCM: a 32-byte key, a 12-byte nonce, a 16-byte tag (RFC 5116 §5.2). */
export const TICKET_KEY_LENGTH = 32;
export const TICKET_NONCE_LENGTH = 12;
export const TICKET_TAG_LENGTH = 16;
/** A new ticket key every day; the old ones open tickets for a week more (the longest a ticket may live, §4.6.1). */
export const TICKET_KEY_ROTATION_MS = 24 * 3600 * 1000;
export const TICKET_KEY_RETIREMENT_MS = MAX_TICKET_LIFETIME * 1000;

/** What seals and opens tickets. TicketKeys is the real one; a test may pass one that knows a recorded ticket. */
export interface TicketSealer {
  seal(state: Uint8Array): Uint8Array;
  /** The state inside a ticket, or undefined for one this server cannot open (forged, changed, or its key retired). */
  open(ticket: Uint8Array): Uint8Array | undefined;
}

interface TicketKey {
  id: Uint8Array;
  key: Uint8Array;
  createdAt: number;
}

/** The server's ticket keys: the current one seals, every one not yet retired opens. */
export class TicketKeys implements TicketSealer {
  /** Newest first: keys[0] seals. */
  private keys: TicketKey[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    readonly rotationMs: number = TICKET_KEY_ROTATION_MS,
    readonly retirementMs: number = TICKET_KEY_RETIREMENT_MS,
  ) {
    this.rotate();
  }

  /** How many keys can open tickets now. */
  get size(): number {
    return this.keys.length;
  }

  /** A fresh current key; keys older than a rotation plus the retirement period are forgotten. */
  rotate(): void {
    const now = this.now();
    this.keys = [{ id: randomBytes(TICKET_KEY_ID_LENGTH), key: randomBytes(TICKET_KEY_LENGTH), createdAt: now }, ...this.keys].filter(
      (k) => now - k.createdAt < this.rotationMs + this.retirementMs,
    );
  }

  /** ticket = key id || nonce || AES-256-GCM(key, nonce, state), with the key id as additional data. */
  seal(state: Uint8Array): Uint8Array {
    // TODO 10.15: first rotate() if the current key (this.keys[0]) is rotationMs old or older. Then a fresh nonce
    // (randomBytes(TICKET_NONCE_LENGTH)) and gcm(key, nonce, id).encrypt(state): the key id as additional data, so a
    // ticket cannot be moved under another key's name. Return id || nonce || ciphertext-and-tag.
    throw new NotImplemented("10.15");
    // END 10.15
  }

  /** The state in a ticket, or undefined: an unknown key id, a ticket too short, or one that does not authenticate. */
  open(ticket: Uint8Array): Uint8Array | undefined {
    // TODO 10.15: a ticket shorter than id + nonce + tag is undefined. Find the key whose id equals the first
    // TICKET_KEY_ID_LENGTH bytes among this.keys (none: undefined, its key was retired or it never was ours); then
    // gcm(key, nonce, id).decrypt(the rest), which throws when anything was changed: undefined then. Never throw: a
    // ticket the server cannot open just means a full handshake (RFC 8446 §4.2.11: the server ignores PSKs it cannot
    // use).
    throw new NotImplemented("10.15");
    // END 10.15
  }
}

/** What a ticket holds: enough to resume the session, and to judge 0-RTT with it, without any memory on the server. */
export interface TicketState {
  cipherSuite: number;
  /** The resumption PSK (RFC 8446 §4.6.1), not the resumption master secret: one ticket opens one PSK. */
  psk: Uint8Array;
  /** When the ticket was issued (ms since 1970) and for how many seconds it is good. */
  issuedAt: number;
  lifetime: number;
  /** ticket_age_add: the freshness check subtracts it from the age the client presents (RFC 8446 §8.3). */
  ageAdd: number;
  /** 0-RTT bytes the ticket allows; 0 for none. */
  maxEarlyData: number;
  /** The ALPN protocol and server name of the first connection ("" for none): 0-RTT must keep them (§4.2.10). */
  alpn: string;
  serverName: string;
}

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** The state as bytes (the plaintext inside a ticket). */
export function encodeTicketState(s: TicketState): Uint8Array {
  const w = new ByteWriter();
  writeUint(w, s.cipherSuite, 2, `cipher_suite: ${describeSuite(s.cipherSuite)}`);
  writeOpaque(w, 1, s.psk, "resumption PSK");
  writeUint(w, Math.floor(s.issuedAt / 1000), 4, "issued at (seconds)");
  writeUint(w, s.issuedAt % 1000, 2, "issued at (milliseconds)");
  writeUint(w, s.lifetime, 4, "lifetime (seconds)");
  writeUint(w, s.ageAdd, 4, "ticket_age_add");
  writeUint(w, s.maxEarlyData, 4, "max_early_data_size");
  writeOpaque(w, 1, text(s.alpn), "ALPN protocol");
  writeOpaque(w, 2, text(s.serverName), "server name");
  return w.toBytes();
}

export function decodeTicketState(bytes: Uint8Array): TicketState {
  const r = new ByteReader(bytes);
  const cipherSuite = readUint(r, 2, "cipher_suite");
  const psk = readOpaque(r, 1, "resumption PSK");
  const issuedAt = readUint(r, 4, "issued at (seconds)") * 1000 + readUint(r, 2, "issued at (milliseconds)");
  const lifetime = readUint(r, 4, "lifetime (seconds)");
  const ageAdd = readUint(r, 4, "ticket_age_add");
  const maxEarlyData = readUint(r, 4, "max_early_data_size");
  const alpn = latin1(readOpaque(r, 1, "ALPN protocol"));
  const serverName = latin1(readOpaque(r, 2, "server name"));
  r.end("ticket state");
  return { cipherSuite, psk, issuedAt, lifetime, ageAdd, maxEarlyData, alpn, serverName };
}

/** The ticket_nonce of the ticket numbered `index` on this connection: a uint16, as RFC 8448 §3's server wrote it. */
export function ticketNonce(index: number): Uint8Array {
  return Uint8Array.of(index >> 8, index & 0xff);
}

/** Everything one NewSessionTicket depends on. */
export interface TicketParams {
  cipherSuite: number;
  resumptionMasterSecret: Uint8Array;
  /** The ticket's number on this connection (0, 1, …): its nonce. */
  index: number;
  now: number;
  lifetime: number;
  ageAdd: number;
  maxEarlyData: number;
  alpn?: string;
  serverName?: string;
}

/** A NewSessionTicket and the state sealed in it (RFC 8446 §4.6.1). */
export function newSessionTicket(p: TicketParams, sealer: TicketSealer): { ticket: NewSessionTicket; state: TicketState } {
  // TODO 10.16: a lifetime over MAX_TICKET_LIFETIME is our bug (internal_error, field "ticket_lifetime"). nonce =
  // ticketNonce(p.index); psk = chapter 09's ticketPsk(suiteHash(p.cipherSuite), p.resumptionMasterSecret, nonce):
  // the very PSK the client will derive. state = { cipherSuite, psk, issuedAt: p.now, lifetime, ageAdd, maxEarlyData,
  // alpn ?? "", serverName ?? "" }; the ticket's bytes are sealer.seal(encodeTicketState(state)). The message: that
  // lifetime, ageAdd, nonce and ticket, and an early_data extension { maxEarlyDataSize } only when maxEarlyData > 0
  // (RFC 8446 §4.2.10: without it the client sends no 0-RTT data with this ticket).
  throw new NotImplemented("10.16");
  // END 10.16
}
