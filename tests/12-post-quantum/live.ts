// The whole handshake with the hybrid groups on 127.0.0.1: tlslite-ng's server (tls.py server --groups …) serves our
// client, tlslite-ng's client (tls.py client) completes a handshake with our server and names the group it used, and
// our client and server talk to each other. tlslite-ng is installed into .venv-tlslite/ on first use (support/tlslite.ts).
import { expect } from "chai";
import { NamedGroup } from "../../lib/constants.js";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { connectTls, connectTls13 } from "../../chapters/08-tls13-handshake/index.js";
import { type TlsServer, newSecretKey, startTlsServer } from "../../chapters/10-tls13-server/index.js";
import { connectPq, hybridOffer, pqServerConfig } from "../../chapters/12-post-quantum/index.js";
import { readAll, roots } from "../support/client-helpers.js";
import { httpGet } from "../support/clients.js";
import { expectCode } from "../support/expect-bytes.js";
import { type TlsliteServer, ensureTlslite, groupUsed, runTlsliteClient, startTlsliteServer, tlsliteUnavailable } from "../support/tlslite.js";
import { fixtureCredentials } from "../10-tls13-server/helpers.js";

const encode = (text: string) => new TextEncoder().encode(text);

/** Our client (connectPq) against 127.0.0.1:port: the group, whether a HelloRetryRequest came, and the page. */
async function fetchWithOurClient(port: number, options: { groups?: number[]; keyShareGroups?: number[] } = {}) {
  const connection = await connectPq(await connectTcp("127.0.0.1", port), { servername: "localhost", ca: roots(), ...options });
  connection.write(encode(httpGet("/")));
  const page = await readAll(connection);
  return { group: connection.group, helloRetryRequest: connection.helloRetryRequest, page };
}

/** Our post-quantum server (chapter 10's, with chapter 12's config). */
function ourServer(groups?: number[]): Promise<TlsServer> {
  return startTlsServer({ tls13: pqServerConfig({ credentials: fixtureCredentials(), cookieKey: newSecretKey(), groups }) });
}

describe("12.6 our client against tlslite-ng's server (live, 127.0.0.1)", function () {
  const servers = new Map<string, TlsliteServer>();
  before(async function () {
    const why = tlsliteUnavailable();
    if (why !== undefined) {
      console.log(`    (skipped: ${why})`);
      // Skipped only when this Python cannot make a venv for tlslite-ng (no python3-venv): .ci/run installs it.
      this.skip();
    }
    this.timeout(360_000); // installs tlslite-ng into .venv-tlslite if npm install did not
    await ensureTlslite();
    for (const g of ["x25519mlkem768", "secp256r1mlkem768"]) servers.set(g, await startTlsliteServer(g));
  });
  after(async () => {
    for (const s of servers.values()) await s.close();
  });

  it("12.6 tls.py server --groups x25519mlkem768 accepts our default offer and serves its page over X25519MLKEM768", async () => {
    const s = servers.get("x25519mlkem768")!;
    const got = await fetchWithOurClient(s.port);
    expectCode(got.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group of the handshake");
    expect(got.helloRetryRequest, "a HelloRetryRequest (our first share was the hybrid one)").to.equal(false);
    expect(got.page, "the page tlslite-ng served").to.include(s.page.trim());
    expect(groupUsed(s.output()), `tlslite-ng's own summary:\n${s.output()}`).to.equal("x25519mlkem768");
  });
  it("12.6 a HelloRetryRequest to X25519MLKEM768 when we shared only X25519: our second hello carries the hybrid share", async () => {
    const s = servers.get("x25519mlkem768")!;
    const got = await fetchWithOurClient(s.port, { keyShareGroups: [NamedGroup.x25519] });
    expectCode(got.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group after the retry");
    expect(got.helloRetryRequest, "tlslite-ng should have asked for the hybrid share").to.equal(true);
    expect(got.page).to.include(s.page.trim());
  });
  it("12.6 tls.py server --groups secp256r1mlkem768 with our client offering SecP256r1MLKEM768", async () => {
    const s = servers.get("secp256r1mlkem768")!;
    const got = await fetchWithOurClient(s.port, { groups: [NamedGroup.SecP256r1MLKEM768, NamedGroup.x25519], keyShareGroups: [NamedGroup.SecP256r1MLKEM768] });
    expectCode(got.group, NamedGroup.SecP256r1MLKEM768, NamedGroup, "the group of the handshake");
    expect(got.page).to.include(s.page.trim());
  });
});

describe("12.5 tlslite-ng's client against our server (live, 127.0.0.1)", function () {
  let server: TlsServer | undefined;
  let p256Server: TlsServer | undefined;
  before(async function () {
    const why = tlsliteUnavailable();
    if (why !== undefined) {
      console.log(`    (skipped: ${why})`);
      // Skipped only when this Python cannot make a venv for tlslite-ng (no python3-venv): .ci/run installs it.
      this.skip();
    }
    this.timeout(360_000);
    await ensureTlslite();
    server = await ourServer();
    p256Server = await ourServer([NamedGroup.SecP256r1MLKEM768, NamedGroup.x25519]);
  });
  after(async () => {
    await server?.close();
    await p256Server?.close();
  });

  it('12.5 tls.py client completes a handshake with our server and reports "Group used for key exchange: x25519mlkem768"', async () => {
    const run = await runTlsliteClient(server!.port);
    expect(run.output, "tls.py client's output").to.include("Handshake success");
    expect(groupUsed(run.output), `tls.py client's output:\n${run.output}`).to.equal("x25519mlkem768");
    expectCode(server!.connections.at(-1)?.info?.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group our server recorded");
  });
  it("12.5 a server that wants SecP256r1MLKEM768 asks tlslite-ng for it (HelloRetryRequest) and completes with it", async () => {
    const run = await runTlsliteClient(p256Server!.port);
    expect(groupUsed(run.output), `tls.py client's output:\n${run.output}`).to.equal("secp256r1mlkem768");
    expectCode(p256Server!.connections.at(-1)?.info?.group, NamedGroup.SecP256r1MLKEM768, NamedGroup, "the group our server recorded");
  });
});

describe("12.5 our client against our server (live, 127.0.0.1)", () => {
  let server: TlsServer;
  before(async () => {
    server = await ourServer();
  });
  after(() => server.close());

  it("12.5 the default offer meets the hybrid-first server: X25519MLKEM768, no retry", async () => {
    const got = await fetchWithOurClient(server.port);
    expectCode(got.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group");
    expect(got.helloRetryRequest).to.equal(false);
    expect(got.page).to.match(/^HTTP\/1\.1 200/);
  });
  it("12.5 a client that lists X25519MLKEM768 but shares only X25519 is asked for the hybrid (HelloRetryRequest): the server prefers it", async () => {
    const got = await fetchWithOurClient(server.port, { keyShareGroups: [NamedGroup.x25519] });
    expectCode(got.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group after the retry");
    expect(got.helloRetryRequest, "a HelloRetryRequest").to.equal(true);
  });
  it("12.5 SecP256r1MLKEM768 both ways", async () => {
    const got = await fetchWithOurClient(server.port, { groups: [NamedGroup.SecP256r1MLKEM768], keyShareGroups: [NamedGroup.SecP256r1MLKEM768] });
    expectCode(got.group, NamedGroup.SecP256r1MLKEM768, NamedGroup, "the group");
  });
  it("12.6 one hello for both versions (chapter 08's connectTls, 08.19) carries the hybrid share too", async () => {
    const connection = await connectTls(await connectTcp("127.0.0.1", server.port), { servername: "localhost", ca: roots(), offer: hybridOffer });
    expect(connection.version, "the version").to.equal(0x0304);
    if (connection.version === 0x0304) expectCode(connection.group, NamedGroup.X25519MLKEM768, NamedGroup, "the group");
    connection.write(encode(httpGet("/")));
    expect(await readAll(connection)).to.match(/^HTTP\/1\.1 200/);
  });
  it("12.5 a client without ML-KEM (chapter 08's) is still served, over X25519", async () => {
    const connection = await connectTls13(await connectTcp("127.0.0.1", server.port), { servername: "localhost", ca: roots() });
    expectCode(connection.group, NamedGroup.x25519, NamedGroup, "the group");
    connection.write(encode(httpGet("/")));
    expect(await readAll(connection)).to.match(/^HTTP\/1\.1 200/);
  });
});
