// Exercises 06.15 (the TLS 1.2 CertificateRequest) and 06.16 (our certificate and CertificateVerify): mutual TLS.
// The outside references: OpenSSL's own reading of its CertificateRequest (`openssl s_client -trace`), requests built
// here byte by byte from RFC 5246 §7.4.4's struct, Node's crypto (it checks our CertificateVerify over the recorded
// handshake messages), and real servers on 127.0.0.1 that demand a client certificate and report whose it was:
// `openssl s_server -Verify 1 -verify_return_error` and Node's tls with requestCert and rejectUnauthorized. The
// signing is Node's (tests/support/client-credentials.ts): the learner's own signing is chapter 11's (11.18).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { AlertDescription, ContentType, HandshakeType, SignatureScheme } from "../../lib/constants.js";
import { concat, fromHex } from "../../lib/hex.js";
import {
  type ClientCredential,
  ClientCertificateType,
  type TraceEntry,
  Tls12RecordLayer,
  chooseClientAuth12,
  decodeCertificateRequest12,
  isReceivedAlert,
  sendCertificateVerify12,
} from "../../chapters/06-tls12-handshake/index.js";
import { type ClientKind, clientChain, nodeCredential, nodeVerify } from "../support/client-credentials.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { pkiPath } from "../support/pki.js";
import { expectTlsError, mutationsOf, onlyTlsErrors } from "../support/properties.js";
import { replayTransport } from "../support/replay-transport.js";
import { startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";
import { expectRejection, fetchPage } from "./helpers.js";

const VECTORS = new URL("../vectors/", import.meta.url);
const recording = () =>
  JSON.parse(readFileSync(new URL("recorded-tls12/ecdhe-certreq.json", VECTORS), "utf8")) as { records: { from: string; hex: string }[] };
/** The handshake messages of the recorded connection that went in the clear (one per record), in order. */
function recordedMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of recording().records) {
    const bytes = fromHex(r.hex);
    if (bytes[0] === ContentType.change_cipher_spec) break;
    if (bytes[0] === ContentType.handshake) out.push(bytes.slice(5));
  }
  return out;
}
/** The CertificateRequest `openssl s_server -verify 1 -tls1_2` sent in tests/vectors/recorded-tls12/ecdhe-certreq.json. */
const opensslRequest = () => recordedMessages().find((m) => m[0] === HandshakeType.certificate_request)!;

/**
 * What OpenSSL itself reads in that message: `openssl s_client -tls1_2 -trace` (OpenSSL 3.0) against
 * `openssl s_server -verify 1 -tls1_2` printed these lists (certificate_types, signature_algorithms, and
 * "certificate_authorities (len=0)").
 */
const OPENSSL_TYPES = [1, 2, 64]; // rsa_sign, dss_sign, ecdsa_sign
const OPENSSL_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402,
  0x0502, 0x0602,
];

/** The DER of the test root's subject, Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String } } } (X.690). */
const ROOT_DN = Uint8Array.from([0x30, 0x20, 0x31, 0x1e, 0x30, 0x1c, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x15, ...Buffer.from("tls-by-hand test root", "latin1")]);

/** A CertificateRequest message built from the struct of RFC 5246 §7.4.4, byte by byte. */
function request(types: number[], schemes: number[], authorities: Uint8Array[] = []): Uint8Array {
  const u16 = (n: number) => [n >> 8, n & 0xff];
  const dns = authorities.flatMap((dn) => [...u16(dn.length), ...dn]);
  const body = [types.length, ...types, ...u16(schemes.length * 2), ...schemes.flatMap(u16), ...u16(dns.length), ...dns];
  return Uint8Array.from([HandshakeType.certificate_request, 0, body.length >> 8, body.length & 0xff, ...body]);
}

describe("06.15 the TLS 1.2 CertificateRequest (RFC 5246 §7.4.4)", function () {
  it("06.15 OpenSSL's CertificateRequest (recorded): the certificate types, the 20 schemes in its order and no CA, as openssl s_client -trace reads them", () => {
    const cr = decodeCertificateRequest12(opensslRequest());
    expectSame(cr.certificateTypes, OPENSSL_TYPES, "certificate_types (rsa_sign, dss_sign, ecdsa_sign)");
    expectSame(cr.signatureSchemes, OPENSSL_SCHEMES, "supported_signature_algorithms");
    expectSame(cr.authorities, [], "certificate_authorities (empty: any CA)");
  });

  it("06.15 a request naming one CA (the test root's DER name) and two types: each field read from its own length", () => {
    const cr = decodeCertificateRequest12(request([1, 64], [0x0804, 0x0403], [ROOT_DN]));
    expectSame(cr.certificateTypes, [1, 64], "certificate_types");
    expectSame(cr.signatureSchemes, [0x0804, 0x0403], "supported_signature_algorithms");
    expectSame(cr.authorities, [ROOT_DN], "certificate_authorities: one DistinguishedName, its DER as it came");
  });

  it("06.15 two CAs: the list holds two names, in order", () => {
    const other = Uint8Array.of(0x30, 0x00);
    expectSame(decodeCertificateRequest12(request([1], [0x0401], [ROOT_DN, other])).authorities, [ROOT_DN, other], "certificate_authorities");
  });

  for (const [label, message, field] of [
    ["an empty certificate_types list (<1..2^8-1>)", () => request([], [0x0804]), "certificate_types"],
    ["an empty supported_signature_algorithms list (<2..2^16-2>)", () => request([1], []), "supported_signature_algorithms"],
    ["an empty DistinguishedName (<1..2^16-1>)", () => request([1], [0x0804], [new Uint8Array(0)]), "DistinguishedName"],
    ["a signature_algorithms list of odd length", () => Uint8Array.of(13, 0, 0, 8, 1, 1, 0, 3, 8, 4, 0, 0, 0), /scheme|supported_signature_algorithms/],
    ["certificate_authorities longer than the message", () => Uint8Array.of(13, 0, 0, 8, 1, 1, 0, 2, 8, 4, 0, 9), "certificate_authorities"],
  ] as [string, () => Uint8Array, string | RegExp][]) {
    it(`06.15 ${label}: decode_error naming ${String(field)}`, () => {
      expectTlsError(() => decodeCertificateRequest12(message()), { alert: AlertDescription.decode_error, field });
    });
  }

  it("06.15 decodeCertificateRequest12 on mutated requests (truncated, bytes flipped, lengths nudged, bytes appended): only TlsErrors", () => {
    onlyTlsErrors(decodeCertificateRequest12, mutationsOf([opensslRequest(), request([1, 64], [0x0804, 0x0403], [ROOT_DN])]), {
      alerts: [AlertDescription.decode_error, AlertDescription.unexpected_message],
    });
  });
});

describe("06.16 choosing our certificate and scheme, and our CertificateVerify (RFC 5246 §7.4.6, §7.4.8)", function () {
  it("06.16 OpenSSL's request and an RSA key: our first scheme it lists (rsa_pss_rsae_sha256); an ECDSA key: ecdsa_secp256r1_sha256", () => {
    const rsa = nodeCredential("rsa");
    expectCode(chooseClientAuth12(opensslRequest(), rsa)?.scheme ?? -1, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme, "RSA key: the scheme");
    expect(chooseClientAuth12(opensslRequest(), rsa)?.credential, "the credential, handed on").to.equal(rsa);
    const ec = nodeCredential("ecdsa");
    expectCode(chooseClientAuth12(opensslRequest(), ec)?.scheme ?? -1, SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme, "ECDSA key: the scheme");
  });

  it("06.16 OUR order decides among the schemes both sides have, not the server's (OpenSSL lists rsa_pss before rsa_pkcs1)", () => {
    const pkcs1First = nodeCredential("rsa", [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pss_rsae_sha256]);
    expectCode(chooseClientAuth12(opensslRequest(), pkcs1First)?.scheme ?? -1, SignatureScheme.rsa_pkcs1_sha256, SignatureScheme, "the scheme");
    const onlyPkcs1 = request([1], [SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha256]);
    expectCode(chooseClientAuth12(onlyPkcs1, nodeCredential("rsa"))?.scheme ?? -1, SignatureScheme.rsa_pkcs1_sha256, SignatureScheme, "a server that lists PKCS #1 v1.5 only");
  });

  for (const [label, message, kind] of [
    ["an ECDSA key, but the server accepts rsa_sign certificates only", () => request([ClientCertificateType.rsa_sign], OPENSSL_SCHEMES), "ecdsa"],
    ["an RSA key, but the server accepts ecdsa_sign certificates only", () => request([ClientCertificateType.ecdsa_sign], OPENSSL_SCHEMES), "rsa"],
    ["an RSA key, but the server lists only ECDSA schemes", () => request([1, 64], [0x0403, 0x0503]), "rsa"],
  ] as [string, () => Uint8Array, ClientKind][]) {
    it(`06.16 ${label}: no certificate fits (undefined: we will send an empty Certificate, RFC 5246 §7.4.6)`, () => {
      expect(chooseClientAuth12(message(), nodeCredential(kind))?.scheme, "the scheme chosen").to.equal(undefined);
    });
  }

  it("06.16 a credential without a chain: undefined", () => {
    const empty: ClientCredential = { chain: [], schemes: [SignatureScheme.rsa_pss_rsae_sha256], sign: () => new Uint8Array(0) };
    expect(chooseClientAuth12(opensslRequest(), empty)?.scheme, "the scheme chosen").to.equal(undefined);
  });

  for (const [kind, scheme] of [
    ["rsa", SignatureScheme.rsa_pss_rsae_sha256],
    ["rsa", SignatureScheme.rsa_pkcs1_sha256],
    ["ecdsa", SignatureScheme.ecdsa_secp256r1_sha256],
  ] as [ClientKind, number][]) {
    it(`06.16 sendCertificateVerify12 (${kind}, 0x${scheme.toString(16).padStart(4, "0")}): the signer gets every handshake message so far, concatenated (not their hash); the record carries a CertificateVerify that Node verifies with our certificate`, () => {
      const transport = replayTransport([]);
      const records = new Tls12RecordLayer(transport);
      const messages = recordedMessages(); // ClientHello … ClientKeyExchange of the recorded connection
      for (const m of messages) records.transcript.add(m);
      const credential = nodeCredential(kind);
      sendCertificateVerify12(records, { credential, scheme });
      expect(credential.log.length, "how many times the signer was asked").to.equal(1);
      expectCode(credential.log[0]!.scheme, scheme, SignatureScheme, "the scheme the signer was asked for");
      expectBytes(credential.log[0]!.content, concat(...messages), "what was signed: handshake_messages, ClientHello … ClientKeyExchange (RFC 5246 §7.4.8)");
      expect(transport.written.length, "records written").to.equal(1);
      const record = transport.written[0]!;
      expect([record[0], record[1], record[2]], "a plaintext handshake record, TLS 1.2").to.deep.equal([ContentType.handshake, 3, 3]);
      const cv = record.slice(5);
      expectCode(cv[0]!, HandshakeType.certificate_verify, HandshakeType, "handshake type");
      expectCode((cv[4]! << 8) | cv[5]!, scheme, SignatureScheme, "CertificateVerify algorithm");
      const length = (cv[6]! << 8) | cv[7]!;
      expect(cv.length, "the message: header, algorithm, signature<0..2^16-1>").to.equal(8 + length);
      expect(nodeVerify(clientChain(kind)[0]!, scheme, concat(...messages), cv.slice(8)), "Node verifies the signature with our certificate's key").to.equal(true);
      expectBytes(records.transcript.messages[messages.length], cv, "the CertificateVerify, added to the transcript");
    });
  }
});

/** Collects what our client sent and received, for the requests and answers it holds. */
function traced() {
  const trace: TraceEntry[] = [];
  return { trace, onTrace: (e: TraceEntry) => trace.push(e) };
}
const sent = (trace: TraceEntry[], name: string) => trace.find((e) => e.from === "client" && e.name === name);

/** fetchPage with a credential; a failure says where else to look, since the script (06.13) runs these steps. */
async function mutualPage(port: number, options: Parameters<typeof fetchPage>[1]) {
  try {
    return await fetchPage(port, options);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${why}\n  (the tests above check 06.16's choice and signature alone; if they pass, look at your script, 06.13: our ` +
        "Certificate right after readServerFlight12, our CertificateVerify after establishKeys12, since RFC 7627's session hash ends at ClientKeyExchange)",
      { cause: e },
    );
  }
}

describe("06.16 live: a server that demands a client certificate (openssl s_server -Verify 1, Node's requestCert)", function () {
  this.timeout(20000);

  for (const [kind, extra, scheme] of [
    ["rsa", [], SignatureScheme.rsa_pss_rsae_sha256],
    ["rsa", ["-client_sigalgs", "RSA+SHA256"], SignatureScheme.rsa_pkcs1_sha256],
    ["ecdsa", [], SignatureScheme.ecdsa_secp256r1_sha256],
  ] as [ClientKind, string[], number][]) {
    it(`06.16 openssl s_server -Verify 1 -verify_return_error ${extra.join(" ")}: our ${kind.toUpperCase()} certificate is verified and shown by the server (signed with 0x${scheme.toString(16).padStart(4, "0")}); it named our root in certificate_authorities`, async () => {
      const server = await startOpenSslResponder(["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt"), ...extra]);
      try {
        const { trace, onTrace } = traced();
        const { response } = await mutualPage(server.port, { clientCredential: nodeCredential(kind), onTrace });
        expect(response, "s_server's page").to.match(/^HTTP\/1\.0 200 ok/);
        const subject = kind === "rsa" ? "tls-by-hand test client (RSA)" : "tls-by-hand test client (ECDSA)";
        const output = await server.waitForOutput(new RegExp(`depth=0 O = tls-by-hand, CN = ${subject.replace(/[()]/g, "\\$&")}`));
        expect(output, "s_server verified it").to.match(/verify return:1/);
        // -www's page ends with the client certificate it received, in PEM: ours, byte for byte.
        expect(response.replace(/\r/g, ""), "the client certificate on s_server's page").to.include(readFixture(`client-${kind}.crt`).trim());
        const requested = trace.find((e) => e.from === "server" && e.name === "certificate_request")!;
        expectSame(decodeCertificateRequest12(requested.content).authorities, [ROOT_DN], "certificate_authorities (s_server -CAfile names its root)");
        const cv = sent(trace, "certificate_verify")!.content;
        expectCode((cv[4]! << 8) | cv[5]!, scheme, SignatureScheme, "our CertificateVerify's algorithm");
        const names = trace.filter((e) => e.from === "client").map((e) => e.name);
        expect(names.slice(1, 4), "our flight: Certificate, ClientKeyExchange, CertificateVerify (RFC 5246 §7.3)").to.deep.equal(["certificate", "client_key_exchange", "certificate_verify"]);
      } finally {
        await server.close();
      }
    });
  }

  for (const kind of ["rsa", "ecdsa"] as ClientKind[]) {
    it(`06.16 Node (requestCert, rejectUnauthorized, ca: our root): getPeerCertificate() on the server is our ${kind.toUpperCase()} certificate`, async () => {
      const server = await startHttpsResponder({ requestCert: true, rejectUnauthorized: true, ca: readFixture("ca.crt") });
      const peers: PeerCertificate[] = [];
      server.server.on("secureConnection", (socket: TLSSocket) => peers.push(socket.getPeerCertificate()));
      try {
        const { response } = await mutualPage(server.port, { clientCredential: nodeCredential(kind) });
        expect(response).to.match(/^HTTP\/1\.1 200 OK/);
        expect(peers.length, "connections Node accepted").to.equal(1);
        expectBytes(new Uint8Array(peers[0]!.raw), clientChain(kind)[0]!, "the certificate Node's server received");
      } finally {
        await server.close();
      }
    });
  }

  it("06.16 a server that does not ask: no Certificate, no CertificateVerify from us, nothing signed", async () => {
    const server = await startHttpsResponder();
    try {
      const { trace, onTrace } = traced();
      const credential = nodeCredential("rsa");
      const { response } = await mutualPage(server.port, { clientCredential: credential, onTrace });
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      expect(sent(trace, "certificate"), "our Certificate").to.equal(undefined);
      expect(sent(trace, "certificate_verify"), "our CertificateVerify").to.equal(undefined);
      expect(credential.log.length, "signatures made").to.equal(0);
    } finally {
      await server.close();
    }
  });

  it("06.16 a server that trusts another root refuses our certificate: its alert reaches us by name (unknown_ca), after our Certificate went out", async () => {
    const server = await startOpenSslResponder(["-Verify", "1", "-verify_return_error", "-CAfile", pkiPath("roots.pem")]);
    try {
      const { trace, onTrace } = traced();
      const e = await expectRejection(() => fetchPage(server.port, { clientCredential: nodeCredential("ecdsa"), onTrace }));
      expect(isReceivedAlert(e), `an alert from the server: ${e.message}`).to.equal(true);
      expect(e.alertName, e.message).to.equal("unknown_ca");
      expect(sent(trace, "certificate")?.content.length, "our Certificate held our chain").to.be.greaterThan(7);
    } finally {
      await server.close();
    }
  });

  it("06.16 without a credential, a server that demands one gets an empty Certificate and says so (handshake_failure, by name)", async () => {
    const server = await startOpenSslResponder(["-Verify", "1", "-verify_return_error", "-CAfile", fixturePath("ca.crt")]);
    try {
      const { trace, onTrace } = traced();
      const e = await expectRejection(() => fetchPage(server.port, { onTrace }));
      expect(isReceivedAlert(e), `an alert from the server: ${e.message}`).to.equal(true);
      expect(e.alertName, e.message).to.equal("handshake_failure");
      expectBytes(sent(trace, "certificate")?.content, Uint8Array.of(11, 0, 0, 3, 0, 0, 0), "our Certificate: an empty certificate_list");
      expect(sent(trace, "certificate_verify"), "no CertificateVerify after an empty Certificate").to.equal(undefined);
    } finally {
      await server.close();
    }
  });
});
