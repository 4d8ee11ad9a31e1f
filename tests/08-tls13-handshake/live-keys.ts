// Exercise 08.17 (the whole client) live on 127.0.0.1 with the keys a real server may insist on: an Ed25519 server
// certificate under an Ed25519 CA (CertificateVerify ed25519, RFC 8446 §4.2.3, RFC 8410) and an RSA key restricted to
// PSS under a CA restricted the same way (CertificateVerify rsa_pss_pss_sha256), with `openssl s_server -tls1_3` and
// Node's tls, each holding only that certificate. The outside references: the servers' key logs (equal to ours line
// for line) and their own account of what they signed with. Then a chain whose CA signs with Ed448: refused with
// unsupported_certificate, the algorithm named.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { SignatureScheme, describeCode } from "../../lib/constants.js";
import { isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { type Https13Responder, startHttps13Responder } from "../support/tls13-peers.js";
import { type KeyKind, type KeyedOpenSsl, expectEd448ChainRefused, keyedFiles, startKeyedOpenSsl } from "../support/key-peers.js";
import { parseKeyLog13 } from "../support/tls13-oracle.js";
import { expectRejection, expectSameKeyLog, fetchPage13 } from "./helpers.js";

const KINDS: { kind: KeyKind; scheme: number; key: string }[] = [
  { kind: "ed25519", scheme: SignatureScheme.ed25519, key: "ed25519" },
  { kind: "rsa-pss", scheme: SignatureScheme.rsa_pss_pss_sha256, key: "rsa" },
];

describe("08.17 live: Ed25519 and RSA-PSS certificates (TLS 1.3)", function () {
  const openssl = new Map<KeyKind, KeyedOpenSsl<Map<string, Map<string, string>>>>();
  const node = new Map<KeyKind, Https13Responder>();
  before(async () => {
    for (const { kind } of KINDS) {
      const files = keyedFiles(kind);
      openssl.set(kind, await startKeyedOpenSsl(files, "1.3", parseKeyLog13));
      node.set(kind, await startHttps13Responder({ key: readFileSync(files.key), cert: readFileSync(files.chain) }));
    }
  });
  after(async () => {
    await Promise.all([...openssl.values(), ...node.values()].map((s) => s.close()));
  });

  for (const { kind, scheme, key } of KINDS) {
    const name = describeCode(SignatureScheme, scheme);
    it(`08.17 OpenSSL with the ${kind} certificate: CertificateVerify ${name}, the chain through its ${kind} CA, the same key log`, async () => {
      const server = openssl.get(kind)!;
      const { conn, response, keyLog } = await fetchPage13(server.port);
      expect(response, "s_server's session page").to.include("Protocol  : TLSv1.3");
      expect(conn.certificateVerify.scheme, "the scheme the server signed with").to.equal(scheme);
      expect(conn.serverCertificates[0]!.publicKey.kind, "the server's key").to.equal(key);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => server.keyLog());
    });

    it(`08.17 Node with the ${kind} certificate: CertificateVerify ${name}, GET, the same key log`, async () => {
      const server = node.get(kind)!;
      const { conn, response, keyLog } = await fetchPage13(server.port);
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      expect(conn.certificateVerify.scheme, "the scheme the server signed with").to.equal(scheme);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => server.keyLog);
    });
  }

  it("08.17 OpenSSL: offering rsa_pss_pss_sha384 alone to the SHA-256-restricted key: the server cannot sign, handshake_failure by name", async () => {
    const e = await expectRejection(() => fetchPage13(openssl.get("rsa-pss")!.port, { signatureSchemes: [SignatureScheme.rsa_pss_pss_sha384] }));
    expect(e.alertName).to.equal("handshake_failure");
    expect(isReceivedAlert(e), `the server's alert, not a check of ours: ${e.message}`).to.equal(true);
  });

  it("08.17 OpenSSL: a chain whose CA signs with Ed448 is refused with unsupported_certificate, naming Ed448 (1.3.101.113); the server receives the alert", async () => {
    await expectEd448ChainRefused("1.3", parseKeyLog13, (port) => fetchPage13(port));
  });
});
