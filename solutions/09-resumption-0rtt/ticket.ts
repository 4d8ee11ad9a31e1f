// From a NewSessionTicket to a PSK the client can offer next time: the PSK itself (derived from this connection's
// resumption master secret and the ticket's nonce), the checks a client makes before keeping a ticket, and the
// ticket's age as the next ClientHello will present it. Read RFC 8446 §4.6.1 (NewSessionTicket), §4.2.11.1 (ticket
// age) and §7.1 (resumption_master_secret).
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { HASH_LENGTH, type HashName } from "../03-certificates/index.js";
import { LABEL_RESUMPTION, hkdfExpandLabel, suiteHash } from "../07-tls13-key-schedule/index.js";
import { MAX_TICKET_LIFETIME, type NewSessionTicket, type ReceivedTicket } from "../08-tls13-handshake/index.js";
import { MAX_IDENTITIES_LENGTH, PSK_IDENTITY_OVERHEAD } from "./psk-messages.js";

/** Ticket ages are counted in milliseconds and added modulo 2^32 (RFC 8446 §4.2.11). */
export const TICKET_AGE_MODULUS = 2 ** 32;
export const MS_PER_SECOND = 1000;

/** A ticket the client keeps for a later connection: everything needed to offer it, nothing about this connection. */
export interface StoredTicket {
  /** The name the first connection dialled: a ticket is only offered to the same server (RFC 8446 §4.6.1). */
  servername: string;
  /** The suite of the first connection: the PSK belongs to its hash, so only suites with that hash can use it. */
  cipherSuite: number;
  /** The ticket as sent, which becomes the PSK identity. */
  identity: Uint8Array;
  /** HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  psk: Uint8Array;
  ageAdd: number;
  /** When the ticket arrived (ms since 1970): its age counts from then. */
  receivedAt: number;
  /** Seconds it may be used for, from receivedAt. */
  lifetime: number;
  /** How much 0-RTT data the server will take with it; 0: none. */
  maxEarlyDataSize: number;
}

/**
 * The PSK of one ticket (RFC 8446 §4.6.1):
 *   HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
 */
export function ticketPsk(hash: HashName, resumptionMasterSecret: Uint8Array, nonce: Uint8Array): Uint8Array {
  // EXERCISE 09.1: one call to chapter 07's hkdfExpandLabel with LABEL_RESUMPTION, the nonce as context and
  // HASH_LENGTH[hash] bytes. (RFC 8446 §4.6.1)
  // The nonce is why one connection can hand out several tickets with unrelated PSKs: the secret is the same, the
  // nonce differs, so a ticket used (or stolen) once says nothing about its siblings.
  return hkdfExpandLabel(hash, resumptionMasterSecret, LABEL_RESUMPTION, nonce, HASH_LENGTH[hash]);
  // END 09.1
}

/** Why a ticket was not kept (acceptTicket returns it instead of a StoredTicket). */
export interface DiscardedTicket {
  discarded: string;
}

/** The max_early_data_size of a ticket's early_data extension, or 0 when it has none. */
function earlyDataLimit(nst: NewSessionTicket): number {
  for (const e of nst.extensions) if (e.kind === "early_data") return e.maxEarlyDataSize;
  return 0;
}

/**
 * Decides whether a received ticket is worth keeping and, if so, makes the StoredTicket. `cipherSuite` and
 * `resumptionMasterSecret` are the connection's that received it.
 */
export function acceptTicket(
  received: ReceivedTicket,
  servername: string,
  cipherSuite: number,
  resumptionMasterSecret: Uint8Array,
): StoredTicket | DiscardedTicket {
  // EXERCISE 09.1: RFC 8446 §4.6.1, in order: a lifetime of 0 means "discard immediately" → { discarded: reason }; a
  // lifetime over MAX_TICKET_LIFETIME (7 days) is a server breaking a MUST → TlsError illegal_parameter, field
  // "ticket_lifetime"; a ticket so long that it cannot be an identity in a ClientHello (identity length +
  // PSK_IDENTITY_OVERHEAD > MAX_IDENTITIES_LENGTH) can never be offered → { discarded: reason }. Extensions other than
  // early_data are ignored ("Clients MUST ignore unrecognized extensions"); early_data gives maxEarlyDataSize (else 0).
  // Then the StoredTicket: identity = the ticket, psk = ticketPsk(suiteHash(cipherSuite), secret, nonce), ageAdd,
  // receivedAt = received.receivedAt.getTime(), lifetime.
  const nst = received.ticket;
  if (nst.lifetime === 0) return { discarded: "ticket_lifetime 0: the server asks for the ticket to be discarded at once" };
  if (nst.lifetime > MAX_TICKET_LIFETIME) {
    throw new TlsError(AlertDescription.illegal_parameter, `a ticket lifetime of ${nst.lifetime} s is over the 7 days (${MAX_TICKET_LIFETIME} s) allowed`, {
      field: "ticket_lifetime",
    });
  }
  if (nst.ticket.length + PSK_IDENTITY_OVERHEAD > MAX_IDENTITIES_LENGTH) {
    return { discarded: `a ${nst.ticket.length}-byte ticket does not fit in a pre_shared_key identity list (at most ${MAX_IDENTITIES_LENGTH} bytes)` };
  }
  return {
    servername,
    cipherSuite,
    identity: nst.ticket,
    psk: ticketPsk(suiteHash(cipherSuite), resumptionMasterSecret, nst.nonce),
    ageAdd: nst.ageAdd,
    receivedAt: received.receivedAt.getTime(),
    lifetime: nst.lifetime,
    maxEarlyDataSize: earlyDataLimit(nst),
  };
  // END 09.1
}

/** True when acceptTicket kept the ticket. */
export function isStoredTicket(t: StoredTicket | DiscardedTicket): t is StoredTicket {
  return !("discarded" in t);
}

/** True while the ticket may still be offered at `now` (RFC 8446 §4.6.1: never past its lifetime, nor 7 days). */
export function ticketValid(t: StoredTicket, now: Date): boolean {
  const age = now.getTime() - t.receivedAt;
  return age >= 0 && age < Math.min(t.lifetime, MAX_TICKET_LIFETIME) * MS_PER_SECOND;
}

/**
 * The obfuscated_ticket_age of the PskIdentity (RFC 8446 §4.2.11): the ticket's age in milliseconds plus ticket_age_add,
 * modulo 2^32.
 */
export function obfuscatedTicketAge(t: StoredTicket, now: Date): number {
  // EXERCISE 09.3: age = now - receivedAt in whole milliseconds (never negative); return (age + ageAdd) mod
  // TICKET_AGE_MODULUS. Plain numbers are exact up to 2^53, so the sum cannot lose bits before the modulo.
  // The server subtracts ageAdd again and compares the age with how long ago it issued the ticket: a ClientHello
  // replayed much later has an age that no longer fits, one of the freshness checks of RFC 8446 §8.3. The random
  // ageAdd keeps an observer from linking the ticket's two connections by its age.
  const age = Math.max(0, Math.floor(now.getTime() - t.receivedAt));
  return (age + t.ageAdd) % TICKET_AGE_MODULUS;
  // END 09.3
}
