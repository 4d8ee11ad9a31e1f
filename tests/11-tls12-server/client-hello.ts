// Exercises 11.1–11.4: the server reads a ClientHello and chooses. Against ClientHellos real clients sent (the recorded
// one of tls12.xargs.org; Node's and openssl s_client's, captured on 127.0.0.1) and the recorded server's own choices
// (its ServerKeyExchange names rsa_pkcs1_sha256), then each rule of RFC 5246, 7507, 7919, 5746 and 7627 broken once.
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, ExtensionType, NamedGroup, OtherCipherSuite, ProtocolVersion, SignatureScheme } from "../../lib/constants.js";
import { isNotImplemented, isTlsError } from "../../lib/errors.js";
import { type ClientExtension, type ClientHello, decodeClientHello, extensionType } from "../../chapters/01-client-hello/index.js";
import {
  chooseSuite12,
  chooseVersion,
  pickFfdheGroup,
  pickSignatureScheme12,
  processClientHello12,
} from "../../chapters/11-tls12-server/index.js";
import { expectCode, expectSame } from "../support/expect-bytes.js";
import { captureClientHello, clientHelloMessage, connectNode, connectOpenSsl } from "../support/peers.js";
import { assertProperty, expectTlsError, mutationsOf } from "../support/properties.js";
import { ecdsaCredential, fixtureCredentials, illustratedCredential, rsaCredential, testConfig12 } from "./helpers.js";
import { recordedMessage } from "./vectors.js";

const recorded = (): ClientHello => decodeClientHello(recordedMessage("clienthello"));
const without = (ch: ClientHello, type: number): ClientHello => ({ ...ch, extensions: ch.extensions.filter((e) => extensionType(e) !== type) });
const withExtension = (ch: ClientHello, ext: ClientExtension): ClientHello => ({ ...without(ch, extensionType(ext)), extensions: [...without(ch, extensionType(ext)).extensions, ext] });
const alpn = (...names: string[]): ClientExtension => {
  const list = names.flatMap((n) => [n.length, ...Buffer.from(n, "latin1")]);
  return { kind: "raw", type: ExtensionType.application_layer_protocol_negotiation, data: Uint8Array.from([list.length >> 8, list.length & 0xff, ...list]) };
};
const V12 = ProtocolVersion.TLS1_2;
const V13 = ProtocolVersion.TLS1_3;
const BOTH = [V13, V12];

describe("11.1 chooseVersion: one server, two versions (RFC 8446 §4.2.1, RFC 7507)", () => {
  let node13: ClientHello;
  let node12: ClientHello;
  let fallback: ClientHello;
  before(async function () {
    this.timeout(15000);
    node13 = decodeClientHello(clientHelloMessage(await captureClientHello(connectNode())));
    node12 = decodeClientHello(clientHelloMessage(await captureClientHello(connectNode({ maxVersion: "TLSv1.2" }))));
    fallback = decodeClientHello(clientHelloMessage(await captureClientHello(connectOpenSsl(["-tls1_2", "-fallback_scsv"]))));
  });

  it("11.1 Node's ClientHello (it offers TLS 1.3 and 1.2) gets 1.3 from a server that has both, 1.2 from a server limited to 1.2", () => {
    expectCode(chooseVersion(node13, BOTH), V13, ProtocolVersion, "version for a 1.3 + 1.2 server");
    expectCode(chooseVersion(node13, [V12]), V12, ProtocolVersion, "version for a 1.2-only server");
  });

  it("11.1 Node's ClientHello with maxVersion TLSv1.2, and the recorded one of tls12.xargs.org (no supported_versions): TLS 1.2 from either server", () => {
    expectCode(chooseVersion(node12, BOTH), V12, ProtocolVersion, "Node limited to 1.2");
    expectCode(chooseVersion(recorded(), BOTH), V12, ProtocolVersion, "the recorded client (legacy_version 0x0303, no supported_versions)");
  });

  it("11.1 without supported_versions, legacy_version 0x0304 still means TLS 1.2: 1.3 is only ever offered through the extension", () => {
    expectCode(chooseVersion({ ...recorded(), legacyVersion: V13 }, BOTH), V12, ProtocolVersion, "version");
  });

  it("11.1 supported_versions decides, not legacy_version, and GREASE in it changes nothing (RFC 8701)", () => {
    const ch = withExtension({ ...recorded(), legacyVersion: V12 }, { kind: "supported_versions", versions: [0x7a7a, V13] });
    expectCode(chooseVersion(ch, BOTH), V13, ProtocolVersion, "[GREASE, 1.3] to a 1.3 + 1.2 server");
    expectTlsError(() => chooseVersion(ch, [V12]), { alert: AlertDescription.protocol_version, field: "supported_versions" });
  });

  it("11.1 a TLS 1.1 client (legacy_version 0x0302, no extension) gets protocol_version from a server that starts at 1.2", () => {
    expectTlsError(() => chooseVersion({ ...recorded(), legacyVersion: ProtocolVersion.TLS1_1 }, BOTH), { alert: AlertDescription.protocol_version, field: "supported_versions" });
  });

  it("11.1 openssl s_client -tls1_2 -fallback_scsv: inappropriate_fallback from a server that speaks 1.3 (someone broke the first try), TLS 1.2 from a 1.2-only server", () => {
    expect(fallback.cipherSuites, "s_client sent TLS_FALLBACK_SCSV").to.include(OtherCipherSuite.TLS_FALLBACK_SCSV);
    expectTlsError(() => chooseVersion(fallback, BOTH), { alert: AlertDescription.inappropriate_fallback, field: "cipher_suites" });
    expectCode(chooseVersion(fallback, [V12]), V12, ProtocolVersion, "version for a 1.2-only server");
  });
});

describe("11.2 pickSignatureScheme12 and pickFfdheGroup: what the server signs with, which group it uses", () => {
  const recordedOffer = [0x0401, 0x0403, 0x0501, 0x0503, 0x0601, 0x0603, 0x0201, 0x0203];

  it("11.2 the recorded client's signature_algorithms and the recorded RSA key: rsa_pkcs1_sha256, the scheme the recorded ServerKeyExchange names", () => {
    const ske = recordedMessage("serverkeyexchange");
    const recordedScheme = (ske[4 + 36]! << 8) | ske[4 + 37]!; // after curve_type(1), namedcurve(2), point<1>(1 + 32)
    expectCode(recordedScheme, SignatureScheme.rsa_pkcs1_sha256, SignatureScheme, "the recorded server's scheme");
    expectCode(pickSignatureScheme12(illustratedCredential(), recordedOffer), recordedScheme, SignatureScheme, "scheme");
  });

  it("11.2 the server's order decides: RSA-PSS before PKCS #1 v1.5 whatever order the client lists them in", () => {
    const offered = [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_rsae_sha256];
    expectCode(pickSignatureScheme12(rsaCredential(), offered), SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "scheme");
  });

  it("11.2 an EC key signs only with ECDSA, an RSA key only with RSA; in TLS 1.2 the ECDSA scheme does not name the curve", () => {
    expect(pickSignatureScheme12(ecdsaCredential(), [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pss_rsae_sha256]), "P-256 key, RSA schemes only").to.equal(undefined);
    expectCode(pickSignatureScheme12(ecdsaCredential(), [SignatureScheme.ecdsa_secp384r1_sha384]), SignatureScheme.ecdsa_secp384r1_sha384, SignatureScheme, "P-256 key, 0x0503 only");
    expect(pickSignatureScheme12(rsaCredential(), [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ed25519]), "RSA key, ECDSA and Ed25519 only").to.equal(undefined);
    expect(pickSignatureScheme12(rsaCredential(), []), "nothing offered").to.equal(undefined);
  });

  const withGroups = (groups?: number[]): ClientHello =>
    groups === undefined ? without(recorded(), ExtensionType.supported_groups) : withExtension(recorded(), { kind: "supported_groups", groups });
  const ours = [NamedGroup.ffdhe2048, NamedGroup.ffdhe3072];

  it("11.2 a client that names no FFDHE group (none at all, or only curves) takes the server's: ffdhe2048", () => {
    expectCode(pickFfdheGroup(withGroups(undefined), ours), NamedGroup.ffdhe2048, NamedGroup, "no supported_groups");
    expectCode(pickFfdheGroup(withGroups([NamedGroup.x25519, NamedGroup.secp256r1]), ours), NamedGroup.ffdhe2048, NamedGroup, "curves only");
  });

  it("11.2 a client that names FFDHE groups gets the server's first one among them, or none at all (RFC 7919 §4), unknown code points 256–511 included", () => {
    expectCode(pickFfdheGroup(withGroups([NamedGroup.ffdhe3072, NamedGroup.ffdhe2048]), ours), NamedGroup.ffdhe2048, NamedGroup, "both offered");
    expectCode(pickFfdheGroup(withGroups([NamedGroup.x25519, NamedGroup.ffdhe3072]), ours), NamedGroup.ffdhe3072, NamedGroup, "ffdhe3072 only");
    expect(pickFfdheGroup(withGroups([NamedGroup.ffdhe8192]), ours), "ffdhe8192 only, which this server does not run").to.equal(undefined);
    expect(pickFfdheGroup(withGroups([0x01ff, NamedGroup.x25519]), ours), "an unknown FFDHE code point").to.equal(undefined);
  });
});

describe("11.3 chooseSuite12: the suite, the certificate, the curve or group, the scheme", () => {
  const suites = (...s: number[]): ClientHello => ({ ...recorded(), cipherSuites: s });

  it("11.3 the recorded ClientHello and the fixture certificates: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with the ECDSA certificate, x25519, ecdsa_secp256r1_sha256", () => {
    const choice = chooseSuite12(recorded(), testConfig12());
    expectSame(
      { cipherSuite: choice.cipherSuite, keyExchange: choice.keyExchange, group: choice.group, scheme: choice.scheme, key: choice.credential.privateKey.kind },
      { cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, keyExchange: "ECDHE", group: NamedGroup.x25519, scheme: SignatureScheme.ecdsa_secp256r1_sha256, key: "ec" },
      "choice",
    );
  });

  it("11.3 the recorded ClientHello and the recorded RSA certificate: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, x25519, rsa_pkcs1_sha256", () => {
    const choice = chooseSuite12(recorded(), testConfig12({ credentials: [illustratedCredential()] }));
    expectSame(
      { cipherSuite: choice.cipherSuite, keyExchange: choice.keyExchange, group: choice.group, scheme: choice.scheme },
      { cipherSuite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, keyExchange: "ECDHE", group: NamedGroup.x25519, scheme: SignatureScheme.rsa_pkcs1_sha256 },
      "choice",
    );
  });

  it("11.3 the server's order, not the client's: RSA key exchange listed first still loses to ECDHE; GREASE suites are skipped", () => {
    const ch = suites(0x0a0a, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    expectCode(chooseSuite12(ch, testConfig12()).cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite, "suite");
  });

  it("11.3 RSA key exchange with the RSA certificate, no group and no scheme; DHE with ffdhe2048 when the client names no FFDHE group", () => {
    const rsa = chooseSuite12(suites(CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384), testConfig12());
    expectSame({ keyExchange: rsa.keyExchange, group: rsa.group, scheme: rsa.scheme, key: rsa.credential.privateKey.kind }, { keyExchange: "RSA", group: undefined, scheme: undefined, key: "rsa" }, "RSA key exchange");
    const dhe = chooseSuite12(suites(CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256), testConfig12());
    expectSame({ keyExchange: dhe.keyExchange, group: dhe.group, key: dhe.credential.privateKey.kind }, { keyExchange: "DHE", group: NamedGroup.ffdhe2048, key: "rsa" }, "DHE");
  });

  it("11.3 no curve in common skips the ECDHE suites; a client without signature_algorithms (SHA-1 by RFC 5246's default) gets RSA key exchange", () => {
    const noCurve = withExtension(suites(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256), { kind: "supported_groups", groups: [NamedGroup.secp521r1] });
    expectCode(chooseSuite12(noCurve, testConfig12()).cipherSuite, CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite, "suite without a common curve");
    const noSchemes = without(recorded(), ExtensionType.signature_algorithms);
    expectCode(chooseSuite12(noSchemes, testConfig12()).cipherSuite, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite, "suite without signature_algorithms");
  });

  it("11.3 a certificate must fit the suite: ECDHE_ECDSA needs the EC key, RSA key exchange an RSA key with keyEncipherment (RFC 5246 §7.4.2)", () => {
    expectTlsError(() => chooseSuite12(suites(CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256), testConfig12({ credentials: [ecdsaCredential()] })), {
      alert: AlertDescription.handshake_failure,
      field: "cipher_suites",
    });
    const signOnly = rsaCredential();
    signOnly.leaf.extensions.keyUsage = ["digitalSignature"];
    const ch = suites(CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    expectCode(chooseSuite12(ch, testConfig12({ credentials: [signOnly] })).cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite, "suite for a signing-only RSA certificate");
  });

  it("11.3 nothing this server can serve (TLS 1.3 suites, CBC suites, unknown codes): handshake_failure naming cipher_suites", () => {
    const ch = suites(CipherSuite.TLS_AES_128_GCM_SHA256, OtherCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 0x1234);
    expectTlsError(() => chooseSuite12(ch, testConfig12()), { alert: AlertDescription.handshake_failure, field: "cipher_suites" });
    expectTlsError(() => chooseSuite12(recorded(), testConfig12({ cipherSuites: [CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384] })), {
      alert: AlertDescription.handshake_failure,
    });
  });
});

describe("11.4 processClientHello12: what the server refuses, and what it settles", () => {
  it("11.4 the recorded ClientHello: TLS 1.2, SHA-256, no extended master secret (not offered), secure renegotiation (offered), the name it asked for", () => {
    const message = recordedMessage("clienthello");
    const choice = processClientHello12(decodeClientHello(message), message, testConfig12({ credentials: [illustratedCredential()] }));
    expectSame(
      { hash: choice.hash, extendedMasterSecret: choice.extendedMasterSecret, secureRenegotiation: choice.secureRenegotiation, serverName: choice.serverName, alpn: choice.alpn, message: choice.message },
      { hash: "SHA-256", extendedMasterSecret: false, secureRenegotiation: true, serverName: "example.ulfheim.net", alpn: undefined, message },
      "choice",
    );
    expectCode(choice.cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite, "suite");
  });

  it("11.4 the extended master secret when the client offers it and the server agrees; the SHA-384 suites' PRF hash", () => {
    const ch = withExtension({ ...recorded(), cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384] }, { kind: "extended_master_secret" });
    const choice = processClientHello12(ch, new Uint8Array(0), testConfig12());
    expectSame({ ems: choice.extendedMasterSecret, hash: choice.hash }, { ems: true, hash: "SHA-384" }, "with EMS offered");
    expect(processClientHello12(ch, new Uint8Array(0), testConfig12({ extendedMasterSecret: false })).extendedMasterSecret, "a server told not to").to.equal(false);
  });

  it("11.4 secure renegotiation: signalled by the SCSV alone too; a non-empty renegotiated_connection in a first handshake is handshake_failure (RFC 5746 §3.6)", () => {
    const bare = without(recorded(), ExtensionType.renegotiation_info);
    expect(processClientHello12(bare, new Uint8Array(0), testConfig12()).secureRenegotiation, "neither").to.equal(false);
    const scsv = { ...bare, cipherSuites: [...bare.cipherSuites, CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV] };
    expect(processClientHello12(scsv, new Uint8Array(0), testConfig12()).secureRenegotiation, "the SCSV").to.equal(true);
    const renegotiating = withExtension(bare, { kind: "renegotiation_info", renegotiatedConnection: new Uint8Array(12).fill(1) });
    expectTlsError(() => processClientHello12(renegotiating, new Uint8Array(0), testConfig12()), { alert: AlertDescription.handshake_failure, field: "renegotiation_info" });
  });

  it("11.4 compression: [1, 0] is fine, a list without null (0) is illegal_parameter (RFC 5246 §7.4.1.2)", () => {
    expect(processClientHello12({ ...recorded(), legacyCompressionMethods: [1, 0] }, new Uint8Array(0), testConfig12()).cipherSuite).to.be.a("number");
    expectTlsError(() => processClientHello12({ ...recorded(), legacyCompressionMethods: [1] }, new Uint8Array(0), testConfig12()), {
      alert: AlertDescription.illegal_parameter,
      field: "legacy_compression_methods",
    });
  });

  it("11.4 a client that cannot do TLS 1.2 (supported_versions [1.3]) gets protocol_version", () => {
    const ch = withExtension(recorded(), { kind: "supported_versions", versions: [V13] });
    expectTlsError(() => processClientHello12(ch, new Uint8Array(0), testConfig12()), { alert: AlertDescription.protocol_version });
  });

  it("11.4 ALPN: http/1.1 out of [h2, http/1.1]; [h2] alone is no_application_protocol (RFC 7301 §3.2)", () => {
    expect(processClientHello12(withExtension(recorded(), alpn("h2", "http/1.1")), new Uint8Array(0), testConfig12()).alpn).to.equal("http/1.1");
    expectTlsError(() => processClientHello12(withExtension(recorded(), alpn("h2")), new Uint8Array(0), testConfig12()), {
      alert: AlertDescription.no_application_protocol,
    });
  });

  it("11.4 mutations of the recorded ClientHello: a choice or a TlsError, never another error", () => {
    const seed = recordedMessage("clienthello");
    assertProperty(
      fc.property(mutationsOf([seed]), (bytes) => {
        let ch: ClientHello;
        try {
          ch = decodeClientHello(bytes);
        } catch (e) {
          if (isTlsError(e) || isNotImplemented(e)) return true; // chapter 01's decoder refused it: not this step's input
          throw e;
        }
        try {
          processClientHello12(ch, bytes, testConfig12({ credentials: fixtureCredentials() }));
        } catch (e) {
          if (isNotImplemented(e) || !isTlsError(e)) throw e;
        }
        return true;
      }),
      100,
    );
  });
});
