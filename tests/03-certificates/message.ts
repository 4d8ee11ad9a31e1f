// Exercises 03.25 (writeCertificateBody) and 03.26 (readCertificateBody), the Certificate handshake message, graded
// against outside references only, each on its own (a test that needs both carries 03.26): RFC 8448's TLS 1.3
// Certificates (parsed from the RFC text, their DER checked by Node's X509Certificate against the RFC's RSA key),
// byte layouts written out here from the structs of RFC 5246 §7.4.2 and RFC 8446 §4.4.2, and the TLS 1.2
// Certificates that Node's tls and `openssl s_server` send on 127.0.0.1, compared with the PEM files they were given.
import { expect } from "chai";
import fc from "fast-check";
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import { readFileSync } from "node:fs";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion } from "../../lib/constants.js";
import { fromHex, toHex } from "../../lib/hex.js";
import { clientHelloRecord, makeClientHello } from "../../chapters/01-client-hello/index.js";
import {
  type CertificateMessage,
  certificateRecord,
  decodeCertificate,
  encodeCertificate,
  readCertificateBody,
  writeCertificateBody,
} from "../../chapters/03-certificates/certificate-message.js";
import { expectBytes, expectSame, type Structure, annotateWith } from "../support/expect-bytes.js";
import { type FixtureName, fixturePath, readFixture } from "../support/fixtures.js";
import { type NodeServer, type OpenSslServer, startNodeServer, startOpenSslServer } from "../support/peers.js";
import { NUM_RUNS, assertProperty, badInputs, decodeOrTlsError, expectTlsError, randomBytes, truncations } from "../support/properties.js";
import { ContentType as RecordType, HANDSHAKE_HEADER_LENGTH, completeRecordLength } from "../support/records.js";
import { findValue, rfc8448RsaKey, traceSection, type TraceSection } from "../support/rfc8448.js";
import { readCertificateMessage as referenceRead } from "../../solutions/03-certificates/certificate-message.js";

const TLS12 = ProtocolVersion.TLS1_2;
const TLS13 = ProtocolVersion.TLS1_3;

// ---------------------------------------------------------------------------------------------------------------
// A reference encoder written from the RFC structs, independent of the code under test

const u8 = (n: number) => [n & 0xff];
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const cat = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

/** RFC 5246 §7.4.2 / RFC 8446 §4.4.2 body, spelled out byte by byte. */
function referenceBody(msg: CertificateMessage, version: number): Uint8Array {
  const entries = msg.entries.map((e) => {
    const cert = cat(u24(e.certData.length), e.certData);
    if (version === TLS12) return cert;
    const exts = cat(...e.extensions.map((x) => cat(u16(x.type), u16(x.data.length), x.data)));
    return cat(cert, u16(exts.length), exts);
  });
  const list = cat(...entries);
  const context = version === TLS13 ? cat(u8(msg.requestContext.length), msg.requestContext) : new Uint8Array(0);
  return cat(context, u24(list.length), list);
}

/** The whole handshake message: msg_type certificate(11), uint24 length, body (RFC 8446 §4). */
function referenceMessage(msg: CertificateMessage, version: number): Uint8Array {
  const body = referenceBody(msg, version);
  return cat([HandshakeType.certificate], u24(body.length), body);
}

/** The DER of every certificate in a PEM file, as Node's X509Certificate reads it (the oracle for "the same bytes"). */
function derOfPem(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error("no certificate in the PEM text");
  return blocks.map((b) => new Uint8Array(new X509Certificate(b).raw));
}
const derOfFixtures = (...names: FixtureName[]): Uint8Array[] => names.flatMap((n) => derOfPem(readFixture(n)));

// ---------------------------------------------------------------------------------------------------------------
// RFC 8448's Certificate messages (TLS 1.3, handshake header included)

/** The Certificate a given side constructs in a trace section, found by actor so that §6's two are not confused. */
function rfcCertificate(section: TraceSection, actor: "client" | "server"): Uint8Array {
  const step = traceSection(section).find((s) => s.actor === actor && s.action.includes("construct a Certificate handshake"));
  const value = step?.values.find((v) => v.label === "Certificate");
  if (!value) throw new Error(`RFC 8448 §${section}: the ${actor} constructs no Certificate message`);
  return value.bytes.slice();
}

const rfc = {
  server3: () => findValue(3, "construct a Certificate handshake message", "Certificate"),
  server5: () => rfcCertificate(5, "server"),
  server6: () => rfcCertificate(6, "server"),
  client6: () => rfcCertificate(6, "client"),
  server7: () => rfcCertificate(7, "server"),
};

/**
 * A walk over a TLS 1.3 Certificate message with one entry and no extensions, written for the tests: handshake
 * header (4), certificate_request_context length (1, zero), certificate_list length (3), cert_data length (3),
 * cert_data, extensions length (2, zero). Throws unless the lengths agree, so the vector is what we think it is.
 */
function singleCertificateOf(message: Uint8Array): Uint8Array {
  const n24 = (at: number) => (message[at]! << 16) | (message[at + 1]! << 8) | message[at + 2]!;
  const certLength = n24(8);
  const ok =
    message[0] === HandshakeType.certificate &&
    n24(1) === message.length - 4 &&
    message[4] === 0 &&
    n24(5) === certLength + 3 + 2 &&
    11 + certLength + 2 === message.length &&
    message[message.length - 2] === 0 &&
    message[message.length - 1] === 0;
  if (!ok) throw new Error("test vector is not a one-certificate TLS 1.3 Certificate without extensions");
  return message.slice(11, 11 + certLength);
}

/** RFC 8448 §6 prose: "the server uses an Elliptic Curve Digital Signature Algorithm (ECDSA) certificate with a P-256 key". */
function section6ServerCurveFromProse(): string {
  const text = readFileSync(new URL("../vectors/rfc8448.txt", import.meta.url), "latin1").replace(/\s+/g, " ");
  const m = /the server uses an Elliptic Curve Digital Signature Algorithm \(ECDSA\) certificate with a (P-\d+) key/.exec(text);
  if (!m) throw new Error("RFC 8448 §6: the sentence naming the server's key was not found");
  // Node names the curves by their OpenSSL names (RFC 5480 §2.1.1.1: secp256r1 = prime256v1 = P-256).
  const node: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
  return node[m[1]!]!;
}

/** Names the fields of expected bytes, read by the reference decoder (solutions/, not the code under test). */
const asCertificate12: Structure = (b) => annotateWith(b, (r) => referenceRead(r, TLS12));
const asCertificate13: Structure = (b) => annotateWith(b, (r) => referenceRead(r, TLS13));

const jwkModulus = (cert: X509Certificate): string => (cert.publicKey.export({ format: "jwk" }) as { n: string }).n;

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary messages

const certData = fc.uint8Array({ minLength: 1, maxLength: 48 });
const tls12Message: fc.Arbitrary<CertificateMessage> = fc.record({
  requestContext: fc.constant(new Uint8Array(0)),
  entries: fc.array(fc.record({ certData, extensions: fc.constant([] as { type: number; data: Uint8Array }[]) }), { maxLength: 5 }),
});
const tls13Message: fc.Arbitrary<CertificateMessage> = fc.record({
  requestContext: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 250, maxLength: 255 })),
  entries: fc.array(
    fc.record({
      certData,
      extensions: fc.uniqueArray(fc.record({ type: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 24 }) }), {
        selector: (e) => e.type,
        maxLength: 4,
      }),
    }),
    { maxLength: 5 },
  ),
});

const decodeAlerts = [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message];

// ---------------------------------------------------------------------------------------------------------------
// Live servers: our TLS 1.2 ClientHello, then the server's plaintext flight up to ServerHelloDone

/** One handshake message of the server's flight, header included. */
interface FlightMessage {
  type: number;
  message: Uint8Array;
}

/**
 * Connects to 127.0.0.1:port over plain TCP, sends `hello`, and collects the handshake messages of the server's
 * first flight until server_hello_done (RFC 5246 §7.3): records are framed with tests/support/records.ts, their
 * fragments joined (a message may span records, a record may hold several messages). An alert fails the test.
 */
function serverFlight(port: number, hello: Uint8Array, timeoutMs = 5000): Promise<FlightMessage[]> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  let received = Buffer.alloc(0);
  let used = 0; // bytes of `received` already framed into records
  let handshake = Buffer.alloc(0);
  const messages: FlightMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  return new Promise<FlightMessage[]>((resolve, reject) => {
    const types = () => messages.map((m) => m.type).join(", ") || "nothing";
    timer = setTimeout(() => reject(new Error(`no server_hello_done from 127.0.0.1:${port} in ${timeoutMs} ms; got ${types()}`)), timeoutMs);
    socket.on("connect", () => socket.write(hello));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        for (let size = completeRecordLength(received, used); size !== undefined; size = completeRecordLength(received, used)) {
          const type = received[used]!;
          const fragment = received.subarray(used + 5, used + size);
          used += size;
          if (type === RecordType.alert) throw new Error(`the server sent an alert: ${fragment.toString("hex")}`);
          if (type !== RecordType.handshake) throw new Error(`expected handshake records, got content type ${type}`);
          handshake = Buffer.concat([handshake, fragment]);
          while (handshake.length >= HANDSHAKE_HEADER_LENGTH) {
            const total = HANDSHAKE_HEADER_LENGTH + ((handshake[1]! << 16) | (handshake[2]! << 8) | handshake[3]!);
            if (handshake.length < total) break;
            messages.push({ type: handshake[0]!, message: new Uint8Array(handshake.subarray(0, total)) });
            handshake = handshake.subarray(total);
            if (messages[messages.length - 1]!.type === HandshakeType.server_hello_done) return resolve(messages);
          }
        }
      } catch (e) {
        reject(e);
      }
    });
    socket.on("error", (e) => reject(new Error(`127.0.0.1:${port}: ${e.message}`)));
    socket.on("close", () => reject(new Error(`127.0.0.1:${port} hung up before server_hello_done`)));
  }).finally(() => {
    clearTimeout(timer);
    socket.destroy();
  });
}

// ---------------------------------------------------------------------------------------------------------------

describe("03.25–03.26 the Certificate message", function () {
  it("03.26 decodes RFC 8448 §3's server Certificate as TLS 1.3: empty context, one certificate, no extensions", function () {
    const message = rfc.server3();
    const msg = decodeCertificate(message, TLS13);
    expect(msg.requestContext.length, "certificate_request_context (a server's is empty, RFC 8446 §4.4.2)").to.equal(0);
    expect(msg.entries.length, "certificates").to.equal(1);
    expect(msg.entries[0]!.extensions, "extensions").to.deep.equal([]);
    expect(toHex(msg.entries[0]!.certData)).to.equal(toHex(singleCertificateOf(message)));
  });

  it("03.26 the certificate in RFC 8448 §3 is X.509 DER that carries the RSA key of RFC 8448 §2", function () {
    const der = decodeCertificate(rfc.server3(), TLS13).entries[0]!.certData;
    const cert = new X509Certificate(der);
    expect(cert.publicKey.asymmetricKeyType).to.equal("rsa");
    expect(jwkModulus(cert), "modulus").to.equal(Buffer.from(rfc8448RsaKey().modulus).toString("base64url"));
    // the same server certificate in §5 and §7
    for (const m of [rfc.server5(), rfc.server7()]) expect(toHex(decodeCertificate(m, TLS13).entries[0]!.certData)).to.equal(toHex(der));
  });

  it("03.26 decodes RFC 8448 §6's ECDSA server Certificate and the client's RSA Certificate", function () {
    const server = decodeCertificate(rfc.server6(), TLS13);
    expect(server.requestContext.length).to.equal(0);
    expect(server.entries.length).to.equal(1);
    expect(server.entries[0]!.extensions).to.deep.equal([]);
    expect(toHex(server.entries[0]!.certData)).to.equal(toHex(singleCertificateOf(rfc.server6())));
    const serverKey = new X509Certificate(server.entries[0]!.certData).publicKey;
    expect(serverKey.asymmetricKeyType).to.equal("ec");
    expect(serverKey.asymmetricKeyDetails?.namedCurve, "the curve RFC 8448 §6 names").to.equal(section6ServerCurveFromProse());

    // §6 prose: "the client uses a certificate with an RSA key". Its context echoes the CertificateRequest's,
    // which in §6 is empty (the CertificateRequest starts 0d 00 00 27 00: context length 0).
    const request = findValue(6, "construct a CertificateRequest", "CertificateRequest");
    expect(request[4], "§6 CertificateRequest context length").to.equal(0);
    const client = decodeCertificate(rfc.client6(), TLS13);
    expect(client.requestContext.length).to.equal(0);
    expect(client.entries.length).to.equal(1);
    expect(toHex(client.entries[0]!.certData)).to.equal(toHex(singleCertificateOf(rfc.client6())));
    expect(new X509Certificate(client.entries[0]!.certData).publicKey.asymmetricKeyType).to.equal("rsa");
  });

  it("03.25 encodes every RFC 8448 Certificate byte for byte (§3, §5, §6 server and client, §7): one certificate, empty context, no extensions", function () {
    for (const [name, message] of Object.entries(rfc).map(([k, f]) => [k, f()] as const)) {
      const msg: CertificateMessage = { requestContext: new Uint8Array(0), entries: [{ certData: singleCertificateOf(message), extensions: [] }] };
      expectBytes(encodeCertificate(msg, TLS13), message, `RFC 8448 ${name}`, { structure: asCertificate13 });
    }
  });

  it("03.25 encodes hand-built TLS 1.2 and TLS 1.3 messages exactly as RFC 5246 §7.4.2 and RFC 8446 §4.4.2 lay them out", function () {
    const a = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
    const b = Uint8Array.of(0x30, 0x00);
    const tls12: CertificateMessage = { requestContext: new Uint8Array(0), entries: [{ certData: a, extensions: [] }, { certData: b, extensions: [] }] };
    // certificate (11), body of 16 bytes | certificate_list of 13 bytes | 00 00 05 <a> | 00 00 02 <b>
    expectBytes(encodeCertificate(tls12, TLS12), fromHex("0b000010" + "00000d" + ("000005" + toHex(a)) + ("000002" + toHex(b))), "TLS 1.2", { structure: asCertificate12 });

    const tls13: CertificateMessage = {
      requestContext: Uint8Array.of(0xc0, 0xff, 0xee),
      entries: [
        {
          certData: a,
          extensions: [
            { type: ExtensionType.status_request, data: Uint8Array.of(1, 0, 0, 1, 0xaa) },
            { type: ExtensionType.signed_certificate_timestamp, data: new Uint8Array(0) },
          ],
        },
        { certData: b, extensions: [] },
      ],
    };
    const expected =
      "0b000025" + // certificate (11), body of 37 bytes
      "03c0ffee" + // certificate_request_context<0..2^8-1>
      "00001e" + // certificate_list<0..2^24-1>: 30 bytes
      ("000005" + toHex(a)) + "000d" + ("0005" + "0005" + "01000001aa") + ("0012" + "0000") + // entry 1: 3+5 + 2+9+4
      ("000002" + toHex(b)) + "0000"; // entry 2: 3+2 + 2
    expectBytes(encodeCertificate(tls13, TLS13), fromHex(expected), "TLS 1.3", { structure: asCertificate13 });

    // an empty list is well-formed (a client with no certificate sends one, RFC 8446 §4.4.2 / RFC 5246 §7.4.6)
    const none: CertificateMessage = { requestContext: new Uint8Array(0), entries: [] };
    expectBytes(encodeCertificate(none, TLS12), fromHex("0b000003000000"), "an empty TLS 1.2 list");
    expectBytes(encodeCertificate(none, TLS13), fromHex("0b00000400000000"), "an empty TLS 1.3 list");

    // the plaintext TLS 1.2 record: 16 03 03, uint16 length, then the message
    const message = referenceMessage(tls12, TLS12);
    expectBytes(certificateRecord(tls12).toBytes(), cat([22, 3, 3], u16(message.length), message), "the TLS 1.2 record");
  });

  it("03.26 decodes the hand-built messages of RFC 5246 §7.4.2 and RFC 8446 §4.4.2, and the empty list", function () {
    const a = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
    const b = Uint8Array.of(0x30, 0x00);
    const tls12: CertificateMessage = { requestContext: new Uint8Array(0), entries: [{ certData: a, extensions: [] }, { certData: b, extensions: [] }] };
    expectSame(decodeCertificate(referenceMessage(tls12, TLS12), TLS12), tls12, "TLS 1.2");
    const tls13: CertificateMessage = {
      requestContext: Uint8Array.of(0xc0, 0xff, 0xee),
      entries: [
        { certData: a, extensions: [{ type: ExtensionType.status_request, data: Uint8Array.of(1, 0, 0, 1, 0xaa) }, { type: ExtensionType.signed_certificate_timestamp, data: new Uint8Array(0) }] },
        { certData: b, extensions: [] },
      ],
    };
    expectSame(decodeCertificate(referenceMessage(tls13, TLS13), TLS13), tls13, "TLS 1.3");
    const none: CertificateMessage = { requestContext: new Uint8Array(0), entries: [] };
    expectSame(decodeCertificate(Uint8Array.of(11, 0, 0, 3, 0, 0, 0), TLS12), none, "an empty TLS 1.2 list");
    expectSame(decodeCertificate(Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0), TLS13), none, "an empty TLS 1.3 list");
  });

  it("03.25 writeCertificateBody writes the body as laid out and notes every certificate (\"certificate 1 of 2 (… bytes)\")", function () {
    const chain = derOfFixtures("server-rsa-chain.crt");
    const msg: CertificateMessage = { requestContext: new Uint8Array(0), entries: chain.map((certData) => ({ certData, extensions: [] })) };
    for (const version of [TLS12, TLS13]) {
      const w = new ByteWriter();
      writeCertificateBody(w, msg, version);
      expectBytes(w.toBytes(), referenceBody(msg, version), `the ${version === TLS12 ? "TLS 1.2" : "TLS 1.3"} body`, { annotations: w.annotations });
      const notes = w.annotations.map((a) => a.note).join("\n");
      chain.forEach((c, i) => expect(notes).to.include(`certificate ${i + 1} of ${chain.length} (${c.length} bytes)`));
    }
  });

  it("03.26 readCertificateBody reads exactly the body and describes every certificate", function () {
    const chain = derOfFixtures("server-rsa-chain.crt");
    const msg: CertificateMessage = { requestContext: new Uint8Array(0), entries: chain.map((certData) => ({ certData, extensions: [] })) };
    for (const version of [TLS12, TLS13]) {
      const r = new ByteReader(referenceBody(msg, version));
      expectSame(readCertificateBody(r, version).entries.map((e) => e.certData), chain, "the certificates read");
      expect(r.remaining).to.equal(0);
      const read = r.annotations.map((a) => a.note).join("\n");
      chain.forEach((c, i) => expect(read).to.match(new RegExp(`certificate ${i + 1}\\b.*\\(${c.length} bytes\\)`)));
    }
  });

  it("03.25 writes a certificate longer than 2^16 bytes (uint24 lengths)", function () {
    const big = Uint8Array.from({ length: 70000 }, (_, i) => i & 0xff);
    for (const version of [TLS12, TLS13]) {
      const msg: CertificateMessage = { requestContext: new Uint8Array(0), entries: [{ certData: big, extensions: [] }] };
      expectBytes(encodeCertificate(msg, version), referenceMessage(msg, version), "a 70000-byte certificate");
    }
  });

  it("03.26 reads a certificate longer than 2^16 bytes (uint24 lengths)", function () {
    const big = Uint8Array.from({ length: 70000 }, (_, i) => i & 0xff);
    for (const version of [TLS12, TLS13]) {
      const msg: CertificateMessage = { requestContext: new Uint8Array(0), entries: [{ certData: big, extensions: [] }] };
      expectBytes(decodeCertificate(referenceMessage(msg, version), version).entries[0]!.certData, big, "the 70000-byte certificate read back");
    }
  });

  it("03.26 rejects what the structs forbid, with the alert RFC 8446 names, the field and the offset", function () {
    // an empty certificate: ASN.1Cert<1..2^24-1> and cert_data<1..2^24-1>
    expectTlsError(() => decodeCertificate(Uint8Array.of(11, 0, 0, 6, 0, 0, 3, 0, 0, 0), TLS12), {
      alert: AlertDescription.decode_error,
      offset: 7,
    });
    expectTlsError(() => decodeCertificate(Uint8Array.of(11, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 0, 0), TLS13), {
      alert: AlertDescription.decode_error,
      field: "cert_data",
      offset: 8,
    });
    // trailing bytes after the list, inside the body; and after the message
    const one = Uint8Array.of(11, 0, 0, 7, 0, 0, 4, 0, 0, 1, 0x30);
    expect(decodeCertificate(one, TLS12).entries.length).to.equal(1);
    const inBody = one.slice();
    inBody[3] = 8;
    expectTlsError(() => decodeCertificate(cat(inBody, [0]), TLS12), { alert: AlertDescription.decode_error, offset: 11 });
    expectTlsError(() => decodeCertificate(cat(one, [0]), TLS12), { alert: AlertDescription.decode_error, offset: 11 });
    // a certificate length running past its list
    expectTlsError(() => decodeCertificate(Uint8Array.of(11, 0, 0, 7, 0, 0, 4, 0, 0, 2, 0x30), TLS12), { alert: AlertDescription.decode_error });
    // the same extension twice in one entry: illegal_parameter (RFC 8446 §4.2), at the entry's extensions vector
    const dup = Uint8Array.of(11, 0, 0, 0x12, 0, 0, 0, 0x0e, 0, 0, 1, 0x30, 0, 8, 0, 5, 0, 0, 0, 5, 0, 0);
    expectTlsError(() => decodeCertificate(dup, TLS13), { alert: AlertDescription.illegal_parameter, field: "extensions", offset: 12 });
    // ...but the same type in two different entries is fine: each certificate has its own extensions
    const twoEntries = Uint8Array.of(11, 0, 0, 0x18, 0, 0, 0, 0x14, 0, 0, 1, 0x30, 0, 4, 0, 5, 0, 0, 0, 0, 1, 0x31, 0, 4, 0, 5, 0, 0);
    expect(decodeCertificate(twoEntries, TLS13).entries.map((e) => e.extensions.map((x) => x.type))).to.deep.equal([[5], [5]]);
    // not a Certificate: RFC 8448 §6's CertificateRequest
    expectTlsError(() => decodeCertificate(findValue(6, "construct a CertificateRequest", "CertificateRequest"), TLS13), {
      alert: AlertDescription.unexpected_message,
      field: "handshake type",
      offset: 0,
    });
    // a TLS 1.3 message read as TLS 1.2 does not parse (the context byte shifts every length)
    expectTlsError(() => decodeCertificate(rfc.server3(), TLS12), { alert: AlertDescription.decode_error });
  });

  it("03.25 refuses to write what cannot be sent, and versions without a Certificate form: internal_error", function () {
    const cert = { certData: Uint8Array.of(0x30, 0), extensions: [] };
    const encode = (msg: CertificateMessage, version: number) => () => writeCertificateBody(new ByteWriter(), msg, version);
    const internal = { alert: AlertDescription.internal_error };
    // TLS 1.2 has no room for extensions or a context
    expectTlsError(encode({ requestContext: new Uint8Array(0), entries: [{ ...cert, extensions: [{ type: 5, data: new Uint8Array(0) }] }] }, TLS12), internal);
    expectTlsError(encode({ requestContext: Uint8Array.of(1), entries: [cert] }, TLS12), internal);
    // an empty certificate, in either version
    for (const v of [TLS12, TLS13]) expectTlsError(encode({ requestContext: new Uint8Array(0), entries: [{ certData: new Uint8Array(0), extensions: [] }] }, v), internal);
    // a context longer than <0..2^8-1>
    expectTlsError(encode({ requestContext: new Uint8Array(256), entries: [] }, TLS13), internal);
    // a version this message has no form for
    expectTlsError(encode({ requestContext: new Uint8Array(0), entries: [cert] }, ProtocolVersion.TLS1_1), internal);
  });

  it("03.26 refuses to read a version without a Certificate form: internal_error", function () {
    expectTlsError(() => readCertificateBody(new ByteReader(Uint8Array.of(0, 0, 0)), ProtocolVersion.TLS1_1), { alert: AlertDescription.internal_error });
  });

  it(`03.25 encodes ${NUM_RUNS} random TLS 1.2 and ${NUM_RUNS} random TLS 1.3 messages in the RFC layout`, function () {
    for (const [version, arbitrary] of [
      [TLS12, tls12Message],
      [TLS13, tls13Message],
    ] as const) {
      assertProperty(fc.property(arbitrary, (msg) => expectBytes(encodeCertificate(msg, version), referenceMessage(msg, version), "the message")));
    }
  });

  it(`03.26 decodes ${NUM_RUNS} random TLS 1.2 and ${NUM_RUNS} random TLS 1.3 messages laid out as the RFCs say`, function () {
    for (const [version, arbitrary] of [
      [TLS12, tls12Message],
      [TLS13, tls13Message],
    ] as const) {
      assertProperty(fc.property(arbitrary, (msg) => expectSame(decodeCertificate(referenceMessage(msg, version), version), msg, "the message decoded")));
    }
  });

  it(`03.26 decoding throws only TlsError: every truncation, ${NUM_RUNS} mutations and random inputs per version`, function () {
    this.timeout(20000);
    const chain = derOfFixtures("server-rsa-chain.crt", "server-ecdsa.crt");
    const seeds13 = Object.values(rfc).map((f) => f());
    seeds13.push(referenceMessage({ requestContext: Uint8Array.of(7), entries: [{ certData: chain[0]!, extensions: [{ type: 5, data: Uint8Array.of(1) }] }] }, TLS13));
    const seeds12 = [referenceMessage({ requestContext: new Uint8Array(0), entries: chain.map((certData) => ({ certData, extensions: [] })) }, TLS12)];
    for (const [version, seeds] of [
      [TLS12, seeds12],
      [TLS13, seeds13],
    ] as const) {
      const decode = (b: Uint8Array) => decodeCertificate(b, version);
      for (const m of seeds) {
        for (const cut of truncations(m)) {
          const r = decodeOrTlsError(decode, cut, decodeAlerts);
          expect(r.ok, `the ${cut.length}-byte truncation of a ${m.length}-byte Certificate was accepted`).to.equal(false);
        }
      }
      // Whatever is accepted must be the canonical encoding of what was decoded: the layout leaves no choice.
      const property = (input: Uint8Array) => {
        const r = decodeOrTlsError(decode, input, decodeAlerts);
        if (r.ok) expect(toHex(referenceMessage(r.value, version))).to.equal(toHex(input));
      };
      assertProperty(fc.property(badInputs(seeds, 96), property));
      // random bodies behind a correct header, so that the body decoder itself is exercised
      assertProperty(fc.property(randomBytes(64), (body) => property(cat([HandshakeType.certificate], u24(body.length), body))));
    }
  });

  // ---- live: TLS 1.2 servers on 127.0.0.1 ----
  // Only TLS 1.2 sends its Certificate in the clear; a TLS 1.3 Certificate is encrypted under the handshake keys
  // (RFC 8446 §2), so it cannot be read before chapter 07. The RFC 8448 tests above cover the 1.3 form.

  describe("from real TLS 1.2 servers", function () {
    this.timeout(15000);
    let nodeRsa: NodeServer;
    let nodeEcdsa: NodeServer;
    let opensslRsa: OpenSslServer;
    let opensslEcdsa: OpenSslServer;
    const tls12Only = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } as const;

    before(async function () {
      [nodeRsa, nodeEcdsa, opensslRsa, opensslEcdsa] = await Promise.all([
        // the RSA leaf followed by the root, as one PEM: Node sends both
        startNodeServer({ ...tls12Only, key: readFixture("server-rsa.key"), cert: readFixture("server-rsa-chain.crt") }),
        // the ECDSA leaf alone
        startNodeServer({ ...tls12Only, key: readFixture("server-ecdsa.key"), cert: readFixture("server-ecdsa.crt") }),
        // -cert_chain: extra certificates s_server sends after its own
        startOpenSslServer(["-tls1_2", "-cert", fixturePath("server-rsa.crt"), "-key", fixturePath("server-rsa.key"), "-cert_chain", fixturePath("ca.crt")]),
        startOpenSslServer(["-tls1_2", "-cert", fixturePath("server-ecdsa.crt"), "-key", fixturePath("server-ecdsa.key"), "-cert_chain", fixturePath("ca.crt")]),
      ]);
    });
    after(async function () {
      await Promise.all([nodeRsa?.close(), nodeEcdsa?.close(), opensslRsa?.close(), opensslEcdsa?.close()]);
    });

    /** Our TLS 1.2 ClientHello to the server; returns its Certificate message (header included). */
    async function certificateFrom(port: number): Promise<Uint8Array> {
      const { clientHello } = makeClientHello({ version: "1.2", serverName: "localhost" });
      const flight = await serverFlight(port, clientHelloRecord(clientHello).toBytes());
      // RFC 5246 §7.3: ServerHello, then (for every suite we offer) the server's Certificate
      expect(flight.map((m) => m.type).slice(0, 2), "the flight starts ServerHello, Certificate").to.deep.equal([
        HandshakeType.server_hello,
        HandshakeType.certificate,
      ]);
      return flight[1]!.message;
    }

    const cases: { name: string; server: () => number; sent: FixtureName[] }[] = [
      { name: "Node, RSA leaf and root", server: () => nodeRsa.port, sent: ["server-rsa-chain.crt"] },
      { name: "Node, ECDSA leaf alone", server: () => nodeEcdsa.port, sent: ["server-ecdsa.crt"] },
      { name: "openssl s_server, RSA leaf and -cert_chain root", server: () => opensslRsa.port, sent: ["server-rsa.crt", "ca.crt"] },
      { name: "openssl s_server, ECDSA leaf and -cert_chain root", server: () => opensslEcdsa.port, sent: ["server-ecdsa.crt", "ca.crt"] },
    ];
    for (const { name, server, sent } of cases) {
      it(`03.26 ${name}: decodes the Certificate, and its certificates are the DER of the PEM files it was given`, async function () {
        const message = await certificateFrom(server());
        const msg = decodeCertificate(message, TLS12);
        expect(msg.requestContext.length).to.equal(0);
        expect(msg.entries.map((e) => toHex(e.certData))).to.deep.equal(derOfFixtures(...sent).map((c) => toHex(c)));
        expect(msg.entries.every((e) => e.extensions.length === 0)).to.equal(true);
        expect(toHex(encodeCertificate(msg, TLS12)), "re-encoded").to.equal(toHex(message));
      });
    }
  });
});
