// `tls-by-hand serve`, run as a learner runs it (`node bin/tls-by-hand.mjs serve …`) on the reference code: bad usage
// exits 2 (most of those checked through the tool's main() in this process); a server on a free port answers Node's
// https with its page, writes its key log, prints --trace, and stops (exit 0) on SIGTERM.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "node:module";
import { expect } from "chai";
import { readFixture } from "../support/fixtures.js";
import { toolInProcess } from "./learner-copy.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// In this process (toolInProcess), chapters/… load the reference, as `--impl solutions` makes the tool do.
register("../../tools/impl-resolve.mjs", import.meta.url, { data: { impl: "solutions", referenceBelow: 0 } });

function serveSync(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["bin/tls-by-hand.mjs", "serve", ...args, "--impl", "solutions"], { cwd: ROOT, encoding: "utf8", timeout: 20000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `serve --port 0 …`; resolves once it prints its URL. */
function startServe(args: string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/tls-by-hand.mjs", "serve", "--port", "0", ...args, "--impl", "solutions"], { cwd: ROOT });
    let output = "";
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 15 s:\n${output}`)), 15_000);
    const take = (d: Buffer) => {
      output += d.toString("utf8");
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => output });
      }
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    child.on("exit", () => reject(new Error(`serve exited early:\n${output}`)));
  });
}

function get(port: number, path: string, maxVersion?: "TLSv1.2"): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port, path, servername: "localhost", ca: readFixture("ca.crt"), ...(maxVersion ? { maxVersion } : {}) }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

describe("command-line tool: serve", function () {
  this.timeout(30_000);

  for (const [i, [what, args, pattern]] of ([
    ["--early-data with --tls 1.2", ["--tls", "1.2", "--early-data"], /TLS 1\.2 has none/],
    ["a TLS 1.2 suite with --tls 1.3", ["--tls", "1.3", "--suite", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], /a TLS 1\.2 suite, but --tls says 1\.3/],
    ["an FFDHE group for TLS 1.3", ["--tls", "1.3", "--group", "ffdhe2048"], /for TLS 1\.2's DHE suites/],
    ["--tls 1.1", ["--tls", "1.1"], /--tls must be/],
    ["a port that is not a number", ["--port", "https"], /--port must be/],
    ["--cert without --key", ["--cert", "tests/fixtures/server-rsa.crt"], /--cert and --key go together/],
    ["a group it cannot do", ["--group", "x448"], /--group must be/],
    ["a suite it does not run", ["--suite", "TLS_RSA_WITH_AES_128_CBC_SHA"], /not a suite this server runs/],
    ["an unknown option", ["--verbose"], /unknown option --verbose/],
    ["a key that does not belong to the certificate", ["--cert", "tests/fixtures/server-rsa.crt", "--key", "tests/fixtures/server-ecdsa.key"], /does not belong/],
  ] as const).entries()) {
    // The first as a learner runs it; the others through the same main() in this process (a Node start-up less each).
    it(`serve with ${what}: exit 2 and a message`, async () => {
      const r = i === 0 ? serveSync([...args]) : await toolInProcess(["serve", ...args], "solutions");
      expect(r.status, r.stdout + r.stderr).to.equal(2);
      expect(r.stderr).to.match(pattern);
      expect(r.stderr).not.to.match(/    at /);
    });
  }

  it("serve --port 0 --early-data --keylog FILE --trace: the page over TLS 1.3, the key log, the trace; SIGTERM stops it with exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-serve-"));
    const keyLog = join(dir, "keys.log");
    try {
      const { child, port, output } = await startServe(["--early-data", "--keylog", keyLog, "--trace"]);
      const page = await get(port, "/from-the-test");
      expect(page).to.include("Hello from the TLS server you wrote");
      expect(page).to.match(/<th>protocol<\/th><td>TLS 1\.3<\/td>/);
      const random = /<th>client random<\/th><td>([0-9a-f]{64})<\/td>/.exec(page)?.[1];
      const lines = readFileSync(keyLog, "latin1").split("\n").filter((l) => l.includes(random!));
      expect(lines, "five key log lines for the connection").to.have.length(5);
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done, output()).to.equal(0);
      expect(output()).to.include("0-RTT up to 16384 bytes, anti-replay on");
      expect(output()).to.match(/GET \/from-the-test/);
      expect(output(), "--trace: the ServerHello, annotated").to.match(/← server_hello, \d+ bytes[\s\S]*cipher_suite: TLS_AES_128_GCM_SHA256/);
      expect(output(), "--trace: the client's Finished, decrypted, with the keys that protected it").to.match(/→ finished \(encrypted: client handshake traffic, record 0\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve --port 0 (both versions from one port): Node's default gets TLS 1.3, Node limited to 1.2 gets TLS 1.2 with its key log line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-serve-"));
    const keyLog = join(dir, "keys.log");
    try {
      const { child, port, output } = await startServe(["--keylog", keyLog]);
      expect(await get(port, "/13")).to.match(/<th>protocol<\/th><td>TLS 1\.3<\/td>/);
      const page = await get(port, "/12", "TLSv1.2");
      expect(page).to.match(/<th>protocol<\/th><td>TLS 1\.2<\/td>/);
      const random = /<th>client random<\/th><td>([0-9a-f]{64})<\/td>/.exec(page)?.[1];
      expect(readFileSync(keyLog, "latin1")).to.match(new RegExp(`^CLIENT_RANDOM ${random} [0-9a-f]{96}$`, "m"));
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done, output()).to.equal(0);
      expect(output()).to.include("TLS 1.3 and 1.2 on one port");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve --tls 1.2 --suite TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 --group ffdhe3072 --trace: that suite and group, the ServerKeyExchange in the trace", async () => {
    const { child, port, output } = await startServe(["--tls", "1.2", "--suite", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "--group", "ffdhe3072", "--trace"]);
    const page = await get(port, "/dhe", "TLSv1.2");
    expect(page).to.match(/<th>key exchange<\/th><td>DHE ffdhe3072<\/td>/);
    const done = exited(child);
    child.kill("SIGTERM");
    expect(await done, output()).to.equal(0);
    expect(output(), "--trace: the ServerKeyExchange, annotated").to.match(/← server_key_exchange, \d+ bytes[\s\S]*dh_p: 384 bytes/);
  });
});
