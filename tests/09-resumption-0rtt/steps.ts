// The steps chapter 09 adds to chapter 08's handshake script (09.5–09.8), each run ALONE on RFC 8448 §4 (a resumed
// handshake with 0-RTT data, from §3's ticket): the ClientHello that offers the ticket and the early data behind it,
// the second ClientHello after a HelloRetryRequest, what the server said about the PSK and the early data, and
// EndOfEarlyData. Each gets what the step before it would have handed over, built here from the trace, never by the
// learner's other steps; what it produces is compared with the trace's records and values, or with Node's crypto.
import { expect } from "chai";
import { ExtensionType, HandshakeType, NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello, encodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { checkServerHello, decodeServerHello } from "../../chapters/02-server-hello/index.js";
import { TranscriptHash, earlySecrets } from "../../chapters/07-tls13-key-schedule/index.js";
import { type HandshakeKeys, type Hellos, decodeEncryptedExtensions, direction13 } from "../../chapters/08-tls13-handshake/index.js";
import {
  type ResumingHello,
  acceptedPsk,
  decodeOfferedPsks,
  earlyDataAccepted,
  earlyTraffic,
  retryWithTicket,
  sendEndOfEarlyData,
  sendResumingClientHello,
} from "../../chapters/09-resumption-0rtt/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { findValue } from "../support/rfc8448.js";
import { records as recordStructure } from "../support/structures.js";
import { oracleExpandLabel, oracleExtract, oracleFinished, oracleTranscript, suite13 } from "../support/tls13-oracle.js";
import { layerOver, rfcHellos } from "../08-tls13-handshake/rfc-replay.js";
import { rfcMessage } from "../08-tls13-handshake/vectors.js";
import {
  RECEIVED_AT,
  baseClientHello,
  clientHello4,
  clientX25519_4,
  payload4,
  presentedAt,
  psk3,
  record4,
  rfcTicket,
  storedRfcTicket,
} from "./vectors.js";

const early4 = () => ({ key: findValue(4, "derive write traffic keys for early application data", "key expanded"), iv: findValue(4, "derive write traffic keys for early application data", "iv expanded") });
const clientHandshake4 = () => ({
  key: findValue(4, "derive write traffic keys for handshake data", "key expanded", 1),
  iv: findValue(4, "derive write traffic keys for handshake data", "iv expanded", 1),
});

/** The options of §4's client: the trace's ClientHello (before the ticket) and key, §3's ticket, its 0-RTT data. */
const options4 = (keyLog: string[] = [], earlyData: Uint8Array | null = payload4("send application_data record", 0)) => ({
  servername: "server",
  ca: [],
  ticket: storedRfcTicket(),
  earlyData: earlyData ?? undefined,
  keyLog: (line: string) => keyLog.push(line),
  fixed: { clientHello: baseClientHello(), keyPairs: [clientX25519_4()] },
});

/** What processServerHello would have returned for §4: its ClientHello (with the ticket) and ServerHello, and `more` after them. */
function hellos4(...more: Uint8Array[]): Hellos {
  const clientHello = decodeClientHello(clientHello4());
  const serverHelloMessage = rfcMessage(4, "ServerHello");
  const serverHello = decodeServerHello(serverHelloMessage);
  const transcript = new TranscriptHash("SHA-256");
  for (const m of [clientHello4(), serverHelloMessage, ...more]) transcript.add(m);
  return { clientHello, keyPairs: [clientX25519_4()], serverHello, serverHelloMessage, negotiated: checkServerHello(clientHello, serverHello), transcript, helloRetryRequest: false, changeCipherSpecSent: false };
}

/** What sendResumingClientHello would have returned for §4, its early data sent (the early direction at `sequence`). */
function sent4(sequence = 1n, withEarly = true): ResumingHello {
  const ticket = storedRfcTicket();
  const direction = { ...direction13("AES_128_GCM", early4(), "client early traffic"), sequence };
  return {
    clientHello: decodeClientHello(clientHello4()),
    keyPairs: [clientX25519_4()],
    message: clientHello4(),
    changeCipherSpecSent: false,
    ticket,
    ...(withEarly ? { early: { traffic: earlyTraffic(ticket, clientHello4()), direction } } : {}),
  };
}

describe("09.5 sendResumingClientHello: the ticket offered, the early data right behind it (RFC 8448 §4)", function () {
  it("09.5 §4: the trace's ClientHello (with its binder), then the trace's 0-RTT record, before anything is read; the early key log line", () => {
    const keyLog: string[] = [];
    const { records, transport } = layerOver([]);
    records.inHandshake = false;
    const sent = sendResumingClientHello(records, options4(keyLog), presentedAt());
    expectSame(transport.written, [record4("send handshake record", 0), record4("send application_data record", 0)], "ClientHello, then the early data", {
      structure: recordStructure,
    });
    expectBytes(sent.message, clientHello4(), "the ClientHello kept for the transcript");
    expectBytes(sent.ticket?.identity, rfcTicket().ticket, "the ticket offered");
    const secret = findValue(4, 'derive secret "tls13 c e traffic"', "expanded");
    expectBytes(sent.early?.traffic.clientEarlyTrafficSecret, secret, "client_early_traffic_secret");
    expect(sent.early?.direction.sequence, "the early direction, one record sealed").to.equal(1n);
    expectSame(keyLog, [`CLIENT_EARLY_TRAFFIC_SECRET ${toHex(clientHello4().slice(6, 38))} ${toHex(secret)}`], "the key log");
  });

  it("09.5 no early data: the same ClientHello without early_data, and nothing after it", () => {
    const { records, transport } = layerOver([]);
    const sent = sendResumingClientHello(records, options4([], null), presentedAt());
    expect(transport.written, "one record").to.have.length(1);
    expect(sent.early, "no early data").to.equal(undefined);
    const ch: ClientHello = decodeClientHello(sent.message);
    expect(ch.extensions.some((e) => e.kind === "raw" && e.type === ExtensionType.early_data), "early_data offered").to.equal(false);
    expect(decodeOfferedPsks((ch.extensions[ch.extensions.length - 1] as { data: Uint8Array }).data).identities.length, "the ticket, offered last").to.equal(1);
  });

  it("09.5 a ticket for another name or past its lifetime is not offered; data larger than max_early_data_size waits for the handshake", () => {
    const offered = (o: ReturnType<typeof options4>, now = presentedAt()) => {
      const { records } = layerOver([]);
      const sent = sendResumingClientHello(records, o, now);
      return { sent, psk: decodeClientHello(sent.message).extensions.some((e) => e.kind === "raw" && e.type === ExtensionType.pre_shared_key) };
    };
    let r = offered({ ...options4(), servername: "other" });
    expect([r.psk, r.sent.ticket, r.sent.early], "another name: no pre_shared_key, no ticket, no early data").to.deep.equal([false, undefined, undefined]);
    r = offered(options4(), new Date(RECEIVED_AT + (rfcTicket().lifetime + 1) * 1000));
    expect([r.psk, r.sent.early], "expired: no pre_shared_key, no early data").to.deep.equal([false, undefined]);
    r = offered(options4([], new Uint8Array(rfcTicket().maxEarlyDataSize + 1)));
    expect([r.psk, r.sent.early], "too much data: the ticket yes, early data no").to.deep.equal([true, undefined]);
  });
});

describe("09.6 retryWithTicket: the second ClientHello after a HelloRetryRequest, the ticket offered again", function () {
  const suite = suite13(0x1301);
  /** RFC 8448 §5's HelloRetryRequest (asking for P-256, with a cookie), answering §4's ClientHello here. */
  const hrrMessage = () => findValue(5, "construct a ServerHello", "ServerHello", 0);
  const first = () => ({ clientHello: decodeClientHello(clientHello4()), keyPairs: [clientX25519_4()] });
  /** message_hash(ClientHello1) || HelloRetryRequest, by Node (RFC 8446 §4.4.1). */
  const before = () => Uint8Array.from([254, 0, 0, 32, ...oracleTranscript("sha256", clientHello4()), ...hrrMessage()]);

  it("09.6 the ticket again, with a fresh age and a binder (checked with Node's HMAC) over message_hash(ClientHello1) || HelloRetryRequest || the truncated ClientHello2; no early_data", () => {
    const later = new Date(presentedAt().getTime() + 1500);
    const { clientHello } = retryWithTicket(storedRfcTicket(), later)(first(), decodeServerHello(hrrMessage()), before());
    const last = clientHello.extensions[clientHello.extensions.length - 1]!;
    expect(last.kind === "raw" && last.type, "pre_shared_key, last").to.equal(ExtensionType.pre_shared_key);
    const offer = decodeOfferedPsks((last as { data: Uint8Array }).data);
    const age = (later.getTime() - RECEIVED_AT + rfcTicket().ageAdd) % 2 ** 32;
    expectSame(offer.identities, [{ identity: rfcTicket().ticket, obfuscatedTicketAge: age }], "the identity, with its age now");
    // The binder by hand (RFC 8446 §7.1, §4.2.11.2): binder_key = Derive-Secret(Extract(0, PSK), "res binder", ""),
    // then a Finished over Hash(transcriptBefore || ClientHello2 without its 35 bytes of binders list).
    const earlySecret = oracleExtract("sha256", new Uint8Array(32), psk3());
    const binderKey = oracleExpandLabel("sha256", earlySecret, "res binder", oracleTranscript("sha256"), 32);
    const message = encodeClientHello(clientHello);
    const truncated = message.slice(0, message.length - (2 + 1 + 32));
    expectSame(offer.binders, [oracleFinished(suite, binderKey, oracleTranscript("sha256", before(), truncated))], "the binder");
    expect(clientHello.extensions.some((e) => e.kind === "raw" && e.type === ExtensionType.early_data), "early_data").to.equal(false);
    expectSame(findExtension(clientHello.extensions, "key_share")?.shares.map((s) => s.group), [NamedGroup.secp256r1], "the new key share");
  });

  it("09.6 a ticket whose hash is not the HelloRetryRequest suite's (SHA-384 against TLS_AES_128_GCM_SHA256), or no ticket: no pre_shared_key", () => {
    for (const ticket of [{ ...storedRfcTicket(), cipherSuite: 0x1302 }, undefined]) {
      const { clientHello } = retryWithTicket(ticket, presentedAt())(first(), decodeServerHello(hrrMessage()), before());
      expect(clientHello.extensions.some((e) => e.kind === "raw" && e.type === ExtensionType.pre_shared_key), `pre_shared_key with ${ticket === undefined ? "no ticket" : "a SHA-384 ticket"}`).to.equal(false);
    }
  });
});

describe("09.7 what the server said: the PSK and the early data", function () {
  it("09.7 acceptedPsk: §4's ServerHello chose identity 0: the PSK is §3's ticket's; §3's ServerHello (no pre_shared_key): none", () => {
    expectBytes(acceptedPsk(hellos4(), storedRfcTicket()), psk3(), "the PSK");
    expect(acceptedPsk(rfcHellos(3), storedRfcTicket()), "a full handshake").to.equal(undefined);
  });

  it("09.7 acceptedPsk: an identity we never offered, or a ticket whose hash is not the suite's, is illegal_parameter", () => {
    const h = hellos4();
    const psk = h.serverHello.extensions.find((e) => e.kind === "raw" && e.type === ExtensionType.pre_shared_key) as { data: Uint8Array };
    psk.data = Uint8Array.of(0, 1);
    expectTlsError(() => acceptedPsk(h, storedRfcTicket()), { alert: 47, field: "selected_identity" });
    expectTlsError(() => acceptedPsk(hellos4(), { ...storedRfcTicket(), cipherSuite: 0x1302 }), { alert: 47, field: "cipher_suite" });
    expectTlsError(() => acceptedPsk(hellos4(), undefined), { alert: 47, field: "cipher_suite" });
  });

  it("09.7 earlyDataAccepted: §4's EncryptedExtensions says yes; §3's says no; a yes to data never sent, or without the PSK, is illegal_parameter", () => {
    const ee4 = decodeEncryptedExtensions(rfcMessage(4, "EncryptedExtensions"));
    expect(earlyDataAccepted(ee4, sent4(), psk3(), 0x1301), "§4").to.equal(true);
    expect(earlyDataAccepted(decodeEncryptedExtensions(rfcMessage(3, "EncryptedExtensions")), sent4(), psk3(), 0x1301), "§3").to.equal(false);
    expectTlsError(() => earlyDataAccepted(ee4, sent4(1n, false), psk3(), 0x1301), { alert: 47, field: "early_data" });
    expectTlsError(() => earlyDataAccepted(ee4, sent4(), undefined, 0x1301), { alert: 47, field: "early_data" });
    expectTlsError(() => earlyDataAccepted(ee4, sent4(), psk3(), 0x1303), { alert: 47, field: "cipher_suite" });
  });
});

describe("09.8 sendEndOfEarlyData: the last record under the early keys", function () {
  it("09.8 §4: EndOfEarlyData goes out as the trace's record (early keys, record 1), joins the transcript, and our Finished then seals as the trace's (handshake keys, record 0)", () => {
    const { records, transport } = layerOver([], { write: clientHandshake4() });
    const flight = [rfcMessage(4, "EncryptedExtensions"), rfcMessage(4, "Finished", 0)];
    const hellos = hellos4(...flight);
    const keys = { aead: "AES_128_GCM", keys: { client: clientHandshake4(), server: clientHandshake4() }, early: earlySecrets("SHA-256") } as unknown as HandshakeKeys;
    sendEndOfEarlyData(records, sent4(), hellos, keys);
    expectSame(transport.written, [record4("send handshake record", 3)], "EndOfEarlyData", { structure: recordStructure });
    expectBytes(hellos.transcript.hash(), oracleTranscript("sha256", clientHello4(), rfcMessage(4, "ServerHello"), ...flight, rfcMessage(4, "EndOfEarlyData")), "the transcript with it");
    records.sendHandshake(rfcMessage(4, "Finished", 1));
    expectBytes(transport.written[1], record4("send handshake record", 4), "our Finished, after it", { structure: recordStructure });
    expect(rfcMessage(4, "EndOfEarlyData")[0], "the trace's message").to.equal(HandshakeType.end_of_early_data);
  });
});
