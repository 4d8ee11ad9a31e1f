// Exercises 07.2–07.8 with SHA-384, against the TLS_AES_256_GCM_SHA384 connection recorded at https://tls13.xargs.org
// (tests/vectors/illustrated-tls13, MIT; see SOURCES.md): from its X25519 shared secret (checked with Node's X25519)
// and its handshake messages as sent, the learner's schedule must give the secrets and keys the page states and the
// key log holds, both Finished values, and keys under which every encrypted record of the connection opens (with
// Node's AES-256-GCM) to the plaintext the repository publishes.
import { expect } from "chai";
import crypto from "node:crypto";
import { CipherSuite } from "../../lib/constants.js";
import {
  type ApplicationSecrets,
  type HandshakeSecrets,
  TranscriptHash,
  applicationSecrets,
  earlySecrets,
  finishedVerifyData,
  handshakeSecrets,
  keyLogLines13,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../../chapters/07-tls13-key-schedule/index.js";
import { hex, nodeOpenRecord13, u8 } from "./oracles.js";
import {
  type TraceMessages,
  beforeClientFinished,
  illustrated,
  illustratedMessages,
  throughCertificateVerify,
  throughServerFinished,
  verifyDataOf,
} from "./traces.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

const SUITE = CipherSuite.TLS_AES_256_GCM_SHA384;

/** X25519 by Node (OpenSSL), from the raw keys values.json gives. */
function nodeX25519(own: { private: string; public: string }, peerPublicHex: string): Uint8Array {
  const b64 = (h: string) => Buffer.from(h, "hex").toString("base64url");
  const privateKey = crypto.createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: b64(own.private), x: b64(own.public) }, format: "jwk" });
  const publicKey = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64(peerPublicHex) }, format: "jwk" });
  return u8(crypto.diffieHellman({ privateKey, publicKey }));
}

/** The shared secret the page states, checked against Node's X25519 from both sides' keys. */
function sharedSecret(): Uint8Array {
  const v = illustrated.values();
  const stated = illustrated.stated("shared_secret");
  expectBytes(nodeX25519(v.clientEphemeralX25519, v.serverEphemeralX25519.public), stated, "X25519 by Node");
  return stated;
}

function transcriptHash(messages: Uint8Array[]): Uint8Array {
  const t = new TranscriptHash(suiteHash(SUITE));
  for (const m of messages) t.add(m);
  return t.hash();
}

interface Recorded {
  messages: TraceMessages;
  hs: HandshakeSecrets;
  app: ApplicationSecrets;
}

/** The handshake stage only, so that the 07.4 test needs nothing from 07.5. */
function recordedHandshake(): Omit<Recorded, "app"> {
  const messages = illustratedMessages();
  return { messages, hs: handshakeSecrets(earlySecrets(suiteHash(SUITE)), sharedSecret(), transcriptHash(messages.hellos)) };
}

function recordedSchedule(): Recorded {
  const { messages, hs } = recordedHandshake();
  return { messages, hs, app: applicationSecrets(hs, transcriptHash(throughServerFinished(messages))) };
}

/** The secrets of the key log file, by label. */
function logged(label: string): string {
  const line = illustrated.keylog().split("\n").find((l) => l.startsWith(label + " "));
  if (line === undefined) throw new Error(`illustrated-tls13/keylog.txt: no ${label} line`);
  return line.split(" ")[2]!;
}

describe("07.4–07.8 the recorded SHA-384 connection (tls13.xargs.org)", () => {
  it("07.4 its handshake secret and both handshake traffic secrets, as the page states them and the key log holds them", () => {
    expect(suiteHash(SUITE)).to.equal("SHA-384");
    const { hs } = recordedHandshake();
    expect(hs.hash).to.equal("SHA-384");
    expectBytes(hs.handshakeSecret, illustrated.stated("handshake_secret"), "handshake_secret");
    expectBytes(hs.clientHandshakeTrafficSecret, illustrated.stated("client_handshake_traffic_secret"), "client_handshake_traffic_secret");
    expectBytes(hs.serverHandshakeTrafficSecret, illustrated.stated("server_handshake_traffic_secret"), "server_handshake_traffic_secret");
    expectBytes(hs.clientHandshakeTrafficSecret, fromHex(logged("CLIENT_HANDSHAKE_TRAFFIC_SECRET")), "key log");
    expectBytes(hs.serverHandshakeTrafficSecret, fromHex(logged("SERVER_HANDSHAKE_TRAFFIC_SECRET")), "key log");
  });

  it("07.5 its application traffic secrets and exporter master secret, as the key log holds them", () => {
    const { app } = recordedSchedule();
    expect(app.masterSecret.length).to.equal(48);
    expectBytes(app.clientApplicationTrafficSecret, fromHex(logged("CLIENT_TRAFFIC_SECRET_0")), "CLIENT_TRAFFIC_SECRET_0");
    expectBytes(app.serverApplicationTrafficSecret, fromHex(logged("SERVER_TRAFFIC_SECRET_0")), "SERVER_TRAFFIC_SECRET_0");
    expectBytes(app.exporterMasterSecret, fromHex(logged("EXPORTER_SECRET")), "EXPORTER_SECRET");
  });

  it("07.6 its AES-256-GCM keys and IVs, as the page states them", () => {
    const { hs, app } = recordedSchedule();
    expect(suiteAead(SUITE)).to.equal("AES_256_GCM");
    const pairs: [string, Uint8Array][] = [
      ["server_handshake", hs.serverHandshakeTrafficSecret],
      ["client_handshake", hs.clientHandshakeTrafficSecret],
      ["server_application", app.serverApplicationTrafficSecret],
      ["client_application", app.clientApplicationTrafficSecret],
    ];
    for (const [name, secret] of pairs) {
      const keys = trafficKeys("SHA-384", suiteAead(SUITE), secret);
      expectBytes(keys.key, illustrated.stated(`${name}_key`), `${name}_key`);
      expectBytes(keys.iv, illustrated.stated(`${name}_iv`), `${name}_iv`);
    }
  });

  it("07.6 every encrypted record of the connection opens (Node's AES-256-GCM) under the derived keys to the published plaintext", () => {
    const { hs, app } = recordedSchedule();
    const keysOf = (secret: Uint8Array) => trafficKeys("SHA-384", "AES_256_GCM", secret);
    // Each direction and stage numbers its records from 0 (RFC 8446 §5.3).
    const streams = [
      { keys: keysOf(hs.serverHandshakeTrafficSecret), records: ["serverencextensions", "serverenccert", "serverenccertverify", "serverencfinished"] },
      { keys: keysOf(hs.clientHandshakeTrafficSecret), records: ["clientencfinished"] },
      { keys: keysOf(app.serverApplicationTrafficSecret), records: ["serverencticket1", "serverencticket2", "serverencdata"] },
      { keys: keysOf(app.clientApplicationTrafficSecret), records: ["clientencdata"] },
    ];
    for (const { keys, records } of streams) {
      records.forEach((name, sequence) => {
        const plain = illustrated.cap(name.replace("enc", ""));
        expectBytes(nodeOpenRecord13(keys.key, keys.iv, sequence, illustrated.cap(name)), plain, `${name}, record ${sequence}`);
      });
    }
  });

  it("07.7 both Finished messages: SHA-384 verify_data (48 bytes) over the transcript as sent", () => {
    const { messages, hs } = recordedHandshake();
    const server = finishedVerifyData("SHA-384", hs.serverHandshakeTrafficSecret, transcriptHash(throughCertificateVerify(messages)));
    expect(server.length).to.equal(48);
    expectBytes(server, verifyDataOf(messages.serverFinished), "server Finished");
    const client = finishedVerifyData("SHA-384", hs.clientHandshakeTrafficSecret, transcriptHash(beforeClientFinished(messages)));
    expectBytes(client, verifyDataOf(messages.clientFinished), "client Finished");
  });

  it("07.8 keyLogLines13 gives the connection's key log file, line for line", () => {
    const { messages, hs, app } = recordedSchedule();
    // ClientHello: 4-byte header, 2-byte legacy_version, then the 32-byte random (RFC 8446 §4.1.2).
    const clientRandom = messages.hellos[0]!.slice(6, 38);
    expectBytes(clientRandom, fromHex(illustrated.values().keylog[0]!.client_random), "test data: the client random in the key log");
    const file = illustrated.keylog();
    expect(file.endsWith("\n"), "the file ends with a newline; the lines do not carry one").to.equal(true);
    expect(keyLogLines13(clientRandom, hs, app)).to.deep.equal(file.slice(0, -1).split("\n"));
  });
});
