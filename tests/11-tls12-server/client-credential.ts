// Exercise 11.18: the learner's signing of chapters 10 and 11 as a client's signer (mutual TLS). The schemes each key
// can make (RFC 8446 §4.2.3), signatures judged by Node's crypto (PKCS #1 v1.5 byte for byte, RSA-PSS and ECDSA by
// crypto.verify), and the whole of it live: the learner's client of chapters 06 and 08 presents the fixture client
// certificates with this signer to `openssl s_server -Verify 1 -verify_return_error`, which must verify them and name
// their subject, in TLS 1.2 and 1.3.
import crypto from "node:crypto";
import { expect } from "chai";
import { p384 } from "@noble/curves/nist.js";
import { AlertDescription, SignatureScheme } from "../../lib/constants.js";
import { type ServerCredential, readServerCredential } from "../../chapters/10-tls13-server/index.js";
import { clientCredential } from "../../chapters/11-tls12-server/index.js";
import { type ClientKind, clientChain, nodeVerify } from "../support/client-credentials.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { expectTlsError } from "../support/properties.js";
import { startOpenSslResponder } from "../support/tls12-peers.js";
import { startOpenSsl13Responder } from "../support/tls13-peers.js";
import { fetchPage } from "../06-tls12-handshake/helpers.js";
import { fetchPage13 } from "../08-tls13-handshake/helpers.js";

const S = SignatureScheme;
const fixtureCredential = (kind: ClientKind): ServerCredential => readServerCredential(readFixture(`client-${kind}.crt`), readFixture(`client-${kind}.key`));
const content = new TextEncoder().encode("64 spaces, a context string, a zero byte and a transcript hash, or TLS 1.2's handshake messages");

describe("11.18 clientCredential: the learner's signing as a client's signer", function () {
  it("11.18 an RSA key: RSA-PSS first, then PKCS #1 v1.5, SHA-256 before SHA-384 before SHA-512; the chain handed on", () => {
    const credential = clientCredential(fixtureCredential("rsa"));
    expectSame(
      credential.schemes,
      [S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512, S.rsa_pkcs1_sha256, S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha512],
      "the schemes",
    );
    expectSame(credential.chain, clientChain("rsa"), "the chain");
  });

  it("11.18 an ECDSA P-256 key: ecdsa_secp256r1_sha256 only; a P-384 key: ecdsa_secp384r1_sha384 only (the scheme names the curve, RFC 8446 §4.2.3)", () => {
    expectSame(clientCredential(fixtureCredential("ecdsa")).schemes, [S.ecdsa_secp256r1_sha256], "P-256");
    const p256 = fixtureCredential("ecdsa");
    const p384Key: ServerCredential = { ...p256, privateKey: { kind: "ec", curve: "P-384", d: p384.utils.randomSecretKey() } };
    expectSame(clientCredential(p384Key).schemes, [S.ecdsa_secp384r1_sha384], "P-384");
  });

  for (const [scheme, hash] of [
    [S.rsa_pkcs1_sha256, "sha256"],
    [S.rsa_pkcs1_sha384, "sha384"],
  ] as [number, string][]) {
    it(`11.18 sign(0x${scheme.toString(16).padStart(4, "0")}, …) with the RSA key: PKCS #1 v1.5, the bytes Node's crypto.sign makes`, () => {
      const expected = new Uint8Array(crypto.sign(hash, content, readFixture("client-rsa.key")));
      expectBytes(clientCredential(fixtureCredential("rsa")).sign(scheme, content), expected, "the signature");
    });
  }

  for (const [kind, scheme] of [
    ["rsa", S.rsa_pss_rsae_sha256],
    ["rsa", S.rsa_pss_rsae_sha512],
    ["ecdsa", S.ecdsa_secp256r1_sha256],
  ] as [ClientKind, number][]) {
    it(`11.18 sign(0x${scheme.toString(16).padStart(4, "0")}, …) with the ${kind.toUpperCase()} key: Node's crypto.verify accepts it with the certificate's key`, () => {
      const signature = clientCredential(fixtureCredential(kind)).sign(scheme, content);
      expect(nodeVerify(clientChain(kind)[0]!, scheme, content, signature), "Node verifies the signature").to.equal(true);
    });
  }

  for (const [kind, scheme] of [
    ["rsa", S.ecdsa_secp256r1_sha256],
    ["ecdsa", S.rsa_pss_rsae_sha256],
    ["ecdsa", S.ecdsa_secp384r1_sha384],
    ["rsa", 0x0807],
  ] as [ClientKind, number][]) {
    it(`11.18 sign(0x${scheme.toString(16).padStart(4, "0")}, …) with the ${kind.toUpperCase()} key, a scheme it cannot make: internal_error, nothing signed`, () => {
      expectTlsError(() => clientCredential(fixtureCredential(kind)).sign(scheme, content), { alert: AlertDescription.internal_error, field: "signature algorithm" });
    });
  }
});

describe("11.18 live: the learner's client presents a client certificate signed by the learner's code", function () {
  this.timeout(20000);
  const subjectOf = (kind: ClientKind) => (kind === "rsa" ? "tls-by-hand test client \\(RSA\\)" : "tls-by-hand test client \\(ECDSA\\)");

  for (const [kind, version, extra] of [
    ["rsa", "1.3", []],
    ["ecdsa", "1.3", []],
    ["rsa", "1.2", []],
    ["rsa", "1.2", ["-client_sigalgs", "RSA+SHA256"]],
    ["ecdsa", "1.2", []],
  ] as [ClientKind, "1.2" | "1.3", string[]][]) {
    it(`11.18 TLS ${version}, ${kind.toUpperCase()}${extra.length > 0 ? ` (${extra.join(" ")}: PKCS #1 v1.5)` : ""}: openssl s_server -Verify 1 -verify_return_error verifies our certificate and names it`, async () => {
      const args = ["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt"), ...extra];
      const server = version === "1.3" ? await startOpenSsl13Responder("X25519:P-256", args) : await startOpenSslResponder(args);
      try {
        const options = { clientCredential: clientCredential(fixtureCredential(kind)) };
        const { response } = version === "1.3" ? await fetchPage13(server.port, options) : await fetchPage(server.port, options);
        expect(response, "s_server's page").to.match(/^HTTP\/1\.0 200 ok/);
        const output = await server.waitForOutput(new RegExp(`depth=0 O = tls-by-hand, CN = ${subjectOf(kind)}`));
        expect(output, "s_server verified it").to.match(/verify return:1/);
      } finally {
        await server.close();
      }
    });
  }
});
