// Exercises 10.12–10.14: RFC 8448 §3 and §4 replayed from the server's side. The client's records come from the
// trace (tests/support/replay-transport.ts); the server gets the trace's random values (its random, its x25519 key,
// the PSS salt recovered from the RFC's signature, the ticket's age_add) and must then write the trace's messages byte
// for byte. Our server sends each handshake message in a record of its own where the RFC's server put a flight in one,
// so its protected records are opened here with the trace's keys on Node's AES-GCM (tests/support/tls13-oracle.ts)
// and compared message by message; records with the same content and sequence number (the ticket, the data, the
// alerts, the ServerHello) must be the trace's records themselves.
import { expect } from "chai";
import { CipherSuite, NamedGroup } from "../../lib/constants.js";
import { concat, equalBytes, toHex } from "../../lib/hex.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { TranscriptHash } from "../../chapters/07-tls13-key-schedule/index.js";
import { Tls13RecordLayer, direction13 } from "../../chapters/08-tls13-handshake/index.js";
import {
  AntiReplay,
  type ClientHelloRead,
  type ServerFlight,
  type Tls13ServerConfig,
  acceptTls13,
  processClientHello,
  readClientFinished,
  sendServerFlight,
  serverKeyShare,
} from "../../chapters/10-tls13-server/index.js";
import { replayTransport } from "../support/replay-transport.js";
import { findValue } from "../support/rfc8448.js";
import { expectTlsError } from "../support/properties.js";
import { oracleOpen, oracleSeal } from "../support/tls13-oracle.js";
import { HANDSHAKE } from "./helpers.js";
import { server3, server4 } from "./rfc-servers.js";
import {
  expectSameBytes,
  payload,
  presentedAge4,
  pssSaltOf,
  record,
  rfcAdvertisedGroups,
  rfcCertificateVerifySignature,
  rfcMessage,
  rfcTicket,
  secret,
  serverRandomOf,
  serverX25519,
  traceKeys,
} from "./vectors.js";

const AES128 = "aes-128-gcm" as const;
const oracle = (k: { key: Uint8Array; iv: Uint8Array }) => ({ aead: AES128, key: k.key, iv: k.iv, sequence: 0n });

/** The handshake messages in the protected records the server wrote, opened with the trace's keys, one record each. */
function openFlight(records: Uint8Array[], keys: { key: Uint8Array; iv: Uint8Array }): Uint8Array[] {
  const d = oracle(keys);
  return records.map((r) => {
    const opened = oracleOpen(d, r);
    expect(opened.type, "a protected handshake record").to.equal(HANDSHAKE);
    return opened.content;
  });
}

/** §3's ClientHello as readClientHello would return it. */
function hello3(): ClientHelloRead {
  const message = rfcMessage(3, "ClientHello");
  const clientHello = decodeClientHello(message);
  const transcript = new TranscriptHash("SHA-256");
  transcript.add(message);
  const choice = processClientHello(clientHello, { versions: [0x0304], cipherSuites: [0x1301], groups: [NamedGroup.x25519] });
  return { clientHello, message, choice, transcript, transcriptBefore: new Uint8Array(0), helloRetry: false, changeCipherSpecSent: false };
}

describe("10.12 sendServerFlight: RFC 8448 §3's flight", () => {
  it("10.12 the ServerHello record byte for byte, then EncryptedExtensions, Certificate, CertificateVerify and Finished: the trace's messages", () => {
    const replay = replayTransport([]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    const flight = sendServerFlight(records, hello3(), undefined, undefined, false, server3());
    expectSameBytes(replay.written[0]!, record(3, "send handshake record", 1), "the ServerHello record");
    const messages = openFlight(replay.written.slice(1), traceKeys(3).serverHandshake);
    expect(messages, "four protected records, one message each").to.have.length(4);
    ["EncryptedExtensions", "Certificate", "CertificateVerify"].forEach((m, i) => expectSameBytes(messages[i]!, rfcMessage(3, m), `our ${m}`));
    expectSameBytes(messages[3]!, rfcMessage(3, "Finished", 0), "our Finished");
    expectSameBytes(concat(...messages), payload(3, "send handshake record", 2), "the whole flight against the trace's one record");
    expectSameBytes(flight.handshake.serverHandshakeTrafficSecret, secret(3, "s hs traffic"), "server_handshake_traffic_secret");
    expectSameBytes(flight.application.serverApplicationTrafficSecret, secret(3, "s ap traffic"), "server_application_traffic_secret_0");
    expectSameBytes(flight.application.clientApplicationTrafficSecret, secret(3, "c ap traffic"), "client_application_traffic_secret_0");
    expect(records.writeProtected, "the server writes with its application keys now (0.5-RTT)").to.equal(true);
  });

  it("10.12 after the flight the server writes under server_application_traffic_secret_0: §3's ticket record comes out byte for byte", () => {
    const replay = replayTransport([]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    sendServerFlight(records, hello3(), undefined, undefined, false, server3());
    records.sendHandshake(rfcMessage(3, "NewSessionTicket"));
    expectSameBytes(replay.written[5]!, record(3, "send handshake record", 4), "a record under the server's application keys");
  });

  it("10.12 config.keyShare (chapter 12's hybrid key share) replaces serverKeyShare: asked once with the client's choice, its answer is the ServerHello's", () => {
    const replay = replayTransport([]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    const asked: number[] = [];
    const config: Tls13ServerConfig = {
      ...server3(),
      keyShare: (choice, makePair) => {
        asked.push(choice.group!);
        return serverKeyShare(choice, makePair); // 10.5, with the fixed pair sendServerFlight hands over
      },
    };
    sendServerFlight(records, hello3(), undefined, undefined, false, config);
    expect(asked, "the groups config.keyShare was asked for").to.deep.equal([NamedGroup.x25519]);
    expectSameBytes(replay.written[0]!, record(3, "send handshake record", 1), "the ServerHello record, with the key share config.keyShare answered");
  });

  it("10.12 a client that accepts no signature scheme we can make gets handshake_failure BEFORE any ServerHello", () => {
    const replay = replayTransport([]);
    const hello = hello3();
    const ch = { ...hello.clientHello, extensions: hello.clientHello.extensions.map((e) => (e.kind === "signature_algorithms" ? { ...e, schemes: [0x0401] } : e)) };
    expectTlsError(() => sendServerFlight(new Tls13RecordLayer(replay, undefined, "server"), { ...hello, clientHello: ch }, undefined, undefined, false, server3()), {
      alert: 40,
    });
    expect(replay.written, "nothing sent").to.have.length(0);
  });
});

/** §3's flight as the trace states it, for readClientFinished alone. */
function flight3(): ServerFlight {
  const k = traceKeys(3);
  return {
    aead: "AES_128_GCM",
    hash: "SHA-256",
    handshake: {
      hash: "SHA-256",
      handshakeSecret: findValue(3, 'extract secret "handshake"', "secret"),
      clientHandshakeTrafficSecret: secret(3, "c hs traffic"),
      serverHandshakeTrafficSecret: secret(3, "s hs traffic"),
    },
    application: {
      hash: "SHA-256",
      masterSecret: findValue(3, 'extract secret "master"', "secret"),
      clientApplicationTrafficSecret: secret(3, "c ap traffic"),
      serverApplicationTrafficSecret: secret(3, "s ap traffic"),
      exporterMasterSecret: secret(3, "exp master"),
    },
    applicationKeys: { client: k.clientApplication, server: k.serverApplication },
    handshakeKeys: { client: k.clientHandshake, server: k.serverHandshake },
  } as unknown as ServerFlight;
}

function transcriptUpToServerFinished(): TranscriptHash {
  const t = new TranscriptHash("SHA-256");
  for (const m of ["ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify"]) t.add(rfcMessage(3, m));
  t.add(rfcMessage(3, "Finished", 0));
  return t;
}

describe("10.13 readClientFinished: RFC 8448 §3's client Finished", () => {
  it("10.13 the trace's client Finished checks out; the resumption master secret is the trace's; the client's application data opens next", async () => {
    const replay = replayTransport([record(3, "send handshake record", 3), record(3, "send application_data record", 0)]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    records.inHandshake = true;
    records.setReadKeys(direction13("AES_128_GCM", traceKeys(3).clientHandshake));
    const transcript = transcriptUpToServerFinished();
    const resumption = await readClientFinished(records, flight3(), transcript);
    expectSameBytes(resumption, secret(3, "res master"), "resumption_master_secret");
    expect(records.inHandshake, "the handshake is over: a ChangeCipherSpec now is unexpected").to.equal(false);
    const next = await records.readPostHandshake();
    expect(next?.kind).to.equal("data");
    expectSameBytes((next as { data: Uint8Array }).data, payload(3, "send application_data record", 0), "the client's data, under its application keys");
  });

  it("10.13 the client's Finished one bit off (sealed again with the trace's keys): decrypt_error", async () => {
    const bad = rfcMessage(3, "Finished", 1);
    bad[10]! ^= 0x04;
    const replay = replayTransport([oracleSeal(oracle(traceKeys(3).clientHandshake), HANDSHAKE, bad)]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    records.setReadKeys(direction13("AES_128_GCM", traceKeys(3).clientHandshake));
    let error: unknown;
    await readClientFinished(records, flight3(), transcriptUpToServerFinished()).catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: 51, field: "verify_data" });
  });

  it("10.13 a Certificate where the Finished should be (the server asked for none): unexpected_message", async () => {
    const replay = replayTransport([oracleSeal(oracle(traceKeys(3).clientHandshake), HANDSHAKE, rfcMessage(3, "Certificate"))]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    records.setReadKeys(direction13("AES_128_GCM", traceKeys(3).clientHandshake));
    let error: unknown;
    await readClientFinished(records, flight3(), transcriptUpToServerFinished()).catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: 10 });
  });
});

describe("10.14 serverHandshake13: RFC 8448 §3 and §4 replayed through our server", () => {
  it("10.14 §3: the client's records in, the trace's ServerHello, flight, ticket, data and close_notify out; the key log is the trace's", async () => {
    const keyLog: string[] = [];
    const replay = replayTransport([record(3, "send handshake record", 0), record(3, "send handshake record", 3), record(3, "send application_data record", 0), record(3, "send alert record", 0)]);
    const conn = await acceptTls13(replay, server3(keyLog));
    const data = await conn.read();
    expectSameBytes(data!, payload(3, "send application_data record", 0), "the client's data");
    conn.write(data!);
    expect(await conn.read(), "the client's close_notify ends the stream").to.equal(null);
    conn.close();
    const w = replay.written;
    expect(w, "ServerHello, four flight records, the ticket, the data, the alert").to.have.length(8);
    expectSameBytes(w[0]!, record(3, "send handshake record", 1), "the ServerHello record");
    expectSameBytes(concat(...openFlight(w.slice(1, 5), traceKeys(3).serverHandshake)), payload(3, "send handshake record", 2), "EncryptedExtensions … Finished");
    expectSameBytes(w[5]!, record(3, "send handshake record", 4), "the NewSessionTicket record");
    expectSameBytes(w[6]!, record(3, "send application_data record", 1), "the data record");
    expectSameBytes(w[7]!, record(3, "send alert record", 1), "the close_notify record");
    const random = toHex(decodeClientHello(rfcMessage(3, "ClientHello")).random);
    expect([...keyLog].sort()).to.deep.equal(
      [
        `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "c hs traffic"))}`,
        `SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "s hs traffic"))}`,
        `CLIENT_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "c ap traffic"))}`,
        `SERVER_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "s ap traffic"))}`,
        `EXPORTER_SECRET ${random} ${toHex(secret(3, "exp master"))}`,
      ].sort(),
    );
    expect(conn.info.resumed).to.equal(false);
    expect(conn.info.earlyData).to.equal("not offered");
    expect(conn.trace.filter((e) => e.from === "server").map((e) => `${e.name}${e.encrypted ? " 🔒" : ""}`)).to.deep.equal([
      "server_hello",
      "encrypted_extensions 🔒",
      "certificate 🔒",
      "certificate_verify 🔒",
      "finished 🔒",
      "new_session_ticket 🔒",
      "application_data 🔒",
      "alert: close_notify 🔒",
    ]);
  });

  const clientRecords4 = () => [
    record(4, "send handshake record", 0), // ClientHello with §3's ticket
    record(4, "send application_data record", 0), // 0-RTT data
    record(4, "send handshake record", 3), // EndOfEarlyData
    record(4, "send handshake record", 4), // Finished
    record(4, "send application_data record", 1),
    record(4, "send alert record", 0),
  ];

  async function run4(config: Tls13ServerConfig) {
    const early: Uint8Array[] = [];
    const replay = replayTransport(clientRecords4());
    let conn;
    let error: unknown;
    try {
      conn = await acceptTls13(replay, config, { onEarlyData: (d) => void early.push(d) });
      const data = await conn.read();
      conn.write(data!);
      await conn.read();
      conn.close();
    } catch (e) {
      error = e;
    }
    return { conn, early, written: replay.written, error };
  }

  it("10.14 §4: §3's ticket accepted (binder checked), the 0-RTT data read, EndOfEarlyData, and the trace's ServerHello, flight and data", async () => {
    const keyLog: string[] = [];
    const { conn, early, written, error } = await run4(server4(new AntiReplay(), keyLog));
    expect(error, String(error)).to.equal(undefined);
    expect(early.map((d) => toHex(d)), "the early data, handed over").to.deep.equal([toHex(payload(4, "send application_data record", 0))]);
    expectSameBytes(written[0]!, record(4, "send handshake record", 1), "the ServerHello record (pre_shared_key, key_share, supported_versions)");
    expectSameBytes(concat(...openFlight(written.slice(1, 3), traceKeys(4).serverHandshake)), payload(4, "send handshake record", 2), "EncryptedExtensions (early_data) and Finished");
    expectSameBytes(written[3]!, record(4, "send application_data record", 2), "the data record");
    expectSameBytes(written[4]!, record(4, "send alert record", 1), "the close_notify record");
    expect([conn!.info.resumed, conn!.info.earlyData]).to.deep.equal([true, "accepted"]);
    const random = toHex(decodeClientHello(payload(4, "send handshake record", 0)).random);
    expect(keyLog, "the early traffic secret is logged").to.include(`CLIENT_EARLY_TRAFFIC_SECRET ${random} ${toHex(secret(4, "c e traffic"))}`);
  });

  it("10.14 §4's first flight sent twice to a server with anti-replay: the second time the early data is NOT read, and the replay ends at the Finished", async () => {
    const config = server4(new AntiReplay());
    const first = await run4(config);
    expect(first.early, "the first time it is read").to.have.length(1);
    const second = await run4(config);
    expect(second.early, "the copy is not").to.have.length(0);
    expect((second.error as { alertName?: string }).alertName, String(second.error)).to.equal("decrypt_error");
  });

  it("10.14 the same with no replay guard (--allow-replay): the copy's early data is read a second time", async () => {
    const config = server4(undefined);
    expect((await run4(config)).early).to.have.length(1);
    expect((await run4(config)).early, "read again: the request would run twice").to.have.length(1);
  });
});
