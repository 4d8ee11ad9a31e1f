// RFC 8448 ("Example Handshake Traces for TLS 1.3"), parsed from the RFC text by tests/support/rfc8448.ts.
//   08.1–08.2  every protected record of §3, §5 and §7 opens with the trace's own printed keys and IVs to the trace's
//              plaintext, and every record the client protects comes out of sealRecord13 byte for byte;
//   08.17      the whole handshake replayed (tests/support/replay-transport.ts): given the trace's ClientHello and
//              private key, our client must write the trace's records byte for byte (so its Finished is right) and
//              accept the server's (so the server's CertificateVerify and Finished checked out), in §3, in
//              compatibility mode (§7) and after a HelloRetryRequest (§5). Each step alone: steps.ts;
//   08.18      the NewSessionTicket after §3's handshake is kept.
import { expect } from "chai";
import { CipherSuite, ContentType, NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { connectTls13, direction13, openRecord13, sealRecord13 } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { replayTransport } from "../support/replay-transport.js";
import { findValue } from "../support/rfc8448.js";
import { records as recordStructure } from "../support/structures.js";
import { asRecord, payload, record, replayOptions, secret, traceKeys } from "./rfc-replay.js";
import { handshakes } from "../support/structures.js";
import { rfcMessage, ticketFields } from "./vectors.js";

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const ALERT = 21;

describe("08.1–08.2 RFC 8448: every protected record, with the trace's printed keys", function () {
  for (const s of [3, 5, 7] as const) {
    // In §5 the first two handshake records are the ClientHello and the HelloRetryRequest.
    const flight = s === 5 ? 4 : 2;
    it(`08.2 RFC 8448 §${s}: the server's encrypted flight opens to EncryptedExtensions, Certificate, CertificateVerify, Finished`, () => {
      const keys = traceKeys(s);
      const opened = openRecord13(direction13("AES_128_GCM", keys.serverHandshake), asRecord(record(s, "send handshake record", flight)));
      expectCode(opened.contentType, HANDSHAKE, ContentType, "the true content type");
      expectBytes(opened.content, payload(s, "send handshake record", flight), "the content, as the trace prints it");
      const messages = ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => rfcMessage(s, m)).concat([rfcMessage(s, "Finished", 0)]);
      expectBytes(opened.content, Uint8Array.from(messages.flatMap((m) => [...m])), "EncryptedExtensions … Finished", { structure: handshakes });
    });

    it(`08.1 RFC 8448 §${s}: sealRecord13 makes the client's Finished record byte for byte`, () => {
      const keys = traceKeys(s);
      const sealed = sealRecord13(direction13("AES_128_GCM", keys.clientHandshake), HANDSHAKE, rfcMessage(s, "Finished", 1));
      expectBytes(sealed, record(s, "send handshake record", flight + 1), "our Finished record", { structure: recordStructure });
    });

    it(`08.2 RFC 8448 §${s}: both close_notify alerts under the application keys${s === 3 ? ", the ticket and the application data both ways" : ""}`, () => {
      const keys = traceKeys(s);
      const client = direction13("AES_128_GCM", keys.clientApplication);
      const server = direction13("AES_128_GCM", keys.serverApplication);
      if (s === 3) {
        const ticket = openRecord13(server, asRecord(record(3, "send handshake record", 4)));
        expectSame(ticket, { contentType: HANDSHAKE, content: rfcMessage(3, "NewSessionTicket") }, "the server's ticket, opened");
        expectBytes(sealRecord13(client, APPLICATION_DATA, payload(3, "send application_data record", 0)), record(3, "send application_data record", 0), "our data, sealed");
        const data = openRecord13(server, asRecord(record(3, "send application_data record", 1)));
        expectSame(data, { contentType: APPLICATION_DATA, content: payload(3, "send application_data record", 1) }, "the server's data, opened");
      }
      expectBytes(sealRecord13(client, ALERT, payload(s, "send alert record", 0)), record(s, "send alert record", 0), "our close_notify, sealed");
      const alert = openRecord13(server, asRecord(record(s, "send alert record", 1)));
      expectSame(alert, { contentType: ALERT, content: Uint8Array.of(1, 0) }, "the server's close_notify, opened");
    });
  }
});

describe("08.17 RFC 8448 replayed through our client", function () {
  it("08.17 §3: with the trace's ClientHello and key, our client writes the trace's ClientHello, Finished, data and close_notify byte for byte", async () => {
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
    expectBytes(data, payload(3, "send application_data record", 1), "the server's application data");
    expect(await conn.read(), "the server's close_notify ends the stream").to.equal(null);
    conn.close();
    expectSame(
      replay.written,
      [record(3, "send handshake record", 0), record(3, "send handshake record", 3), record(3, "send application_data record", 0), record(3, "send alert record", 0)],
      "our records: ClientHello, Finished, data, close_notify",
      { structure: recordStructure },
    );
    expectCode(conn.cipherSuite, 0x1301, CipherSuite, "the suite");
    expectCode(conn.group, NamedGroup.x25519, NamedGroup, "the group");
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

  it("08.17 §3, the server's flight cut differently: one record per message, and every message split in two records", async () => {
    const keys = traceKeys(3);
    const messages = ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => rfcMessage(3, m)).concat([rfcMessage(3, "Finished", 0)]);
    const stream = Uint8Array.from(messages.flatMap((m) => [...m]));
    const cuts = [messages, [stream.slice(0, 10), stream.slice(10, 500), stream.slice(500)]];
    for (const pieces of cuts) {
      const writer = direction13("AES_128_GCM", { key: keys.serverHandshake.key, iv: keys.serverHandshake.iv });
      const replay = replayTransport([record(3, "send handshake record", 1), ...pieces.map((p) => sealRecord13(writer, HANDSHAKE, p))]);
      await connectTls13(replay, replayOptions(3, []));
      expectBytes(replay.written[1], record(3, "send handshake record", 3), "our Finished", { structure: recordStructure });
    }
  });

  it("08.17 §7 (middlebox compatibility): the server's ChangeCipherSpec is dropped, ours goes out right before our Finished", async () => {
    const replay = replayTransport([
      record(7, "send handshake record", 1),
      record(7, "send change_cipher_spec record", 0),
      record(7, "send handshake record", 2),
      record(7, "send alert record", 1),
    ]);
    const conn = await connectTls13(replay, replayOptions(7, []));
    expect(await conn.read()).to.equal(null);
    conn.close();
    expectSame(
      replay.written,
      [record(7, "send handshake record", 0), record(7, "send change_cipher_spec record", 1), record(7, "send handshake record", 3), record(7, "send alert record", 0)],
      "our records: ClientHello, ChangeCipherSpec, Finished, close_notify",
      { structure: recordStructure },
    );
    expect(conn.trace.some((e) => e.from === "server" && e.name.startsWith("change_cipher_spec") && !e.encrypted)).to.equal(true);
  });

  it("08.17 §3 with one byte of the server's Finished changed (re-encrypted with the trace's keys): decrypt_error, and the alert goes out encrypted", async () => {
    const keys = traceKeys(3);
    const flight = payload(3, "send handshake record", 2).slice();
    flight[flight.length - 1]! ^= 0x01;
    const replay = replayTransport([record(3, "send handshake record", 1), sealRecord13(direction13("AES_128_GCM", keys.serverHandshake), HANDSHAKE, flight)]);
    let error: unknown;
    await connectTls13(replay, replayOptions(3, [])).catch((e) => (error = e));
    expect((error as { alertName?: string }).alertName, String(error)).to.equal("decrypt_error");
    const alert = openRecord13(direction13("AES_128_GCM", keys.clientHandshake), asRecord(replay.written[1]!));
    expectSame(alert, { contentType: ALERT, content: Uint8Array.of(2, 51) }, "our alert (fatal, decrypt_error), under the client handshake keys");
  });
});

describe("08.17 RFC 8448 §5 replayed: a HelloRetryRequest", function () {
  const p256 = () => ({
    group: NamedGroup.secp256r1,
    privateKey: findValue(5, "create an ephemeral P-256 key pair", "private key", 0),
    publicKey: findValue(5, "create an ephemeral P-256 key pair", "public key", 0),
  });

  it("08.17 §5 replayed with the trace's second ClientHello: the transcript restarts with message_hash, and our Finished is the trace's byte for byte", async () => {
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
    expectCode(conn.group, NamedGroup.secp256r1, NamedGroup, "the group");
    expectSame(replay.written, [0, 2, 5].map((i) => record(5, "send handshake record", i)).concat([record(5, "send alert record", 0)]), "our records", {
      structure: recordStructure,
    });
    expect(keyLog.some((l) => l.endsWith(toHex(secret(5, "c hs traffic"))))).to.equal(true);
  });
});

describe("08.18 RFC 8448 §3: after the handshake", function () {
  it("08.18 the NewSessionTicket that arrives while reading is kept, with the trace's lifetime, nonce and ticket", async () => {
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
    expectSame(
      { lifetime: ticket.lifetime, ageAdd: ticket.ageAdd, nonce: ticket.nonce, ticket: ticket.ticket },
      { lifetime: expected.lifetime, ageAdd: expected.ageAdd, nonce: expected.nonce, ticket: expected.ticket },
      "the ticket kept",
    );
    expect(Math.abs(receivedAt.getTime() - Date.now())).to.be.lessThan(5000);
    expectBytes(conn.secrets.resumptionMasterSecret, secret(3, "res master"), "resumption_master_secret");
  });
});
