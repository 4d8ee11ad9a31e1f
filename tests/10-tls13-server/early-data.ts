// Exercises 10.18–10.20: 0-RTT on the server. The replay guard's rules (RFC 8446 §8.2, §8.3) with a clock the test
// controls; the decision with every reason RFC 8446 §4.2.10 gives for saying no; reading RFC 8448 §4's early data up to
// its EndOfEarlyData with the trace's keys; and skipping early data the server refused, with records sealed here on
// Node's AES-GCM (tests/support/tls13-oracle.ts).
import crypto from "node:crypto";
import { expect } from "chai";
import { AlertDescription, CipherSuite, ExtensionType } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type ClientHello, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { TranscriptHash } from "../../chapters/07-tls13-key-schedule/index.js";
import { Tls13RecordLayer, direction13 } from "../../chapters/08-tls13-handshake/index.js";
import { type AcceptedPsk, AntiReplay, EarlyDataSkipper, decideEarlyData, readEarlyData } from "../../chapters/10-tls13-server/index.js";
import { replayTransport } from "../support/replay-transport.js";
import { expectTlsError } from "../support/properties.js";
import { oracleSeal } from "../support/tls13-oracle.js";
import { APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, plaintextRecord } from "./helpers.js";
import { expectSameBytes, payload, record, traceKeys } from "./vectors.js";

const T0 = Date.UTC(2030, 0, 1);
const binder = (n: number) => new Uint8Array(32).fill(n);

describe("10.18 AntiReplay: a record of ClientHellos and a freshness window", () => {
  it("10.18 a fresh ClientHello is accepted once; the very same ClientHello (its binder) again is a replay", () => {
    const guard = new AntiReplay(10_000);
    const offer = { obfuscatedTicketAge: 5000 + 77, binder: binder(1), issuedAt: T0, ageAdd: 77 };
    expect(guard.check(offer, T0 + 5000).ok, "first").to.equal(true);
    const again = guard.check(offer, T0 + 5100);
    expect(again.ok, "the copy").to.equal(false);
    expect(again.reason).to.match(/seen|replay/i);
    expect(guard.check({ ...offer, binder: binder(2) }, T0 + 5100).ok, "another ClientHello with the same ticket").to.equal(true);
  });

  it("10.18 freshness (§8.3): an age more than the window away from the time since issue is refused, either way; ages wrap modulo 2^32", () => {
    const guard = new AntiReplay(10_000);
    const ageAdd = 0xfffffff0; // the obfuscated age wraps past 2^32
    const at = (presented: number, now: number, b: number) => guard.check({ obfuscatedTicketAge: (presented + ageAdd) % 2 ** 32, binder: binder(b), issuedAt: T0, ageAdd }, now);
    expect(at(60_000, T0 + 60_000, 1).ok, "on time").to.equal(true);
    expect(at(60_000, T0 + 70_000, 2).ok, "10 s late: the edge").to.equal(true);
    expect(at(60_000, T0 + 70_001, 3).ok, "later than the window").to.equal(false);
    expect(at(60_000, T0 + 49_999, 4).ok, "earlier than the window").to.equal(false);
  });

  it("10.18 records are forgotten once a copy could no longer pass the freshness check (2 × window), so memory stays bounded", () => {
    const guard = new AntiReplay(1000);
    for (let i = 0; i < 50; i++) guard.check({ obfuscatedTicketAge: 0, binder: binder(i), issuedAt: T0, ageAdd: 0 }, T0);
    expect(guard.size).to.equal(50);
    guard.check({ obfuscatedTicketAge: 2001, binder: binder(200), issuedAt: T0, ageAdd: 0 }, T0 + 2001);
    expect(guard.size, "the 50 old records dropped, the new one kept").to.equal(1);
  });

  it("10.18 a full record refuses early data rather than accepting it unchecked", () => {
    const guard = new AntiReplay(10_000, 3);
    const verdicts = [1, 2, 3, 4].map((i) => guard.check({ obfuscatedTicketAge: 0, binder: binder(i), issuedAt: T0, ageAdd: 0 }, T0).ok);
    expect(verdicts).to.deep.equal([true, true, true, false]);
  });
});

const ch4 = (): ClientHello => decodeClientHello(payload(4, "send handshake record", 0));
const psk = (overrides: Partial<AcceptedPsk["state"]> = {}, index = 0): AcceptedPsk => ({
  index,
  obfuscatedTicketAge: 1000,
  binder: binder(9),
  state: { cipherSuite: 0x1301, psk: new Uint8Array(32), issuedAt: T0, lifetime: 60, ageAdd: 0, maxEarlyData: 1024, alpn: "", serverName: "server", ...overrides },
});
const CONFIG = { maxEarlyData: 16384 };

describe("10.19 decideEarlyData", () => {
  it("10.19 §4's ClientHello with its ticket accepted, 0-RTT on: accepted (and recorded by the guard)", () => {
    const guard = new AntiReplay();
    const d = decideEarlyData(ch4(), psk(), 0x1301, false, undefined, { ...CONFIG, antiReplay: guard }, T0 + 1000);
    expect([d.offered, d.accept]).to.deep.equal([true, true]);
    expect(guard.size, "the ClientHello is recorded").to.equal(1);
  });

  it("10.19 no early_data in the ClientHello: not offered", () => {
    const ch = { ...ch4(), extensions: ch4().extensions.filter((e) => !(e.kind === "raw" && e.type === ExtensionType.early_data)) };
    const d = decideEarlyData(ch, psk(), 0x1301, false, undefined, CONFIG, T0);
    expect([d.offered, d.accept]).to.deep.equal([false, false]);
  });

  const refusals: [string, () => ReturnType<typeof decideEarlyData>][] = [
    ["after a HelloRetryRequest", () => decideEarlyData(ch4(), psk(), 0x1301, true, undefined, CONFIG, T0)],
    ["no PSK accepted", () => decideEarlyData(ch4(), undefined, 0x1301, false, undefined, CONFIG, T0)],
    ["the PSK is not the first identity", () => decideEarlyData(ch4(), psk({}, 1), 0x1301, false, undefined, CONFIG, T0)],
    ["0-RTT off on the server", () => decideEarlyData(ch4(), psk(), 0x1301, false, undefined, { maxEarlyData: 0 }, T0)],
    ["a ticket that allows none", () => decideEarlyData(ch4(), psk({ maxEarlyData: 0 }), 0x1301, false, undefined, CONFIG, T0)],
    ["another suite than the ticket's", () => decideEarlyData(ch4(), psk(), CipherSuite.TLS_CHACHA20_POLY1305_SHA256, false, undefined, CONFIG, T0)],
    ["another ALPN protocol than the ticket's", () => decideEarlyData(ch4(), psk({ alpn: "h2" }), 0x1301, false, "http/1.1", CONFIG, T0)],
    ["a replay the guard caught", () => {
      const guard = new AntiReplay();
      decideEarlyData(ch4(), psk(), 0x1301, false, undefined, { ...CONFIG, antiReplay: guard }, T0 + 1000);
      return decideEarlyData(ch4(), psk(), 0x1301, false, undefined, { ...CONFIG, antiReplay: guard }, T0 + 1000);
    }],
    ["a stale ClientHello", () => decideEarlyData(ch4(), psk(), 0x1301, false, undefined, { ...CONFIG, antiReplay: new AntiReplay(5000) }, T0 + 60_000)],
  ];
  for (const [what, run] of refusals) {
    it(`10.19 refused: ${what}`, () => {
      const d = run();
      expect([d.offered, d.accept], d.reason).to.deep.equal([true, false]);
      expect(d.reason, "a reason for the log").to.be.a("string").and.not.equal("");
    });
  }

  it("10.19 the guard is asked last: a refusal for another reason leaves no record", () => {
    const guard = new AntiReplay();
    decideEarlyData(ch4(), psk({ maxEarlyData: 0 }), 0x1301, false, undefined, { ...CONFIG, antiReplay: guard }, T0 + 1000);
    expect(guard.size).to.equal(0);
  });
});

const AES128 = "aes-128-gcm" as const;
const oracle = (k: { key: Uint8Array; iv: Uint8Array }) => ({ aead: AES128, key: k.key, iv: k.iv, sequence: 0n });

describe("10.20 readEarlyData and EarlyDataSkipper", () => {
  it("10.20 RFC 8448 §4: the 0-RTT data under the trace's early keys, then EndOfEarlyData; the client's Finished opens next, under its handshake keys", async () => {
    const k = traceKeys(4);
    const replay = replayTransport([record(4, "send application_data record", 0), record(4, "send handshake record", 3), record(4, "send handshake record", 4)]);
    const records = new Tls13RecordLayer(replay, undefined, "server");
    records.inHandshake = true;
    records.setReadKeys(direction13("AES_128_GCM", k.clientEarly!));
    const transcript = new TranscriptHash("SHA-256");
    const state = { transcript, limit: 1024, received: 0, clientHandshakeKeys: direction13("AES_128_GCM", k.clientHandshake) };
    const data = await readEarlyData(records, state);
    expectSameBytes(data!, payload(4, "send application_data record", 0), "the early data");
    expect(await readEarlyData(records, state), "EndOfEarlyData ends it").to.equal(null);
    expect(state.received).to.equal(6);
    expectSameBytes(transcript.hash(), new Uint8Array(crypto.createHash("sha256").update(Uint8Array.of(5, 0, 0, 0)).digest()), "EndOfEarlyData went into the transcript");
    const finished = await records.readHandshake();
    expect(finished[0], "the client's Finished").to.equal(20);
  });

  it("10.20 more early data than the ticket allows: unexpected_message", async () => {
    const k = traceKeys(4);
    const records = new Tls13RecordLayer(replayTransport([record(4, "send application_data record", 0)]), undefined, "server");
    records.setReadKeys(direction13("AES_128_GCM", k.clientEarly!));
    let error: unknown;
    await readEarlyData(records, { transcript: new TranscriptHash("SHA-256"), limit: 5, received: 0, clientHandshakeKeys: direction13("AES_128_GCM", k.clientHandshake) }).catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.unexpected_message, field: "early_data" });
  });

  it("10.20 a handshake message other than EndOfEarlyData under the early keys: unexpected_message", async () => {
    const k = traceKeys(4);
    const finished = oracleSeal(oracle(k.clientEarly!), HANDSHAKE, Uint8Array.of(20, 0, 0, 32, ...new Uint8Array(32)));
    const records = new Tls13RecordLayer(replayTransport([finished]), undefined, "server");
    records.setReadKeys(direction13("AES_128_GCM", k.clientEarly!));
    let error: unknown;
    await readEarlyData(records, { transcript: new TranscriptHash("SHA-256"), limit: 1024, received: 0, clientHandshakeKeys: direction13("AES_128_GCM", k.clientHandshake) }).catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.unexpected_message });
  });

  it("10.20 refused early data: records that the client's handshake keys cannot open are skipped; the first that opens passes, unchanged", async () => {
    const k = traceKeys(4);
    const early = [record(4, "send application_data record", 0), record(4, "send handshake record", 3)]; // 0-RTT data and EndOfEarlyData
    const finished = record(4, "send handshake record", 4);
    const skipper = new EarlyDataSkipper(replayTransport([...early, plaintextRecord(CHANGE_CIPHER_SPEC, Uint8Array.of(1)), finished]));
    skipper.skipUndecryptable(direction13("AES_128_GCM", k.clientHandshake), 1024);
    const ccs = await skipper.readRecord();
    expect(ccs?.type, "a ChangeCipherSpec passes").to.equal(CHANGE_CIPHER_SPEC);
    const next = await skipper.readRecord();
    expect(toHex(next!.fragment), "the client's Finished, untouched").to.equal(toHex(finished.slice(5)));
    expect(skipper.skipped).to.equal(early.reduce((n, r) => n + r.length - 5, 0));
    // The record layer then opens it with a direction of its own, at sequence 0.
    const records = new Tls13RecordLayer(replayTransport([finished]), undefined, "server");
    records.setReadKeys(direction13("AES_128_GCM", k.clientHandshake));
    expect((await records.readHandshake())[0]).to.equal(20);
  });

  it("10.20 more refused early data than the budget: bad_record_mac", async () => {
    const k = traceKeys(4);
    const skipper = new EarlyDataSkipper(replayTransport([record(4, "send application_data record", 0), record(4, "send application_data record", 0)]));
    skipper.skipUndecryptable(direction13("AES_128_GCM", k.clientHandshake), 30);
    let error: unknown;
    await skipper.readRecord().catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.bad_record_mac });
  });

  it("10.20 before the second ClientHello (after a HelloRetryRequest) application_data records are skipped, up to the budget (then unexpected_message)", async () => {
    const ch2 = plaintextRecord(HANDSHAKE, Uint8Array.of(1, 0, 0, 0));
    const skipper = new EarlyDataSkipper(replayTransport([record(4, "send application_data record", 0), ch2]));
    skipper.skipBeforeSecondHello(1024);
    expect((await skipper.readRecord())?.type).to.equal(HANDSHAKE);
    const tight = new EarlyDataSkipper(replayTransport([record(4, "send application_data record", 0), ch2]));
    tight.skipBeforeSecondHello(10);
    let error: unknown;
    await tight.readRecord().catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.unexpected_message });
  });

  it("10.20 a plaintext record over 2^14 bytes: record_overflow (RFC 8446 §5.1); in pass mode everything else goes through", async () => {
    const big = plaintextRecord(HANDSHAKE, new Uint8Array(2 ** 14 + 1));
    let error: unknown;
    await new EarlyDataSkipper(replayTransport([big])).readRecord().catch((e) => (error = e));
    expectTlsError(() => {
      if (error !== undefined) throw error;
    }, { alert: AlertDescription.record_overflow });
    const data = plaintextRecord(APPLICATION_DATA, new Uint8Array(100));
    expect((await new EarlyDataSkipper(replayTransport([data])).readRecord())?.type).to.equal(APPLICATION_DATA);
  });
});
