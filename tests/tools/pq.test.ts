// Chapter 12 in the command-line tool: a hybrid --group needs chapters 00–12; connect offers X25519MLKEM768 first
// by default only once chapter 12 is done (a learner's copy with 12.6 unfinished runs chapter 08's offer); a hybrid
// group is refused for TLS 1.2. The server is the reference's, started here with the hybrid groups first.
import { spawn } from "node:child_process";
import { expect } from "chai";
import { NamedGroup } from "../../lib/constants.js";
import { chaptersNeeded } from "../../tools/needs.js";
import { readServerCredential, newSecretKey, startTlsServer, type TlsServer } from "../../solutions/10-tls13-server/index.js";
import { pqServerConfig } from "../../solutions/12-post-quantum/index.js";
import { readFixture } from "../support/fixtures.js";
import { learnerCopy, tool, type LearnerCopy } from "./learner-copy.js";

const range = (to: number) => Array.from({ length: to + 1 }, (_, i) => i);

describe("chapter 12 in the command-line tool", function () {
  let copy: LearnerCopy;
  let server: TlsServer;
  before(async () => {
    copy = learnerCopy("finished");
    const credentials = [readServerCredential(readFixture("server-ecdsa.crt"), readFixture("server-ecdsa.key"), "server-ecdsa.crt")];
    server = await startTlsServer({ tls13: pqServerConfig({ credentials, cookieKey: newSecretKey(), groups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] }) });
  });
  after(async () => {
    copy?.remove();
    await server?.close();
  });
  const url = () => `https://localhost:${server.port}/`;

  it("a hybrid --group needs chapters 00–12 (connect and serve); without it, connect needs 00–08 as before", () => {
    expect(chaptersNeeded("connect", ["https://x/", "--group", "x25519mlkem768"])).to.deep.equal(range(12));
    expect(chaptersNeeded("connect", ["https://x/", "--group=secp256r1mlkem768"])).to.deep.equal(range(12));
    expect(chaptersNeeded("serve", ["--group", "X25519MLKEM768"])).to.deep.equal(range(12));
    expect(chaptersNeeded("connect", ["https://x/"])).to.deep.equal(range(8));
    expect(chaptersNeeded("connect", ["https://x/", "--group", "x25519"])).to.deep.equal(range(8));
  });

  it("connect on a finished chapter 12 offers X25519MLKEM768 first by default, and the server takes it", async () => {
    const r = await tool(copy.dir, ["connect", url(), "--ca", "tests/fixtures/ca.crt"]);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.include("key shares from chapter 12");
    expect(r.stdout).to.match(/handshake done: TLS 1\.3, \S+ \(0x13..\), X25519MLKEM768 \(0x11ec\)/);
  });

  it("with 12.6 not done, connect runs chapter 08's offer (X25519), and --group x25519mlkem768 names 12.6 (exit 3)", async () => {
    copy.mistake("12-post-quantum/client.ts", "12.6", ['throw new NotImplemented("12.6");'], "NotImplemented");
    try {
      const plain = await tool(copy.dir, ["connect", url(), "--ca", "tests/fixtures/ca.crt"]);
      expect(plain.status, plain.stderr + plain.stdout).to.equal(0);
      expect(plain.stdout).not.to.include("chapter 12");
      expect(plain.stdout).to.match(/handshake done: TLS 1\.3, \S+ \(0x13..\), x25519 \(0x001d\)/);
      const hybrid = await tool(copy.dir, ["connect", url(), "--ca", "tests/fixtures/ca.crt", "--group", "x25519mlkem768"]);
      expect(hybrid.status, hybrid.stderr + hybrid.stdout).to.equal(3);
      expect(hybrid.stderr).to.match(/^connect needs chapters 00–12; exercise 12\.6 is not done yet \(chapters\/12-post-quantum\/client\.ts:\d+\)\.$/m);
    } finally {
      copy.undo();
    }
  });

  it("--group x25519mlkem768 with --tls 1.2 is bad usage (exit 2): the hybrids are TLS 1.3 key shares", async () => {
    const r = await tool(copy.dir, ["connect", url(), "--tls", "1.2", "--group", "x25519mlkem768"]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.include("TLS 1.3 key shares");
  });

  it("serve --group secp256r1mlkem768 serves the hybrid alone, and connect --group secp256r1mlkem768 gets it", async function () {
    const serve = spawn(process.execPath, ["bin/tls-by-hand.mjs", "serve", "--port", "0", "--tls", "1.3", "--group", "secp256r1mlkem768"], { cwd: copy.dir });
    try {
      let out = "";
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 15_000);
        serve.stdout.on("data", (d: Buffer) => {
          out += d;
          const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (m !== null) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        serve.stderr.on("data", (d: Buffer) => (out += d));
      });
      expect(out, "serve's banner").to.match(/groups: SecP256r1MLKEM768\n/);
      const r = await tool(copy.dir, ["connect", `https://localhost:${port}/`, "--ca", "tests/fixtures/ca.crt", "--group", "secp256r1mlkem768"]);
      expect(r.status, r.stderr + r.stdout).to.equal(0);
      expect(r.stdout).to.match(/handshake done: TLS 1\.3, \S+ \(0x13..\), SecP256r1MLKEM768 \(0x11eb\)/);
    } finally {
      serve.kill("SIGTERM");
    }
  });
});

