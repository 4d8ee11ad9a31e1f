// The command-line tool on the reference code: explain annotates real records and fails cleanly on bad input;
// hello, verify-chain and connect talk to real servers on 127.0.0.1. Some checks run the tool as a learner runs
// it (`node bin/tls-by-hand.mjs …`, `cli` below), one at least for each command; the rest call its main() in this
// process (`tool` below), with the same arguments, output and exit code, to save a Node start-up per run.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex } from "../../lib/hex.js";
import { startNodeServer, startOpenSslServer, type NodeServer, type OpenSslServer } from "../support/peers.js";
import { findValue } from "../support/rfc8448.js";
import { register } from "node:module";
import { toolInProcess } from "./learner-copy.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["bin/tls-by-hand.mjs", ...args, "--impl", "solutions"], { cwd: ROOT, encoding: "utf8", input, timeout: 20000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Async, so that a server in this same process can answer while the tool runs. */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/tls-by-hand.mjs", ...args, "--impl", "solutions"], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

// In this process, chapters/… must load the reference, as `--impl solutions` makes the tool do: the same resolve
// hook bin/tls-by-hand.mjs registers, registered before tools/cli.ts is loaded.
register("../../tools/impl-resolve.mjs", import.meta.url, { data: { impl: "solutions", referenceBelow: 0 } });

/** The tool's main() in this process, on the reference code (learner-copy.ts). */
const tool = (args: string[]) => toolInProcess(args, "solutions");

// RFC 8448 §3: the client's first record, as sent.
const record = toHex(findValue(3, "send handshake record", "complete record"));

describe("command-line tool", () => {
  it("explain annotates the RFC 8448 §3 ClientHello record, field by field", () => {
    const r = cli(["explain", record]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("content type: handshake");
    expect(r.stdout).to.include("handshake type: client_hello (0x01)");
    expect(r.stdout).to.include("cipher_suite: TLS_AES_128_GCM_SHA256 (0x1301)");
    expect(r.stdout).to.include('host_name: "server"');
  });

  it("explain reads hex with spaces and newlines from standard input", () => {
    const spaced = record.replace(/(..)/g, "$1 ").replace(/(.{48})/g, "$1\n");
    const r = cli(["explain", "-"], spaced);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("client_hello");
  });

  it("explain on a truncated record exits 2 naming the field and the offset", () => {
    const r = cli(["explain", record.slice(0, 300)]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/decode_error: .* at offset \d+/);
    expect(r.stderr).not.to.match(/RangeError|TypeError|    at /);
  });

  it("explain on random bytes exits 0 or 2 with a message, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (bytes) => {
        const r = await tool(["explain", toHex(bytes)]);
        expect([0, 2], r.stderr).to.include(r.status);
        if (r.status === 2) expect(r.stderr).to.match(/^error: /);
        expect(r.stderr).not.to.match(/    at /);
      }),
      { numRuns: 200 },
    );
  });

  it("explain on text that is not hex exits 2", () => {
    const r = cli(["explain", "16 03 zz"]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("not a hex digit");
  });

  describe("hello, against real servers on 127.0.0.1", () => {
    let node: NodeServer;
    let openssl12: OpenSslServer;
    before(async () => {
      node = await startNodeServer({ minVersion: "TLSv1.3" });
      openssl12 = await startOpenSslServer(["-tls1_2"]);
    });
    after(async () => {
      await node?.close();
      await openssl12?.close();
    });

    it("prints Node's ServerHello and what was negotiated (TLS 1.3)", async () => {
      const r = await cliAsync(["hello", `https://127.0.0.1:${node.port}`, "--tls", "1.3"]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include("selected_version: TLS1_3 (0x0304)");
      expect(r.stdout).to.match(/negotiated: TLS1_3 \(0x0304\), TLS_AES_\d+_GCM_SHA\d+/);
    });

    it("prints OpenSSL's TLS 1.2 ServerHello", async () => {
      const r = await tool(["hello", `127.0.0.1:${openssl12.port}`, "--tls", "1.2"]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/negotiated: TLS1_2 \(0x0303\), TLS_ECDHE_RSA_WITH_AES_\d+_GCM_SHA\d+/);
    });

    it("without --tls offers both versions in one hello: Node answers in TLS 1.3, the TLS 1.2-only s_server in TLS 1.2", async () => {
      const to13 = await tool(["hello", `https://127.0.0.1:${node.port}`]);
      expect(to13.status, to13.stderr).to.equal(0);
      expect(to13.stdout).to.include("(TLS 1.3 and 1.2 offer");
      expect(to13.stdout).to.match(/negotiated: TLS1_3 \(0x0304\)/);
      const to12 = await tool(["hello", `127.0.0.1:${openssl12.port}`]);
      expect(to12.status, to12.stderr).to.equal(0);
      expect(to12.stdout).to.match(/negotiated: TLS1_2 \(0x0303\), TLS_ECDHE_/);
    });

    it("names the alert and exits 1 when the server refuses (TLS 1.3 offer to a TLS 1.2-only server)", async () => {
      const r = await tool(["hello", `127.0.0.1:${openssl12.port}`, "--tls", "1.3"]);
      expect(r.status).to.equal(1);
      expect(r.stdout).to.include("alert from the server: protocol_version");
    });
  });

  it("grade prints the scoreboard, ends with the count line, and writes JSON and JUnit results", () => {
    const out = mkdtempSync(join(tmpdir(), "tls-by-hand-cli-test-"));
    const run = spawnSync(process.execPath, ["bin/tls-by-hand.mjs", "grade", "00", "--impl", "solutions"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TLS_BY_HAND_RESULTS: out },
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/00\.1 +✔ passed/);
    expect(run.stdout.trim().split("\n").pop()).to.match(/^\d+ passed, 0 failed$/);
    const json = JSON.parse(readFileSync(join(out, "grade.json"), "utf8")) as { exercises: { id: string; state: string }[] };
    expect(json.exercises.map((e) => e.id)).to.include.members(["00.1", "00.7"]);
    expect(readFileSync(join(out, "junit.xml"), "utf8")).to.match(/<testsuite name="00-bytes" tests="\d+" failures="0" errors="0">/);
    rmSync(out, { recursive: true, force: true });
  });

  describe("verify-chain (chapter 03) on the test PKI of tests/fixtures/pki, at its fixed time", () => {
    const pki = (f: string) => join(ROOT, "tests/fixtures/pki", f);
    const at = ["--at", "2030-06-01T00:00:00Z"];

    it("prints the path, every check with ✓ and exits 0 for a good chain", () => {
      const r = cli(["verify-chain", pki("chain-leaf-rsa.pem"), "--ca", pki("roots.pem"), "--host", "localhost", ...at]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\[0\] .*CN=.*\(leaf; RSA-2048; signed with ecdsa-with-SHA256\)/);
      expect(r.stdout).to.match(/\[2\] .*CN=tls-by-hand test root RSA\b.*\(trust anchor/);
      expect(r.stdout).to.match(/✓ \[0\] signature/);
      expect(r.stdout).to.match(/✓ \[0\] hostname +localhost/);
      expect(r.stdout).not.to.include("✗");
      expect(r.stdout.trim().split("\n").pop()).to.match(/^✓ valid: 3-certificate path/);
    });

    it("accepts intermediates in any order", async () => {
      // chain-leaf-under-sub.pem lists the intermediates in reverse; it still fails, but on pathLen, not on the order.
      const r = await tool(["verify-chain", pki("chain-leaf-under-sub.pem"), "--ca", pki("roots.pem"), ...at]);
      expect(r.status).to.equal(1);
      expect(r.stdout.trim().split("\n").pop()).to.match(/^✗ invalid: pathLen failed for .*\(alert bad_certificate\)$/);
    });

    for (const [chain, extra, check, alert] of [
      ["chain-expired.pem", [], "validity", "certificate_expired"],
      ["chain-untrusted.pem", [], "path", "unknown_ca"],
      ["chain-bad-signature.pem", [], "signature", "bad_certificate"],
      ["chain-leaf-rsa.pem", ["--host", "wrong.test"], "hostname", "bad_certificate"],
      ["chain-no-serverauth.pem", [], "extKeyUsage", "unsupported_certificate"],
    ] as const) {
      it(`exits 1 for ${chain}${extra.length > 0 ? " " + extra.join(" ") : ""}, naming ${check} and ${alert} on the last line`, async () => {
        const r = await tool(["verify-chain", pki(chain), "--ca", pki("roots.pem"), ...extra, ...at]);
        expect(r.status, r.stderr).to.equal(1);
        expect(r.stdout.trim().split("\n").pop()).to.match(new RegExp(`^✗ invalid: ${check} failed for .*\\(alert ${alert}\\)$`));
      });
    }

    it("exits 2 naming the line for bad PEM, and the field and offset for bad DER", async () => {
      const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-verify-chain-"));
      try {
        const badPem = join(dir, "bad.pem");
        writeFileSync(badPem, "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n");
        const r1 = cli(["verify-chain", badPem, "--ca", pki("roots.pem")]);
        expect(r1.status).to.equal(2);
        expect(r1.stderr).to.match(/bad\.pem line 2: not base64/);
        // A real certificate cut short: the DER reader names the field and the offset where it ran out.
        const der = readFileSync(pki("leaf-rsa.crt"), "utf8").replace(/-----[^-]+-----|\s/g, "");
        const cut = Buffer.from(der, "base64").subarray(0, 300).toString("base64");
        const badDer = join(dir, "cut.pem");
        writeFileSync(badDer, `-----BEGIN CERTIFICATE-----\n${cut}\n-----END CERTIFICATE-----\n`);
        const r2 = await tool(["verify-chain", badDer, "--ca", pki("roots.pem")]);
        expect(r2.status).to.equal(2);
        expect(r2.stderr).to.match(/bad_certificate: .* at offset \d+: certificate 1 of 1: /);
        expect(r2.stderr).not.to.match(/RangeError|TypeError|    at /);
        const r3 = await tool(["verify-chain", join(dir, "missing.pem"), "--ca", pki("roots.pem")]);
        expect(r3.status).to.equal(2);
        expect(r3.stderr).to.match(/cannot read .*missing\.pem/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("connect (chapters 00–06) to openssl s_server -www on 127.0.0.1", () => {
    let server: OpenSslServer;
    let dir: string;
    const ca = join(ROOT, "tests/fixtures/ca.crt");

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tls-by-hand-connect-"));
      server = await startOpenSslServer(["-tls1_2", "-www", "-keylogfile", join(dir, "server-keys.log")]);
    });
    after(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const kx of ["rsa", "dhe", "ecdhe"]) {
      it(`completes a ${kx} handshake, GETs the page, and logs the same master secret as the server`, async () => {
        const ours = join(dir, `ours-${kx}.log`);
        const r = await tool(["connect", `https://localhost:${server.port}/`, "--tls", "1.2", "--ca", ca, "--kx", kx, "--keylog", ours]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/✓ handshake done: TLS 1\.2, TLS_\w+_WITH_AES_\d+_GCM_SHA\d+/);
        expect(r.stdout).to.include("HTTP/1.0 200 ok"); // s_server -www's answer, whatever its page says
        const line = readFileSync(ours, "utf8").trim();
        expect(line).to.match(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
        // The server's own key log is the outside reference: the same line, byte for byte.
        expect(readFileSync(join(dir, "server-keys.log"), "utf8").toLowerCase()).to.include(line.toLowerCase());
      });
    }

    it("--trace prints every message annotated, both directions, and the secrets", async () => {
      const r = await cliAsync(["connect", `https://localhost:${server.port}/`, "--tls", "1.2", "--ca", ca, "--kx", "ecdhe", "--trace"]);
      expect(r.status, r.stderr).to.equal(0);
      for (const m of ["→ client_hello", "← server_hello", "← certificate", "← server_key_exchange", "← server_hello_done", "→ client_key_exchange", "→ finished (encrypted: client_write_key, record 0)", "← finished (encrypted: server_write_key, record 0)"]) {
        expect(r.stdout).to.include(m);
      }
      expect(r.stdout).to.match(/extended master secret +[0-9a-f]{96}/);
      // Streamed: the key log line shows up as soon as the master secret exists, before our ChangeCipherSpec.
      expect(r.stdout.indexOf("🔑 CLIENT_RANDOM"), "the key log line, before our ChangeCipherSpec").to.be.within(r.stdout.indexOf("→ client_key_exchange"), r.stdout.indexOf("→ change_cipher_spec"));
    });

    it("exits 1 naming the alert we send for a certificate that does not fit the name", async () => {
      const r = await tool(["connect", `https://localhost:${server.port}/`, "--tls", "1.2", "--ca", ca, "--servername", "wrong.test"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/✗ we sent alert bad_certificate: hostname failed/);
    });

    it("exits 1 naming the alert we send when the root is not trusted (Node's bundled roots by default)", async () => {
      const r = await tool(["connect", `https://localhost:${server.port}/`, "--tls", "1.2"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/✗ we sent alert unknown_ca/);
    });

    it("exits 2 on bad usage", async () => {
      for (const args of [["--tls", "1.2", "--kx", "foo"], ["--tls", "1.0"], ["--suite", "TLS_NOPE"], ["--tls", "1.3", "--kx", "rsa"], ["--tls", "1.3", "--group", "ffdhe2048"]]) {
        const r = await tool(["connect", `https://localhost:${server.port}/`, ...args]);
        expect(r.status, args.join(" ")).to.equal(2);
      }
    });
  });

  describe("connect (chapters 07–08; one hello for both versions by default) to openssl s_server -www -tls1_3 on 127.0.0.1", () => {
    let server: OpenSslServer;
    let p256only: OpenSslServer;
    let dir: string;
    const ca = join(ROOT, "tests/fixtures/ca.crt");

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tls-by-hand-connect13-"));
      server = await startOpenSslServer(["-tls1_3", "-www", "-keylogfile", join(dir, "server-keys.log")]);
      p256only = await startOpenSslServer(["-tls1_3", "-www", "-groups", "P-256", "-keylogfile", join(dir, "p256-keys.log")]);
    });
    after(async () => {
      await server?.close();
      await p256only?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Our key-log lines must all be in the server's key log (NSS labels and hex, compared case-insensitively). */
    function sameKeys(ours: string, theirs: string): void {
      const lines = readFileSync(ours, "utf8").trim().split("\n");
      expect(lines.map((l) => l.split(" ")[0])).to.include.members([
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
      ]);
      const server = readFileSync(theirs, "utf8").toLowerCase();
      for (const line of lines) expect(server, line).to.include(line.toLowerCase());
    }

    for (const suite of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]) {
      it(`completes a ${suite} handshake by default, GETs the page, and logs the server's own secrets`, async () => {
        const ours = join(dir, `ours-${suite}.log`);
        const r = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--suite", suite, "--keylog", ours]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.include(`✓ handshake done: TLS 1.3, ${suite}`);
        expect(r.stdout).to.include("HTTP/1.0 200 ok");
        sameKeys(ours, join(dir, "server-keys.log"));
      });
    }

    it("answers a HelloRetryRequest when the server wants P-256 and we sent an X25519 share", async () => {
      const ours = join(dir, "ours-hrr.log");
      const r = await tool(["connect", `https://localhost:${p256only.port}/`, "--ca", ca, "--keylog", ours]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/✓ handshake done: TLS 1\.3, .*secp256r1 \(0x0017\), after a HelloRetryRequest/);
      sameKeys(ours, join(dir, "p256-keys.log"));
    });

    it("--trace shows the decrypted flight and the key schedule as it unfolds", async () => {
      const r = await cliAsync(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--trace"]);
      expect(r.status, r.stderr).to.equal(0);
      for (const m of [
        "→ client_hello",
        "← server_hello",
        "← encrypted_extensions (encrypted: server handshake traffic, record 0)",
        "← certificate (encrypted: server handshake traffic, record 1)",
        "← certificate_verify (encrypted: server handshake traffic, record 2)",
        "← finished (encrypted: server handshake traffic, record 3)",
        "→ finished (encrypted: client handshake traffic, record 0)",
        "→ application_data (encrypted: client application traffic 0, record 0)",
      ]) {
        expect(r.stdout).to.include(m);
      }
      // Each secret as soon as it is derived: the handshake secrets between the ServerHello and EncryptedExtensions.
      const at = (m: string) => r.stdout.indexOf(m);
      expect(at("🔑 CLIENT_HANDSHAKE_TRAFFIC_SECRET"), "the handshake secrets, streamed after the ServerHello").to.be.within(at("← server_hello"), at("← encrypted_extensions"));
      expect(at("🔑 CLIENT_TRAFFIC_SECRET_0"), "the application secrets, after the server's Finished").to.be.within(at("← finished"), at("→ finished"));
      expect(r.stdout).to.match(/after ServerHello +handshake secret +[0-9a-f]{64}/);
      expect(r.stdout).to.match(/client_application_traffic_secret_0 +[0-9a-f]{64}/);
    });

    it("exits 1 naming the alert we send for a certificate that does not fit the name", async () => {
      const r = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--servername", "wrong.test"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/✗ we sent alert bad_certificate: hostname failed/);
    });

    it("a failed handshake names the steps it failed in and prints the key log lines derived so far; --trace has streamed every record up to it", async () => {
      const r = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--servername", "wrong.test", "--trace"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/✗ our check failed in 03\.\d+ \w+ \(solutions\/03-certificates\/[\w-]+\.ts:\d+\)/);
      expect(r.stderr).to.match(/called from 08\.14 readServerCertificate \(solutions\/08-tls13-handshake\/server-flight\.ts:\d+\)/);
      expect(r.stderr).to.match(/called from 08\.17 clientHandshake13/);
      expect(r.stderr).to.match(/called from 08\.19 clientHandshakeAnyVersion/);
      expect(r.stderr).to.match(/the key log lines derived before the failure[^\n]*\n {4}SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}\n {4}CLIENT_HANDSHAKE_TRAFFIC_SECRET /);
      for (const m of ["← encrypted_extensions (encrypted", "← certificate (encrypted", "→ alert: bad_certificate (encrypted: client handshake traffic, record 0)"]) expect(r.stdout).to.include(m);
    });
  });

  describe("connect --session and --early-data (chapter 09) with openssl s_server -tls1_3 -early_data", () => {
    let server: OpenSslServer;
    let dir: string;
    const ca = join(ROOT, "tests/fixtures/ca.crt");

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tls-by-hand-session-"));
      // Without -www: s_server prints what it receives (and says which part came as early data), and answers nothing,
      // so --timeout is what ends each run.
      server = await startOpenSslServer(["-tls1_3", "-early_data", "-keylogfile", join(dir, "server-keys.log")]);
    });
    after(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("saves the tickets of a first run, and the second run resumes and sends its data as 0-RTT", async () => {
      const session = join(dir, "session.json");
      const first = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--session", session, "--early-data", "first\\n", "--timeout", "500"]);
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.include("no usable ticket: a full handshake");
      expect(JSON.parse(readFileSync(session, "utf8")), "the ticket file").to.be.an("object");

      const ours = join(dir, "ours.log");
      const second = await cliAsync(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--session", session, "--early-data", "second, as early data\\n", "--timeout", "500", "--keylog", ours, "--trace"]);
      expect(second.status, second.stderr).to.equal(0);
      expect(second.stdout).to.include("resumed (no certificate this time)");
      expect(second.stdout).to.match(/PSK accepted.*early data accepted/);
      expect(second.stdout).to.include("→ application_data (encrypted: client early traffic, record 0)");
      expect(second.stdout).to.include("→ end_of_early_data (encrypted: client early traffic, record 1)");
      expect(second.stdout).to.include("→ finished (encrypted: client handshake traffic, record 0)");
      // The server is the judge: it says it read our bytes as early data, and its early secret is ours.
      // (s_server's stdout, where the data goes, and its stderr interleave in no fixed order.)
      await server.waitForOutput(/Early data received:/);
      await server.waitForOutput(/second, as early data/);
      const early = readFileSync(ours, "utf8").split("\n").find((l) => l.startsWith("CLIENT_EARLY_TRAFFIC_SECRET"));
      expect(early, "our CLIENT_EARLY_TRAFFIC_SECRET line").to.not.equal(undefined);
      expect(readFileSync(join(dir, "server-keys.log"), "utf8").toLowerCase()).to.include(early!.toLowerCase());
    });

    it("exits 2 for --early-data with TLS 1.2 (no 0-RTT there), a session file of the other version, or a timeout that is not a number", async () => {
      const tls12File = join(dir, "tls12.json");
      writeFileSync(tls12File, JSON.stringify({ version: 1, tls: "1.2", sessions: [] }));
      for (const args of [["--tls", "1.2", "--early-data", "x"], ["--tls", "1.3", "--session", tls12File], ["--timeout", "soon"]]) {
        const r = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, ...args]);
        expect(r.status, args.join(" ")).to.equal(2);
      }
    });
  });

  it("connect --tls 1.2 --session (chapter 09): a full handshake saves the session, the next run (the file says 1.2) resumes it; s_server says Reused", async () => {
    const server = await startOpenSslServer(["-tls1_2", "-www"]);
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-session12-"));
    try {
      const ca = join(ROOT, "tests/fixtures/ca.crt");
      const session = join(dir, "session12.json");
      const first = await tool(["connect", `https://localhost:${server.port}/`, "--tls", "1.2", "--ca", ca, "--session", session]);
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.include("no usable session: a full handshake");
      expect(JSON.parse(readFileSync(session, "utf8")).tls, "the file says which version it holds").to.equal("1.2");
      const second = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca, "--session", session]);
      expect(second.status, second.stderr).to.equal(0);
      expect(second.stdout).to.match(/offering a TLS 1\.2 session .*session ticket/);
      expect(second.stdout).to.include("resumed: the session's master secret");
      expect(second.stdout, "s_server's page").to.match(/Reused, TLSv1\.2/);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connect without --tls: one hello; a TLS 1.2-only server gets a TLS 1.2 handshake, a TLS 1.3 one a TLS 1.3 handshake; --tls 1.3 and --tls 1.2 restrict the offer", async () => {
    const ca = join(ROOT, "tests/fixtures/ca.crt");
    const [only12, both] = await Promise.all([startOpenSslServer(["-tls1_2", "-www"]), startOpenSslServer(["-www"])]);
    try {
      const r12 = await tool(["connect", `https://localhost:${only12.port}/`, "--ca", ca]);
      expect(r12.status, r12.stderr).to.equal(0);
      expect(r12.stdout).to.include("TLS 1.3 or 1.2 (one hello, the server picks)");
      expect(r12.stdout).to.match(/✓ handshake done: TLS 1\.2, TLS_ECDHE_\w+ \(0x[0-9a-f]{4}\), x25519 \(0x001d\), extended master secret/);
      expect(r12.stdout).to.include("Protocol  : TLSv1.2");
      const r13 = await tool(["connect", `https://localhost:${both.port}/`, "--ca", ca]);
      expect(r13.status, r13.stderr).to.equal(0);
      expect(r13.stdout).to.match(/✓ handshake done: TLS 1\.3, TLS_AES_128_GCM_SHA256/);
      // --tls restricts: a TLS 1.3-only offer to the TLS 1.2-only server is refused by it (RFC 8446 §4.2.1:
      // protocol_version), and --tls 1.2 to the server that speaks both gets TLS 1.2.
      const only13 = await tool(["connect", `https://localhost:${only12.port}/`, "--tls", "1.3", "--ca", ca]);
      expect(only13.status, only13.stderr).to.equal(1);
      expect(only13.stderr.trim().split("\n").pop(), "the last line").to.equal("✗ the server sent alert protocol_version (70)");
      const pinned12 = await tool(["connect", `https://localhost:${both.port}/`, "--tls", "1.2", "--ca", ca]);
      expect(pinned12.status, pinned12.stderr).to.equal(0);
      expect(pinned12.stdout).to.include("TLS 1.2, offering").and.match(/✓ handshake done: TLS 1\.2, /);
    } finally {
      await Promise.all([only12.close(), both.close()]);
    }
  });

  it("connect names the server's alert once (its name and number), and says so when the server just closes", async () => {
    const ecdheOnly = await startOpenSslServer(["-tls1_2", "-www", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]);
    const net = await import("node:net");
    const mute = net.createServer((socket) => socket.once("data", () => socket.end()));
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", () => r()));
    try {
      const refused = await tool(["connect", `https://localhost:${ecdheOnly.port}/`, "--ca", join(ROOT, "tests/fixtures/ca.crt"), "--kx", "rsa"]);
      expect(refused.status).to.equal(1);
      expect(refused.stderr.trim().split("\n").pop(), "the last line").to.equal("✗ the server sent alert handshake_failure (40)");
      const closed = await tool(["connect", `https://localhost:${(mute.address() as import("node:net").AddressInfo).port}/`, "--ca", join(ROOT, "tests/fixtures/ca.crt")]);
      expect(closed.status).to.equal(1);
      expect(closed.stderr.trim().split("\n").pop(), "the last line").to.equal("✗ the server closed the connection before its ServerHello");
    } finally {
      await ecdheOnly.close();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it("connect says \"the server closed the connection during the handshake\" when it goes away after its ServerHello, in either version", async () => {
    const openssl = await startOpenSslServer(["-www"]);
    const net = await import("node:net");
    // A relay that passes the client's bytes on but only the server's first record (its ServerHello), then hangs up.
    const cut = net.createServer((client) => {
      const upstream = net.connect(openssl.port, "127.0.0.1");
      let buffered = Buffer.alloc(0);
      client.on("data", (d) => upstream.write(d));
      upstream.on("data", (d: Buffer) => {
        buffered = Buffer.concat([buffered, d]);
        if (buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt16BE(3)) {
          client.end(buffered.subarray(0, 5 + buffered.readUInt16BE(3)));
          upstream.destroy();
        }
      });
      for (const s of [client, upstream]) s.on("error", () => {});
    });
    await new Promise<void>((r) => cut.listen(0, "127.0.0.1", () => r()));
    try {
      for (const version of [[], ["--tls", "1.2"]]) {
        const r = await tool(["connect", `https://localhost:${(cut.address() as import("node:net").AddressInfo).port}/`, ...version, "--ca", join(ROOT, "tests/fixtures/ca.crt")]);
        expect(r.status, r.stderr).to.equal(1);
        const lines = r.stderr.trim().split("\n");
        expect(lines.pop(), `the last line (${version.join(" ") || "one hello"})`).to.equal("✗ the server closed the connection during the handshake");
        expect(lines.join("\n"), "no step of ours is blamed, no alert of ours claimed").to.not.match(/our check failed|we sent alert/);
      }
    } finally {
      await openssl.close();
      await new Promise<void>((r) => cut.close(() => r()));
    }
  });

  it("connect names what it cannot check by name and OID: a chain under an Ed448 CA is unsupported_certificate, \"Ed448 (1.3.101.113)\"", async () => {
    // A P-256 leaf (which we can check) issued by an Ed448 CA (which we cannot, RFC 8410): the server sends the chain
    // whatever our signature_algorithms say about its own CertificateVerify. Made here with openssl, for this test.
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-ed448-"));
    const openssl = (...args: string[]) => spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    openssl("genpkey", "-algorithm", "ed448", "-out", "ca.key");
    openssl("req", "-new", "-x509", "-key", "ca.key", "-out", "ca.crt", "-subj", "/CN=Ed448 test CA", "-days", "30",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "leaf.key");
    openssl("req", "-new", "-key", "leaf.key", "-subj", "/CN=localhost", "-out", "leaf.csr");
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
    const issued = openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.crt", "-days", "30", "-extfile", "ext.cnf");
    expect(issued.status, issued.stderr).to.equal(0);
    const server = await startOpenSslServer(["-www", "-cert", join(dir, "leaf.crt"), "-key", join(dir, "leaf.key"), "-cert_chain", join(dir, "ca.crt")]);
    try {
      for (const version of ["1.3", "1.2"]) {
        const r = await tool(["connect", `https://localhost:${server.port}/`, "--tls", version, "--ca", join(dir, "ca.crt")]);
        expect(r.status, r.stderr).to.equal(1);
        const last = r.stderr.trim().split("\n").pop();
        expect(last, `TLS ${version}: the last line`).to.match(/^✗ we sent alert unsupported_certificate: .*Ed448 \(1\.3\.101\.113\)/);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connect exits 1 naming the alert the server sends when no suite is shared", async () => {
    const ecdheOnly = await startOpenSslServer(["-tls1_2", "-www", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]);
    try {
      const r = await tool(["connect", `https://localhost:${ecdheOnly.port}/`, "--tls", "1.2", "--ca", join(ROOT, "tests/fixtures/ca.crt"), "--kx", "rsa"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/✗ the server sent alert handshake_failure/);
    } finally {
      await ecdheOnly.close();
    }
  });

  describe("connect --cert --key (mutual TLS: chapters 06 and 08 answer, 10 and 11 sign) to openssl s_server -Verify 1", () => {
    let server: OpenSslServer;
    let stranger: OpenSslServer;
    const fixture = (f: string) => join(ROOT, "tests/fixtures", f);
    const ca = fixture("ca.crt");
    before(async () => {
      server = await startOpenSslServer(["-www", "-Verify", "1", "-verify_return_error", "-CAfile", ca]);
      stranger = await startOpenSslServer(["-www", "-Verify", "1", "-verify_return_error", "-CAfile", join(ROOT, "tests/fixtures/pki/roots.pem")]);
    });
    after(async () => {
      await server?.close();
      await stranger?.close();
    });

    for (const [kind, tls] of [
      ["ecdsa", "1.3"],
      ["rsa", "1.2"],
    ]) {
      it(`TLS ${tls}, the ${kind.toUpperCase()} client certificate: exit 0, the CertificateVerify's scheme shown, and s_server verified our certificate`, async () => {
        const r = await tool(["connect", `https://localhost:${server.port}/`, "--tls", tls!, "--ca", ca, "--cert", fixture(`client-${kind}.crt`), "--key", fixture(`client-${kind}.key`)]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/client certificate: sent, with a CertificateVerify signed by your code \((ecdsa_secp256r1_sha256|rsa_pss_rsae_sha256)/);
        const subject = kind === "rsa" ? "\\(RSA\\)" : "\\(ECDSA\\)";
        await server.waitForOutput(new RegExp(`depth=0 O = tls-by-hand, CN = tls-by-hand test client ${subject}`));
      });
    }

    it("a server that trusts another root: exit 1, and its alert by name (unknown_ca)", async () => {
      const r = await tool(["connect", `https://localhost:${stranger.port}/`, "--ca", ca, "--cert", fixture("client-rsa.crt"), "--key", fixture("client-rsa.key")]);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/the server sent alert unknown_ca/);
    });

    it("without --cert: an empty Certificate, and the server's certificate_required by name (exit 1)", async () => {
      const r = await tool(["connect", `https://localhost:${server.port}/`, "--ca", ca]);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/the server sent alert certificate_required/);
    });

    it("--cert without --key, or a key that is not the certificate's: exit 2, before any connection", () => {
      const alone = cli(["connect", "https://localhost:1/", "--cert", fixture("client-rsa.crt")]);
      expect(alone.status, alone.stderr).to.equal(2);
      expect(alone.stderr).to.match(/--cert and --key go together/);
      const wrong = cli(["connect", "https://localhost:1/", "--cert", fixture("client-rsa.crt"), "--key", fixture("client-ecdsa.key")]);
      expect(wrong.status, wrong.stderr).to.equal(2);
      expect(wrong.stderr).to.match(/does not belong to/);
    });
  });

  it("every command has --help", async () => {
    const spawned = cli(["explain", "--help"]);
    expect(spawned.status).to.equal(0);
    expect(spawned.stdout).to.include("tls-by-hand explain");
    for (const command of ["hello", "verify-chain", "connect", "grade", "serve"]) {
      const r = await tool([command, "--help"]);
      expect(r.status).to.equal(0);
      expect(r.stdout).to.include(`tls-by-hand ${command}`);
    }
  });
});
