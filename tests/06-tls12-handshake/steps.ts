// The steps of the TLS 1.2 client handshake (06.6–06.12), each run ALONE on recorded inputs: four connections with
// `openssl s_server` (tests/vectors/recorded-tls12: ECDHE, DHE, RSA key exchange, and one with a CertificateRequest)
// and the tls12.xargs.org capture. A step gets what the step before it would have handed over, built here from the
// recording (with chapters 01–05's decoders, graded earlier), never by the learner's other steps of this chapter;
// what it produces (the records it writes, the transcript it leaves, the premaster and master secret, the keys) is
// compared with the recording, with s_server's key log, or with Node's crypto. So a bug in one step fails that step's
// tests and no other step's.
import { expect } from "chai";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { CipherSuite, ContentType, HandshakeType, NamedGroup, cipherSuites } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { readPemCertificates } from "../../lib/pem.js";
import { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, decodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { decodeServerHello, encodeServerHello } from "../../chapters/02-server-hello/index.js";
import { parseCertificates, validateChain } from "../../chapters/03-certificates/index.js";
import { keyBlock, keyBlockParams } from "../../chapters/04-rsa-key-exchange/index.js";
import { checkDhParams, decodeServerKeyExchange } from "../../chapters/05-dhe-key-exchange/index.js";
import {
  type Hello12,
  type ServerFlight12,
  TLS12_SUITES,
  type Tls12Secrets,
  Tls12RecordLayer,
  establishKeys12,
  processServerHello12,
  readServerFinished12,
  readServerFlight12,
  sendClientFinished12,
  sendClientHello12,
  sendClientKeyExchange12,
} from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { replayTransport } from "../support/replay-transport.js";
import { handshakes, records as recordStructure } from "../support/structures.js";
import { referenceOpen } from "../support/tls12-oracle.js";
import { fixtureRsaKey, nodeRawDecrypt } from "../04-rsa-key-exchange/oracles.js";
import { expectRejection } from "./helpers.js";

type Name = "ecdhe" | "dhe" | "rsa" | "ecdhe-certreq";
interface Recording {
  cipherSuite: number;
  servername: string;
  recordedAt: string;
  fixed: { clientRandom: string; x25519Private: string };
  keyLog: string;
  root: string;
  records: { from: "client" | "server"; hex: string }[];
}

const VECTORS = new URL("../vectors/", import.meta.url);
const load = (name: Name): Recording => JSON.parse(readFileSync(new URL(`recorded-tls12/${name}.json`, VECTORS), "utf8")) as Recording;
/** The recording's records, each whole (header included), with who sent it. */
const recordsOf = (name: Name) => load(name).records.map((r) => ({ from: r.from, bytes: fromHex(r.hex) }));
const serverRecords = (name: Name) => recordsOf(name).filter((r) => r.from === "server").map((r) => r.bytes);
const clientRecords = (name: Name) => recordsOf(name).filter((r) => r.from === "client").map((r) => r.bytes);
/** The handshake messages that went in the clear, in order (each recorded record holds one): ClientHello … ClientKeyExchange. */
const plainMessages = (name: Name) => {
  const out: Uint8Array[] = [];
  for (const r of recordsOf(name)) {
    if (r.bytes[0] === ContentType.change_cipher_spec) break;
    if (r.bytes[0] === ContentType.handshake) out.push(r.bytes.slice(5));
  }
  return out;
};
const message = (name: Name, type: number) => plainMessages(name).find((m) => m[0] === type)!;
const master = (name: Name) => fromHex(load(name).keyLog.split(" ")[2]!);
const roots = (name: Name) => parseCertificates(readPemCertificates(load(name).root, "root"));
const recordedAt = (name: Name) => new Date(load(name).recordedAt);
const fixedKeyPair = (name: Name) => {
  const privateKey = fromHex(load(name).fixed.x25519Private);
  return { group: NamedGroup.x25519, privateKey, publicKey: nodeX25519Public(privateKey) };
};
/** The recording's fixed random source: n bytes 01 02 03 … */
const fixedRandom = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i + 1) & 0xff);

/** A record layer over a replay of `records`. */
const layerOver = (records: Uint8Array[]) => {
  const transport = replayTransport(records);
  return { records: new Tls12RecordLayer(transport), transport };
};
/** A plaintext handshake record around `message`, as the servers frame them. */
const plain = (m: Uint8Array, type: number = ContentType.handshake) => Uint8Array.from([type, 3, 3, m.length >> 8, m.length & 0xff, ...m]);

/** What processServerHello12 would have returned for a recording, built from its messages. */
function helloOf(name: Name): Hello12 {
  const clientHello = decodeClientHello(message(name, HandshakeType.client_hello));
  const serverHello = decodeServerHello(message(name, HandshakeType.server_hello));
  const suite = cipherSuites.get(serverHello.cipherSuite)!;
  return { clientHello, serverHello, cipherSuite: serverHello.cipherSuite, suite, hash: "SHA-256", extendedMasterSecret: true };
}

/** What readServerFlight12 would have returned for a recording, built from its messages with chapters 03 and 05. */
function flightOf(name: Name): ServerFlight12 {
  const certificate = message(name, HandshakeType.certificate);
  // Certificate body: certificate_list<3>, each ASN.1Cert<3> (RFC 5246 §7.4.2).
  const certs: Uint8Array[] = [];
  for (let at = 7; at < certificate.length; ) {
    const n = (certificate[at]! << 16) | (certificate[at + 1]! << 8) | certificate[at + 2]!;
    certs.push(certificate.slice(at + 3, at + 3 + n));
    at += 3 + n;
  }
  const serverCertificates = parseCertificates(certs);
  const validation = validateChain(serverCertificates, { roots: roots(name), host: "localhost", at: recordedAt(name) });
  const ske = message(name, HandshakeType.server_key_exchange);
  const kind = name === "dhe" ? "dhe" : "ecdhe";
  const serverKeyExchange = ske === undefined ? undefined : decodeServerKeyExchange(ske, kind);
  const dh = serverKeyExchange?.kind === "dhe" ? checkDhParams(serverKeyExchange.params) : undefined;
  return {
    serverCertificates,
    validation,
    serverKey: serverCertificates[0]!.publicKey,
    ...(serverKeyExchange !== undefined ? { serverKeyExchange } : {}),
    ...(dh !== undefined ? { dh } : {}),
    certificateRequested: name === "ecdhe-certreq",
  };
}

// ---- oracles on Node's crypto ----------------------------------------------------------------------------------

function nodeX25519Public(privateKey: Uint8Array): Uint8Array {
  const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), privateKey]);
  const jwk = crypto.createPublicKey(crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "jwk" }) as { x: string };
  return new Uint8Array(Buffer.from(jwk.x, "base64url"));
}
function nodeX25519(privateKey: Uint8Array, peer: Uint8Array): Uint8Array {
  const priv = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), privateKey]), format: "der", type: "pkcs8" });
  const pub = crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), peer]), format: "der", type: "spki" });
  return new Uint8Array(crypto.diffieHellman({ privateKey: priv, publicKey: pub }));
}
/** Ys^x mod p with Node's DH, leading zeros stripped (RFC 5246 §8.1.2). */
function nodeDhPremaster(p: bigint, g: bigint, x: Uint8Array, ys: bigint): Uint8Array {
  const hexOf = (n: bigint) => Buffer.from(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, "0"), "hex");
  const dh = crypto.createDiffieHellman(hexOf(p), hexOf(g));
  dh.setPrivateKey(Buffer.from(x));
  const z = dh.computeSecret(hexOf(ys));
  let at = 0;
  while (at < z.length - 1 && z[at] === 0) at++;
  return new Uint8Array(z.subarray(at));
}
const sha256 = (...parts: Uint8Array[]) => new Uint8Array(crypto.createHash("sha256").update(Buffer.concat(parts)).digest());
/** The recording's premaster, from its fixed values: Node's X25519 or DH, or RSA's 03 03 || 46 fixed bytes. */
function premasterOf(name: Name): Uint8Array {
  const flight = flightOf(name);
  if (flight.serverKeyExchange?.kind === "ecdhe") return nodeX25519(fromHex(load(name).fixed.x25519Private), flight.serverKeyExchange.params.point);
  if (flight.dh !== undefined) return nodeDhPremaster(flight.dh.p, flight.dh.g, fixedRandom(256), flight.dh.ys);
  return Uint8Array.from([3, 3, ...fixedRandom(46)]);
}
/** The secrets establishKeys12 would have returned: the master from s_server's key log, the keys from chapter 04. */
function secretsOf(name: Name): Tls12Secrets {
  const h = helloOf(name);
  const keys = keyBlock("SHA-256", master(name), h.clientHello.random, h.serverHello.random, keyBlockParams(h.cipherSuite));
  return { clientRandom: h.clientHello.random, serverRandom: h.serverHello.random, premaster: premasterOf(name), master: master(name), extendedMasterSecret: true, keys };
}

const ALL: Name[] = ["ecdhe", "dhe", "rsa", "ecdhe-certreq"];

describe("06.6 sendClientHello12: our offer", function () {
  it("06.6 the options become the offer: SNI (none for an IP address), every suite by default, the groups and schemes, the extended master secret unless asked not to", () => {
    const sent = (options: Parameters<typeof sendClientHello12>[1]) => {
      const { records, transport } = layerOver([]);
      const ch = sendClientHello12(records, options);
      expectSame(transport.written.map((r) => r.slice(5)), [records.transcript.messages[0]], "the record sent holds the message kept for the transcript");
      expectSame(decodeClientHello(transport.written[0]!.slice(5)), ch, "what went out, decoded, is what was returned");
      return ch;
    };
    const ch = sent({ servername: "localhost", ca: [] });
    expectSame(findExtension(ch.extensions, "server_name")?.serverNames.map((n) => n.hostName), ["localhost"], "server_name");
    expectSame(ch.cipherSuites, [...TLS12_SUITES], "cipher_suites (default: every suite this client runs)");
    expectSame(findExtension(ch.extensions, "supported_groups")?.groups, [...DEFAULT_GROUPS], "supported_groups");
    expectSame(findExtension(ch.extensions, "signature_algorithms")?.schemes, [...DEFAULT_SIGNATURE_SCHEMES], "signature_algorithms");
    expect(ch.extensions.some((e) => e.kind === "extended_master_secret"), "extended_master_secret offered").to.equal(true);
    const other = sent({ servername: "127.0.0.1", ca: [], cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256], groups: [NamedGroup.secp256r1], extendedMasterSecret: false });
    expect(findExtension(other.extensions, "server_name"), "no server_name for an IP address (RFC 6066 §3)").to.equal(undefined);
    expectSame(other.cipherSuites, [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256], "cipher_suites as asked");
    expectSame(findExtension(other.extensions, "supported_groups")?.groups, [NamedGroup.secp256r1], "supported_groups as asked");
    expect(other.extensions.some((e) => e.kind === "extended_master_secret"), "extended_master_secret with extendedMasterSecret: false").to.equal(false);
  });

  it("06.6 options.fixed's ClientHello goes out as the recorded ClientHello record, byte for byte", () => {
    const { records, transport } = layerOver([]);
    sendClientHello12(records, { servername: "localhost", ca: [], fixed: { clientHello: decodeClientHello(message("ecdhe", HandshakeType.client_hello)) } });
    expectSame(transport.written, [clientRecords("ecdhe")[0]], "the ClientHello record", { structure: recordStructure });
  });
});

describe("06.7 processServerHello12: the server's choice", function () {
  for (const name of ALL) {
    it(`06.7 ${name}: the recorded ServerHello is accepted: its suite, the extended master secret, SHA-256, the ServerHello in the transcript`, async () => {
      const { records } = layerOver(serverRecords(name));
      const h = await processServerHello12(records, decodeClientHello(message(name, HandshakeType.client_hello)));
      expectCode(h.cipherSuite, load(name).cipherSuite, CipherSuite, "the suite");
      expect([h.extendedMasterSecret, h.hash, h.suite.name], "extended master secret, hash, suite").to.deep.equal([true, "SHA-256", cipherSuites.get(load(name).cipherSuite)!.name]);
      expectBytes(h.serverHello.random, message(name, HandshakeType.server_hello).slice(6, 38), "the server random");
      expectSame(records.transcript.messages, [message(name, HandshakeType.server_hello)], "the transcript (the ServerHello, added by the record layer)", { structure: handshakes });
    });
  }

  it("06.7 a ServerHello without extended_master_secret: extendedMasterSecret is false", async () => {
    const sh = decodeServerHello(message("ecdhe", HandshakeType.server_hello));
    const without = encodeServerHello({ ...sh, extensions: sh.extensions.filter((e) => e.kind !== "extended_master_secret") });
    const h = await processServerHello12(layerOver([plain(without)]).records, decodeClientHello(message("ecdhe", HandshakeType.client_hello)));
    expect(h.extendedMasterSecret, "extendedMasterSecret").to.equal(false);
  });

  it("06.7 a suite we offered but cannot run (tls12.xargs.org's AES-128-CBC) is illegal_parameter; a suite we never offered too (chapter 02's check)", async () => {
    const cap = (f: string) => new Uint8Array(readFileSync(new URL(`illustrated-tls12/caps/${f}`, VECTORS)));
    let e = await expectRejection(() => processServerHello12(layerOver([cap("serverhello")]).records, decodeClientHello(cap("clienthello").slice(5))));
    expect([e.alertName, e.field], e.message).to.deep.equal(["illegal_parameter", "cipher_suite"]);
    const sh = decodeServerHello(message("ecdhe", HandshakeType.server_hello));
    const other = encodeServerHello({ ...sh, cipherSuite: CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384 });
    e = await expectRejection(() => processServerHello12(layerOver([plain(other)]).records, decodeClientHello(message("ecdhe", HandshakeType.client_hello))));
    expect(e.alertName, e.message).to.equal("illegal_parameter");
  });
});

describe("06.8 readServerFlight12: Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone", function () {
  /** The recording's server records from its Certificate on (the ServerHello read by the record layer first). */
  const run = async (name: Name, records: Uint8Array[], options: Partial<Parameters<typeof readServerFlight12>[2]> = {}) => {
    const layer = layerOver(records).records;
    await layer.readHandshake();
    const flight = await readServerFlight12(layer, helloOf(name), { ca: roots(name), servername: "localhost", at: recordedAt(name), ...options });
    return { flight, layer };
  };

  for (const name of ALL) {
    it(`06.8 ${name}: the recorded flight: the chain validated, the key exchange values checked, every message in the transcript`, async () => {
      const { flight, layer } = await run(name, serverRecords(name));
      expect(flight.serverKey.kind, "the server's key").to.equal("rsa");
      expect(flight.validation.path.length, "the validated path").to.equal(2);
      expect(flight.serverKeyExchange?.kind, "ServerKeyExchange").to.equal(name === "rsa" ? undefined : name === "dhe" ? "dhe" : "ecdhe");
      expect(flight.dh !== undefined, "DH parameters").to.equal(name === "dhe");
      expect(flight.certificateRequested, "certificateRequested").to.equal(name === "ecdhe-certreq");
      const expected = plainMessages(name).filter((m) => m[0] !== HandshakeType.client_hello && m[0] !== HandshakeType.client_key_exchange && !(m[0] === HandshakeType.certificate && m.length === 7));
      expectSame(layer.transcript.messages, expected, "the transcript: ServerHello … ServerHelloDone", { structure: handshakes });
    });
  }

  const at = (type: number) => serverRecords("ecdhe").findIndex((r) => r[5] === type && r[0] === ContentType.handshake);
  const replace = (name: Name, type: number, change: (m: Uint8Array) => Uint8Array[]) =>
    serverRecords(name).flatMap((r, i) => (i === at(type) && r[0] === ContentType.handshake && r[5] === type ? change(r.slice(5)).map((m) => plain(m)) : [r]));
  for (const [label, records, alert, options] of [
    [
      "one byte of the ServerKeyExchange signature changed",
      () =>
        replace("ecdhe", HandshakeType.server_key_exchange, (m) => {
          const c = m.slice();
          c[c.length - 1]! ^= 1;
          return [c];
        }),
      "decrypt_error",
    ],
    ["Certificate and ServerKeyExchange swapped", () => { const r = serverRecords("ecdhe"); return [r[0]!, r[2]!, r[1]!, ...r.slice(3)]; }, "unexpected_message"],
    ["no ServerKeyExchange in an ECDHE handshake", () => replace("ecdhe", HandshakeType.server_key_exchange, () => []), "unexpected_message"],
    ["a ServerHelloDone with a body", () => replace("ecdhe", HandshakeType.server_hello_done, () => [Uint8Array.of(14, 0, 0, 1, 0)]), "decode_error"],
    ["a curve we did not offer (we offered only P-256)", () => serverRecords("ecdhe"), "illegal_parameter", { groups: [NamedGroup.secp256r1] }],
    ["a root we do not trust", () => serverRecords("ecdhe"), "unknown_ca", { ca: [] }],
    ["a name the certificate does not cover", () => serverRecords("ecdhe"), "bad_certificate", { servername: "example.com" }],
  ] as [string, () => Uint8Array[], string, object?][]) {
    it(`06.8 ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => run("ecdhe", records(), options));
      expect(e.alertName, e.message).to.equal(alert);
    });
  }

  it("06.8 a ServerKeyExchange in an RSA key exchange (where none belongs): unexpected_message", async () => {
    const r = serverRecords("rsa");
    const e = await expectRejection(() => run("rsa", [r[0]!, r[1]!, plain(message("ecdhe", HandshakeType.server_key_exchange)), ...r.slice(2)]));
    expect(e.alertName, e.message).to.equal("unexpected_message");
  });
});

describe("06.9 sendClientKeyExchange12: the premaster secret", function () {
  for (const name of ["ecdhe", "dhe", "ecdhe-certreq"] as Name[]) {
    it(`06.9 ${name}: with the recording's fixed key, the ClientKeyExchange is the recorded one, and the premaster Node's ${name === "dhe" ? "DH" : "X25519"}`, () => {
      const { records, transport } = layerOver([]);
      const premaster = sendClientKeyExchange12(records, helloOf(name), flightOf(name), { keyPair: fixedKeyPair(name), random: fixedRandom });
      const recorded = clientRecords(name);
      // After the ClientHello (and, in ecdhe-certreq, our empty Certificate: sent by the step before, client-auth.ts),
      // before ChangeCipherSpec: the ClientKeyExchange alone.
      const expected = recorded.slice(1, recorded.findIndex((r) => r[0] === ContentType.change_cipher_spec)).filter((r) => r[5] !== HandshakeType.certificate);
      expectSame(transport.written, expected, "ClientKeyExchange", {
        structure: recordStructure,
      });
      expectBytes(premaster, premasterOf(name), "the premaster secret");
    });
  }

  it("06.9 tls12.xargs.org: with the capture's X25519 key, its ClientKeyExchange byte for byte, and the page's pre_master_secret", () => {
    const dir = new URL("illustrated-tls12/", VECTORS);
    const values = JSON.parse(readFileSync(new URL("values.json", dir), "utf8")) as { clientEphemeralX25519: { private: string; public: string }; statedOnPage: { pre_master_secret: string } };
    const cap = (f: string) => new Uint8Array(readFileSync(new URL(`caps/${f}`, dir)));
    const ch = decodeClientHello(cap("clienthello").slice(5));
    const sh = decodeServerHello(cap("serverhello").slice(5));
    const hello: Hello12 = { clientHello: ch, serverHello: sh, cipherSuite: sh.cipherSuite, suite: cipherSuites.get(sh.cipherSuite)!, hash: "SHA-256", extendedMasterSecret: false };
    const flight = { serverKeyExchange: decodeServerKeyExchange(cap("serverkeyexchange").slice(5), "ecdhe"), certificateRequested: false } as ServerFlight12;
    const keyPair = { group: NamedGroup.x25519, privateKey: fromHex(values.clientEphemeralX25519.private), publicKey: fromHex(values.clientEphemeralX25519.public) };
    const { records, transport } = layerOver([]);
    const premaster = sendClientKeyExchange12(records, hello, flight, { keyPair });
    expectSame(transport.written, [cap("clientkeyexchange")], "ClientKeyExchange", { structure: recordStructure });
    expectBytes(premaster, fromHex(values.statedOnPage.pre_master_secret), "the premaster secret");
  });

  it("06.9 RSA: the premaster is 03 03 (the version we offered) and the 46 random bytes, and the server's key decrypts the ClientKeyExchange to it (Node, raw RSA)", () => {
    const { records, transport } = layerOver([]);
    const premaster = sendClientKeyExchange12(records, helloOf("rsa"), flightOf("rsa"), { random: fixedRandom });
    expectBytes(premaster, Uint8Array.from([3, 3, ...fixedRandom(46)]), "the premaster secret");
    const cke = transport.written[0]!.slice(5);
    expect(cke[0], "a client_key_exchange").to.equal(HandshakeType.client_key_exchange);
    const block = nodeRawDecrypt(fixtureRsaKey(readFixture("server-rsa.key")), cke.slice(4 + 2));
    expectBytes(block.slice(block.length - 48), premaster, "the RSA block's last 48 bytes, decrypted by Node with the server's key");
    expect([block[0], block[1], block[block.length - 49]], "00 02 … 00 (PKCS#1 v1.5)").to.deep.equal([0, 2, 0]);
  });
});

describe("06.10 establishKeys12: the master secret, the keys, the key log line", function () {
  for (const name of ALL) {
    it(`06.10 ${name}: the session hash over ClientHello … ClientKeyExchange, the master secret s_server logged, keys that open its Finished (Node's AES-GCM)`, () => {
      const { records } = layerOver([]);
      for (const m of plainMessages(name)) records.transcript.add(m);
      const keyLog: string[] = [];
      const secrets = establishKeys12(records, helloOf(name), premasterOf(name), (line) => keyLog.push(line));
      expectBytes(secrets.sessionHash, sha256(...plainMessages(name)), "the session hash (RFC 7627 §3)");
      expectBytes(secrets.master, master(name), "the master secret, as s_server's key log has it");
      expectSame(keyLog, [load(name).keyLog], "the key log line");
      const serverFinished = serverRecords(name).filter((r) => r[0] === ContentType.handshake).at(-1)!;
      const opened = referenceOpen(secrets.keys.serverKey, secrets.keys.serverIv, 0n, serverFinished);
      expect([opened[0], opened.length], "the server's Finished, opened with the server_write key and salt").to.deep.equal([HandshakeType.finished, 16]);
    });
  }

  it("06.10 tls12.xargs.org (no extended master secret, AES-128-CBC): the key log's master secret and the page's key block", () => {
    const dir = new URL("illustrated-tls12/", VECTORS);
    const values = JSON.parse(readFileSync(new URL("values.json", dir), "utf8")) as { statedOnPage: { pre_master_secret: string } };
    const expansion = JSON.parse(readFileSync(new URL("key-expansion.json", dir), "utf8")) as Record<string, unknown>;
    const cap = (f: string) => new Uint8Array(readFileSync(new URL(`caps/${f}`, dir)));
    const sh = decodeServerHello(cap("serverhello").slice(5));
    const hello: Hello12 = { clientHello: decodeClientHello(cap("clienthello").slice(5)), serverHello: sh, cipherSuite: sh.cipherSuite, suite: cipherSuites.get(sh.cipherSuite)!, hash: "SHA-256", extendedMasterSecret: false };
    const keyLog: string[] = [];
    const secrets = establishKeys12(layerOver([]).records, hello, fromHex(values.statedOnPage.pre_master_secret), (line) => keyLog.push(line));
    expectSame(keyLog, [readFileSync(new URL("keylog.txt", dir), "utf8").trim()], "the key log line");
    expect(secrets.sessionHash, "no session hash without RFC 7627").to.equal(undefined);
    const page = (key: string) => fromHex(String(expansion[key]));
    expectSame(
      { clientMacKey: secrets.keys.clientMacKey, serverMacKey: secrets.keys.serverMacKey, clientKey: secrets.keys.clientKey, serverKey: secrets.keys.serverKey, clientIv: secrets.keys.clientIv, serverIv: secrets.keys.serverIv },
      { clientMacKey: page("client MAC key"), serverMacKey: page("server MAC key"), clientKey: page("client write key"), serverKey: page("server write key"), clientIv: page("client write IV"), serverIv: page("server write IV") },
      "the key block, as the page prints it",
    );
    expectBytes(secrets.master, fromHex(readFileSync(new URL("keylog.txt", dir), "utf8").trim().split(" ")[2]!), "the master secret");
  });

  it("06.10 the key log line: CLIENT_RANDOM, 64 and 96 lowercase hex digits; wrong lengths are internal_error", () => {
    const h = helloOf("ecdhe");
    const keyLog: string[] = [];
    establishKeys12(layerOver([]).records, { ...h, extendedMasterSecret: false }, premasterOf("ecdhe"), (line) => keyLog.push(line));
    expect(keyLog[0], "the key log line").to.match(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    expectBytes(fromHex(keyLog[0]!.split(" ")[1]!), h.clientHello.random, "the client random in the line");
  });
});

describe("06.11 sendClientFinished12: ChangeCipherSpec, then our Finished", function () {
  for (const name of ["ecdhe", "rsa", "ecdhe-certreq"] as Name[]) {
    it(`06.11 ${name}: the records written are the recorded ChangeCipherSpec and encrypted Finished, byte for byte`, () => {
      const { records, transport } = layerOver([]);
      for (const m of plainMessages(name)) records.transcript.add(m);
      sendClientFinished12(records, helloOf(name), secretsOf(name));
      const recorded = clientRecords(name);
      const ccs = recorded.findIndex((r) => r[0] === ContentType.change_cipher_spec);
      expectSame(transport.written, recorded.slice(ccs, ccs + 2), "ChangeCipherSpec, then Finished (under the client_write key, record 0)", { structure: recordStructure });
    });
  }
});

describe("06.12 readServerFinished12: the server's ChangeCipherSpec and Finished", function () {
  /** The transcript up to and with our Finished: the recorded messages, and our Finished opened by Node. */
  const transcriptWithOurs = (name: Name) => {
    const s = secretsOf(name);
    const ours = clientRecords(name).filter((r) => r[0] === ContentType.handshake).at(-1)!;
    return [...plainMessages(name), referenceOpen(s.keys.clientKey, s.keys.clientIv, 0n, ours)];
  };
  const serverEnd = (name: Name) => {
    const r = serverRecords(name);
    const ccs = r.findIndex((x) => x[0] === ContentType.change_cipher_spec);
    return r.slice(ccs);
  };

  for (const name of ["ecdhe", "dhe", "rsa"] as Name[]) {
    it(`06.12 ${name}: the recorded ChangeCipherSpec and Finished check out, and the server's data after them opens under its keys`, async () => {
      const { records } = layerOver(serverEnd(name));
      for (const m of transcriptWithOurs(name)) records.transcript.add(m);
      await readServerFinished12(records, helloOf(name), secretsOf(name));
      const data = await records.readApplicationData();
      expect(new TextDecoder().decode(data!.subarray(0, 15)), "the server's answer").to.equal("HTTP/1.0 200 ok");
    });
  }

  it("06.12 the expected verify_data covers our Finished: without it in the transcript, decrypt_error", async () => {
    const { records } = layerOver(serverEnd("ecdhe"));
    for (const m of plainMessages("ecdhe")) records.transcript.add(m);
    const e = await expectRejection(() => readServerFinished12(records, helloOf("ecdhe"), secretsOf("ecdhe")));
    expect(e.alertName, e.message).to.equal("decrypt_error");
  });

  it("06.12 the Finished before the ChangeCipherSpec: unexpected_message", async () => {
    const [ccs, fin, ...rest] = serverEnd("ecdhe");
    const { records } = layerOver([fin!, ccs!, ...rest]);
    for (const m of transcriptWithOurs("ecdhe")) records.transcript.add(m);
    const e = await expectRejection(() => readServerFinished12(records, helloOf("ecdhe"), secretsOf("ecdhe")));
    expect(e.alertName, e.message).to.equal("unexpected_message");
  });

  it("06.12 the server's keys swapped for ours: bad_record_mac on its Finished", async () => {
    const { records } = layerOver(serverEnd("ecdhe"));
    for (const m of transcriptWithOurs("ecdhe")) records.transcript.add(m);
    const s = secretsOf("ecdhe");
    const swapped = { ...s, keys: { ...s.keys, serverKey: s.keys.clientKey, serverIv: s.keys.clientIv } };
    const e = await expectRejection(() => readServerFinished12(records, helloOf("ecdhe"), swapped));
    expect(e.alertName, e.message).to.equal("bad_record_mac");
  });
});

