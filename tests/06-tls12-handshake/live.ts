// Exercise 06.13 (the whole client, with its key log), live on 127.0.0.1: the learner's client completes TLS 1.2
// handshakes and an HTTP GET with Node's tls and with `openssl s_server -www`, for each suite of the chapter, with
// and without the extended master secret. The outside references: the servers' own view of the connection (Node's
// getCipher() in its answer, s_server's session report) and their key logs, which must hold the master secret our
// client derived. Also: certificate failures reported to the server, a server that asks for a client certificate,
// and close_notify in both directions.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertDescription, CipherSuite, DOWNGRADE_TLS12, NamedGroup } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { type Tls12Connection, annotateTrace, connectTcp, connectTls12, isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { startNodeServer } from "../support/peers.js";
import { expectRejection, fetchPage, roots, waitFor } from "./helpers.js";
import { type HttpsResponder, type OpenSslResponder, startHttpsResponder, startOpenSslResponder } from "../support/tls12-peers.js";

interface Case {
  label: string;
  suite: number;
  standardName: string;
  opensslName: string;
  groups?: number[];
  group?: number;
}

const CASES: Case[] = [
  { label: "AES128-GCM-SHA256 (RSA key exchange)", suite: CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, standardName: "TLS_RSA_WITH_AES_128_GCM_SHA256", opensslName: "AES128-GCM-SHA256" },
  { label: "AES256-GCM-SHA384 (RSA key exchange)", suite: CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, standardName: "TLS_RSA_WITH_AES_256_GCM_SHA384", opensslName: "AES256-GCM-SHA384" },
  { label: "DHE-RSA-AES128-GCM-SHA256", suite: CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, standardName: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", opensslName: "DHE-RSA-AES128-GCM-SHA256" },
  {
    label: "ECDHE-RSA-AES128-GCM-SHA256 with X25519",
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    standardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    opensslName: "ECDHE-RSA-AES128-GCM-SHA256",
    groups: [NamedGroup.x25519],
    group: NamedGroup.x25519,
  },
  {
    label: "ECDHE-RSA-AES128-GCM-SHA256 with P-256",
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    standardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    opensslName: "ECDHE-RSA-AES128-GCM-SHA256",
    groups: [NamedGroup.secp256r1],
    group: NamedGroup.secp256r1,
  },
  {
    label: "ECDHE-ECDSA-AES128-GCM-SHA256",
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    opensslName: "ECDHE-ECDSA-AES128-GCM-SHA256",
  },
];

/** What every successful connection must show, whichever server it was. */
function checkConnection(c: Case, ems: boolean, conn: Tls12Connection, keyLog: string[], serverKeyLog: Map<string, string>): void {
  expect(conn.cipherSuite).to.equal(c.suite);
  expect(conn.secrets.extendedMasterSecret, "extended master secret used").to.equal(ems);
  if (c.group !== undefined) {
    expect(conn.serverKeyExchange?.kind).to.equal("ecdhe");
    expect(conn.serverKeyExchange?.kind === "ecdhe" && conn.serverKeyExchange.params.namedCurve).to.equal(c.group);
  }
  expect(keyLog, "one key log line per connection").to.have.length(1);
  const [label, random, master] = keyLog[0]!.split(" ");
  expect(label).to.equal("CLIENT_RANDOM");
  expectBytes(conn.secrets.clientRandom, fromHex(random!), "the client random, as our key log line has it");
  expect(serverKeyLog.get(random!), "the server's key log holds the same master secret for this client random").to.equal(master);
  // The --trace view: every message of the connection decodes again, with a note for every byte.
  for (const a of annotateTrace(conn.trace)) expect(a.error, `${a.entry.from} ${a.entry.name}`).to.equal(undefined);
}

describe("06.13 live: our client against Node's tls (a small HTTPS responder on 127.0.0.1)", function () {
  let server: HttpsResponder;
  before(async () => {
    server = await startHttpsResponder();
  });
  after(async () => {
    await server?.close();
  });

  for (const c of CASES) {
    for (const ems of [true, false]) {
      it(`06.13 Node: ${c.label}, ${ems ? "with" : "without"} extended master secret: handshake, GET, the server's master secret`, async () => {
        const { conn, response, keyLog } = await fetchPage(server.port, { cipherSuites: [c.suite], groups: c.groups, extendedMasterSecret: ems });
        expect(response).to.match(/^HTTP\/1\.1 200 OK\r\n/);
        expect(response, "the suite Node says it negotiated").to.include(`hello from node: ${c.standardName} TLSv1.2`);
        checkConnection(c, ems, conn, keyLog, server.keyLog);
      });
    }
  }

  it("06.13 Node: the default offer (every suite, both groups) gets an ECDHE suite, and the server's close_notify ends read()", async () => {
    const { conn, response } = await fetchPage(server.port);
    expect(response, response).to.include("hello from node: TLS_ECDHE_");
    const names = conn.trace.map((e) => `${e.from} ${e.name}`);
    expect(names.slice(0, 8)).to.deep.equal([
      "client client_hello",
      "server server_hello",
      "server certificate",
      "server server_key_exchange",
      "server server_hello_done",
      "client client_key_exchange",
      "client change_cipher_spec",
      "client finished",
    ]);
    expect(names).to.include.members(["server change_cipher_spec", "server finished", "server alert: close_notify"]);
    expect(conn.trace.find((e) => e.from === "client" && e.name === "finished")?.encrypted, "our Finished is encrypted").to.equal(true);
    expect(conn.trace.find((e) => e.from === "server" && e.name === "finished")?.encrypted, "the server's Finished is encrypted").to.equal(true);
  });

  it("06.13 Node (an echo server): 40 000 bytes go out in three records of at most 2^14 and come back whole", async () => {
    const echo = await startNodeServer({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
    try {
      const conn = await connectTls12(await connectTcp("127.0.0.1", echo.port), { servername: "localhost", ca: roots() });
      const data = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff);
      conn.write(data);
      const sent = conn.trace.filter((e) => e.from === "client" && e.name === "application_data");
      expect(sent.map((e) => e.records)).to.deep.equal([3]);
      const back: Uint8Array[] = [];
      let received = 0;
      while (received < data.length) {
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

  it("06.13 Node: a server that asks for a client certificate (CertificateRequest) gets an empty Certificate and completes", async () => {
    const picky = await startHttpsResponder({ requestCert: true, rejectUnauthorized: false });
    try {
      const { conn, response } = await fetchPage(picky.port, { cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] });
      expect(response).to.match(/^HTTP\/1\.1 200 OK/);
      const names = conn.trace.map((e) => `${e.from} ${e.name}`);
      expect(names).to.include.members(["server certificate_request", "client certificate"]);
      const ours = conn.trace.find((e) => e.from === "client" && e.name === "certificate")!;
      expectBytes(ours.content, fromHex("0b000003000000"), "Certificate with an empty certificate_list");
    } finally {
      await picky.close();
    }
  });

  it("06.13 Node: a server that insists on a client certificate ends the handshake with an alert, reported by name", async () => {
    const strict = await startHttpsResponder({ requestCert: true, rejectUnauthorized: true, ca: readFixture("ca.crt") });
    try {
      const e = await expectRejection(() => fetchPage(strict.port, { cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }));
      expect(isReceivedAlert(e), `an alert from the server: ${e.message}`).to.equal(true);
      expect(e.alertName).to.equal("handshake_failure");
    } finally {
      await strict.close();
    }
  });

  it("06.13 Node, which also speaks TLS 1.3: its random ends with the downgrade sentinel, but we offered only TLS 1.2, so nothing was lost and the handshake completes (RFC 8446 §4.1.3)", async () => {
    const both = await startNodeServer({ minVersion: "TLSv1.2" });
    try {
      const conn = await connectTls12(await connectTcp("127.0.0.1", both.port), { servername: "localhost", ca: roots() });
      conn.write(new TextEncoder().encode("ping"));
      expect(new TextDecoder().decode((await conn.read()) ?? new Uint8Array(0)), "Node's echo").to.equal("ping");
      conn.close();
      expectBytes(conn.secrets.serverRandom.subarray(24), DOWNGRADE_TLS12, "the last 8 bytes of the server random: DOWNGRD 01");
    } finally {
      await both.close();
    }
  });

  it("06.13 Node: a name the certificate does not cover is bad_certificate, and the server receives that alert from us", async () => {
    const e = await expectRejection(() => fetchPage(server.port, { servername: "example.com" }));
    expect(e.alertName).to.equal("bad_certificate");
    expect(isReceivedAlert(e)).to.equal(false);
    await waitFor(() => server.clientErrors.some((m) => /alert (number )?42|bad certificate/i.test(m)), () => server.clientErrors.join("; "));
  });

  it("06.13 Node: without the root among our trust anchors, the chain is refused (unknown_ca)", async () => {
    const e = await expectRejection(() => fetchPage(server.port, { ca: [] }));
    expect(e.alertName).to.equal("unknown_ca");
  });

  it("06.13 Node: a server that only has a suite we did not offer answers handshake_failure, reported by name", async () => {
    const other = await startHttpsResponder({ ciphers: "ECDHE-RSA-AES256-GCM-SHA384" });
    try {
      const e = await expectRejection(() => fetchPage(other.port, { cipherSuites: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }));
      expect(isReceivedAlert(e), e.message).to.equal(true);
      expect(e.alert).to.equal(AlertDescription.handshake_failure);
      expect(e.message).to.include("handshake_failure");
    } finally {
      await other.close();
    }
  });
});

describe("06.13 live: our client against openssl s_server -www -tls1_2", function () {
  let server: OpenSslResponder;
  before(async () => {
    server = await startOpenSslResponder();
  });
  after(async () => {
    await server?.close();
  });

  for (const c of CASES) {
    for (const ems of [true, false]) {
      it(`06.13 OpenSSL: ${c.label}, ${ems ? "with" : "without"} extended master secret: handshake, GET, the server's master secret`, async () => {
        const { conn, response, keyLog } = await fetchPage(server.port, { cipherSuites: [c.suite], groups: c.groups, extendedMasterSecret: ems });
        expect(response).to.match(/^HTTP\/1\.0 200 ok\r\n/);
        expect(response, "s_server's session report").to.include(`Cipher is ${c.opensslName}`);
        expect(response, "s_server's session report").to.include(`Extended master secret: ${ems ? "yes" : "no"}`);
        const masterKey = /Master-Key: ([0-9A-F]+)/.exec(response)?.[1];
        expectBytes(conn.secrets.master, fromHex(masterKey ?? ""), "the master secret, against the Master-Key s_server reports");
        checkConnection(c, ems, conn, keyLog, server.keyLog());
      });
    }
  }
});

describe("06.13 live: the key log file", function () {
  let server: HttpsResponder;
  let dir: string;
  before(async () => {
    server = await startHttpsResponder();
    dir = mkdtempSync(join(tmpdir(), "tls-by-hand-keylog-"));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("06.13 options.keyLog as a file: one CLIENT_RANDOM line appended per connection, each with the master secret Node logged", async () => {
    const file = join(dir, "keys.log");
    const a = await fetchPage(server.port, { keyLog: file, cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] });
    const b = await fetchPage(server.port, { keyLog: file, cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256] });
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines).to.have.length(3);
    expect(lines[2]).to.equal("");
    for (const [line, conn] of [[lines[0]!, a.conn], [lines[1]!, b.conn]] as const) {
      const [label, random, master] = line.split(" ");
      expect(label).to.equal("CLIENT_RANDOM");
      expectBytes(conn.secrets.clientRandom, fromHex(random!), "the client random, as the key log file has it");
      expect(server.keyLog.get(random!)).to.equal(master);
    }
  });
});
