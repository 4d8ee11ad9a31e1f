// RFC 8448 ("Example Handshake Traces for TLS 1.3"), parsed from the RFC text by tests/support/rfc8448.ts.
//   08.1  every protected record of §3, §5 and §7 opens with the trace's own printed keys and IVs to the trace's
//         plaintext, and every record the client protects comes out of sealRecord13 byte for byte;
//   08.5  the whole handshake replayed (tests/support/replay-transport.ts): given the trace's ClientHello and private
//         key, our client must write the trace's records byte for byte (so its Finished is right) and accept the
//         server's (so the server's CertificateVerify and Finished checked out), in §3 and in compatibility mode (§7);
//   08.6  §5, HelloRetryRequest: our second ClientHello, and the replay with the transcript restarted;
//   08.7  the NewSessionTicket after §3's handshake is kept.
import { expect } from "chai";
import { NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { decodeServerHello } from "../../chapters/02-server-hello/index.js";
import { connectTls13, direction13, openRecord13, retryClientHello, sealRecord13 } from "../../chapters/08-tls13-handshake/index.js";
import { replayTransport } from "../support/replay-transport.js";
import { findValue } from "../support/rfc8448.js";
import { asRecord, clientX25519, payload, record, replayOptions, secret, traceKeys } from "./rfc-replay.js";
import { rfcMessage, ticketFields } from "./vectors.js";

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const ALERT = 21;

describe("08.1 RFC 8448: every protected record, with the trace's printed keys", function () {
  for (const s of [3, 5, 7] as const) {
    // In §5 the first two handshake records are the ClientHello and the HelloRetryRequest.
    const flight = s === 5 ? 4 : 2;
    it(`08.1 RFC 8448 §${s}: the server's encrypted flight opens to EncryptedExtensions, Certificate, CertificateVerify, Finished`, () => {
      const keys = traceKeys(s);
      const opened = openRecord13(direction13("AES_128_GCM", keys.serverHandshake), asRecord(record(s, "send handshake record", flight)));
      expect(opened.contentType).to.equal(HANDSHAKE);
      expect(toHex(opened.content)).to.equal(toHex(payload(s, "send handshake record", flight)));
      const messages = ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => toHex(rfcMessage(s, m)));
      expect(toHex(opened.content)).to.equal(messages.join("") + toHex(rfcMessage(s, "Finished", 0)));
    });

    it(`08.1 RFC 8448 §${s}: sealRecord13 makes the client's Finished record byte for byte`, () => {
      const keys = traceKeys(s);
      const sealed = sealRecord13(direction13("AES_128_GCM", keys.clientHandshake), HANDSHAKE, rfcMessage(s, "Finished", 1));
      expect(toHex(sealed)).to.equal(toHex(record(s, "send handshake record", flight + 1)));
    });

    it(`08.1 RFC 8448 §${s}: both close_notify alerts under the application keys${s === 3 ? ", the ticket and the application data both ways" : ""}`, () => {
      const keys = traceKeys(s);
      const client = direction13("AES_128_GCM", keys.clientApplication);
      const server = direction13("AES_128_GCM", keys.serverApplication);
      if (s === 3) {
        const ticket = openRecord13(server, asRecord(record(3, "send handshake record", 4)));
        expect([ticket.contentType, toHex(ticket.content)]).to.deep.equal([HANDSHAKE, toHex(rfcMessage(3, "NewSessionTicket"))]);
        expect(toHex(sealRecord13(client, APPLICATION_DATA, payload(3, "send application_data record", 0)))).to.equal(
          toHex(record(3, "send application_data record", 0)),
        );
        const data = openRecord13(server, asRecord(record(3, "send application_data record", 1)));
        expect([data.contentType, toHex(data.content)]).to.deep.equal([APPLICATION_DATA, toHex(payload(3, "send application_data record", 1))]);
      }
      expect(toHex(sealRecord13(client, ALERT, payload(s, "send alert record", 0)))).to.equal(toHex(record(s, "send alert record", 0)));
      const alert = openRecord13(server, asRecord(record(s, "send alert record", 1)));
      expect([alert.contentType, toHex(alert.content)]).to.deep.equal([ALERT, "0100"]);
    });
  }
});

describe("08.5 RFC 8448 replayed through our client", function () {
  it("08.5 §3: with the trace's ClientHello and key, our client writes the trace's ClientHello, Finished, data and close_notify byte for byte", async () => {
    const keyLog: string[] = [];
    const replay = replayTransport([
      record(3, "send handshake record", 1), // ServerHello
      record(3, "send handshake record", 2), // EncryptedExtensions … Finished, one record
      record(3, "send handshake record", 4), // NewSessionTicket
      record(3, "send application_data record", 1),
      record(3, "send alert record", 1),
    ]);
    const conn = await connectTls13(replay, replayOptions(3, keyLog));
    conn.write(payload(3, "send application_data record", 0));
    const data = await conn.read();
    expect(toHex(data!), "the server's application data").to.equal(toHex(payload(3, "send application_data record", 1)));
    expect(await conn.read(), "the server's close_notify ends the stream").to.equal(null);
    conn.close();
    expect(replay.written.map((r) => toHex(r))).to.deep.equal(
      [record(3, "send handshake record", 0), record(3, "send handshake record", 3), record(3, "send application_data record", 0), record(3, "send alert record", 0)].map(
        (r) => toHex(r),
      ),
    );
    expect(conn.cipherSuite).to.equal(0x1301);
    expect(conn.group).to.equal(NamedGroup.x25519);
    expect(conn.helloRetryRequest).to.equal(false);
    const random = toHex(decodeClientHello(rfcMessage(3, "ClientHello")).random);
    expect(keyLog.sort()).to.deep.equal(
      [
        `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "c hs traffic"))}`,
        `SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(secret(3, "s hs traffic"))}`,
        `CLIENT_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "c ap traffic"))}`,
        `SERVER_TRAFFIC_SECRET_0 ${random} ${toHex(secret(3, "s ap traffic"))}`,
        `EXPORTER_SECRET ${random} ${toHex(secret(3, "exp master"))}`,
      ].sort(),
    );
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

  it("08.5 §3, the server's flight cut differently: one record per message, and every message split in two records", async () => {
    const keys = traceKeys(3);
    const messages = ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => rfcMessage(3, m)).concat([rfcMessage(3, "Finished", 0)]);
    const stream = Uint8Array.from(messages.flatMap((m) => [...m]));
    const cuts = [messages, [stream.slice(0, 10), stream.slice(10, 500), stream.slice(500)]];
    for (const pieces of cuts) {
      const writer = direction13("AES_128_GCM", { key: keys.serverHandshake.key, iv: keys.serverHandshake.iv });
      const replay = replayTransport([record(3, "send handshake record", 1), ...pieces.map((p) => sealRecord13(writer, HANDSHAKE, p))]);
      await connectTls13(replay, replayOptions(3, []));
      expect(toHex(replay.written[1]!), "our Finished").to.equal(toHex(record(3, "send handshake record", 3)));
    }
  });

  it("08.5 §7 (middlebox compatibility): the server's ChangeCipherSpec is dropped, ours goes out right before our Finished", async () => {
    const replay = replayTransport([
      record(7, "send handshake record", 1),
      record(7, "send change_cipher_spec record", 0),
      record(7, "send handshake record", 2),
      record(7, "send alert record", 1),
    ]);
    const conn = await connectTls13(replay, replayOptions(7, []));
    expect(await conn.read()).to.equal(null);
    conn.close();
    expect(replay.written.map((r) => toHex(r))).to.deep.equal(
      [record(7, "send handshake record", 0), record(7, "send change_cipher_spec record", 1), record(7, "send handshake record", 3), record(7, "send alert record", 0)].map(
        (r) => toHex(r),
      ),
    );
    expect(conn.trace.some((e) => e.from === "server" && e.name.startsWith("change_cipher_spec") && !e.encrypted)).to.equal(true);
  });

  it("08.5 §3 with one byte of the server's Finished changed (re-encrypted with the trace's keys): decrypt_error, and the alert goes out encrypted", async () => {
    const keys = traceKeys(3);
    const flight = payload(3, "send handshake record", 2).slice();
    flight[flight.length - 1]! ^= 0x01;
    const replay = replayTransport([record(3, "send handshake record", 1), sealRecord13(direction13("AES_128_GCM", keys.serverHandshake), HANDSHAKE, flight)]);
    let error: unknown;
    await connectTls13(replay, replayOptions(3, [])).catch((e) => (error = e));
    expect((error as { alertName?: string }).alertName, String(error)).to.equal("decrypt_error");
    const alert = openRecord13(direction13("AES_128_GCM", keys.clientHandshake), asRecord(replay.written[1]!));
    expect([alert.contentType, toHex(alert.content)], "our alert, under the client handshake keys").to.deep.equal([ALERT, "0233"]);
  });
});

describe("08.6 RFC 8448 §5: HelloRetryRequest", function () {
  const p256 = () => ({
    group: NamedGroup.secp256r1,
    privateKey: findValue(5, "create an ephemeral P-256 key pair", "private key", 0),
    publicKey: findValue(5, "create an ephemeral P-256 key pair", "public key", 0),
  });

  it("08.6 retryClientHello: the first ClientHello with one P-256 share (the trace's key) and the cookie echoed; random, session id, suites unchanged", () => {
    const first: ClientHello = decodeClientHello(rfcMessage(5, "ClientHello", 0));
    const hrr = decodeServerHello(findValue(5, "construct a ServerHello", "ServerHello", 0));
    const trace: ClientHello = decodeClientHello(rfcMessage(5, "ClientHello", 1));
    const { clientHello, keyPairs } = retryClientHello({ clientHello: first, keyPairs: [clientX25519(5)] }, hrr, () => p256());
    expect(keyPairs.map((k) => k.group)).to.deep.equal([NamedGroup.secp256r1]);
    expect(toHex(clientHello.random)).to.equal(toHex(trace.random));
    expect(toHex(clientHello.legacySessionId)).to.equal(toHex(trace.legacySessionId));
    expect(clientHello.cipherSuites).to.deep.equal(trace.cipherSuites);
    // The trace's client (NSS) also added a padding extension and put the cookie elsewhere; RFC 8446 §4.1.2 allows both.
    const PADDING = 21;
    const byType = (ch: ClientHello) =>
      new Map(ch.extensions.map((e) => [e.kind === "raw" ? e.type : e.kind, JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v))]));
    const ours = byType(clientHello);
    const theirs = byType(trace);
    theirs.delete(PADDING);
    expect([...ours.keys()].sort()).to.deep.equal([...theirs.keys()].sort());
    for (const [type, value] of theirs) expect(ours.get(type), `extension ${type}`).to.equal(value);
    expect(findExtension(clientHello.extensions, "key_share")?.shares.map((s) => toHex(s.keyExchange))).to.deep.equal([toHex(p256().publicKey)]);
    expect(first.extensions.length, "the first ClientHello is left alone").to.equal(decodeClientHello(rfcMessage(5, "ClientHello", 0)).extensions.length);
  });

  it("08.6 §5 replayed with the trace's second ClientHello: the transcript restarts with message_hash, and our Finished is the trace's byte for byte", async () => {
    const keyLog: string[] = [];
    const options = replayOptions(5, keyLog);
    options.fixed!.retry = () => ({ clientHello: decodeClientHello(rfcMessage(5, "ClientHello", 1)), keyPairs: [p256()] });
    const replay = replayTransport([
      record(5, "send handshake record", 1), // HelloRetryRequest
      record(5, "send handshake record", 3), // ServerHello
      record(5, "send handshake record", 4), // EncryptedExtensions … Finished
      record(5, "send alert record", 1),
    ]);
    const conn = await connectTls13(replay, options);
    expect(await conn.read()).to.equal(null);
    conn.close();
    expect(conn.helloRetryRequest).to.equal(true);
    expect(conn.group).to.equal(NamedGroup.secp256r1);
    expect(replay.written.map((r) => toHex(r))).to.deep.equal(
      [0, 2, 5].map((i) => toHex(record(5, "send handshake record", i))).concat([toHex(record(5, "send alert record", 0))]),
    );
    expect(keyLog.some((l) => l.endsWith(toHex(secret(5, "c hs traffic"))))).to.equal(true);
  });

  it("08.6 a second HelloRetryRequest in the replay: unexpected_message", async () => {
    const options = replayOptions(5, []);
    options.fixed!.retry = () => ({ clientHello: decodeClientHello(rfcMessage(5, "ClientHello", 1)), keyPairs: [p256()] });
    const hrr = record(5, "send handshake record", 1);
    let error: unknown;
    await connectTls13(replayTransport([hrr, hrr]), options).catch((e) => (error = e));
    expect((error as { alertName?: string }).alertName, String(error)).to.equal("unexpected_message");
  });
});

describe("08.5 RFC 8448 §3: after the handshake", function () {
  it("08.5 the NewSessionTicket that arrives while reading is kept (08.4), with the trace's lifetime, nonce and ticket", async () => {
    const replay = replayTransport([
      record(3, "send handshake record", 1),
      record(3, "send handshake record", 2),
      record(3, "send handshake record", 4),
      record(3, "send application_data record", 1),
    ]);
    const conn = await connectTls13(replay, replayOptions(3, []));
    expect(conn.tickets, "no ticket before reading").to.have.length(0);
    await conn.read();
    expect(conn.tickets).to.have.length(1);
    const expected = ticketFields(rfcMessage(3, "NewSessionTicket"));
    const { ticket, receivedAt } = conn.tickets[0]!;
    expect([ticket.lifetime, ticket.ageAdd, toHex(ticket.nonce), toHex(ticket.ticket)]).to.deep.equal([
      expected.lifetime,
      expected.ageAdd,
      toHex(expected.nonce),
      toHex(expected.ticket),
    ]);
    expect(Math.abs(receivedAt.getTime() - Date.now())).to.be.lessThan(5000);
    expect(toHex(conn.secrets.resumptionMasterSecret), "resumption_master_secret").to.equal(toHex(secret(3, "res master")));
  });
});
