// Exercise 11.6: the ServerKeyExchange's signature. PKCS #1 v1.5 is deterministic, so the recorded server's signature
// (its key, the recorded randoms and params) must come out byte for byte, and Node's crypto.sign must agree on any
// message; RSA-PSS and ECDSA are randomised, so Node's crypto.verify judges them. The fault check is chapter 10's.
import crypto from "node:crypto";
import { expect } from "chai";
import { AlertDescription, SignatureScheme } from "../../lib/constants.js";
import { readServerCredential } from "../../chapters/10-tls13-server/index.js";
import { signPkcs1v15, signWithScheme } from "../../chapters/11-tls12-server/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { readPkiText } from "../support/pki.js";
import { expectTlsError } from "../support/properties.js";
import { ecdsaCredential, illustratedCredential, rsaCredential } from "./helpers.js";
import { clientRandom, recordedMessage, serverRandom } from "./vectors.js";

const text = (s: string) => new TextEncoder().encode(s);

/** The recorded ServerKeyExchange: params (36 bytes for x25519), scheme (2), signature<2>. */
function recordedSignedParts() {
  const body = recordedMessage("serverkeyexchange").slice(4);
  const params = body.slice(0, 36);
  const signature = body.slice(36 + 4);
  return { signed: new Uint8Array([...clientRandom(), ...serverRandom(), ...params]), signature };
}

describe("11.6 signPkcs1v15 and signWithScheme: the server signs", () => {
  it("11.6 the recorded server's rsa_pkcs1_sha256 signature over client_random + server_random + params, byte for byte", () => {
    const { signed, signature } = recordedSignedParts();
    const key = illustratedCredential().privateKey;
    if (key.kind !== "rsa") throw new Error("the recorded key is RSA");
    expectBytes(signPkcs1v15(key.key, "SHA-256", signed), signature, "the signature");
  });

  for (const hash of ["SHA-256", "SHA-384", "SHA-512"] as const) {
    it(`11.6 PKCS #1 v1.5 with ${hash} and the fixture's RSA-2048 key: the bytes Node's crypto.sign makes`, () => {
      const key = rsaCredential().privateKey;
      if (key.kind !== "rsa") throw new Error("the fixture key is RSA");
      const message = text(`a ServerKeyExchange signed with ${hash}`);
      const expected = new Uint8Array(crypto.sign(hash.replace("-", "").toLowerCase(), message, readFixture("server-rsa.key")));
      expectBytes(signPkcs1v15(key.key, hash, message), expected, `the ${hash} signature`);
    });
  }

  it("11.6 a fault in the CRT (a wrong dp) is caught before the signature leaves: internal_error, no signature", () => {
    const key = illustratedCredential().privateKey;
    if (key.kind !== "rsa") throw new Error("the recorded key is RSA");
    expectTlsError(() => signPkcs1v15({ ...key.key, dp: key.key.dp ^ 1n }, "SHA-256", text("fault")), { alert: AlertDescription.internal_error, field: "signature" });
  });

  it("11.6 signWithScheme: rsa_pkcs1_sha384 is PKCS #1 v1.5 (the bytes Node makes), rsa_pss_rsae_sha256 verifies as PSS with a 32-byte salt", () => {
    const message = text("params");
    const pkcs1 = signWithScheme(rsaCredential(), SignatureScheme.rsa_pkcs1_sha384, message);
    expectBytes(pkcs1, new Uint8Array(crypto.sign("sha384", message, readFixture("server-rsa.key"))), "rsa_pkcs1_sha384");
    const pss = signWithScheme(rsaCredential(), SignatureScheme.rsa_pss_rsae_sha256, message);
    const ok = crypto.verify("sha256", message, { key: readFixture("server-rsa.crt"), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, pss);
    expect(ok, "Node verifies the PSS signature (salt 32)").to.equal(true);
  });

  it("11.6 signWithScheme: ECDSA with the P-256 fixture (0x0403) and with a P-384 key (0x0503), DER signatures Node verifies", () => {
    const message = text("ECDH params");
    const p256 = signWithScheme(ecdsaCredential(), SignatureScheme.ecdsa_secp256r1_sha256, message);
    expect(crypto.verify("sha256", message, { key: readFixture("server-ecdsa.crt"), dsaEncoding: "der" }, p256), "P-256, SHA-256").to.equal(true);
    const p384 = readServerCredential(readPkiText("leaf-p384.crt"), readPkiText("leaf-p384.key"), "leaf-p384.crt");
    const sig = signWithScheme(p384, SignatureScheme.ecdsa_secp384r1_sha384, message);
    expect(crypto.verify("sha384", message, { key: readPkiText("leaf-p384.crt"), dsaEncoding: "der" }, sig), "P-384, SHA-384").to.equal(true);
  });

  it("11.6 a scheme that does not fit the key is our own bug: internal_error, field signature algorithm", () => {
    expectTlsError(() => signWithScheme(rsaCredential(), SignatureScheme.ecdsa_secp256r1_sha256, text("x")), { alert: AlertDescription.internal_error, field: "signature algorithm" });
    expectTlsError(() => signWithScheme(ecdsaCredential(), SignatureScheme.rsa_pss_rsae_sha256, text("x")), { alert: AlertDescription.internal_error, field: "signature algorithm" });
    expectTlsError(() => signWithScheme(rsaCredential(), SignatureScheme.ed25519, text("x")), { alert: AlertDescription.internal_error, field: "signature algorithm" });
  });
});
