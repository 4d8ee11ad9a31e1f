// The steps of the TLS 1.3 client handshake (08.9–08.16), each run ALONE on recorded inputs: RFC 8448's traces (§3,
// §5 for the HelloRetryRequest, §7 for middlebox compatibility) and the tls13.xargs.org capture (SHA-384). A step
// gets what the step before it would have handed over, built here from the trace itself (tests/08-tls13-handshake/
// rfc-replay.ts), never by the learner's other steps; what it produces (transcript hash, secrets, key log lines, the
// records it writes, the keys it leaves on) is compared with the values the trace prints or Node's crypto computes
// from the trace's messages. So a bug in one step fails that step's tests and no other step's.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, ContentType, HandshakeType, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { checkServerHello, decodeServerHello, findServerExtension } from "../../chapters/02-server-hello/index.js";
import { TranscriptHash } from "../../chapters/07-tls13-key-schedule/index.js";
import {
  type ClientHelloSent,
  type Hellos,
  TLS13_SUITES,
  establishHandshakeKeys,
  newClientHello13,
  processHelloRetryRequest,
  processServerHello,
  readServerCertificate,
  readServerFinished,
  readServerParameters,
  retryClientHello,
  sendClientFinished,
  sendClientHello,
} from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { findValue, rfc8448RsaKey } from "../support/rfc8448.js";
import { records as recordStructure } from "../support/structures.js";
import { type OracleDirection, oracleFinished, oracleOpen, oracleSeal, oracleTranscript, suite13 } from "../support/tls13-oracle.js";
import { expectRejection } from "./helpers.js";
import {
  RFC_TIME,
  clientX25519,
  layerOver,
  payload,
  printedTranscriptHash,
  record,
  replayOptions,
  rfcApplicationKeys,
  rfcFlight,
  rfcHandshakeKeys,
  rfcHellos,
  secret,
  traceKeys,
  validateRfcChain,
} from "./rfc-replay.js";
import { handshakeMessage, illustrated, illustratedMessage, illustratedValues, rfcMessage, stated } from "./vectors.js";

const SHA256 = suite13(0x1301);
const [EE, CERT, CV, FIN] = [0, 1, 2, 3];
const CH3 = () => rfcMessage(3, "ClientHello");
const SH3 = () => rfcMessage(3, "ServerHello");

/** Node's AEAD under the trace's server handshake keys, from sequence 0. */
const serverHandshake = (s: 3 | 7 = 3): OracleDirection => ({ aead: "aes-128-gcm", ...traceKeys(s).serverHandshake, sequence: 0n });
/** Each message sealed in a record of its own by Node's AEAD, as the trace's server would (keys from the trace). */
const sealed = (messages: Uint8Array[], w = serverHandshake()) => messages.map((m) => oracleSeal(w, ContentType.handshake, m));
/** Node's SHA-256 over the trace's messages: the transcript hash a step must leave behind. */
const transcriptOf = (...messages: Uint8Array[]) => oracleTranscript("sha256", ...messages);

/** The ClientHello of §3 as sendClientHello would have returned it. */
const sent3 = (): ClientHelloSent => ({ clientHello: decodeClientHello(CH3()), keyPairs: [clientX25519(3)], message: CH3(), changeCipherSpecSent: false });

/** The tls13.xargs.org capture (TLS_AES_256_GCM_SHA384) as processServerHello would have returned it. */
function capturedHellos(): Hellos {
  const ch = illustratedMessage("clienthello");
  const sh = illustratedMessage("serverhello");
  const clientHello = decodeClientHello(ch);
  const serverHello = decodeServerHello(sh);
  const transcript = new TranscriptHash("SHA-384");
  transcript.add(ch);
  transcript.add(sh);
  const v = illustratedValues().clientEphemeralX25519;
  const keyPair = { group: NamedGroup.x25519, privateKey: Uint8Array.from(Buffer.from(v.private, "hex")), publicKey: Uint8Array.from(Buffer.from(v.public, "hex")) };
  return { clientHello, keyPairs: [keyPair], serverHello, serverHelloMessage: sh, negotiated: checkServerHello(clientHello, serverHello), transcript, helloRetryRequest: false, changeCipherSpecSent: false };
}

/** A CertificateVerify over `transcriptHash` signed by Node with RFC 8448 §2's RSA key (rsa_pss_rsae_sha256). */
function rfcSignedCertificateVerify(transcriptHash: Uint8Array): Uint8Array {
  const k = rfc8448RsaKey();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  const key = crypto.createPrivateKey({
    key: { kty: "RSA", n: b64(k.modulus), e: b64(k.publicExponent), d: b64(k.privateExponent), p: b64(k.prime1), q: b64(k.prime2), dp: b64(k.exponent1), dq: b64(k.exponent2), qi: b64(k.coefficient) },
    format: "jwk",
  });
  const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from("TLS 1.3, server CertificateVerify", "latin1"), Buffer.of(0), transcriptHash]);
  const signature = crypto.sign("sha256", content, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  const scheme = SignatureScheme.rsa_pss_rsae_sha256;
  return handshakeMessage(HandshakeType.certificate_verify, [scheme >> 8, scheme & 0xff, signature.length >> 8, signature.length & 0xff, ...signature]);
}

describe("08.9 sendClientHello: the first message", function () {
  it("08.9 RFC 8448 §3: the trace's ClientHello goes out as the trace's first record, byte for byte, and the handshake window opens", () => {
    const { records, transport } = layerOver([]);
    records.inHandshake = false;
    const sent = sendClientHello(records, { clientHello: decodeClientHello(CH3()), keyPairs: [clientX25519(3)] });
    expectSame(transport.written, [record(3, "send handshake record", 0)], "the records written", { structure: recordStructure });
    expectBytes(sent.message, CH3(), "the ClientHello kept for the transcript");
    expect(records.inHandshake, "records.inHandshake (a middlebox ChangeCipherSpec may now arrive)").to.equal(true);
    expect(sent.changeCipherSpecSent, "changeCipherSpecSent").to.equal(false);
    expectSame(sent.keyPairs, [clientX25519(3)], "the key pairs, handed on");
  });

  it("08.9 newClientHello13: the options become the offer (SNI unless an IP address, all three suites by default, the groups and key shares asked for); options.fixed as it is", () => {
    const offer = newClientHello13({ servername: "example.com", ca: [], groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.secp256r1] });
    const ch: ClientHello = offer.clientHello;
    expectSame(findExtension(ch.extensions, "server_name")?.serverNames.map((n) => n.hostName), ["example.com"], "server_name");
    expectSame(ch.cipherSuites, [...TLS13_SUITES], "cipher_suites (default: every TLS 1.3 suite)");
    expectSame(findExtension(ch.extensions, "supported_groups")?.groups, [NamedGroup.x25519, NamedGroup.secp256r1], "supported_groups");
    expectSame(findExtension(ch.extensions, "key_share")?.shares.map((s) => s.group), [NamedGroup.secp256r1], "key_share groups");
    expectSame(offer.keyPairs.map((k) => k.group), [NamedGroup.secp256r1], "the key pairs behind the shares");
    expectSame(findExtension(ch.extensions, "supported_versions")?.versions, [0x0304], "supported_versions");
    const byIp = newClientHello13({ servername: "127.0.0.1", ca: [], cipherSuites: [0x1302] });
    expect(findExtension(byIp.clientHello.extensions, "server_name"), "no server_name for an IP address (RFC 6066 §3)").to.equal(undefined);
    expectSame(byIp.clientHello.cipherSuites, [0x1302], "cipher_suites as asked");
    const fixed = replayOptions(3, []);
    expect(newClientHello13(fixed).clientHello, "options.fixed's ClientHello, as it is").to.equal(fixed.fixed!.clientHello);
  });
  it("08.9 options.offer (chapter 12's hybrid offer) builds the hello around chapter 08's: called once, its base is this very hello", () => {
    const calls: string[] = [];
    const offer = newClientHello13({
      servername: "example.com",
      ca: [],
      groups: [NamedGroup.secp256r1],
      offer: (options, base) => {
        calls.push(options.servername);
        const made = base(options); // must be chapter 08's hello, not options.offer again
        return { ...made, clientHello: { ...made.clientHello, cipherSuites: [0x1303] } };
      },
    });
    expectSame(calls, ["example.com"], "the calls of options.offer");
    expectSame(offer.clientHello.cipherSuites, [0x1303], "cipher_suites: what options.offer returned");
    expectSame(findExtension(offer.clientHello.extensions, "key_share")?.shares.map((s) => s.group), [NamedGroup.secp256r1], "key_share groups of the base hello");
  });
});

describe("08.10 processServerHello: the ServerHello and the transcript's start", function () {
  it("08.10 RFC 8448 §3: the trace's ServerHello is accepted, and the transcript hash is the one the trace prints for \"c hs traffic\"", async () => {
    const { records } = layerOver([record(3, "send handshake record", 1)]);
    const hellos = await processServerHello(records, sent3());
    expectBytes(hellos.transcript.hash(), printedTranscriptHash(3, "c hs traffic"), "Transcript-Hash(ClientHello, ServerHello)");
    expectBytes(hellos.serverHelloMessage, SH3(), "the ServerHello kept as received");
    expectCode(hellos.negotiated.cipherSuite, 0x1301, { TLS_AES_128_GCM_SHA256: 0x1301 }, "the suite");
    expectCode(hellos.negotiated.group, NamedGroup.x25519, NamedGroup, "the group");
    expect(hellos.transcript.hashName, "the transcript's hash, the suite's").to.equal("SHA-256");
    expect([hellos.helloRetryRequest, hellos.changeCipherSpecSent], "helloRetryRequest, changeCipherSpecSent").to.deep.equal([false, false]);
    expectBytes(hellos.clientHello.random, decodeClientHello(CH3()).random, "the ClientHello handed on");
  });

  it("08.10 tls13.xargs.org: TLS_AES_256_GCM_SHA384, so the transcript is SHA-384: the page's hello_hash", async () => {
    const h = capturedHellos();
    const { records } = layerOver([illustrated("caps/serverhello")]);
    const sent: ClientHelloSent = { clientHello: h.clientHello, keyPairs: h.keyPairs, message: illustratedMessage("clienthello"), changeCipherSpecSent: false };
    const hellos = await processServerHello(records, sent);
    expect(hellos.transcript.hashName).to.equal("SHA-384");
    expectBytes(hellos.transcript.hash(), stated("hello_hash"), "Transcript-Hash(ClientHello, ServerHello), SHA-384");
  });

  it("08.10 the answer is checked against OUR ClientHello (chapter 02): a ServerHello echoing another session id is illegal_parameter; an EncryptedExtensions in its place unexpected_message", async () => {
    const sh = SH3().slice();
    const sent = sent3();
    // §3's ClientHello sends an empty session id; a ServerHello that echoes one byte does not answer it.
    const echoed = Uint8Array.from([...sh.slice(0, 38), 1, 0x42, ...sh.slice(39)]);
    echoed[3] = echoed[3]! + 1;
    const plain = (m: Uint8Array) => Uint8Array.from([22, 3, 3, m.length >> 8, m.length & 0xff, ...m]);
    let e = await expectRejection(() => processServerHello(layerOver([plain(echoed)]).records, sent));
    expect(e.alertName, e.message).to.equal("illegal_parameter");
    e = await expectRejection(() => processServerHello(layerOver([plain(rfcMessage(3, "EncryptedExtensions"))]).records, sent));
    expect(e.alertName, e.message).to.equal("unexpected_message");
  });
});

describe("08.11 HelloRetryRequest: the second ClientHello and the transcript's restart (RFC 8448 §5)", function () {
  const p256 = () => ({
    group: NamedGroup.secp256r1,
    privateKey: findValue(5, "create an ephemeral P-256 key pair", "private key", 0),
    publicKey: findValue(5, "create an ephemeral P-256 key pair", "public key", 0),
  });
  const ch1 = () => rfcMessage(5, "ClientHello", 0);
  const hrrMessage = () => findValue(5, "construct a ServerHello", "ServerHello", 0);
  const sent5 = (): ClientHelloSent => ({ clientHello: decodeClientHello(ch1()), keyPairs: [clientX25519(5)], message: ch1(), changeCipherSpecSent: false });
  /** The trace's own second ClientHello (its client, NSS, adds a padding extension we would not). */
  const traceRetry = () => ({ clientHello: decodeClientHello(rfcMessage(5, "ClientHello", 1)), keyPairs: [p256()] });

  it("08.11 retryClientHello: the first ClientHello with one P-256 share (the trace's key) and the cookie echoed; random, session id, suites unchanged", () => {
    const first: ClientHello = decodeClientHello(ch1());
    const hrr = decodeServerHello(hrrMessage());
    const trace: ClientHello = decodeClientHello(rfcMessage(5, "ClientHello", 1));
    const { clientHello, keyPairs } = retryClientHello({ clientHello: first, keyPairs: [clientX25519(5)] }, hrr, () => p256());
    expectSame(keyPairs.map((k) => k.group), [NamedGroup.secp256r1], "the key pairs");
    expectBytes(clientHello.random, trace.random, "random");
    expectBytes(clientHello.legacySessionId, trace.legacySessionId, "legacy_session_id");
    expectSame(clientHello.cipherSuites, trace.cipherSuites, "cipher_suites");
    // The trace's client (NSS) also added a padding extension and put the cookie elsewhere; RFC 8446 §4.1.2 allows both.
    const PADDING = 21;
    const byType = (ch: ClientHello) => new Map(ch.extensions.map((e) => [e.kind === "raw" ? e.type : e.kind, e] as const));
    const ours = byType(clientHello);
    const theirs = byType(trace);
    theirs.delete(PADDING);
    expectSame([...ours.keys()].map(String).sort(), [...theirs.keys()].map(String).sort(), "the extensions, by type");
    for (const [type, value] of theirs) expectSame(ours.get(type), value, `extension ${type}`);
    expectSame(findExtension(clientHello.extensions, "key_share")?.shares.map((s) => s.keyExchange), [p256().publicKey], "the new key share");
    expect(first.extensions.length, "the first ClientHello is left alone").to.equal(decodeClientHello(ch1()).extensions.length);
  });

  it("08.11 processHelloRetryRequest: the second ClientHello goes out as the trace's record, and the transcript (message_hash, HelloRetryRequest, ClientHello2, ServerHello) hashes as the trace prints", async () => {
    const { records, transport } = layerOver([record(5, "send handshake record", 3)]);
    records.sendHandshake(ch1()); // as sendClientHello did: the first record (record version 0x0301)
    const sent = sent5();
    const hrr = decodeServerHello(hrrMessage());
    let before: Uint8Array | undefined;
    const hellos = await processHelloRetryRequest(records, sent, hrr, hrrMessage(), checkServerHello(sent.clientHello, hrr), (_first, _hrr, transcriptBefore) => {
      before = transcriptBefore;
      return traceRetry();
    });
    expectSame(transport.written, [record(5, "send handshake record", 0), record(5, "send handshake record", 2)], "the records written (ours, then the second ClientHello)", {
      structure: recordStructure,
    });
    // message_hash = 254, uint24 32, SHA-256(ClientHello1) (RFC 8446 §4.4.1), then the HelloRetryRequest: what a binder must cover first.
    const messageHash = Uint8Array.from([254, 0, 0, 32, ...oracleTranscript("sha256", ch1())]);
    expectBytes(before, Uint8Array.from([...messageHash, ...hrrMessage()]), "transcriptBefore given to the retry builder");
    expectBytes(hellos.transcript.hash(), printedTranscriptHash(5, "c hs traffic"), "Transcript-Hash(message_hash, HelloRetryRequest, ClientHello2, ServerHello)");
    expect(hellos.helloRetryRequest, "helloRetryRequest").to.equal(true);
    expectCode(hellos.negotiated.group, NamedGroup.secp256r1, NamedGroup, "the group");
    expectSame(hellos.keyPairs.map((k) => k.group), [NamedGroup.secp256r1], "the key pairs now");
  });

  it("08.11 processServerHello hands a HelloRetryRequest over: the same transcript hash as the trace's", async () => {
    const { records } = layerOver([record(5, "send handshake record", 1), record(5, "send handshake record", 3)]);
    const hellos = await processServerHello(records, sent5(), () => traceRetry());
    expectBytes(hellos.transcript.hash(), printedTranscriptHash(5, "c hs traffic"), "the transcript hash after the retry");
  });

  it("08.11 a second HelloRetryRequest is unexpected_message; a ServerHello with another suite than the HelloRetryRequest's is illegal_parameter", async () => {
    const sent = sent5();
    const hrr = decodeServerHello(hrrMessage());
    const negotiated = checkServerHello(sent.clientHello, hrr);
    let e = await expectRejection(() => processHelloRetryRequest(layerOver([record(5, "send handshake record", 1)]).records, sent, hrr, hrrMessage(), negotiated, () => traceRetry()));
    expect(e.alertName, e.message).to.equal("unexpected_message");
    const otherSuite = { ...negotiated, cipherSuite: 0x1303 };
    e = await expectRejection(() => processHelloRetryRequest(layerOver([record(5, "send handshake record", 3)]).records, sent, hrr, hrrMessage(), otherSuite, () => traceRetry()));
    expect(e.alertName, e.message).to.equal("illegal_parameter");
  });
});

describe("08.12 establishHandshakeKeys: the shared secret and the handshake keys", function () {
  it("08.12 RFC 8448 §3: the trace's shared secret, handshake traffic secrets and keys; the two key log lines; the server's flight opens, our Finished seals as the trace's", async () => {
    const keyLog: string[] = [];
    const { records, transport } = layerOver([record(3, "send handshake record", 2)]);
    const keys = establishHandshakeKeys(records, rfcHellos(3), (line) => keyLog.push(line));
    const expected = rfcHandshakeKeys(3);
    expectBytes(keys.sharedSecret, expected.sharedSecret, "the (EC)DHE shared secret");
    expectBytes(keys.secrets.handshakeSecret, expected.secrets.handshakeSecret, "handshake secret");
    expectBytes(keys.secrets.clientHandshakeTrafficSecret, secret(3, "c hs traffic"), "client_handshake_traffic_secret");
    expectBytes(keys.secrets.serverHandshakeTrafficSecret, secret(3, "s hs traffic"), "server_handshake_traffic_secret");
    expectSame(keys.keys, expected.keys, "the handshake keys and IVs");
    expect([keys.hash, keys.aead, keys.cipherSuite, keys.group], "hash, AEAD, suite, group").to.deep.equal(["SHA-256", "AES_128_GCM", 0x1301, NamedGroup.x25519]);
    const random = toHex(decodeClientHello(CH3()).random);
    expectSame(
      keyLog,
      [`SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "s hs traffic"))}`, `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "c hs traffic"))}`],
      "the key log, written at once",
    );
    expectBytes(await records.readHandshake(), rfcMessage(3, "EncryptedExtensions"), "the first message read under the keys left on (the server's handshake keys)");
    expect(transport.written, "nothing sent: §3's ClientHello has no session id, so no middlebox ChangeCipherSpec").to.have.length(0);
    records.sendHandshake(rfcMessage(3, "Finished", 1));
    expectSame(transport.written, [record(3, "send handshake record", 3)], "the trace's client Finished sent under the keys left on (ours)", { structure: recordStructure });
  });

  it("08.12 RFC 8448 §7 (middlebox compatibility): the dummy ChangeCipherSpec goes out now, before our first protected record", () => {
    const { records, transport } = layerOver([]);
    establishHandshakeKeys(records, rfcHellos(7));
    records.sendHandshake(rfcMessage(7, "Finished", 1));
    expectSame(transport.written, [record(7, "send change_cipher_spec record", 1), record(7, "send handshake record", 3)], "ChangeCipherSpec, then our Finished", {
      structure: recordStructure,
    });
  });

  it("08.12 tls13.xargs.org (SHA-384, AES-256-GCM): the page's shared secret, handshake secret, traffic secrets, keys and IVs", () => {
    const { records } = layerOver([]);
    const keys = establishHandshakeKeys(records, capturedHellos());
    expectBytes(keys.sharedSecret, stated("shared_secret"), "shared secret");
    expectBytes(keys.secrets.handshakeSecret, stated("handshake_secret"), "handshake secret");
    expectBytes(keys.secrets.serverHandshakeTrafficSecret, stated("server_handshake_traffic_secret"), "server_handshake_traffic_secret");
    expectBytes(keys.secrets.clientHandshakeTrafficSecret, stated("client_handshake_traffic_secret"), "client_handshake_traffic_secret");
    expectSame(keys.keys, { client: { key: stated("client_handshake_key"), iv: stated("client_handshake_iv") }, server: { key: stated("server_handshake_key"), iv: stated("server_handshake_iv") } }, "keys and IVs");
    expect([keys.hash, keys.aead]).to.deep.equal(["SHA-384", "AES_256_GCM"]);
  });

  it("08.12 RFC 8448 §4 (resumed, with a PSK): the early secret comes from the PSK, and the handshake traffic secrets are §4's", () => {
    // §4's ClientHello is the payload of its first record (the message printed under "construct" stops before the binders).
    const ch = findValue(4, "send handshake record", "payload", 0);
    const sh = rfcMessage(4, "ServerHello");
    const transcript = new TranscriptHash("SHA-256");
    transcript.add(ch);
    transcript.add(sh);
    const clientHello = decodeClientHello(ch);
    const serverHello = decodeServerHello(sh);
    const keyPair = {
      group: NamedGroup.x25519,
      privateKey: findValue(4, "create an ephemeral x25519 key pair", "private key", 0),
      publicKey: findValue(4, "create an ephemeral x25519 key pair", "public key", 0),
    };
    const hellos: Hellos = { clientHello, keyPairs: [keyPair], serverHello, serverHelloMessage: sh, negotiated: checkServerHello(clientHello, serverHello), transcript, helloRetryRequest: false, changeCipherSpecSent: false };
    const keys = establishHandshakeKeys(layerOver([]).records, hellos, undefined, findValue(4, 'extract secret "early"', "IKM"));
    expectBytes(keys.early.earlySecret, findValue(4, 'extract secret "early"', "secret"), "the early secret, from the PSK");
    expectBytes(keys.secrets.clientHandshakeTrafficSecret, secret(4, "c hs traffic"), "client_handshake_traffic_secret");
    expectBytes(keys.secrets.serverHandshakeTrafficSecret, secret(4, "s hs traffic"), "server_handshake_traffic_secret");
  });

  it("08.12 a key pair that finishes its own exchange (KeyPair.sharedSecret: chapter 12's hybrid pairs) is asked for the secret, with the server's key_exchange", () => {
    const hellos = rfcHellos(3);
    const expected = rfcHandshakeKeys(3);
    const asked: Uint8Array[] = [];
    // Another private key: ECDHE with it would give another secret; the secret must come from the pair's sharedSecret.
    hellos.keyPairs = hellos.keyPairs.map((pair) => ({ ...pair, privateKey: new Uint8Array(32).fill(7), sharedSecret: (peer: Uint8Array) => (asked.push(peer), expected.sharedSecret) }));
    const keys = establishHandshakeKeys(layerOver([]).records, hellos);
    const ks = findServerExtension(hellos.serverHello.extensions, "key_share");
    expect(asked.length, "calls of the pair's sharedSecret").to.equal(1);
    expectBytes(asked[0], ks !== undefined && "share" in ks ? ks.share.keyExchange : new Uint8Array(0), "what sharedSecret was given: the ServerHello's key_exchange");
    expectBytes(keys.secrets.clientHandshakeTrafficSecret, secret(3, "c hs traffic"), "client_handshake_traffic_secret");
  });

  it("08.12 a key share in a group we have no key pair for is internal_error, not a crash", () => {
    const hellos = rfcHellos(3);
    hellos.keyPairs = [];
    expectTlsError(() => establishHandshakeKeys(layerOver([]).records, hellos), { alert: AlertDescription.internal_error, field: "key_share" });
  });
});

describe("08.13 readServerParameters: EncryptedExtensions", function () {
  it("08.13 RFC 8448 §3: the trace's EncryptedExtensions is read, checked and added: the transcript is now SHA-256(ClientHello, ServerHello, EncryptedExtensions)", async () => {
    const { records } = layerOver([record(3, "send handshake record", 2)], { read: traceKeys(3).serverHandshake });
    const hellos = rfcHellos(3);
    const ee = await readServerParameters(records, hellos);
    expectSame(ee.extensions.map((e) => e.kind), ["supported_groups", "record_size_limit", "server_name"], "the extensions, in order");
    expectBytes(hellos.transcript.hash(), transcriptOf(CH3(), SH3(), rfcMessage(3, "EncryptedExtensions")), "Transcript-Hash(ClientHello … EncryptedExtensions)");
    expectBytes(await records.readHandshake(), rfcMessage(3, "Certificate"), "what is left to read: the Certificate");
  });

  for (const [label, messages, alert] of [
    ["a Certificate in place of EncryptedExtensions", () => [rfcFlight()[CERT]!], "unexpected_message"],
    ["a KeyUpdate in place of EncryptedExtensions", () => [Uint8Array.of(24, 0, 0, 1, 0)], "unexpected_message"],
    ["EncryptedExtensions carrying a key_share (a ServerHello extension)", () => [handshakeMessage(8, [0, 8, 0, 51, 0, 4, 0, 0x1d, 0, 0])], "illegal_parameter"],
    ["EncryptedExtensions answering ALPN, which §3's ClientHello did not offer", () => [handshakeMessage(8, [0, 9, 0, 16, 0, 5, 0, 3, 2, 0x68, 0x32])], "unsupported_extension"],
  ] as [string, () => Uint8Array[], string][]) {
    it(`08.13 ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => readServerParameters(layerOver(sealed(messages()), { read: traceKeys(3).serverHandshake }).records, rfcHellos(3)));
      expect(e.alertName, e.message).to.equal(alert);
    });
  }
});

describe("08.14 readServerCertificate: Certificate and CertificateVerify", function () {
  const flight = rfcFlight();
  const options = { ca: [], servername: "server", fixed: { clientHello: decodeClientHello(CH3()), keyPairs: [], validate: validateRfcChain } };
  const run = (messages: Uint8Array[], more: Uint8Array[] = [flight[EE]!]) =>
    readServerCertificate(layerOver(sealed(messages), { read: traceKeys(3).serverHandshake }).records, rfcHellos(3, ...more), options);

  it("08.14 RFC 8448 §3: the certificate parsed and validated, the CertificateVerify verified over ClientHello … Certificate, and both added: SHA-256(ClientHello … CertificateVerify)", async () => {
    const hellos = rfcHellos(3, flight[EE]!);
    const auth = await readServerCertificate(layerOver(sealed([flight[CERT]!, flight[CV]!]), { read: traceKeys(3).serverHandshake }).records, hellos, options);
    expect(auth.serverCertificates, "certificates").to.have.length(1);
    expect(auth.serverCertificates[0]!.publicKey.kind, "the certificate's key").to.equal("rsa");
    expectCode(auth.certificateVerify.scheme, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "CertificateVerify scheme");
    expect(auth.certificateRequest, "no CertificateRequest in §3").to.equal(undefined);
    expect(auth.validation.path.length, "the validated path").to.be.greaterThan(0);
    expectBytes(hellos.transcript.hash(), transcriptOf(CH3(), SH3(), ...flight.slice(EE, CV + 1)), "Transcript-Hash(ClientHello … CertificateVerify)");
  });

  it("08.14 a CertificateRequest before the Certificate is kept and added (a CertificateVerify signed by Node with RFC 8448 §2's key over the transcript with it verifies)", async () => {
    const request = handshakeMessage(HandshakeType.certificate_request, [0, 0, 8, 0, 13, 0, 4, 0, 2, 8, 4]);
    const cv = rfcSignedCertificateVerify(transcriptOf(CH3(), SH3(), flight[EE]!, request, flight[CERT]!));
    const hellos = rfcHellos(3, flight[EE]!);
    const auth = await readServerCertificate(layerOver(sealed([request, flight[CERT]!, cv]), { read: traceKeys(3).serverHandshake }).records, hellos, options);
    expectBytes(auth.certificateRequest?.context, new Uint8Array(0), "the CertificateRequest's context, kept");
    expectBytes(hellos.transcript.hash(), transcriptOf(CH3(), SH3(), flight[EE]!, request, flight[CERT]!, cv), "Transcript-Hash(… CertificateRequest, Certificate, CertificateVerify)");
  });

  it("08.14 a CertificateVerify checked over a transcript without EncryptedExtensions does not verify: decrypt_error (the transcript handed in is the one to sign)", async () => {
    const e = await expectRejection(() => run([flight[CERT]!, flight[CV]!], []));
    expect(e.alertName, e.message).to.equal("decrypt_error");
  });

  for (const [label, messages, alert] of [
    [
      "one byte of the CertificateVerify's signature changed",
      () => {
        const cv = flight[CV]!.slice();
        cv[cv.length - 1]! ^= 0x01;
        return [flight[CERT]!, cv];
      },
      "decrypt_error",
    ],
    [
      "the CertificateVerify's scheme changed to rsa_pkcs1_sha256",
      () => {
        const cv = flight[CV]!.slice();
        cv[4] = 0x04;
        cv[5] = 0x01;
        return [flight[CERT]!, cv];
      },
      "illegal_parameter",
    ],
    ["a Certificate with an empty list", () => [handshakeMessage(11, [0, 0, 0, 0]), flight[CV]!], "decode_error"],
    ["a Certificate with a request context", () => [handshakeMessage(11, [1, 7, ...flight[CERT]!.slice(5)]), flight[CV]!], "illegal_parameter"],
    ["no CertificateVerify (the Finished where it belongs)", () => [flight[CERT]!, flight[FIN]!], "unexpected_message"],
    ["no Certificate (the CertificateVerify first)", () => [flight[CV]!], "unexpected_message"],
  ] as [string, () => Uint8Array[], string][]) {
    it(`08.14 ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => run(messages()));
      expect(e.alertName, e.message).to.equal(alert);
    });
  }

  it("08.14 the chain is judged by validateChain with our roots, name and time: RFC 8448's self-signed certificate without options.fixed is unknown_ca", async () => {
    const e = await expectRejection(() =>
      readServerCertificate(layerOver(sealed([flight[CERT]!, flight[CV]!]), { read: traceKeys(3).serverHandshake }).records, rfcHellos(3, flight[EE]!), {
        ca: [],
        servername: "server",
        at: RFC_TIME,
      }),
    );
    expect(e.alertName, e.message).to.equal("unknown_ca");
  });
});

describe("08.15 readServerFinished: the server's Finished and the application keys", function () {
  const flight = rfcFlight();
  const hellosBefore = () => rfcHellos(3, ...flight.slice(EE, CV + 1));

  it("08.15 RFC 8448 §3: the Finished checks out; the application secrets, keys and key log lines are the trace's; the server's ticket opens next; OUR write keys are untouched", async () => {
    const keyLog: string[] = [];
    const { records, transport } = layerOver([...sealed([flight[FIN]!]), record(3, "send handshake record", 4)], {
      read: traceKeys(3).serverHandshake,
      write: traceKeys(3).clientHandshake,
    });
    const hellos = hellosBefore();
    const app = await readServerFinished(records, hellos, rfcHandshakeKeys(3), (line) => keyLog.push(line));
    const expected = rfcApplicationKeys(3);
    expectSame(app.secrets, expected.secrets, "the application secrets");
    expectSame(app.keys, expected.keys, "the application keys and IVs");
    expectBytes(hellos.transcript.hash(), printedTranscriptHash(3, "c ap traffic"), "Transcript-Hash(ClientHello … server Finished)");
    const random = toHex(decodeClientHello(CH3()).random);
    expectSame(
      keyLog,
      [
        `EXPORTER_SECRET ${random} ${toHex(secret(3, "exp master"))}`,
        `SERVER_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "s ap traffic"))}`,
        `CLIENT_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "c ap traffic"))}`,
      ],
      "the key log, written at once",
    );
    expect(records.inHandshake, "inHandshake after the server's Finished").to.equal(false);
    const next = await records.readPostHandshake();
    expectBytes(next?.kind === "handshake" ? next.message : undefined, rfcMessage(3, "NewSessionTicket"), "the next record, opened with the server's application keys");
    records.sendHandshake(rfcMessage(3, "Finished", 1));
    expectSame(transport.written, [record(3, "send handshake record", 3)], "our Finished, still under OUR handshake keys", { structure: recordStructure });
  });

  for (const [label, finished, alert] of [
    [
      "one byte of the server's verify_data changed",
      () => {
        const fin = flight[FIN]!.slice();
        fin[4]! ^= 0x80;
        return fin;
      },
      "decrypt_error",
    ],
    ["a Finished of 31 bytes", () => handshakeMessage(20, flight[FIN]!.slice(4, 35)), "decode_error"],
    ["a CertificateVerify where the Finished belongs", () => flight[CV]!, "unexpected_message"],
  ] as [string, () => Uint8Array, string][]) {
    it(`08.15 ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => readServerFinished(layerOver(sealed([finished()]), { read: traceKeys(3).serverHandshake }).records, hellosBefore(), rfcHandshakeKeys(3)));
      expect(e.alertName, e.message).to.equal(alert);
    });
  }

  it("08.15 the expected verify_data is over the transcript BEFORE the Finished: with the Finished already in the transcript it is decrypt_error", async () => {
    const e = await expectRejection(() =>
      readServerFinished(layerOver(sealed([flight[FIN]!]), { read: traceKeys(3).serverHandshake }).records, rfcHellos(3, ...flight), rfcHandshakeKeys(3)),
    );
    expect(e.alertName, e.message).to.equal("decrypt_error");
  });
});

describe("08.16 sendClientFinished: our Finished, then the application keys", function () {
  const flight = rfcFlight();

  it("08.16 RFC 8448 §3: our Finished is the trace's record, our data after it the trace's application data record; the resumption master secret is the trace's", () => {
    const { records, transport } = layerOver([], { write: traceKeys(3).clientHandshake });
    const hellos = rfcHellos(3, ...flight);
    const resumption = sendClientFinished(records, hellos, rfcHandshakeKeys(3), rfcApplicationKeys(3));
    records.sendApplicationData(payload(3, "send application_data record", 0));
    expectSame(transport.written, [record(3, "send handshake record", 3), record(3, "send application_data record", 0)], "our Finished, then our first data", {
      structure: recordStructure,
    });
    expectBytes(hellos.transcript.hash(), printedTranscriptHash(3, "res master"), "Transcript-Hash(ClientHello … client Finished)");
    expectBytes(resumption, secret(3, "res master"), "resumption_master_secret");
  });

  it("08.16 after a CertificateRequest: an empty Certificate with the request's context, then a Finished over the transcript with it (opened and checked with Node's HMAC)", () => {
    const { records, transport } = layerOver([], { write: traceKeys(3).clientHandshake });
    const hellos = rfcHellos(3, ...flight);
    sendClientFinished(records, hellos, rfcHandshakeKeys(3), rfcApplicationKeys(3), { context: Uint8Array.of(7, 7), extensions: [] });
    const reader: OracleDirection = { aead: "aes-128-gcm", ...traceKeys(3).clientHandshake, sequence: 0n };
    const opened = transport.written.map((r) => oracleOpen(reader, r).content);
    const empty = Uint8Array.of(11, 0, 0, 6, 2, 7, 7, 0, 0, 0);
    const verify = oracleFinished(SHA256, secret(3, "c hs traffic"), transcriptOf(CH3(), SH3(), ...flight, empty));
    expectSame(opened, [empty, handshakeMessage(20, verify)], "Certificate (context 07 07, no entries), then Finished, under our handshake keys");
  });
});
