// Exercise 06.13, the whole client, under attack (each step alone: steps.ts): a proxy on 127.0.0.1
// (tests/support/tamper-proxy.ts) between our client and Node's tls changes what the server sends, and the client
// must stop with the alert RFC 5246 §7.2.2 names:
//   a flipped bit in a protected record (the server's Finished, application data)  → bad_record_mac
//   a server Finished whose verify_data is wrong but properly encrypted             → decrypt_error
//     (the proxy takes the keys from Node's own key log and re-encrypts with Node's AES-GCM)
//   a flipped bit in the ServerKeyExchange signature                                → decrypt_error
//   DH Ys = 0, 1, p−1 or p, re-signed with the server's (fixture) key               → illegal_parameter
//   an ECDHE curve we did not offer, re-signed                                       → illegal_parameter
//   messages out of order                                                           → unexpected_message
import { expect } from "chai";
import crypto from "node:crypto";
import { CipherSuite, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { readFixture } from "../support/fixtures.js";
import { type ProxyRules, type Seen, type TamperProxy, onePerRecord, startTamperProxy } from "../support/tamper-proxy.js";
import { referenceGcmKeys, referenceOpen, referenceSealLike } from "../support/tls12-oracle.js";
import { type HttpsResponder, startHttpsResponder } from "../support/tls12-peers.js";
import { expectRejection, fetchPage } from "./helpers.js";

const ECDHE_RSA = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
const ECDHE_ECDSA = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
const DHE_RSA = CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
const HT = { server_hello: 2, certificate: 11, server_key_exchange: 12, server_hello_done: 14 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Byte surgery, written from the structs of RFC 5246 §7.4

const u16 = (n: number) => [n >> 8, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const cat = (...parts: (Uint8Array | number[])[]) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
const handshake = (type: number, body: Uint8Array) => cat([type], u24(body.length), body);
/** ClientHello and ServerHello: header(4), version(2), random(32). */
const randomOf = (message: Uint8Array) => message.slice(6, 38);

/** Replaces the first message of `type` in the flight by `change(message)`, each message in its own record. */
const rewrite = (type: number, change: (message: Uint8Array, seen: Seen) => Uint8Array): ProxyRules["serverFlight"] =>
  (messages, seen) => onePerRecord(messages.map((m) => (m[0] === type ? change(m, seen) : m)));

/** Reads `opaque x<1..2^16-1>` at `at`: the value and where the next field starts. */
function opaque16(bytes: Uint8Array, at: number): { value: Uint8Array; next: number } {
  const length = (bytes[at]! << 8) | bytes[at + 1]!;
  return { value: bytes.slice(at + 2, at + 2 + length), next: at + 2 + length };
}

/** Signs client_random + server_random + params with the fixture RSA key, as rsa_pkcs1_sha256 (RFC 5246 §7.4.3). */
function signedServerKeyExchange(params: Uint8Array, seen: Seen): Uint8Array {
  const signed = cat(randomOf(seen.clientHello!), randomOf(seen.serverHello!), params);
  const signature = crypto.sign("sha256", signed, readFixture("server-rsa.key"));
  return handshake(HT.server_key_exchange, cat(params, u16(SignatureScheme.rsa_pkcs1_sha256), u16(signature.length), signature));
}

/** ServerDHParams with dh_Ys replaced; `ys` gets p so that it can be p−1 or p. */
function withYs(ske: Uint8Array, ys: (p: Uint8Array) => Uint8Array): Uint8Array {
  const body = ske.subarray(4);
  const p = opaque16(body, 0);
  const g = opaque16(body, p.next);
  const newYs = ys(p.value);
  return cat(u16(p.value.length), p.value, u16(g.value.length), g.value, u16(newYs.length), newYs);
}

const minusOne = (p: Uint8Array) => {
  const out = p.slice();
  out[out.length - 1]! -= 1; // p is odd, so its last byte is at least 1
  return out;
};

describe("06.13 a tampering proxy between our client and Node's tls", function () {
  let server: HttpsResponder;
  const proxies: TamperProxy[] = [];
  before(async () => {
    server = await startHttpsResponder();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await server?.close();
  });
  /** Connects through a proxy with `rules` and expects our client to stop with `alert` (one it sends, not receives). */
  const refused = async (rules: ProxyRules, options: Parameters<typeof fetchPage>[1], alert: string) => {
    const proxy = await startTamperProxy(server.port, rules);
    proxies.push(proxy);
    const e = await expectRejection(() => fetchPage(proxy.port, options));
    expect(e.alertName, e.message).to.equal(alert);
    expect(isReceivedAlert(e), "our own check, not an alert from the server").to.equal(false);
    return e;
  };
  const flipAt = (offset: (record: Uint8Array) => number) => (record: Uint8Array) => {
    const out = record.slice();
    out[offset(out)]! ^= 0x01;
    return out;
  };

  for (const [part, offset] of [
    ["the explicit nonce", (_r: Uint8Array) => 5],
    ["the ciphertext", (_r: Uint8Array) => 5 + 8],
    ["the GCM tag", (r: Uint8Array) => r.length - 1],
  ] as const) {
    it(`06.13 one bit flipped in ${part} of the server's Finished record: bad_record_mac`, async () => {
      const flip = flipAt(offset);
      await refused({ serverRecord: (r, i) => (i === 1 ? flip(r) : r) }, { cipherSuites: [ECDHE_RSA] }, "bad_record_mac");
    });
  }

  it("06.13 one bit flipped in the tag of the first application data record: the handshake completes, read() fails with bad_record_mac", async () => {
    const flip = flipAt((r) => r.length - 1);
    const e = await refused({ serverRecord: (r, i) => (i === 2 ? flip(r) : r) }, { cipherSuites: [ECDHE_RSA] }, "bad_record_mac");
    expect(e.message).to.not.include("Finished");
  });

  it("06.13 a server Finished with a wrong verify_data, correctly encrypted (keys from Node's key log): decrypt_error", async () => {
    const forge = (record: Uint8Array, seen: Seen): Uint8Array => {
      const clientRandom = randomOf(seen.clientHello!);
      const master = server.keyLog.get(Buffer.from(clientRandom).toString("hex"));
      if (master === undefined) throw new Error("Node has not logged the master secret yet");
      const keys = referenceGcmKeys("sha256", Buffer.from(master, "hex"), clientRandom, randomOf(seen.serverHello!), 16);
      const finished = referenceOpen(keys.serverKey, keys.serverSalt, 0n, record); // the server's first protected record
      expect(finished[0], "the server's Finished (type 20)").to.equal(20);
      finished[4]! ^= 0x01; // the first byte of verify_data
      return referenceSealLike(keys.serverKey, keys.serverSalt, 0n, record, finished);
    };
    const e = await refused({ serverRecord: (r, i, seen) => (i === 1 ? forge(r, seen) : r) }, { cipherSuites: [ECDHE_RSA] }, "decrypt_error");
    expect(e.field).to.equal("verify_data");
  });

  for (const [label, suite] of [["ECDHE_RSA (RSA signature)", ECDHE_RSA], ["ECDHE_ECDSA (ECDSA signature)", ECDHE_ECDSA]] as const) {
    it(`06.13 ${label}: one bit flipped in the ServerKeyExchange signature: decrypt_error`, async () => {
      const flip = (m: Uint8Array) => {
        const out = m.slice();
        out[out.length - 1]! ^= 0x01;
        return out;
      };
      await refused({ serverFlight: rewrite(HT.server_key_exchange, flip) }, { cipherSuites: [suite] }, "decrypt_error");
    });
  }

  for (const [label, ys] of [
    ["1", () => Uint8Array.of(1)],
    ["p − 1", minusOne],
    ["0", () => Uint8Array.of(0)],
    ["p", (p: Uint8Array) => p.slice()],
  ] as const) {
    it(`06.13 DHE: Ys = ${label}, properly signed with the server's key: illegal_parameter`, async () => {
      const e = await refused(
        { serverFlight: rewrite(HT.server_key_exchange, (m, seen) => signedServerKeyExchange(withYs(m, ys), seen)) },
        { cipherSuites: [DHE_RSA], signatureSchemes: [SignatureScheme.rsa_pkcs1_sha256] },
        "illegal_parameter",
      );
      expect(e.field).to.match(/Ys/i);
    });
  }

  it("06.13 DHE: Ys = 1 without a new signature: the signature is checked first (decrypt_error)", async () => {
    const unsigned = (m: Uint8Array) => {
      const params = withYs(m, () => Uint8Array.of(1));
      const body = m.subarray(4);
      const p = opaque16(body, 0);
      const g = opaque16(body, p.next);
      const oldYs = opaque16(body, g.next);
      return handshake(HT.server_key_exchange, cat(params, body.subarray(oldYs.next)));
    };
    await refused(
      { serverFlight: rewrite(HT.server_key_exchange, unsigned) },
      { cipherSuites: [DHE_RSA], signatureSchemes: [SignatureScheme.rsa_pkcs1_sha256] },
      "decrypt_error",
    );
  });

  it("06.13 ECDHE: a curve we did not offer (P-256 when we offered X25519), properly signed: illegal_parameter", async () => {
    const p256 = crypto.createECDH("prime256v1");
    const point = p256.generateKeys(); // uncompressed: 04 || x || y
    const params = cat([3], u16(NamedGroup.secp256r1), [point.length], point); // ServerECDHParams, RFC 8422 §5.4
    await refused(
      { serverFlight: rewrite(HT.server_key_exchange, (_m, seen) => signedServerKeyExchange(params, seen)) },
      { cipherSuites: [ECDHE_RSA], groups: [NamedGroup.x25519], signatureSchemes: [SignatureScheme.rsa_pkcs1_sha256] },
      "illegal_parameter",
    );
  });

  it("06.13 Certificate and ServerKeyExchange swapped: unexpected_message", async () => {
    const swap = (messages: Uint8Array[]) => {
      const order = messages.slice();
      const c = order.findIndex((m) => m[0] === HT.certificate);
      const s = order.findIndex((m) => m[0] === HT.server_key_exchange);
      [order[c], order[s]] = [order[s]!, order[c]!];
      return onePerRecord(order);
    };
    await refused({ serverFlight: swap }, { cipherSuites: [ECDHE_RSA] }, "unexpected_message");
  });

  it("06.13 ServerKeyExchange left out of a DHE handshake: unexpected_message", async () => {
    const drop = (messages: Uint8Array[]) => onePerRecord(messages.filter((m) => m[0] !== HT.server_key_exchange));
    await refused({ serverFlight: drop }, { cipherSuites: [DHE_RSA] }, "unexpected_message");
  });

  it("06.13 a ServerKeyExchange in an RSA key exchange (where none belongs): unexpected_message", async () => {
    const fake = handshake(HT.server_key_exchange, cat([3], u16(NamedGroup.x25519), [32], new Uint8Array(32)));
    const add = (messages: Uint8Array[]) => onePerRecord([...messages.slice(0, 2), fake, ...messages.slice(2)]);
    await refused({ serverFlight: add }, { cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] }, "unexpected_message");
  });

  it("06.13 a ServerHelloDone with a body: decode_error", async () => {
    await refused({ serverFlight: rewrite(HT.server_hello_done, () => handshake(HT.server_hello_done, Uint8Array.of(0))) }, { cipherSuites: [ECDHE_RSA] }, "decode_error");
  });

  it("06.13 a ServerHello stripped of extended_master_secret: the sides derive different keys and the server refuses our Finished", async () => {
    const strip = (m: Uint8Array) => {
      const body = m.subarray(4);
      const sessionIdLength = body[34]!;
      const extensionsAt = 2 + 32 + 1 + sessionIdLength + 2 + 1;
      const kept: Uint8Array[] = [];
      for (let at = extensionsAt + 2; at < body.length; ) {
        const length = (body[at + 2]! << 8) | body[at + 3]!;
        const type = (body[at]! << 8) | body[at + 1]!;
        if (type !== 0x0017) kept.push(body.subarray(at, at + 4 + length));
        at += 4 + length;
      }
      const extensions = cat(...kept);
      return handshake(HT.server_hello, cat(body.subarray(0, extensionsAt), u16(extensions.length), extensions));
    };
    const proxy = await startTamperProxy(server.port, { serverFlight: rewrite(HT.server_hello, strip) });
    proxies.push(proxy);
    const e = await expectRejection(() => fetchPage(proxy.port, { cipherSuites: [ECDHE_RSA] }));
    expect(isReceivedAlert(e), `the server's alert: ${e.message}`).to.equal(true);
  });
});
