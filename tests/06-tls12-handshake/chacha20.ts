// Exercise 06.14, TLS 1.2 ChaCha20-Poly1305 record protection (RFC 7905), graded against Node's crypto
// (OpenSSL's chacha20-poly1305) in both directions, with the nonce and additional data spelled out in
// tests/support/tls12-oracle.ts from RFC 7905 §2 and RFC 5246 §6.2.3.3; and live, against Node's tls and
// `openssl s_server`, whose key logs must hold the master secret of each ChaCha20 connection.
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, ContentType } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import {
  type DirectionState,
  chacha20Nonce,
  CHACHA20_POLY1305_RECORDS,
  directionState,
  openRecordChaCha20,
  protectRecord,
  sealRecordChaCha20,
  unprotectRecord,
} from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { assertProperty, checkTlsError, expectTlsError } from "../support/properties.js";
import { referenceChaChaNonce, referenceOpenChaCha20, referenceSealChaCha20 } from "../support/tls12-oracle.js";
import { type HttpsResponder, type OpenSslResponder, startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";
import { fetchPage } from "./helpers.js";

const MAX_PLAINTEXT = 2 ** 14;
const RUNS = 150;

const state = (key: Uint8Array, iv: Uint8Array, sequence = 0n): DirectionState => ({ key: key.slice(), salt: iv.slice(), sequence, aead: CHACHA20_POLY1305_RECORDS });

const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const ivArb = fc.uint8Array({ minLength: 12, maxLength: 12 });
const sequenceArb = fc.bigInt({ min: 0n, max: 2n ** 64n - 2n });
const typeArb = fc.constantFrom(ContentType.handshake, ContentType.application_data, ContentType.alert);

const fixedKey = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
const fixedIv = fromHex("070000004041424344454647");
const hello = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

describe("06.14 ChaCha20-Poly1305 record protection (RFC 7905 §2)", () => {
  it("06.14 chacha20Nonce: the sequence number, padded on the left to 12 bytes, XORed with the IV", () => {
    for (const sequence of [0n, 1n, 0x0102030405060708n, 2n ** 64n - 1n]) {
      expectBytes(chacha20Nonce(fixedIv, sequence), referenceChaChaNonce(fixedIv, sequence), `the nonce of record ${sequence} (expected: RFC 7905 §2's recipe)`);
    }
    assertProperty(
      fc.property(ivArb, sequenceArb, (iv, sequence) => {
        expectBytes(chacha20Nonce(iv, sequence), referenceChaChaNonce(iv, sequence), "the nonce (expected: RFC 7905 §2's recipe)");
      }),
      { numRuns: RUNS, demands: "for every IV and sequence number, the nonce is the IV XOR the sequence number padded to 12 bytes", inputs: ["iv", "sequence"] },
    );
    expectTlsError(() => chacha20Nonce(fixedIv.subarray(4), 0n), { alert: AlertDescription.internal_error });
    expectTlsError(() => chacha20Nonce(fixedIv, 2n ** 64n), { alert: AlertDescription.internal_error });
  });

  it("06.14 a sealed record: header type, 03 03, length = plaintext + 16; no explicit nonce; Node's chacha20-poly1305 opens it", () => {
    const record = sealRecordChaCha20(state(fixedKey, fixedIv, 5n), ContentType.application_data, hello);
    expectBytes(record.subarray(0, 5), Uint8Array.of(ContentType.application_data, 3, 3, 0, hello.length + 16), "the record header");
    expect(record.length, "header + ciphertext + tag, nothing else").to.equal(5 + hello.length + 16);
    expectBytes(referenceOpenChaCha20(fixedKey, fixedIv, 5n, record), hello, "our record, opened by Node");
  });

  it("06.14 sealRecordChaCha20 is byte for byte what Node's chacha20-poly1305 produces, and counts the sequence number up", () => {
    assertProperty(
      fc.property(keyArb, ivArb, sequenceArb, typeArb, fc.uint8Array({ maxLength: 200 }), (key, iv, sequence, type, plaintext) => {
        const s = state(key, iv, sequence);
        expectBytes(sealRecordChaCha20(s, type, plaintext), referenceSealChaCha20(key, iv, sequence, type, plaintext), "our record against Node's");
        expect(s.sequence).to.equal(sequence + 1n);
      }),
      { numRuns: RUNS, demands: "every record sealed is Node's record for the same key, IV, sequence number, type and data", inputs: ["key", "iv", "sequence", "type", "plaintext"] },
    );
  });

  it("06.14 openRecordChaCha20 opens Node's records, and counts the sequence number up", () => {
    assertProperty(
      fc.property(keyArb, ivArb, sequenceArb, typeArb, fc.uint8Array({ maxLength: 200 }), (key, iv, sequence, type, plaintext) => {
        const s = state(key, iv, sequence);
        const record = referenceSealChaCha20(key, iv, sequence, type, plaintext);
        expectBytes(openRecordChaCha20(s, type, record.subarray(5)), plaintext, "Node's record, opened by us");
        expect(s.sequence).to.equal(sequence + 1n);
      }),
      { numRuns: RUNS, demands: "every record Node seals opens to its plaintext", inputs: ["key", "iv", "sequence", "type", "plaintext"] },
    );
  });

  it("06.14 a flipped bit in ciphertext or tag, another content type, a replayed record, the wrong IV: bad_record_mac", () => {
    const fragment = referenceSealChaCha20(fixedKey, fixedIv, 0n, ContentType.application_data, hello).subarray(5);
    for (let i = 0; i < fragment.length; i++) {
      const bad = fragment.slice();
      bad[i]! ^= 0x01;
      expectTlsError(() => openRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, bad), { alert: AlertDescription.bad_record_mac });
    }
    expectTlsError(() => openRecordChaCha20(state(fixedKey, fixedIv), ContentType.handshake, fragment), { alert: AlertDescription.bad_record_mac });
    expectTlsError(() => openRecordChaCha20(state(fixedKey, fixedIv, 1n), ContentType.application_data, fragment), { alert: AlertDescription.bad_record_mac });
    const otherIv = fixedIv.slice();
    otherIv[0]! ^= 1;
    expectTlsError(() => openRecordChaCha20(state(fixedKey, otherIv), ContentType.application_data, fragment), { alert: AlertDescription.bad_record_mac });
  });

  it("06.14 fragments shorter than the tag, and random ones, are bad_record_mac, never another error", () => {
    for (let n = 0; n < 16; n++) {
      expectTlsError(() => openRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, new Uint8Array(n)), { alert: AlertDescription.bad_record_mac });
    }
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 200 }), (fragment) => {
        try {
          openRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, fragment);
          expect.fail("a random fragment authenticated");
        } catch (e) {
          checkTlsError(e, fragment, [AlertDescription.bad_record_mac]);
        }
      }),
      { numRuns: 300, demands: "a random fragment never authenticates: bad_record_mac, and no other error" },
    );
  });

  it("06.14 sizes: 2^14 bytes of plaintext seal, 2^14 + 1 is internal_error; a record decrypting to 2^14 + 1 is record_overflow", () => {
    const big = new Uint8Array(MAX_PLAINTEXT).fill(0x61);
    expectBytes(referenceOpenChaCha20(fixedKey, fixedIv, 0n, sealRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, big)), big, "2^14 bytes, opened by Node");
    expectTlsError(() => sealRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1)), { alert: AlertDescription.internal_error });
    const tooBig = referenceSealChaCha20(fixedKey, fixedIv, 0n, ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1));
    expectTlsError(() => openRecordChaCha20(state(fixedKey, fixedIv), ContentType.application_data, tooBig.subarray(5)), { alert: AlertDescription.record_overflow });
  });

  it("06.14 the record layer's protectRecord/unprotectRecord take the ChaCha20 path for a key block with 12-byte IVs (directionState)", () => {
    const writer = directionState(fixedKey, fixedIv);
    expect(writer.aead?.name, "the AEAD a 12-byte IV means").to.equal(CHACHA20_POLY1305_RECORDS.name);
    const record = protectRecord(writer, ContentType.application_data, hello);
    expectBytes(referenceOpenChaCha20(fixedKey, fixedIv, 0n, record), hello, "protectRecord's record, opened by Node's chacha20-poly1305");
    const back = referenceSealChaCha20(fixedKey, fixedIv, 0n, ContentType.application_data, hello);
    expectBytes(unprotectRecord(directionState(fixedKey, fixedIv), ContentType.application_data, back.subarray(5)), hello, "Node's record, opened by unprotectRecord");
  });
});

describe("06.14 live: ChaCha20-Poly1305 suites with Node's tls and openssl s_server", function () {
  const SUITES = [
    { name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", code: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, openssl: "ECDHE-RSA-CHACHA20-POLY1305" },
    { name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", code: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, openssl: "ECDHE-ECDSA-CHACHA20-POLY1305" },
  ];
  let node: HttpsResponder;
  let openssl: OpenSslResponder;
  before(async () => {
    [node, openssl] = await Promise.all([
      startHttpsResponder({ ciphers: SUITES.map((s) => s.openssl).join(":") }),
      startOpenSslResponder(["-cipher", SUITES.map((s) => s.openssl).join(":")]),
    ]);
  });
  after(async () => {
    await Promise.all([node?.close(), openssl?.close()]);
  });

  for (const suite of SUITES) {
    it(`06.14 Node: ${suite.name}: handshake, GET, the server's master secret`, async () => {
      const { conn, response, keyLog } = await fetchPage(node.port, { cipherSuites: [suite.code] });
      expect(response, "what Node says it negotiated").to.include(`hello from node: ${suite.name} TLSv1.2`);
      expect(conn.cipherSuite).to.equal(suite.code);
      expect(node.keyLog.get(keyLog[0]!.split(" ")[1]!), "Node's master secret for this client random").to.equal(keyLog[0]!.split(" ")[2]);
    });

    it(`06.14 OpenSSL: ${suite.name}: handshake, GET, the server's master secret`, async () => {
      const { conn, response, keyLog } = await fetchPage(openssl.port, { cipherSuites: [suite.code] });
      expect(response, "s_server's session page").to.include(`Cipher is ${suite.openssl}`);
      expect(conn.cipherSuite).to.equal(suite.code);
      expect(openssl.keyLog().get(keyLog[0]!.split(" ")[1]!), "s_server's master secret for this client random").to.equal(keyLog[0]!.split(" ")[2]);
    });
  }
});
