// Exercises 06.4 (readContent) and 06.5 (readHandshake), the TLS 1.2 record layer, run alone on a recorded server:
// the flight of tests/vectors/recorded-tls12/ecdhe.json (ServerHello … ServerHelloDone, in the clear) re-cut every way
// a server may cut it, with records slipped in that a server may or may not send, and its encrypted end (Finished,
// data, close_notify) opened with the keys its key log gives. No handshake step runs here: a bug in one cannot fail
// these. The record layer must hand over the recorded messages whole, hash them, and otherwise stop with the alert
// RFC 5246 §6 and §7.2 name.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { AlertDescription, ContentType, HandshakeType } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { decodeServerHello } from "../../chapters/02-server-hello/index.js";
import { keyBlock, keyBlockParams } from "../../chapters/04-rsa-key-exchange/index.js";
import { Tls12RecordLayer, directionState, isConnectionClosed, isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { replayTransport } from "../support/replay-transport.js";
import { handshakes } from "../support/structures.js";
import { expectRejection } from "./helpers.js";

const recording = JSON.parse(readFileSync(new URL("../vectors/recorded-tls12/ecdhe.json", import.meta.url), "utf8")) as {
  keyLog: string;
  records: { from: string; hex: string }[];
};
const server = recording.records.filter((r) => r.from === "server").map((r) => fromHex(r.hex));
/** The server's plaintext messages, in order: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone. */
const flight = () => server.filter((r) => r[0] === ContentType.handshake).slice(0, 4).map((r) => r.slice(5));
/** What follows them: ChangeCipherSpec, Finished, the answer, close_notify (the last three encrypted). */
const end = () => server.slice(4);
const record = (type: number, fragment: Uint8Array | number[]) => {
  const f = Uint8Array.from(fragment);
  return Uint8Array.from([type, 3, 3, f.length >> 8, f.length & 0xff, ...f]);
};
const handshakeRecords = (pieces: Uint8Array[]) => pieces.map((p) => record(ContentType.handshake, p));
const stream = () => Uint8Array.from(flight().flatMap((m) => [...m]));
const layerOver = (records: Uint8Array[]) => new Tls12RecordLayer(replayTransport(records));

/** Reads `count` handshake messages from a record layer over `records`. */
async function readMessages(records: Uint8Array[], count = 4) {
  const layer = layerOver(records);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(await layer.readHandshake());
  return { layer, messages };
}

describe("06.4–06.5 the TLS 1.2 record layer alone, on a recorded openssl s_server flight", function () {
  it("06.5 the recorded records: each message handed over whole, in order, and added to the transcript", async () => {
    const { layer, messages } = await readMessages(server.slice(0, 4));
    expectSame(messages, flight(), "the messages", { structure: handshakes });
    expectSame(layer.transcript.messages, flight(), "the transcript", { structure: handshakes });
  });

  it("06.5 the same flight in one record, in 1-byte records, and cut across message boundaries: the same messages", async () => {
    const s = stream();
    for (const pieces of [[s], Array.from(s, (b) => Uint8Array.of(b)), [s.slice(0, 3), s.slice(3, 100), s.slice(100, 1001), s.slice(1001)]]) {
      const { layer, messages } = await readMessages(handshakeRecords(pieces));
      expectSame(messages, flight(), `the flight cut in ${pieces.length} record(s)`, { structure: handshakes });
      const certificate = layer.trace.find((e) => e.name === "certificate")!;
      if (pieces.length > 100) expect(certificate.records, "records that carried the Certificate").to.be.greaterThan(800);
    }
  });

  it("06.5 a HelloRequest between two messages is skipped and not hashed (RFC 5246 §7.4.1.1)", async () => {
    const [sh, ...rest] = flight();
    const { layer, messages } = await readMessages(handshakeRecords([sh!, Uint8Array.of(HandshakeType.hello_request, 0, 0, 0), ...rest]));
    expectSame(messages, flight(), "the messages", { structure: handshakes });
    expectSame(layer.transcript.messages, flight(), "the transcript, without the HelloRequest", { structure: handshakes });
  });

  it("06.4 a warning alert is skipped; a fatal one ends the handshake with the server's alert, by name; close_notify is the end of the stream", async () => {
    const [sh, ...rest] = flight();
    const { messages } = await readMessages([...handshakeRecords([sh!]), record(ContentType.alert, [1, AlertDescription.no_renegotiation]), ...handshakeRecords(rest)]);
    expectSame(messages, flight(), "the messages around a warning", { structure: handshakes });
    const e = await expectRejection(() => readMessages([...handshakeRecords([sh!]), record(ContentType.alert, [2, AlertDescription.handshake_failure])]));
    expect([e.alertName, isReceivedAlert(e)], e.message).to.deep.equal(["handshake_failure", true]);
    const layer = layerOver([record(ContentType.alert, [1, AlertDescription.close_notify])]);
    expect(await layer.readContent(), "close_notify: no more content").to.equal(null);
    expect(layer.peerClosed, "peerClosed").to.equal(true);
  });

  for (const [id, label, records, alert] of [
    ["06.4", "an alert of three bytes", () => [record(ContentType.alert, [2, 40, 0])], "decode_error"],
    ["06.5", "application data in the middle of the flight", () => [server[0]!, record(ContentType.application_data, [1, 2, 3]), ...server.slice(1, 4)], "unexpected_message"],
    ["06.5", "a ChangeCipherSpec in the middle of the flight (the CCS injection of CVE-2014-0224)", () => [server[0]!, record(ContentType.change_cipher_spec, [1]), ...server.slice(1, 4)], "unexpected_message"],
    ["06.5", "an empty handshake record (RFC 5246 §6.2.1)", () => [server[0]!, record(ContentType.handshake, []), ...server.slice(1, 4)], "unexpected_message"],
    ["06.5", "a handshake header announcing 16 MiB", () => [server[0]!, record(ContentType.handshake, [HandshakeType.certificate, 0xff, 0xff, 0xff, 0])], "decode_error"],
    ["06.5", "the server hanging up after its Certificate", () => server.slice(0, 2), "handshake_failure"],
  ] as [string, string, () => Uint8Array[], string][]) {
    it(`${id} ${label}: ${alert}`, async () => {
      const e = await expectRejection(() => readMessages(records()));
      expect(e.alertName, e.message).to.equal(alert);
      expect(isReceivedAlert(e), "our own check, not an alert from the server").to.equal(false);
      // A server that hangs up sent no alert: the error says so (connectionClosed), so that no one reports "we sent".
      expect(isConnectionClosed(e), `connectionClosed (the server went away), or a check of ours: ${e.message}`).to.equal(label.includes("hanging up"));
    });
  }

  it("06.4 with the server's keys on (its ChangeCipherSpec read), the records open: its Finished, its answer, its close_notify", async () => {
    const [sh] = flight();
    const clientHello = decodeClientHello(fromHex(recording.records[0]!.hex).slice(5));
    const keys = keyBlock("SHA-256", fromHex(recording.keyLog.split(" ")[2]!), clientHello.random, decodeServerHello(sh!).random, keyBlockParams(0xc02f));
    const layer = layerOver(end());
    await layer.readChangeCipherSpec(directionState(keys.serverKey, keys.serverIv));
    const finished = await layer.readHandshake();
    expect([finished[0], finished.length], "the server's Finished, opened").to.deep.equal([HandshakeType.finished, 16]);
    const data = await layer.readApplicationData();
    expectBytes(data?.subarray(0, 15), new TextEncoder().encode("HTTP/1.0 200 ok"), "the server's answer, opened");
    expect(await layer.readApplicationData(), "its close_notify").to.equal(null);
    expectSame(
      layer.trace.filter((e) => e.encrypted).map((e) => e.keys),
      ["server_write_key, record 0", "server_write_key, record 1", "server_write_key, record 2"],
      "the keys noted for each record",
    );
  });
});
