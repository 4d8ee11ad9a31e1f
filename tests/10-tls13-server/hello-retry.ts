// Exercises 10.2–10.4: the stateless HelloRetryRequest. The cookie's AEAD is opened here with Node's AES-256-GCM (so
// its format is checked against an implementation the learner did not write) and attacked bit by bit; RFC 8448 §5
// gives a real HelloRetryRequest (the server's, byte for byte, with the trace's cookie) and a real second ClientHello
// that RFC 8446 §4.1.2 must accept; and a scripted client sends the server's own cookie back, or a forged one.
import crypto from "node:crypto";
import { expect } from "chai";
import { AlertDescription, CipherSuite, ExtensionType, NamedGroup } from "../../lib/constants.js";
import { concat, toHex } from "../../lib/hex.js";
import { type ClientExtension, type ClientHello, decodeClientHello, encodeClientHello, extensionType } from "../../chapters/01-client-hello/index.js";
import { type ServerHello, decodeServerHello, encodeServerHello, findServerExtension } from "../../chapters/02-server-hello/index.js";
import { Tls13RecordLayer } from "../../chapters/08-tls13-handshake/index.js";
import {
  COOKIE_LIFETIME_MS,
  type CookieState,
  type EarlyDataSkipper,
  checkSecondClientHello,
  encodeCookieState,
  helloInvariant,
  helloRetryRequest,
  invariantHash,
  openCookie,
  readClientHello,
  sealCookie,
} from "../../chapters/10-tls13-server/index.js";
import { expectTlsError } from "../support/properties.js";
import { COOKIE_KEY, HANDSHAKE, CHANGE_CIPHER_SPEC, fragmentOf, plaintextRecord, scriptedClient, testConfig } from "./helpers.js";
import { expectSameBytes, record, rfcMessage } from "./vectors.js";

const STATE: CookieState = {
  cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
  group: NamedGroup.secp256r1,
  clientHello1Hash: new Uint8Array(32).fill(1),
  invariantHash: new Uint8Array(32).fill(2),
  issuedAt: Date.UTC(2030, 0, 1),
};
const COOKIE_LABEL = Buffer.from("tls-by-hand cookie", "latin1");
const sha256 = (...parts: Uint8Array[]) => new Uint8Array(crypto.createHash("sha256").update(Buffer.concat(parts)).digest());

/** Node's AES-256-GCM: the cookie's nonce, then ciphertext, then the 16-byte tag. */
function nodeOpenCookie(key: Uint8Array, cookie: Uint8Array): Uint8Array {
  const d = crypto.createDecipheriv("aes-256-gcm", key, cookie.subarray(0, 12));
  d.setAAD(COOKIE_LABEL);
  d.setAuthTag(cookie.subarray(cookie.length - 16));
  return new Uint8Array(Buffer.concat([d.update(cookie.subarray(12, cookie.length - 16)), d.final()]));
}

describe("10.2 sealCookie / openCookie: the server's state, sealed in the cookie", () => {
  it("10.2 a cookie is nonce || AES-256-GCM(state) || tag: Node's AES-GCM opens it to the encoded state", () => {
    const cookie = sealCookie(COOKIE_KEY, STATE);
    expectSameBytes(nodeOpenCookie(COOKIE_KEY, cookie), encodeCookieState(STATE), "the cookie opened by Node's AES-256-GCM");
    expect(cookie.length, "12-byte nonce + state + 16-byte tag").to.equal(12 + encodeCookieState(STATE).length + 16);
    expect(toHex(cookie), "the state is not readable in the cookie").not.to.include(toHex(STATE.invariantHash));
  });

  it("10.2 every cookie has a fresh nonce; each one opens to the same state", () => {
    const a = sealCookie(COOKIE_KEY, STATE);
    const b = sealCookie(COOKIE_KEY, STATE);
    expect(toHex(a.subarray(0, 12))).not.to.equal(toHex(b.subarray(0, 12)));
    for (const c of [a, b]) {
      const s = openCookie(COOKIE_KEY, c, STATE.issuedAt + 1000);
      expect([s.cipherSuite, s.group, s.issuedAt, toHex(s.clientHello1Hash), toHex(s.invariantHash)]).to.deep.equal([
        STATE.cipherSuite,
        STATE.group,
        STATE.issuedAt,
        toHex(STATE.clientHello1Hash),
        toHex(STATE.invariantHash),
      ]);
    }
  });

  it("10.2 a cookie with any one bit changed, under another key, cut short or empty: illegal_parameter", () => {
    const cookie = sealCookie(COOKIE_KEY, STATE);
    for (let i = 0; i < cookie.length; i += 7) {
      const bad = cookie.slice();
      bad[i]! ^= 0x01;
      expectTlsError(() => openCookie(COOKIE_KEY, bad, STATE.issuedAt), { alert: AlertDescription.illegal_parameter, field: "cookie" });
    }
    expectTlsError(() => openCookie(new Uint8Array(32).fill(7), cookie, STATE.issuedAt), { alert: AlertDescription.illegal_parameter, field: "cookie" });
    for (const short of [cookie.slice(0, 20), cookie.slice(0, 12), new Uint8Array(0)]) {
      expectTlsError(() => openCookie(COOKIE_KEY, short, STATE.issuedAt), { alert: AlertDescription.illegal_parameter, field: "cookie" });
    }
  });

  it(`10.2 a cookie older than ${COOKIE_LIFETIME_MS} ms, or from the future: illegal_parameter`, () => {
    const cookie = sealCookie(COOKIE_KEY, STATE);
    openCookie(COOKIE_KEY, cookie, STATE.issuedAt + COOKIE_LIFETIME_MS);
    expectTlsError(() => openCookie(COOKIE_KEY, cookie, STATE.issuedAt + COOKIE_LIFETIME_MS + 1), { alert: AlertDescription.illegal_parameter, field: "cookie" });
    expectTlsError(() => openCookie(COOKIE_KEY, cookie, STATE.issuedAt - 1), { alert: AlertDescription.illegal_parameter, field: "cookie" });
  });

  it("10.2 a cookie key that is not 32 bytes is our own bug: internal_error", () => {
    expectTlsError(() => sealCookie(new Uint8Array(16), STATE), { alert: AlertDescription.internal_error, field: "cookie key" });
  });
});

/** §5's HelloRetryRequest and its cookie (decoded with chapter 02's decoder: the cookie extension's body). */
function rfcHrr() {
  const hrr = rfcMessage(5, "ServerHello", 0);
  return { hrr, cookie: findServerExtension(decodeServerHello(hrr).extensions, "cookie")!.cookie };
}

/** A HelloRetryRequest with its cookie replaced by one byte, for comparing everything else. */
function withoutCookie(sh: ServerHello): ServerHello {
  return { ...sh, extensions: sh.extensions.map((e) => (e.kind === "cookie" ? { kind: "cookie", cookie: Uint8Array.of(0) } : e)) };
}

const ch5 = (n: 0 | 1): ClientHello => decodeClientHello(rfcMessage(5, "ClientHello", n));
const stateFor5 = (): CookieState => ({
  cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
  group: NamedGroup.secp256r1,
  clientHello1Hash: sha256(rfcMessage(5, "ClientHello", 0)),
  invariantHash: invariantHash("SHA-256", ch5(0)),
  issuedAt: 0,
});

describe("10.3 helloRetryRequest and the second ClientHello", () => {
  it("10.3 with §5's ClientHello, P-256 and §5's cookie, the HelloRetryRequest is RFC 8448 §5's byte for byte", () => {
    const { hrr, cookie } = rfcHrr();
    const ours = encodeServerHello(helloRetryRequest(ch5(0), CipherSuite.TLS_AES_128_GCM_SHA256, NamedGroup.secp256r1, cookie));
    expectSameBytes(ours, hrr, "our HelloRetryRequest against RFC 8448 §5's");
  });

  it("10.3 a client's session id is echoed (middlebox compatibility, RFC 8446 §4.1.4)", () => {
    const ch = { ...ch5(0), legacySessionId: new Uint8Array(32).fill(0x5a) };
    const hrr = helloRetryRequest(ch, CipherSuite.TLS_AES_128_GCM_SHA256, NamedGroup.secp256r1, Uint8Array.of(1));
    expect(toHex(hrr.legacySessionIdEcho)).to.equal(toHex(ch.legacySessionId));
  });

  it("10.3 helloInvariant: §5's two ClientHellos (new key share, cookie and padding added) are the same; the first keeps its extensions", () => {
    expectSameBytes(helloInvariant(ch5(1)), helloInvariant(ch5(0)), "the invariant part of §5's second ClientHello");
    const first = ch5(0);
    helloInvariant(first);
    expect(first.extensions.length, "helloInvariant must not change its argument").to.equal(ch5(0).extensions.length);
  });

  it("10.3 checkSecondClientHello accepts §5's second ClientHello against the state of its first", () => {
    checkSecondClientHello(ch5(1), stateFor5());
  });

  const change = (f: (ch: ClientHello) => ClientHello) => () => f(ch5(1));
  const withShares = (ch: ClientHello, shares: { group: number; keyExchange: Uint8Array }[]): ClientHello => ({
    ...ch,
    extensions: ch.extensions.map((e): ClientExtension => (e.kind === "key_share" ? { kind: "key_share", shares } : e)),
  });
  const cases: [string, () => ClientHello, string][] = [
    ["two key shares", change((ch) => withShares(ch, [{ group: NamedGroup.secp256r1, keyExchange: new Uint8Array(65).fill(4) }, { group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }])), "key_share"],
    ["a share in another group", change((ch) => withShares(ch, [{ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }])), "key_share"],
    ["no key share", change((ch) => withShares(ch, [])), "key_share"],
    ["early_data", change((ch) => ({ ...ch, extensions: [...ch.extensions, { kind: "raw", type: ExtensionType.early_data, data: new Uint8Array(0) }] })), "early_data"],
    ["another random", change((ch) => ({ ...ch, random: new Uint8Array(32).fill(3) })), "client_hello"],
    ["another suite list", change((ch) => ({ ...ch, cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] })), "client_hello"],
    ["an extension dropped (server_name)", change((ch) => ({ ...ch, extensions: ch.extensions.filter((e) => e.kind !== "server_name") })), "client_hello"],
  ];
  for (const [what, make, field] of cases) {
    it(`10.3 a second ClientHello with ${what}: illegal_parameter`, () => {
      expectTlsError(() => checkSecondClientHello(make(), stateFor5()), { alert: AlertDescription.illegal_parameter, field });
    });
  }
});

/** A skipper that skips nothing: 10.4 is tested without 10.20. */
const noSkipping = { pass() {}, skipBeforeSecondHello() {}, skipUndecryptable() {} } as unknown as EarlyDataSkipper;

/** §5's second ClientHello with its cookie replaced by `cookie` (and anything else `change` does). */
function secondHelloWith(cookie: Uint8Array, change: (ch: ClientHello) => ClientHello = (c) => c): Uint8Array {
  const ch = ch5(1);
  const body = concat(Uint8Array.of(cookie.length >> 8, cookie.length & 0xff), cookie);
  const extensions = ch.extensions.map((e): ClientExtension => (extensionType(e) === ExtensionType.cookie ? { kind: "raw", type: ExtensionType.cookie, data: body } : e));
  return encodeClientHello(change({ ...ch, extensions }));
}

/** The cookie in the HelloRetryRequest the server wrote. */
function cookieOf(hrrRecord: Uint8Array): Uint8Array {
  const cookie = findServerExtension(decodeServerHello(fragmentOf(hrrRecord)).extensions, "cookie");
  if (cookie === undefined) throw new Error("the server's HelloRetryRequest has no cookie");
  return cookie.cookie;
}

describe("10.4 readClientHello: one round trip more when the key share does not suit", () => {
  const p256Only = () => testConfig({ groups: [NamedGroup.secp256r1] });

  it("10.4 §3's ClientHello has a share the server takes: no HelloRetryRequest, nothing written, the transcript is Hash(ClientHello)", async () => {
    const client = scriptedClient(() => record(3, "send handshake record", 0));
    const hello = await readClientHello(new Tls13RecordLayer(client, undefined, "server"), noSkipping, testConfig());
    expect(hello.helloRetry).to.equal(false);
    expect(client.written, "the server wrote nothing").to.have.length(0);
    expectSameBytes(hello.transcript.hash(), sha256(rfcMessage(3, "ClientHello")), "the transcript hash");
    expectSameBytes(hello.message, rfcMessage(3, "ClientHello"), "the ClientHello as received");
    expect(hello.transcriptBefore.length).to.equal(0);
  });

  it("10.4 §5's client (an x25519 share) and a P-256-only server: a HelloRetryRequest with a cookie, then the second ClientHello; the transcript restarts with message_hash", async () => {
    const client = scriptedClient((written) => (written.length === 0 ? record(5, "send handshake record", 0) : plaintextRecord(HANDSHAKE, secondHelloWith(cookieOf(written[0]!)), 0x0303)));
    const hello = await readClientHello(new Tls13RecordLayer(client, undefined, "server"), noSkipping, p256Only());
    expect(hello.helloRetry).to.equal(true);
    expect(client.written.map((r) => r[0]), "one record: the HelloRetryRequest (no ChangeCipherSpec: §5's session id is empty)").to.deep.equal([HANDSHAKE]);
    const hrr = fragmentOf(client.written[0]!);
    const { hrr: rfc } = rfcHrr();
    // Everything but the cookie is §5's HelloRetryRequest: compare with the cookie replaced in both.
    const cut = (m: Uint8Array) => encodeServerHello(withoutCookie(decodeServerHello(m)));
    expectSameBytes(cut(hrr), cut(rfc), "the HelloRetryRequest apart from its cookie");
    const messageHash = concat(Uint8Array.of(254, 0, 0, 32), sha256(rfcMessage(5, "ClientHello", 0)));
    const ch2 = secondHelloWith(cookieOf(client.written[0]!));
    expectSameBytes(hello.transcript.hash(), sha256(messageHash, hrr, ch2), "Transcript-Hash(message_hash, HelloRetryRequest, ClientHello2)");
    expectSameBytes(hello.transcriptBefore, concat(messageHash, hrr), "what the binder's transcript starts with");
    expect([hello.choice.group, hello.choice.cipherSuite, hello.choice.helloRetry]).to.deep.equal([NamedGroup.secp256r1, CipherSuite.TLS_AES_128_GCM_SHA256, false]);
  });

  it("10.4 in middlebox compatibility mode (a session id), the ChangeCipherSpec follows the HelloRetryRequest", async () => {
    const sessionId = new Uint8Array(32).fill(0x11);
    const ch1 = encodeClientHello({ ...ch5(0), legacySessionId: sessionId });
    const client = scriptedClient((written) =>
      written.length === 0 ? plaintextRecord(HANDSHAKE, ch1, 0x0301) : plaintextRecord(HANDSHAKE, secondHelloWith(cookieOf(written[0]!), (c) => ({ ...c, legacySessionId: sessionId }))),
    );
    const hello = await readClientHello(new Tls13RecordLayer(client, undefined, "server"), noSkipping, p256Only());
    expect(client.written.map((r) => r[0])).to.deep.equal([HANDSHAKE, CHANGE_CIPHER_SPEC]);
    expect(hello.changeCipherSpecSent).to.equal(true);
  });

  const refusals: [string, (cookie: Uint8Array) => Uint8Array, number, string][] = [
    ["a cookie the server did not make", () => secondHelloWith(sealCookie(new Uint8Array(32).fill(9), stateFor5())), AlertDescription.illegal_parameter, "cookie"],
    ["the cookie with one bit changed", (c) => secondHelloWith(Uint8Array.from(c, (b, i) => (i === 20 ? b ^ 1 : b))), AlertDescription.illegal_parameter, "cookie"],
    ["no cookie", () => encodeClientHello({ ...ch5(1), extensions: ch5(1).extensions.filter((e) => extensionType(e) !== ExtensionType.cookie) }), AlertDescription.missing_extension, "cookie"],
    ["another random", (c) => secondHelloWith(c, (ch) => ({ ...ch, random: new Uint8Array(32).fill(8) })), AlertDescription.illegal_parameter, "client_hello"],
  ];
  for (const [what, second, alert, field] of refusals) {
    it(`10.4 a second ClientHello with ${what}: ${alert === AlertDescription.missing_extension ? "missing_extension" : "illegal_parameter"}`, async () => {
      const client = scriptedClient((written) => (written.length === 0 ? record(5, "send handshake record", 0) : plaintextRecord(HANDSHAKE, second(cookieOf(written[0]!)))));
      let error: unknown;
      await readClientHello(new Tls13RecordLayer(client, undefined, "server"), noSkipping, p256Only()).catch((e) => (error = e));
      expectTlsError(() => {
        if (error !== undefined) throw error;
      }, { alert, field });
    });
  }
});
