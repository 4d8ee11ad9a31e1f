// Exercises 07.6–07.8 beyond the recorded connections: every AEAD and both hashes against HKDF-Expand-Label written on
// Node's crypto (oracles.ts) for random secrets, the KeyUpdate chain of traffic secrets (RFC 8446 §7.2), the Finished
// HMAC against Node's HMAC, the key log format, and the inputs that are our own bugs (internal_error).
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite } from "../../lib/constants.js";
import {
  type Aead13,
  type ApplicationSecrets,
  type HandshakeSecrets,
  finishedKey,
  finishedVerifyData,
  keyLogLines13,
  nextTrafficSecret,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../../chapters/07-tls13-key-schedule/index.js";
import { assertProperty, expectTlsError } from "../support/properties.js";
import { EMPTY, HASH_LEN, type Hash13, hex, nodeHmac, referenceExpandLabel, seededRandom } from "./oracles.js";
import { expectBytes } from "../support/expect-bytes.js";

/** Key sizes of the three TLS 1.3 AEADs (RFC 5116 §5.1–§5.2 for AES-GCM, RFC 8439 §2.8 for ChaCha20-Poly1305). */
const KEY_LENGTH: Record<Aead13, number> = { AES_128_GCM: 16, AES_256_GCM: 32, CHACHA20_POLY1305: 32 };
const TLS13_SUITES = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256];

const hashes: Hash13[] = ["SHA-256", "SHA-384"];
const RUNS = 200;

describe("07.6–07.8 keys, KeyUpdate, Finished and the key log, against Node's crypto", () => {
  it(`07.6 trafficKeys, for each TLS 1.3 suite's hash and AEAD, equals the Node reference: key "key" (16 or 32 bytes), IV "iv" (12) (${RUNS} runs)`, () => {
    assertProperty(
      fc.property(fc.constantFrom(...TLS13_SUITES), fc.uint8Array({ minLength: 48, maxLength: 48 }), (suite, bytes) => {
        const hash = suiteHash(suite) as Hash13;
        const aead = suiteAead(suite);
        const secret = bytes.subarray(0, HASH_LEN[hash]);
        const keys = trafficKeys(hash, aead, secret);
        expectBytes(keys.key, referenceExpandLabel(hash, secret, "key", EMPTY, KEY_LENGTH[aead]), `${aead} key`);
        expectBytes(keys.iv, referenceExpandLabel(hash, secret, "iv", EMPTY, 12), `${aead} iv`);
      }),
      { numRuns: RUNS, demands: "the key is HKDF-Expand-Label(secret, \"key\", \"\", key length) and the IV HKDF-Expand-Label(secret, \"iv\", \"\", 12)", inputs: ["suite", "secret"] },
    );
  });

  it('07.6 nextTrafficSecret walks the KeyUpdate chain as the Node reference does ("traffic upd", Hash.length), and new keys come from each generation', () => {
    const random = seededRandom("07.6 key update");
    for (const hash of hashes) {
      let ours = random(HASH_LEN[hash]);
      let reference = ours;
      const seen = new Set<string>([hex(ours)]);
      for (let generation = 1; generation <= 5; generation++) {
        ours = nextTrafficSecret(hash, ours);
        reference = referenceExpandLabel(hash, reference, "traffic upd", EMPTY, HASH_LEN[hash]);
        expectBytes(ours, reference, `${hash}, generation ${generation}`);
        const keys = trafficKeys(hash, "AES_128_GCM", ours);
        expectBytes(keys.key, referenceExpandLabel(hash, reference, "key", EMPTY, 16), `${hash}, key of generation ${generation}`);
        expect(seen.has(hex(ours)), "a generation repeats").to.equal(false);
        seen.add(hex(ours));
      }
    }
  });

  it("07.6 an AEAD that is not one of TLS 1.3's is internal_error", () => {
    expectTlsError(() => trafficKeys("SHA-256", "AES_128_CCM" as Aead13, new Uint8Array(32)), { alert: AlertDescription.internal_error, field: "aead" });
  });

  it(`07.7 finishedKey and finishedVerifyData equal HKDF-Expand-Label "finished" and Node's HMAC over the transcript hash (${RUNS} runs)`, () => {
    assertProperty(
      fc.property(fc.constantFrom(...hashes), fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ minLength: 48, maxLength: 48 }), (hash, base, th) => {
        const baseKey = base.subarray(0, HASH_LEN[hash]);
        const transcriptHash = th.subarray(0, HASH_LEN[hash]);
        const key = referenceExpandLabel(hash, baseKey, "finished", EMPTY, HASH_LEN[hash]);
        expectBytes(finishedKey(hash, baseKey), key, "finished_key");
        const verify = finishedVerifyData(hash, baseKey, transcriptHash);
        expect(verify.length).to.equal(HASH_LEN[hash]);
        expectBytes(verify, nodeHmac(hash, key, transcriptHash), "verify_data (expected: Node's HMAC)");
      }),
      { numRuns: RUNS, demands: "finished_key is HKDF-Expand-Label(base key, \"finished\", \"\", Hash.length) and verify_data its HMAC over the transcript hash", inputs: ["hash", "base key", "transcript hash"] },
    );
  });

  it("07.7 a transcript hash of another hash's size is internal_error", () => {
    expectTlsError(() => finishedVerifyData("SHA-256", new Uint8Array(32), new Uint8Array(48)), {
      alert: AlertDescription.internal_error,
      field: "transcript hash",
    });
    expectTlsError(() => finishedVerifyData("SHA-384", new Uint8Array(48), new Uint8Array(32)), { alert: AlertDescription.internal_error });
  });

  it("07.8 keyLogLines13: five lines in OpenSSL's order, LABEL <64 hex digits> <secret in hex>, for SHA-256 and SHA-384 secrets; either stage alone", () => {
    const random = seededRandom("07.8 key log");
    for (const hash of hashes) {
      const n = HASH_LEN[hash];
      const hs: HandshakeSecrets = { hash, handshakeSecret: random(n), clientHandshakeTrafficSecret: random(n), serverHandshakeTrafficSecret: random(n) };
      const app: ApplicationSecrets = {
        hash,
        masterSecret: random(n),
        clientApplicationTrafficSecret: random(n),
        serverApplicationTrafficSecret: random(n),
        exporterMasterSecret: random(n),
      };
      const clientRandom = random(32);
      const r = hex(clientRandom);
      expect(keyLogLines13(clientRandom, hs, app), hash).to.deep.equal([
        `SERVER_HANDSHAKE_TRAFFIC_SECRET ${r} ${hex(hs.serverHandshakeTrafficSecret)}`,
        `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${r} ${hex(hs.clientHandshakeTrafficSecret)}`,
        `EXPORTER_SECRET ${r} ${hex(app.exporterMasterSecret)}`,
        `SERVER_TRAFFIC_SECRET_0 ${r} ${hex(app.serverApplicationTrafficSecret)}`,
        `CLIENT_TRAFFIC_SECRET_0 ${r} ${hex(app.clientApplicationTrafficSecret)}`,
      ]);
      // One stage at a time, as chapter 08 writes them: the same lines, split after the handshake secrets.
      expect(keyLogLines13(clientRandom, hs), `${hash}, handshake stage only`).to.deep.equal(keyLogLines13(clientRandom, hs, app).slice(0, 2));
      expect(keyLogLines13(clientRandom, undefined, app), `${hash}, application stage only`).to.deep.equal([
        `EXPORTER_SECRET ${r} ${hex(app.exporterMasterSecret)}`,
        `SERVER_TRAFFIC_SECRET_0 ${r} ${hex(app.serverApplicationTrafficSecret)}`,
        `CLIENT_TRAFFIC_SECRET_0 ${r} ${hex(app.clientApplicationTrafficSecret)}`,
      ]);
    }
  });

  it("07.8 a client random that is not 32 bytes is internal_error", () => {
    const s = new Uint8Array(32);
    const hs: HandshakeSecrets = { hash: "SHA-256", handshakeSecret: s, clientHandshakeTrafficSecret: s, serverHandshakeTrafficSecret: s };
    const app: ApplicationSecrets = { hash: "SHA-256", masterSecret: s, clientApplicationTrafficSecret: s, serverApplicationTrafficSecret: s, exporterMasterSecret: s };
    expectTlsError(() => keyLogLines13(new Uint8Array(31), hs, app), { alert: AlertDescription.internal_error, field: "client random" });
    expectTlsError(() => keyLogLines13(new Uint8Array(48), hs, app), { alert: AlertDescription.internal_error });
  });
});
