// Exercises 10.15–10.17: tickets the server can forget, and taking them back. The ticket's AEAD is opened with Node's
// AES-256-GCM; RFC 8448 §3's NewSessionTicket comes out byte for byte (with the trace's ticket bytes standing in for
// the encryption, which was NSS's own); §4's ClientHello is accepted with the binder the trace printed, and binders
// for other offers are computed here on Node's HMAC (tests/support/tls13-oracle.ts).
import crypto from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, ExtensionType, PskKeyExchangeMode } from "../../lib/constants.js";
import { concat, equalBytes, toHex } from "../../lib/hex.js";
import { type ClientExtension, type ClientHello, decodeClientHello, encodeClientHello } from "../../chapters/01-client-hello/index.js";
import { encodeNewSessionTicket } from "../../chapters/08-tls13-handshake/index.js";
import {
  TICKET_KEY_RETIREMENT_MS,
  TICKET_KEY_ROTATION_MS,
  type TicketSealer,
  type TicketState,
  TicketKeys,
  checkPskOffer,
  decodeTicketState,
  encodeTicketState,
  newSessionTicket,
} from "../../chapters/10-tls13-server/index.js";
import { findValue } from "../support/rfc8448.js";
import { assertProperty, expectTlsError, mutationsOf } from "../support/properties.js";
import { oracleExpandLabel, oracleExtract, oracleFinished, suite13 } from "../support/tls13-oracle.js";
import { expectSameBytes, payload, presentedAge4, rfcMessage, rfcTicket, secret } from "./vectors.js";

const RFC_TIME = Date.UTC(2020, 0, 1);
const STATE: TicketState = {
  cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
  psk: new Uint8Array(32).fill(0x70),
  issuedAt: RFC_TIME,
  lifetime: 3600,
  ageAdd: 123456789,
  maxEarlyData: 16384,
  alpn: "http/1.1",
  serverName: "localhost",
};

/** The current key of a TicketKeys (a private field: the test reads it to open tickets with Node's AES-GCM). */
const currentKey = (k: TicketKeys) => (k as unknown as { keys: { id: Uint8Array; key: Uint8Array }[] }).keys[0]!;

describe("10.15 TicketKeys: seal and open, with rotation", () => {
  it("10.15 a ticket is key id || nonce || AES-256-GCM(state) || tag with the key id as additional data: Node opens it", () => {
    const keys = new TicketKeys();
    const state = encodeTicketState(STATE);
    const ticket = keys.seal(state);
    const { id, key } = currentKey(keys);
    expectSameBytes(ticket.subarray(0, 4), id, "the key id in front");
    expect(ticket.length).to.equal(4 + 12 + state.length + 16);
    const d = crypto.createDecipheriv("aes-256-gcm", key, ticket.subarray(4, 16));
    d.setAAD(id);
    d.setAuthTag(ticket.subarray(ticket.length - 16));
    expectSameBytes(new Uint8Array(Buffer.concat([d.update(ticket.subarray(16, ticket.length - 16)), d.final()])), state, "the state, opened by Node");
    expectSameBytes(keys.open(ticket)!, state, "opened by open()");
  });

  it("10.15 a fresh nonce for every ticket; a ticket with any bit changed, cut short, or from another server: undefined, never an error", () => {
    const keys = new TicketKeys();
    const a = keys.seal(encodeTicketState(STATE));
    const b = keys.seal(encodeTicketState(STATE));
    expect(toHex(a.subarray(4, 16))).not.to.equal(toHex(b.subarray(4, 16)));
    for (let i = 0; i < a.length; i += 5) {
      const bad = a.slice();
      bad[i]! ^= 0x80;
      expect(keys.open(bad), `bit 7 of byte ${i} flipped`).to.equal(undefined);
    }
    for (const short of [a.slice(0, 31), new Uint8Array(0), a.slice(0, 4)]) expect(keys.open(short)).to.equal(undefined);
    expect(new TicketKeys().open(a), "another server's keys").to.equal(undefined);
  });

  it("10.15 property: random bytes, and tickets of ours with random changes, open to undefined, never to an error", () => {
    const keys = new TicketKeys();
    const ticket = keys.seal(encodeTicketState(STATE));
    assertProperty(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutationsOf([ticket])), (bytes) => equalBytes(bytes, ticket) || keys.open(bytes) === undefined),
      { numRuns: 300, demands: "open() returns undefined for anything but a ticket this server sealed, and never throws", inputs: ["ticket"] },
    );
  });

  it("10.15 keys rotate: after a rotation period a new key seals, the old one still opens its tickets until it retires", () => {
    let now = RFC_TIME;
    const keys = new TicketKeys(() => now);
    const old = keys.seal(encodeTicketState(STATE));
    now += TICKET_KEY_ROTATION_MS;
    const fresh = keys.seal(encodeTicketState(STATE));
    expect(toHex(fresh.subarray(0, 4)), "a new key id").not.to.equal(toHex(old.subarray(0, 4)));
    expect(keys.open(old), "the old key opens its ticket").not.to.equal(undefined);
    now += TICKET_KEY_RETIREMENT_MS;
    keys.seal(encodeTicketState(STATE));
    expect(keys.open(old), "retired").to.equal(undefined);
    expect(keys.open(fresh), "the second key is not retired yet").not.to.equal(undefined);
  });
});

/** A sealer that hands out §3's ticket bytes (NSS's encryption) and remembers what it was given. */
function rfcSealer(): TicketSealer & { sealed: Uint8Array[] } {
  const sealed: Uint8Array[] = [];
  return { sealed, seal: (s) => (sealed.push(s), rfcTicket().ticket), open: () => undefined };
}

describe("10.16 newSessionTicket", () => {
  it("10.16 RFC 8448 §3's NewSessionTicket, byte for byte: lifetime 30, the trace's age_add, nonce 00 00, max_early_data_size 1024", () => {
    const t = rfcTicket();
    const sealer = rfcSealer();
    const { ticket, state } = newSessionTicket(
      { cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256, resumptionMasterSecret: secret(3, "res master"), index: 0, now: RFC_TIME, lifetime: t.lifetime, ageAdd: t.ageAdd, maxEarlyData: t.maxEarlyDataSize },
      sealer,
    );
    expectSameBytes(encodeNewSessionTicket(ticket), rfcMessage(3, "NewSessionTicket"), "our NewSessionTicket against §3's");
    expectSameBytes(state.psk, findValue(3, 'generate resumption secret "tls13 resumption"', "expanded"), "the ticket's PSK");
    const inside = decodeTicketState(sealer.sealed[0]!);
    expect([inside.cipherSuite, inside.issuedAt, inside.lifetime, inside.ageAdd, inside.maxEarlyData]).to.deep.equal([0x1301, RFC_TIME, 30, t.ageAdd, 1024]);
    expectSameBytes(inside.psk, state.psk, "the PSK sealed in the ticket");
  });

  it("10.16 each ticket of a connection has its own nonce and PSK; without 0-RTT a ticket has no early_data extension", () => {
    const p = { cipherSuite: 0x1301, resumptionMasterSecret: secret(3, "res master"), now: RFC_TIME, lifetime: 60, ageAdd: 1, maxEarlyData: 0 };
    const a = newSessionTicket({ ...p, index: 0 }, rfcSealer());
    const b = newSessionTicket({ ...p, index: 1 }, rfcSealer());
    expect(toHex(b.ticket.nonce)).to.equal("0001");
    expect(toHex(a.state.psk)).not.to.equal(toHex(b.state.psk));
    expect(a.ticket.extensions).to.deep.equal([]);
  });

  it("10.16 a lifetime over 7 days is our bug: internal_error", () => {
    const p = { cipherSuite: 0x1301, resumptionMasterSecret: secret(3, "res master"), index: 0, now: RFC_TIME, lifetime: 604801, ageAdd: 1, maxEarlyData: 0 };
    expectTlsError(() => newSessionTicket(p, rfcSealer()), { alert: AlertDescription.internal_error, field: "ticket_lifetime" });
  });
});

/** §3's ticket as our server would have sealed it: the PSK from §3, issued at RFC_TIME. */
function state3(overrides: Partial<TicketState> = {}): TicketState {
  const t = rfcTicket();
  return {
    cipherSuite: 0x1301,
    psk: findValue(3, 'generate resumption secret "tls13 resumption"', "expanded"),
    issuedAt: RFC_TIME,
    lifetime: t.lifetime,
    ageAdd: t.ageAdd,
    maxEarlyData: t.maxEarlyDataSize,
    alpn: "",
    serverName: "server",
    ...overrides,
  };
}

/** A sealer that opens §3's ticket to `state` and nothing else. */
const opens3 = (state: TicketState = state3()): TicketSealer => ({
  seal: () => new Uint8Array(1),
  open: (identity) => (equalBytes(identity, rfcTicket().ticket) ? encodeTicketState(state) : undefined),
});

const ch4 = () => payload(4, "send handshake record", 0);
const at = (ms: number) => RFC_TIME + ms;

/** The binder of a resumption PSK over `prefix` (RFC 8446 §4.2.11.2), on Node's HMAC. */
function oracleBinder(psk: Uint8Array, prefix: Uint8Array): Uint8Array {
  const s = suite13(0x1301);
  const early = oracleExtract("sha256", new Uint8Array(32), psk);
  const binderKey = oracleExpandLabel("sha256", early, "res binder", crypto.createHash("sha256").digest(), 32);
  return oracleFinished(s, binderKey, new Uint8Array(crypto.createHash("sha256").update(prefix).digest()));
}

/** §4's ClientHello with its pre_shared_key replaced by `identities`, and correct binders for the ones whose PSK is given. */
function offerWith(identities: { identity: Uint8Array; psk?: Uint8Array }[]): Uint8Array {
  const base = decodeClientHello(ch4());
  const ext = (binders: Uint8Array[]): ClientExtension => {
    const ids = concat(...identities.map((i) => concat(Uint8Array.of(i.identity.length >> 8, i.identity.length & 0xff), i.identity, Uint8Array.of(0, 0, 0, 0))));
    const bs = concat(...binders.map((b) => concat(Uint8Array.of(b.length), b)));
    return { kind: "raw", type: ExtensionType.pre_shared_key, data: concat(Uint8Array.of(ids.length >> 8, ids.length & 0xff), ids, Uint8Array.of(bs.length >> 8, bs.length & 0xff), bs) };
  };
  const withExt = (binders: Uint8Array[]): ClientHello => ({ ...base, extensions: [...base.extensions.slice(0, -1), ext(binders)] });
  const placeholder = encodeClientHello(withExt(identities.map(() => new Uint8Array(32))));
  const prefix = placeholder.slice(0, placeholder.length - (2 + 33 * identities.length));
  return encodeClientHello(withExt(identities.map((i) => (i.psk === undefined ? new Uint8Array(32) : oracleBinder(i.psk, prefix)))));
}

describe("10.17 checkPskOffer: the binder before anything else", () => {
  it("10.17 RFC 8448 §4: §3's ticket is taken (identity 0), its binder is the trace's, the age is what the client presented", () => {
    const psk = checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, opens3(), at(presentedAge4()));
    expect(psk, "a PSK accepted").not.to.equal(undefined);
    expect(psk!.index).to.equal(0);
    expectSameBytes(psk!.binder, findValue(4, "calculate PSK binder", "finished"), "the binder");
    expectSameBytes(psk!.state.psk, state3().psk, "the ticket's PSK");
  });

  it("10.17 §4's binder with one bit flipped: decrypt_error, before anything else of the ticket is used", () => {
    const bad = ch4();
    bad[bad.length - 1]! ^= 0x01;
    expectTlsError(() => checkPskOffer(decodeClientHello(bad), bad, new Uint8Array(0), 0x1301, opens3(), at(10)), { alert: AlertDescription.decrypt_error, field: "binder" });
  });

  it("10.17 the binder covers the transcript before the ClientHello too: with a HelloRetryRequest's prefix in front, §4's binder no longer matches", () => {
    expectTlsError(() => checkPskOffer(decodeClientHello(ch4()), ch4(), Uint8Array.of(254, 0, 0, 0), 0x1301, opens3(), at(10)), { alert: AlertDescription.decrypt_error });
  });

  const ignored: [string, () => undefined | ReturnType<typeof checkPskOffer>][] = [
    ["a ticket the server cannot open", () => checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, { seal: () => new Uint8Array(1), open: () => undefined }, at(10))],
    ["a ticket whose state does not decode", () => checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, { seal: () => new Uint8Array(1), open: () => Uint8Array.of(1, 2, 3) }, at(10))],
    ["an expired ticket (issued 30 s ago, lifetime 30 s)", () => checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, opens3(), at(30_000))],
    ["a SHA-256 ticket when the suite is TLS_AES_256_GCM_SHA384", () => checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1302, opens3(), at(10))],
    ["no ticket keys on this server", () => checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, undefined, at(10))],
    ["psk_ke only (this server always adds (EC)DHE)", () => {
      const ch = decodeClientHello(ch4());
      const modes = { ...ch, extensions: ch.extensions.map((e): ClientExtension => (e.kind === "psk_key_exchange_modes" ? { kind: "psk_key_exchange_modes", modes: [PskKeyExchangeMode.psk_ke] } : e)) };
      return checkPskOffer(modes, ch4(), new Uint8Array(0), 0x1301, opens3(), at(10));
    }],
  ];
  for (const [what, run] of ignored) {
    it(`10.17 ${what}: no PSK (a full handshake), not an error`, () => {
      expect(run()).to.equal(undefined);
    });
  }

  it("10.17 property: a ticket that opens to random bytes (a state that does not decode) is skipped: no PSK, no error", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 80 }), (state) => {
        const sealer: TicketSealer = { seal: () => new Uint8Array(1), open: () => state };
        return checkPskOffer(decodeClientHello(ch4()), ch4(), new Uint8Array(0), 0x1301, sealer, at(10)) === undefined;
      }),
      { numRuns: 200, demands: "checkPskOffer ignores a ticket whose state does not decode (random bytes almost never do)", inputs: ["state"] },
    );
  });

  it("10.17 two identities, the first unknown: the server takes the second and checks ITS binder", () => {
    const t = rfcTicket();
    const bytes = offerWith([{ identity: Uint8Array.of(1, 2, 3) }, { identity: t.ticket, psk: state3().psk }]);
    const psk = checkPskOffer(decodeClientHello(bytes), bytes, new Uint8Array(0), 0x1301, opens3(), at(10));
    expect(psk?.index).to.equal(1);
    const wrong = offerWith([{ identity: Uint8Array.of(1, 2, 3) }, { identity: t.ticket, psk: new Uint8Array(32).fill(1) }]);
    expectTlsError(() => checkPskOffer(decodeClientHello(wrong), wrong, new Uint8Array(0), 0x1301, opens3(), at(10)), { alert: AlertDescription.decrypt_error, field: "binder" });
  });
});
