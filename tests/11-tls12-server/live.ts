// The learner's TLS 1.2 server on 127.0.0.1 against clients that no one here wrote: `openssl s_client` (RSA key
// exchange, DHE, ECDHE with the RSA and the ECDSA certificate, ChaCha20-Poly1305, PKCS #1 v1.5 signatures, with and
// without the extended master secret, resumption by session ID and by ticket; its key log must equal the server's),
// curl, Node's tls and https (resumption too), and the project's own client of chapter 06: two halves written by the
// learner, talking. One port for both versions: Node's default gets TLS 1.3 from chapter 10, a client limited to 1.2
// gets chapter 11; a server limited to 1.2 marks its random, and s_client, offering 1.3, refuses it. Every test here
// runs the whole server, so every one is titled 11.17, the script: a bug in an earlier step is named by that step's
// own tests first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { CipherSuite } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { connectTcp, connectTls12 } from "../../chapters/06-tls12-handshake/index.js";
import { TicketKeys, newSecretKey, startTlsServer } from "../../chapters/10-tls13-server/index.js";
import { SessionCache, type Tls12ServerConfig, acceptTls, acceptTls12 } from "../../chapters/11-tls12-server/index.js";
import { readAll, roots } from "../support/client-helpers.js";
import { haveCommand, httpGet, runClient, sClient } from "../support/clients.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { parseKeyLog } from "../support/tls12-peers.js";
import { fixtureCredentials } from "./helpers.js";

const CA = fixturePath("ca.crt");

/** A TLS 1.2 server of ours (sessions by ID and by ticket), its key log kept in memory; `both` adds chapter 10's 1.3 on the same port. */
async function ourServer(options: { both?: boolean; config?: Partial<Tls12ServerConfig> } = {}) {
  const keyLog: string[] = [];
  const tls12: Tls12ServerConfig = {
    credentials: fixtureCredentials(),
    sessionCache: new SessionCache(),
    ticketKeys: new TicketKeys(),
    keyLog: (line) => keyLog.push(line),
    ...options.config,
  };
  const tls13 = { credentials: fixtureCredentials(), cookieKey: newSecretKey(), ticketKeys: new TicketKeys(), keyLog: (line: string) => keyLog.push(line) };
  const server = await startTlsServer({ tls13, accept: options.both ? (t, o) => acceptTls(t, { tls12, tls13 }, o) : (t, o) => acceptTls12(t, tls12, o) });
  return { server, keyLog: () => parseKeyLog(keyLog.join("\n")) };
}

/** What s_client says it negotiated, and the page our server sent. */
function negotiated(output: string) {
  return {
    version: /(?:New|Reused), (TLSv1\.[23]), Cipher/.exec(output)?.[1],
    cipher: /(?:New|Reused), TLSv1\.[23], Cipher is (\S+)/.exec(output)?.[1],
    reused: /^Reused, TLSv1\.2/m.test(output),
    ems: /Extended master secret: (yes|no)/.exec(output)?.[1],
    verified: /Verify return code: 0 \(ok\)/.test(output),
    page: output.includes("HTTP/1.1 ") ? output.slice(output.indexOf("HTTP/1.1 ")) : "",
  };
}

/** A cell of the page's table, by its header. */
function cell(page: string, header: string): string | undefined {
  return new RegExp(`<th>${header}</th><td>([^<]*)</td>`).exec(page)?.[1];
}

/** The master secret s_client logged (its key log file holds one connection). */
function loggedBy(file: string): [string, string] {
  const [entry] = [...parseKeyLog(readFileSync(file, "latin1"))];
  if (entry === undefined) throw new Error(`s_client wrote no CLIENT_RANDOM line to ${file}`);
  return entry;
}

describe("11.17 live: openssl s_client against our TLS 1.2 server", function () {
  this.timeout(30_000);
  let ours: Awaited<ReturnType<typeof ourServer>>;
  let noEms: Awaited<ReturnType<typeof ourServer>>;
  let dir: string;
  before(async () => {
    ours = await ourServer();
    noEms = await ourServer({ config: { extendedMasterSecret: false } });
    dir = mkdtempSync(join(tmpdir(), "tls-by-hand-11-live-"));
  });
  after(async () => {
    await Promise.all([ours?.server.close(), noEms?.server.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { id: string; name: string; args: string[]; cipher: string; kx: RegExp; auth: RegExp }[] = [
    { id: "11.17", name: "RSA key exchange (AES128-GCM-SHA256)", args: ["-cipher", "AES128-GCM-SHA256"], cipher: "AES128-GCM-SHA256", kx: /^RSA/, auth: /RSA-2048.*decrypt the premaster/ },
    { id: "11.17", name: "DHE (DHE-RSA-AES256-GCM-SHA384), ffdhe2048 of RFC 7919", args: ["-cipher", "DHE-RSA-AES256-GCM-SHA384"], cipher: "DHE-RSA-AES256-GCM-SHA384", kx: /^DHE ffdhe2048/, auth: /RSA-2048.*rsa_pss_rsae_sha256/ },
    { id: "11.17", name: "ECDHE with the RSA certificate, X25519", args: ["-cipher", "ECDHE-RSA-AES128-GCM-SHA256"], cipher: "ECDHE-RSA-AES128-GCM-SHA256", kx: /^ECDHE x25519/, auth: /RSA-2048.*rsa_pss_rsae_sha256/ },
    { id: "11.17", name: "ECDHE with the ECDSA certificate, P-256", args: ["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", "-groups", "P-256"], cipher: "ECDHE-ECDSA-AES256-GCM-SHA384", kx: /^ECDHE secp256r1/, auth: /EC P-256.*ecdsa_secp256r1_sha256/ },
    { id: "11.17", name: "ChaCha20-Poly1305 records (ECDHE-RSA-CHACHA20-POLY1305)", args: ["-cipher", "ECDHE-RSA-CHACHA20-POLY1305"], cipher: "ECDHE-RSA-CHACHA20-POLY1305", kx: /^ECDHE/, auth: /RSA/ },
    { id: "11.17", name: "a client that accepts only rsa_pkcs1_sha256 signatures", args: ["-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-sigalgs", "RSA+SHA256"], cipher: "ECDHE-RSA-AES128-GCM-SHA256", kx: /^ECDHE/, auth: /rsa_pkcs1_sha256/ },
  ];
  for (const c of cases) {
    it(`${c.id} s_client -tls1_2, ${c.name}: the handshake, the page, and s_client's key log equal to the server's`, async () => {
      const keyLogFile = join(dir, `${c.name.replace(/\W+/g, "-")}.keys`);
      const run = await sClient(ours.server.port, ["-tls1_2", "-CAfile", CA, "-servername", "localhost", "-keylogfile", keyLogFile, "-ign_eof", ...c.args], { input: httpGet("/s_client") });
      const n = negotiated(run.output);
      expect(n.cipher, run.output).to.equal(c.cipher);
      expect(n.verified, "s_client verified our chain to the test root").to.equal(true);
      expect(n.ems, "Extended master secret").to.equal("yes");
      expect(cell(n.page, "protocol")).to.equal("TLS 1.2");
      expect(cell(n.page, "key exchange")).to.match(c.kx);
      expect(cell(n.page, "server authentication")).to.match(c.auth);
      const [random, master] = loggedBy(keyLogFile);
      expect(ours.keyLog().get(random), "the server's master secret for s_client's client random").to.equal(master);
    });
  }

  it("11.17 without the extended master secret: a server told not to use it, and a client that does not offer it (OpenSSL's Options = -ExtendedMasterSecret); key logs still agree", async () => {
    const keys1 = join(dir, "no-ems-server.keys");
    const one = negotiated((await sClient(noEms.server.port, ["-tls1_2", "-CAfile", CA, "-keylogfile", keys1, "-ign_eof"], { input: httpGet("/") })).output);
    expect(one.ems, "Extended master secret, server side off").to.equal("no");
    expect(cell(one.page, "extended master secret \\(RFC 7627\\)")).to.equal("no");
    expect(noEms.keyLog().get(loggedBy(keys1)[0])).to.equal(loggedBy(keys1)[1]);
    const conf = join(dir, "no-ems.cnf");
    writeFileSync(conf, "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nOptions = -ExtendedMasterSecret\n");
    const keys2 = join(dir, "no-ems-client.keys");
    const previous = process.env.OPENSSL_CONF;
    process.env.OPENSSL_CONF = conf;
    let two: ReturnType<typeof negotiated>;
    try {
      two = negotiated((await sClient(ours.server.port, ["-tls1_2", "-CAfile", CA, "-keylogfile", keys2, "-ign_eof"], { input: httpGet("/") })).output);
    } finally {
      if (previous === undefined) delete process.env.OPENSSL_CONF;
      else process.env.OPENSSL_CONF = previous;
    }
    expect(two.ems, "Extended master secret, client side off").to.equal("no");
    expect(ours.keyLog().get(loggedBy(keys2)[0])).to.equal(loggedBy(keys2)[1]);
  });

  it("11.17 s_client -sess_out, then -sess_in with a ticket: \"Reused, TLSv1.2\", the page says resumed by session ticket", async () => {
    const session = join(dir, "ticket.pem");
    const first = await sClient(ours.server.port, ["-tls1_2", "-CAfile", CA, "-sess_out", session, "-ign_eof"], { input: httpGet("/first") });
    expect(first.output, "a ticket arrived").to.match(/TLS session ticket lifetime hint: 7200/);
    const keys = join(dir, "ticket-resumed.keys");
    const second = negotiated((await sClient(ours.server.port, ["-tls1_2", "-CAfile", CA, "-sess_in", session, "-keylogfile", keys, "-ign_eof"], { input: httpGet("/second") })).output);
    expect(second.reused, "Reused").to.equal(true);
    expect(cell(second.page, "resumed")).to.match(/^yes.*session ticket/);
    expect(ours.keyLog().get(loggedBy(keys)[0]), "the resumed connection's key log line").to.equal(loggedBy(keys)[1]);
  });

  it("11.17 s_client -no_ticket -sess_out, then -sess_in: resumed by session ID, the same ID", async () => {
    const session = join(dir, "id.pem");
    const first = await sClient(ours.server.port, ["-tls1_2", "-no_ticket", "-CAfile", CA, "-sess_out", session, "-ign_eof"], { input: httpGet("/first") });
    const id = /Session-ID: ([0-9A-F]{64})/.exec(first.output)?.[1];
    expect(id, "a 32-byte session ID").to.be.a("string");
    const run = await sClient(ours.server.port, ["-tls1_2", "-no_ticket", "-CAfile", CA, "-sess_in", session, "-ign_eof"], { input: httpGet("/second") });
    const second = negotiated(run.output);
    expect(second.reused, "Reused").to.equal(true);
    expect(run.output).to.include(`Session-ID: ${id}`);
    expect(cell(second.page, "resumed")).to.match(/^yes.*session ID/);
  });

  it("11.17 a server limited to TLS 1.2 sets the downgrade sentinel: s_client, offering 1.3 and 1.2, refuses it (illegal_parameter); offering only 1.2, it connects", async () => {
    const refused = await sClient(ours.server.port, ["-CAfile", CA, "-servername", "localhost"], { input: "" });
    expect(refused.output, refused.output).to.match(/inappropriate fallback|illegal parameter|tls_process_server_hello/i);
    expect(negotiated(refused.output).version, "no TLS 1.2 session").to.equal(undefined);
    const fine = await sClient(ours.server.port, ["-tls1_2", "-CAfile", CA], { input: "" });
    expect(negotiated(fine.output).version, fine.output).to.equal("TLSv1.2");
  });
});

describe("11.17 live: curl, Node, our own client, one port for both versions", function () {
  this.timeout(30_000);
  let ours: Awaited<ReturnType<typeof ourServer>>;
  let both: Awaited<ReturnType<typeof ourServer>>;
  before(async () => {
    ours = await ourServer();
    both = await ourServer({ both: true });
  });
  after(async () => {
    await Promise.all([ours?.server.close(), both?.server.close()]);
  });

  it("11.17 curl --tlsv1.2 --tls-max 1.2 --cacert <the test root>: the page, with ALPN http/1.1", async () => {
    if (!haveCommand("curl")) throw new Error("curl is not installed (apt-get install curl; .ci/run does it)");
    const run = await runClient("curl", ["-s", "--tlsv1.2", "--tls-max", "1.2", "--cacert", CA, "--resolve", `localhost:${ours.server.port}:127.0.0.1`, `https://localhost:${ours.server.port}/curl`]);
    expect(run.code, run.output).to.equal(0);
    expect(cell(run.output, "protocol")).to.equal("TLS 1.2");
    expect(cell(run.output, "ALPN")).to.equal("http/1.1");
    expect(cell(run.output, "server name \\(SNI\\)")).to.equal("localhost");
  });

  it("11.17 Node's https.get and tls.connect (each suite of ours): the page; Node's own view of the connection matches; a second tls.connect resumes with Node's session", async () => {
    const page = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: "127.0.0.1", port: ours.server.port, path: "/node", servername: "localhost", ca: readFixture("ca.crt"), maxVersion: "TLSv1.2" }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString("utf8")));
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    expect(cell(page, "protocol")).to.equal("TLS 1.2");
    const connect = (ciphers: string, session?: Buffer) =>
      new Promise<{ cipher: string; page: string; reused: boolean; session?: Buffer }>((resolve, reject) => {
        let saved: Buffer | undefined;
        const socket: tls.TLSSocket = tls.connect({ host: "127.0.0.1", port: ours.server.port, servername: "localhost", ca: readFixture("ca.crt"), maxVersion: "TLSv1.2", ciphers, session }, () =>
          socket.write(httpGet("/tls")),
        );
        socket.on("session", (s: Buffer) => (saved = s));
        let body = "";
        socket.on("data", (c: Buffer) => (body += c.toString("utf8")));
        socket.on("end", () => resolve({ cipher: socket.getCipher().standardName, page: body, reused: socket.isSessionReused(), session: saved }));
        socket.on("error", reject);
      });
    const names = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"];
    const openssl = ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES128-GCM-SHA256", "AES256-GCM-SHA384"];
    let session: Buffer | undefined;
    for (const [i, name] of names.entries()) {
      const result = await connect(openssl[i]!);
      expect(result.cipher, "Node's view").to.equal(name);
      expect(cell(result.page, "cipher suite"), "ours").to.include(name);
      session ??= result.session;
    }
    const again = await connect(openssl[0]!, session);
    expect(again.reused, "Node resumed the session").to.equal(true);
    expect(cell(again.page, "resumed")).to.match(/^yes/);
  });

  it("11.17 our own client (chapter 06) against our own server, RSA, DHE and ECDHE: two halves written by the learner, talking; the key logs agree", async () => {
    for (const suite of [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]) {
      const clientLog: string[] = [];
      const conn = await connectTls12(await connectTcp("127.0.0.1", ours.server.port), { servername: "localhost", ca: roots(), cipherSuites: [suite], keyLog: (l) => clientLog.push(l) });
      conn.write(new TextEncoder().encode(httpGet("/ours")));
      const page = await readAll(conn);
      conn.close();
      expect(cell(page, "protocol")).to.equal("TLS 1.2");
      const [, random, master] = clientLog[0]!.split(" ");
      expect(random).to.equal(toHex(conn.secrets.clientRandom));
      expect(ours.keyLog().get(random!), "the server's master secret").to.equal(master);
    }
  });

  it("11.17 one port for both versions: Node's default gets TLS 1.3 (chapter 10), Node with maxVersion TLSv1.2 gets TLS 1.2 (chapter 11), s_client -fallback_scsv gets inappropriate_fallback", async () => {
    const version = (maxVersion?: tls.SecureVersion) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: both.server.port, servername: "localhost", ca: readFixture("ca.crt"), ...(maxVersion ? { maxVersion } : {}) }, () => {
          resolve(socket.getProtocol() ?? "");
          socket.end();
        });
        socket.on("error", reject);
      });
    expect(await version(), "Node's default").to.equal("TLSv1.3");
    expect(await version("TLSv1.2"), "Node limited to 1.2").to.equal("TLSv1.2");
    const run = await sClient(both.server.port, ["-tls1_2", "-fallback_scsv", "-CAfile", CA], { input: "" });
    expect(run.output, run.output).to.match(/inappropriate fallback/);
    expect(both.server.connections.some((c) => c.failure?.alert === "inappropriate_fallback"), "the server's log").to.equal(true);
  });
});

