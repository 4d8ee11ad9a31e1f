// Exercises 07.3–07.7 against RFC 8448, parsed from the RFC text: from the inputs each trace prints (no PSK or the
// PSK of §3's ticket, the (EC)DHE shared secret, the handshake messages fed to TranscriptHash as sent), the learner's
// schedule must give every secret, traffic key, IV, finished key and verify_data the trace prints. §3 is the simple
// 1-RTT handshake, §4 a resumption with a PSK and 0-RTT data, §5 a HelloRetryRequest that switches to P-256.
import { expect } from "chai";
import { AlertDescription, CipherSuite } from "../../lib/constants.js";
import {
  type ApplicationSecrets,
  type EarlySecrets,
  type HandshakeSecrets,
  TranscriptHash,
  applicationSecrets,
  earlySecrets,
  finishedKey,
  finishedVerifyData,
  handshakeSecrets,
  resumptionMasterSecret,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../../chapters/07-tls13-key-schedule/index.js";
import { expectTlsError } from "../support/properties.js";
import { type TraceStep, traceSection } from "../support/rfc8448.js";
import { EMPTY, hex, nodeDigest, nodeOpenRecord13, referenceDeriveSecret, referenceExtract } from "./oracles.js";
import {
  type TraceMessages,
  beforeClientFinished,
  printed,
  throughCertificateVerify,
  throughClientFinished,
  throughServerFinished,
  traceMessages,
  verifyDataOf,
} from "./traces.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";
import { handshakes } from "../support/structures.js";

type Section = 3 | 4 | 5;
const SECTIONS: Section[] = [3, 4, 5];
const TITLE: Record<Section, string> = { 3: "§3 (1-RTT)", 4: "§4 (PSK, 0-RTT)", 5: "§5 (HelloRetryRequest)" };

/** Every trace uses TLS_AES_128_GCM_SHA256 (RFC 8448 §1). */
const SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;

/** A transcript of these messages, through the learner's TranscriptHash; §5 restarts after ClientHello1. */
function transcriptHash(section: Section, messages: Uint8Array[]): Uint8Array {
  const t = new TranscriptHash(suiteHash(SUITE));
  t.add(messages[0]!);
  if (section === 5) t.restartAfterHelloRetry();
  for (const m of messages.slice(1)) t.add(m);
  return t.hash();
}

/** §4's PSK: the resumption secret §3 derives for its ticket (nonce 00 00), which §4 prints again as its IKM. */
function psk4(): Uint8Array {
  const fromTicket = printed(3, 'generate resumption secret "tls13 resumption"', "expanded");
  expectBytes(printed(4, 'extract secret "early"', "IKM"), fromTicket, "§4's PSK is §3's resumption secret");
  return fromTicket;
}

/** The learner's schedule for a trace, stage by stage, from the trace's inputs only. */
interface Schedule {
  messages: TraceMessages;
  early: EarlySecrets;
  hs: HandshakeSecrets;
  app: ApplicationSecrets;
  resumption: Uint8Array;
}

function early(section: Section): EarlySecrets {
  return section === 4 ? earlySecrets(suiteHash(SUITE), psk4()) : earlySecrets(suiteHash(SUITE));
}

function handshake(section: Section): { messages: TraceMessages; early: EarlySecrets; hs: HandshakeSecrets } {
  const messages = traceMessages(section);
  const e = early(section);
  const shared = printed(section, 'extract secret "handshake"', "IKM");
  return { messages, early: e, hs: handshakeSecrets(e, shared, transcriptHash(section, messages.hellos)) };
}

function schedule(section: Section): Schedule {
  const { messages, early: e, hs } = handshake(section);
  const app = applicationSecrets(hs, transcriptHash(section, throughServerFinished(messages)));
  return { messages, early: e, hs, app, resumption: resumptionMasterSecret(app, transcriptHash(section, throughClientFinished(messages))) };
}

/** A printed Derive-Secret output by its label: 'derive secret "tls13 c hs traffic"' → expanded. */
const derived = (section: Section, label: string): string => hex(printed(section, `derive secret "tls13 ${label}"`, "expanded"));

/** The steps of a trace that print traffic keys, with the values printed. */
function keySteps(section: Section): { step: TraceStep; v: Map<string, Uint8Array> }[] {
  return traceSection(section)
    .filter((s) => /traffic keys/.test(s.action) && s.values.length > 0)
    .map((step) => ({ step, v: new Map(step.values.map((x) => [x.label, x.bytes])) }));
}

/** Which of the schedule's secrets a "derive … traffic keys for …" step uses, from its actor and title. */
function secretForKeys(s: Schedule, step: TraceStep): { name: string; secret: Uint8Array } {
  const serverWrites = step.actor === "server" ? step.action.includes("write") : step.action.includes("read");
  const side = serverWrites ? "server" : "client";
  if (step.action.includes("early application data")) {
    return { name: "client early traffic", secret: s.early.clientEarlyTrafficSecret(nodeDigest("SHA-256", s.messages.hellos[0]!)) };
  }
  if (step.action.includes("handshake data")) {
    return { name: `${side} handshake traffic`, secret: side === "server" ? s.hs.serverHandshakeTrafficSecret : s.hs.clientHandshakeTrafficSecret };
  }
  if (step.action.includes("application data")) {
    return { name: `${side} application traffic`, secret: side === "server" ? s.app.serverApplicationTrafficSecret : s.app.clientApplicationTrafficSecret };
  }
  throw new Error(`RFC 8448 line ${step.line}: a traffic keys step this test does not know: ${step.action}`);
}

// ---------------------------------------------------------------------------------------------------------------

describe("07.3 the early secrets (RFC 8448)", () => {
  it("07.3 §3, no PSK: the early secret the trace prints, HKDF-Extract(0, 0); the same for SHA-384 with Node's HMAC", () => {
    const e = earlySecrets("SHA-256");
    expect(e.hash).to.equal("SHA-256");
    expectBytes(e.earlySecret, printed(3, 'extract secret "early"', "secret"), "early secret");
    expectBytes(earlySecrets("SHA-384").earlySecret, referenceExtract("SHA-384", new Uint8Array(48), new Uint8Array(48)), "SHA-384");
  });

  it("07.3 §4, the PSK of §3's ticket: early secret, resumption binder key, client early traffic secret, early exporter master secret", () => {
    const e = earlySecrets("SHA-256", psk4());
    expectBytes(e.earlySecret, printed(4, 'extract secret "early"', "secret"), "early secret");
    // The binder's Finished computation prints its base key as PRK: that is the binder key.
    expectBytes(e.binderKey(true), printed(4, "calculate PSK binder", "PRK"), "binder key (res binder)");
    // The early secrets are bound to the ClientHello as sent (with its binders).
    const clientHelloHash = nodeDigest("SHA-256", traceMessages(4).hellos[0]!);
    expectBytes(e.clientEarlyTrafficSecret(clientHelloHash), fromHex(derived(4, "c e traffic")), "client_early_traffic_secret");
    expectBytes(e.earlyExporterMasterSecret(clientHelloHash), fromHex(derived(4, "e exp master")), "early_exporter_master_secret");
  });

  it('07.3 binderKey(false) is the external PSK\'s "ext binder" key, and every early secret equals the Node reference (SHA-384)', () => {
    const psk = nodeDigest("SHA-384", Buffer.from("an external PSK"));
    const e = earlySecrets("SHA-384", psk);
    const earlySecret = referenceExtract("SHA-384", new Uint8Array(48), psk);
    const chHash = nodeDigest("SHA-384", Buffer.from("a ClientHello"));
    expectBytes(e.earlySecret, earlySecret, "early secret");
    expectBytes(e.binderKey(false), referenceDeriveSecret("SHA-384", earlySecret, "ext binder", nodeDigest("SHA-384")), "ext binder");
    expectBytes(e.binderKey(true), referenceDeriveSecret("SHA-384", earlySecret, "res binder", nodeDigest("SHA-384")), "res binder");
    expectBytes(e.clientEarlyTrafficSecret(chHash), referenceDeriveSecret("SHA-384", earlySecret, "c e traffic", chHash), "client_early_traffic_secret");
    expectBytes(e.earlyExporterMasterSecret(chHash), referenceDeriveSecret("SHA-384", earlySecret, "e exp master", chHash), "early_exporter_master_secret");
  });

  it("07.3 a PSK of 0 bytes, or a ClientHello hash of the wrong size, is internal_error", () => {
    expectTlsError(() => earlySecrets("SHA-256", EMPTY), { alert: AlertDescription.internal_error, field: "psk" });
    expectTlsError(() => earlySecrets("SHA-256").clientEarlyTrafficSecret(new Uint8Array(48)), { alert: AlertDescription.internal_error });
  });
});

describe("07.4 the handshake secrets (RFC 8448)", () => {
  for (const section of SECTIONS) {
    it(`07.4 ${TITLE[section]}: the handshake secret and both handshake traffic secrets, from the printed shared secret and ClientHello…ServerHello`, () => {
      const { hs } = handshake(section);
      expect(hs.hash).to.equal("SHA-256");
      expectBytes(hs.handshakeSecret, printed(section, 'extract secret "handshake"', "secret"), "handshake secret");
      expectBytes(hs.clientHandshakeTrafficSecret, fromHex(derived(section, "c hs traffic")), "client_handshake_traffic_secret");
      expectBytes(hs.serverHandshakeTrafficSecret, fromHex(derived(section, "s hs traffic")), "server_handshake_traffic_secret");
    });
  }

  it("07.4 an empty shared secret, or a hello transcript hash of the wrong size, is internal_error", () => {
    const e = earlySecrets("SHA-256");
    expectTlsError(() => handshakeSecrets(e, EMPTY, nodeDigest("SHA-256")), { alert: AlertDescription.internal_error, field: "shared secret" });
    expectTlsError(() => handshakeSecrets(e, new Uint8Array(32).fill(1), nodeDigest("SHA-384")), { alert: AlertDescription.internal_error });
  });
});

describe("07.5 the master secret and what comes from it (RFC 8448)", () => {
  for (const section of SECTIONS) {
    it(`07.5 ${TITLE[section]}: master secret, both application traffic secrets, exporter and resumption master secrets`, () => {
      const s = schedule(section);
      expect(s.app.hash).to.equal("SHA-256");
      expectBytes(s.app.masterSecret, printed(section, 'extract secret "master"', "secret"), "master secret");
      expectBytes(s.app.clientApplicationTrafficSecret, fromHex(derived(section, "c ap traffic")), "client_application_traffic_secret_0");
      expectBytes(s.app.serverApplicationTrafficSecret, fromHex(derived(section, "s ap traffic")), "server_application_traffic_secret_0");
      expectBytes(s.app.exporterMasterSecret, fromHex(derived(section, "exp master")), "exporter_master_secret");
      expectBytes(s.resumption, fromHex(derived(section, "res master")), "resumption_master_secret");
    });
  }

  it("07.5 transcript hashes of the wrong size are internal_error", () => {
    const { hs } = handshake(3);
    expectTlsError(() => applicationSecrets(hs, new Uint8Array(48)), { alert: AlertDescription.internal_error });
    const app = applicationSecrets(hs, nodeDigest("SHA-256"));
    expectTlsError(() => resumptionMasterSecret(app, new Uint8Array(31)), { alert: AlertDescription.internal_error });
  });
});

describe("07.6 traffic keys and IVs (RFC 8448)", () => {
  for (const section of SECTIONS) {
    it(`07.6 ${TITLE[section]}: every write key and IV the trace prints, from the learner's own traffic secrets`, () => {
      const s = schedule(section);
      const steps = keySteps(section);
      // §3 and §5: server handshake/application write, server handshake read, client application write; §4 also 0-RTT.
      expect(steps.length).to.equal(section === 4 ? 5 : 4);
      for (const { step, v } of steps) {
        const { name, secret } = secretForKeys(s, step);
        const where = `line ${step.line}: ${step.actor} ${step.action} (${name})`;
        expectBytes(secret, v.get("PRK")!, `${where}: the PRK is our ${name} secret`);
        const keys = trafficKeys(suiteHash(SUITE), suiteAead(SUITE), secret);
        expectBytes(keys.key, v.get("key expanded")!, `${where}: key`);
        expectBytes(keys.iv, v.get("iv expanded")!, `${where}: iv`);
      }
    });
  }

  it("07.6 §3: the server's encrypted flight and the client's Finished record decrypt (Node's AES-128-GCM) under the derived keys", () => {
    const s = schedule(3);
    const server = trafficKeys("SHA-256", "AES_128_GCM", s.hs.serverHandshakeTrafficSecret);
    // "send handshake record" steps: ClientHello and ServerHello in the clear (0, 1), then the server's flight (2).
    const serverRecord = printed(3, "send handshake record", "complete record", 2);
    const serverPayload = printed(3, "send handshake record", "payload", 2);
    // TLSInnerPlaintext: the messages, then the real content type, handshake (22).
    expectBytes(nodeOpenRecord13(server.key, server.iv, 0, serverRecord), fromHex(hex(serverPayload) + "16"), "the server's record, opened by Node with your key and iv", { structure: handshakes });
    const client = trafficKeys("SHA-256", "AES_128_GCM", s.hs.clientHandshakeTrafficSecret);
    const clientRecord = printed(3, "send handshake record", "complete record", 3);
    expectBytes(nodeOpenRecord13(client.key, client.iv, 0, clientRecord), fromHex(hex(s.messages.clientFinished) + "16"), "the client's record, opened by Node with your key and iv");
    // Application data: the client's first record under its application keys is number 0; the server sent its
    // NewSessionTicket first under its own, so its data record is number 1. (The trace prints client's, then server's.)
    const sides = [
      { name: "client", secret: s.app.clientApplicationTrafficSecret, n: 0, sequence: 0 },
      { name: "server", secret: s.app.serverApplicationTrafficSecret, n: 1, sequence: 1 },
    ];
    for (const side of sides) {
      const k = trafficKeys("SHA-256", "AES_128_GCM", side.secret);
      const record = printed(3, "send application_data record", "complete record", side.n);
      const payload = printed(3, "send application_data record", "payload", side.n);
      expectBytes(nodeOpenRecord13(k.key, k.iv, side.sequence, record), fromHex(hex(payload) + "17"), side.name);
    }
  });
});

describe("07.7 finished keys and verify_data (RFC 8448)", () => {
  for (const section of SECTIONS) {
    it(`07.7 ${TITLE[section]}: both finished keys, both verify_data and so both Finished messages, over the transcript as sent`, () => {
      const s = handshake(section); // the handshake stage is all a Finished needs
      const serverHash = transcriptHash(section, throughCertificateVerify(s.messages));
      const clientHash = transcriptHash(section, beforeClientFinished(s.messages));
      const sides = [
        { who: "server", base: s.hs.serverHandshakeTrafficSecret, hash: serverHash, finished: s.messages.serverFinished, n: 0 },
        { who: "client", base: s.hs.clientHandshakeTrafficSecret, hash: clientHash, finished: s.messages.clientFinished, n: 1 },
      ];
      for (const side of sides) {
        expectBytes(finishedKey("SHA-256", side.base), printed(section, 'calculate finished "tls13 finished"', "expanded", side.n), `${side.who} finished_key`);
        const verify = finishedVerifyData("SHA-256", side.base, side.hash);
        expectBytes(verify, printed(section, 'calculate finished "tls13 finished"', "finished", side.n), `${side.who} verify_data as printed`);
        expectBytes(verify, verifyDataOf(side.finished), `${side.who} Finished message`);
      }
    });
  }

  it("07.7 §4: the PSK binder is a verify_data under the binder key, over the ClientHello up to its binders", () => {
    const e = earlySecrets("SHA-256", psk4());
    const prefix = printed(4, "calculate PSK binder", "ClientHello prefix");
    const binderHash = nodeDigest("SHA-256", prefix);
    expectBytes(binderHash, printed(4, "calculate PSK binder", "binder hash"), "the binder hash the trace prints");
    expectBytes(finishedKey("SHA-256", e.binderKey(true)), printed(4, "calculate PSK binder", "expanded"), "binder finished key");
    const binder = finishedVerifyData("SHA-256", e.binderKey(true), binderHash);
    expectBytes(binder, printed(4, "calculate PSK binder", "finished"), "PSK binder");
    // …and it is the binder the ClientHello carries: its last 32 bytes, after the prefix and two length bytes.
    const clientHello = traceMessages(4).hellos[0]!;
    expectBytes(clientHello.subarray(clientHello.length - 32), binder, "the binder in the ClientHello as sent");
  });
});
