// Exercise 10.1: the server reads a ClientHello. Against RFC 8448's ClientHellos (§3, §4, §5: what a real client
// sent), the same with GREASE and unknown values mixed in (RFC 8701: a server must ignore them), each rule of RFC 8446
// broken once (with the alert the RFC names), and random mutations of real ClientHellos (a TlsError or a choice,
// never a crash).
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, ExtensionType, NamedGroup, ProtocolVersion } from "../../lib/constants.js";
import { alertName, isNotImplemented, isTlsError } from "../../lib/errors.js";
import { type ClientExtension, type ClientHello, decodeClientHello, extensionType } from "../../chapters/01-client-hello/index.js";
import { processClientHello } from "../../chapters/10-tls13-server/index.js";
import { expectCode } from "../support/expect-bytes.js";
import { assertProperty, expectTlsError, mutationsOf } from "../support/properties.js";
import { payload, rfcMessage } from "./vectors.js";

const PREFS = {
  versions: [ProtocolVersion.TLS1_3],
  cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
  groups: [NamedGroup.x25519, NamedGroup.secp256r1],
};

const ch3 = (): ClientHello => decodeClientHello(rfcMessage(3, "ClientHello"));
const without = (ch: ClientHello, type: number): ClientHello => ({ ...ch, extensions: ch.extensions.filter((e) => extensionType(e) !== type) });
const replace = (ch: ClientHello, ext: ClientExtension): ClientHello => ({
  ...ch,
  extensions: ch.extensions.map((e) => (extensionType(e) === extensionType(ext) ? ext : e)),
});

describe("10.1 processClientHello: the server's reading of a ClientHello", () => {
  it("10.1 RFC 8448 §3's ClientHello: TLS 1.3, TLS_AES_128_GCM_SHA256 (the server's first choice), x25519 with the client's share", () => {
    const choice = processClientHello(ch3(), PREFS);
    expectCode(choice.version, ProtocolVersion.TLS1_3, ProtocolVersion, "version");
    expectCode(choice.cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite, "suite");
    expectCode(choice.group, NamedGroup.x25519, NamedGroup, "group");
    expect(choice.helloRetry, "no HelloRetryRequest needed").to.equal(false);
    expect(Buffer.from(choice.keyShare!.keyExchange).toString("hex"), "the client's x25519 share").to.equal(
      "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c",
    );
  });

  it("10.1 the SERVER's order decides: ChaCha20 first and P-256 first give ChaCha20 and P-256, for which §3's client sent no share (a HelloRetryRequest)", () => {
    const choice = processClientHello(ch3(), {
      versions: [ProtocolVersion.TLS1_3],
      cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256],
      groups: [NamedGroup.secp256r1, NamedGroup.x25519],
    });
    expectCode(choice.cipherSuite, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite, "suite");
    expectCode(choice.group, NamedGroup.secp256r1, NamedGroup, "group");
    expect(choice.helloRetry, "a HelloRetryRequest is due").to.equal(true);
  });

  it("10.1 RFC 8448 §4 (a PSK offer) and §5 (no share the server wants) read too", () => {
    const ch4 = decodeClientHello(findClientHello4());
    expect(processClientHello(ch4, PREFS).helloRetry).to.equal(false);
    const ch5 = decodeClientHello(rfcMessage(5, "ClientHello", 0));
    const choice = processClientHello(ch5, { ...PREFS, groups: [NamedGroup.secp256r1] });
    expect([choice.group, choice.helloRetry], "§5's client shares x25519 only").to.deep.equal([NamedGroup.secp256r1, true]);
  });

  it("10.1 GREASE and unknown values anywhere (suites, versions, groups, key shares, extensions) change nothing (RFC 8701)", () => {
    const grease = fc.integer({ min: 0, max: 15 }).map((i) => 0x0a0a + i * 0x1010);
    assertProperty(
      fc.property(grease, grease, fc.nat(), (g, h, at) => {
        const ch = ch3();
        const put = <T>(list: T[], x: T) => [...list.slice(0, at % (list.length + 1)), x, ...list.slice(at % (list.length + 1))];
        const extensions = ch.extensions.map((e): ClientExtension => {
          if (e.kind === "supported_versions") return { ...e, versions: put(e.versions, g) };
          if (e.kind === "supported_groups") return { ...e, groups: put(e.groups, h) };
          if (e.kind === "key_share") return { ...e, shares: put(e.shares, { group: h, keyExchange: Uint8Array.of(0) }) };
          return e;
        });
        const greased: ClientHello = { ...ch, cipherSuites: put(ch.cipherSuites, g), extensions: put(extensions, { kind: "raw", type: g, data: new Uint8Array(0) }) };
        const choice = processClientHello(greased, PREFS);
        return choice.cipherSuite === CipherSuite.TLS_AES_128_GCM_SHA256 && choice.group === NamedGroup.x25519 && !choice.helloRetry;
      }),
      { numRuns: 200, demands: "GREASE values in suites, versions, groups, key shares and extensions change nothing: TLS_AES_128_GCM_SHA256 and x25519 with the client's share", inputs: ["GREASE version and suite", "GREASE group", "position"] },
    );
  });

  const refusals: [string, () => ClientHello, number, string][] = [
    ["no supported_versions (a TLS 1.2 client)", () => without(ch3(), ExtensionType.supported_versions), AlertDescription.protocol_version, "supported_versions"],
    ["supported_versions without 0x0304", () => replace(ch3(), { kind: "supported_versions", versions: [ProtocolVersion.TLS1_2] }), AlertDescription.protocol_version, "supported_versions"],
    ["compression methods [0, 1]", () => ({ ...ch3(), legacyCompressionMethods: [0, 1] }), AlertDescription.illegal_parameter, "compression"],
    ["a pre_shared_key that is not the last extension", () => {
      const ch = ch3();
      return { ...ch, extensions: [{ kind: "raw", type: ExtensionType.pre_shared_key, data: new Uint8Array(0) }, ...ch.extensions] };
    }, AlertDescription.illegal_parameter, "pre_shared_key"],
    ["a pre_shared_key without psk_key_exchange_modes", () => {
      const ch = without(ch3(), ExtensionType.psk_key_exchange_modes);
      return { ...ch, extensions: [...ch.extensions, { kind: "raw", type: ExtensionType.pre_shared_key, data: new Uint8Array(0) }] };
    }, AlertDescription.missing_extension, "psk_key_exchange_modes"],
    ["no signature_algorithms (and no PSK)", () => without(ch3(), ExtensionType.signature_algorithms), AlertDescription.missing_extension, "signature_algorithms"],
    ["supported_groups without key_share", () => without(ch3(), ExtensionType.key_share), AlertDescription.missing_extension, "key_share"],
    ["key_share without supported_groups", () => without(ch3(), ExtensionType.supported_groups), AlertDescription.missing_extension, "supported_groups"],
    ["a key share for a group supported_groups does not list", () => replace(ch3(), { kind: "key_share", shares: [{ group: NamedGroup.x448, keyExchange: new Uint8Array(56) }] }), AlertDescription.illegal_parameter, "key_share"],
    ["two key shares in one group", () => {
      const share = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) };
      return replace(ch3(), { kind: "key_share", shares: [share, share] });
    }, AlertDescription.illegal_parameter, "key_share"],
    ["no TLS 1.3 suite in common", () => ({ ...ch3(), cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }), AlertDescription.handshake_failure, "cipher_suites"],
  ];
  for (const [what, make, alert, field] of refusals) {
    it(`10.1 refuses ${what}: ${alertName(alert)}`, () => {
      expectTlsError(() => processClientHello(make(), PREFS), { alert, field });
    });
  }

  it("10.1 mutated ClientHellos (RFC 8448 §3–§5): chapter 01 decodes or refuses them, and the server either chooses or refuses with a TlsError naming a field", () => {
    const seeds = [rfcMessage(3, "ClientHello"), findClientHello4(), rfcMessage(5, "ClientHello", 0), rfcMessage(5, "ClientHello", 1)];
    const alerts: number[] = [
      AlertDescription.decode_error,
      AlertDescription.illegal_parameter,
      AlertDescription.missing_extension,
      AlertDescription.protocol_version,
      AlertDescription.handshake_failure,
    ];
    assertProperty(
      fc.property(mutationsOf(seeds), (bytes) => {
        let ch: ClientHello;
        try {
          ch = decodeClientHello(bytes);
        } catch (e) {
          if (isTlsError(e)) return;
          throw e;
        }
        try {
          processClientHello(ch, PREFS);
        } catch (e) {
          if (isNotImplemented(e)) throw e;
          if (!isTlsError(e)) throw new Error(`processClientHello threw ${String(e)} on ${Buffer.from(bytes).toString("hex")}`);
          if (!alerts.includes(e.alert) || !e.field) throw new Error(`unexpected ${e.alertName} (field ${e.field}): ${e.message}`);
        }
      }),
      { numRuns: 500, demands: "processClientHello chooses, or throws a TlsError with a server's alert and a field; never anything else", inputs: ["ClientHello"] },
    );
  });
});

/** §4's whole ClientHello, binders included: the payload of its first record (the "construct" step prints it without). */
function findClientHello4(): Uint8Array {
  return payload(4, "send handshake record", 0);
}
