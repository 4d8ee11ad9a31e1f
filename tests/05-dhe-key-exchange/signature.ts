// Exercise 05.3, the server's signature over client_random + server_random + params, graded against outside
// references only: signatures made by Node's crypto (OpenSSL) with the fixture keys and fresh ones, in every scheme
// the chapter checks (RSA PKCS #1 v1.5, RSA-PSS with rsaEncryption keys and with PSS-only keys, ECDSA, Ed25519), the
// keys given as Node exports them (JWK) or as chapter 03 reads the fixture certificates, and the recorded
// ServerKeyExchange of tls12.xargs.org with its certificate. Live servers' signatures are checked in live.ts.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { readPemCertificates } from "../../lib/pem.js";
import { type PublicKey, parseCertificates } from "../../chapters/03-certificates/index.js";
import { type ServerKeyExchange, decodeServerKeyExchange, schemeInfo, verifyServerKeyExchange } from "../../chapters/05-dhe-key-exchange/index.js";
import { type FixtureName, readFixture } from "../support/fixtures.js";
import { unrestrictedTwin } from "../support/keys.js";
import { expectTlsError } from "../support/properties.js";
import { type PublicKeyLike, cat, illustrated, nodeGroup, publicKeyOf, refDhParams, refEcdhParams } from "./vectors.js";

const S = SignatureScheme;
const ALL_SCHEMES: number[] = [
  S.rsa_pkcs1_sha256,
  S.rsa_pkcs1_sha384,
  S.rsa_pkcs1_sha512,
  S.rsa_pss_rsae_sha256,
  S.rsa_pss_rsae_sha384,
  S.rsa_pss_rsae_sha512,
  S.ecdsa_secp256r1_sha256,
  S.ecdsa_secp384r1_sha384,
  S.ecdsa_secp521r1_sha512,
  S.ed25519,
  S.rsa_pss_pss_sha256,
  S.rsa_pss_pss_sha384,
  S.rsa_pss_pss_sha512,
];

const rsaKey = crypto.createPrivateKey(readFixture("server-rsa.key"));
const ecKey = crypto.createPrivateKey(readFixture("server-ecdsa.key"));
const rsa = publicKeyOf(crypto.createPublicKey(rsaKey));
const ec = publicKeyOf(crypto.createPublicKey(ecKey));
const p384 = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" });
/** The Ed25519 and RSA-PSS (SHA-256, MGF1-SHA-256, salt ≥ 32) server keys, as chapter 03 reads their certificates. */
const certKey = (name: FixtureName): PublicKey => parseCertificates(readPemCertificates(readFixture(name), name))[0]!.publicKey;
const edKey = crypto.createPrivateKey(readFixture("server-ed25519.key"));
const pssKey = crypto.createPrivateKey(readFixture("server-rsa-pss.key"));

/** How Node signs for each scheme (RFC 8446 §4.2.3): PSS with MGF1 of the same hash and a salt as long as the hash. */
const NODE_SIGNERS: Record<number, [string, "pkcs1" | "pss" | "ecdsa" | "ed25519"]> = {
  [S.rsa_pkcs1_sha256]: ["sha256", "pkcs1"],
  [S.rsa_pkcs1_sha384]: ["sha384", "pkcs1"],
  [S.rsa_pkcs1_sha512]: ["sha512", "pkcs1"],
  [S.rsa_pss_rsae_sha256]: ["sha256", "pss"],
  [S.rsa_pss_rsae_sha384]: ["sha384", "pss"],
  [S.rsa_pss_rsae_sha512]: ["sha512", "pss"],
  [S.ecdsa_secp256r1_sha256]: ["sha256", "ecdsa"],
  [S.ecdsa_secp384r1_sha384]: ["sha384", "ecdsa"],
  [S.ed25519]: ["", "ed25519"],
  [S.rsa_pss_pss_sha256]: ["sha256", "pss"],
  [S.rsa_pss_pss_sha384]: ["sha384", "pss"],
  [S.rsa_pss_pss_sha512]: ["sha512", "pss"],
};

function nodeSign(scheme: number, key: crypto.KeyObject, data: Uint8Array): Uint8Array {
  const signer = NODE_SIGNERS[scheme];
  if (signer === undefined) throw new Error(`no Node signer for scheme 0x${scheme.toString(16)}`);
  const [hash, kind] = signer;
  // PureEdDSA signs the message itself: no hash for Node to apply (RFC 8032 §5.1.6).
  if (kind === "ed25519") return new Uint8Array(crypto.sign(null, data, key));
  const { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = crypto.constants;
  const options =
    kind === "pkcs1"
      ? { key, padding: RSA_PKCS1_PADDING }
      : kind === "pss"
        ? { key, padding: RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALTLEN_DIGEST }
        : key; // ECDSA: Node's output is the DER Ecdsa-Sig-Value TLS carries
  return new Uint8Array(crypto.sign(hash, data, options));
}

interface Signed {
  ske: ServerKeyExchange;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
}

/** A ServerKeyExchange whose params Node signed, with fresh randoms. */
function signed(kind: "dhe" | "ecdhe", scheme: number, key: crypto.KeyObject): Signed {
  const clientRandom = new Uint8Array(crypto.randomBytes(32));
  const serverRandom = new Uint8Array(crypto.randomBytes(32));
  let ske: ServerKeyExchange;
  if (kind === "dhe") {
    const group = nodeGroup("modp14");
    const ys = new Uint8Array(crypto.randomBytes(256));
    const paramsBytes = refDhParams(group.pBytes, group.gBytes, ys);
    const signature = nodeSign(scheme, key, cat(clientRandom, serverRandom, paramsBytes));
    ske = { kind, params: { p: group.pBytes, g: group.gBytes, ys }, paramsBytes, scheme, signature };
  } else {
    const point = new Uint8Array(crypto.randomBytes(32));
    const paramsBytes = refEcdhParams(NamedGroup.x25519, point);
    const signature = nodeSign(scheme, key, cat(clientRandom, serverRandom, paramsBytes));
    ske = { kind, params: { curveType: 3, namedCurve: NamedGroup.x25519, point }, paramsBytes, scheme, signature };
  }
  return { ske, clientRandom, serverRandom };
}

const flip = (b: Uint8Array, at: number): Uint8Array => {
  const copy = b.slice();
  copy[at]! ^= 0x01;
  return copy;
};

const verify = (s: Signed, key: PublicKeyLike, offered = ALL_SCHEMES) => verifyServerKeyExchange(s.ske, s.clientRandom, s.serverRandom, key, offered);
const decryptError = { alert: AlertDescription.decrypt_error };
const illegal = { alert: AlertDescription.illegal_parameter, field: "signature algorithm" };

describe("05.3 the ServerKeyExchange signature", function () {
  const cases: [string, number, crypto.KeyObject, PublicKeyLike][] = [
    ["rsa_pkcs1_sha256", S.rsa_pkcs1_sha256, rsaKey, rsa],
    ["rsa_pkcs1_sha384", S.rsa_pkcs1_sha384, rsaKey, rsa],
    ["rsa_pkcs1_sha512", S.rsa_pkcs1_sha512, rsaKey, rsa],
    ["rsa_pss_rsae_sha256", S.rsa_pss_rsae_sha256, rsaKey, rsa],
    ["rsa_pss_rsae_sha384", S.rsa_pss_rsae_sha384, rsaKey, rsa],
    ["rsa_pss_rsae_sha512", S.rsa_pss_rsae_sha512, rsaKey, rsa],
    ["ecdsa_secp256r1_sha256", S.ecdsa_secp256r1_sha256, ecKey, ec],
    ["ecdsa_secp384r1_sha384 with a P-384 key", S.ecdsa_secp384r1_sha384, p384.privateKey, publicKeyOf(p384.publicKey)],
    ["ed25519 (server-ed25519.crt)", S.ed25519, edKey, certKey("server-ed25519.crt") as PublicKeyLike],
    ["rsa_pss_pss_sha256 with a PSS-only key (server-rsa-pss.crt)", S.rsa_pss_pss_sha256, pssKey, certKey("server-rsa-pss.crt") as PublicKeyLike],
  ];
  for (const [name, scheme, key, publicKey] of cases) {
    it(`05.3 ${name}: Node's signature over DHE and ECDHE params verifies; a flipped bit in the signature, the params or a random is decrypt_error`, function () {
      for (const kind of ["dhe", "ecdhe"] as const) {
        const s = signed(kind, scheme, key);
        verify(s, publicKey);
        const sig = s.ske.signature;
        for (const at of [0, sig.length >> 1, sig.length - 1]) {
          expectTlsError(() => verify({ ...s, ske: { ...s.ske, signature: flip(sig, at) } }, publicKey), decryptError);
        }
        const last = s.ske.paramsBytes.length - 1; // the last byte of Ys or of the point
        expectTlsError(() => verify({ ...s, ske: { ...s.ske, paramsBytes: flip(s.ske.paramsBytes, last) } } as Signed, publicKey), decryptError);
        expectTlsError(() => verify({ ...s, clientRandom: flip(s.clientRandom, 31) }, publicKey), decryptError);
        expectTlsError(() => verify({ ...s, serverRandom: flip(s.serverRandom, 0) }, publicKey), decryptError);
        // client_random comes first: the same bytes in the other order are a different message.
        expectTlsError(() => verify({ ...s, clientRandom: s.serverRandom, serverRandom: s.clientRandom }, publicKey), decryptError);
      }
    });
  }

  it("05.3 in TLS 1.2 an ECDSA scheme names the hash, not the curve: SHA-256 signatures with a P-384 key verify (RFC 8446 §4.2.3)", function () {
    const s = signed("ecdhe", S.ecdsa_secp256r1_sha256, p384.privateKey);
    verify(s, publicKeyOf(p384.publicKey));
    const t = signed("dhe", S.ecdsa_secp384r1_sha384, ecKey);
    verify(t, ec);
  });

  it("05.3 the signed bytes are the params exactly as sent (paramsBytes), not a re-encoding", function () {
    // A DH p with a leading zero byte: the same number, different bytes. The server signed the bytes it sent.
    const clientRandom = new Uint8Array(crypto.randomBytes(32));
    const serverRandom = new Uint8Array(crypto.randomBytes(32));
    const group = nodeGroup("modp14");
    const p = cat([0], group.pBytes);
    const ys = new Uint8Array(crypto.randomBytes(256));
    const paramsBytes = refDhParams(p, group.gBytes, ys);
    const signature = nodeSign(S.rsa_pss_rsae_sha256, rsaKey, cat(clientRandom, serverRandom, paramsBytes));
    const ske: ServerKeyExchange = { kind: "dhe", params: { p, g: group.gBytes, ys }, paramsBytes, scheme: S.rsa_pss_rsae_sha256, signature };
    verifyServerKeyExchange(ske, clientRandom, serverRandom, rsa, ALL_SCHEMES);
  });

  it("05.3 a scheme we did not offer is illegal_parameter, even with a good signature", function () {
    const s = signed("ecdhe", S.rsa_pss_rsae_sha256, rsaKey);
    expectTlsError(() => verify(s, rsa, [S.rsa_pkcs1_sha256, S.ecdsa_secp256r1_sha256]), illegal);
    expectTlsError(() => verify(s, rsa, []), illegal);
    const t = signed("dhe", S.rsa_pkcs1_sha256, rsaKey);
    expectTlsError(() => verify(t, rsa, [S.rsa_pss_rsae_sha256]), illegal);
  });

  it("05.3 a scheme that does not fit the certificate's key is illegal_parameter", function () {
    // Good signatures, but the scheme names the wrong kind of key.
    const r = signed("ecdhe", S.rsa_pkcs1_sha256, rsaKey);
    expectTlsError(() => verify({ ...r, ske: { ...r.ske, scheme: S.ecdsa_secp256r1_sha256 } }, rsa), illegal);
    const e = signed("ecdhe", S.ecdsa_secp256r1_sha256, ecKey);
    expectTlsError(() => verify({ ...e, ske: { ...e.ske, scheme: S.rsa_pkcs1_sha256 } }, ec), illegal);
    expectTlsError(() => verify({ ...e, ske: { ...e.ske, scheme: S.rsa_pss_rsae_sha256 } }, ec), illegal);
    // An RSA key restricted to PSS (id-RSASSA-PSS, RFC 4055) cannot sign rsa_pss_rsae_* or rsa_pkcs1_*.
    const p = signed("dhe", S.rsa_pss_rsae_sha256, rsaKey);
    if (rsa.kind !== "rsa") throw new Error("the RSA fixture is not RSA");
    expectTlsError(() => verify(p, { ...rsa, pss: true }), illegal);
  });

  it("05.3 schemes that fit no key of ours: rsa_pss_pss_* need a PSS-only key, ed25519 an Ed25519 key, and the other way round (illegal_parameter)", function () {
    const pss = certKey("server-rsa-pss.crt") as PublicKeyLike;
    const ed = certKey("server-ed25519.crt") as PublicKeyLike;
    // Good signatures, each under a scheme that names another kind of key.
    const byRsa = signed("ecdhe", S.rsa_pss_rsae_sha256, rsaKey);
    expectTlsError(() => verify({ ...byRsa, ske: { ...byRsa.ske, scheme: S.rsa_pss_pss_sha256 } }, rsa), illegal);
    const byPss = signed("ecdhe", S.rsa_pss_pss_sha256, pssKey);
    expectTlsError(() => verify({ ...byPss, ske: { ...byPss.ske, scheme: S.rsa_pss_rsae_sha256 } }, pss), illegal);
    expectTlsError(() => verify({ ...byPss, ske: { ...byPss.ske, scheme: S.rsa_pkcs1_sha256 } }, pss), illegal);
    const byEd = signed("dhe", S.ed25519, edKey);
    expectTlsError(() => verify({ ...byEd, ske: { ...byEd.ske, scheme: S.ecdsa_secp256r1_sha256 } }, ed), illegal);
    expectTlsError(() => verify(byEd, ec), illegal);
    expectTlsError(() => verify(byEd, rsa), illegal);
  });

  it("05.3 rsa_pss_pss_sha384 with a key restricted to SHA-256: illegal_parameter naming the restriction (RFC 4055 §3.1), though the numbers are right", function () {
    // The key's unrestricted twin (same n, e, d) signs what the key itself may not: PSS with SHA-384.
    const twin = unrestrictedTwin(pssKey);
    const s = signed("ecdhe", S.rsa_pss_pss_sha384, twin);
    const e = expectTlsError(() => verify(s, certKey("server-rsa-pss.crt") as PublicKeyLike), illegal);
    expect(e.message, "the message names what the key allows").to.include("SHA-256");
    // OpenSSL agrees: the restricted key will not make that signature at all.
    expect(() => crypto.sign("sha384", new Uint8Array(8), { key: pssKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }), "OpenSSL signing SHA-384 with the restricted key").to.throw();
  });

  it("05.3 schemes we cannot check (Ed448, SHA-1) are illegal_parameter even when offered", function () {
    for (const scheme of [S.ed448, S.rsa_pkcs1_sha1, S.ecdsa_sha1]) {
      const s = signed("ecdhe", S.rsa_pkcs1_sha256, rsaKey);
      expectTlsError(() => verify({ ...s, ske: { ...s.ske, scheme } }, rsa, [...ALL_SCHEMES, scheme]), illegal);
      expect(schemeInfo(scheme), `schemeInfo(0x${scheme.toString(16)})`).to.equal(undefined);
    }
  });

  it("05.3 a PKCS #1 v1.5 signature does not pass as PSS, nor PSS as PKCS #1 v1.5 (decrypt_error)", function () {
    const a = signed("dhe", S.rsa_pkcs1_sha256, rsaKey);
    expectTlsError(() => verify({ ...a, ske: { ...a.ske, scheme: S.rsa_pss_rsae_sha256 } }, rsa), decryptError);
    const b = signed("dhe", S.rsa_pss_rsae_sha256, rsaKey);
    expectTlsError(() => verify({ ...b, ske: { ...b.ske, scheme: S.rsa_pkcs1_sha256 } }, rsa), decryptError);
    const c = signed("dhe", S.rsa_pkcs1_sha384, rsaKey);
    expectTlsError(() => verify({ ...c, ske: { ...c.ske, scheme: S.rsa_pkcs1_sha256 } }, rsa), decryptError);
  });

  it("05.3 randoms that are not 32 bytes are our own bug: internal_error", function () {
    const s = signed("ecdhe", S.rsa_pkcs1_sha256, rsaKey);
    expectTlsError(() => verify({ ...s, clientRandom: s.clientRandom.subarray(1) }, rsa), { alert: AlertDescription.internal_error });
    expectTlsError(() => verify({ ...s, serverRandom: cat(s.serverRandom, [0]) }, rsa), { alert: AlertDescription.internal_error });
  });

  it("05.3 the illustrated TLS 1.2 ServerKeyExchange verifies with its certificate's key (rsa_pkcs1_sha256); with a flipped bit it does not", function () {
    const il = illustrated();
    const ske = decodeServerKeyExchange(il.serverKeyExchange, "ecdhe");
    const key = publicKeyOf(il.leaf.publicKey);
    verifyServerKeyExchange(ske, il.clientRandom, il.serverRandom, key, [S.rsa_pkcs1_sha256]);
    expectTlsError(() => verifyServerKeyExchange({ ...ske, signature: flip(ske.signature, 9) }, il.clientRandom, il.serverRandom, key, [S.rsa_pkcs1_sha256]), decryptError);
    // The fixture key is not the illustrated server's key.
    expectTlsError(() => verifyServerKeyExchange(ske, il.clientRandom, il.serverRandom, rsa, [S.rsa_pkcs1_sha256]), decryptError);
  });
});
