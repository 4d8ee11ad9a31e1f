// Exercise 08.17, the whole client, under attack, live (each step alone meets the same attacks in steps.ts): a proxy on 127.0.0.1 (tests/support/tamper-proxy13.ts) between our
// client and Node's tls changes what the server sends, and the client must stop with the alert RFC 8446 §6.2 names:
//   one byte of the CertificateVerify signature, re-encrypted (keys from Node's key log)  → decrypt_error
//   one byte of the server's Finished, re-encrypted                                       → decrypt_error
//   one bit of any protected record the server sends, left as it is                       → bad_record_mac
//   a ServerHello choosing a suite or a group we never offered                            → illegal_parameter
//   a second HelloRetryRequest                                                            → unexpected_message
// The attacks that need no keys also run against the real flight re-cut (one message per record, all in one).
import { expect } from "chai";
import { CipherSuite, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { isReceivedAlert } from "../../chapters/08-tls13-handshake/index.js";
import { type ProxyRules13, type TamperProxy13, startTamperProxy13 } from "../support/tamper-proxy13.js";
import { type Https13Responder, startHttps13Responder } from "../support/tls13-peers.js";
import { expectRejection, expectSameKeyLog, fetchPage13, waitFor } from "./helpers.js";

const AES128 = CipherSuite.TLS_AES_128_GCM_SHA256;
const HT = { certificate_verify: 15, finished: 20 } as const;

/** The key_share extension of a ServerHello message: where its group sits. */
function keyShareGroupOffset(sh: Uint8Array): number {
  const sessionIdLength = sh[38]!;
  let at = 4 + 2 + 32 + 1 + sessionIdLength + 2 + 1 + 2; // header, version, random, session id, suite, compression, extensions length
  while (at < sh.length) {
    const type = (sh[at]! << 8) | sh[at + 1]!;
    const length = (sh[at + 2]! << 8) | sh[at + 3]!;
    if (type === 51) return at + 4;
    at += 4 + length;
  }
  throw new Error("no key_share in the ServerHello");
}

/** A copy of `m` with the byte at `at` XORed with `x`. */
const flip = (m: Uint8Array, at: number, x = 0x01) => {
  const out = m.slice();
  out[at < 0 ? out.length + at : at]! ^= x;
  return out;
};

describe("08.17 a tampering proxy between our TLS 1.3 client and Node's tls", function () {
  let server: Https13Responder;
  let retryServer: Https13Responder;
  const proxies: TamperProxy13[] = [];
  before(async () => {
    [server, retryServer] = await Promise.all([startHttps13Responder(), startHttps13Responder({ ecdhCurve: "P-256" })]);
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await Promise.all([server?.close(), retryServer?.close()]);
  });
  const via = async (target: Https13Responder, rules: ProxyRules13) => {
    const proxy = await startTamperProxy13(target.port, { serverSecret: (random) => target.keyLog.get(random)?.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"), ...rules });
    proxies.push(proxy);
    return proxy;
  };
  /** Connects through a proxy and expects our client to stop with `alert`, one it sends (not one it receives). */
  const refused = async (rules: ProxyRules13, options: Parameters<typeof fetchPage13>[1], alert: string, target = server) => {
    const proxy = await via(target, rules);
    const e = await expectRejection(() => fetchPage13(proxy.port, options));
    expect(proxy.seen().error, "the proxy itself worked").to.equal(undefined);
    expect(e.alertName, e.message).to.equal(alert);
    expect(isReceivedAlert(e), "our own check, not an alert from the server").to.equal(false);
    return e;
  };
  const rewrite = (type: number, change: (m: Uint8Array) => Uint8Array) => (messages: Uint8Array[]) => messages.map((m) => (m[0] === type ? change(m) : m));

  it("08.17 the server's flight decrypted and re-encrypted unchanged, one message per record and all in one record: the handshake completes", async () => {
    for (const cut of [(m: Uint8Array[]) => m, (m: Uint8Array[]) => [Uint8Array.from(m.flatMap((x) => [...x]))]]) {
      const proxy = await via(server, { serverFlight: cut });
      const { conn, response, keyLog } = await fetchPage13(proxy.port, { cipherSuites: [AES128] });
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => server.keyLog);
    }
  });

  for (const cert of [
    { name: "RSA-PSS", schemes: [SignatureScheme.rsa_pss_rsae_sha256] },
    { name: "ECDSA", schemes: [SignatureScheme.ecdsa_secp256r1_sha256] },
  ]) {
    it(`08.17 one byte of the ${cert.name} CertificateVerify signature changed, re-encrypted with the keys from Node's key log: decrypt_error, and Node hears it`, async () => {
      const e = await refused({ serverFlight: rewrite(HT.certificate_verify, (m) => flip(m, -1)) }, { cipherSuites: [AES128], signatureSchemes: cert.schemes }, "decrypt_error");
      expect(e.field).to.equal("signature");
      await waitFor(() => server.clientErrors.some((m) => /decrypt error|alert number 51/i.test(m)), () => server.clientErrors.join("; "));
    });
  }

  it("08.17 one byte of the server's Finished changed, re-encrypted: decrypt_error", async () => {
    const e = await refused({ serverFlight: rewrite(HT.finished, (m) => flip(m, 4, 0x80)) }, { cipherSuites: [AES128] }, "decrypt_error");
    expect(e.field).to.equal("verify_data");
  });

  it("08.17 one bit flipped in each protected record the server sends (its flight, its tickets, its answer, its close_notify): bad_record_mac every time", async () => {
    const clean = await via(server, {});
    await fetchPage13(clean.port, { cipherSuites: [AES128] });
    const count = clean.seen().serverRecords.filter((r) => r[0] === 23).length;
    expect(count, "protected records in a clean connection").to.be.at.least(6);
    for (let k = 0; k < count; k++) {
      for (const at of [-1, 5 + 1]) {
        await refused({ protectedRecord: (r, i) => (i === k ? flip(r, at) : r) }, { cipherSuites: [AES128] }, "bad_record_mac");
      }
    }
  });

  it("08.17 a ServerHello choosing a suite we never offered (TLS_CHACHA20_POLY1305_SHA256 when we offered only AES-128-GCM): illegal_parameter", async () => {
    const change = (m: Uint8Array) => {
      const out = m.slice();
      const at = 4 + 2 + 32 + 1 + m[38]!;
      out[at] = 0x13;
      out[at + 1] = 0x03;
      return [out];
    };
    const e = await refused({ serverHello: change }, { cipherSuites: [AES128] }, "illegal_parameter");
    expect(e.field).to.equal("cipher_suite");
  });

  it("08.17 a ServerHello whose key share is in a group we never offered (P-256 when we offered only X25519): illegal_parameter", async () => {
    const change = (m: Uint8Array) => {
      const out = m.slice();
      const at = keyShareGroupOffset(m);
      out[at] = 0;
      out[at + 1] = NamedGroup.secp256r1;
      return [out];
    };
    await refused({ serverHello: change }, { cipherSuites: [AES128], groups: [NamedGroup.x25519] }, "illegal_parameter");
  });

  it("08.17 a ServerHello whose key share is in a group we offered but sent no share for: illegal_parameter", async () => {
    const change = (m: Uint8Array) => {
      const out = m.slice();
      out[keyShareGroupOffset(m) + 1] = NamedGroup.secp256r1;
      return [out];
    };
    await refused({ serverHello: change }, { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }, "illegal_parameter");
  });

  it("08.17 a second HelloRetryRequest (the real ServerHello replaced by the first HelloRetryRequest again): unexpected_message", async () => {
    let first: Uint8Array | undefined;
    const again = (m: Uint8Array, index: number) => {
      if (index === 0) first = m;
      return [index === 0 ? m : first!];
    };
    const e = await refused({ serverHello: again }, { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }, "unexpected_message", retryServer);
    expect(e.message).to.match(/second HelloRetryRequest/);
  });

  it("08.17 a HelloRetryRequest asking for the group we already sent a share for (chapter 02's check): illegal_parameter", async () => {
    const change = (m: Uint8Array, index: number) => {
      if (index > 0) return [m];
      const out = m.slice();
      out[keyShareGroupOffset(m) + 1] = NamedGroup.x25519;
      return [out];
    };
    await refused({ serverHello: change }, { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }, "illegal_parameter", retryServer);
  });

  it("08.17 the ServerHello after a HelloRetryRequest with another suite than the HelloRetryRequest's: illegal_parameter", async () => {
    const change = (m: Uint8Array, index: number) => {
      if (index === 0) return [m];
      const out = m.slice();
      const at = 4 + 2 + 32 + 1 + m[38]!;
      out[at + 1] = out[at + 1] === 0x01 ? 0x02 : 0x01;
      return [out];
    };
    await refused(
      { serverHello: change },
      { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384], groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] },
      "illegal_parameter",
      retryServer,
    );
  });
});
