// The server's side of resumption: a ClientHello offers tickets; the server opens the first one it can, and checks the
// binder (an HMAC over the ClientHello made with that ticket's PSK) before it believes anything else in the
// ClientHello. Read RFC 8446 §4.2.11 (pre_shared_key: the server picks one identity), §4.2.11.2 (binders: "the server
// MUST validate the corresponding binder value ... If this value is not present or does not validate, the server MUST
// abort the handshake") and §4.2.9 (psk_key_exchange_modes).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, PskKeyExchangeMode } from "../../lib/constants.js";
import { TlsError, isTlsError } from "../../lib/errors.js";
import { concat, toHex } from "../../lib/hex.js";
import { type ClientHello, findExtension } from "../01-client-hello/index.js";
import { constantTimeEqual } from "../06-tls12-handshake/index.js";
import { suiteHash } from "../07-tls13-key-schedule/index.js";
import { offeredPsks, pskBinder } from "../09-resumption-0rtt/index.js";
import { type TicketSealer, type TicketState, decodeTicketState } from "./tickets.js";
import { NotImplemented } from "../../lib/errors.js";

/** The PSK the server accepted: which identity, what its ticket held, and what anti-replay needs from the offer. */
export interface AcceptedPsk {
  /** The identity's index in the offer: the ServerHello's selected_identity. */
  index: number;
  state: TicketState;
  obfuscatedTicketAge: number;
  /** The binder that checked out: unique to this ClientHello, which makes it what anti-replay records (§8.2). */
  binder: Uint8Array;
}

/** The bytes the binders list occupies at the end of a ClientHello: its 2-byte length and each binder with its 1-byte length. */
export function bindersLength(binders: readonly Uint8Array[]): number {
  return 2 + binders.reduce((n, b) => n + 1 + b.length, 0);
}

/**
 * Picks the first offered ticket this server can use with `cipherSuite` at `now`, and checks its binder. `message` is
 * the ClientHello as received; `transcriptBefore` what precedes it in the transcript (message_hash(ClientHello1) ||
 * HelloRetryRequest after a retry, else nothing). Undefined: no usable PSK, a full handshake. A wrong binder: an alert.
 */
export function checkPskOffer(
  ch: ClientHello,
  message: Uint8Array,
  transcriptBefore: Uint8Array,
  cipherSuite: number,
  sealer: TicketSealer | undefined,
  now: number,
): AcceptedPsk | undefined {
  // TODO 10.17: (1) No pre_shared_key (chapter 09's offeredPsks) or no sealer: undefined. psk_key_exchange_modes
  // without psk_dhe_ke: undefined too (this server always adds a fresh (EC)DHE, §4.2.9). (2) For each identity in
  // order: sealer.open(identity) and decodeTicketState (a ticket that does not open or decode is skipped, not an
  // error: §4.2.11 lets the server ignore PSKs it cannot use); skip a ticket whose suite's hash differs from
  // suiteHash(cipherSuite) (the PSK belongs to its hash, §4.2.11) or that has expired (now − issuedAt ≥ lifetime s).
  // (3) The first one left is chosen; NOW check its binder: the truncated ClientHello is `message` without its last
  // bindersLength(binders) bytes (the received bytes, never a re-encoding), the binder chapter 09's pskBinder(hash,
  // state.psk, transcriptBefore || truncated); compare with the offered one in constant time (chapter 06's
  // constantTimeEqual). A mismatch is decrypt_error, field "binder" (§4.2.11.2, §6.2). Return { index, state,
  // obfuscatedTicketAge, binder }.
  throw new NotImplemented("10.17");
  // END 10.17
}
