// Graded tests for chapter 01: hello extensions, the ClientHello codec, key pairs and the client's offer.
// Expected values come from outside the code under test: RFC 8448 (§3, §4, §5 ClientHellos, parsed from the RFC
// text), the illustrated-tls13/12 recordings, ClientHellos captured from Node's tls.connect and openssl s_client,
// Node's crypto (key pairs), and real servers (Node's tls, openssl s_server) answering the learner's ClientHello.

import { createECDH, createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import {
  clientHelloMessage as annotatedClientHello,
  clientHelloRecord,
  decodeClientHello,
  encodeClientHello,
  makeClientHello,
  makeKeyPair,
  readClientHelloBody,
  readClientHelloMessage,
  readClientShares,
  readExtension,
  readExtensionData,
  readServerNameList,
  writeClientHelloBody,
  writeClientShares,
  writeExtension,
  writeExtensionData,
  writeServerNameList,
  type ClientExtension,
  type ClientHello,
} from "../chapters/01-client-hello/index.js";
import { ByteReader, ByteWriter, type Annotation } from "../lib/bytes.js";
import {
  AlertDescription,
  CipherSuite,
  ContentType,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  cipherSuites,
} from "../lib/constants.js";
import { renderText } from "../lib/render.js";
import {
  AnyCipherSuite,
  expectBytes,
  expectCode,
  expectCodeIn,
  expectContains,
  expectSame,
  showCode,
} from "./support/expect-bytes.js";
import { clientExtensionData, clientExtensions, clientHelloBody, handshakes, records } from "./support/structures.js";
import { findValue } from "./support/rfc8448.js";
import {
  captureClientHello,
  clientHelloMessage as capturedMessage,
  connectNode,
  connectOpenSsl,
  exchange,
  startNodeServer,
  startOpenSslServer,
  type NodeServer,
  type OpenSslServer,
} from "./support/peers.js";
import { firstHandshakeMessage } from "./support/records.js";
import { serverHelloFromTrace } from "./support/openssl-trace.js";
import {
  badInputs,
  concatBytes,
  expectTlsError,
  onlyTlsErrors,
  randomBytes,
  truncations,
} from "./support/properties.js";

const { decode_error, illegal_parameter, internal_error, unexpected_message } = AlertDescription;

/** In a decoded extension kept raw, `type` is an ExtensionType. */
const EXTENSION_CODES = { type: ExtensionType };

// ---- Outside references and test-side framing ---------------------------------------------------------------

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);
const u24 = (n: number): Uint8Array => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
const readU16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const vector = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./vectors/${path}`, import.meta.url)));

/**
 * The parts of a ClientHello message, cut where RFC 8446 §4.1.2 puts the length prefixes. Test-side framing only
 * (no field is interpreted), used to build bad inputs from real messages and to find the extension block.
 */
interface HelloParts {
  type: number;
  version: Uint8Array;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: Uint8Array;
  compression: Uint8Array;
  /** The extensions' bytes without their 2-byte length; undefined when the message ends before them. */
  extensions: Uint8Array | undefined;
}

function splitHello(m: Uint8Array): HelloParts {
  let at = 4;
  const take = (n: number): Uint8Array => m.slice(at, (at += n));
  const version = take(2);
  const random = take(32);
  const sessionId = take(m[at++]!);
  const suitesLength = readU16(m, at);
  at += 2;
  const suites = take(suitesLength);
  const compression = take(m[at++]!);
  let extensions: Uint8Array | undefined;
  if (at < m.length) {
    const n = readU16(m, at);
    at += 2;
    extensions = take(n);
  }
  if (at !== m.length) throw new Error("test data: ClientHello parts do not add up");
  return { type: m[0]!, version, random, sessionId, suites, compression, extensions };
}

function joinHello(p: HelloParts): Uint8Array {
  const body = concatBytes(
    p.version,
    p.random,
    Uint8Array.of(p.sessionId.length),
    p.sessionId,
    u16(p.suites.length),
    p.suites,
    Uint8Array.of(p.compression.length),
    p.compression,
    ...(p.extensions === undefined ? [] : [u16(p.extensions.length), p.extensions]),
  );
  return concatBytes(Uint8Array.of(p.type), u24(body.length), body);
}

/** The extensions of a block, each as its raw bytes (type, length, data), by RFC 8446 §4.2 framing. */
function splitExtensions(block: Uint8Array): { type: number; bytes: Uint8Array; data: Uint8Array }[] {
  const out = [];
  for (let at = 0; at < block.length; ) {
    const n = readU16(block, at + 2);
    out.push({ type: readU16(block, at), bytes: block.slice(at, at + 4 + n), data: block.slice(at + 4, at + 4 + n) });
    at += 4 + n;
  }
  return out;
}

/** The leaves of a writer's or reader's notes that cover no byte: every byte must carry a note. */
function unnotedBytes(length: number, annotations: readonly Annotation[]): number[] {
  const covered = new Uint8Array(length);
  for (const a of annotations) if (!a.group) covered.fill(1, a.offset, a.offset + a.length);
  return [...covered.keys()].filter((i) => covered[i] === 0);
}

// RFC 8448 traces.
const rfc = {
  s3: findValue(3, "construct a ClientHello", "ClientHello"),
  s3Record: findValue(3, "send handshake record", "complete record", 0),
  s3ClientKey: findValue(3, "create an ephemeral x25519", "public key", 0),
  // §4: "construct a ClientHello" prints the message up to its binders; the whole message is what is sent.
  s4: findValue(4, "send handshake record", "payload", 0),
  s4Prefix: findValue(4, "calculate PSK binder", "ClientHello prefix"),
  s4Binder: findValue(4, "calculate PSK binder", "finished"),
  s4ClientKey: findValue(4, "create an ephemeral x25519", "public key", 0),
  s5First: findValue(5, "construct a ClientHello", "ClientHello", 0),
  s5Second: findValue(5, "construct a ClientHello", "ClientHello", 1),
  s5X25519Key: findValue(5, "create an ephemeral x25519", "public key", 0),
  s5P256Key: findValue(5, "create an ephemeral P-256", "public key", 0),
};

// illustrated-tls13/12: one record each, 5-byte header then the ClientHello message (tests/vectors/SOURCES.md).
const illustrated13 = vector("illustrated-tls13/caps/clienthello").slice(5);
const illustrated12 = vector("illustrated-tls12/caps/clienthello").slice(5);
/** SOURCES.md: "Both illustrated connections use fixed randoms (00 01 02 … 1f for the client …)". */
const ILLUSTRATED_CLIENT_RANDOM = Uint8Array.from({ length: 32 }, (_, i) => i);

/**
 * The extensions of the RFC 8448 §3 ClientHello as its hex says (lines 173–180 of rfc8448.txt), decoded by hand
 * with RFC 8446 §4.2 and RFC 6066 §3; only the key share is taken from the trace's "public key" value.
 */
const rfc3Extensions: ClientExtension[] = [
  { kind: "server_name", serverNames: [{ nameType: 0, hostName: "server" }] }, // 00 00 00 0b 00 09 00 00 06 "server"
  { kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }, // ff 01 00 01 00
  { kind: "supported_groups", groups: [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104] },
  { kind: "raw", type: 35, data: new Uint8Array(0) }, // session_ticket (RFC 5077), empty: kept raw
  { kind: "key_share", shares: [{ group: 0x001d, keyExchange: rfc.s3ClientKey }] },
  { kind: "supported_versions", versions: [0x0304] }, // 00 2b 00 03 02 03 04
  {
    kind: "signature_algorithms",
    schemes: [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202],
  },
  { kind: "psk_key_exchange_modes", modes: [1] }, // psk_dhe_ke
  { kind: "raw", type: 28, data: Uint8Array.of(0x40, 0x01) }, // record_size_limit (RFC 8449): 16385, kept raw
];

/** The whole RFC 8448 §3 ClientHello as fields (RFC 8446 §4.1.2); the random is its bytes 6–37. */
const rfc3Hello: ClientHello = {
  legacyVersion: 0x0303,
  random: rfc.s3.slice(6, 38),
  legacySessionId: new Uint8Array(0),
  cipherSuites: [0x1301, 0x1303, 0x1302], // 00 06 13 01 13 03 13 02
  legacyCompressionMethods: [0],
  extensions: rfc3Extensions,
};

/** The illustrated-tls12 ClientHello's extensions as its bytes say (RFC 6066, RFC 8422, RFC 5746, RFC 6962). */
const illustrated12Extensions: ClientExtension[] = [
  { kind: "server_name", serverNames: [{ nameType: 0, hostName: "example.ulfheim.net" }] },
  { kind: "raw", type: 5, data: Uint8Array.of(1, 0, 0, 0, 0) }, // status_request: OCSP, no responders, no extensions
  { kind: "supported_groups", groups: [0x001d, 0x0017, 0x0018, 0x0019] },
  { kind: "ec_point_formats", formats: [0] },
  { kind: "signature_algorithms", schemes: [0x0401, 0x0403, 0x0501, 0x0503, 0x0601, 0x0603, 0x0201, 0x0203] },
  { kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) },
  { kind: "raw", type: 18, data: new Uint8Array(0) }, // signed_certificate_timestamp
];

/** Every real ClientHello message we have on disk, for re-encoding and as seeds for mutations. */
const realHellos: [string, Uint8Array][] = [
  ["RFC 8448 §3", rfc.s3],
  ["RFC 8448 §4 (with pre_shared_key)", rfc.s4],
  ["RFC 8448 §5, first", rfc.s5First],
  ["RFC 8448 §5, second (after HelloRetryRequest)", rfc.s5Second],
  ["illustrated-tls13", illustrated13],
  ["illustrated-tls12", illustrated12],
];

const writeWith = (write: (w: ByteWriter) => void): ByteWriter => {
  const w = new ByteWriter();
  write(w);
  return w;
};

/** Node's crypto, the reference for key pairs: X25519 public key from the raw private key (PKCS#8, RFC 8410). */
function nodeX25519Public(privateKey: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), privateKey]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })).export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
}

/** …and the uncompressed P-256 point (04 ‖ x ‖ y) from the private scalar. */
function nodeP256Public(privateKey: Uint8Array): Uint8Array {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(privateKey);
  return new Uint8Array(ecdh.getPublicKey());
}

/** …and the uncompressed P-384 point. */
function nodeP384Public(privateKey: Uint8Array): Uint8Array {
  const ecdh = createECDH("secp384r1");
  ecdh.setPrivateKey(privateKey);
  return new Uint8Array(ecdh.getPublicKey());
}

/**
 * A minimal ServerHello reading, kept in the test (decoding it is chapter 02's job): the first handshake message
 * of a reply, its type, legacy_version, random, cipher suite and extension types, by RFC 8446 §4.1.3 framing.
 */
function minimalServerHello(reply: Uint8Array) {
  expectCode(reply[0], ContentType.handshake, ContentType, `the content type of the server's reply (an alert starts ${hex(reply.slice(0, 7))})`);
  const found = firstHandshakeMessage(reply);
  if (!found) throw new Error("the reply holds no complete handshake message");
  const m = found.message;
  let at = 4;
  const legacyVersion = readU16(m, at);
  const random = m.slice(at + 2, at + 34);
  at += 34;
  at += 1 + m[at]!; // legacy_session_id_echo
  const cipherSuite = readU16(m, at);
  at += 3; // cipher_suite, legacy_compression_method
  const extensionBlock = at < m.length ? m.slice(at + 2, at + 2 + readU16(m, at)) : new Uint8Array(0);
  return { type: m[0]!, legacyVersion, random, cipherSuite, extensionBlock, extensionTypes: splitExtensions(extensionBlock).map((e) => e.type) };
}

// RFC 8446 §B.4: the TLS 1.3 suites; RFC 5288/5289/7905: the TLS 1.2 AEAD suites DEFAULT offers may contain.
const TLS13_SUITES = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];
const SUPPORTED_VERSIONS_TLS13 = Buffer.from("002b00020304", "hex"); // RFC 8446 §4.2.1 in a ServerHello

describe("01 client hello", () => {
  before(() => {
    // A check of the test data, not of your code.
    expectBytes(rfc.s4.slice(0, rfc.s4Prefix.length), rfc.s4Prefix, "RFC 8448 §4 ClientHello prefix");
    expectBytes(rfc.s3Record.slice(5), rfc.s3, "RFC 8448 §3 ClientHello record payload");
    const block = splitHello(rfc.s3).extensions!;
    expectSame(splitExtensions(block).map((e) => e.type), [0, 0xff01, 10, 35, 51, 43, 13, 45, 28], "RFC 8448 §3 extension types", { table: ExtensionType });
  });

  // ---- 01.1 writeServerNameList, writeClientShares; 01.2 their readers --------------------------------------

  /** The data of RFC 8448 §3's server_name (type 0) and key_share (type 51), as its extension block spells them. */
  const rfc3Data = (type: number) => splitExtensions(splitHello(rfc.s3).extensions!).find((e) => e.type === type)!.data;
  const illustrated13Data = (type: number) => splitExtensions(splitHello(illustrated13).extensions!).find((e) => e.type === type)!.data;
  const sni = (hostName: string) => [{ nameType: 0, hostName }];

  it("01.1 writeServerNameList: RFC 8448 §3's \"server\" and tls13.xargs.org's \"example.ulfheim.net\", byte for byte, every byte noted", () => {
    for (const [host, data] of [["server", rfc3Data(0)], ["example.ulfheim.net", illustrated13Data(0)]] as const) {
      const w = writeWith((w) => writeServerNameList(w, sni(host)));
      expectBytes(w.toBytes(), data, `server_name "${host}"`, { annotations: w.annotations, structure: clientExtensionData(0) });
      expect(unnotedBytes(w.length, w.annotations), "unnoted bytes").to.deep.equal([]);
    }
  });

  it("01.1 writeClientShares: RFC 8448 §3's and tls13.xargs.org's x25519 share, byte for byte, every byte noted; two shares in order", () => {
    for (const data of [rfc3Data(51), illustrated13Data(51)]) {
      // KeyShareEntry: group (2), key length (2), key — read here by hand from the extension's bytes.
      const share = { group: readU16(data, 2), keyExchange: data.slice(6, 6 + readU16(data, 4)) };
      const w = writeWith((w) => writeClientShares(w, [share]));
      expectBytes(w.toBytes(), data, "key_share", { annotations: w.annotations, structure: clientExtensionData(51) });
      expect(unnotedBytes(w.length, w.annotations), "unnoted bytes").to.deep.equal([]);
    }
    const two = writeWith((w) => writeClientShares(w, [{ group: 0x1d, keyExchange: Uint8Array.of(1) }, { group: 0x17, keyExchange: Uint8Array.of(2, 3) }]));
    expectBytes(two.toBytes(), Uint8Array.of(0, 11, 0, 0x1d, 0, 1, 1, 0, 0x17, 0, 2, 2, 3), "two shares", { annotations: two.annotations });
  });

  it("01.2 readServerNameList and readClientShares: RFC 8448 §3's and tls13.xargs.org's bodies decode to what their bytes say", () => {
    expectSame(readServerNameList(new ByteReader(rfc3Data(0))), sni("server"), "RFC 8448 §3 server_name");
    expectSame(readServerNameList(new ByteReader(illustrated13Data(0))), sni("example.ulfheim.net"), "tls13.xargs.org server_name");
    for (const data of [rfc3Data(51), illustrated13Data(51)]) {
      expectSame(readClientShares(new ByteReader(data)), [{ group: readU16(data, 2), keyExchange: data.slice(6) }], "key_share", { codes: EXTENSION_CODES });
    }
    expectSame(readClientShares(new ByteReader(Uint8Array.of(0, 0))), [], "an empty client_shares (allowed: RFC 8446 §4.2.8)");
  });

  it("01.2 an empty server_name list, an empty host name or an empty key is decode_error at its offset", () => {
    expectTlsError(() => readServerNameList(new ByteReader(Uint8Array.of(0, 0))), { alert: decode_error, field: "server_name_list", offset: 0 });
    expectTlsError(() => readServerNameList(new ByteReader(Uint8Array.of(0, 3, 0, 0, 0))), { alert: decode_error, field: "host_name" });
    expectTlsError(() => readClientShares(new ByteReader(Uint8Array.of(0, 4, 0, 0x1d, 0, 0))), { alert: decode_error, field: "key_exchange" });
  });

  // ---- 01.3 writeExtensionData -----------------------------------------------------------------------------

  it("01.3 encodes the nine extensions of the RFC 8448 §3 ClientHello exactly as its extension block", () => {
    const w = writeWith((w) => rfc3Extensions.forEach((e) => writeExtension(w, e)));
    expectBytes(w.toBytes(), splitHello(rfc.s3).extensions!, "extension block", { annotations: w.annotations, structure: clientExtensions });
  });

  it("01.3 encodes each RFC 8448 §3 extension's data on its own, kind by kind", () => {
    const real = splitExtensions(splitHello(rfc.s3).extensions!);
    rfc3Extensions.forEach((ext, i) => {
      const w = writeWith((w) => writeExtensionData(w, ext));
      expectBytes(w.toBytes(), real[i]!.data, `${ext.kind}${ext.kind === "raw" ? ` ${ext.type}` : ""} extension_data`, {
        annotations: w.annotations,
        structure: clientExtensionData(real[i]!.type),
      });
    });
  });

  it("01.3 encodes the illustrated-tls12 ClientHello's extensions (ec_point_formats, renegotiation_info, raw ones) byte for byte", () => {
    const w = writeWith((w) => illustrated12Extensions.forEach((e) => writeExtension(w, e)));
    expectBytes(w.toBytes(), splitHello(illustrated12).extensions!, "extension block", { annotations: w.annotations, structure: clientExtensions });
  });

  it("01.3 encodes extended_master_secret as an empty body and ec_point_formats [0,1,2] as in the illustrated-tls13 ClientHello", () => {
    const real = splitExtensions(splitHello(illustrated13).extensions!);
    const ems = writeWith((w) => writeExtension(w, { kind: "extended_master_secret" }));
    expectBytes(ems.toBytes(), real.find((e) => e.type === 23)!.bytes, "extended_master_secret", { annotations: ems.annotations, structure: clientExtensions });
    const pf = writeWith((w) => writeExtension(w, { kind: "ec_point_formats", formats: [0, 1, 2] }));
    expectBytes(pf.toBytes(), real.find((e) => e.type === 11)!.bytes, "ec_point_formats", { annotations: pf.annotations, structure: clientExtensions });
  });

  it("01.3 notes every byte it writes (the dump must show each field)", () => {
    for (const ext of [...rfc3Extensions, ...illustrated12Extensions]) {
      const w = writeWith((w) => writeExtensionData(w, ext));
      expect(unnotedBytes(w.length, w.annotations), `unnoted bytes in ${ext.kind}`).to.deep.equal([]);
    }
  });

  // ---- 01.4 readExtensionData ------------------------------------------------------------------------------

  it("01.4 decodes the RFC 8448 §3 extension block into the nine extensions its hex spells", () => {
    const block = splitHello(rfc.s3).extensions!;
    const r = new ByteReader(block);
    const got: ClientExtension[] = [];
    while (r.remaining > 0) got.push(readExtension(r));
    expectSame(got, rfc3Extensions, "extensions", { codes: EXTENSION_CODES });
  });

  it("01.4 decodes the illustrated-tls12 extensions, keeping status_request and signed_certificate_timestamp raw", () => {
    const r = new ByteReader(splitHello(illustrated12).extensions!);
    const got: ClientExtension[] = [];
    while (r.remaining > 0) got.push(readExtension(r));
    expectSame(got, illustrated12Extensions, "extensions", { codes: EXTENSION_CODES });
  });

  it("01.4 keeps GREASE and unknown extensions raw with all their bytes (RFC 8701: never reject them)", () => {
    for (const [type, data] of [
      [0x0a0a, new Uint8Array(0)],
      [0xfafa, Uint8Array.of(0)],
      [0x1234, Uint8Array.of(1, 2, 3, 4, 5)],
      [0xfe0d, Uint8Array.of(9, 9)],
    ] as [number, Uint8Array][]) {
      expectSame(readExtensionData(new ByteReader(data), type), { kind: "raw", type, data }, `extension of type ${showCode(type, ExtensionType)}`, { codes: EXTENSION_CODES });
    }
  });

  it("01.4 fails bodies the RFCs forbid with decode_error: empty group list, odd-length list, empty key, empty host name, non-empty extended_master_secret", () => {
    const cases: [string, number, Uint8Array][] = [
      ["named_group_list<2..2^16-1> empty", 10, Uint8Array.of(0, 0)],
      ["named_group_list odd length", 10, Uint8Array.of(0, 3, 0, 0x1d, 0)],
      ["supported_versions list of 3 bytes", 43, Uint8Array.of(3, 3, 4, 3)],
      ["versions<2..254> empty", 43, Uint8Array.of(0)],
      ["key_exchange<1..2^16-1> empty", 51, Uint8Array.of(0, 4, 0, 0x1d, 0, 0)],
      ["HostName<1..2^16-1> empty", 0, Uint8Array.of(0, 3, 0, 0, 0)],
      ["extended_master_secret with a body", 23, Uint8Array.of(0)],
      ["psk_key_exchange_modes list longer than the body", 45, Uint8Array.of(2, 1)],
      ["server_name list with a byte left over", 0, Uint8Array.of(0, 5, 0, 0, 1, 0x61, 0)],
    ];
    for (const [what, type, data] of cases) {
      const input = concatBytes(Uint8Array.of(0xee), data);
      const e = expectTlsError(() => readExtensionData(new ByteReader(input, { start: 1 }), type), { alert: decode_error });
      expect(e.offset, `${what}: the offset counts from the start of the input`).to.be.within(1, input.length);
    }
  });

  it("01.4 fails a list that runs past the end of its extension_data with decode_error naming the list and its offset", () => {
    // supported_versions (00 2b) with 3 bytes of data whose versions<2..254> claims 4: the input goes on (03 03),
    // but the list must stop at the end of the extension.
    const input = Uint8Array.of(0x00, 0x2b, 0x00, 0x03, 0x04, 0x03, 0x04, 0x03, 0x03);
    expectTlsError(() => readExtension(new ByteReader(input)), { alert: decode_error, field: /version/, offset: 4 });
    expectTlsError(() => readExtensionData(new ByteReader(input, { start: 4, end: 7 }), 43), { alert: decode_error, offset: 4 });
  });

  it("01.4 fails only with decode_error on 1,000 random and mutated extensions, and what it accepts re-encodes byte for byte", () => {
    const real = realHellos.flatMap(([, m]) => splitExtensions(splitHello(m).extensions ?? new Uint8Array(0)).map((e) => e.bytes));
    const known = [0, 10, 11, 13, 23, 43, 45, 51, 0xff01];
    const randomKnown = fc
      .tuple(fc.constantFrom(...known), randomBytes(24))
      .map(([type, data]) => concatBytes(u16(type), u16(data.length), data));
    // server_name with any bytes in the host name (RFC 6066 §3 asks for ASCII; a decoder must still keep them all).
    const anyHostName = fc
      .uint8Array({ minLength: 1, maxLength: 12 })
      .map((name) => concatBytes(u16(0), u16(name.length + 5), u16(name.length + 3), Uint8Array.of(0), u16(name.length), name));
    onlyTlsErrors(
      (b) => {
        const r = new ByteReader(b);
        const ext = readExtension(r);
        return { ext, used: r.offset };
      },
      fc.oneof(badInputs(real, 24), randomKnown, anyHostName),
      {
        demands:
          "an extension it accepts is encoded again (writeExtension) to exactly the bytes it read: nothing lost or changed, " +
          "not even a host-name byte outside ASCII (read each byte as one character)",
        explain: clientExtensions,
        also: ({ ext, used }, input) => {
          const w = writeWith((w) => writeExtension(w, ext));
          expectBytes(w.toBytes(), input.slice(0, used), "the accepted extension, encoded again", { annotations: w.annotations, structure: clientExtensions });
        },
      },
    );
  });

  // ---- 01.5 writeClientHelloBody ---------------------------------------------------------------------------

  it("01.5 encodes the RFC 8448 §3 ClientHello byte for byte", () => {
    expectBytes(encodeClientHello(rfc3Hello), rfc.s3, "ClientHello", { structure: handshakes });
  });

  it("01.5 encodes the RFC 8448 §3 ClientHello record (header 16 03 01) byte for byte", () => {
    const w = clientHelloRecord(rfc3Hello);
    expectBytes(w.toBytes(), rfc.s3Record, "ClientHello record", { annotations: w.annotations, structure: records });
  });

  it("01.5 writes only the body (no handshake header) and notes every byte, naming the suites", () => {
    const body = writeWith((w) => writeClientHelloBody(w, rfc3Hello));
    expectBytes(body.toBytes(), rfc.s3.slice(4), "ClientHello body", { annotations: body.annotations, structure: clientHelloBody });
    const w = annotatedClientHello(rfc3Hello);
    expect(unnotedBytes(w.length, w.annotations)).to.deep.equal([]);
    expect(renderText(w.toBytes(), w.annotations)).to.include("TLS_AES_128_GCM_SHA256");
  });

  it("01.5 refuses a random that is not 32 bytes with internal_error", () => {
    for (const n of [0, 31, 33]) {
      expectTlsError(() => encodeClientHello({ ...rfc3Hello, random: new Uint8Array(n) }), { alert: internal_error });
    }
  });

  for (const [name, message] of realHellos.slice(1)) {
    it(`01.5 re-encodes the decoded ${name} ClientHello byte for byte`, () => {
      expectBytes(encodeClientHello(decodeClientHello(message)), message, `${name} ClientHello, decoded and encoded again`, { structure: handshakes });
    });
  }

  // ---- 01.6 readClientHelloBody ----------------------------------------------------------------------------

  it("01.6 decodes the RFC 8448 §3 ClientHello: random, suites 1301 1303 1302, server_name \"server\", x25519 share, versions [0x0304]", () => {
    expectSame(decodeClientHello(rfc.s3), rfc3Hello, "decoded ClientHello", { codes: EXTENSION_CODES });
  });

  it("01.6 decodes the RFC 8448 §4 ClientHello and keeps pre_shared_key raw, its binder the trace's PSK binder", () => {
    const ch = decodeClientHello(rfc.s4);
    expectSame(ch.cipherSuites, [0x1301, 0x1303, 0x1302], "cipher_suites", { table: AnyCipherSuite });
    expectSame(ch.extensions.map((e) => (e.kind === "raw" ? e.type : e.kind)), [
      "server_name", "renegotiation_info", "supported_groups", "key_share", 42, "supported_versions",
      "signature_algorithms", "psk_key_exchange_modes", 28, 21, 41,
    ], "extensions (kinds, or the type of those kept raw)", { table: ExtensionType });
    const psk = ch.extensions[ch.extensions.length - 1]!;
    expect(psk.kind, "pre_shared_key is kept raw").to.equal("raw");
    if (psk.kind === "raw") expectBytes(psk.data.slice(-32), rfc.s4Binder, "the last 32 bytes of pre_shared_key: the binder"); // RFC 8446 §4.2.11: binders last
    const share = ch.extensions.find((e) => e.kind === "key_share");
    expectSame(share, { kind: "key_share", shares: [{ group: 0x001d, keyExchange: rfc.s4ClientKey }] }, "key_share");
  });

  it("01.6 decodes both RFC 8448 §5 ClientHellos: an x25519 share, then (after HelloRetryRequest) a P-256 share and a cookie", () => {
    const first = decodeClientHello(rfc.s5First);
    expectSame(first.extensions.find((e) => e.kind === "key_share"), {
      kind: "key_share",
      shares: [{ group: 0x001d, keyExchange: rfc.s5X25519Key }],
    }, "first ClientHello's key_share");
    expectSame(first.extensions.find((e) => e.kind === "supported_groups"), { kind: "supported_groups", groups: [0x1d, 0x17, 0x18] }, "supported_groups");
    const second = decodeClientHello(rfc.s5Second);
    expectSame(second.extensions.find((e) => e.kind === "key_share"), {
      kind: "key_share",
      shares: [{ group: 0x0017, keyExchange: rfc.s5P256Key }],
    }, "second ClientHello's key_share");
    expect(second.extensions.some((e) => e.kind === "raw" && e.type === 44), "cookie (44) kept raw").to.equal(true);
    expectBytes(second.random, first.random, "the second ClientHello's random"); // RFC 8446 §4.1.2: the same random after an HRR
  });

  it("01.6 decodes the illustrated-tls13 ClientHello: random 00…1f, a 32-byte session id, example.ulfheim.net, an x25519 share", () => {
    const ch = decodeClientHello(illustrated13);
    expectCode(ch.legacyVersion, 0x0303, ProtocolVersion, "legacy_version");
    expectBytes(ch.random, ILLUSTRATED_CLIENT_RANDOM, "random");
    expect(ch.legacySessionId.length).to.equal(32);
    expectSame(ch.cipherSuites, [0x1302, 0x1303, 0x1301, 0x00ff], "cipher_suites", { table: AnyCipherSuite });
    expectSame(ch.extensions.find((e) => e.kind === "server_name"), {
      kind: "server_name",
      serverNames: [{ nameType: 0, hostName: "example.ulfheim.net" }],
    }, "server_name");
    expectSame(ch.extensions.find((e) => e.kind === "supported_versions"), { kind: "supported_versions", versions: [0x0304] }, "supported_versions");
    const share = ch.extensions.find((e) => e.kind === "key_share");
    expectSame(share?.kind === "key_share" && share.shares.map((s) => ({ group: s.group, keyLength: s.keyExchange.length })), [{ group: 0x1d, keyLength: 32 }], "key shares");
  });

  it("01.6 decodes the illustrated-tls12 ClientHello: legacy_version 0x0303, sixteen suites, no supported_versions", () => {
    const ch = decodeClientHello(illustrated12);
    expectCode(ch.legacyVersion, 0x0303, ProtocolVersion, "legacy_version");
    expectBytes(ch.random, ILLUSTRATED_CLIENT_RANDOM, "random");
    expect(ch.legacySessionId.length).to.equal(0);
    expectSame(ch.cipherSuites, [
      0xcca8, 0xcca9, 0xc02f, 0xc030, 0xc02b, 0xc02c, 0xc013, 0xc009, 0xc014, 0xc00a, 0x009c, 0x009d, 0x002f, 0x0035, 0xc012, 0x000a,
    ], "cipher_suites", { table: AnyCipherSuite });
    expectSame(ch.extensions, illustrated12Extensions, "extensions", { codes: EXTENSION_CODES });
  });

  it("01.6 reads a TLS 1.2 ClientHello that ends before its extensions as extensions [] (RFC 5246 §7.4.1.2)", () => {
    const bare = joinHello({ ...splitHello(illustrated12), extensions: undefined });
    const ch = decodeClientHello(bare);
    expectSame(ch.extensions, [], "extensions");
    expect(ch.cipherSuites.length).to.equal(16);
  });

  it("01.6 keeps GREASE suites and extensions (RFC 8701) and shows them in the dump", () => {
    const parts = splitHello(rfc.s3);
    const grease = concatBytes(Uint8Array.of(0x0a, 0x0a, 0, 0), Uint8Array.of(0xfa, 0xfa, 0, 1, 0));
    const message = joinHello({
      ...parts,
      suites: concatBytes(Uint8Array.of(0x2a, 0x2a), parts.suites),
      extensions: concatBytes(grease, parts.extensions!),
    });
    const r = new ByteReader(message);
    const ch = readClientHelloMessage(r);
    expectSame(ch.cipherSuites, [0x2a2a, 0x1301, 0x1303, 0x1302], "cipher_suites", { table: AnyCipherSuite });
    expectSame(ch.extensions.slice(0, 2), [
      { kind: "raw", type: 0x0a0a, data: new Uint8Array(0) },
      { kind: "raw", type: 0xfafa, data: Uint8Array.of(0) },
    ], "the first two extensions", { codes: EXTENSION_CODES });
    expect(renderText(message, r.annotations)).to.include("GREASE (0x0a0a)").and.include("GREASE (0x2a2a)");
  });

  it("01.6 fails the RFC 8448 §3 ClientHello body cut at every offset with decode_error (the handshake length made to match)", () => {
    const body = rfc.s3.slice(4);
    const parts = splitHello(rfc.s3);
    // RFC 5246 §7.4.1.2: a body that ends right before the extensions is a valid ClientHello without extensions.
    const extensionsAt = body.length - 2 - parts.extensions!.length;
    for (let n = 0; n < body.length; n++) {
      const cut = concatBytes(Uint8Array.of(1), u24(n), body.slice(0, n));
      if (n === extensionsAt) expectSame(decodeClientHello(cut).extensions, [], "extensions of a hello that ends before them");
      else expectTlsError(() => decodeClientHello(cut), { alert: decode_error });
    }
  });

  it("01.6 fails trailing bytes, after the message or inside its body, with decode_error", () => {
    expectTlsError(() => decodeClientHello(concatBytes(rfc.s3, Uint8Array.of(0))), { alert: decode_error });
    // The same extensions, one byte after them inside the body: the handshake length covers it.
    const parts = splitHello(rfc.s3);
    const inner = joinHello(parts);
    const longer = concatBytes(Uint8Array.of(1), u24(inner.length - 4 + 1), inner.slice(4), Uint8Array.of(0));
    expectTlsError(() => decodeClientHello(longer), { alert: decode_error });
  });

  it("01.6 fails an extension that appears twice with illegal_parameter (RFC 8446 §4.2)", () => {
    const parts = splitHello(rfc.s3);
    const versions = splitExtensions(parts.extensions!).find((e) => e.type === 43)!.bytes;
    const e = expectTlsError(() => decodeClientHello(joinHello({ ...parts, extensions: concatBytes(parts.extensions!, versions) })), {
      alert: illegal_parameter,
    });
    expect(e.offset).to.be.a("number");
  });

  it("01.6 fails a 33-byte session id, an empty or odd cipher_suites and an empty compression list with decode_error naming the field", () => {
    const parts = splitHello(rfc.s3);
    const cases: [string, HelloParts, RegExp][] = [
      ["session id of 33 bytes", { ...parts, sessionId: new Uint8Array(33) }, /session/],
      ["no cipher suites", { ...parts, suites: new Uint8Array(0) }, /suite/],
      ["cipher_suites of 7 bytes", { ...parts, suites: concatBytes(parts.suites, Uint8Array.of(0x13)) }, /suite/],
      ["no compression methods", { ...parts, compression: new Uint8Array(0) }, /compression/],
    ];
    for (const [, p, field] of cases) expectTlsError(() => decodeClientHello(joinHello(p)), { alert: decode_error, field });
  });

  it("01.6 checks the handshake type: the RFC 8448 §3 ClientHello decodes as type 1 and fails as type 2 with unexpected_message", () => {
    expectSame(decodeClientHello(rfc.s3).cipherSuites, [0x1301, 0x1303, 0x1302], "cipher_suites", { table: AnyCipherSuite });
    const asServerHello = concatBytes(Uint8Array.of(2), rfc.s3.slice(1));
    expectTlsError(() => decodeClientHello(asServerHello), { alert: unexpected_message, offset: 0 });
  });

  it("01.6 fails only with TlsErrors on 1,000 mutated real ClientHellos and random bytes; what it accepts re-encodes byte for byte", () => {
    onlyTlsErrors(decodeClientHello, badInputs(realHellos.map(([, m]) => m), 64), {
      alerts: [decode_error, illegal_parameter, unexpected_message],
      demands: "a ClientHello it accepts is encoded again to the same bytes (a TLS 1.2 hello without extensions may come back with an empty extension block)",
      explain: handshakes,
      also: (ch, input) => {
        const again = encodeClientHello(ch);
        // A TLS 1.2 hello without an extension block comes back with an empty one (00 00): the only difference allowed.
        if (ch.extensions.length === 0 && again.length === input.length + 2) return;
        expectBytes(again, input, "the accepted ClientHello, encoded again", { structure: handshakes });
      },
    });
  });

  it("01.6 reads bodies alone (readClientHelloBody) and fails 1,000 mutated bodies only with TlsErrors", () => {
    const bodies = realHellos.map(([, m]) => m.slice(4));
    const r = new ByteReader(bodies[0]!);
    expectSame(readClientHelloBody(r), rfc3Hello, "decoded ClientHello body", { codes: EXTENSION_CODES });
    expect(r.remaining).to.equal(0);
    onlyTlsErrors(
      (b) => {
        const reader = new ByteReader(b);
        const ch = readClientHelloBody(reader);
        reader.end("client_hello");
        return ch;
      },
      badInputs(bodies, 64),
      { alerts: [decode_error, illegal_parameter], explain: clientHelloBody },
    );
  });

  // ---- 01.7 makeKeyPair ------------------------------------------------------------------------------------

  it("01.7 makes X25519 key pairs whose public key is the one Node's crypto derives from the private key (32 bytes)", () => {
    for (let i = 0; i < 20; i++) {
      const k = makeKeyPair(0x001d);
      expectCode(k.group, NamedGroup.x25519, NamedGroup, "group");
      expectSame({ privateKey: k.privateKey.length, publicKey: k.publicKey.length }, { privateKey: 32, publicKey: 32 }, "key lengths");
      expectBytes(k.publicKey, nodeX25519Public(k.privateKey), "public key (expected: what Node's crypto derives from your private key)");
    }
  });

  it("01.7 makes P-256 key pairs whose public key is Node's uncompressed point (65 bytes starting 04, RFC 8446 §4.2.8.2)", () => {
    for (let i = 0; i < 20; i++) {
      const k = makeKeyPair(0x0017);
      expectCode(k.group, NamedGroup.secp256r1, NamedGroup, "group");
      expectSame({ privateKey: k.privateKey.length, publicKey: k.publicKey.length, firstByte: k.publicKey[0] }, { privateKey: 32, publicKey: 65, firstByte: 0x04 }, "key lengths and point form");
      expectBytes(k.publicKey, nodeP256Public(k.privateKey), "public key (expected: what Node's crypto derives from your private key)");
    }
  });

  it("01.7 makes P-384 key pairs whose public key is Node's uncompressed point (97 bytes starting 04, RFC 8446 §4.2.8.2)", () => {
    for (let i = 0; i < 10; i++) {
      const k = makeKeyPair(0x0018);
      expectCode(k.group, NamedGroup.secp384r1, NamedGroup, "group");
      expectSame({ privateKey: k.privateKey.length, publicKey: k.publicKey.length, firstByte: k.publicKey[0] }, { privateKey: 48, publicKey: 97, firstByte: 0x04 }, "key lengths and point form");
      expectBytes(k.publicKey, nodeP384Public(k.privateKey), "public key (expected: what Node's crypto derives from your private key)");
    }
  });

  it("01.7 makes a fresh key each time", () => {
    for (const group of [0x001d, 0x0017, 0x0018]) {
      const keys = new Set(Array.from({ length: 8 }, () => hex(makeKeyPair(group).privateKey)));
      expect(keys.size).to.equal(8);
    }
  });

  it("01.7 refuses groups it cannot compute (x448, secp521r1, ffdhe2048, GREASE) with internal_error", () => {
    for (const group of [0x001e, 0x0019, 0x0100, 0x0a0a]) expectTlsError(() => makeKeyPair(group), { alert: internal_error });
  });

  // ---- 01.8 makeClientHello --------------------------------------------------------------------------------

  it("01.8 offers TLS 1.3 as RFC 8446 §4.1.2 asks: legacy_version 0x0303, 32-byte random and session id, 1.3 suites, null compression", () => {
    const { clientHello: ch } = makeClientHello({ version: "1.3", serverName: "localhost" });
    expectCode(ch.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "legacy_version (RFC 8446 §4.1.2: always TLS 1.2; 1.3 goes in supported_versions)");
    expect(ch.random.length).to.equal(32);
    expect(ch.legacySessionId.length, "middlebox compatibility, RFC 8446 §D.4").to.equal(32);
    expect(ch.cipherSuites.length).to.be.greaterThan(0);
    for (const s of ch.cipherSuites) expectCodeIn(s, TLS13_SUITES, AnyCipherSuite, "a suite of a TLS 1.3 offer");
    expectSame(ch.legacyCompressionMethods, [0], "legacy_compression_methods");
    const other = makeClientHello({ version: "1.3" }).clientHello;
    expect(hex(other.random)).to.not.equal(hex(ch.random));
  });

  it("01.8 puts server_name, supported_groups, signature_algorithms, supported_versions [0x0304], key_share and psk_key_exchange_modes [psk_dhe_ke] in a 1.3 offer", () => {
    const { clientHello: ch, keyPairs } = makeClientHello({ version: "1.3", serverName: "localhost" });
    const kinds = ch.extensions.map((e) => e.kind);
    expect(new Set(kinds).size, "no extension twice").to.equal(kinds.length);
    expect(kinds).to.include.members(["server_name", "supported_groups", "signature_algorithms", "supported_versions", "key_share", "psk_key_exchange_modes"]);
    const find = <K extends ClientExtension["kind"]>(k: K) => ch.extensions.find((e) => e.kind === k) as Extract<ClientExtension, { kind: K }>;
    expectSame(find("server_name").serverNames, [{ nameType: 0, hostName: "localhost" }], "server_name");
    expectSame(find("supported_versions").versions, [0x0304], "supported_versions", { table: ProtocolVersion });
    expectSame(find("psk_key_exchange_modes").modes, [1], "psk_key_exchange_modes", { table: PskKeyExchangeMode });
    const shares = find("key_share").shares;
    expect(shares.length).to.equal(1);
    expectCode(shares[0]!.group, find("supported_groups").groups[0]!, NamedGroup, "the key share's group (must be the first of supported_groups)");
    expectSame(keyPairs.map((k) => ({ group: k.group, publicKey: k.publicKey })), shares.map((s) => ({ group: s.group, publicKey: s.keyExchange })), "the key pairs returned (expected: the key_share entries)");
  });

  it("01.8 makes one Node-checked key pair per keyShareGroups entry and uses a given random and session id", () => {
    const random = rfc3Hello.random;
    const sessionId = ILLUSTRATED_CLIENT_RANDOM;
    const { clientHello: ch, keyPairs } = makeClientHello({ version: "1.3", keyShareGroups: [0x001d, 0x0017], random, sessionId });
    expectBytes(ch.random, random, "random");
    expectBytes(ch.legacySessionId, sessionId, "legacy_session_id");
    const share = ch.extensions.find((e) => e.kind === "key_share");
    expectSame(share?.kind === "key_share" && share.shares.map((s) => s.group), [0x001d, 0x0017], "key share groups", { table: NamedGroup });
    expectBytes(keyPairs[0]!.publicKey, nodeX25519Public(keyPairs[0]!.privateKey), "X25519 public key (expected: Node's, from your private key)");
    expectBytes(keyPairs[1]!.publicKey, nodeP256Public(keyPairs[1]!.privateKey), "P-256 public key (expected: Node's, from your private key)");
  });

  it("01.8 offers TLS 1.2 without supported_versions or key_share, with an empty session id, 1.2 suites, ec_point_formats, renegotiation_info and extended_master_secret", () => {
    const { clientHello: ch, keyPairs } = makeClientHello({ version: "1.2", serverName: "localhost" });
    expectCode(ch.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "legacy_version");
    expect(ch.legacySessionId.length).to.equal(0);
    expectSame(keyPairs, [], "key pairs of a TLS 1.2 offer");
    for (const s of ch.cipherSuites) expect(TLS13_SUITES, `${showCode(s, AnyCipherSuite)} is a TLS 1.3 suite, not for a TLS 1.2 offer`).to.not.include(s);
    const kinds = ch.extensions.map((e) => e.kind);
    expect(kinds).to.not.include.members(["supported_versions"]);
    expect(kinds).to.not.include("key_share");
    expectContains(ch.extensions, { kind: "ec_point_formats", formats: [0] }, "extensions");
    expectContains(ch.extensions, { kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }, "extensions");
    expectContains(ch.extensions, { kind: "extended_master_secret" }, "extensions");
  });

  it("01.8 \"both\" offers TLS 1.3 and 1.2 in one hello: supported_versions [0x0304, 0x0303], the 1.3 suites then the 1.2 ones, a key share, a session id", () => {
    const { clientHello: ch, keyPairs } = makeClientHello({ version: "both", serverName: "localhost" });
    const find = <K extends ClientExtension["kind"]>(k: K) => ch.extensions.find((e) => e.kind === k) as Extract<ClientExtension, { kind: K }> | undefined;
    expectSame(find("supported_versions")?.versions, [0x0304, 0x0303], "supported_versions (RFC 8446 §4.2.1: best first)", { table: ProtocolVersion });
    expectCode(ch.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "legacy_version");
    expect(ch.legacySessionId.length, "a 32-byte session id: a TLS 1.3 server may answer (RFC 8446 §D.4)").to.equal(32);
    // Every 1.3 suite before every 1.2 one, and both kinds there.
    const is13 = ch.cipherSuites.map((s) => TLS13_SUITES.includes(s));
    expect(is13.indexOf(false), "a TLS 1.2 suite in the offer").to.be.greaterThan(0);
    expect(is13.lastIndexOf(true), `the last TLS 1.3 suite comes before the first TLS 1.2 one: ${ch.cipherSuites.map((s) => showCode(s, AnyCipherSuite)).join(", ")}`).to.be.lessThan(is13.indexOf(false));
    const shares = find("key_share")?.shares ?? [];
    expectSame(shares.map((e) => e.group), [find("supported_groups")!.groups[0]!], "key share groups (the first group)", { table: NamedGroup });
    expectSame(keyPairs.map((k) => k.publicKey), shares.map((e) => e.keyExchange), "the key pairs returned (expected: the key_share entries)");
    expectSame(find("psk_key_exchange_modes")?.modes, [1], "psk_key_exchange_modes", { table: PskKeyExchangeMode });
    // What a TLS 1.2 server needs from it.
    expectContains(ch.extensions, { kind: "ec_point_formats", formats: [0] }, "extensions");
    expectContains(ch.extensions, { kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(0) }, "extensions");
    expectContains(ch.extensions, { kind: "extended_master_secret" }, "extensions");
    const kinds = ch.extensions.map((e) => e.kind);
    expect(new Set(kinds).size, "no extension twice").to.equal(kinds.length);
  });

  it("01.8 the three offers list their extensions in one order (server_name, supported_groups, ec_point_formats, signature_algorithms, supported_versions, key_share, psk_key_exchange_modes, renegotiation_info, extended_master_secret)", () => {
    const order = ["server_name", "supported_groups", "ec_point_formats", "signature_algorithms", "supported_versions", "key_share", "psk_key_exchange_modes", "renegotiation_info", "extended_master_secret"];
    for (const version of ["1.3", "1.2", "both"] as const) {
      const kinds = makeClientHello({ version, serverName: "localhost" }).clientHello.extensions.map((e) => e.kind);
      expectSame(kinds, order.filter((k) => kinds.includes(k as ClientExtension["kind"])), `the extensions of the "${version}" offer, in order`);
    }
    expectSame(
      makeClientHello({ version: "both", serverName: "localhost" }).clientHello.extensions.map((e) => e.kind),
      order,
      "the extensions of the \"both\" offer",
    );
  });

  it("01.8 by default every offer lists x25519, secp256r1 and secp384r1, in that order (a TLS 1.2 server may use a P-384 certificate only if the client lists the curve, RFC 8422 §5.1.1)", () => {
    for (const version of ["1.3", "1.2", "both"] as const) {
      const groups = makeClientHello({ version }).clientHello.extensions.find((e) => e.kind === "supported_groups");
      expectSame(groups?.kind === "supported_groups" && groups.groups, [0x001d, 0x0017, 0x0018], `supported_groups of the "${version}" offer`, { table: NamedGroup });
    }
  });

  it("01.8 the default \"both\" offer lists every suite the project runs and nothing else, TLS 1.3 first, then TLS 1.2 with forward secrecy first (ECDHE, DHE, then RSA key exchange; RFC 7525 §4.2)", () => {
    const offered = makeClientHello({ version: "both" }).clientHello.cipherSuites;
    // The registry of suites the chapters negotiate (lib/constants.ts): the outside list the offer must match.
    const runnable = [...cipherSuites.values()];
    expectSame([...offered].sort((a, b) => a - b), runnable.map((s) => (CipherSuite as Record<string, number>)[s.name]!).sort((a, b) => a - b), "the suites offered, as a set", { table: AnyCipherSuite });
    const rank = (code: number): number => {
      const info = cipherSuites.get(code)!;
      return info.version === "TLS 1.3" ? 0 : info.keyExchange.startsWith("ECDHE") ? 1 : info.keyExchange.startsWith("DHE") ? 2 : 3;
    };
    const ranks = offered.map(rank);
    expect(ranks, `the order of ${offered.map((s) => showCode(s, AnyCipherSuite)).join(", ")}`).to.deep.equal([...ranks].sort((a, b) => a - b));
  });

  // ---- Live: real clients' ClientHellos --------------------------------------------------------------------

  describe("live: ClientHellos captured from Node's tls.connect and openssl s_client", () => {
    const captured = new Map<string, Uint8Array>();
    before(async function () {
      this.timeout(15000);
      const connectors = {
        "node default": connectNode(),
        "node configured": connectNode({ ciphers: "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256", ecdhCurve: "X25519:P-256" }),
        "openssl default": connectOpenSsl(),
        "openssl configured": connectOpenSsl([
          "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384", "-groups", "P-256:X25519",
        ]),
      };
      const results = await Promise.all(Object.values(connectors).map((c) => captureClientHello(c)));
      Object.keys(connectors).forEach((name, i) => captured.set(name, capturedMessage(results[i]!)));
    });

    for (const name of ["node default", "node configured", "openssl default", "openssl configured"]) {
      it(`01.5 re-encodes the ClientHello of ${name.replace(/ .*/, name.startsWith("node") ? " tls.connect" : " s_client")} (${name.split(" ")[1]}) byte for byte`, () => {
        const m = captured.get(name)!;
        expectBytes(encodeClientHello(decodeClientHello(m)), m, "the ClientHello, decoded and encoded again", { structure: handshakes });
      });
    }

    it("01.6 decodes Node's ClientHello: server_name localhost, the configured suites and groups, versions 1.3 and 1.2, raw extensions kept", () => {
      const m = captured.get("node configured")!;
      const r = new ByteReader(m);
      const ch = readClientHelloMessage(r);
      expectSame(ch.cipherSuites.filter((s) => s !== 0x00ff), [0x1301, 0xc02f], "the suites given in `ciphers`", { table: AnyCipherSuite });
      expectContains(ch.extensions, { kind: "server_name", serverNames: [{ nameType: 0, hostName: "localhost" }] }, "extensions");
      expectContains(ch.extensions, { kind: "supported_groups", groups: [0x001d, 0x0017] }, "extensions");
      expectContains(ch.extensions, { kind: "supported_versions", versions: [0x0304, 0x0303] }, "extensions");
      const share = ch.extensions.find((e) => e.kind === "key_share");
      expectSame(share?.kind === "key_share" && share.shares.map((s) => ({ group: s.group, keyLength: s.keyExchange.length })), [{ group: 0x1d, keyLength: 32 }], "key shares");
      // Whatever this Node sends beyond what the chapter decodes (session_ticket, encrypt_then_mac, …) stays raw.
      const raw = ch.extensions.filter((e) => e.kind === "raw");
      expect(raw.length).to.be.greaterThan(0);
      const dump = renderText(m, r.annotations);
      for (const e of raw) if (e.kind === "raw") expect(dump).to.include(`0x${e.type.toString(16).padStart(4, "0")}`);
    });

    it("01.6 decodes openssl s_client's ClientHello: the configured suites, a P-256 share first (65 bytes, 04), localhost", () => {
      const ch = decodeClientHello(captured.get("openssl configured")!);
      expectSame(ch.cipherSuites.filter((s) => s !== 0x00ff), [0x1303, 0xc030], "the suites given to s_client", { table: AnyCipherSuite });
      expectContains(ch.extensions, { kind: "server_name", serverNames: [{ nameType: 0, hostName: "localhost" }] }, "extensions");
      expectContains(ch.extensions, { kind: "supported_groups", groups: [0x0017, 0x001d] }, "extensions");
      const share = ch.extensions.find((e) => e.kind === "key_share");
      expectSame(
        share?.kind === "key_share" && share.shares.map((s) => ({ group: s.group, keyLength: s.keyExchange.length, firstByte: s.keyExchange[0] })),
        [{ group: 0x17, keyLength: 65, firstByte: 4 }],
        "key shares",
      );
    });

    it("01.6 decodes the default ClientHellos of Node and openssl with no error and a 32-byte random", () => {
      for (const name of ["node default", "openssl default"]) {
        const ch = decodeClientHello(captured.get(name)!);
        expect(ch.random.length, name).to.equal(32);
        expect(ch.extensions.map((e) => e.kind), name).to.include("supported_versions");
      }
    });
  });

  // ---- Live: the learner's ClientHello sent to real servers ------------------------------------------------

  describe("live: the learner's ClientHello answered by Node's tls server and openssl s_server", () => {
    let node13: NodeServer;
    let node12: NodeServer;
    let nodeP256: NodeServer;
    let nodeP384: NodeServer;
    let openssl13: OpenSslServer;
    let openssl12: OpenSslServer;
    before(async function () {
      this.timeout(15000);
      [node13, node12, nodeP256, nodeP384, openssl13, openssl12] = await Promise.all([
        startNodeServer({ ciphers: "TLS_AES_256_GCM_SHA384", minVersion: "TLSv1.3" }),
        startNodeServer({ ciphers: "ECDHE-RSA-AES256-GCM-SHA384", maxVersion: "TLSv1.2" }),
        startNodeServer({ ciphers: "TLS_AES_128_GCM_SHA256", minVersion: "TLSv1.3", ecdhCurve: "P-256" }),
        startNodeServer({ ciphers: "TLS_AES_128_GCM_SHA256", minVersion: "TLSv1.3", ecdhCurve: "P-384" }),
        startOpenSslServer(["-tls1_3", "-trace"]),
        startOpenSslServer(["-tls1_2", "-trace"]),
      ]);
    });
    after(async () => {
      await Promise.all([node13, node12, nodeP256, nodeP384, openssl13, openssl12].map((s) => s?.close()));
    });

    const send = async (port: number, offer: Parameters<typeof makeClientHello>[0]) => {
      const { clientHello } = makeClientHello(offer);
      const reply = await exchange(port, clientHelloRecord(clientHello).toBytes());
      return { clientHello, sh: minimalServerHello(reply) };
    };

    it("01.8 a TLS 1.3 offer gets a ServerHello from Node's tls server: supported_versions 0x0304, the one suite it allows", async () => {
      const { clientHello, sh } = await send(node13.port, { version: "1.3", serverName: "localhost" });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      expect(Buffer.from(sh.extensionBlock).indexOf(SUPPORTED_VERSIONS_TLS13)).to.be.at.least(0);
      expectCodeIn(sh.cipherSuite, clientHello.cipherSuites, AnyCipherSuite, "the server's suite (must be one offered)");
      expectCode(sh.cipherSuite, CipherSuite.TLS_AES_256_GCM_SHA384, AnyCipherSuite, "the server's only suite");
    });

    it("01.8 a TLS 1.2 offer gets a ServerHello from Node's tls server (maxVersion TLSv1.2): legacy_version 03 03, no supported_versions", async () => {
      const { clientHello, sh } = await send(node12.port, { version: "1.2", serverName: "localhost" });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      expectCode(sh.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "the ServerHello's legacy_version");
      expect(sh.extensionTypes).to.not.include(43);
      expectCodeIn(sh.cipherSuite, clientHello.cipherSuites, AnyCipherSuite, "the server's suite (must be one offered)");
      expectCode(sh.cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, AnyCipherSuite, "the server's only suite");
    });

    it("01.8 a TLS 1.3 offer gets a ServerHello from openssl s_server -tls1_3 with the suite and random its trace reports", async () => {
      const { clientHello, sh } = await send(openssl13.port, { version: "1.3", serverName: "localhost" });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      expect(Buffer.from(sh.extensionBlock).indexOf(SUPPORTED_VERSIONS_TLS13)).to.be.at.least(0);
      const traced = serverHelloFromTrace(await openssl13.waitForOutput(/ServerHello, Length=\d+\n(?:.+\n)*\n/));
      expectCode(traced.version, ProtocolVersion.TLS1_3, ProtocolVersion, "the version openssl's trace reports");
      expectCode(sh.cipherSuite, traced.cipherSuite, AnyCipherSuite, "the suite (expected: openssl's trace)");
      expectBytes(sh.random, traced.random, "the server random (expected: openssl's trace)");
      expectCodeIn(sh.cipherSuite, clientHello.cipherSuites, AnyCipherSuite, "the server's suite (must be one offered)");
    });

    it("01.8 a TLS 1.2 offer gets a ServerHello from openssl s_server -tls1_2 with the suite and random its trace reports", async () => {
      const { clientHello, sh } = await send(openssl12.port, { version: "1.2", serverName: "localhost" });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      expectCode(sh.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "the ServerHello's legacy_version");
      expect(sh.extensionTypes).to.not.include(43);
      const traced = serverHelloFromTrace(await openssl12.waitForOutput(/ServerHello, Length=\d+\n(?:.+\n)*\n/));
      expectCode(traced.version, ProtocolVersion.TLS1_2, ProtocolVersion, "the version openssl's trace reports");
      expectCode(sh.cipherSuite, traced.cipherSuite, AnyCipherSuite, "the suite (expected: openssl's trace)");
      expectBytes(sh.random, traced.random, "the server random (expected: openssl's trace)");
      expectCodeIn(sh.cipherSuite, clientHello.cipherSuites, AnyCipherSuite, "the server's suite (must be one offered)");
    });

    it("01.8 one \"both\" offer: Node's TLS 1.3 server answers with supported_versions 0x0304 and a 1.3 suite; its TLS 1.2-only server with legacy_version 0x0303, no supported_versions, a 1.2 suite", async () => {
      const to13 = await send(node13.port, { version: "both", serverName: "localhost" });
      expect(Buffer.from(to13.sh.extensionBlock).indexOf(SUPPORTED_VERSIONS_TLS13), "supported_versions 0x0304 in the ServerHello").to.be.at.least(0);
      expectCode(to13.sh.cipherSuite, CipherSuite.TLS_AES_256_GCM_SHA384, AnyCipherSuite, "the TLS 1.3 server's only suite");
      const to12 = await send(node12.port, { version: "both", serverName: "localhost" });
      expectCode(to12.sh.legacyVersion, ProtocolVersion.TLS1_2, ProtocolVersion, "the TLS 1.2 server's legacy_version");
      expect(to12.sh.extensionTypes, "a TLS 1.2 ServerHello has no supported_versions").to.not.include(43);
      expectCode(to12.sh.cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, AnyCipherSuite, "the TLS 1.2 server's only suite");
    });

    it("01.7 a P-384 key share from makeKeyPair is accepted by a Node server that allows only P-384 (an alert would mean a bad point)", async () => {
      const { sh } = await send(nodeP384.port, { version: "1.3", groups: [0x0018], keyShareGroups: [0x0018] });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      const keyShare = splitExtensions(sh.extensionBlock).find((e) => e.type === 51);
      expect(keyShare, "a key_share in the ServerHello").to.not.equal(undefined);
      expectCode(readU16(keyShare!.data, 0), NamedGroup.secp384r1, NamedGroup, "the server's key share group (P-384, like ours)");
      expect(readU16(keyShare!.data, 2), "the server's P-384 point: 97 bytes").to.equal(97);
    });

    it("01.7 a P-256 key share from makeKeyPair is accepted by a Node server that allows only P-256 (an alert would mean a bad point)", async () => {
      const { sh } = await send(nodeP256.port, { version: "1.3", groups: [0x0017], keyShareGroups: [0x0017] });
      expectCode(sh.type, HandshakeType.server_hello, HandshakeType, "the reply's first handshake message");
      expect(sh.extensionTypes).to.include(51);
      const keyShare = splitExtensions(sh.extensionBlock).find((e) => e.type === 51)!;
      expectCode(readU16(keyShare.data, 0), NamedGroup.secp256r1, NamedGroup, "the server's key share group (P-256, like ours)");
    });
  });
});
