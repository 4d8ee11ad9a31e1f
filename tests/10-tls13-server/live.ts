// The learner's server on 127.0.0.1 against clients that no one here wrote: `openssl s_client` (every suite, both
// groups, a forced HelloRetryRequest, resumption with -sess_out/-sess_in, 0-RTT with -early_data, a KeyUpdate, and its
// key log, which must equal the server's line for line), curl, Node's tls and https, headless Chromium, and the
// project's own client of chapters 08 and 09. The replay lab: a 0-RTT flight captured on its way and sent again runs
// the request once with anti-replay, twice without.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import crypto from "node:crypto";
import * as https from "node:https";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ContentType, NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { connectTls13 } from "../../chapters/08-tls13-handshake/index.js";
import { connectResumed } from "../../chapters/09-resumption-0rtt/index.js";
import { AntiReplay, type TlsServer, TicketKeys, newSecretKey, startTlsServer } from "../../chapters/10-tls13-server/index.js";
import { readAll, roots, waitFor } from "../support/client-helpers.js";
import { replayRecords, startClientTamperProxy } from "../support/client-tamper-proxy.js";
import { CHROMIUM, haveCommand, httpGet, runChromium, runClient, sClient } from "../support/clients.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { keyLogLinesFor, parseKeyLog13 } from "../support/tls13-oracle.js";
import { fixtureCredentials } from "./helpers.js";

const CA = fixturePath("ca.crt");
const SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/** A server of ours on 127.0.0.1 whose key log is kept in memory. */
async function ourServer(options: { groups?: number[]; antiReplay?: boolean } = {}) {
  const keyLog: string[] = [];
  const server = await startTlsServer({
    tls13: {
      credentials: fixtureCredentials(),
      groups: options.groups,
      cookieKey: newSecretKey(),
      ticketKeys: new TicketKeys(),
      maxEarlyData: 16384,
      antiReplay: options.antiReplay === false ? undefined : new AntiReplay(),
      keyLog: (line) => keyLog.push(line),
    },
  });
  return { server, keyLog: () => parseKeyLog13(keyLog.join("\n")) };
}

/** The client random of the connection a client's key log file describes (its first line). */
function randomsIn(keyLogFile: string): string[] {
  return [...parseKeyLog13(readFileSync(keyLogFile, "latin1")).keys()];
}

/** What s_client says it negotiated, and the page our server sent. */
function negotiated(output: string) {
  return {
    cipher: /(?:New|Reused), TLSv1\.3, Cipher is (\S+)/.exec(output)?.[1],
    reused: /Reused, TLSv1\.3/.test(output),
    verified: /Verify return code: 0 \(ok\)/.test(output),
    page: output.slice(output.indexOf("HTTP/1.1 ")),
  };
}

/** A cell of the page's table, by its header. */
function cell(page: string, header: string): string | undefined {
  return new RegExp(`<th>${header}</th><td>([^<]*)</td>`).exec(page)?.[1];
}

describe("10.14 live: openssl s_client against our server", function () {
  this.timeout(20_000);
  let ours: Awaited<ReturnType<typeof ourServer>>;
  let p256: Awaited<ReturnType<typeof ourServer>>;
  let dir: string;
  before(async () => {
    ours = await ourServer();
    p256 = await ourServer({ groups: [NamedGroup.secp256r1] });
    dir = mkdtempSync(join(tmpdir(), "tls-by-hand-10-live-"));
  });
  after(async () => {
    await Promise.all([ours?.server.close(), p256?.server.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; server: () => typeof ours; args: string[]; cipher: string; group: string; retry: boolean; auth: RegExp }[] = [
    ...SUITES.map((suite) => ({ name: `${suite}, X25519`, server: () => ours, args: ["-ciphersuites", suite], cipher: suite, group: "x25519", retry: false, auth: /ecdsa_secp256r1_sha256/ })),
    { name: "RSA certificate (rsa_pss_rsae_sha256 only)", server: () => ours, args: ["-sigalgs", "rsa_pss_rsae_sha256"], cipher: SUITES[0]!, group: "x25519", retry: false, auth: /RSA-2048.*rsa_pss_rsae_sha256/ },
    { name: "P-256 key share to a server that prefers X25519: a HelloRetryRequest", server: () => ours, args: ["-groups", "P-256:X25519"], cipher: SUITES[0]!, group: "x25519", retry: true, auth: /ecdsa/ },
    { name: "an X25519 share to a P-256-only server: a HelloRetryRequest, then P-256", server: () => p256, args: [], cipher: SUITES[0]!, group: "secp256r1", retry: true, auth: /ecdsa/ },
  ];
  for (const c of cases) {
    it(`10.14 s_client, ${c.name}: the handshake, the page, and s_client's key log equal to the server's`, async () => {
      const keyLogFile = join(dir, `${c.name.replace(/\W+/g, "-")}.keys`);
      const run = await sClient(c.server().server.port, ["-tls1_3", "-CAfile", CA, "-servername", "localhost", "-keylogfile", keyLogFile, "-ign_eof", ...c.args], { input: httpGet("/s_client") });
      const n = negotiated(run.output);
      expect(n.cipher, run.output).to.equal(c.cipher);
      expect(n.verified, "s_client verified our chain to the test root").to.equal(true);
      expect(n.page, "our page").to.match(/^HTTP\/1\.1 200 OK/);
      expect(cell(n.page, "cipher suite")).to.include(c.cipher);
      expect(cell(n.page, "group")).to.include(c.group);
      expect(cell(n.page, "HelloRetryRequest")).to.match(c.retry ? /^yes/ : /^no/);
      expect(cell(n.page, "server authentication")).to.match(c.auth);
      const [random] = randomsIn(keyLogFile);
      expect(random, "s_client wrote a key log").to.be.a("string");
      const theirs = keyLogLinesFor(parseKeyLog13(readFileSync(keyLogFile, "latin1")), random!);
      expect(theirs, "five lines").to.have.length(5);
      expect(keyLogLinesFor(c.server().keyLog(), random!), "the server's key log, line for line").to.deep.equal(theirs);
    });
  }

  it("10.17 s_client -sess_out, then -sess_in: \"Reused, TLSv1.3\", and the page says resumed", async () => {
    const session = join(dir, "session.pem");
    const first = await sClient(ours.server.port, ["-tls1_3", "-CAfile", CA, "-sess_out", session, "-ign_eof"], { input: httpGet("/first") });
    expect(negotiated(first.output).reused, first.output).to.equal(false);
    const second = await sClient(ours.server.port, ["-tls1_3", "-CAfile", CA, "-sess_in", session, "-ign_eof"], { input: httpGet("/second") });
    const n = negotiated(second.output);
    expect(n.reused, second.output).to.equal(true);
    expect(cell(n.page, "resumed")).to.match(/^yes/);
    expect(cell(n.page, "server authentication")).to.match(/PSK/);
  });

  it("10.20 s_client -early_data: \"Early data was accepted\", and the request ran as 0-RTT data, before the handshake was over", async () => {
    const session = join(dir, "early.pem");
    const request = join(dir, "early.txt");
    writeFileSync(request, httpGet("/early"));
    await sClient(ours.server.port, ["-tls1_3", "-CAfile", CA, "-sess_out", session, "-ign_eof"], { input: httpGet("/ticket") });
    const run = await sClient(ours.server.port, ["-tls1_3", "-CAfile", CA, "-sess_in", session, "-early_data", request, "-ign_eof"]);
    expect(run.output, run.output).to.include("Early data was accepted");
    const page = negotiated(run.output).page;
    expect(cell(page, "early data \\(0-RTT\\)")).to.match(/^accepted/);
    expect(page).to.include("arrived as 0-RTT early data");
    expect(ours.server.requests.filter((r) => r.path === "/early").map((r) => r.early)).to.deep.equal([true]);
  });

  it("10.21 s_client's \"K\" (a KeyUpdate asking for ours): our server answers with its own KeyUpdate and the request still works", async () => {
    let typed = false;
    let requested = false;
    const run = await sClient(ours.server.port, ["-tls1_3", "-CAfile", CA, "-msg"], {
      keepOpen: true,
      timeoutMs: 8000,
      onOutput: (output, write, end) => {
        if (!typed && /Verify return code/.test(output)) {
          typed = true;
          write("K\n");
        }
        if (typed && !requested && /<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/.test(output)) {
          requested = true;
          write(httpGet("/after-update"));
        }
        if (requested && /Hello from the TLS server you wrote/.test(output)) end();
      },
    });
    expect(run.output, "s_client sent its KeyUpdate").to.match(/>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate/);
    expect(run.output, "we answered with ours").to.match(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/);
    expect(run.output, "and the page came under the new keys").to.include("Hello from the TLS server you wrote");
  });

  for (const guarded of [true, false]) {
    it(`10.18 the replay lab, ${guarded ? "anti-replay on: the copied 0-RTT flight is refused, the request ran ONCE" : "--allow-replay: the copied 0-RTT flight is read again, the request ran TWICE"}`, async () => {
      const target = guarded ? ours : await ourServer({ antiReplay: false });
      try {
        const session = join(dir, `replay-${guarded}.pem`);
        const path = `/transfer?to=mallory&guarded=${guarded}`;
        const request = join(dir, `replay-${guarded}.txt`);
        writeFileSync(request, httpGet(path));
        await sClient(target.server.port, ["-tls1_3", "-CAfile", CA, "-sess_out", session, "-ign_eof"], { input: httpGet("/ticket") });
        const relay = await startClientTamperProxy(target.server.port);
        const run = await sClient(relay.port, ["-tls1_3", "-CAfile", CA, "-sess_in", session, "-early_data", request, "-ign_eof"]);
        expect(run.output).to.include("Early data was accepted");
        const records = relay.seen().clientRecords;
        const flight = records.slice(0, records.findIndex((r) => r[0] === ContentType.application_data) + 1); // ClientHello, (ChangeCipherSpec), the 0-RTT data
        await relay.close();
        await replayRecords(target.server.port, flight, 500); // the attacker: the same bytes, on a new connection
        const ran = () => target.server.requests.filter((r) => r.path === path).length;
        await waitFor(() => ran() === (guarded ? 1 : 2) && target.server.open === 0, () => `ran ${ran()} time(s)`);
        expect(ran()).to.equal(guarded ? 1 : 2);
      } finally {
        if (!guarded) await target.server.close();
      }
    });
  }
});

describe("10.14 live: curl, Node, our own client, Chromium", function () {
  this.timeout(30_000);
  let ours: Awaited<ReturnType<typeof ourServer>>;
  before(async () => {
    ours = await ourServer();
  });
  after(async () => {
    await ours?.server.close();
  });

  it("10.14 curl --tlsv1.3 --cacert <the test root>: the page, with ALPN http/1.1", async () => {
    if (!haveCommand("curl")) throw new Error("curl is not installed (apt-get install curl; .ci/run does it)");
    const run = await runClient("curl", ["-s", "--tlsv1.3", "--cacert", CA, "--resolve", `localhost:${ours.server.port}:127.0.0.1`, `https://localhost:${ours.server.port}/curl`]);
    expect(run.code, run.output).to.equal(0);
    expect(cell(run.output, "protocol")).to.equal("TLS 1.3");
    expect(cell(run.output, "ALPN")).to.equal("http/1.1");
    expect(cell(run.output, "server name \\(SNI\\)")).to.equal("localhost");
  });

  it("10.14 Node's https.get trusting the test root, and tls.connect with each suite: the page; Node's own view of the connection matches", async () => {
    const page = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: "127.0.0.1", port: ours.server.port, path: "/node", servername: "localhost", ca: readFixture("ca.crt"), minVersion: "TLSv1.3" }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString("utf8")));
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    expect(cell(page, "protocol")).to.equal("TLS 1.3");
    for (const suite of SUITES) {
      const result = await new Promise<{ cipher: string; page: string }>((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: ours.server.port, servername: "localhost", ca: readFixture("ca.crt"), minVersion: "TLSv1.3", ciphers: suite }, () => {
          socket.write(httpGet("/tls"));
        });
        let body = "";
        socket.on("data", (c: Buffer) => (body += c.toString("utf8")));
        socket.on("end", () => resolve({ cipher: socket.getCipher().standardName, page: body }));
        socket.on("error", reject);
      });
      expect(result.cipher, "Node's view").to.equal(suite);
      expect(cell(result.page, "cipher suite"), "ours").to.include(suite);
    }
  });

  it("10.14 our own client (chapter 08) against our own server: two halves written by the learner, talking; the key logs agree", async () => {
    const clientLog: string[] = [];
    const conn = await connectTls13(await connectTcp("127.0.0.1", ours.server.port), { servername: "localhost", ca: roots(), keyLog: (l) => clientLog.push(l) });
    conn.write(new TextEncoder().encode(httpGet("/ours")));
    const page = await readAll(conn);
    conn.close();
    expect(cell(page, "protocol")).to.equal("TLS 1.3");
    expect(keyLogLinesFor(ours.keyLog(), toHex(conn.secrets.clientRandom))).to.deep.equal([...clientLog].sort());
  });

  it("10.17 chapter 09's client resumes with our ticket and sends its request as 0-RTT: accepted, and our server ran it early", async () => {
    const first = await connectResumed(await connectTcp("127.0.0.1", ours.server.port), { servername: "localhost", ca: roots() });
    first.write(new TextEncoder().encode(httpGet("/first-visit")));
    await readAll(first);
    first.close();
    const [ticket] = first.newTickets();
    expect(ticket, "a ticket from our server").not.to.equal(undefined);
    expect(ticket!.maxEarlyDataSize).to.equal(16384);
    const second = await connectResumed(await connectTcp("127.0.0.1", ours.server.port), {
      servername: "localhost",
      ca: roots(),
      ticket,
      earlyData: new TextEncoder().encode(httpGet("/second-visit")),
    });
    const page = await readAll(second);
    second.close();
    expect([second.resumption.pskAccepted, second.resumption.earlyData]).to.deep.equal([true, "accepted"]);
    expect(page).to.include("arrived as 0-RTT early data");
    expect(ours.server.requests.find((r) => r.path === "/second-visit")?.early).to.equal(true);
  });

  it("10.14 headless Chromium loads the page over TLS 1.3 (trusting exactly our test keys)", async () => {
    if (!haveCommand(CHROMIUM)) throw new Error("chromium is not installed (apt-get install chromium; .ci/run does it)");
    const spki = (name: "server-ecdsa.crt" | "server-rsa.crt") =>
      crypto.createHash("sha256").update(new crypto.X509Certificate(readFixture(name)).publicKey.export({ type: "spki", format: "der" })).digest("base64");
    const run = await runChromium(`https://127.0.0.1:${ours.server.port}/chromium`, ["--dump-dom"], [spki("server-ecdsa.crt"), spki("server-rsa.crt")]);
    expect(run.output, run.output.slice(-2000)).to.include("Hello from the TLS server you wrote");
    expect(cell(run.output, "protocol")).to.equal("TLS 1.3");
    expect(cell(run.output, "key shares the client sent"), "Chromium's shares (GREASE among them)").to.include("GREASE");
  });
});
