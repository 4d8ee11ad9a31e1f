// Exercise 06.13 (the whole TLS 1.2 client) live on 127.0.0.1 with the keys a real server may insist on: an Ed25519
// server certificate under an Ed25519 CA (ECDHE_ECDSA suites carry EdDSA too, RFC 8422 §2; ServerKeyExchange signed
// with ed25519) and an RSA key restricted to PSS under a CA restricted the same way (ECDHE_RSA, ServerKeyExchange
// signed with rsa_pss_pss_sha256), with `openssl s_server -tls1_2` and Node's tls, each holding only that certificate.
// The outside references: the servers' key logs (the master secret our client derived) and s_server's session page.
// Then a chain whose CA signs with Ed448: refused with unsupported_certificate, the algorithm named.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { CipherSuite, SignatureScheme, describeCode } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { type KeyKind, type KeyedOpenSsl, expectEd448ChainRefused, keyedFiles, startKeyedOpenSsl } from "../support/key-peers.js";
import { type HttpsResponder, parseKeyLog, startHttpsResponder } from "../support/tls12-peers.js";
import { expectRejection, fetchPage, waitFor } from "./helpers.js";

const KINDS: { kind: KeyKind; scheme: number; suite: number }[] = [
  { kind: "ed25519", scheme: SignatureScheme.ed25519, suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 },
  { kind: "rsa-pss", scheme: SignatureScheme.rsa_pss_pss_sha256, suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 },
];

/** Our one key log line names the master secret the server logged for our client random. */
function expectSameMaster(keyLog: string[], server: Map<string, string>): void {
  expect(keyLog, "one key log line").to.have.length(1);
  const [, random, master] = keyLog[0]!.split(" ");
  expect(server.get(random!), "the server's master secret for our client random").to.equal(master);
}

describe("06.13 live: Ed25519 and RSA-PSS certificates (TLS 1.2)", function () {
  const openssl = new Map<KeyKind, KeyedOpenSsl<Map<string, string>>>();
  const node = new Map<KeyKind, HttpsResponder>();
  before(async () => {
    for (const { kind } of KINDS) {
      const files = keyedFiles(kind);
      openssl.set(kind, await startKeyedOpenSsl(files, "1.2", parseKeyLog));
      node.set(kind, await startHttpsResponder({ key: readFileSync(files.key), cert: readFileSync(files.chain) }));
    }
  });
  after(async () => {
    await Promise.all([...openssl.values(), ...node.values()].map((s) => s.close()));
  });

  for (const { kind, scheme, suite } of KINDS) {
    const name = describeCode(SignatureScheme, scheme);
    it(`06.13 OpenSSL with the ${kind} certificate: ${describeCode(CipherSuite, suite)}, ServerKeyExchange signed ${name}, the server's master secret`, async () => {
      const server = openssl.get(kind)!;
      const { conn, response, keyLog } = await fetchPage(server.port);
      expect(response, "s_server's session page").to.include("Protocol  : TLSv1.2");
      expect(conn.cipherSuite, "the suite").to.equal(suite);
      expect(conn.serverKeyExchange?.scheme, "the scheme of the ServerKeyExchange signature").to.equal(scheme);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      await waitFor(() => server.keyLog().size > 0, () => "s_server logged no key");
      expectSameMaster(keyLog, server.keyLog());
    });

    it(`06.13 Node with the ${kind} certificate: ServerKeyExchange signed ${name}, GET, the server's master secret`, async () => {
      const server = node.get(kind)!;
      const { conn, response, keyLog } = await fetchPage(server.port);
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      expect(conn.serverKeyExchange?.scheme, "the scheme of the ServerKeyExchange signature").to.equal(scheme);
      expectSameMaster(keyLog, server.keyLog);
    });
  }

  it("06.13 the PSS-only key cannot do RSA key exchange (it may only sign, RFC 4055 §1.2): a suite that needs it finds no certificate on the server", async () => {
    const e = await expectRejection(() => fetchPage(openssl.get("rsa-pss")!.port, { cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] }));
    expect(e.alertName).to.equal("handshake_failure");
    expect(isReceivedAlert(e), `the server's alert, not a check of ours: ${e.message}`).to.equal(true);
  });

  it("06.13 OpenSSL: a chain whose CA signs with Ed448 is refused with unsupported_certificate, naming Ed448 (1.3.101.113); the server receives the alert", async () => {
    await expectEd448ChainRefused("1.2", parseKeyLog, (port) => fetchPage(port));
  });
});
