// Exercises 11.5, 11.7, 11.8, 11.9, 11.14 and 11.15: the recorded connection of tls12.xargs.org replayed from the
// server's side. Given the recorded server's RSA key, its random (70 71 … 8f) and its ephemeral X25519 key, the
// learner's server must write the recorded ServerHello, Certificate, ServerKeyExchange (a deterministic PKCS #1 v1.5
// signature) and ServerHelloDone byte for byte, and from the recorded ClientKeyExchange derive the pre-master secret,
// master secret and key block the page states. The other cases are judged by Node's crypto (signatures, DH, ECDH,
// RSA, the PRF) and RFC 7919's text (the prime).
import crypto from "node:crypto";
import { expect } from "chai";
import { AlertDescription, CipherSuite, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { checkServerHello, decodeServerHello, encodeServerHello } from "../../chapters/02-server-hello/index.js";
import { decodeServerKeyExchange, encodeServerKeyExchange } from "../../chapters/05-dhe-key-exchange/index.js";
import { CHACHA20_POLY1305_RECORDS } from "../../chapters/06-tls12-handshake/index.js";
import { TicketKeys } from "../../chapters/10-tls13-server/index.js";
import {
  type Choice12,
  SessionCache,
  makeServerKeyExchange,
  premasterFromClientKeyExchange,
  readClientKeyExchange12,
  sendServerHelloFlight12,
  serverHello12,
  serverRandom12,
  sessionKeys12,
} from "../../chapters/11-tls12-server/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { expectTlsError } from "../support/properties.js";
import { replayTransport } from "../support/replay-transport.js";
import { referenceGcmKeys, referencePrf } from "../support/tls12-oracle.js";
import { rfc7919Groups } from "../05-dhe-key-exchange/vectors.js";
import { ecdsaCredential, illustratedChoice, illustratedCredential, nodeSha256, rsaCredential, serverMessageStructure, serverRecords, testConfig12 } from "./helpers.js";
import {
  RECORDED_SUITE,
  capture,
  clientRandom,
  recordedFlight,
  recordedMessage,
  serverEphemeral,
  serverRandom,
  statedKeyBlock,
  statedMaster,
  statedPremaster,
  transcriptUpToClientKeyExchange,
} from "./vectors.js";

/** "DOWNGRD" and 01, as RFC 8446 §4.1.3 prints it: 44 4F 57 4E 47 52 44 01. */
const SENTINEL = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);
const u16 = (n: number) => [n >> 8, n & 0xff];

/** The recorded server's configuration: its certificate and key, its random and ephemeral key, no sessions kept. */
const recordedServer = () => testConfig12({ credentials: [illustratedCredential()], downgradeSentinel: false, fixed: { random: serverRandom(), keyPair: serverEphemeral() } });

/** A choice for another suite, the recorded ClientHello otherwise. */
const choiceFor = (overrides: Partial<Choice12>): Choice12 => ({ ...illustratedChoice(), ...overrides });

describe("11.5 serverRandom12 and serverHello12: the server's hello", () => {
  it("11.5 the recorded ServerHello, byte for byte: the recorded random, an empty session ID (no cache), the suite, renegotiation_info answered", () => {
    const sh = serverHello12(illustratedChoice(), serverRandom(), new Uint8Array(0), false);
    expectSame(decodeServerHello(encodeServerHello(sh)), decodeServerHello(recordedMessage("serverhello")), "the ServerHello, decoded");
    expectBytes(encodeServerHello(sh), recordedMessage("serverhello"), "the ServerHello", { structure: serverMessageStructure(false) });
  });

  it("11.5 serverRandom12 with the sentinel: 24 fresh bytes, then 44 4F 57 4E 47 52 44 01 (RFC 8446 §4.1.3); without it a copy; the caller's bytes never change", () => {
    const fresh = new Uint8Array(32).map((_, i) => 0xa0 + i);
    const before = fresh.slice();
    expectBytes(serverRandom12(fresh, true), concat(fresh.subarray(0, 24), SENTINEL), "the random with the sentinel");
    const copy = serverRandom12(fresh, false);
    expectBytes(copy, before, "the random without");
    copy[0] = 0;
    expectBytes(fresh, before, "the caller's bytes");
    expectTlsError(() => serverRandom12(new Uint8Array(31), false), { alert: AlertDescription.internal_error, field: "random" });
  });

  it("11.5 only answers, in order: renegotiation_info, extended_master_secret, session_ticket (empty), ALPN http/1.1; a 32-byte session ID", () => {
    const choice = choiceFor({ cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, extendedMasterSecret: true, alpn: "http/1.1" });
    const sessionId = new Uint8Array(32).fill(7);
    const message = encodeServerHello(serverHello12(choice, serverRandom(), sessionId, true));
    const extensions = [0xff, 0x01, 0, 1, 0, 0x00, 0x17, 0, 0, 0x00, 0x23, 0, 0, 0x00, 0x10, 0, 11, 0, 9, 8, ...Buffer.from("http/1.1")];
    const body = [...u16(0x0303), ...serverRandom(), 32, ...sessionId, ...u16(0xc02f), 0, ...u16(extensions.length), ...extensions];
    expectBytes(message, Uint8Array.from([HandshakeType.server_hello, 0, body.length >> 8, body.length & 0xff, ...body]), "the ServerHello", {
      structure: serverMessageStructure(false),
    });
  });

  it("11.5 chapter 02's client catches the downgrade: offering TLS 1.3 and 1.2 and getting 1.2 with the sentinel is illegal_parameter; offering 1.2 alone, it is accepted", () => {
    const ch12 = decodeClientHello(recordedMessage("clienthello"));
    const ch13: ClientHello = { ...ch12, extensions: [...ch12.extensions, { kind: "supported_versions", versions: [ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2] }] };
    const sh = serverHello12(choiceFor({ clientHello: ch13 }), serverRandom12(serverRandom(), true), new Uint8Array(0), false);
    expectTlsError(() => checkServerHello(ch13, decodeServerHello(encodeServerHello(sh))), { alert: AlertDescription.illegal_parameter, field: "random" });
    expectCode(checkServerHello(ch12, decodeServerHello(encodeServerHello(sh))).version, ProtocolVersion.TLS1_2, ProtocolVersion, "a 1.2-only client's version");
  });
});

describe("11.7 makeServerKeyExchange: a fresh key pair, its params, signed", () => {
  it("11.7 the recorded ServerKeyExchange, byte for byte: the recorded X25519 key, signed rsa_pkcs1_sha256 with the recorded key over the recorded randoms", () => {
    const { ske } = makeServerKeyExchange(illustratedChoice(), clientRandom(), serverRandom(), { keyPair: serverEphemeral() });
    expectBytes(encodeServerKeyExchange(ske), recordedMessage("serverkeyexchange"), "the ServerKeyExchange", { structure: serverMessageStructure(false) });
  });

  it("11.7 ECDHE on P-256 with the ECDSA certificate: params 03 00 17 41 04…, the point of the key pair; Node verifies the signature over both randoms and the params", () => {
    const choice = choiceFor({ cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, group: NamedGroup.secp256r1, credential: ecdsaCredential(), scheme: SignatureScheme.ecdsa_secp256r1_sha256 });
    const { ske, ephemeral } = makeServerKeyExchange(choice, clientRandom(), serverRandom());
    if (ephemeral.kind !== "ecdhe") throw new Error("an ECDHE key pair");
    expectBytes(ske.paramsBytes, Uint8Array.from([3, 0x00, 0x17, 65, ...ephemeral.keyPair.publicKey]), "ServerECDHParams");
    expect(ephemeral.keyPair.publicKey[0], "an uncompressed point").to.equal(4);
    const signed = concat(clientRandom(), serverRandom(), ske.paramsBytes);
    expect(crypto.verify("sha256", signed, { key: readFixture("server-ecdsa.crt"), dsaEncoding: "der" }, ske.signature), "Node verifies").to.equal(true);
  });

  it("11.7 DHE with ffdhe2048: p is RFC 7919's prime (parsed from the RFC), g is 2, Ys is the key pair's g^x mod p (Node's DH), signed with RSA-PSS that Node verifies", () => {
    const group = rfc7919Groups().find((g) => g.name === "ffdhe2048")!;
    const p = Buffer.from(group.p.toString(16), "hex");
    const node = crypto.createDiffieHellman(p, Buffer.of(2));
    node.generateKeys();
    const privateKey = BigInt("0x" + node.getPrivateKey("hex"));
    const publicKey = new Uint8Array(Buffer.concat([Buffer.alloc(256 - node.getPublicKey().length), node.getPublicKey()]));
    const choice = choiceFor({ cipherSuite: CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, keyExchange: "DHE", group: NamedGroup.ffdhe2048, credential: rsaCredential(), scheme: SignatureScheme.rsa_pss_rsae_sha256 });
    const { ske } = makeServerKeyExchange(choice, clientRandom(), serverRandom(), { dhKeyPair: { privateKey, publicKey } });
    expectBytes(ske.paramsBytes, Uint8Array.from([...u16(256), ...p, ...u16(1), 2, ...u16(256), ...publicKey]), "ServerDHParams");
    const signed = concat(clientRandom(), serverRandom(), ske.paramsBytes);
    const key = { key: readFixture("server-rsa.crt"), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(crypto.verify("sha256", signed, key, ske.signature), "Node verifies the PSS signature").to.equal(true);
    expectCode(ske.scheme, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "the scheme");
  });

  it("11.7 RSA key exchange has no ServerKeyExchange: asking for one is our own bug, internal_error", () => {
    expectTlsError(() => makeServerKeyExchange(choiceFor({ keyExchange: "RSA", group: undefined, scheme: undefined }), clientRandom(), serverRandom()), {
      alert: AlertDescription.internal_error,
    });
  });
});

/** An RSA ClientKeyExchange: header, length(3), the ciphertext as opaque<2>. */
const rsaClientKeyExchange = (ciphertext: Uint8Array) => Uint8Array.from([16, 0, (ciphertext.length + 2) >> 8, (ciphertext.length + 2) & 0xff, ...u16(ciphertext.length), ...ciphertext]);
const rsaChoice = () => choiceFor({ cipherSuite: CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, keyExchange: "RSA", group: undefined, scheme: undefined, credential: rsaCredential() });

describe("11.8 premasterFromClientKeyExchange: the client's half, from the server's side", () => {
  it("11.8 the recorded ClientKeyExchange and the recorded server's X25519 key: the pre-master secret the page states", () => {
    const premaster = premasterFromClientKeyExchange(recordedMessage("clientkeyexchange"), illustratedChoice(), { kind: "ecdhe", keyPair: serverEphemeral() });
    expectBytes(premaster, statedPremaster(), "the pre-master secret");
  });

  it("11.8 RSA: a premaster Node encrypted to the fixture's key (PKCS #1 v1.5) comes out as it went in", () => {
    const premaster = Uint8Array.from([3, 3, ...crypto.randomBytes(46)]);
    const ciphertext = crypto.publicEncrypt({ key: readFixture("server-rsa.crt"), padding: crypto.constants.RSA_PKCS1_PADDING }, premaster);
    expectBytes(premasterFromClientKeyExchange(rsaClientKeyExchange(ciphertext), rsaChoice(), undefined), premaster, "the premaster");
  });

  it("11.8 RSA: the version in front is the ClientHello's, whatever the block says (RFC 5246 §7.4.7.1)", () => {
    const inside = Uint8Array.from([3, 1, ...crypto.randomBytes(46)]);
    const ciphertext = crypto.publicEncrypt({ key: readFixture("server-rsa.crt"), padding: crypto.constants.RSA_PKCS1_PADDING }, inside);
    const choice = rsaChoice();
    const hello = { ...choice, clientHello: { ...choice.clientHello, legacyVersion: 0x0302 } };
    expectBytes(premasterFromClientKeyExchange(rsaClientKeyExchange(ciphertext), hello, undefined), concat(Uint8Array.of(3, 2), inside.subarray(2)), "the premaster");
  });

  it("11.8 RSA: a block with a bad padding (00 01 …), or a ciphertext of the wrong size: 48 bytes all the same, no exception, fresh each time", () => {
    const em = new Uint8Array(256);
    em.set([0, 1], 0);
    em.fill(0xff, 2, 256 - 49);
    em.set(Uint8Array.from([3, 3, ...crypto.randomBytes(46)]), 256 - 48);
    const bad = crypto.publicEncrypt({ key: readFixture("server-rsa.crt"), padding: crypto.constants.RSA_NO_PADDING }, em);
    for (const [what, ciphertext] of [["bad padding", bad], ["255 bytes", bad.subarray(1)]] as const) {
      const one = premasterFromClientKeyExchange(rsaClientKeyExchange(ciphertext), rsaChoice(), undefined);
      const two = premasterFromClientKeyExchange(rsaClientKeyExchange(ciphertext), rsaChoice(), undefined);
      expect(one.length, `${what}: 48 bytes`).to.equal(48);
      expect(Buffer.from(one).equals(Buffer.from(two)), `${what}: two tries give different random premasters`).to.equal(false);
    }
  });

  it("11.8 DHE: a client value Node made in ffdhe2048 gives the secret Node computes, leading zero bytes stripped (RFC 5246 §8.1.2); Yc = 1 or p−1 is illegal_parameter", () => {
    const group = rfc7919Groups().find((g) => g.name === "ffdhe2048")!;
    const p = Buffer.from(group.p.toString(16), "hex");
    const server = crypto.createDiffieHellman(p, Buffer.of(2));
    server.generateKeys();
    const client = crypto.createDiffieHellman(p, Buffer.of(2));
    client.generateKeys();
    const ephemeral = { kind: "dhe" as const, group: NamedGroup.ffdhe2048, p: group.p, pair: { privateKey: BigInt("0x" + server.getPrivateKey("hex")), publicKey: new Uint8Array(server.getPublicKey()) } };
    const choice = choiceFor({ keyExchange: "DHE", group: NamedGroup.ffdhe2048 });
    const cke = (yc: Uint8Array) => Uint8Array.from([16, 0, (yc.length + 2) >> 8, (yc.length + 2) & 0xff, ...u16(yc.length), ...yc]);
    const expected = client.computeSecret(server.getPublicKey());
    let start = 0;
    while (expected[start] === 0) start++;
    expectBytes(premasterFromClientKeyExchange(cke(client.getPublicKey()), choice, ephemeral), new Uint8Array(expected.subarray(start)), "the DHE premaster");
    expectTlsError(() => premasterFromClientKeyExchange(cke(Uint8Array.of(1)), choice, ephemeral), { alert: AlertDescription.illegal_parameter });
    expectTlsError(() => premasterFromClientKeyExchange(cke(Buffer.from((group.p - 1n).toString(16), "hex")), choice, ephemeral), { alert: AlertDescription.illegal_parameter });
  });

  it("11.8 ECDHE on P-256: Node's ECDH secret; a point off the curve is illegal_parameter", () => {
    const server = crypto.createECDH("prime256v1");
    server.generateKeys();
    const client = crypto.createECDH("prime256v1");
    client.generateKeys();
    const privateKey = new Uint8Array(Buffer.concat([Buffer.alloc(32 - server.getPrivateKey().length), server.getPrivateKey()])); // Node drops leading zeros
    const ephemeral = { kind: "ecdhe" as const, keyPair: { group: NamedGroup.secp256r1, privateKey, publicKey: new Uint8Array(server.getPublicKey()) } };
    const choice = choiceFor({ group: NamedGroup.secp256r1 });
    const cke = (point: Uint8Array) => Uint8Array.from([16, 0, 0, point.length + 1, point.length, ...point]);
    expectBytes(premasterFromClientKeyExchange(cke(client.getPublicKey()), choice, ephemeral), new Uint8Array(client.computeSecret(server.getPublicKey())), "the ECDHE premaster");
    const offCurve = Uint8Array.from(client.getPublicKey());
    offCurve[64]! ^= 1;
    expectTlsError(() => premasterFromClientKeyExchange(cke(offCurve), choice, ephemeral), { alert: AlertDescription.illegal_parameter });
  });

  it("11.8 a ClientKeyExchange whose length prefix disagrees with its body is decode_error (the message's length, nothing to do with the key)", () => {
    const ciphertext = new Uint8Array(256).fill(0x42);
    const short = rsaClientKeyExchange(ciphertext);
    short[5] = 0xff; // the opaque says 0x01ff bytes, the body has 256
    expectTlsError(() => premasterFromClientKeyExchange(short, rsaChoice(), undefined), { alert: AlertDescription.decode_error });
    const long = concat(rsaClientKeyExchange(ciphertext), Uint8Array.of(0));
    long[3]! += 1; // one byte more in the body than the opaque holds
    expectTlsError(() => premasterFromClientKeyExchange(long, rsaChoice(), undefined), { alert: AlertDescription.decode_error });
  });
});

describe("11.9 sessionKeys12: the key block, cut into the two directions", () => {
  it("11.9 the recorded master secret and randoms: the key block the page prints (MAC keys, keys and IVs of the CBC suite)", () => {
    const { keys } = sessionKeys12(RECORDED_SUITE, "SHA-256", statedMaster(), clientRandom(), serverRandom());
    expectSame(keys, statedKeyBlock(), "the key block");
  });

  it("11.9 AES-128-GCM: the client's direction has client_write_key and its 4-byte salt, the server's the server_write ones, as Node's PRF cuts them; both at sequence 0", () => {
    const k = referenceGcmKeys("sha256", statedMaster(), clientRandom(), serverRandom(), 16);
    const { client, server } = sessionKeys12(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "SHA-256", statedMaster(), clientRandom(), serverRandom());
    expectSame({ client, server }, { client: { key: k.clientKey, salt: k.clientSalt, sequence: 0n }, server: { key: k.serverKey, salt: k.serverSalt, sequence: 0n } }, "directions");
  });

  it("11.9 ChaCha20-Poly1305: 32-byte keys and 12-byte IVs (RFC 7905 §2), each direction protected by chapter 06's ChaCha20-Poly1305 records (06.14)", () => {
    const block = referencePrf("sha256", statedMaster(), "key expansion", concat(serverRandom(), clientRandom()), 2 * (32 + 12));
    const { client, server } = sessionKeys12(CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "SHA-256", statedMaster(), clientRandom(), serverRandom());
    expectSame(
      { client, server },
      {
        client: { key: block.slice(0, 32), salt: block.slice(64, 76), sequence: 0n, aead: CHACHA20_POLY1305_RECORDS },
        server: { key: block.slice(32, 64), salt: block.slice(76, 88), sequence: 0n, aead: CHACHA20_POLY1305_RECORDS },
      },
      "directions",
    );
  });
});

describe("11.14 sendServerHelloFlight12: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone", () => {
  it("11.14 the recorded flight, record for record, and the same four messages in the transcript", () => {
    const transport = replayTransport([]);
    const records = serverRecords(transport);
    sendServerHelloFlight12(records, illustratedChoice(), recordedServer());
    const expected = recordedFlight();
    expect(transport.written.length, "records written").to.equal(expected.length);
    const names = ["ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"];
    transport.written.forEach((r, i) => {
      // Decoded first, where a decoder can say which field differs; then every byte.
      if (i === 0 && r[5] === expected[0]![5]) expectSame(decodeServerHello(r.slice(5)), decodeServerHello(expected[0]!.slice(5)), "the ServerHello, decoded");
      if (i === 2 && r[5] === expected[2]![5]) expectSame(decodeServerKeyExchange(r.slice(5), "ecdhe"), decodeServerKeyExchange(expected[2]!.slice(5), "ecdhe"), "the ServerKeyExchange, decoded");
      expectBytes(r, expected[i]!, `the ${names[i]} record`, { structure: serverMessageStructure(true) });
    });
    expectSame(records.transcript.messages, expected.map((r) => r.slice(5)), "the transcript");
  });

  it("11.14 with a session cache and ticket keys, for a client that asked for tickets: a 32-byte session ID and an empty session_ticket in the ServerHello", () => {
    const base = illustratedChoice();
    const choice = { ...base, clientHello: { ...base.clientHello, extensions: [...base.clientHello.extensions, { kind: "raw" as const, type: 35, data: new Uint8Array(0) }] } };
    const transport = replayTransport([]);
    const flight = sendServerHelloFlight12(serverRecords(transport), choice, testConfig12({ ...recordedServer(), sessionCache: new SessionCache(), ticketKeys: new TicketKeys() }));
    const sh = decodeServerHello(transport.written[0]!.slice(5));
    expect(sh.legacySessionIdEcho.length, "session ID length").to.equal(32);
    expectBytes(flight.sessionId, sh.legacySessionIdEcho, "the session ID the flight returns");
    expect(flight.ticket, "a ticket will follow").to.equal(true);
    expect(sh.extensions.some((e) => e.kind === "raw" && e.type === 35 && e.data.length === 0), "an empty session_ticket extension").to.equal(true);
  });

  it("11.14 a server that also speaks TLS 1.3 puts the sentinel in its random by default; RSA key exchange sends no ServerKeyExchange", () => {
    const transport = replayTransport([]);
    const config = testConfig12({ fixed: { random: serverRandom() } });
    const flight = sendServerHelloFlight12(serverRecords(transport), rsaChoice(), config);
    expectBytes(flight.serverRandom.subarray(24), SENTINEL, "the random's last 8 bytes");
    expectSame(transport.written.map((r) => r[5]), [HandshakeType.server_hello, HandshakeType.certificate, HandshakeType.server_hello_done], "the handshake types written");
    expect(flight.serverKeyExchange, "no ServerKeyExchange").to.equal(undefined);
  });
});

describe("11.15 readClientKeyExchange12: premaster, master secret, keys", () => {
  const recordedFlightState = () => ({ serverRandom: serverRandom(), sessionId: new Uint8Array(0), ticket: false, ephemeral: { kind: "ecdhe" as const, keyPair: serverEphemeral() } });
  const afterFlight = (next: Uint8Array[]) => {
    const records = serverRecords(replayTransport(next));
    for (const m of transcriptUpToClientKeyExchange().slice(0, 5)) records.transcript.add(m);
    return records;
  };

  it("11.15 the recorded ClientKeyExchange after the recorded flight: the page's pre-master and master secrets and key block", async () => {
    const secrets = await readClientKeyExchange12(afterFlight([capture("clientkeyexchange")]), illustratedChoice(), recordedFlightState());
    expectBytes(secrets.premaster, statedPremaster(), "the pre-master secret");
    expectBytes(secrets.master, statedMaster(), "the master secret");
    expectSame(secrets.keys, statedKeyBlock(), "the key block");
  });

  it("11.15 with the extended master secret: the session hash is the transcript through the ClientKeyExchange (Node's SHA-256 and PRF agree)", async () => {
    const choice = choiceFor({ extendedMasterSecret: true });
    const secrets = await readClientKeyExchange12(afterFlight([capture("clientkeyexchange")]), choice, recordedFlightState());
    const sessionHash = nodeSha256(...transcriptUpToClientKeyExchange());
    expectBytes(secrets.sessionHash, sessionHash, "the session hash");
    expectBytes(secrets.master, referencePrf("sha256", statedPremaster(), "extended master secret", sessionHash, 48), "the extended master secret");
  });

  it("11.15 anything but a ClientKeyExchange next (a Certificate never asked for, a Finished) is unexpected_message", async () => {
    for (const message of [Uint8Array.of(11, 0, 0, 3, 0, 0, 0), Uint8Array.of(20, 0, 0, 12, ...new Uint8Array(12))]) {
      const record = Uint8Array.from([22, 3, 3, 0, message.length, ...message]);
      let error: unknown;
      await readClientKeyExchange12(afterFlight([record]), illustratedChoice(), recordedFlightState()).catch((e) => (error = e));
      expectTlsError(() => {
        throw error;
      }, { alert: AlertDescription.unexpected_message });
    }
  });
});
