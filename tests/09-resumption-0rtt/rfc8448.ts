// Chapter 09 against RFC 8448 §4 (a resumed handshake with 0-RTT data), starting from §3's ticket and resumption
// master secret: the PSK, the binder, the ClientHello with its binder byte for byte, the early secrets and keys, and
// the whole resumed handshake replayed through the learner's client (09.9). Each step alone: steps.ts.
import { expect } from "chai";
import { ExtensionType } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { decodeClientHello, encodeClientHello } from "../../chapters/01-client-hello/index.js";
import {
  connectResumed,
  decodeOfferedPsks,
  earlyKeyLogLine,
  earlyTraffic,
  obfuscatedTicketAge,
  offerTicket,
  pskBinder,
  ticketPsk,
  truncatedClientHello,
} from "../../chapters/09-resumption-0rtt/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { findValue } from "../support/rfc8448.js";
import { replayTransport } from "../support/replay-transport.js";
import { handshakes, records as recordStructure } from "../support/structures.js";
import {
  RECEIVED_AT,
  SHA256,
  TLS_AES_128_GCM_SHA256,
  baseClientHello,
  binder4,
  clientHello4,
  clientHelloPrefix4,
  clientX25519_4,
  obfuscatedAge4,
  payload4,
  presentedAt,
  psk3,
  record4,
  resumptionMasterSecret3,
  rfcTicket,
  storedRfcTicket,
} from "./vectors.js";

describe("09 RFC 8448 §4: a resumed handshake with 0-RTT data", () => {
  it("09.1 the PSK of §3's ticket is HKDF-Expand-Label(res master, \"resumption\", nonce) and §4's early-secret input", () => {
    const t = rfcTicket();
    const psk = ticketPsk(SHA256, resumptionMasterSecret3(), t.nonce);
    expectBytes(psk, psk3(), "the PSK (§3's \"tls13 resumption\")");
    expectBytes(psk, findValue(4, 'extract secret "early"', "IKM"), "§4 extracts its early secret from it");
  });

  it("09.1 acceptTicket keeps §3's ticket: identity, PSK, age_add, lifetime and max_early_data_size", () => {
    const t = rfcTicket();
    const s = storedRfcTicket();
    expectBytes(s.identity, t.ticket, "identity");
    expectBytes(s.psk, psk3(), "psk");
    expect([s.ageAdd, s.lifetime, s.maxEarlyDataSize, s.cipherSuite, s.servername, s.receivedAt]).to.deep.equal([
      t.ageAdd, t.lifetime, t.maxEarlyDataSize, TLS_AES_128_GCM_SHA256, "server", RECEIVED_AT,
    ]);
  });

  it("09.2 decodes §4's pre_shared_key: one identity (§3's ticket), its age, one binder", () => {
    const ch = decodeClientHello(clientHello4());
    const ext = ch.extensions[ch.extensions.length - 1]!;
    expect(ext.kind === "raw" && ext.type).to.equal(ExtensionType.pre_shared_key);
    const offer = decodeOfferedPsks((ext as { data: Uint8Array }).data);
    expectSame(offer, { identities: [{ identity: rfcTicket().ticket, obfuscatedTicketAge: obfuscatedAge4() }], binders: [binder4()] }, "the offer");
  });

  it("09.3 the obfuscated ticket age is (age in ms + ticket_age_add) mod 2^32", () => {
    expect(obfuscatedTicketAge(storedRfcTicket(), presentedAt())).to.equal(obfuscatedAge4());
    const wrap = { ...storedRfcTicket(), ageAdd: 2 ** 32 - 1 };
    expect(obfuscatedTicketAge(wrap, new Date(RECEIVED_AT + 5)), "wraps around").to.equal(4);
  });

  it("09.3 truncates §4's ClientHello exactly before the binders list", () => {
    expectBytes(truncatedClientHello(decodeClientHello(clientHello4())), clientHelloPrefix4(), "the ClientHello prefix");
  });

  it("09.3 computes §4's binder from the PSK and the truncated ClientHello", () => {
    expectBytes(pskBinder(SHA256, psk3(), clientHelloPrefix4()), binder4(), "the binder");
  });

  it("09.3 builds §4's ClientHello, pre_shared_key last and binder in place, byte for byte", () => {
    const ch = offerTicket(baseClientHello(), storedRfcTicket(), presentedAt(), true);
    expectBytes(encodeClientHello(ch), clientHello4(), "§4's ClientHello", { structure: handshakes });
  });

  it("09.4 derives client_early_traffic_secret and the early-data keys of §4", () => {
    const early = earlyTraffic(storedRfcTicket(), clientHello4());
    expectBytes(early.clientEarlyTrafficSecret, findValue(4, 'derive secret "tls13 c e traffic"', "expanded"), "client_early_traffic_secret");
    expectBytes(early.keys.key, findValue(4, "derive write traffic keys for early application data", "key expanded"), "the early key");
    expectBytes(early.keys.iv, findValue(4, "derive write traffic keys for early application data", "iv expanded"), "the early IV");
    const random = clientHello4().slice(6, 38);
    expect(earlyKeyLogLine(random, early.clientEarlyTrafficSecret)).to.equal(
      `CLIENT_EARLY_TRAFFIC_SECRET ${toHex(random)} ${toHex(early.clientEarlyTrafficSecret)}`,
    );
  });

  it("09.9 replays §4: ClientHello, early data, EndOfEarlyData, Finished and the rest, byte for byte", async () => {
    const server = [record4("send handshake record", 1), record4("send handshake record", 2), record4("send application_data record", 2), record4("send alert record", 1)];
    const transport = replayTransport(server);
    const keyLog: string[] = [];
    const conn = await connectResumed(transport, {
      servername: "server",
      ca: [],
      ticket: storedRfcTicket(),
      now: presentedAt(),
      earlyData: payload4("send application_data record", 0),
      keyLog: (line) => keyLog.push(line),
      fixed: { clientHello: baseClientHello(), keyPairs: [clientX25519_4()] },
    });
    expect(conn.resumption.pskAccepted, "PSK accepted").to.equal(true);
    expect(conn.resumption.earlyData).to.equal("accepted");
    expect(conn.earlyDataResent).to.equal(false);
    expect(conn.serverCertificates).to.deep.equal([]);
    expectSame(
      transport.written,
      [record4("send handshake record", 0), record4("send application_data record", 0), record4("send handshake record", 3), record4("send handshake record", 4)],
      "our records: ClientHello, early data, EndOfEarlyData, Finished",
      { structure: recordStructure },
    );
    expectBytes(conn.secrets.resumptionMasterSecret, findValue(4, 'derive secret "tls13 res master"', "expanded"), "resumption_master_secret");
    expect(keyLog[0]).to.equal(`CLIENT_EARLY_TRAFFIC_SECRET ${toHex(clientHello4().slice(6, 38))} ${toHex(findValue(4, 'derive secret "tls13 c e traffic"', "expanded"))}`);
    const data = await conn.read();
    expectBytes(data, payload4("send application_data record", 2), "the server's answer");
    conn.write(payload4("send application_data record", 1));
    expect(await conn.read(), "close_notify").to.equal(null);
    conn.close();
    expectSame(transport.written.slice(4), [record4("send application_data record", 1), record4("send alert record", 0)], "then our data and close_notify", { structure: recordStructure });
  });

  it("09.9 a ServerHello choosing an identity we never offered (selected_identity 1) is illegal_parameter", async () => {
    const serverHello = record4("send handshake record", 1);
    const hex = toHex(serverHello);
    const at = hex.indexOf("002900020000") / 2; // pre_shared_key, length 2, selected_identity 0
    expect(at, "§4's ServerHello carries pre_shared_key").to.be.greaterThan(0);
    serverHello[at + 5] = 1;
    const transport = replayTransport([serverHello, record4("send handshake record", 2)]);
    const error = await connectResumed(transport, {
      servername: "server",
      ca: [],
      ticket: storedRfcTicket(),
      now: presentedAt(),
      fixed: { clientHello: baseClientHello(), keyPairs: [clientX25519_4()] },
    }).then(
      () => undefined,
      (e: unknown) => e as { alert?: number; field?: string },
    );
    expect(error?.alert, "illegal_parameter").to.equal(47);
    expect(error?.field).to.equal("selected_identity");
  });
});
