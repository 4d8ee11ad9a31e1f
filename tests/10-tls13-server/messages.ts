// Exercises 10.5, 10.6, 10.10 and 10.11: the messages of the server's flight, each made alone from RFC 8448's inputs
// and compared with the trace's message byte for byte (§3 a full handshake, §4 a resumed one with early data, §5
// after a HelloRetryRequest), plus the certificate choice with the fixture's ECDSA and RSA certificates, whose
// signatures Node's crypto checks.
import crypto from "node:crypto";
import { expect } from "chai";
import { AlertDescription, CipherSuite, ExtensionType, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import { type ClientExtension, type ClientHello, type KeyPair, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { encodeServerHello } from "../../chapters/02-server-hello/index.js";
import { decodeEncryptedExtensions, encodeCertificateVerify, encodeEncryptedExtensions } from "../../chapters/08-tls13-handshake/index.js";
import {
  checkClientFinished,
  chooseAlpn,
  encryptedExtensions,
  pickCertificate,
  processClientHello,
  serverFinished,
  serverHello,
  serverKeyShare,
  signCertificateVerify,
} from "../../chapters/10-tls13-server/index.js";
import { findValue } from "../support/rfc8448.js";
import { expectTlsError } from "../support/properties.js";
import { fixtureCredentials, rfcCredential } from "./helpers.js";
import { expectSameBytes, payload, pssSaltOf, rfcAdvertisedGroups, rfcCertificateVerifySignature, rfcMessage, secret, serverP256_5, serverRandomOf, serverX25519 } from "./vectors.js";

const PREFS = { versions: [0x0304], cipherSuites: [0x1301, 0x1302, 0x1303], groups: [NamedGroup.x25519, NamedGroup.secp256r1] };
const sha256 = (...m: Uint8Array[]) => new Uint8Array(crypto.createHash("sha256").update(Buffer.concat(m)).digest());
const ch3 = () => decodeClientHello(rfcMessage(3, "ClientHello"));
const ch4 = () => decodeClientHello(payload(4, "send handshake record", 0));
const ch5b = () => decodeClientHello(rfcMessage(5, "ClientHello", 1));

/** The printed handshake secrets of a section, as chapter 07's HandshakeSecrets. */
function rfcHandshakeSecrets(s: 3 | 4 | 5) {
  return {
    hash: "SHA-256" as const,
    handshakeSecret: findValue(s, 'extract secret "handshake"', "secret"),
    clientHandshakeTrafficSecret: secret(s, "c hs traffic"),
    serverHandshakeTrafficSecret: secret(s, "s hs traffic"),
  };
}

describe("10.5 serverKeyShare and serverHello", () => {
  it("10.5 §3: with the trace's server key, the shared secret is the trace's (the IKM of its handshake secret)", () => {
    const { sharedSecret, keyPair } = serverKeyShare(processClientHello(ch3(), PREFS), () => serverX25519(3));
    expectSameBytes(sharedSecret, findValue(3, 'extract secret "handshake"', "IKM"), "the (EC)DHE shared secret of §3");
    expect(keyPair.group).to.equal(NamedGroup.x25519);
  });

  it("10.5 §5: a P-256 share (after the HelloRetryRequest) and the trace's P-256 key give §5's shared secret", () => {
    const choice = processClientHello(ch5b(), { ...PREFS, groups: [NamedGroup.secp256r1] });
    const { sharedSecret } = serverKeyShare(choice, () => serverP256_5());
    expectSameBytes(sharedSecret, findValue(5, 'extract secret "handshake"', "IKM"), "the (EC)DHE shared secret of §5");
  });

  it("10.5 a fresh key pair: Node's X25519, with the client's private key of §3 and our public key, agrees on the secret", () => {
    const { sharedSecret, keyPair } = serverKeyShare(processClientHello(ch3(), PREFS));
    const clientPrivate = findValue(3, "create an ephemeral x25519 key pair", "private key", 0);
    const pkcs8 = (k: Uint8Array) => crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), k]), format: "der", type: "pkcs8" });
    const spki = (k: Uint8Array) => crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), k]), format: "der", type: "spki" });
    const nodeShared = crypto.diffieHellman({ privateKey: pkcs8(clientPrivate), publicKey: spki(keyPair.publicKey) });
    expectSameBytes(sharedSecret, new Uint8Array(nodeShared), "our shared secret against Node's");
  });

  it("10.5 no client share in the chosen group is our bug (internal_error); a share that is no point is the client's (illegal_parameter)", () => {
    const retry = processClientHello(ch3(), { ...PREFS, groups: [NamedGroup.secp256r1] });
    expectTlsError(() => serverKeyShare(retry), { alert: AlertDescription.internal_error, field: "key_share" });
    const choice = processClientHello(ch3(), PREFS);
    expectTlsError(() => serverKeyShare({ ...choice, keyShare: { group: NamedGroup.x25519, keyExchange: new Uint8Array(31) } }), { alert: AlertDescription.illegal_parameter });
  });

  const cases: [string, () => { ch: ClientHello; pair: KeyPair; sh: Uint8Array; psk?: number }][] = [
    ["§3 (key_share, supported_versions)", () => ({ ch: ch3(), pair: serverX25519(3), sh: rfcMessage(3, "ServerHello") })],
    ["§4 (pre_shared_key first, selected_identity 0)", () => ({ ch: ch4(), pair: serverX25519(4), sh: rfcMessage(4, "ServerHello"), psk: 0 })],
    ["§5 (the ServerHello after the HelloRetryRequest, P-256)", () => ({ ch: ch5b(), pair: serverP256_5(), sh: rfcMessage(5, "ServerHello", 1) })],
  ];
  for (const [what, make] of cases) {
    it(`10.5 serverHello of RFC 8448 ${what}, byte for byte`, () => {
      const { ch, pair, sh, psk } = make();
      const ours = encodeServerHello(serverHello(ch, CipherSuite.TLS_AES_128_GCM_SHA256, pair, serverRandomOf(sh), psk));
      expectSameBytes(ours, sh, `our ServerHello against RFC 8448 ${what}`);
    });
  }
});

describe("10.6 encryptedExtensions", () => {
  for (const [s, accepted, ch] of [
    [3, false, ch3],
    [4, true, ch4],
    [5, false, ch5b],
  ] as const) {
    it(`10.6 RFC 8448 §${s}: supported_groups, record_size_limit, server_name${accepted ? ", early_data" : ""}, byte for byte`, () => {
      const ours = encodeEncryptedExtensions(encryptedExtensions(ch(), rfcAdvertisedGroups(s), undefined, accepted));
      expectSameBytes(ours, findValue(s, "construct an EncryptedExtensions", "EncryptedExtensions"), `our EncryptedExtensions against §${s}'s`);
    });
  }

  it("10.6 only answers: a ClientHello with no server_name, no record_size_limit, no supported_groups gets none of them back", () => {
    const ch = ch3();
    const bare: ClientHello = {
      ...ch,
      extensions: ch.extensions.filter((e) => !["server_name", "supported_groups"].includes(e.kind) && !(e.kind === "raw" && e.type === ExtensionType.record_size_limit)),
    };
    expect(encryptedExtensions(bare, [NamedGroup.x25519], undefined, false).extensions).to.deep.equal([]);
  });

  it("10.6 ALPN: a client offering h2 and http/1.1 to an http/1.1 server gets http/1.1 in EncryptedExtensions; offering only h2, no_application_protocol", () => {
    const alpn = (names: string[]): ClientExtension => {
      const list = concat(...names.map((n) => concat(Uint8Array.of(n.length), new TextEncoder().encode(n))));
      return { kind: "raw", type: ExtensionType.application_layer_protocol_negotiation, data: concat(Uint8Array.of(list.length >> 8, list.length & 0xff), list) };
    };
    const ch = { ...ch3(), extensions: [...ch3().extensions, alpn(["h2", "http/1.1"])] };
    const protocol = chooseAlpn(ch, ["http/1.1"]);
    const ee = decodeEncryptedExtensions(encodeEncryptedExtensions(encryptedExtensions(ch, [NamedGroup.x25519], protocol, false)));
    expect(ee.extensions.find((e) => e.kind === "application_layer_protocol_negotiation")).to.deep.equal({ kind: "application_layer_protocol_negotiation", protocol: "http/1.1" });
    const h2only = { ...ch3(), extensions: [...ch3().extensions, alpn(["h2"])] };
    expectTlsError(() => encryptedExtensions(h2only, [NamedGroup.x25519], chooseAlpn(h2only, ["http/1.1"]), false), { alert: AlertDescription.no_application_protocol });
  });
});

const withSchemes = (schemes: number[]): ClientHello => ({
  ...ch3(),
  extensions: ch3().extensions.map((e): ClientExtension => (e.kind === "signature_algorithms" ? { kind: "signature_algorithms", schemes } : e)),
});

describe("10.10 pickCertificate and signCertificateVerify", () => {
  it("10.10 RFC 8448 §3: the RFC's RSA certificate, rsa_pss_rsae_sha256, and with the trace's salt §3's CertificateVerify byte for byte", () => {
    const choice = pickCertificate(ch3(), [rfcCredential()]);
    expect(choice.scheme).to.equal(SignatureScheme.rsa_pss_rsae_sha256);
    const transcript = sha256(...["ClientHello", "ServerHello", "EncryptedExtensions", "Certificate"].map((m) => rfcMessage(3, m)));
    const cv = signCertificateVerify(choice, transcript, pssSaltOf(rfcCertificateVerifySignature()));
    expectSameBytes(encodeCertificateVerify(cv), rfcMessage(3, "CertificateVerify"), "our CertificateVerify against §3's");
  });

  const choices: [string, number[], string, number][] = [
    ["both kinds offered: the server's first credential (ECDSA)", [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ecdsa_secp256r1_sha256], "ec", SignatureScheme.ecdsa_secp256r1_sha256],
    ["only RSA-PSS with SHA-384", [SignatureScheme.rsa_pss_rsae_sha384], "rsa", SignatureScheme.rsa_pss_rsae_sha384],
    ["only RSA-PSS with SHA-512, and PKCS #1", [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pss_rsae_sha512], "rsa", SignatureScheme.rsa_pss_rsae_sha512],
  ];
  for (const [what, schemes, kind, scheme] of choices) {
    it(`10.10 the fixture's ECDSA and RSA credentials, ${what}: ${kind === "ec" ? "ECDSA" : "RSA"}; Node verifies the signature`, () => {
      const choice = pickCertificate(withSchemes(schemes), fixtureCredentials());
      expect([choice.credential.privateKey.kind, choice.scheme]).to.deep.equal([kind, scheme]);
      const transcript = crypto.randomBytes(32);
      const cv = signCertificateVerify(choice, transcript);
      const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from("TLS 1.3, server CertificateVerify\0", "latin1"), transcript]);
      const cert = new crypto.X509Certificate(Buffer.from(choice.credential.chain[0]!));
      const hash = { [SignatureScheme.ecdsa_secp256r1_sha256]: "sha256", [SignatureScheme.rsa_pss_rsae_sha384]: "sha384", [SignatureScheme.rsa_pss_rsae_sha512]: "sha512" }[scheme]!;
      const options = kind === "rsa" ? { key: cert.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: hash === "sha384" ? 48 : 64 } : cert.publicKey;
      expect(crypto.verify(hash, content, options, cv.signature), "Node verifies the CertificateVerify").to.equal(true);
    });
  }

  for (const [what, schemes] of [
    ["RSA PKCS #1 v1.5 only (never in a TLS 1.3 CertificateVerify)", [SignatureScheme.rsa_pkcs1_sha256]],
    ["ECDSA on P-384 only (our EC key is P-256)", [SignatureScheme.ecdsa_secp384r1_sha384]],
    ["ed25519 only", [SignatureScheme.ed25519]],
  ] as const) {
    it(`10.10 a client accepting ${what}: handshake_failure`, () => {
      expectTlsError(() => pickCertificate(withSchemes([...schemes]), fixtureCredentials()), { alert: AlertDescription.handshake_failure, field: "signature_algorithms" });
    });
  }

  it("10.10 a client with no signature_algorithms: missing_extension", () => {
    const ch = { ...ch3(), extensions: ch3().extensions.filter((e) => e.kind !== "signature_algorithms") };
    expectTlsError(() => pickCertificate(ch, fixtureCredentials()), { alert: AlertDescription.missing_extension, field: "signature_algorithms" });
  });
});

describe("10.11 serverFinished and checkClientFinished", () => {
  const upTo = (names: string[]) => sha256(...names.map((n) => (n === "Finished" ? rfcMessage(3, "Finished", 0) : rfcMessage(3, n))));
  const serverTranscript = () => upTo(["ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify"]);
  const clientTranscript = () => upTo(["ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"]);

  it("10.11 §3: the server's Finished over ClientHello … CertificateVerify, byte for byte", () => {
    expectSameBytes(serverFinished(rfcHandshakeSecrets(3), serverTranscript()), rfcMessage(3, "Finished", 0), "our Finished against §3's");
  });

  it("10.11 §3: the client's Finished checks out over ClientHello … the server's Finished", () => {
    checkClientFinished(rfcHandshakeSecrets(3), clientTranscript(), rfcMessage(3, "Finished", 1));
  });

  it("10.11 a client Finished one bit off: decrypt_error; checked against the server's transcript instead: decrypt_error", () => {
    const bad = rfcMessage(3, "Finished", 1);
    bad[bad.length - 1]! ^= 0x01;
    expectTlsError(() => checkClientFinished(rfcHandshakeSecrets(3), clientTranscript(), bad), { alert: AlertDescription.decrypt_error, field: "verify_data" });
    expectTlsError(() => checkClientFinished(rfcHandshakeSecrets(3), serverTranscript(), rfcMessage(3, "Finished", 1)), { alert: AlertDescription.decrypt_error });
  });

  it("10.11 a client Finished of 31 bytes: decode_error", () => {
    const short = Uint8Array.from([20, 0, 0, 31, ...rfcMessage(3, "Finished", 1).slice(4, 35)]);
    expectTlsError(() => checkClientFinished(rfcHandshakeSecrets(3), clientTranscript(), short), { alert: AlertDescription.decode_error });
  });
});
