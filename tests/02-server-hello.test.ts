// Chapter 02: ServerHello and negotiation, graded against outside references only: the RFC 8448 traces
// (parsed from the RFC text), the illustrated-tls13/tls12 captures, and real servers on 127.0.0.1
// (Node's tls and `openssl s_server`). Every expected value comes from those, never from the code under test.
import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { ByteReader, ByteWriter } from "../lib/bytes.js";
import {
  AlertDescription,
  CipherSuite,
  ContentType,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
} from "../lib/constants.js";
import { fromHex, toHex } from "../lib/hex.js";
import {
  type ClientHello,
  type ClientExtension,
  clientHelloRecord,
  decodeClientHello,
  makeClientHello,
} from "../chapters/01-client-hello/index.js";
import {
  type ServerExtension,
  type ServerHello,
  checkKeyShareAnswer,
  checkServerHello,
  checkServerVersion,
  chooseParameters,
  decodeServerHello,
  encodeServerHello,
  isHelloRetryRequest,
  negotiatedVersion,
  readServerExtensionData,
  readServerHelloBody,
  serverHelloRecord,
  writeServerExtensionData,
} from "../chapters/02-server-hello/index.js";
import { AnyCipherSuite, expectBytes, expectCode, expectFields, expectSame, showCode } from "./support/expect-bytes.js";
import { serverHellosFromTrace } from "./support/openssl-trace.js";
import {
  type NodeServer,
  type OpenSslServer,
  captureClientHello,
  clientHelloMessage,
  connectNode,
  connectOpenSsl,
  exchange,
  startNodeServer,
  startOpenSslServer,
} from "./support/peers.js";
import { NUM_RUNS, assertProperty, badInputs, decodeOrTlsError, expectTlsError, outcome, randomBytes, truncations } from "./support/properties.js";
import { firstHandshakeMessage } from "./support/records.js";
import { findValue } from "./support/rfc8448.js";
import { handshakes, records, serverExtensionData, serverHelloBody } from "./support/structures.js";

// ---------------------------------------------------------------------------------------------------------------
// Outside references

/** RFC 8448's ServerHello messages (handshake header included): §3, §4, §5's HelloRetryRequest and §5's ServerHello. */
const rfc = {
  sh3: () => findValue(3, "construct a ServerHello", "ServerHello"),
  sh4: () => findValue(4, "construct a ServerHello", "ServerHello"),
  hrr5: () => findValue(5, "construct a ServerHello", "ServerHello", 0),
  sh5: () => findValue(5, "construct a ServerHello", "ServerHello", 1),
  ch3: () => findValue(3, "construct a ClientHello", "ClientHello"),
  // §4 prints the ClientHello before its PSK binders are filled in; the record payload is the whole message
  ch4: () => findValue(4, "send handshake record", "payload", 0),
  ch5a: () => findValue(5, "construct a ClientHello", "ClientHello", 0),
  ch5b: () => findValue(5, "construct a ClientHello", "ClientHello", 1),
  /** §3 "{server} create an ephemeral x25519 key pair": the public key the ServerHello must carry. */
  serverPublic3: () => findValue(3, "create an ephemeral x25519 key pair", "public key", 1),
  clientPublic3: () => findValue(3, "create an ephemeral x25519 key pair", "public key", 0),
};

/**
 * §5's prose names the group the HelloRetryRequest asks for ("The server, however, prefers P-256"):
 * read it from the RFC text and map the curve's common name to its code point (RFC 8446 §4.2.7: secp256r1).
 */
function hrrGroupFromRfcProse(): number {
  const text = readFileSync(new URL("./vectors/rfc8448.txt", import.meta.url), "latin1");
  const m = /The server, however, prefers (P-\d+)/.exec(text.replace(/\s+/g, " "));
  if (!m) throw new Error("RFC 8448 §5: the sentence naming the server's preferred group was not found");
  const byName: Record<string, number> = { "P-256": NamedGroup.secp256r1, "P-384": NamedGroup.secp384r1, "P-521": NamedGroup.secp521r1 };
  return byName[m[1]!]!;
}

/** An illustrated capture: one plaintext record with its 5-byte header, holding one handshake message. */
const illustrated = (which: "tls12" | "tls13", file: "clienthello" | "serverhello"): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./vectors/illustrated-${which}/caps/${file}`, import.meta.url)));
const messageOf = (record: Uint8Array): Uint8Array => firstHandshakeMessage(record)!.message;
/** tests/vectors/SOURCES.md: both illustrated connections use the server "random" 70 71 … 8f. */
const ILLUSTRATED_SERVER_RANDOM = Uint8Array.from({ length: 32 }, (_, i) => 0x70 + i);

/**
 * A walk over a ServerHello message's bytes written for the tests (RFC 8446 §4.1.3 layout), independent of the
 * code under test: where each field sits, and each extension's type and body as raw bytes.
 */
function layout(message: Uint8Array) {
  const u16 = (at: number) => (message[at]! << 8) | message[at + 1]!;
  const sidLength = message[4 + 2 + 32]!;
  const suiteAt = 4 + 2 + 32 + 1 + sidLength;
  const compressionAt = suiteAt + 2;
  const extensionsAt = compressionAt + 1;
  const extensions: { type: number; body: Uint8Array; at: number }[] = [];
  if (extensionsAt < message.length) {
    const end = extensionsAt + 2 + u16(extensionsAt);
    for (let at = extensionsAt + 2; at < end; ) {
      const length = u16(at + 2);
      extensions.push({ type: u16(at), body: message.slice(at + 4, at + 4 + length), at });
      at += 4 + length;
    }
  }
  return {
    legacyVersion: u16(4),
    random: message.slice(6, 38),
    sessionId: message.slice(39, 39 + sidLength),
    sessionIdAt: 38,
    cipherSuite: u16(suiteAt),
    suiteAt,
    compressionAt,
    extensionsAt,
    extensions,
    body: (type: number) => {
      const e = extensions.find((x) => x.type === type);
      if (!e) throw new Error(`test vector has no extension ${type}`);
      return e.body;
    },
  };
}

/** Every ServerHello vector: name, message bytes, and the record it came in (illustrated ones only). */
function vectors(): { name: string; message: Uint8Array; hrr: boolean; record?: Uint8Array }[] {
  return [
    { name: "RFC 8448 §3 ServerHello", message: rfc.sh3(), hrr: false },
    { name: "RFC 8448 §4 ServerHello", message: rfc.sh4(), hrr: false },
    { name: "RFC 8448 §5 HelloRetryRequest", message: rfc.hrr5(), hrr: true },
    { name: "RFC 8448 §5 ServerHello", message: rfc.sh5(), hrr: false },
    { name: "illustrated-tls13 ServerHello", message: messageOf(illustrated("tls13", "serverhello")), hrr: false, record: illustrated("tls13", "serverhello") },
    { name: "illustrated-tls12 ServerHello", message: messageOf(illustrated("tls12", "serverhello")), hrr: false, record: illustrated("tls12", "serverhello") },
  ];
}

const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
/** Writes `ext`'s body (an extension of `type`) and compares it with `expected`, naming the field where they differ. */
function expectWrittenBody(ext: ServerExtension, type: number, expected: Uint8Array, what: string, hrr = false): void {
  const w = new ByteWriter();
  writeServerExtensionData(w, ext);
  expectBytes(w.toBytes(), expected, what, { annotations: w.annotations, structure: serverExtensionData(type, hrr) });
}
/** In a decoded extension kept raw, `type` is an ExtensionType. */
const EXTENSION_CODES = { type: ExtensionType };
const readBody = (body: Uint8Array, type: number, hrr = false): ServerExtension => readServerExtensionData(new ByteReader(body), type, hrr);
const find = <K extends ServerExtension["kind"]>(sh: ServerHello, kind: K) =>
  sh.extensions.find((e) => e.kind === kind) as Extract<ServerExtension, { kind: K }> | undefined;
const withExtensions = (ch: ClientHello, replace: (exts: ClientExtension[]) => ClientExtension[]): ClientHello => ({
  ...ch,
  extensions: replace(ch.extensions.slice()),
});

// ---------------------------------------------------------------------------------------------------------------

describe("02 server hello", function () {
  // ---- 02.1–02.2 extension bodies ----

  it("02.2 reads the RFC 8448 §3 key_share and supported_versions bodies", function () {
    const v = layout(rfc.sh3());
    const ks = readBody(v.body(ExtensionType.key_share), ExtensionType.key_share);
    expect(ks.kind).to.equal("key_share");
    expectCode("share" in ks ? ks.share.group : undefined, NamedGroup.x25519, NamedGroup, "key_share group");
    expectBytes("share" in ks ? ks.share.keyExchange : undefined, rfc.serverPublic3(), "key_share key_exchange (RFC 8448 §3 server public key)");
    expectSame(readBody(v.body(ExtensionType.supported_versions), ExtensionType.supported_versions), {
      kind: "supported_versions",
      selectedVersion: ProtocolVersion.TLS1_3,
    }, "supported_versions");
  });

  it("02.2 reads a HelloRetryRequest key_share as a group alone, and its cookie (RFC 8448 §5)", function () {
    const v = layout(rfc.hrr5());
    expectSame(readBody(v.body(ExtensionType.key_share), ExtensionType.key_share, true), {
      kind: "key_share",
      selectedGroup: hrrGroupFromRfcProse(),
    }, "key_share of a HelloRetryRequest");
    const cookieBody = v.body(ExtensionType.cookie);
    const cookie = readBody(cookieBody, ExtensionType.cookie, true);
    expect(cookie.kind).to.equal("cookie");
    // cookie<1..2^16-1>: a 2-byte length, then the cookie itself
    expectBytes(cookie.kind === "cookie" ? cookie.cookie : undefined, cookieBody.slice(2), "cookie");
  });

  it("02.2 reads TLS 1.2 bodies: renegotiation_info (illustrated-tls12), extended_master_secret, ec_point_formats, and keeps unknown ones raw", function () {
    const v = layout(messageOf(illustrated("tls12", "serverhello")));
    expectSame(readBody(v.body(ExtensionType.renegotiation_info), ExtensionType.renegotiation_info), {
      kind: "renegotiation_info",
      renegotiatedConnection: new Uint8Array(0),
    }, "renegotiation_info");
    expectSame(readBody(new Uint8Array(0), ExtensionType.extended_master_secret), { kind: "extended_master_secret" }, "extended_master_secret");
    // RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>; uncompressed = 0
    expectSame(readBody(Uint8Array.of(1, 0), ExtensionType.ec_point_formats), { kind: "ec_point_formats", formats: [0] }, "ec_point_formats");
    // §4's pre_shared_key (selected_identity 0) is not decoded in this chapter: kept as it came
    const psk = layout(rfc.sh4()).body(ExtensionType.pre_shared_key);
    expectSame(readBody(psk, ExtensionType.pre_shared_key), { kind: "raw", type: ExtensionType.pre_shared_key, data: psk }, "pre_shared_key", { codes: EXTENSION_CODES });
  });

  it("02.2 writes every extension body of every vector back byte for byte", function () {
    for (const { name, message, hrr } of vectors()) {
      for (const { type, body } of layout(message).extensions) {
        expectWrittenBody(readBody(body, type, hrr), type, body, `${name}, ${showCode(type, ExtensionType)} body read and written again`, hrr);
      }
    }
  });

  it("02.1 writes hand-built bodies as RFC 8446 §4.2.1 / §4.2.8 / §4.2.2 say", function () {
    expectWrittenBody({ kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 }, ExtensionType.supported_versions, fromHex("0304"), "supported_versions");
    expectWrittenBody({ kind: "key_share", selectedGroup: NamedGroup.secp256r1 }, ExtensionType.key_share, fromHex("0017"), "key_share of a HelloRetryRequest", true);
    expectWrittenBody({ kind: "key_share", share: { group: NamedGroup.x25519, keyExchange: Uint8Array.of(9, 9) } }, ExtensionType.key_share, fromHex("001d00020909"), "key_share");
    expectWrittenBody({ kind: "cookie", cookie: Uint8Array.of(0xab) }, ExtensionType.cookie, fromHex("0001ab"), "cookie", true);
    expectWrittenBody({ kind: "ec_point_formats", formats: [0] }, ExtensionType.ec_point_formats, fromHex("0100"), "ec_point_formats");
    expectWrittenBody({ kind: "extended_master_secret" }, ExtensionType.extended_master_secret, new Uint8Array(0), "extended_master_secret");
    expectWrittenBody({ kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }, ExtensionType.renegotiation_info, fromHex("00"), "renegotiation_info");
  });

  it("02.2 rejects bodies the structs forbid with decode_error", function () {
    const bad: [string, Uint8Array, number, boolean][] = [
      ["empty key_exchange", Uint8Array.of(0, 0x1d, 0, 0), ExtensionType.key_share, false],
      ["key_exchange longer than the body", Uint8Array.of(0, 0x1d, 0, 5, 1), ExtensionType.key_share, false],
      ["selected_version cut short", Uint8Array.of(3), ExtensionType.supported_versions, false],
      ["selected_group cut short", Uint8Array.of(0), ExtensionType.key_share, true],
      ["empty cookie", Uint8Array.of(0, 0), ExtensionType.cookie, true],
      ["non-empty extended_master_secret", Uint8Array.of(0), ExtensionType.extended_master_secret, false],
      ["empty ec_point_format_list", Uint8Array.of(0), ExtensionType.ec_point_formats, false],
    ];
    for (const [what, body, type, hrr] of bad) {
      try {
        expectTlsError(() => readBody(body, type, hrr), { alert: AlertDescription.decode_error });
      } catch (e) {
        throw new Error(`${what} (${toHex(body)}): ${(e as Error).message}`);
      }
    }
  });

  it(`02.2 readServerExtensionData throws only TlsError on ${NUM_RUNS} random and mutated bodies`, function () {
    const seeds = vectors().flatMap((v) => layout(v.message).extensions.map((e) => e.body));
    const types = [
      ExtensionType.supported_versions,
      ExtensionType.key_share,
      ExtensionType.cookie,
      ExtensionType.renegotiation_info,
      ExtensionType.extended_master_secret,
      ExtensionType.ec_point_formats,
      ExtensionType.pre_shared_key,
    ];
    const alerts = [AlertDescription.decode_error];
    assertProperty(
      fc.property(fc.constantFrom(...types), fc.boolean(), badInputs(seeds, 24), (type, hrr, input) => {
        decodeOrTlsError((b) => readBody(b, type, hrr), input, alerts);
      }),
      {
        demands: "readServerExtensionData decodes each body or fails with decode_error naming the field and offset, never another exception",
        inputs: ["extension_type", "in a HelloRetryRequest", "body"],
      },
    );
    // and in context: every extension's length field nudged inside a real ServerHello
    for (const { message } of vectors()) {
      for (const e of layout(message).extensions) {
        for (const delta of [-1, 1]) {
          const m = message.slice();
          const len = ((m[e.at + 2]! << 8) | m[e.at + 3]!) + delta;
          m.set(u16(len & 0xffff), e.at + 2);
          decodeOrTlsError((b) => readBody(b.slice(e.at + 4, e.at + 4 + len), e.type, false), m, alerts);
        }
      }
    }
  });

  // ---- 02.3 decoding ----

  it("02.3 decodes the RFC 8448 §3 ServerHello to its fields", function () {
    const message = rfc.sh3();
    const sh = decodeServerHello(message);
    expectCode(sh.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "legacy_version");
    expectBytes(sh.random, layout(message).random, "random");
    expect(sh.legacySessionIdEcho.length, "legacy_session_id_echo").to.equal(0);
    expectCode(sh.cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256, AnyCipherSuite, "cipher_suite");
    expect(sh.legacyCompressionMethod).to.equal(0);
    const ks = find(sh, "key_share");
    expectCode(ks && "share" in ks ? ks.share.group : undefined, NamedGroup.x25519, NamedGroup, "key_share group");
    expectBytes(ks && "share" in ks ? ks.share.keyExchange : undefined, rfc.serverPublic3(), "key_share key_exchange (the RFC's server public key)");
    expectCode(find(sh, "supported_versions")?.selectedVersion, ProtocolVersion.TLS1_3, ProtocolVersion, "supported_versions");
    expect(isHelloRetryRequest(sh)).to.equal(false);
  });

  it("02.3 recognises RFC 8448 §5's HelloRetryRequest: its random, selected group and cookie", function () {
    const message = rfc.hrr5();
    const sh = decodeServerHello(message);
    expect(isHelloRetryRequest(sh)).to.equal(true);
    expectBytes(sh.random, HELLO_RETRY_REQUEST_RANDOM, "random (RFC 8446 §4.1.3: SHA-256 of \"HelloRetryRequest\")");
    const ks = find(sh, "key_share");
    expectCode(ks && "selectedGroup" in ks ? ks.selectedGroup : undefined, hrrGroupFromRfcProse(), NamedGroup, "selected_group");
    expectBytes(find(sh, "cookie")?.cookie, layout(message).body(ExtensionType.cookie).slice(2), "cookie");
    // §5's second ServerHello is an ordinary one, with a P-256 key
    const second = decodeServerHello(rfc.sh5());
    expect(isHelloRetryRequest(second)).to.equal(false);
    const ks2 = find(second, "key_share");
    expectCode(ks2 && "share" in ks2 ? ks2.share.group : undefined, hrrGroupFromRfcProse(), NamedGroup, "key_share group of the second ServerHello");
  });

  it("02.3 isHelloRetryRequest compares the whole random (RFC 8446 §4.1.3)", function () {
    const last = HELLO_RETRY_REQUEST_RANDOM.slice();
    last[31]! ^= 1;
    const first = HELLO_RETRY_REQUEST_RANDOM.slice();
    first[0]! ^= 0x80;
    expect(isHelloRetryRequest({ random: HELLO_RETRY_REQUEST_RANDOM.slice() })).to.equal(true);
    expect(isHelloRetryRequest({ random: last })).to.equal(false);
    expect(isHelloRetryRequest({ random: first })).to.equal(false);
    expect(isHelloRetryRequest({ random: new Uint8Array(32) })).to.equal(false);
  });

  it("02.3 decodes RFC 8448 §4's resumed ServerHello, keeping pre_shared_key raw", function () {
    const message = rfc.sh4();
    const sh = decodeServerHello(message);
    expectSame(sh.extensions.map((e) => e.kind), ["raw", "key_share", "supported_versions"], "extension kinds");
    expectSame(sh.extensions[0], { kind: "raw", type: ExtensionType.pre_shared_key, data: layout(message).body(ExtensionType.pre_shared_key) }, "pre_shared_key", { codes: EXTENSION_CODES });
  });

  it("02.3 decodes the illustrated-tls13 and illustrated-tls12 ServerHellos (raw records)", function () {
    const t13 = decodeServerHello(messageOf(illustrated("tls13", "serverhello")));
    expectBytes(t13.random, ILLUSTRATED_SERVER_RANDOM, "random");
    // illustrated-tls13's client sent session id e0 e1 … ff; the server echoes it
    expectBytes(t13.legacySessionIdEcho, Uint8Array.from({ length: 32 }, (_, i) => 0xe0 + i), "legacy_session_id_echo");
    expectCode(t13.cipherSuite, CipherSuite.TLS_AES_256_GCM_SHA384, AnyCipherSuite, "cipher_suite");
    expectCode(find(t13, "supported_versions")?.selectedVersion, ProtocolVersion.TLS1_3, ProtocolVersion, "supported_versions");
    const t12 = decodeServerHello(messageOf(illustrated("tls12", "serverhello")));
    expectBytes(t12.random, ILLUSTRATED_SERVER_RANDOM, "random");
    expectCode(t12.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "legacy_version");
    expectCode(t12.cipherSuite, 0xc013, AnyCipherSuite, "cipher_suite"); // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tests/vectors/SOURCES.md
    expectSame(t12.extensions, [{ kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }], "extensions");
  });

  it("02.3 accepts a TLS 1.2 ServerHello that ends after the compression method (RFC 5246 §7.4.1.3)", function () {
    const body = messageOf(illustrated("tls12", "serverhello")).slice(4, 4 + 2 + 32 + 1 + 2 + 1);
    const sh = readServerHelloBody(new ByteReader(body));
    expectSame(sh.extensions, [], "extensions");
    expectCode(sh.cipherSuite, 0xc013, AnyCipherSuite, "cipher_suite");
  });

  it("02.3 rejects bad ServerHellos with the alert RFC 8446 names", function () {
    const message = rfc.sh3();
    const v = layout(message);
    const body = (m: Uint8Array) => m.slice(4);
    const readB = (m: Uint8Array) => {
      const r = new ByteReader(body(m));
      const sh = readServerHelloBody(r);
      r.end("server_hello");
      return sh;
    };
    // a compression method other than null
    const compressed = message.slice();
    compressed[v.compressionAt] = 1;
    expectTlsError(() => decodeServerHello(compressed), { alert: AlertDescription.illegal_parameter, field: "compression" });
    // the same extension twice: append a second supported_versions (and fix the three lengths)
    const dup = new Uint8Array([...message, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
    const extLen = ((message[v.extensionsAt]! << 8) | message[v.extensionsAt + 1]!) + 6;
    dup.set(u16(extLen), v.extensionsAt);
    dup.set([0, (message.length - 4 + 6) >> 8, (message.length - 4 + 6) & 0xff], 1);
    expectTlsError(() => readB(dup), { alert: AlertDescription.illegal_parameter, field: "extensions" });
    // a session id echo of 33 bytes (legacy_session_id_echo<0..32>)
    const longId = new Uint8Array([...message.slice(4, 38), 33, ...new Uint8Array(33), ...message.slice(39)]);
    expectTlsError(() => readServerHelloBody(new ByteReader(longId)), { alert: AlertDescription.decode_error, field: "legacy_session_id_echo" });
    // trailing bytes after the message, and a message cut short
    expectTlsError(() => decodeServerHello(new Uint8Array([...message, 0])), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeServerHello(message.slice(0, message.length - 1)), { alert: AlertDescription.decode_error });
    // not a ServerHello at all: RFC 8448 §3's ClientHello
    expectTlsError(() => decodeServerHello(rfc.ch3()), { alert: AlertDescription.unexpected_message, field: "handshake type" });
    expectCode(rfc.ch3()[0], HandshakeType.client_hello, HandshakeType, "test data: RFC 8448 §3 ClientHello msg_type");
  });

  it(`02.3 readServerHelloBody and decodeServerHello throw only TlsError: every truncation, ${NUM_RUNS} mutations, ${NUM_RUNS} random inputs`, function () {
    this.timeout(20000);
    const alerts = [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message];
    const messages = vectors().map((v) => v.message);
    const decodeBody = (b: Uint8Array) => {
      const r = new ByteReader(b);
      const sh = readServerHelloBody(r);
      r.end("server_hello");
      return sh;
    };
    for (const m of messages) {
      for (const cut of truncations(m)) {
        const r = decodeOrTlsError(decodeServerHello, cut, alerts);
        expect(outcome(r), `the ${cut.length}-byte truncation of a ${m.length}-byte ServerHello`).to.match(/^failed/);
        decodeOrTlsError(decodeBody, cut.slice(4), alerts);
      }
    }
    const demands = "the decoder either decodes or fails with a TlsError (decode_error, illegal_parameter or unexpected_message) naming the field and offset, never another exception";
    assertProperty(fc.property(badInputs(messages, 96), (input) => void decodeOrTlsError(decodeServerHello, input, alerts)), { demands, explain: handshakes });
    assertProperty(
      fc.property(badInputs(messages.map((m) => m.slice(4)), 96), (input) => void decodeOrTlsError(decodeBody, input, alerts)),
      { demands, explain: serverHelloBody },
    );
    assertProperty(fc.property(randomBytes(128), (input) => void decodeOrTlsError(decodeBody, input, alerts)), { demands, explain: serverHelloBody });
  });

  // ---- 02.4 encoding ----

  it("02.4 encodes RFC 8448 §3's ServerHello byte for byte from the RFC's own values", function () {
    const message = rfc.sh3();
    const v = layout(message);
    const sh: ServerHello = {
      legacyVersion: ProtocolVersion.TLS1_2,
      random: v.random,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      legacyCompressionMethod: 0,
      extensions: [
        { kind: "key_share", share: { group: NamedGroup.x25519, keyExchange: rfc.serverPublic3() } },
        { kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 },
      ],
    };
    expectBytes(encodeServerHello(sh), message, "ServerHello", { structure: handshakes });
  });

  it("02.4 encodes RFC 8448 §5's HelloRetryRequest byte for byte", function () {
    const message = rfc.hrr5();
    const sh: ServerHello = {
      legacyVersion: ProtocolVersion.TLS1_2,
      random: HELLO_RETRY_REQUEST_RANDOM.slice(),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      legacyCompressionMethod: 0,
      extensions: [
        { kind: "key_share", selectedGroup: hrrGroupFromRfcProse() },
        { kind: "cookie", cookie: layout(message).body(ExtensionType.cookie).slice(2) },
        { kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 },
      ],
    };
    expectBytes(encodeServerHello(sh), message, "HelloRetryRequest", { structure: handshakes });
  });

  it("02.4 re-encodes every vector byte for byte (the illustrated ones as whole records)", function () {
    for (const { name, message, record } of vectors()) {
      const sh = decodeServerHello(message);
      expectBytes(encodeServerHello(sh), message, `${name}, decoded and encoded again`, { structure: handshakes });
      if (record) {
        const w = serverHelloRecord(sh);
        expectBytes(w.toBytes(), record, `${name} record`, { annotations: w.annotations, structure: records });
      }
    }
  });

  it("02.4 refuses a random that is not 32 bytes (internal_error)", function () {
    const sh: ServerHello = {
      legacyVersion: ProtocolVersion.TLS1_2,
      random: new Uint8Array(31),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      legacyCompressionMethod: 0,
      extensions: [],
    };
    expectTlsError(() => encodeServerHello(sh), { alert: AlertDescription.internal_error, field: "random" });
  });

  // ---- 02.5 the negotiated version ----

  const hello = (legacyVersion: number, extensions: ServerExtension[]): ServerHello => ({
    legacyVersion,
    random: new Uint8Array(32).fill(7),
    legacySessionIdEcho: new Uint8Array(0),
    cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
    legacyCompressionMethod: 0,
    extensions,
  });

  it("02.5 reads TLS 1.3 from supported_versions and TLS 1.2 from legacy_version (RFC 8446 §4.1.3, §4.2.1)", function () {
    expectCode(negotiatedVersion(hello(ProtocolVersion.TLS1_2, [{ kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 }])), ProtocolVersion.TLS1_3, ProtocolVersion, "negotiated version");
    expectCode(negotiatedVersion(hello(ProtocolVersion.TLS1_2, [])), ProtocolVersion.TLS1_2, ProtocolVersion, "negotiated version");
    expectCode(negotiatedVersion(hello(ProtocolVersion.TLS1_1, [])), ProtocolVersion.TLS1_1, ProtocolVersion, "negotiated version");
    expectCode(
      negotiatedVersion(hello(ProtocolVersion.TLS1_2, [{ kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }])),
      ProtocolVersion.TLS1_2,
      ProtocolVersion,
      "negotiated version",
    );
  });

  it("02.5 rejects a supported_versions other than 0x0304, or beside a legacy_version other than 0x0303", function () {
    expectTlsError(() => negotiatedVersion(hello(ProtocolVersion.TLS1_2, [{ kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_2 }])), {
      alert: AlertDescription.illegal_parameter,
      field: "supported_versions",
    });
    expectTlsError(() => negotiatedVersion(hello(ProtocolVersion.TLS1_3, [{ kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 }])), {
      alert: AlertDescription.illegal_parameter,
      field: "legacy_version",
    });
    expectTlsError(() => negotiatedVersion(hello(ProtocolVersion.TLS1_3, [])), { alert: AlertDescription.protocol_version, field: "legacy_version" });
  });

  // ---- 02.6 the server's choice ----

  const serverPrefs = {
    versions: [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2],
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
  };

  it("02.6 on RFC 8448 §3's ClientHello chooses what the RFC's server chose", function () {
    const v = layout(rfc.sh3());
    const choice = chooseParameters(decodeClientHello(rfc.ch3()), serverPrefs);
    expectCode(choice.version, (v.body(ExtensionType.supported_versions)[0]! << 8) | v.body(ExtensionType.supported_versions)[1]!, ProtocolVersion, "version");
    expectCode(choice.cipherSuite, v.cipherSuite, AnyCipherSuite, "cipher suite");
    expectCode(choice.group, (v.body(ExtensionType.key_share)[0]! << 8) | v.body(ExtensionType.key_share)[1]!, NamedGroup, "group");
    expect(choice.helloRetry).to.equal(false);
    expectCode(choice.keyShare?.group, NamedGroup.x25519, NamedGroup, "the client's key share chosen");
    expectBytes(choice.keyShare?.keyExchange, rfc.clientPublic3(), "the client's share (from the RFC)");
  });

  it("02.6 on RFC 8448 §5's first ClientHello asks for a retry in the group the RFC's server wanted", function () {
    const prefs = { ...serverPrefs, groups: [hrrGroupFromRfcProse(), NamedGroup.x25519] };
    const first = chooseParameters(decodeClientHello(rfc.ch5a()), prefs);
    const hrr = layout(rfc.hrr5());
    expect(first.helloRetry).to.equal(true);
    expectCode(first.group, (hrr.body(ExtensionType.key_share)[0]! << 8) | hrr.body(ExtensionType.key_share)[1]!, NamedGroup, "group asked for");
    expect(first.keyShare).to.equal(undefined);
    expectCode(first.cipherSuite, hrr.cipherSuite, AnyCipherSuite, "cipher suite");
    // the second ClientHello carries the P-256 share: no more retries, and that share is used
    const ch2 = decodeClientHello(rfc.ch5b());
    const second = chooseParameters(ch2, prefs);
    expect(second.helloRetry).to.equal(false);
    expectCode(second.group, hrrGroupFromRfcProse(), NamedGroup, "group");
    const sent = ch2.extensions.find((e) => e.kind === "key_share");
    expectBytes(second.keyShare?.keyExchange, sent?.kind === "key_share" ? sent.shares[0]?.keyExchange : new Uint8Array(0), "the key share chosen (expected: the one the ClientHello sent)");
  });

  describe("on captured ClientHellos of real clients", function () {
    let nodeCh: ClientHello;
    let opensslCh: ClientHello;
    let node12Ch: ClientHello;
    before(async function () {
      this.timeout(10000);
      const [a, b, c] = await Promise.all([
        captureClientHello(connectNode()),
        captureClientHello(connectOpenSsl()),
        captureClientHello(connectNode({ maxVersion: "TLSv1.2" })),
      ]);
      nodeCh = decodeClientHello(clientHelloMessage(a));
      opensslCh = decodeClientHello(clientHelloMessage(b));
      node12Ch = decodeClientHello(clientHelloMessage(c));
    });
    const shareOf = (ch: ClientHello, group: number) => {
      const ks = ch.extensions.find((e) => e.kind === "key_share");
      return ks?.kind === "key_share" ? ks.shares.find((s) => s.group === group) : undefined;
    };

    it("02.6 picks TLS 1.3, the server's suite and the client's x25519 share (Node and openssl clients)", function () {
      for (const ch of [nodeCh, opensslCh]) {
        const c = chooseParameters(ch, { versions: [ProtocolVersion.TLS1_3], cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256], groups: [NamedGroup.x25519] });
        expectFields(c, { version: ProtocolVersion.TLS1_3, cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, group: NamedGroup.x25519, helloRetry: false }, "choice");
        expectBytes(c.keyShare?.keyExchange, shareOf(ch, NamedGroup.x25519)?.keyExchange ?? new Uint8Array(0), "the key share chosen (expected: the client's x25519 share)");
      }
    });

    it("02.6 follows the server's order, not the client's", function () {
      // both clients list TLS_AES_256_GCM_SHA384 before TLS_AES_128_GCM_SHA256; the server prefers the latter
      const prefs = { versions: [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384], groups: [NamedGroup.x25519] };
      for (const ch of [nodeCh, opensslCh]) expectCode(chooseParameters(ch, prefs).cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256, AnyCipherSuite, "cipher suite");
    });

    it("02.6 asks for a HelloRetryRequest when the client listed the server's group but sent no share for it", function () {
      for (const ch of [nodeCh, opensslCh]) {
        expect(shareOf(ch, NamedGroup.secp256r1), "the client sent no P-256 share").to.equal(undefined);
        const c = chooseParameters(ch, { versions: [ProtocolVersion.TLS1_3], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], groups: [NamedGroup.secp256r1, NamedGroup.x25519] });
        expectFields(c, { version: ProtocolVersion.TLS1_3, group: NamedGroup.secp256r1, helloRetry: true }, "choice");
        expect(c.keyShare).to.equal(undefined);
      }
    });

    it("02.6 picks TLS 1.2 when the server prefers it: ECDHE suites get a curve, RSA key exchange none", function () {
      for (const ch of [nodeCh, opensslCh, node12Ch]) {
        const ecdhe = chooseParameters(ch, {
          versions: [ProtocolVersion.TLS1_2],
          cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384],
          groups: [NamedGroup.ffdhe2048, NamedGroup.secp256r1],
        });
        expectFields(ecdhe, { version: ProtocolVersion.TLS1_2, cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, group: NamedGroup.secp256r1, helloRetry: false }, "choice");
        const rsa = chooseParameters(ch, { versions: [ProtocolVersion.TLS1_2], cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256], groups: [NamedGroup.x25519] });
        expectFields(rsa, { version: ProtocolVersion.TLS1_2, cipherSuite: CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, helloRetry: false }, "choice");
        expect(rsa.group === undefined ? "none" : showCode(rsa.group, NamedGroup), "the group of an RSA key exchange").to.equal("none");
      }
    });

    it("02.6 without supported_versions (a TLS 1.2 client) never picks TLS 1.3 (RFC 8446 §4.2.1)", function () {
      expect(node12Ch.extensions.some((e) => e.kind === "supported_versions"), "Node's 1.2-only client sends no supported_versions").to.equal(false);
      const c = chooseParameters(node12Ch, serverPrefs);
      expectCode(c.version, ProtocolVersion.TLS1_2, ProtocolVersion, "version");
      expectCode(c.cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, AnyCipherSuite, "cipher suite");
      expectCode(c.group, NamedGroup.x25519, NamedGroup, "group");
      expectTlsError(() => chooseParameters(node12Ch, { ...serverPrefs, versions: [ProtocolVersion.TLS1_3] }), { alert: AlertDescription.protocol_version });
    });

    it("02.6 fails with protocol_version or handshake_failure when nothing is in common", function () {
      for (const ch of [nodeCh, opensslCh]) {
        // a server stuck in SSL 3.0 (openssl's client still lists TLS 1.0 and 1.1, but not that)
        expectTlsError(() => chooseParameters(ch, { ...serverPrefs, versions: [ProtocolVersion.SSL3_0] }), { alert: AlertDescription.protocol_version });
        // TLS 1.3 chosen, but the server only has TLS 1.2 suites
        expectTlsError(() => chooseParameters(ch, { versions: [ProtocolVersion.TLS1_3], cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256], groups: [NamedGroup.x25519] }), {
          alert: AlertDescription.handshake_failure,
          field: "cipher_suites",
        });
        // TLS 1.3, no group in common (OpenSSL 3.0 clients know no ML-KEM hybrid)
        const groups = ch.extensions.find((e) => e.kind === "supported_groups");
        expect(groups?.kind === "supported_groups" ? groups.groups : []).to.not.include(NamedGroup.X25519MLKEM768);
        expectTlsError(() => chooseParameters(ch, { versions: [ProtocolVersion.TLS1_3], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], groups: [NamedGroup.X25519MLKEM768] }), {
          alert: AlertDescription.handshake_failure,
          field: "supported_groups",
        });
        // TLS 1.2, an ECDHE suite but no curve in common (FFDHE groups are for DHE suites, RFC 7919 §3), and nothing else
        expectTlsError(() => chooseParameters(ch, { versions: [ProtocolVersion.TLS1_2], cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256], groups: [NamedGroup.ffdhe8192] }), {
          alert: AlertDescription.handshake_failure,
        });
      }
    });
  });

  // ---- 02.7–02.9 the client's checks ----

  it("02.9 accepts the RFC 8448 §3, §4 and §5 exchanges and the illustrated ones", function () {
    expectSame(checkServerHello(decodeClientHello(rfc.ch3()), decodeServerHello(rfc.sh3())), {
      version: ProtocolVersion.TLS1_3,
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      group: NamedGroup.x25519,
    }, "negotiated");
    expectCode(checkServerHello(decodeClientHello(rfc.ch4()), decodeServerHello(rfc.sh4())).group, NamedGroup.x25519, NamedGroup, "group");
    expectCode(checkServerHello(decodeClientHello(rfc.ch5a()), decodeServerHello(rfc.hrr5())).group, hrrGroupFromRfcProse(), NamedGroup, "group of the HelloRetryRequest");
    expectCode(checkServerHello(decodeClientHello(rfc.ch5b()), decodeServerHello(rfc.sh5())).group, hrrGroupFromRfcProse(), NamedGroup, "group");
    expectSame(
      checkServerHello(decodeClientHello(messageOf(illustrated("tls13", "clienthello"))), decodeServerHello(messageOf(illustrated("tls13", "serverhello")))),
      { version: ProtocolVersion.TLS1_3, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384, group: NamedGroup.x25519 },
      "negotiated (illustrated-tls13)",
    );
    expectSame(
      checkServerHello(decodeClientHello(messageOf(illustrated("tls12", "clienthello"))), decodeServerHello(messageOf(illustrated("tls12", "serverhello")))),
      { version: ProtocolVersion.TLS1_2, cipherSuite: 0xc013 },
      "negotiated (illustrated-tls12)",
    );
  });

  /** RFC 8448 §3's ClientHello and ServerHello, for modified copies. */
  const pair3 = () => ({ ch: decodeClientHello(rfc.ch3()), sh: decodeServerHello(rfc.sh3()) });

  it("02.9 rejects a session id that is not echoed exactly (illegal_parameter, RFC 8446 §4.1.3)", function () {
    const { ch, sh } = pair3();
    expectTlsError(() => checkServerHello(ch, { ...sh, legacySessionIdEcho: new Uint8Array(32).fill(1) }), {
      alert: AlertDescription.illegal_parameter,
      field: "legacy_session_id_echo",
    });
    const withId = { ...ch, legacySessionId: new Uint8Array(32).fill(2) };
    expectTlsError(() => checkServerHello(withId, sh), { alert: AlertDescription.illegal_parameter, field: "legacy_session_id_echo" });
    expectCode(checkServerHello(withId, { ...sh, legacySessionIdEcho: new Uint8Array(32).fill(2) }).version, ProtocolVersion.TLS1_3, ProtocolVersion, "version");
  });

  it("02.9 rejects a cipher suite we did not offer (illegal_parameter)", function () {
    const { ch, sh } = pair3();
    expect(ch.cipherSuites).to.not.include(0x1304);
    const e = expectTlsError(() => checkServerHello(ch, { ...sh, cipherSuite: 0x1304 }), { alert: AlertDescription.illegal_parameter, field: "cipher_suite" });
    // The message names the suite by name and number (RFC 8446 §B.4), not a bare number.
    expect(e.message, "the refused suite, named").to.include("TLS_AES_128_CCM_SHA256 (0x1304)");
    // offered, but a TLS 1.2 suite in a TLS 1.3 ServerHello
    const ch12 = { ...ch, cipherSuites: [...ch.cipherSuites, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] };
    expectTlsError(() => checkServerHello(ch12, { ...sh, cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 }), {
      alert: AlertDescription.illegal_parameter,
      field: "cipher_suite",
    });
  });

  it("02.7 rejects an extension we did not offer (unsupported_extension, RFC 8446 §4.2), and one a ServerHello may not carry", function () {
    const { ch, sh } = pair3();
    expect(ch.extensions.some((e) => e.kind === "raw" && e.type === ExtensionType.application_layer_protocol_negotiation)).to.equal(false);
    const alpn: ServerExtension = { kind: "raw", type: ExtensionType.application_layer_protocol_negotiation, data: Uint8Array.of(0, 3, 2, 0x68, 0x32) };
    expectTlsError(() => checkServerVersion(ch, { ...sh, extensions: [...sh.extensions, alpn] }), { alert: AlertDescription.unsupported_extension, field: "extensions" });
    // a cookie in an ordinary ServerHello: only a HelloRetryRequest may send one unasked
    expectTlsError(() => checkServerVersion(ch, { ...sh, extensions: [...sh.extensions, { kind: "cookie", cookie: Uint8Array.of(1) }] }), {
      alert: AlertDescription.unsupported_extension,
    });
    // server_name was offered, but in TLS 1.3 it belongs in EncryptedExtensions, not in the ServerHello
    const sni: ServerExtension = { kind: "raw", type: ExtensionType.server_name, data: new Uint8Array(0) };
    expectTlsError(() => checkServerVersion(ch, { ...sh, extensions: [...sh.extensions, sni] }), { alert: AlertDescription.illegal_parameter, field: "extensions" });
  });

  it("02.8 rejects a key_share in a group we sent no share for (illegal_parameter, RFC 8446 §4.2.8)", function () {
    const { ch, sh } = pair3();
    const p256 = { kind: "key_share" as const, share: { group: NamedGroup.secp256r1, keyExchange: new Uint8Array(65).fill(4) } };
    const e = expectTlsError(() => checkKeyShareAnswer(ch, { ...sh, extensions: sh.extensions.map((e) => (e.kind === "key_share" ? p256 : e)) }), {
      alert: AlertDescription.illegal_parameter,
      field: "key_share",
    });
    expect(e.message, "the server's group, by name and number").to.include("secp256r1 (0x0017)");
    expectTlsError(() => checkKeyShareAnswer(ch, { ...sh, extensions: sh.extensions.filter((e) => e.kind !== "key_share") }), {
      alert: AlertDescription.missing_extension,
    });
  });

  it("02.8 checks a HelloRetryRequest's selected_group: offered, and not already shared (RFC 8446 §4.2.8)", function () {
    const ch = decodeClientHello(rfc.ch5a());
    const hrr = decodeServerHello(rfc.hrr5());
    const asking = (g: number): ServerHello => ({ ...hrr, extensions: hrr.extensions.map((e) => (e.kind === "key_share" ? { kind: "key_share", selectedGroup: g } : e)) });
    expectTlsError(() => checkKeyShareAnswer(ch, asking(NamedGroup.x25519)), { alert: AlertDescription.illegal_parameter, field: "selected_group" });
    const e = expectTlsError(() => checkKeyShareAnswer(ch, asking(NamedGroup.x448)), { alert: AlertDescription.illegal_parameter, field: "selected_group" });
    expect(e.message, "the group asked for, by name and number (RFC 8446 §4.2.7)").to.include("x448 (0x001e)");
    expectCode(checkKeyShareAnswer(ch, asking(NamedGroup.secp384r1)), NamedGroup.secp384r1, NamedGroup, "group");
  });

  it("02.7 rejects a version we did not offer", function () {
    const { ch, sh } = pair3();
    // §3's client offers TLS 1.3 only; a TLS 1.2 answer (no supported_versions) is protocol_version
    const as12: ServerHello = { ...sh, extensions: [], cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256 };
    expectTlsError(() => checkServerVersion(ch, as12), { alert: AlertDescription.protocol_version, field: "legacy_version" });
    // supported_versions in the answer when the client sent none: an extension we did not offer
    const ch12 = withExtensions(ch, (x) => x.filter((e) => e.kind !== "supported_versions"));
    expectTlsError(() => checkServerVersion(ch12, sh), { alert: AlertDescription.unsupported_extension });
  });

  it("02.7 detects the downgrade sentinel (RFC 8446 §4.1.3) when we offered TLS 1.3 and got 1.2", function () {
    const { ch, sh } = pair3();
    // a client that offers TLS 1.3 and 1.2, and one TLS 1.2 suite
    const both = withExtensions({ ...ch, cipherSuites: [...ch.cipherSuites, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }, (x) =>
      x.map((e) => (e.kind === "supported_versions" ? { kind: "supported_versions", versions: [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2] } : e)),
    );
    const tls12 = (tail?: Uint8Array): ServerHello => {
      const random = sh.random.slice();
      if (tail) random.set(tail, 24);
      return { ...sh, random, cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, extensions: [] };
    };
    expectCode(checkServerVersion(both, tls12()), ProtocolVersion.TLS1_2, ProtocolVersion, "version, without a sentinel");
    expectTlsError(() => checkServerVersion(both, tls12(DOWNGRADE_TLS12)), { alert: AlertDescription.illegal_parameter, field: "random" });
    expectTlsError(() => checkServerVersion(both, tls12(DOWNGRADE_TLS11)), { alert: AlertDescription.illegal_parameter, field: "random" });
    // a client that offered only TLS 1.2 has nothing to detect: the server rightly marks its random
    const only12 = withExtensions(both, (x) => x.map((e) => (e.kind === "supported_versions" ? { kind: "supported_versions", versions: [ProtocolVersion.TLS1_2] } : e)));
    expectCode(checkServerVersion(only12, tls12(DOWNGRADE_TLS12)), ProtocolVersion.TLS1_2, ProtocolVersion, "version");
  });

  // ---- live: our ClientHello to real servers ----

  describe("with real servers on 127.0.0.1", function () {
    this.timeout(10000);
    let openssl: OpenSslServer;
    let opensslP256: OpenSslServer;
    let node13: NodeServer;
    let node12: NodeServer;
    before(async function () {
      [openssl, opensslP256, node13, node12] = await Promise.all([
        startOpenSslServer(["-trace"]),
        startOpenSslServer(["-tls1_3", "-groups", "P-256"]),
        // exactly one version, one suite, one group: what the server must pick is known
        startNodeServer({ minVersion: "TLSv1.3", maxVersion: "TLSv1.3", ciphers: "TLS_CHACHA20_POLY1305_SHA256", ecdhCurve: "P-256" }),
        startNodeServer({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES256-GCM-SHA384", ecdhCurve: "P-256" }),
      ]);
    });
    after(async function () {
      await Promise.all([openssl?.close(), opensslP256?.close(), node13?.close(), node12?.close()]);
    });

    /** Sends our ClientHello record, checks the first record is a handshake record (not an alert), returns the message. */
    async function ask(port: number, ch: ClientHello): Promise<Uint8Array> {
      const reply = await exchange(port, clientHelloRecord(ch).toBytes());
      expectCode(reply[0], ContentType.handshake, ContentType, `the content type of the server's reply (an alert starts ${toHex(reply.slice(0, 7))})`);
      const found = firstHandshakeMessage(reply);
      if (!found) throw new Error("the reply holds no complete handshake message");
      expectCode(found.message[0], HandshakeType.server_hello, HandshakeType, "handshake type");
      return found.message;
    }

    /** The ServerHello openssl's -trace printed with this random (its stdout is block-buffered: poll). */
    async function traced(random: Uint8Array) {
      const deadline = Date.now() + 3000;
      for (;;) {
        const hit = serverHellosFromTrace(openssl.output()).find((h) => toHex(h.random) === toHex(random));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`openssl -trace shows no ServerHello with random ${toHex(random)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    it("02.9 openssl s_server, TLS 1.3 offer: decodes, passes the checks, and matches what openssl says it sent", async function () {
      const { clientHello } = makeClientHello({ version: "1.3", serverName: "localhost" });
      const sh = decodeServerHello(await ask(openssl.port, clientHello));
      const got = checkServerHello(clientHello, sh);
      const t = await traced(sh.random);
      expectCode(t.version, ProtocolVersion.TLS1_3, ProtocolVersion, "the version openssl's trace reports");
      expectCode(got.version, t.version, ProtocolVersion, "version (expected: openssl's trace)");
      expectCode(got.cipherSuite, t.cipherSuite, AnyCipherSuite, "cipher suite (expected: openssl's trace)");
      expect(t.keyShareGroup).to.match(/x25519/);
      expectCode(got.group, NamedGroup.x25519, NamedGroup, "group");
      expectBytes(sh.legacySessionIdEcho, t.sessionId, "legacy_session_id_echo (expected: openssl's trace)");
    });

    it("02.9 openssl s_server, TLS 1.2 offer: matches the trace, and carries the real downgrade sentinel", async function () {
      const { clientHello } = makeClientHello({ version: "1.2", serverName: "localhost" });
      const sh = decodeServerHello(await ask(openssl.port, clientHello));
      const got = checkServerHello(clientHello, sh);
      const t = await traced(sh.random);
      expectCode(t.version, ProtocolVersion.TLS1_2, ProtocolVersion, "the version openssl's trace reports");
      expectCode(got.version, t.version, ProtocolVersion, "version (expected: openssl's trace)");
      expectCode(got.cipherSuite, t.cipherSuite, AnyCipherSuite, "cipher suite (expected: openssl's trace)");
      expect(sh.extensions.map((e) => e.kind)).to.include("ec_point_formats");
      // openssl supports TLS 1.3, so a 1.2 answer ends in "DOWNGRD" 01 (RFC 8446 §4.1.3)...
      expectBytes(sh.random.slice(24), DOWNGRADE_TLS12, "the last 8 bytes of the server random");
      // ...which a client that HAD offered 1.3 (and lost it to an attacker on the way) must refuse
      const stripped = withExtensions(clientHello, (x) => [...x, { kind: "supported_versions", versions: [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2] }]);
      expectTlsError(() => checkServerHello(stripped, sh), { alert: AlertDescription.illegal_parameter, field: "random" });
    });

    // openssl s_server restricted to P-256 (-groups P-256), and a ClientHello listing x25519 and P-256 but sharing x25519 only
    const p256Retry = () => makeClientHello({ version: "1.3", groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }).clientHello;

    it("02.3 openssl s_server restricted to P-256 answers our x25519 share with a HelloRetryRequest for secp256r1", async function () {
      const sh = decodeServerHello(await ask(opensslP256.port, p256Retry()));
      expect(isHelloRetryRequest(sh), "a HelloRetryRequest").to.equal(true);
      const ks = find(sh, "key_share");
      expectCode(ks && "selectedGroup" in ks ? ks.selectedGroup : undefined, NamedGroup.secp256r1, NamedGroup, "selected_group");
    });

    it("02.9 accepts openssl's HelloRetryRequest for secp256r1: a group we listed but sent no share for", async function () {
      const clientHello = p256Retry();
      const sh = decodeServerHello(await ask(opensslP256.port, clientHello));
      expectFields(checkServerHello(clientHello, sh), { version: ProtocolVersion.TLS1_3, group: NamedGroup.secp256r1 }, "negotiated");
    });

    it("02.9 Node TLS 1.3 server (one suite, P-256 only): picks them from our two shares; its keylog shows our random", async function () {
      const lines: string[] = [];
      const onKeylog = (line: Buffer) => lines.push(line.toString("latin1"));
      node13.server.on("keylog", onKeylog);
      try {
        const { clientHello } = makeClientHello({ version: "1.3", keyShareGroups: [NamedGroup.x25519, NamedGroup.secp256r1] });
        const sh = decodeServerHello(await ask(node13.port, clientHello));
        expectSame(checkServerHello(clientHello, sh), {
          version: ProtocolVersion.TLS1_3,
          cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
          group: NamedGroup.secp256r1,
        }, "negotiated");
        // The server derives its handshake secrets once it has sent the ServerHello; the key log line names the
        // connection by OUR client random, so it confirms this answer belongs to our ClientHello.
        const deadline = Date.now() + 2000;
        while (!lines.some((l) => l.startsWith("CLIENT_HANDSHAKE_TRAFFIC_SECRET")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const line = lines.find((l) => l.startsWith("CLIENT_HANDSHAKE_TRAFFIC_SECRET "));
        expect(line, "Node's keylog event").to.be.a("string");
        expect(line!.split(" ")[1]).to.equal(toHex(clientHello.random));
      } finally {
        node13.server.off("keylog", onKeylog);
      }
    });

    it("02.9 Node TLS 1.2 server (one suite): the ServerHello names that suite and TLS 1.2", async function () {
      const { clientHello } = makeClientHello({ version: "1.2" });
      const sh = decodeServerHello(await ask(node12.port, clientHello));
      expectSame(checkServerHello(clientHello, sh), { version: ProtocolVersion.TLS1_2, cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 }, "negotiated");
      // a 1.2-only server writes no downgrade sentinel
      expect(toHex(sh.random.slice(24))).to.not.equal(toHex(DOWNGRADE_TLS12));
    });
  });
});
