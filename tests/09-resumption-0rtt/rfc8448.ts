// Chapter 09 against RFC 8448 §4 (a resumed handshake with 0-RTT data), starting from §3's ticket and resumption
// master secret: the PSK, the binder, the ClientHello with its binder byte for byte, the early secrets and keys, the
// early-data record, and the whole resumed handshake replayed through the learner's client.
import { expect } from "chai";
import { ExtensionType } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello, encodeClientHello } from "../../chapters/01-client-hello/index.js";
import {
  type StoredTicket,
  acceptTicket,
  connectResumed,
  decodeOfferedPsks,
  earlyKeyLogLine,
  earlyTraffic,
  isStoredTicket,
  obfuscatedTicketAge,
  offerTicket,
  pskBinder,
  ticketPsk,
  truncatedClientHello,
} from "../../chapters/09-resumption-0rtt/index.js";
import { findValue } from "../support/rfc8448.js";
import { replayTransport } from "../support/replay-transport.js";
import {
  SHA256,
  TLS_AES_128_GCM_SHA256,
  binder4,
  clientHello4,
  clientHelloPrefix4,
  clientX25519_4,
  obfuscatedAge4,
  payload4,
  psk3,
  record4,
  resumptionMasterSecret3,
  rfcTicket,
} from "./vectors.js";

const RECEIVED_AT = Date.UTC(2020, 0, 1);

/** §3's ticket as our client would have stored it (acceptTicket), received at RECEIVED_AT. */
function storedRfcTicket(): StoredTicket {
  const t = rfcTicket();
  const stored = acceptTicket(
    {
      ticket: { lifetime: t.lifetime, ageAdd: t.ageAdd, nonce: t.nonce, ticket: t.ticket, extensions: [{ kind: "early_data", maxEarlyDataSize: t.maxEarlyDataSize }] },
      receivedAt: new Date(RECEIVED_AT),
    },
    "server",
    TLS_AES_128_GCM_SHA256,
    resumptionMasterSecret3(),
  );
  if (!isStoredTicket(stored)) throw new Error(`§3's ticket was discarded: ${stored.discarded}`);
  return stored;
}

/** The age the RFC's client presented: obfuscated age minus ticket_age_add, mod 2^32. */
const ageMs = () => (obfuscatedAge4() - rfcTicket().ageAdd + 2 ** 32) % 2 ** 32;
const presentedAt = () => new Date(RECEIVED_AT + ageMs());

/** §4's ClientHello without its pre_shared_key: what makeClientHello would have given before the ticket was added. */
function baseClientHello(): ClientHello {
  const ch = decodeClientHello(clientHello4());
  return { ...ch, extensions: ch.extensions.filter((e) => !(e.kind === "raw" && e.type === ExtensionType.pre_shared_key)) };
}

describe("09 RFC 8448 §4: a resumed handshake with 0-RTT data", () => {
  it("09.1 the PSK of §3's ticket is HKDF-Expand-Label(res master, \"resumption\", nonce) and §4's early-secret input", () => {
    const t = rfcTicket();
    const psk = ticketPsk(SHA256, resumptionMasterSecret3(), t.nonce);
    expect(toHex(psk)).to.equal(toHex(psk3()));
    expect(toHex(psk), "§4 extracts its early secret from it").to.equal(toHex(findValue(4, 'extract secret "early"', "IKM")));
  });

  it("09.1 acceptTicket keeps §3's ticket: identity, PSK, age_add, lifetime and max_early_data_size", () => {
    const t = rfcTicket();
    const s = storedRfcTicket();
    expect(toHex(s.identity)).to.equal(toHex(t.ticket));
    expect(toHex(s.psk)).to.equal(toHex(psk3()));
    expect([s.ageAdd, s.lifetime, s.maxEarlyDataSize, s.cipherSuite, s.servername, s.receivedAt]).to.deep.equal([
      t.ageAdd, t.lifetime, t.maxEarlyDataSize, TLS_AES_128_GCM_SHA256, "server", RECEIVED_AT,
    ]);
  });

  it("09.2 decodes §4's pre_shared_key: one identity (§3's ticket), its age, one binder", () => {
    const ch = decodeClientHello(clientHello4());
    const ext = ch.extensions[ch.extensions.length - 1]!;
    expect(ext.kind === "raw" && ext.type).to.equal(ExtensionType.pre_shared_key);
    const offer = decodeOfferedPsks((ext as { data: Uint8Array }).data);
    expect(offer.identities.map((i) => toHex(i.identity))).to.deep.equal([toHex(rfcTicket().ticket)]);
    expect(offer.identities[0]!.obfuscatedTicketAge).to.equal(obfuscatedAge4());
    expect(offer.binders.map((b) => toHex(b))).to.deep.equal([toHex(binder4())]);
  });

  it("09.3 the obfuscated ticket age is (age in ms + ticket_age_add) mod 2^32", () => {
    expect(obfuscatedTicketAge(storedRfcTicket(), presentedAt())).to.equal(obfuscatedAge4());
    const wrap = { ...storedRfcTicket(), ageAdd: 2 ** 32 - 1 };
    expect(obfuscatedTicketAge(wrap, new Date(RECEIVED_AT + 5)), "wraps around").to.equal(4);
  });

  it("09.3 truncates §4's ClientHello exactly before the binders list", () => {
    expect(toHex(truncatedClientHello(decodeClientHello(clientHello4())))).to.equal(toHex(clientHelloPrefix4()));
  });

  it("09.3 computes §4's binder from the PSK and the truncated ClientHello", () => {
    expect(toHex(pskBinder(SHA256, psk3(), clientHelloPrefix4()))).to.equal(toHex(binder4()));
  });

  it("09.3 builds §4's ClientHello, pre_shared_key last and binder in place, byte for byte", () => {
    const ch = offerTicket(baseClientHello(), storedRfcTicket(), presentedAt(), true);
    expect(toHex(encodeClientHello(ch))).to.equal(toHex(clientHello4()));
  });

  it("09.4 derives client_early_traffic_secret and the early-data keys of §4", () => {
    const early = earlyTraffic(storedRfcTicket(), clientHello4());
    expect(toHex(early.clientEarlyTrafficSecret)).to.equal(toHex(findValue(4, 'derive secret "tls13 c e traffic"', "expanded")));
    expect(toHex(early.keys.key)).to.equal(toHex(findValue(4, "derive write traffic keys for early application data", "key expanded")));
    expect(toHex(early.keys.iv)).to.equal(toHex(findValue(4, "derive write traffic keys for early application data", "iv expanded")));
    const random = clientHello4().slice(6, 38);
    expect(earlyKeyLogLine(random, early.clientEarlyTrafficSecret)).to.equal(
      `CLIENT_EARLY_TRAFFIC_SECRET ${toHex(random)} ${toHex(early.clientEarlyTrafficSecret)}`,
    );
  });

  it("09.5 replays §4: ClientHello, early data, EndOfEarlyData, Finished and the rest, byte for byte", async () => {
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
    const written = () => transport.written.map((r) => toHex(r));
    expect(written()).to.deep.equal([
      record4("send handshake record", 0),
      record4("send application_data record", 0),
      record4("send handshake record", 3),
      record4("send handshake record", 4),
    ].map((r) => toHex(r)));
    expect(toHex(conn.secrets.resumptionMasterSecret)).to.equal(toHex(findValue(4, 'derive secret "tls13 res master"', "expanded")));
    expect(keyLog[0]).to.equal(`CLIENT_EARLY_TRAFFIC_SECRET ${toHex(clientHello4().slice(6, 38))} ${toHex(findValue(4, 'derive secret "tls13 c e traffic"', "expanded"))}`);
    const data = await conn.read();
    expect(toHex(data!)).to.equal(toHex(payload4("send application_data record", 2)));
    conn.write(payload4("send application_data record", 1));
    expect(await conn.read(), "close_notify").to.equal(null);
    conn.close();
    expect(written().slice(4)).to.deep.equal([record4("send application_data record", 1), record4("send alert record", 0)].map((r) => toHex(r)));
  });

  it("09.5 a ServerHello choosing an identity we never offered (selected_identity 1) is illegal_parameter", async () => {
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
