// Exercises 08.3–08.4 (EncryptedExtensions), 08.13 (the client's check of it), 08.5 (CertificateVerify), 08.6
// (NewSessionTicket) and 08.18 (the KeyUpdate codec): the
// messages of RFC 8448's traces and of the tls13.xargs.org capture decode to what the RFC structs say (read here by
// small independent readers) and encode back byte for byte; RFC 8448 §3's CertificateVerify verifies with the RSA key
// of RFC 8448 §2, the capture's with its certificate, and signatures made by Node's crypto (RSA-PSS, ECDSA) verify
// too; every refusal carries the alert RFC 8446 names; every decoder survives random and mutated input.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, ExtensionType, SignatureScheme } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { readPemCertificates } from "../../lib/pem.js";
import { type ClientHello, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { type PublicKey, parseCertificates } from "../../chapters/03-certificates/index.js";
import {
  type EncryptedExtensions,
  type NewSessionTicket,
  certificateVerifyContent,
  checkEncryptedExtensions,
  decodeCertificateVerify,
  decodeEncryptedExtensions,
  decodeKeyUpdate,
  decodeNewSessionTicket,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeKeyUpdate,
  encodeNewSessionTicket,
  verifyCertificateVerify,
} from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { unrestrictedTwin } from "../support/keys.js";
import { handshakes } from "../support/structures.js";
import { badInputs, expectTlsError, onlyTlsErrors } from "../support/properties.js";
import { rfc8448RsaKey } from "../support/rfc8448.js";
import { extensionBlock, handshakeMessage, illustrated, illustratedInner, illustratedMessage, rfcMessage, ticketFields, uint16List } from "./vectors.js";

const HT = { new_session_ticket: 4, encrypted_extensions: 8, certificate_verify: 15, key_update: 24 } as const;
const sha = (name: "sha256" | "sha384", ...parts: Uint8Array[]) => {
  const h = crypto.createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const big = (b: Uint8Array) => BigInt("0x" + toHex(b));

/** The RSA key of RFC 8448 §2 as chapter 03 represents a certificate's key. */
function rfcRsaKey(): PublicKey {
  const k = rfc8448RsaKey();
  const n = big(k.modulus);
  return { kind: "rsa", n, e: big(k.publicExponent), bits: n.toString(2).length, pss: false };
}

/** The leaf keys of the test fixtures, parsed by chapter 03 (graded there). */
const fixtureKey = (name: "server-rsa.crt" | "server-ecdsa.crt" | "server-ed25519.crt" | "server-rsa-pss.crt") =>
  parseCertificates(readPemCertificates(readFixture(name), name))[0]!.publicKey;

/** Our own construction of the signed content (RFC 8446 §4.4.3), to sign with Node. */
const signedContent = (hash: Uint8Array, context = "TLS 1.3, server CertificateVerify") =>
  Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(context, "latin1"), Buffer.from([0]), hash]);

/** A CertificateVerify message made by hand from its struct. */
const cvMessage = (scheme: number, signature: Uint8Array) =>
  handshakeMessage(HT.certificate_verify, [scheme >> 8, scheme & 0xff, signature.length >> 8, signature.length & 0xff, ...signature]);

const ALL_SCHEMES = Object.values(SignatureScheme);

describe("08.3–08.4 EncryptedExtensions, and 08.13 the client's check", function () {
  const rfcEe = () => rfcMessage(3, "EncryptedExtensions");
  const rfcClientHello = (): ClientHello => decodeClientHello(rfcMessage(3, "ClientHello"));
  const samples = () => [rfcEe(), rfcMessage(5, "EncryptedExtensions"), illustratedInner("serverextensions").content];

  /** An EncryptedExtensions value built from the message's bytes by the small readers here, not by the learner's decoder. */
  const fromStructs = (message: Uint8Array): EncryptedExtensions => ({
    extensions: extensionBlock(message.slice(4)).map(({ type, data }) => {
      if (type === ExtensionType.server_name) return { kind: "server_name" as const };
      if (type === ExtensionType.early_data) return { kind: "early_data" as const };
      if (type === ExtensionType.supported_groups) return { kind: "supported_groups" as const, groups: uint16List(data) };
      if (type === ExtensionType.record_size_limit) return { kind: "record_size_limit" as const, limit: (data[0]! << 8) | data[1]! };
      return { kind: "raw" as const, type, data };
    }),
  });

  it("08.3 RFC 8448 §3 and §5, and the tls13.xargs.org capture: built from what their bytes say, they encode back byte for byte", () => {
    for (const message of samples()) expectBytes(encodeEncryptedExtensions(fromStructs(message)), message, "EncryptedExtensions, encoded", { structure: handshakes });
  });

  it("08.4 RFC 8448 §3 and §5, and the tls13.xargs.org capture: decoded as their structs say", () => {
    for (const message of samples()) expectSame(decodeEncryptedExtensions(message), fromStructs(message), "EncryptedExtensions, decoded");
    expectSame(decodeEncryptedExtensions(rfcEe()).extensions.map((e) => e.kind), ["supported_groups", "record_size_limit", "server_name"], "RFC 8448 §3's kinds");
    expectSame(decodeEncryptedExtensions(illustratedInner("serverextensions").content), { extensions: [] }, "the capture's (none)");
  });

  it("08.3 ALPN (RFC 7301 §3.1) and early_data encode as the structs say: one protocol name in a list; an empty body", () => {
    const alpn = handshakeMessage(HT.encrypted_extensions, [0, 13, 0, 16, 0, 5, 0, 3, 2, 0x68, 0x32, 0, 42, 0, 0]);
    const ee: EncryptedExtensions = { extensions: [{ kind: "application_layer_protocol_negotiation", protocol: "h2" }, { kind: "early_data" }] };
    expectBytes(encodeEncryptedExtensions(ee), alpn, "EncryptedExtensions with ALPN \"h2\" and early_data", { structure: handshakes });
  });

  it("08.4 ALPN (RFC 7301 §3.1): exactly one protocol name; early_data empty", () => {
    const alpn = handshakeMessage(HT.encrypted_extensions, [0, 13, 0, 16, 0, 5, 0, 3, 2, 0x68, 0x32, 0, 42, 0, 0]);
    expectSame(decodeEncryptedExtensions(alpn).extensions, [{ kind: "application_layer_protocol_negotiation", protocol: "h2" }, { kind: "early_data" }], "the extensions");
    const two = handshakeMessage(HT.encrypted_extensions, [0, 15, 0, 16, 0, 11, 0, 9, 2, 0x68, 0x32, 5, 0x68, 0x74, 0x74, 0x70, 0x31]);
    expectTlsError(() => decodeEncryptedExtensions(two), { alert: AlertDescription.decode_error, field: "protocol_name_list" });
  });

  it("08.4 bad bodies: a non-empty server_name, an empty group list (decode_error), a record_size_limit of 63 (illegal_parameter), a type twice (illegal_parameter)", () => {
    const ee = (...body: number[]) => handshakeMessage(HT.encrypted_extensions, [body.length >> 8, body.length & 0xff, ...body]);
    expectTlsError(() => decodeEncryptedExtensions(ee(0, 0, 0, 1, 0)), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeEncryptedExtensions(ee(0, 10, 0, 2, 0, 0)), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeEncryptedExtensions(ee(0, 28, 0, 2, 0, 63)), { alert: AlertDescription.illegal_parameter, field: "record_size_limit" });
    expectTlsError(() => decodeEncryptedExtensions(ee(0, 0, 0, 0, 0, 0, 0, 0)), { alert: AlertDescription.illegal_parameter });
    expectSame(decodeEncryptedExtensions(ee(0, 28, 0, 2, 0, 64)).extensions, [{ kind: "record_size_limit", limit: 64 }], "a record_size_limit of 64");
  });

  it("08.13 checkEncryptedExtensions: RFC 8448 §3's answers fit its ClientHello; one not offered is unsupported_extension; key_share here is illegal_parameter", () => {
    const ch = rfcClientHello();
    checkEncryptedExtensions(ch, decodeEncryptedExtensions(rfcEe()));
    const alpn: EncryptedExtensions = { extensions: [{ kind: "application_layer_protocol_negotiation", protocol: "h2" }] };
    expectTlsError(() => checkEncryptedExtensions(ch, alpn), { alert: AlertDescription.unsupported_extension, field: "extensions" });
    const keyShare: EncryptedExtensions = { extensions: [{ kind: "raw", type: ExtensionType.key_share, data: Uint8Array.of(0, 0x1d, 0, 1, 1) }] };
    expectTlsError(() => checkEncryptedExtensions(ch, keyShare), { alert: AlertDescription.illegal_parameter, field: "extensions" });
    const versions: EncryptedExtensions = { extensions: [{ kind: "raw", type: ExtensionType.supported_versions, data: Uint8Array.of(3, 4) }] };
    expectTlsError(() => checkEncryptedExtensions(ch, versions), { alert: AlertDescription.illegal_parameter });
    const earlyData: EncryptedExtensions = { extensions: [{ kind: "early_data" }] };
    expectTlsError(() => checkEncryptedExtensions(ch, earlyData), { alert: AlertDescription.unsupported_extension });
  });

  it("08.4 decodeEncryptedExtensions on random and mutated messages: only TlsErrors (decode_error, illegal_parameter, unexpected_message)", () => {
    const seeds = [rfcEe(), rfcMessage(5, "EncryptedExtensions"), handshakeMessage(HT.encrypted_extensions, [0, 13, 0, 16, 0, 5, 0, 3, 2, 0x68, 0x32, 0, 42, 0, 0])];
    onlyTlsErrors(decodeEncryptedExtensions, badInputs(seeds), {
      alerts: [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message],
    });
  });
});

describe("08.5 CertificateVerify", function () {
  /** RFC 8448 §3: the transcript up to the server's Certificate, hashed by Node. */
  const rfcTranscript = () =>
    sha("sha256", rfcMessage(3, "ClientHello"), rfcMessage(3, "ServerHello"), rfcMessage(3, "EncryptedExtensions"), rfcMessage(3, "Certificate"));

  it("08.5 certificateVerifyContent: 64 spaces, the context string, a zero byte, the transcript hash (RFC 8446 §4.4.3)", () => {
    const hash = Uint8Array.from({ length: 48 }, (_, i) => i);
    expectBytes(certificateVerifyContent(hash, "server"), signedContent(hash), "the server's signed content");
    expectBytes(certificateVerifyContent(hash, "client"), signedContent(hash, "TLS 1.3, client CertificateVerify"), "the client's signed content");
    expect(certificateVerifyContent(new Uint8Array(32), "server").length).to.equal(64 + 33 + 1 + 32);
  });

  it("08.5 RFC 8448 §3: the CertificateVerify decodes (rsa_pss_rsae_sha256), re-encodes, and verifies with the RSA key of RFC 8448 §2", () => {
    const message = rfcMessage(3, "CertificateVerify");
    const cv = decodeCertificateVerify(message);
    expectCode(cv.scheme, (message[4]! << 8) | message[5]!, SignatureScheme, "algorithm");
    expectCode(cv.scheme, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "algorithm");
    expectBytes(cv.signature, message.slice(8), "signature");
    expectBytes(encodeCertificateVerify(cv), message, "re-encoded", { structure: handshakes });
    verifyCertificateVerify(cv, rfcRsaKey(), rfcTranscript(), [SignatureScheme.rsa_pss_rsae_sha256]);
  });

  it("08.5 tls13.xargs.org: the CertificateVerify verifies with its certificate's key over the SHA-384 transcript", () => {
    const cert = parseCertificates(readPemCertificates(new TextDecoder().decode(illustrated("files/server.crt"))))[0]!;
    const transcript = sha(
      "sha384",
      illustratedMessage("clienthello"),
      illustratedMessage("serverhello"),
      illustratedInner("serverextensions").content,
      illustratedInner("servercert").content,
    );
    const cv = decodeCertificateVerify(illustratedInner("servercertverify").content);
    verifyCertificateVerify(cv, cert.publicKey, transcript, ALL_SCHEMES);
  });

  it("08.5 a changed byte anywhere in the signature or the transcript: decrypt_error", () => {
    const cv = decodeCertificateVerify(rfcMessage(3, "CertificateVerify"));
    for (const i of [0, 1, 64, 127]) {
      const signature = cv.signature.slice();
      signature[i]! ^= 0x80;
      expectTlsError(() => verifyCertificateVerify({ ...cv, signature }, rfcRsaKey(), rfcTranscript(), ALL_SCHEMES), {
        alert: AlertDescription.decrypt_error,
        field: "signature",
      });
    }
    const transcript = rfcTranscript();
    transcript[31]! ^= 1;
    expectTlsError(() => verifyCertificateVerify(cv, rfcRsaKey(), transcript, ALL_SCHEMES), { alert: AlertDescription.decrypt_error });
    expectTlsError(() => verifyCertificateVerify({ ...cv, signature: new Uint8Array(0) }, rfcRsaKey(), rfcTranscript(), ALL_SCHEMES), {
      alert: AlertDescription.decrypt_error,
    });
  });

  it("08.5 signatures made by Node: RSA-PSS (SHA-256/384/512, salt = hash length) and ECDSA P-256 verify; a client-context signature does not", () => {
    const hash = sha("sha256", new TextEncoder().encode("a transcript"));
    const rsa = readFixture("server-rsa.key");
    for (const [scheme, h] of [
      [SignatureScheme.rsa_pss_rsae_sha256, "sha256"],
      [SignatureScheme.rsa_pss_rsae_sha384, "sha384"],
      [SignatureScheme.rsa_pss_rsae_sha512, "sha512"],
    ] as const) {
      const saltLength = h === "sha256" ? 32 : h === "sha384" ? 48 : 64;
      const signature = crypto.sign(h, signedContent(hash), { key: rsa, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength });
      verifyCertificateVerify({ scheme, signature }, fixtureKey("server-rsa.crt"), hash, ALL_SCHEMES);
    }
    const ecdsa = crypto.sign("sha256", signedContent(hash), readFixture("server-ecdsa.key"));
    const cv = decodeCertificateVerify(cvMessage(SignatureScheme.ecdsa_secp256r1_sha256, ecdsa));
    verifyCertificateVerify(cv, fixtureKey("server-ecdsa.crt"), hash, ALL_SCHEMES);
    const client = crypto.sign("sha256", signedContent(hash, "TLS 1.3, client CertificateVerify"), readFixture("server-ecdsa.key"));
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ecdsa_secp256r1_sha256, signature: client }, fixtureKey("server-ecdsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.decrypt_error,
    });
  });

  it("08.5 signatures made by Node with the Ed25519 key (ed25519) and the PSS-only key (rsa_pss_pss_sha256) verify; a flipped bit is decrypt_error", () => {
    const hash = sha("sha384", new TextEncoder().encode("a transcript"));
    const ed = crypto.sign(null, signedContent(hash), readFixture("server-ed25519.key"));
    verifyCertificateVerify(decodeCertificateVerify(cvMessage(SignatureScheme.ed25519, ed)), fixtureKey("server-ed25519.crt"), hash, ALL_SCHEMES);
    const pss = crypto.sign("sha256", signedContent(hash), { key: readFixture("server-rsa-pss.key"), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    verifyCertificateVerify({ scheme: SignatureScheme.rsa_pss_pss_sha256, signature: pss }, fixtureKey("server-rsa-pss.crt"), hash, ALL_SCHEMES);
    for (const [scheme, signature, key] of [
      [SignatureScheme.ed25519, ed, fixtureKey("server-ed25519.crt")],
      [SignatureScheme.rsa_pss_pss_sha256, pss, fixtureKey("server-rsa-pss.crt")],
    ] as const) {
      const bad = new Uint8Array(signature);
      bad[bad.length >> 1]! ^= 0x04;
      expectTlsError(() => verifyCertificateVerify({ scheme, signature: bad }, key, hash, ALL_SCHEMES), { alert: AlertDescription.decrypt_error, field: "signature" });
    }
  });

  it("08.5 illegal_parameter: rsa_pss_pss_* with an rsaEncryption key or with parameters the PSS-only key forbids, rsa_pss_rsae_* with a PSS-only key, ed25519 with another key", () => {
    const hash = sha("sha256", new TextEncoder().encode("a transcript"));
    const content = signedContent(hash);
    const PSS = crypto.constants.RSA_PKCS1_PSS_PADDING;
    const rsaPss = crypto.sign("sha256", content, { key: readFixture("server-rsa.key"), padding: PSS, saltLength: 32 });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.rsa_pss_pss_sha256, signature: rsaPss }, fixtureKey("server-rsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    const pss = crypto.sign("sha256", content, { key: readFixture("server-rsa-pss.key"), padding: PSS, saltLength: 32 });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.rsa_pss_rsae_sha256, signature: pss }, fixtureKey("server-rsa-pss.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    // The same numbers (its unrestricted twin) sign SHA-384, which the key's parameters forbid (RFC 8446 §4.2.3, RFC 4055 §3.1).
    const twin = unrestrictedTwin(crypto.createPrivateKey(readFixture("server-rsa-pss.key")));
    const sha384 = crypto.sign("sha384", content, { key: twin, padding: PSS, saltLength: 48 });
    const e = expectTlsError(
      () => verifyCertificateVerify({ scheme: SignatureScheme.rsa_pss_pss_sha384, signature: sha384 }, fixtureKey("server-rsa-pss.crt"), hash, ALL_SCHEMES),
      { alert: AlertDescription.illegal_parameter, field: "algorithm" },
    );
    expect(e.message, "the refusal says what the key allows").to.include("SHA-256");
    const ed = crypto.sign(null, content, readFixture("server-ed25519.key"));
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ed25519, signature: ed }, fixtureKey("server-rsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ecdsa_secp256r1_sha256, signature: ed }, fixtureKey("server-ed25519.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ed448, signature: ed }, fixtureKey("server-ed25519.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
  });

  it("08.5 illegal_parameter: a scheme we did not offer, RSA PKCS#1 v1.5 (even a valid one), a scheme that does not fit the key or its curve", () => {
    const hash = sha("sha256", new TextEncoder().encode("a transcript"));
    const cv = decodeCertificateVerify(rfcMessage(3, "CertificateVerify"));
    const notOffered = expectTlsError(() => verifyCertificateVerify(cv, rfcRsaKey(), rfcTranscript(), [SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.ecdsa_secp256r1_sha256]), {
      alert: AlertDescription.illegal_parameter,
    });
    // Named by name and number (RFC 8446 §4.2.3), not a bare code.
    expect(notOffered.message, "the scheme the server used").to.include("rsa_pss_rsae_sha256 (0x0804)");
    const pkcs1 = crypto.sign("sha256", signedContent(hash), readFixture("server-rsa.key"));
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.rsa_pkcs1_sha256, signature: pkcs1 }, fixtureKey("server-rsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    expectTlsError(() => verifyCertificateVerify(cv, fixtureKey("server-ecdsa.crt"), rfcTranscript(), ALL_SCHEMES), { alert: AlertDescription.illegal_parameter });
    const ecdsa = crypto.sign("sha384", signedContent(hash), readFixture("server-ecdsa.key"));
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ecdsa_secp384r1_sha384, signature: ecdsa }, fixtureKey("server-ecdsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ecdsa_secp256r1_sha256, signature: ecdsa }, fixtureKey("server-rsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ed25519, signature: ecdsa }, fixtureKey("server-ecdsa.crt"), hash, ALL_SCHEMES), {
      alert: AlertDescription.illegal_parameter,
    });
    const ed448 = expectTlsError(() => verifyCertificateVerify({ scheme: SignatureScheme.ed448, signature: ecdsa }, fixtureKey("server-ecdsa.crt"), hash, [SignatureScheme.ed448]), {
      alert: AlertDescription.illegal_parameter,
    });
    expect(ed448.message, "a scheme this client cannot check, named").to.include("ed448 (0x0808)");
  });

  it("08.5 decodeCertificateVerify on random and mutated messages: only TlsErrors (decode_error, unexpected_message)", () => {
    const seeds = [rfcMessage(3, "CertificateVerify"), illustratedInner("servercertverify").content, cvMessage(0x0403, new Uint8Array(71).fill(9))];
    onlyTlsErrors(decodeCertificateVerify, badInputs(seeds), { alerts: [AlertDescription.decode_error, AlertDescription.unexpected_message] });
    expectTlsError(() => decodeCertificateVerify(Uint8Array.of(HT.certificate_verify, 0, 0, 4, 8, 4, 0, 1)), { alert: AlertDescription.decode_error });
  });
});

describe("08.6 NewSessionTicket and 08.18 KeyUpdate", function () {
  const samples = () => [rfcMessage(3, "NewSessionTicket"), illustratedInner("serverticket1").content, illustratedInner("serverticket2").content];

  it("08.6 RFC 8448 §3 and the tls13.xargs.org tickets: every field as RFC 8446 §4.6.1 lays it out, and encoded back byte for byte", () => {
    for (const message of samples()) {
      const nst: NewSessionTicket = decodeNewSessionTicket(message);
      const f = ticketFields(message);
      expectSame({ lifetime: nst.lifetime, ageAdd: nst.ageAdd, nonce: nst.nonce, ticket: nst.ticket }, { lifetime: f.lifetime, ageAdd: f.ageAdd, nonce: f.nonce, ticket: f.ticket }, "the ticket's fields");
      expectSame(nst.extensions.map((e) => (e.kind === "raw" ? e.type : ExtensionType.early_data)), f.extensions.map((e) => e.type), "the extension types");
      for (const e of f.extensions.filter((x) => x.type === ExtensionType.early_data)) {
        expectSame(nst.extensions.find((x) => x.kind === "early_data"), { kind: "early_data", maxEarlyDataSize: f.u32(e.data, 0) }, "early_data");
      }
      expectBytes(encodeNewSessionTicket(nst), message, "re-encoded", { structure: handshakes });
    }
    const rfc = decodeNewSessionTicket(rfcMessage(3, "NewSessionTicket"));
    expect(rfc.extensions.some((e) => e.kind === "early_data"), "RFC 8448 §3's ticket allows 0-RTT").to.equal(true);
    expectBytes(decodeNewSessionTicket(illustratedInner("serverticket2").content).nonce, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1), "the second ticket's nonce");
  });

  it("08.6 a lifetime over 7 days is illegal_parameter; an empty ticket and a bad early_data body are decode_error; a duplicate extension is illegal_parameter", () => {
    const body = (lifetime: number, ticket: number[], extensions: number[]) =>
      handshakeMessage(HT.new_session_ticket, [
        ...[24, 16, 8, 0].map((s) => (lifetime >>> s) & 0xff), 1, 2, 3, 4, 1, 0xaa,
        ticket.length >> 8, ticket.length & 0xff, ...ticket, extensions.length >> 8, extensions.length & 0xff, ...extensions,
      ]);
    expect(decodeNewSessionTicket(body(604800, [7], [])).lifetime).to.equal(604800);
    expectTlsError(() => decodeNewSessionTicket(body(604801, [7], [])), { alert: AlertDescription.illegal_parameter, field: "ticket_lifetime" });
    expectTlsError(() => decodeNewSessionTicket(body(60, [], [])), { alert: AlertDescription.decode_error, field: "ticket" });
    expectTlsError(() => decodeNewSessionTicket(body(60, [7], [0, 42, 0, 3, 0, 0, 1])), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeNewSessionTicket(body(60, [7], [0, 42, 0, 4, 0, 0, 1, 0, 0, 42, 0, 4, 0, 0, 1, 0])), { alert: AlertDescription.illegal_parameter });
    const ok = decodeNewSessionTicket(body(60, [7], [0, 42, 0, 4, 0, 0, 0x40, 0, 0xfa, 0xfa, 0, 0]));
    expectSame(ok.extensions, [{ kind: "early_data", maxEarlyDataSize: 0x4000 }, { kind: "raw", type: 0xfafa, data: new Uint8Array(0) }], "the ticket's extensions");
    expectSame({ ageAdd: ok.ageAdd, nonce: ok.nonce }, { ageAdd: 0x01020304, nonce: Uint8Array.of(0xaa) }, "age_add and nonce");
  });

  it("08.18 KeyUpdate (RFC 8446 §4.6.3): 0 and 1 decode and encode; 2 is illegal_parameter; any other length is decode_error", () => {
    expectSame(decodeKeyUpdate(Uint8Array.of(24, 0, 0, 1, 0)), { updateRequested: false }, "KeyUpdate 0");
    expectSame(decodeKeyUpdate(Uint8Array.of(24, 0, 0, 1, 1)), { updateRequested: true }, "KeyUpdate 1");
    expectBytes(encodeKeyUpdate({ updateRequested: true }), Uint8Array.of(24, 0, 0, 1, 1), "KeyUpdate(update_requested)");
    expectBytes(encodeKeyUpdate({ updateRequested: false }), Uint8Array.of(24, 0, 0, 1, 0), "KeyUpdate(update_not_requested)");
    expectTlsError(() => decodeKeyUpdate(Uint8Array.of(24, 0, 0, 1, 2)), { alert: AlertDescription.illegal_parameter, field: "request_update", offset: 4 });
    expectTlsError(() => decodeKeyUpdate(Uint8Array.of(24, 0, 0, 2, 1, 0)), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeKeyUpdate(Uint8Array.of(24, 0, 0, 0)), { alert: AlertDescription.decode_error });
  });

  it("08.6 decodeNewSessionTicket on random and mutated messages: only TlsErrors", () => {
    onlyTlsErrors(decodeNewSessionTicket, badInputs(samples()), { alerts: [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message] });
  });

  it("08.18 decodeKeyUpdate on random and mutated messages: only TlsErrors", () => {
    onlyTlsErrors(decodeKeyUpdate, badInputs([Uint8Array.of(24, 0, 0, 1, 0), Uint8Array.of(24, 0, 0, 1, 1)]), {
      alerts: [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message],
    });
  });
});
