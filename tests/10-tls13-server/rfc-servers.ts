// The servers of RFC 8448 §3 and §4, for the replays (rfc-replay.ts) and the bad-input suite: the RFC's certificate and
// key (§2, §3), and every random value the traces printed (the server's random and x25519 key, the PSS salt recovered
// from the RFC's signature, §3's ticket_age_add), so that a correct server writes the traces' messages byte for byte.
import { CipherSuite } from "../../lib/constants.js";
import { equalBytes } from "../../lib/hex.js";
import { type AntiReplay, type Tls13ServerConfig, encodeTicketState } from "../../chapters/10-tls13-server/index.js";
import { findValue } from "../support/rfc8448.js";
import { COOKIE_KEY, rfcCredential } from "./helpers.js";
import { presentedAge4, pssSaltOf, rfcAdvertisedGroups, rfcCertificateVerifySignature, rfcMessage, rfcTicket, serverRandomOf, serverX25519 } from "./vectors.js";

export const RFC_TIME = Date.UTC(2020, 0, 1);

/** The server of RFC 8448 §3: the RFC's certificate and key, and every random value the trace printed. */
export function server3(keyLog: string[] = []): Tls13ServerConfig {
  const t = rfcTicket();
  return {
    credentials: [rfcCredential()],
    cookieKey: COOKIE_KEY,
    advertisedGroups: rfcAdvertisedGroups(3),
    // The ticket's bytes are NSS's own encryption of its state: a sealer that hands them out stands in for ours.
    ticketKeys: { seal: () => t.ticket, open: () => undefined },
    tickets: 1,
    ticketLifetime: t.lifetime,
    maxEarlyData: t.maxEarlyDataSize,
    keyLog: (line) => keyLog.push(line),
    now: () => RFC_TIME,
    fixed: { random: serverRandomOf(rfcMessage(3, "ServerHello")), keyPair: serverX25519(3), pssSalt: pssSaltOf(rfcCertificateVerifySignature()), ticketAgeAdd: t.ageAdd },
  };
}

/** The server of RFC 8448 §4: it opens §3's ticket (a sealer that knows it) and takes 0-RTT data. */
export function server4(antiReplay: AntiReplay | undefined, keyLog: string[] = []): Tls13ServerConfig {
  const t = rfcTicket();
  const state = encodeTicketState({
    cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
    psk: findValue(3, 'generate resumption secret "tls13 resumption"', "expanded"),
    issuedAt: RFC_TIME,
    lifetime: t.lifetime,
    ageAdd: t.ageAdd,
    maxEarlyData: t.maxEarlyDataSize,
    alpn: "",
    serverName: "server",
  });
  return {
    credentials: [rfcCredential()],
    cookieKey: COOKIE_KEY,
    advertisedGroups: rfcAdvertisedGroups(4),
    ticketKeys: { seal: () => new Uint8Array(1), open: (identity) => (equalBytes(identity, t.ticket) ? state : undefined) },
    tickets: 0,
    maxEarlyData: t.maxEarlyDataSize,
    antiReplay,
    keyLog: (line) => keyLog.push(line),
    now: () => RFC_TIME + presentedAge4(),
    fixed: { random: serverRandomOf(rfcMessage(4, "ServerHello")), keyPair: serverX25519(4) },
  };
}

