// The ClientHello that offers a ticket: pre_shared_key as its last extension, and in it a binder, an HMAC over the
// ClientHello itself (cut off just before the binders) under a key only the holder of the PSK can derive. The binder
// ties the PSK to this very ClientHello, so no one can replay the ticket with a ClientHello of their own.
// Read RFC 8446 §4.2.11 (pre_shared_key), §4.2.11.2 (binders) and §4.2.9 (psk_key_exchange_modes).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, ExtensionType, PskKeyExchangeMode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type ClientExtension, type ClientHello, encodeClientHello, extensionType } from "../01-client-hello/index.js";
import { HASH_LENGTH, type HashName, digest } from "../03-certificates/index.js";
import { earlySecrets, finishedVerifyData, suiteHash } from "../07-tls13-key-schedule/index.js";
import { decodeOfferedPsks, preSharedKeyExtension } from "./psk-messages.js";
import { type StoredTicket, obfuscatedTicketAge } from "./ticket.js";
import { NotImplemented } from "../../lib/errors.js";

/** The pre_shared_key extension of a ClientHello, decoded; undefined if there is none. */
export function offeredPsks(ch: ClientHello) {
  const ext = ch.extensions.find((e) => extensionType(e) === ExtensionType.pre_shared_key);
  return ext !== undefined && ext.kind === "raw" ? decodeOfferedPsks(ext.data) : undefined;
}

/**
 * The ClientHello message cut just before the binders list (RFC 8446 §4.2.11.2): header and every field as they will
 * be sent, including the lengths of the complete message and of the extensions, and the identities; without the
 * 2-byte length of the binders list and the binders themselves.
 */
export function truncatedClientHello(ch: ClientHello): Uint8Array {
  // TODO 09.3: pre_shared_key must be the LAST extension (RFC 8446 §4.2.11: a server MUST abort otherwise); if it
  // is not, or missing, TlsError internal_error (field "pre_shared_key"). Encode the whole message
  // (encodeClientHello), take the binders from offeredPsks(ch), and cut off what the binders list occupies at the
  // very end: 2 (its length) + for each binder 1 (its length) + its bytes. The length fields at the start still count
  // the whole message: that is what "truncated" means, and why the binders are made with placeholders of the right
  // size first.
  throw new NotImplemented("09.3");
  // END 09.3
}

/**
 * One binder (RFC 8446 §4.2.11.2): HMAC(finished_key, Transcript-Hash(truncated ClientHello)), where finished_key is
 * derived from the binder key of the PSK's early secret ("res binder" for a ticket) exactly as a Finished's is.
 */
export function pskBinder(hash: HashName, psk: Uint8Array, truncated: Uint8Array): Uint8Array {
  // TODO 09.3: earlySecrets(hash, psk).binderKey(true) (a resumption PSK), then chapter 07's finishedVerifyData
  // with that key over digest(hash, truncated). (RFC 8446 §4.2.11.2, §4.4.4)
  throw new NotImplemented("09.3");
  // END 09.3
}

/**
 * `base` (a ClientHello from chapter 01's makeClientHello, or a recorded one) turned into a ClientHello that offers
 * `ticket`: psk_key_exchange_modes [psk_dhe_ke] and, with `earlyData`, early_data (both kept where they are if
 * already there), then pre_shared_key last with the ticket's identity, its obfuscated age at `now` and its binder.
 * Any pre_shared_key `base` had is replaced. After a HelloRetryRequest, `transcriptBefore` is what the binder's
 * transcript holds before this ClientHello: message_hash(ClientHello1) || HelloRetryRequest.
 */
export function offerTicket(base: ClientHello, ticket: StoredTicket, now: Date, earlyData: boolean, transcriptBefore: Uint8Array = new Uint8Array(0)): ClientHello {
  // TODO 09.3: (1) extensions = base's without pre_shared_key; add { kind: "psk_key_exchange_modes", modes:
  // [PskKeyExchangeMode.psk_dhe_ke] } if absent (without it the server may not use the PSK at all, §4.2.9) and, if
  // earlyData, a raw early_data with an empty body if absent (§4.2.10); if not earlyData, drop any early_data. (2)
  // Append preSharedKeyExtension({ identities: [{ identity: ticket.identity, obfuscatedTicketAge:
  // obfuscatedTicketAge(ticket, now) }], binders: [Hash.length zero bytes] }): a placeholder of the right size. (3)
  // binder = pskBinder(suiteHash(ticket.cipherSuite), ticket.psk, transcriptBefore || truncatedClientHello(that
  // ClientHello)); return the same ClientHello with the real binder in place of the placeholder (every length stays
  // the same). transcriptBefore is empty for a first ClientHello; after a HelloRetryRequest it is message_hash(CH1) ||
  // HelloRetryRequest, since the binder covers the whole transcript up to the binders (§4.2.11.2).
  throw new NotImplemented("09.3");
  // END 09.3
}
