// Exercises 08.20 (what a TLS 1.3 CertificateRequest asks for) and 08.21 (our scheme and CertificateVerify): mutual
// TLS. The outside references: RFC 8448 §6, whose client authenticates with an RSA certificate (its CertificateRequest,
// the client's Certificate, CertificateVerify and Finished, replayed: our records must be the trace's, and the trace's
// signature must verify, with Node, over the content we hand the signer), requests built from RFC 8446 §4.3.2's struct,
// and real servers on 127.0.0.1 that demand a client certificate and report whose it was: `openssl s_server -tls1_3
// -Verify 1 -verify_return_error` and Node's tls with requestCert and rejectUnauthorized. The signing is Node's
// (tests/support/client-credentials.ts): the learner's own signing is chapter 11's (11.18).
import { expect } from "chai";
import crypto from "node:crypto";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { AlertDescription, ExtensionType, HandshakeType, SignatureScheme } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import type { ClientCredential } from "../../chapters/06-tls12-handshake/index.js";
import {
  type CertificateRequest,
  type TraceEntry,
  chooseClientScheme13,
  decodeCertificateRequest,
  readCertificateRequest13,
  sendCertificateVerify13,
  sendClientCertificate13,
  sendClientFinished,
} from "../../chapters/08-tls13-handshake/index.js";
import { type ClientKind, clientChain, nodeCredential } from "../support/client-credentials.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { pkiPath } from "../support/pki.js";
import { expectTlsError, mutationsOf, onlyTlsErrors } from "../support/properties.js";
import { handshakes } from "../support/structures.js";
import { type OracleDirection, oracleOpen, oracleTranscript } from "../support/tls13-oracle.js";
import { startHttps13Responder, startOpenSsl13Responder } from "../support/tls13-peers.js";
import { expectRejection, fetchPage13 } from "./helpers.js";
import { layerOver, rfcApplicationKeys, rfcHandshakeKeys, rfcHellos, traceKeys } from "./rfc-replay.js";
import { extensionBlock, handshakeMessage, rfcMessage, uint16List } from "./vectors.js";

/** RFC 8448 §6: the server's flight (EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished). */
const serverFlight6 = () => ["EncryptedExtensions", "CertificateRequest", "Certificate", "CertificateVerify"].map((m) => rfcMessage(6, m)).concat([rfcMessage(6, "Finished", 0)]);
const CR6 = () => rfcMessage(6, "CertificateRequest");
/** The client's messages in §6: its Certificate, CertificateVerify and Finished (the second of each name in the trace). */
const clientCertificate6 = () => rfcMessage(6, "Certificate", 1);
const clientCertificateVerify6 = () => rfcMessage(6, "CertificateVerify", 1);
const clientFinished6 = () => rfcMessage(6, "Finished", 1);
/** The client's certificate in §6 (header(4), then the body: context<1> (empty), certificate_list<3>, cert_data<3> …). */
const clientCertDer6 = () => {
  const m = clientCertificate6();
  const n = (m[8]! << 16) | (m[9]! << 8) | m[10]!;
  return m.slice(11, 11 + n);
};
/** The client's CertificateVerify in §6 as its struct says: algorithm(2), signature<2>. */
const clientCv6 = () => {
  const m = clientCertificateVerify6();
  return { scheme: (m[4]! << 8) | m[5]!, signature: m.slice(8) };
};

/** The DER of the test root's subject (see tests/06-tls12-handshake/client-auth.ts). */
const ROOT_DN = Uint8Array.from([0x30, 0x20, 0x31, 0x1e, 0x30, 0x1c, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x15, ...Buffer.from("tls-by-hand test root", "latin1")]);
const u16 = (n: number) => [n >> 8, n & 0xff];
/** A CertificateRequest (as chapter 08's given decoder returns it) with the extensions built from their structs. */
function request(context: number[], extensions: { type: number; body: number[] }[]): CertificateRequest {
  return { context: Uint8Array.from(context), extensions: extensions.map((e) => ({ type: e.type, data: Uint8Array.from(e.body) })) };
}
const sigAlgs = (schemes: number[]) => ({ type: ExtensionType.signature_algorithms, body: [...u16(schemes.length * 2), ...schemes.flatMap(u16)] });
const authorities = (names: Uint8Array[]) => {
  const list = names.flatMap((n) => [...u16(n.length), ...n]);
  return { type: ExtensionType.certificate_authorities, body: [...u16(list.length), ...list] };
};

describe("08.20 what a TLS 1.3 CertificateRequest asks for (RFC 8446 §4.3.2)", function () {
  it("08.20 RFC 8448 §6: an empty context and the 15 schemes of its signature_algorithms, in order; no CA named", () => {
    const asked = readCertificateRequest13(decodeCertificateRequest(CR6()));
    // The trace's own bytes, read here by the struct: context<1> (empty), then the extension block.
    const ext = extensionBlock(CR6().slice(5)).find((e) => e.type === ExtensionType.signature_algorithms)!;
    expectBytes(asked.context, new Uint8Array(0), "certificate_request_context");
    expectSame(asked.signatureSchemes, uint16List(ext.data), "signature_algorithms, as the trace lists them");
    expectSame(asked.authorities, [], "certificate_authorities (absent)");
  });

  it("08.20 a context and certificate_authorities (the test root's DER name): both kept", () => {
    const asked = readCertificateRequest13(request([7, 7], [sigAlgs([0x0804, 0x0403]), authorities([ROOT_DN])]));
    expectBytes(asked.context, Uint8Array.of(7, 7), "certificate_request_context");
    expectSame(asked.signatureSchemes, [0x0804, 0x0403], "signature_algorithms");
    expectSame(asked.authorities, [ROOT_DN], "certificate_authorities");
  });

  it("08.20 no signature_algorithms: missing_extension (\"MUST be specified\", RFC 8446 §4.3.2)", () => {
    expectTlsError(() => readCertificateRequest13(request([], [authorities([ROOT_DN])])), { alert: AlertDescription.missing_extension, field: "signature_algorithms" });
  });

  for (const [label, cr, field] of [
    ["an empty signature_algorithms list", () => request([], [sigAlgs([])]), /supported_signature_algorithms|signature_algorithms/],
    ["a byte left over in signature_algorithms", () => request([], [{ type: ExtensionType.signature_algorithms, body: [0, 2, 8, 4, 0] }]), /signature_algorithms/],
    ["an empty certificate_authorities list (<3..2^16-1>)", () => request([], [sigAlgs([0x0804]), authorities([])]), /authorities/],
    ["an empty DistinguishedName in certificate_authorities", () => request([], [sigAlgs([0x0804]), authorities([new Uint8Array(0)])]), /authorities|DistinguishedName/],
    ["certificate_authorities longer than its extension", () => request([], [sigAlgs([0x0804]), { type: ExtensionType.certificate_authorities, body: [0, 9, 0, 1] }]), /authorities|DistinguishedName/],
  ] as [string, () => CertificateRequest, RegExp][]) {
    it(`08.20 ${label}: decode_error`, () => {
      expectTlsError(() => readCertificateRequest13(cr()), { alert: AlertDescription.decode_error, field });
    });
  }
});

describe("08.20 bad input", function () {
  // The input is one extension's body, so every offset the errors name is a position in it.
  const ext6 = (type: number) => extensionBlock(CR6().slice(5)).find((e) => e.type === type)!.data;
  const alerts = [AlertDescription.decode_error, AlertDescription.illegal_parameter];
  it("08.20 signature_algorithms bodies mutated from RFC 8448 §6's: only TlsErrors", () => {
    onlyTlsErrors((data) => readCertificateRequest13({ context: new Uint8Array(0), extensions: [{ type: ExtensionType.signature_algorithms, data }] }), mutationsOf([ext6(ExtensionType.signature_algorithms)]), { alerts });
  });
  it("08.20 certificate_authorities bodies mutated from one naming the test root: only TlsErrors", () => {
    const body = Uint8Array.from(authorities([ROOT_DN, Uint8Array.of(0x30, 0x00)]).body);
    const sig = { type: ExtensionType.signature_algorithms, data: Uint8Array.from(sigAlgs([0x0804]).body) };
    onlyTlsErrors((data) => readCertificateRequest13({ context: new Uint8Array(0), extensions: [sig, { type: ExtensionType.certificate_authorities, data }] }), mutationsOf([body]), { alerts });
  });
});

describe("08.21 our scheme and CertificateVerify (RFC 8446 §4.4.2, §4.4.3)", function () {
  it("08.21 RFC 8448 §6's request: an RSA key signs with rsa_pss_rsae_sha256 even when we prefer PKCS #1 v1.5 (never in a TLS 1.3 CertificateVerify); ECDSA P-256 with ecdsa_secp256r1_sha256", () => {
    const cr = decodeCertificateRequest(CR6());
    const pkcs1First = nodeCredential("rsa", [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pss_rsae_sha256]);
    expectCode(chooseClientScheme13(cr, pkcs1First) ?? -1, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "RSA: the scheme");
    expectCode(chooseClientScheme13(cr, nodeCredential("ecdsa")) ?? -1, SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme, "ECDSA: the scheme");
  });

  it("08.21 our order decides among the schemes both sides allow", () => {
    const cr = decodeCertificateRequest(CR6());
    const sha384First = nodeCredential("rsa", [SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_rsae_sha256]);
    expectCode(chooseClientScheme13(cr, sha384First) ?? -1, SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme, "the scheme");
  });

  for (const [label, cr, credential] of [
    ["a server that lists only PKCS #1 v1.5, and an RSA key", () => request([], [sigAlgs([0x0401, 0x0501])]), () => nodeCredential("rsa")],
    ["a server that lists only RSA-PSS, and an ECDSA key", () => request([], [sigAlgs([0x0804, 0x0805])]), () => nodeCredential("ecdsa")],
    ["a credential without a chain", () => decodeCertificateRequest(CR6()), (): ClientCredential => ({ chain: [], schemes: [0x0804], sign: () => new Uint8Array(0) })],
  ] as [string, () => CertificateRequest, () => ClientCredential][]) {
    it(`08.21 ${label}: no scheme (undefined: we send an empty Certificate, §4.4.2.4)`, () => {
      expect(chooseClientScheme13(cr(), credential()), "the scheme chosen").to.equal(undefined);
    });
  }

  /** A signer that hands back the trace's own signature (RSA-PSS is randomised) and logs what it was asked to sign. */
  const traceSigner = () => {
    const log: { scheme: number; content: Uint8Array }[] = [];
    const credential: ClientCredential = {
      chain: [clientCertDer6()],
      schemes: [SignatureScheme.rsa_pss_rsae_sha256],
      sign: (scheme, content) => {
        log.push({ scheme, content: content.slice() });
        return clientCv6().signature;
      },
    };
    return { credential, log };
  };
  /** RFC 8446 §4.4.3's signed content, with Node's SHA-256 of the trace's messages. */
  const expectedContent = (...messages: Uint8Array[]) =>
    concat(new Uint8Array(64).fill(0x20), new TextEncoder().encode("TLS 1.3, client CertificateVerify"), Uint8Array.of(0), oracleTranscript("sha256", ...messages));
  const before = () => [rfcMessage(6, "ClientHello"), rfcMessage(6, "ServerHello"), ...serverFlight6(), clientCertificate6()];

  it("08.21 RFC 8448 §6: sendCertificateVerify13 hands the signer 64 spaces, \"TLS 1.3, client CertificateVerify\", 0 and the transcript hash WITH our Certificate (the trace's signature verifies over it, with Node); it writes the trace's CertificateVerify and adds it", () => {
    const { records, transport } = layerOver([], { write: traceKeys(6).clientHandshake });
    const hellos = rfcHellos(6, ...serverFlight6(), clientCertificate6());
    const { credential, log } = traceSigner();
    sendCertificateVerify13(records, hellos, credential, SignatureScheme.rsa_pss_rsae_sha256);
    const content = expectedContent(...before());
    const key = new crypto.X509Certificate(clientCertDer6()).publicKey;
    const pss = { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(crypto.verify("sha256", content, pss, clientCv6().signature), "the trace's signature over the content RFC 8446 §4.4.3 defines (a check of this test)").to.equal(true);
    expect(log.length, "how many times the signer was asked").to.equal(1);
    expectCode(log[0]!.scheme, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "the scheme the signer was asked for");
    expectBytes(log[0]!.content, content, "what the signer was asked to sign");
    const reader: OracleDirection = { aead: "aes-128-gcm", ...traceKeys(6).clientHandshake, sequence: 0n };
    const opened = transport.written.map((r) => oracleOpen(reader, r).content);
    expectSame(opened, [clientCertificateVerify6()], "the records written, opened with Node under the trace's client handshake keys", { structure: handshakes });
    expectBytes(hellos.transcript.hash(), oracleTranscript("sha256", ...before(), clientCertificateVerify6()), "the transcript, now with our CertificateVerify");
  });

  it("08.21 RFC 8448 §6 end to end: sendClientCertificate13 and then sendClientFinished write the trace's Certificate, CertificateVerify and Finished", () => {
    const { records, transport } = layerOver([], { write: traceKeys(6).clientHandshake });
    const hellos = rfcHellos(6, ...serverFlight6());
    const scheme = sendClientCertificate13(records, hellos, decodeCertificateRequest(CR6()), traceSigner().credential);
    sendClientFinished(records, hellos, rfcHandshakeKeys(6), rfcApplicationKeys(6));
    expectCode(scheme ?? -1, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "the scheme returned");
    const reader: OracleDirection = { aead: "aes-128-gcm", ...traceKeys(6).clientHandshake, sequence: 0n };
    const opened = transport.written.map((r) => oracleOpen(reader, r).content);
    expectSame(opened, [clientCertificate6(), clientCertificateVerify6(), clientFinished6()], "Certificate, CertificateVerify, Finished (opened with Node)", { structure: handshakes });
  });

  it("08.21 without a scheme both sides allow: an empty Certificate with the request's context, no CertificateVerify, nothing signed", () => {
    const { records, transport } = layerOver([], { write: traceKeys(6).clientHandshake });
    const hellos = rfcHellos(6, ...serverFlight6());
    const credential = nodeCredential("ecdsa");
    const scheme = sendClientCertificate13(records, hellos, request([5], [sigAlgs([0x0804])]), credential);
    expect(scheme, "the scheme returned").to.equal(undefined);
    expect(credential.log.length, "signatures made").to.equal(0);
    const reader: OracleDirection = { aead: "aes-128-gcm", ...traceKeys(6).clientHandshake, sequence: 0n };
    expectSame(transport.written.map((r) => oracleOpen(reader, r).content), [handshakeMessage(HandshakeType.certificate, [1, 5, 0, 0, 0])], "the records written", { structure: handshakes });
  });
});

const sent13 = (trace: TraceEntry[], name: string) => trace.find((e) => e.from === "client" && e.name === name);

/** fetchPage13 with a credential; a failure says where else to look, since the script (08.17) runs these steps. */
async function mutualPage13(port: number, options: Parameters<typeof fetchPage13>[1]) {
  try {
    return await fetchPage13(port, options);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${why}\n  (the tests above check 08.20–08.21 alone; if they pass, look at your script, 08.17: sendClientCertificate13 after ` +
        "readServerFinished and before sendClientFinished, which then gets no certificateRequest)",
      { cause: e },
    );
  }
}

describe("08.21 live: a TLS 1.3 server that demands a client certificate (openssl s_server -Verify 1, Node's requestCert)", function () {
  this.timeout(20000);

  for (const [kind, scheme] of [
    ["rsa", SignatureScheme.rsa_pss_rsae_sha256],
    ["ecdsa", SignatureScheme.ecdsa_secp256r1_sha256],
  ] as [ClientKind, number][]) {
    it(`08.21 openssl s_server -tls1_3 -Verify 1 -verify_return_error: our ${kind.toUpperCase()} certificate is verified and shown by the server (0x${scheme.toString(16).padStart(4, "0")}); our Certificate, CertificateVerify, Finished in that order`, async () => {
      const server = await startOpenSsl13Responder("X25519:P-256", ["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt")]);
      try {
        const trace: TraceEntry[] = [];
        const { response } = await mutualPage13(server.port, { clientCredential: nodeCredential(kind), onTrace: (e) => trace.push(e) });
        expect(response, "s_server's page").to.match(/^HTTP\/1\.0 200 ok/);
        const subject = kind === "rsa" ? "tls-by-hand test client \\(RSA\\)" : "tls-by-hand test client \\(ECDSA\\)";
        const output = await server.waitForOutput(new RegExp(`depth=0 O = tls-by-hand, CN = ${subject}`));
        expect(output, "s_server verified it").to.match(/verify return:1/);
        expect(response.replace(/\r/g, ""), "the client certificate on s_server's page").to.include(readFixture(`client-${kind}.crt`).trim());
        const cv = sent13(trace, "certificate_verify")!.content;
        expectCode((cv[4]! << 8) | cv[5]!, scheme, SignatureScheme, "our CertificateVerify's algorithm");
        const ours = trace.filter((e) => e.from === "client" && e.contentType === 22).map((e) => e.name);
        expect(ours.slice(1, 4), "our second flight (RFC 8446 §2)").to.deep.equal(["certificate", "certificate_verify", "finished"]);
      } finally {
        await server.close();
      }
    });
  }

  for (const kind of ["rsa", "ecdsa"] as ClientKind[]) {
    it(`08.21 Node (TLS 1.3, requestCert, rejectUnauthorized, ca: our root): getPeerCertificate() on the server is our ${kind.toUpperCase()} certificate`, async () => {
      const peers: PeerCertificate[] = [];
      const server = await startHttps13Responder({ requestCert: true, rejectUnauthorized: true, ca: readFixture("ca.crt") }, (socket: TLSSocket) =>
        peers.push(socket.getPeerCertificate()),
      );
      try {
        const { response } = await mutualPage13(server.port, { clientCredential: nodeCredential(kind) });
        expect(response).to.match(/^HTTP\/1\.1 200 OK/);
        expect(peers.length, "connections Node accepted").to.equal(1);
        expectBytes(new Uint8Array(peers[0]!.raw), clientChain(kind)[0]!, "the certificate Node's server received");
      } finally {
        await server.close();
      }
    });
  }

  it("08.21 a server that does not ask: no Certificate, no CertificateVerify from us, nothing signed", async () => {
    const server = await startHttps13Responder();
    try {
      const trace: TraceEntry[] = [];
      const credential = nodeCredential("ecdsa");
      const { response } = await mutualPage13(server.port, { clientCredential: credential, onTrace: (e) => trace.push(e) });
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      expect(sent13(trace, "certificate"), "our Certificate").to.equal(undefined);
      expect(sent13(trace, "certificate_verify"), "our CertificateVerify").to.equal(undefined);
      expect(credential.log.length, "signatures made").to.equal(0);
    } finally {
      await server.close();
    }
  });

  it("08.21 a server that trusts another root refuses our certificate: its alert reaches us by name (unknown_ca)", async () => {
    const server = await startOpenSsl13Responder("X25519:P-256", ["-Verify", "1", "-verify_return_error", "-CAfile", pkiPath("roots.pem")]);
    try {
      const e = await expectRejection(() => fetchPage13(server.port, { clientCredential: nodeCredential("rsa") }));
      expect(e.alertName, e.message).to.equal("unknown_ca");
    } finally {
      await server.close();
    }
  });

  it("08.21 an RSA key and a server that takes only PKCS #1 v1.5 and ECDSA signatures from clients: an empty Certificate, and the server's certificate_required by name", async () => {
    const server = await startOpenSsl13Responder("X25519:P-256", ["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt"), "-client_sigalgs", "RSA+SHA256:ECDSA+SHA256"]);
    try {
      const trace: TraceEntry[] = [];
      const e = await expectRejection(() => fetchPage13(server.port, { clientCredential: nodeCredential("rsa"), onTrace: (t) => trace.push(t) }));
      expect(e.alertName, e.message).to.equal("certificate_required");
      expectBytes(sent13(trace, "certificate")?.content, Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0), "our Certificate: empty context, empty list", { structure: handshakes });
    } finally {
      await server.close();
    }
  });
});
