// Real TLS clients that no one here wrote, for the server chapters' tests, notebooks and benchmark: `openssl
// s_client`, curl and headless Chromium, each run as a child process on 127.0.0.1 with a timeout (a client that hangs
// is killed, and the test fails with what it printed). Debian packages: openssl, curl, chromium (`.ci/run` installs
// what is missing). Chromium runs with the flags that keep it quiet and offline, in a fresh profile every time.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set<ChildProcess>();
let exitHook = false;

/** True when `command` can be run (`command --version` exits 0). */
export function haveCommand(command: string): boolean {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

export interface ClientRun {
  /** stdout and stderr, interleaved as they came. */
  output: string;
  /** The exit code, or null when the client was killed. */
  code: number | null;
}

export interface RunOptions {
  /** Bytes written to the client's stdin; the stdin is then closed unless `keepOpen`. */
  input?: string;
  keepOpen?: boolean;
  timeoutMs?: number;
  /** Called on every chunk of output, with the output so far and a way to write more input (interactive clients). */
  onOutput?: (output: string, write: (text: string) => void, end: () => void) => void;
}

/** Runs `command args`, collects its output, kills it after the timeout. */
export function runClient(command: string, args: string[], options: RunOptions = {}): Promise<ClientRun> {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    let done = false;
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs ?? 10_000} ms]`;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 10_000);
    const write = (text: string) => {
      if (!child.stdin!.destroyed) child.stdin!.write(text);
    };
    const end = () => child.stdin!.end();
    const take = (chunk: Buffer) => {
      output += chunk.toString("latin1");
      options.onOutput?.(output, write, end);
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    child.stdin!.on("error", () => {});
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      children.delete(child);
      resolve({ output, code });
    };
    child.on("close", (code) => finish(code));
    child.on("error", (e) => {
      output += `\n[${command}: ${e.message}]`;
      finish(null);
    });
    if (options.input !== undefined) write(options.input);
    if (!options.keepOpen) end();
  });
}

/** `openssl s_client -connect 127.0.0.1:port` with `args`; `input` goes to the server (an HTTP request, say). */
export function sClient(port: number, args: string[], options: RunOptions = {}): Promise<ClientRun> {
  return runClient("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, ...args], options);
}

/** An HTTP/1.1 GET that asks the server to close afterwards. */
export const httpGet = (path = "/", host = "localhost") => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

/** The flags that keep headless Chromium quiet and offline (no updates, no sync, no first-run, no GPU). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The Chromium binary Debian installs. */
export const CHROMIUM = "chromium";

/**
 * Runs headless Chromium on `url` in a fresh profile with `args` (e.g. --dump-dom, --screenshot=FILE). Certificates
 * whose public key hashes are in `trustedKeys` (base64 SHA-256 of the SubjectPublicKeyInfo) are accepted though no
 * root Chromium knows signed them: the test root is not in its store, and this trusts our test keys, nothing else.
 */
export async function runChromium(url: string, args: string[], trustedKeys: string[], timeoutMs = 20_000): Promise<ClientRun> {
  const profile = mkdtempSync(join(tmpdir(), "tls-by-hand-chromium-"));
  try {
    const trust = trustedKeys.length > 0 ? [`--ignore-certificate-errors-spki-list=${trustedKeys.join(",")}`] : [];
    return await runClient(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...trust, ...args, url], { timeoutMs });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
