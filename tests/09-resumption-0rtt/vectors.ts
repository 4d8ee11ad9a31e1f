// RFC 8448 §3's session ticket and §4's resumed 0-RTT handshake, read from the RFC text (tests/support/rfc8448.ts):
// the values chapter 09's tests compare against, and the NewSessionTicket taken apart here by hand (not by the
// learner's decoder) so that the expected ticket owes nothing to the code under test.
import { x25519 } from "@noble/curves/ed25519.js";
import { expect } from "chai";
import { ExtensionType, NamedGroup } from "../../lib/constants.js";
import { type ClientHello, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { type StoredTicket, acceptTicket, isStoredTicket } from "../../chapters/09-resumption-0rtt/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { findValue } from "../support/rfc8448.js";

export const SHA256 = "SHA-256" as const;
export const TLS_AES_128_GCM_SHA256 = 0x1301;

/** §3's NewSessionTicket, field by field (RFC 8446 §4.6.1 layout: header 4, lifetime 4, age_add 4, nonce<1>, ticket<2>, extensions<2>). */
export function rfcTicket() {
  const m = findValue(3, "construct a NewSessionTicket", "NewSessionTicket");
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  let at = 4;
  const lifetime = dv.getUint32(at);
  const ageAdd = dv.getUint32(at + 4);
  at += 8;
  const nonce = m.slice(at + 1, at + 1 + m[at]!);
  at += 1 + m[at]!;
  const ticketLength = dv.getUint16(at);
  const ticket = m.slice(at + 2, at + 2 + ticketLength);
  at += 2 + ticketLength;
  const extensionsLength = dv.getUint16(at);
  const extensions = m.slice(at + 2, at + 2 + extensionsLength);
  // One extension: early_data (42), 4 bytes of max_early_data_size.
  expect(extensions.length, "§3's ticket has one 8-byte extension").to.equal(8);
  expect(dv.getUint16(at + 2), "early_data").to.equal(42);
  const maxEarlyDataSize = dv.getUint32(at + 6);
  return { message: m, lifetime, ageAdd, nonce, ticket, maxEarlyDataSize };
}

/** §3's resumption_master_secret (the client's "tls13 res master") and the PSK the server derived from it. */
export const resumptionMasterSecret3 = () => findValue(3, 'derive secret "tls13 res master"', "expanded");
export const psk3 = () => findValue(3, 'generate resumption secret "tls13 resumption"', "expanded");

/** §4's full ClientHello (the payload of its first record) and the prefix the binder covers. */
export const clientHello4 = () => findValue(4, "send handshake record", "payload", 0);
export const clientHelloPrefix4 = () => findValue(4, "calculate PSK binder", "ClientHello prefix");
export const binder4 = () => findValue(4, "calculate PSK binder", "finished");

/** The obfuscated_ticket_age in §4's ClientHello: the 4 bytes just before the binders (2 + 1 + 32 from the end). */
export function obfuscatedAge4(): number {
  const ch = clientHello4();
  const at = ch.length - 35 - 4;
  return new DataView(ch.buffer, ch.byteOffset).getUint32(at);
}

/** The client's x25519 key pair of §4. */
export function clientX25519_4() {
  const privateKey = findValue(4, "create an ephemeral x25519 key pair", "private key", 0);
  const publicKey = findValue(4, "create an ephemeral x25519 key pair", "public key", 0);
  expectBytes(x25519.getPublicKey(privateKey), publicKey, "the trace's key pair");
  return { group: NamedGroup.x25519, privateKey, publicKey };
}

export const record4 = (step: string, occurrence: number) => findValue(4, step, "complete record", occurrence);
export const payload4 = (step: string, occurrence: number) => findValue(4, step, "payload", occurrence);

// ---------------------------------------------------------------------------------------------------------------
// §3's ticket as our client stores it, and §4's ClientHello before the ticket was added

export const RECEIVED_AT = Date.UTC(2020, 0, 1);

/** §3's ticket as our client would have stored it (acceptTicket), received at RECEIVED_AT. */
export function storedRfcTicket(): StoredTicket {
  const t = rfcTicket();
  const stored = acceptTicket(
    {
      ticket: { lifetime: t.lifetime, ageAdd: t.ageAdd, nonce: t.nonce, ticket: t.ticket, extensions: [{ kind: "early_data", maxEarlyDataSize: t.maxEarlyDataSize }] },
      receivedAt: new Date(RECEIVED_AT),
    },
    "server",
    TLS_AES_128_GCM_SHA256,
    resumptionMasterSecret3(),
  );
  if (!isStoredTicket(stored)) throw new Error(`§3's ticket was discarded: ${stored.discarded}`);
  return stored;
}

/** The age the RFC's client presented: obfuscated age minus ticket_age_add, mod 2^32. */
export const ageMs = () => (obfuscatedAge4() - rfcTicket().ageAdd + 2 ** 32) % 2 ** 32;
export const presentedAt = () => new Date(RECEIVED_AT + ageMs());

/** §4's ClientHello without its pre_shared_key: what makeClientHello would have given before the ticket was added. */
export function baseClientHello(): ClientHello {
  const ch = decodeClientHello(clientHello4());
  return { ...ch, extensions: ch.extensions.filter((e) => !(e.kind === "raw" && e.type === ExtensionType.pre_shared_key)) };
}

