// Exercises 11.12 and 11.13: session tickets (RFC 5077) and the choice to resume. The NewSessionTicket is compared
// with the struct of RFC 5077 §3.3 laid out by hand; the ticket is opened with chapter 10's TicketKeys; each rule of
// RFC 5077 §3.4, RFC 5246 §7.4.1.2, RFC 6066 §3 and RFC 7627 §5.3 is tried once.
import { expect } from "chai";
import { AlertDescription, CipherSuite, ExtensionType } from "../../lib/constants.js";
import { TicketKeys } from "../../chapters/10-tls13-server/index.js";
import {
  type Choice12,
  type Session12,
  SessionCache,
  decodeSession12,
  encodeNewSessionTicket12,
  encodeSession12,
  issueTicket12,
  resumeSession12,
} from "../../chapters/11-tls12-server/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { illustratedChoice, testConfig12 } from "./helpers.js";

const NOW = Date.UTC(2030, 0, 1);
const SUITE = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
const session = (overrides: Partial<Session12> = {}): Session12 => ({
  cipherSuite: SUITE,
  master: new Uint8Array(48).fill(0x5e),
  extendedMasterSecret: true,
  issuedAt: NOW - 60_000,
  lifetime: 7200,
  serverName: "example.ulfheim.net",
  alpn: "",
  ...overrides,
});
const ID = new Uint8Array(32).fill(0x1d);

/** The recorded ClientHello with a session ID and/or a SessionTicket extension, offering the extended master secret. */
function hello(options: { sessionId?: Uint8Array; ticket?: Uint8Array; ems?: boolean; serverName?: string } = {}): Choice12 {
  const base = illustratedChoice();
  const extensions = [...base.clientHello.extensions];
  if (options.ticket !== undefined) extensions.push({ kind: "raw", type: ExtensionType.session_ticket, data: options.ticket });
  return {
    ...base,
    cipherSuite: SUITE,
    extendedMasterSecret: options.ems ?? true,
    serverName: "serverName" in options ? options.serverName : base.serverName,
    clientHello: { ...base.clientHello, legacySessionId: options.sessionId ?? new Uint8Array(0), extensions },
  };
}

describe("11.12 NewSessionTicket (RFC 5077 §3.3) and the ticket in it", () => {
  it("11.12 the message: type 4, a 3-byte length, ticket_lifetime_hint as a uint32, the ticket behind a 2-byte length", () => {
    const ticket = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01);
    expectBytes(encodeNewSessionTicket12(7200, ticket), Uint8Array.of(4, 0, 0, 11, 0x00, 0x00, 0x1c, 0x20, 0, 5, ...ticket), "the NewSessionTicket");
    expectBytes(encodeNewSessionTicket12(0, new Uint8Array(0)), Uint8Array.of(4, 0, 0, 6, 0, 0, 0, 0, 0, 0), "an empty ticket with hint 0");
  });

  it("11.12 a ticket over 2^16 − 1 bytes is our own bug: internal_error", () => {
    expectTlsError(() => encodeNewSessionTicket12(60, new Uint8Array(65536)), { alert: AlertDescription.internal_error });
  });

  it("11.12 issueTicket12: the hint is the session's lifetime; the ticket opens with the server's keys to the session itself; two tickets of one session differ", () => {
    const keys = new TicketKeys(() => NOW);
    const s = session();
    const message = issueTicket12(s, keys);
    const hint = new DataView(message.buffer, message.byteOffset).getUint32(4);
    const ticketLength = (message[8]! << 8) | message[9]!;
    expect(hint, "ticket_lifetime_hint").to.equal(7200);
    expect(message.length, "header, hint, length, ticket").to.equal(10 + ticketLength);
    const opened = keys.open(message.slice(10));
    expectBytes(opened, encodeSession12(s), "the sealed session");
    expectSame(decodeSession12(opened!), s, "the session read back");
    expect(Buffer.from(issueTicket12(s, keys)).equals(Buffer.from(message)), "a second ticket for the same session").to.equal(false);
  });
});

describe("11.13 resumeSession12: which session, found how, or a full handshake", () => {
  const withCache = (...entries: [Uint8Array, Session12][]) => {
    const sessionCache = new SessionCache();
    for (const [id, s] of entries) sessionCache.set(id, s);
    return testConfig12({ sessionCache, now: () => NOW });
  };
  const ticketFor = (keys: TicketKeys, s: Session12) => keys.seal(encodeSession12(s));

  it("11.13 a session ID the cache holds: resumed by session ID, the ServerHello echoes that ID", () => {
    const found = resumeSession12(hello({ sessionId: ID }), withCache([ID, session()]));
    expectSame(found, { session: session(), by: "session ID", sessionId: ID }, "the resumption");
  });

  it("11.13 a ticket sealed under the server's keys: resumed by session ticket, echoing the client's session ID (empty or not, RFC 5077 §3.4); the ticket wins over the ID", () => {
    const keys = new TicketKeys(() => NOW);
    const config = { ...withCache([ID, session({ master: new Uint8Array(48) })]), ticketKeys: keys };
    const ticket = ticketFor(keys, session());
    expectSame(resumeSession12(hello({ ticket }), config), { session: session(), by: "session ticket", sessionId: new Uint8Array(0) }, "with no session ID");
    expectSame(resumeSession12(hello({ ticket, sessionId: ID }), config), { session: session(), by: "session ticket", sessionId: ID }, "with a session ID too");
  });

  it("11.13 a ticket that does not open (one byte changed, another server's keys) is no error: the session ID is tried, else a full handshake", () => {
    const keys = new TicketKeys(() => NOW);
    const changed = ticketFor(keys, session());
    changed[changed.length - 1]! ^= 1;
    const foreign = ticketFor(new TicketKeys(() => NOW), session());
    const config = { ...withCache(), ticketKeys: keys };
    expect(resumeSession12(hello({ ticket: changed }), config), "a changed ticket").to.equal(undefined);
    expect(resumeSession12(hello({ ticket: foreign }), config), "another server's ticket").to.equal(undefined);
    const withId = { ...withCache([ID, session()]), ticketKeys: keys };
    expect(resumeSession12(hello({ ticket: foreign, sessionId: ID }), withId)?.by, "falls back to the session ID").to.equal("session ID");
  });

  it("11.13 nothing to resume: an unknown or empty session ID, an empty SessionTicket extension, no cache", () => {
    expect(resumeSession12(hello({ sessionId: new Uint8Array(32) }), withCache([ID, session()])), "an unknown ID").to.equal(undefined);
    expect(resumeSession12(hello(), withCache([ID, session()])), "no ID").to.equal(undefined);
    expect(resumeSession12(hello({ ticket: new Uint8Array(0) }), { ...withCache(), ticketKeys: new TicketKeys(() => NOW) }), "an empty ticket").to.equal(undefined);
    expect(resumeSession12(hello({ sessionId: ID }), testConfig12({ now: () => NOW })), "no cache").to.equal(undefined);
  });

  it("11.13 a session past its lifetime is not resumed; one second before, it is", () => {
    const old = session({ issuedAt: NOW - 7200_000 - 1 });
    expect(resumeSession12(hello({ sessionId: ID }), withCache([ID, old])), "expired").to.equal(undefined);
    const fresh = session({ issuedAt: NOW - 7199_000 });
    expect(resumeSession12(hello({ sessionId: ID }), withCache([ID, fresh]))?.by, "still good").to.equal("session ID");
  });

  it("11.13 a suite the client no longer offers, or this server no longer runs, or another server_name: a full handshake", () => {
    const notOffered = session({ cipherSuite: CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 });
    expect(resumeSession12(hello({ sessionId: ID }), withCache([ID, notOffered])), "a suite not offered").to.equal(undefined);
    const config = { ...withCache([ID, session()]), cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] };
    expect(resumeSession12(hello({ sessionId: ID }), config), "a suite no longer served").to.equal(undefined);
    expect(resumeSession12(hello({ sessionId: ID, serverName: "other.example" }), withCache([ID, session()])), "another name").to.equal(undefined);
  });

  it("11.13 RFC 7627 §5.3: a session made with the extended master secret, a ClientHello without it: handshake_failure; the other way round: a full handshake", () => {
    expectTlsError(() => resumeSession12(hello({ sessionId: ID, ems: false }), withCache([ID, session()])), {
      alert: AlertDescription.handshake_failure,
      field: "extended_master_secret",
    });
    expect(resumeSession12(hello({ sessionId: ID }), withCache([ID, session({ extendedMasterSecret: false })])), "old session without, hello with").to.equal(undefined);
    expect(resumeSession12(hello({ sessionId: ID, ems: false }), withCache([ID, session({ extendedMasterSecret: false })]))?.by, "neither").to.equal("session ID");
  });
});
