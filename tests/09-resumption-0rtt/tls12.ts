// Chapter 09, TLS 1.2 resumption, one step at a time (09.12–09.15), each run alone on inputs written here from the
// RFCs: the ClientHello that offers a session (RFC 5246 §7.4.1.2, RFC 5077 §3.2 and §3.4), the client's reading of the
// ServerHello's echo (RFC 5246 §7.4.1.3, RFC 7627 §5.3), the keys of the abbreviated handshake checked against Node's
// HMAC (tests/support/tls12-oracle.ts), and NewSessionTicket bytes assembled from RFC 5077 §3.3. Live servers in
// live12.ts.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, CipherSuite, ExtensionType, HandshakeType, cipherSuites } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, encodeClientHello, makeClientHello } from "../../chapters/01-client-hello/index.js";
import type { ServerExtension, ServerHello } from "../../chapters/02-server-hello/index.js";
import { type Hello12, Tls12RecordLayer } from "../../chapters/06-tls12-handshake/index.js";
import {
  type ClientSession12,
  SESSION_ID_LENGTH,
  checkResumption12,
  decodeNewSessionTicket12,
  offerSession12,
  readNewSessionTicket12,
  resumedSecrets12,
} from "../../chapters/09-resumption-0rtt/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { badInputs, expectTlsError, onlyTlsErrors } from "../support/properties.js";
import { replayTransport } from "../support/replay-transport.js";
import { referenceGcmKeys } from "../support/tls12-oracle.js";

const S = CipherSuite;
const bytes = (n: number) => new Uint8Array(crypto.randomBytes(n));
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** A session as a real server would leave it (values made up here, shapes from RFC 5246 and RFC 5077). */
function session(overrides: Partial<ClientSession12> = {}): ClientSession12 {
  return {
    servername: "localhost",
    cipherSuite: S.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    master: bytes(48),
    extendedMasterSecret: true,
    sessionId: bytes(32),
    ticket: bytes(160),
    receivedAt: Date.now(),
    lifetime: 7200,
    ...overrides,
  };
}

/** An ordinary TLS 1.2 ClientHello from chapter 01 (graded there). */
const base = (): ClientHello => makeClientHello({ version: "1.2", serverName: "localhost" }).clientHello;

/** The SessionTicket extension of a ClientHello, if any. */
function ticketExtension(ch: ClientHello): Uint8Array | undefined {
  const e = ch.extensions.find((x) => x.kind === "raw" && x.type === ExtensionType.session_ticket);
  return e?.kind === "raw" ? e.data : undefined;
}

describe("09.12 offerSession12: the ClientHello that offers a TLS 1.2 session", function () {
  it("09.12 no session yet: an empty SessionTicket extension (\"I can take a ticket\", RFC 5077 §3.2) and an empty session_id", () => {
    const b = base();
    const ch = offerSession12(b, undefined);
    expect(ticketExtension(ch), "the SessionTicket extension (type 35)").to.not.equal(undefined);
    expect(ticketExtension(ch)!.length, "its body").to.equal(0);
    expect(toHex(ch.legacySessionId), "legacy_session_id").to.equal("");
    // On the wire: the extension's last four bytes are type 00 23 and length 00 00.
    const wire = encodeClientHello(ch);
    expectBytes(wire.subarray(wire.length - 4), hex("0023 0000"), "the ClientHello's last extension");
    expect(b.extensions.length, "base is left as it was").to.equal(base().extensions.length);
  });

  it("09.12 a session with an ID and a ticket: the server's session ID and the ticket, byte for byte; the other fields as base's", () => {
    const s = session();
    const b = base();
    const ch = offerSession12(b, s);
    expectBytes(ch.legacySessionId, s.sessionId, "legacy_session_id (RFC 5246 §7.4.1.2: the ID of the session to resume)");
    expectBytes(ticketExtension(ch) ?? new Uint8Array(0), s.ticket!, "the SessionTicket extension's body (RFC 5077 §3.2)");
    expectBytes(ch.random, b.random, "random");
    expect(ch.cipherSuites, "cipher_suites").to.deep.equal(b.cipherSuites);
  });

  it("09.12 a ticket without a session ID: 32 fresh random bytes as session_id, so that the server's echo says it took the ticket (RFC 5077 §3.4)", () => {
    const s = session({ sessionId: new Uint8Array(0) });
    const a = offerSession12(base(), s);
    const b = offerSession12(base(), s);
    expect(a.legacySessionId.length, "legacy_session_id's length").to.equal(SESSION_ID_LENGTH);
    expect(toHex(a.legacySessionId), "two offers, two fresh session IDs").to.not.equal(toHex(b.legacySessionId));
    expectBytes(ticketExtension(a) ?? new Uint8Array(0), s.ticket!, "the SessionTicket extension's body");
  });

  it("09.12 tickets off: no SessionTicket extension; the session ID alone (and nothing for a ticket-only session)", () => {
    const s = session();
    const ch = offerSession12(base(), s, false);
    expect(ticketExtension(ch), "the SessionTicket extension").to.equal(undefined);
    expectBytes(ch.legacySessionId, s.sessionId, "legacy_session_id");
    const ticketOnly = offerSession12(base(), session({ sessionId: new Uint8Array(0) }), false);
    expect(toHex(ticketOnly.legacySessionId), "legacy_session_id of a ticket-only session without tickets").to.equal("");
  });

  it("09.12 a session whose suite the offer lacks is not offered (RFC 5246 §7.4.1.2: the ClientHello MUST include it): empty ID, empty ticket", () => {
    const s = session({ cipherSuite: S.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 });
    const b = makeClientHello({ version: "1.2", serverName: "localhost", cipherSuites: [S.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }).clientHello;
    const ch = offerSession12(b, s);
    expect(toHex(ch.legacySessionId), "legacy_session_id").to.equal("");
    expect(toHex(ticketExtension(ch) ?? hex("ff")), "the SessionTicket extension's body").to.equal("");
  });
});

/** The hellos of a connection, as chapter 06's processServerHello12 would return them, written out here. */
function hellos(sent: Uint8Array, echo: Uint8Array, options: { suite?: number; ems?: boolean; ticket?: boolean } = {}): Hello12 {
  const cipherSuite = options.suite ?? S.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  const clientHello = { ...base(), legacySessionId: sent };
  const extensions: ServerExtension[] = [];
  if (options.ems ?? true) extensions.push({ kind: "extended_master_secret" });
  if (options.ticket) extensions.push({ kind: "raw", type: ExtensionType.session_ticket, data: new Uint8Array(0) });
  const serverHello: ServerHello = { legacyVersion: 0x0303, random: bytes(32), legacySessionIdEcho: echo, cipherSuite, legacyCompressionMethod: 0, extensions };
  const hash = cipherSuite === S.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ? "SHA-384" : "SHA-256";
  return { clientHello, serverHello, cipherSuite, suite: cipherSuites.get(cipherSuite)!, hash, extendedMasterSecret: options.ems ?? true };
}

describe("09.13 checkResumption12: did the server take the session up?", function () {
  it("09.13 resumed when the ServerHello echoes our non-empty session_id (RFC 5246 §7.4.1.3)", () => {
    const s = session();
    expect(checkResumption12(hellos(s.sessionId, s.sessionId.slice()), s), "the same ID back").to.equal(true);
  });

  it("09.13 a full handshake when the echo differs (a new session ID, or none), when we sent no ID, or had no session", () => {
    const s = session();
    expect(checkResumption12(hellos(s.sessionId, bytes(32)), s), "a new 32-byte session ID").to.equal(false);
    expect(checkResumption12(hellos(s.sessionId, new Uint8Array(0)), s), "an empty session ID (the server keeps no cache)").to.equal(false);
    expect(checkResumption12(hellos(new Uint8Array(0), new Uint8Array(0)), s), "we sent an empty ID, it sent one back").to.equal(false);
    expect(checkResumption12(hellos(s.sessionId, s.sessionId), undefined), "no session offered").to.equal(false);
  });

  it("09.13 resumed with another cipher suite than the session's: illegal_parameter naming cipher_suite", () => {
    const s = session();
    const e = expectTlsError(() => checkResumption12(hellos(s.sessionId, s.sessionId, { suite: S.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 }), s), {
      alert: AlertDescription.illegal_parameter,
      field: "cipher_suite",
    });
    expect(e.message, "it names both suites").to.include("AES_128").and.include("AES_256");
  });

  it("09.13 the extended master secret must be as the session's, both ways (RFC 7627 §5.3): handshake_failure", () => {
    const withEms = session({ extendedMasterSecret: true });
    expectTlsError(() => checkResumption12(hellos(withEms.sessionId, withEms.sessionId, { ems: false }), withEms), {
      alert: AlertDescription.handshake_failure,
      field: "extended_master_secret",
    });
    const without = session({ extendedMasterSecret: false });
    expectTlsError(() => checkResumption12(hellos(without.sessionId, without.sessionId, { ems: true }), without), {
      alert: AlertDescription.handshake_failure,
      field: "extended_master_secret",
    });
    expect(checkResumption12(hellos(without.sessionId, without.sessionId, { ems: false }), without), "both without").to.equal(true);
    // A full handshake is free to settle on the extended master secret whatever the old session did.
    expect(checkResumption12(hellos(withEms.sessionId, bytes(32), { ems: false }), withEms), "not resumed: no rule applies").to.equal(false);
  });
});

describe("09.14 resumedSecrets12: the old master secret, new randoms", function () {
  for (const [suite, nodeHash, keyLength] of [
    [S.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "sha256", 16],
    [S.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "sha384", 32],
  ] as const) {
    it(`09.14 ${cipherSuites.get(suite)!.name}: the key block from the session's master secret and this connection's randoms, as Node's HMAC computes it; the key log line`, () => {
      const s = session({ cipherSuite: suite });
      const h = hellos(s.sessionId, s.sessionId, { suite });
      const lines: string[] = [];
      const secrets = resumedSecrets12(h, s, (line) => lines.push(line));
      const ref = referenceGcmKeys(nodeHash, s.master, h.clientHello.random, h.serverHello.random, keyLength);
      expectBytes(secrets.master, s.master, "master secret (the session's, unchanged)");
      expectBytes(secrets.keys.clientKey, ref.clientKey, "client_write_key");
      expectBytes(secrets.keys.serverKey, ref.serverKey, "server_write_key");
      expectBytes(secrets.keys.clientIv, ref.clientSalt, "client_write_IV (the GCM salt)");
      expectBytes(secrets.keys.serverIv, ref.serverSalt, "server_write_IV (the GCM salt)");
      expect(secrets.premaster.length, "premaster: there is none in an abbreviated handshake").to.equal(0);
      expect(secrets.extendedMasterSecret, "extendedMasterSecret, as the session's").to.equal(s.extendedMasterSecret);
      expect(lines, "the NSS key log line: CLIENT_RANDOM, this connection's client random, the old master secret").to.deep.equal([
        `CLIENT_RANDOM ${toHex(h.clientHello.random)} ${toHex(s.master)}`,
      ]);
    });
  }
});

/** NewSessionTicket, assembled from RFC 5077 §3.3: type 4, length, lifetime hint, ticket length, ticket. */
function nstBytes(lifetime: number, ticket: Uint8Array): Uint8Array {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from([ticket.length >> 8, ticket.length & 0xff]), ticket]);
  body.writeUInt32BE(lifetime, 0);
  return new Uint8Array(Buffer.concat([Buffer.from([HandshakeType.new_session_ticket, 0, body.length >> 8, body.length & 0xff]), body]));
}

describe("09.15 NewSessionTicket (TLS 1.2, RFC 5077 §3.3)", function () {
  it("09.15 decodeNewSessionTicket12 reads the lifetime hint and the ticket (hand-assembled bytes)", () => {
    const ticket = bytes(200);
    const got = decodeNewSessionTicket12(nstBytes(7200, ticket));
    expect(got.lifetimeHint, "ticket_lifetime_hint").to.equal(7200);
    expectBytes(got.ticket, ticket, "ticket");
    expect(decodeNewSessionTicket12(hex("04 000006 00000000 0000")).ticket.length, "an empty ticket, hint 0").to.equal(0);
  });

  it("09.15 decodeNewSessionTicket12: another message type is unexpected_message; bytes short or left over are decode_error", () => {
    expectTlsError(() => decodeNewSessionTicket12(hex("14 000006 00000000 0000")), { alert: AlertDescription.unexpected_message, field: "handshake type" });
    expectTlsError(() => decodeNewSessionTicket12(hex("04 000007 00001c20 0002 aa")), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeNewSessionTicket12(hex("04 000008 00001c20 0001 aa bb")), { alert: AlertDescription.decode_error, field: "new_session_ticket" });
    onlyTlsErrors(decodeNewSessionTicket12, badInputs([nstBytes(300, bytes(40)), nstBytes(0, new Uint8Array(0))]), {
      alerts: [AlertDescription.decode_error, AlertDescription.unexpected_message],
      numRuns: 300,
    });
  });

  it("09.15 readNewSessionTicket12 reads the NewSessionTicket the ServerHello promised, into the transcript; none promised, it reads nothing", async () => {
    const ticket = bytes(100);
    const message = nstBytes(600, ticket);
    const record = new Uint8Array([22, 3, 3, message.length >> 8, message.length & 0xff, ...message]);
    const transport = replayTransport([record]);
    const records = new Tls12RecordLayer(transport);
    const s = session();
    const none = await readNewSessionTicket12(records, hellos(s.sessionId, s.sessionId));
    expect(none === undefined ? "nothing" : "a NewSessionTicket", "what it returns when the ServerHello has no SessionTicket").to.equal("nothing");
    expect(transport.delivered, "records read when no ticket was promised").to.equal(0);
    const got = await readNewSessionTicket12(records, hellos(s.sessionId, s.sessionId, { ticket: true }));
    expect(got?.lifetimeHint, "ticket_lifetime_hint").to.equal(600);
    expectBytes(got?.ticket ?? new Uint8Array(0), ticket, "ticket");
    const transcriptHash = records.transcript.hash("SHA-256");
    expectBytes(transcriptHash, new Uint8Array(crypto.createHash("sha256").update(message).digest()), "the transcript hash: the NewSessionTicket is in it (RFC 5077 §3.3)");
  });

  it("09.15 readNewSessionTicket12: a ServerHello that promised a ticket followed by something else is unexpected_message", async () => {
    const ccs = new Uint8Array([22, 3, 3, 0, 4, HandshakeType.finished, 0, 0, 0]);
    const records = new Tls12RecordLayer(replayTransport([ccs]));
    const s = session();
    let error: unknown;
    try {
      await readNewSessionTicket12(records, hellos(s.sessionId, s.sessionId, { ticket: true }));
    } catch (e) {
      error = e;
    }
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.unexpected_message });
  });
});
