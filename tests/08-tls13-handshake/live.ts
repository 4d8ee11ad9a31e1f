// Exercises 08.17 (the whole client) and 08.18 (after the handshake) live on 127.0.0.1: the learner's TLS 1.3 client completes handshakes and an HTTP GET with
// Node's tls and with `openssl s_server -www -tls1_3`, for every suite, for X25519 and P-256 key shares, with the RSA
// and the ECDSA certificate; and with servers that accept only a group we sent no share for (a HelloRetryRequest).
// The outside references: the servers' own account of the connection (Node's getCipher() in its answer, s_server's
// session page) and their key logs, which must equal ours line for line. Then what comes after the handshake: the
// tickets Node sends (their lifetime is Node's sessionTimeout; their bytes what the server's key log decrypts), and
// KeyUpdate both ways, with Node and with s_server's interactive "K" command.
import { expect } from "chai";
import { CipherSuite, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { type Tls13Connection, annotateTrace13, connectTls13 } from "../../chapters/08-tls13-handshake/index.js";
import {
  type Https13Responder,
  type OpenSsl13Responder,
  startHttps13Responder,
  startInteractiveOpenSsl13,
  startOpenSsl13Responder,
} from "../support/tls13-peers.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { handshakes } from "../support/structures.js";
import { startTamperProxy13 } from "../support/tamper-proxy13.js";
import { GET, decryptServerRecords, expectRejection, expectSameKeyLog, fetchPage13, readAll, roots, waitFor } from "./helpers.js";
import { ticketFields } from "./vectors.js";

const SUITES = [
  { code: CipherSuite.TLS_AES_128_GCM_SHA256, name: "TLS_AES_128_GCM_SHA256" },
  { code: CipherSuite.TLS_AES_256_GCM_SHA384, name: "TLS_AES_256_GCM_SHA384" },
  { code: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, name: "TLS_CHACHA20_POLY1305_SHA256" },
];
const GROUPS = [
  { code: NamedGroup.x25519, name: "X25519" },
  { code: NamedGroup.secp256r1, name: "P-256" },
];
/** In TLS 1.3 the server picks its certificate by the schemes we offer. */
const CERTIFICATES = [
  { name: "RSA certificate (rsa_pss_rsae_sha256)", schemes: [SignatureScheme.rsa_pss_rsae_sha256], key: "rsa", scheme: SignatureScheme.rsa_pss_rsae_sha256 },
  { name: "ECDSA certificate (ecdsa_secp256r1_sha256)", schemes: [SignatureScheme.ecdsa_secp256r1_sha256], key: "ec", scheme: SignatureScheme.ecdsa_secp256r1_sha256 },
];

/** What every successful connection must show, whichever server it was. */
async function checkConnection(
  conn: Tls13Connection,
  keyLog: string[],
  serverKeyLog: () => Map<string, Map<string, string>>,
  expected: { suite: number; group: number; key?: string; scheme?: number; retry?: boolean },
): Promise<void> {
  expect(conn.cipherSuite, "suite").to.equal(expected.suite);
  expect(conn.group, "group").to.equal(expected.group);
  expect(conn.helloRetryRequest, "HelloRetryRequest").to.equal(expected.retry ?? false);
  if (expected.key !== undefined) expect(conn.serverCertificates[0]!.publicKey.kind).to.equal(expected.key);
  if (expected.scheme !== undefined) expect(conn.certificateVerify.scheme).to.equal(expected.scheme);
  expect(keyLog, "five key log lines").to.have.length(5);
  await expectSameKeyLog(keyLog, conn.secrets.clientRandom, serverKeyLog);
  for (const a of annotateTrace13(conn.trace)) expect(a.error, `${a.entry.from} ${a.entry.name}`).to.equal(undefined);
  const names = conn.trace.map((e) => `${e.from} ${e.name}`);
  expect(names.filter((n) => n === "client client_hello"), "ClientHellos sent").to.have.length(expected.retry ? 2 : 1);
  for (const m of ["encrypted_extensions", "certificate", "certificate_verify", "finished"]) {
    expect(conn.trace.find((e) => e.from === "server" && e.name === m)?.encrypted, `the server's ${m} came encrypted`).to.equal(true);
  }
  expect(conn.trace.find((e) => e.from === "client" && e.name === "finished")?.encrypted, "our Finished went encrypted").to.equal(true);
}

describe("08.17 live: our TLS 1.3 client against Node's tls", function () {
  let server: Https13Responder;
  before(async () => {
    server = await startHttps13Responder();
  });
  after(async () => {
    await server?.close();
  });

  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const cert of CERTIFICATES) {
        it(`08.17 Node: ${suite.name}, ${group.name} key share, ${cert.name}: handshake, GET, the same key log`, async () => {
          const { conn, response, keyLog } = await fetchPage13(server.port, { cipherSuites: [suite.code], groups: [group.code], signatureSchemes: cert.schemes });
          expect(response).to.match(/^HTTP\/1\.1 200 OK\r\n/);
          expect(response, "what Node says it negotiated").to.include(`hello from node: ${suite.name} TLSv1.3`);
          await checkConnection(conn, keyLog, () => server.keyLog, { suite: suite.code, group: group.code, key: cert.key, scheme: cert.scheme });
        });
      }
    }
  }

  it("08.17 Node: the default offer gets a handshake; the message flow is RFC 8446 §2's, with the middlebox ChangeCipherSpec both ways", async () => {
    const { conn, response } = await fetchPage13(server.port);
    expect(response).to.include("TLSv1.3");
    const names = conn.trace.map((e) => `${e.from} ${e.name}`);
    const order = [
      "client client_hello",
      "server server_hello",
      "server encrypted_extensions",
      "server certificate",
      "server certificate_verify",
      "server finished",
      "client finished",
      "client application_data",
    ];
    expect(names.filter((n) => order.includes(n))).to.deep.equal(order);
    expect(names).to.include.members(["client change_cipher_spec (middlebox compatibility)", "server change_cipher_spec (ignored)", "server alert: close_notify"]);
    expect(names.indexOf("client change_cipher_spec (middlebox compatibility)")).to.be.lessThan(names.indexOf("client finished"));
  });

  it("08.17 Node: 40 000 bytes go out in three records of at most 2^14 and come back whole (an echo server)", async () => {
    const { startNodeServer } = await import("../support/peers.js");
    const echo = await startNodeServer({ minVersion: "TLSv1.3" });
    try {
      const conn = await connectTls13(await connectTcp("127.0.0.1", echo.port), { servername: "localhost", ca: roots() });
      const data = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff);
      conn.write(data);
      expect(conn.trace.filter((e) => e.from === "client" && e.name === "application_data").map((e) => e.records)).to.deep.equal([3]);
      const back: Uint8Array[] = [];
      for (let received = 0; received < data.length; ) {
        const chunk = await conn.read();
        if (chunk === null) throw new Error(`the echo server closed after ${received} bytes`);
        back.push(chunk);
        received += chunk.length;
      }
      expectBytes(new Uint8Array(Buffer.concat(back)), data, "the echo, against what we sent");
      conn.close();
    } finally {
      await echo.close();
    }
  });

  it("08.17 Node: a server that asks for a client certificate gets an empty Certificate (with its request context) and completes", async () => {
    const picky = await startHttps13Responder({ requestCert: true, rejectUnauthorized: false });
    try {
      const { conn, response } = await fetchPage13(picky.port);
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      const names = conn.trace.map((e) => `${e.from} ${e.name}`);
      expect(names).to.include.members(["server certificate_request", "client certificate"]);
      expect(names.indexOf("client certificate")).to.be.lessThan(names.indexOf("client finished"));
      const ours = conn.trace.find((e) => e.from === "client" && e.name === "certificate")!;
      expectBytes(ours.content, Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0), "our Certificate: empty context, empty list", { structure: handshakes });
    } finally {
      await picky.close();
    }
  });

  it("08.17 Node: a name the certificate does not cover is bad_certificate, and Node receives that alert from us (encrypted)", async () => {
    const e = await expectRejection(() => fetchPage13(server.port, { servername: "example.com" }));
    expect(e.alertName).to.equal("bad_certificate");
    await waitFor(() => server.clientErrors.some((m) => /alert (number )?42|bad certificate/i.test(m)), () => server.clientErrors.join("; "));
  });

  it("08.17 Node: without the root among our trust anchors, the chain is refused (unknown_ca)", async () => {
    const e = await expectRejection(() => fetchPage13(server.port, { ca: [] }));
    expect(e.alertName).to.equal("unknown_ca");
  });

  it("08.17 Node: a server with no suite in common answers handshake_failure, reported by name", async () => {
    const other = await startHttps13Responder({ ciphers: "TLS_AES_256_GCM_SHA384" });
    try {
      const e = await expectRejection(() => fetchPage13(other.port, { cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256] }));
      expect(e.alertName).to.equal("handshake_failure");
      expect(e.field).to.equal("received alert");
    } finally {
      await other.close();
    }
  });
});

describe("08.17 live: our TLS 1.3 client against openssl s_server -www -tls1_3", function () {
  let server: OpenSsl13Responder;
  before(async () => {
    server = await startOpenSsl13Responder();
  });
  after(async () => {
    await server?.close();
  });

  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const cert of CERTIFICATES) {
        it(`08.17 OpenSSL: ${suite.name}, ${group.name} key share, ${cert.name}: handshake, GET, the same key log`, async () => {
          const { conn, response, keyLog } = await fetchPage13(server.port, { cipherSuites: [suite.code], groups: [group.code], signatureSchemes: cert.schemes });
          expect(response).to.match(/^HTTP\/1\.0 200 ok\r\n/);
          expect(response, "s_server's session page").to.include(`Cipher is ${suite.name}`);
          expect(response).to.include("Protocol  : TLSv1.3");
          await checkConnection(conn, keyLog, () => server.keyLog(), { suite: suite.code, group: group.code, key: cert.key, scheme: cert.scheme });
        });
      }
    }
  }
});

describe("08.17 live: HelloRetryRequest (a server that accepts only a group we sent no share for)", function () {
  let p256Only: OpenSsl13Responder;
  let x25519Only: OpenSsl13Responder;
  let nodeP256: Https13Responder;
  before(async () => {
    [p256Only, x25519Only, nodeP256] = await Promise.all([
      startOpenSsl13Responder("P-256"),
      startOpenSsl13Responder("X25519"),
      startHttps13Responder({ ecdhCurve: "P-256" }),
    ]);
  });
  after(async () => {
    await Promise.all([p256Only?.close(), x25519Only?.close(), nodeP256?.close()]);
  });

  for (const suite of SUITES) {
    it(`08.17 OpenSSL -groups P-256, our share X25519, ${suite.name}: a HelloRetryRequest, a second ClientHello with a P-256 share, the same key log`, async () => {
      const { conn, response, keyLog } = await fetchPage13(p256Only.port, {
        cipherSuites: [suite.code],
        groups: [NamedGroup.x25519, NamedGroup.secp256r1],
        keyShareGroups: [NamedGroup.x25519],
      });
      expect(response).to.include(`Cipher is ${suite.name}`);
      expect(response, "s_server: the only group it shares with us").to.include("Shared groups: secp256r1");
      await checkConnection(conn, keyLog, () => p256Only.keyLog(), { suite: suite.code, group: NamedGroup.secp256r1, retry: true });
      const names = conn.trace.map((e) => `${e.from} ${e.name}`);
      const ccs = names.indexOf("client change_cipher_spec (middlebox compatibility)");
      expect(ccs, "our ChangeCipherSpec goes before the second ClientHello").to.equal(names.lastIndexOf("client client_hello") - 1);
      expect(names.filter((n) => n.startsWith("client change_cipher_spec")), "and only once").to.have.length(1);
      expect(names.indexOf("server hello_retry_request"), "the HelloRetryRequest comes right after the first ClientHello").to.equal(1);
    });
  }

  it("08.17 OpenSSL -groups X25519, our share P-256: a HelloRetryRequest the other way round", async () => {
    const { conn, keyLog } = await fetchPage13(x25519Only.port, { groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] });
    await checkConnection(conn, keyLog, () => x25519Only.keyLog(), { suite: conn.cipherSuite, group: NamedGroup.x25519, retry: true });
  });

  it("08.17 Node (ecdhCurve P-256), our share X25519: a HelloRetryRequest, GET, the same key log", async () => {
    const { conn, response, keyLog } = await fetchPage13(nodeP256.port, { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] });
    expect(response).to.include("TLSv1.3");
    await checkConnection(conn, keyLog, () => nodeP256.keyLog, { suite: conn.cipherSuite, group: NamedGroup.secp256r1, retry: true });
  });

  it("08.17 a server whose only group we do not support at all: Node answers handshake_failure, reported by name", async () => {
    const e = await expectRejection(() => fetchPage13(nodeP256.port, { groups: [NamedGroup.x25519] }));
    expect(e.alertName).to.equal("handshake_failure");
  });
});

describe("08.18 live: after the handshake", function () {
  let server: Https13Responder;
  before(async () => {
    server = await startHttps13Responder({ sessionTimeout: 4321 });
  });
  after(async () => {
    await server?.close();
  });

  it("08.17 Node's two tickets are kept (08.4): their lifetime is Node's sessionTimeout, their bytes those the server's key log decrypts", async () => {
    const proxy = await startTamperProxy13(server.port);
    try {
      const { conn } = await fetchPage13(proxy.port, { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] });
      expect(conn.tickets).to.have.length(2);
      for (const t of conn.tickets) expect(t.ticket.lifetime, "ticket_lifetime = sessionTimeout").to.equal(4321);
      // Decrypt everything the server sent with the secrets from Node's own key log, and find its tickets.
      const seen = proxy.seen();
      const stream = decryptServerRecords(seen.serverRecords, server.keyLog.get(seen.clientRandom!)!, CipherSuite.TLS_AES_128_GCM_SHA256);
      const tickets = stream.filter((m) => m.stage === "application" && m.type === 22 && m.content[0] === 4);
      expectSame(
        conn.trace.filter((e) => e.from === "server" && e.name === "new_session_ticket").map((e) => e.content),
        tickets.map((t) => t.content),
        "the tickets we read, against those the server's key log decrypts",
        { structure: handshakes },
      );
      expectSame(conn.tickets.map((t) => t.ticket.ticket), tickets.map((t) => ticketFields(t.content).ticket), "the tickets kept");
    } finally {
      await proxy.close();
    }
  });

  it("08.18 Node: after updateKeys() our GET goes under the next keys, and Node (which must follow) answers", async () => {
    const conn = await connectTls13(await connectTcp("127.0.0.1", server.port), { servername: "localhost", ca: roots() });
    conn.updateKeys();
    conn.updateKeys();
    conn.write(GET);
    const response = await readAll(conn);
    conn.close();
    expect(response).to.match(/^HTTP\/1\.1 200 OK/);
    expectSame(conn.trace.filter((e) => e.from === "client" && e.name === "key_update").map((e) => e.content), [Uint8Array.of(24, 0, 0, 1, 0), Uint8Array.of(24, 0, 0, 1, 0)], "our two KeyUpdates");
  });

  it("08.18 Node: updateKeys(true) asks Node to update too: its KeyUpdate arrives, and its answer comes under its new keys", async () => {
    const conn = await connectTls13(await connectTcp("127.0.0.1", server.port), { servername: "localhost", ca: roots() });
    conn.updateKeys(true);
    conn.write(GET);
    const response = await readAll(conn);
    conn.close();
    expect(response).to.match(/^HTTP\/1\.1 200 OK/);
    const names = conn.trace.map((e) => `${e.from} ${e.name}`);
    expect(names).to.include("server key_update");
    expect(conn.trace.find((e) => e.from === "server" && e.name === "key_update")!.content[4], "Node's answer does not ask again").to.equal(0);
    expect(names.indexOf("server key_update")).to.be.lessThan(names.indexOf("server application_data"));
  });

  it("08.18 OpenSSL: s_server's KeyUpdate asking for ours (its K command): we answer before our next data, and s_server reads that data", async () => {
    const s = await startInteractiveOpenSsl13();
    try {
      const conn = await connectTls13(await connectTcp("127.0.0.1", s.port), { servername: "localhost", ca: roots() });
      conn.write(new TextEncoder().encode("before\n"));
      await s.waitForOutput(/before/);
      s.type("K\n");
      // s_server reads its stdin in whole chunks: give the command a moment of its own before the next line.
      await new Promise((r) => setTimeout(r, 300));
      s.type("from the server\n");
      let text = "";
      while (!text.includes("from the server")) {
        const data = await conn.read();
        if (data === null) throw new Error(`s_server closed; output:\n${s.output()}`);
        text += new TextDecoder().decode(data);
      }
      const names = conn.trace.map((e) => `${e.from} ${e.name}`);
      expect(names.indexOf("server key_update"), names.join(", ")).to.be.greaterThan(-1);
      expect(names.indexOf("client key_update"), "our answer follows the server's KeyUpdate").to.be.greaterThan(names.indexOf("server key_update"));
      expect(conn.trace.find((e) => e.from === "server" && e.name === "key_update")!.content[4], "update_requested").to.equal(1);
      expect(conn.trace.find((e) => e.from === "client" && e.name === "key_update")!.content[4], "our answer: update_not_requested").to.equal(0);
      conn.write(new TextEncoder().encode("after the update\n"));
      await s.waitForOutput(/after the update/);
      conn.close();
    } finally {
      await s.close();
    }
  });
});
