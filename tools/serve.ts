// `tls-by-hand serve`: the learner's TLS server as a program (chapter 10's startTlsServer), with the options of the
// command line. Each TLS version's handshake comes from its chapter: 1.3 from chapter 10, 1.2 from chapter 11; without
// --tls one port serves both (chapter 11's acceptTls reads the ClientHello and picks). Runs until stopped (Ctrl-C,
// SIGTERM): exit 0; bad usage: exit 2.
import { appendFileSync, readFileSync } from "node:fs";
import { CipherSuite, NamedGroup, cipherSuites, describeCode, describeSuite } from "../lib/constants.js";
import { isNotImplemented, isTlsError } from "../lib/errors.js";
import type { FlagKind } from "./args.js";
import { HYBRID_GROUP_NAMES } from "./pq.js";

export const SERVE_HELP = `tls-by-hand serve [--port 8443] [--host 127.0.0.1] [--cert CHAIN.pem --key KEY.pem] [--tls 1.3|1.2]
                  [--suite NAME] [--group NAME] [--early-data [MAX]] [--allow-replay] [--keylog FILE] [--trace]
                  [--impl solutions]

Runs YOUR TLS server on host:port: TLS 1.3 (chapter 10) and TLS 1.2 (chapter 11) from one port, the version chosen
from each ClientHello (needs chapters 00–11; --tls 1.3 needs 00–10). Every HTTP request gets a small page that shows
the connection as the server saw it: version, suite, group, key exchange, resumed or not (and how), early data
accepted or not, and what the client offered. Many connections at once; a connection that fails is closed with its
alert and logged.
  --port N           the port (default 8443; 0 picks a free one)
  --host ADDR        the address to listen on (default 127.0.0.1)
  --cert FILE        the certificate chain (PEM, the server's own first); with --key FILE its private key (PEM:
                     PKCS #8, PKCS #1 or SEC 1). Default: the project's test certificates for localhost and
                     127.0.0.1 (ECDSA P-256 and RSA-2048; clients trust them with --cacert tests/fixtures/ca.crt)
  --tls 1.3|1.2      serve only this version (default: both). A server limited to 1.2 marks its random with the
                     downgrade sentinel (RFC 8446 §4.1.3): clients that offer 1.3 refuse it; use theirs with 1.2 only
  --suite NAME       serve only this suite (IANA name, e.g. TLS_CHACHA20_POLY1305_SHA256 or
                     TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), and so only its version
  --group NAME       do (EC)DHE only in this group: x25519 or secp256r1 (a TLS 1.3 client that sent another share
                     gets a HelloRetryRequest); ffdhe2048, ffdhe3072 or ffdhe4096 for TLS 1.2's DHE suites;
                     x25519mlkem768 or secp256r1mlkem768, the post-quantum hybrids (chapter 12, TLS 1.3: needs
                     00–12). Once chapter 12 is done, TLS 1.3 prefers X25519MLKEM768 and SecP256r1MLKEM768 by default
  --early-data [MAX] accept 0-RTT data (TLS 1.3), up to MAX bytes per ticket (default 16384)
  --allow-replay     accept early data without the anti-replay check (RFC 8446 §8): for the replay lab only
  --keylog FILE      append the NSS key-log lines to FILE; SSLKEYLOGFILE is honoured too
  --trace            print every message both ways, annotated (decrypted)
TLS 1.2 sessions resume by session ID and by ticket (RFC 5077); TLS 1.3 by ticket.
Exit 2 on bad usage; 3 if your code is not ready; otherwise it runs until stopped (exit 0).`;

class ServeUsageError extends Error {}

/** The value after `--name` (undefined when the flag is absent); a flag without its value is bad usage. */
function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new ServeUsageError(`${name} needs a value`);
  return value;
}

/** The flags serve knows, for the command-line tool's strict reading of them (tools/args.ts). */
export const SERVE_FLAGS: Record<string, FlagKind> = {
  "--port": "value",
  "--host": "value",
  "--cert": "value",
  "--key": "value",
  "--tls": "value",
  "--suite": "value",
  "--group": "value",
  // --early-data alone, or --early-data MAX: a number after it is its value.
  "--early-data": (next) => /^\d+$/.test(next),
  "--allow-replay": "switch",
  "--keylog": "value",
  "--trace": "switch",
};

const GROUPS: Record<string, number> = { x25519: NamedGroup.x25519, secp256r1: NamedGroup.secp256r1, "p-256": NamedGroup.secp256r1 };
const FFDHE_GROUPS: Record<string, number> = { ffdhe2048: NamedGroup.ffdhe2048, ffdhe3072: NamedGroup.ffdhe3072, ffdhe4096: NamedGroup.ffdhe4096 };
const DEFAULT_MAX_EARLY_DATA = 16384;
const VALUED = new Set(["--port", "--host", "--cert", "--key", "--tls", "--suite", "--group", "--keylog"]);
const FLAGS = new Set(["--early-data", "--allow-replay", "--trace", ...VALUED]);

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new ServeUsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type Chapter10 = typeof import("../chapters/10-tls13-server/index.js");
type Chapter11 = typeof import("../chapters/11-tls12-server/index.js");
type Tls13Config = Parameters<Chapter10["acceptTls13"]>[1];
type Tls12Config = Parameters<Chapter11["acceptTls12"]>[1];
type Version = "1.3" | "1.2" | "both";

/** Where each choice of --tls gets its handshake: the chapters, and the Acceptor startTlsServer runs on every connection. */
const SOURCES: Record<Version, string> = {
  "1.3": "TLS 1.3, chapter 10's server",
  "1.2": "TLS 1.2, chapter 11's server",
  both: "TLS 1.3 and 1.2 on one port, chapters 10 and 11",
};

/** Runs the server until SIGINT or SIGTERM. Returns the exit code. */
export async function serve(args: string[], chapters: { pq?: boolean } = {}): Promise<number> {
  let stop: (() => Promise<void>) | undefined;
  try {
    for (const a of args) if (a.startsWith("--") && !FLAGS.has(a)) throw new ServeUsageError(`unknown option ${a}`);
    const tlsOption = option(args, "--tls");
    if (tlsOption !== undefined && tlsOption !== "1.2" && tlsOption !== "1.3") throw new ServeUsageError(`--tls must be 1.3 or 1.2, not ${tlsOption}`);
    const portText = option(args, "--port") ?? "8443";
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ServeUsageError(`--port must be a port number (0–65535), not ${portText}`);
    const host = option(args, "--host") ?? "127.0.0.1";
    const certFile = option(args, "--cert");
    const keyFile = option(args, "--key");
    if ((certFile === undefined) !== (keyFile === undefined)) throw new ServeUsageError("--cert and --key go together");
    const suiteName = option(args, "--suite");
    let suite: { code: number; version: "1.3" | "1.2" } | undefined;
    if (suiteName !== undefined) {
      const code = (CipherSuite as Record<string, number>)[suiteName.toUpperCase()];
      const info = code === undefined ? undefined : cipherSuites.get(code);
      if (code === undefined || info === undefined) throw new ServeUsageError(`--suite ${suiteName}: not a suite this server runs (${[...cipherSuites.values()].map((i) => i.name).join(", ")})`);
      suite = { code, version: info.version === "TLS 1.3" ? "1.3" : "1.2" };
      if (tlsOption !== undefined && tlsOption !== suite.version) throw new ServeUsageError(`--suite ${suiteName} is a TLS ${suite.version} suite, but --tls says ${tlsOption}`);
    }
    const version: Version = tlsOption ?? suite?.version ?? "both";
    const groupName = option(args, "--group")?.toLowerCase();
    const ffdhe = groupName === undefined ? undefined : FFDHE_GROUPS[groupName];
    // Chapter 12: a hybrid group is TLS 1.3 only; it comes with chapter 12's key share (pqServerConfig).
    const hybrid = groupName === undefined ? undefined : HYBRID_GROUP_NAMES[groupName];
    if (hybrid !== undefined && version === "1.2") throw new ServeUsageError(`--group ${groupName} is a TLS 1.3 key share (chapter 12); this server speaks TLS 1.2 only`);
    if (groupName !== undefined && GROUPS[groupName] === undefined && ffdhe === undefined && hybrid === undefined) {
      throw new ServeUsageError(`--group must be x25519, secp256r1, ffdhe2048, ffdhe3072, ffdhe4096, x25519mlkem768 or secp256r1mlkem768, not ${groupName}`);
    }
    if (ffdhe !== undefined && version === "1.3") throw new ServeUsageError(`--group ${groupName} is for TLS 1.2's DHE suites; this server speaks TLS 1.3 only`);
    const earlyAt = args.indexOf("--early-data");
    let maxEarlyData = 0;
    if (earlyAt >= 0) {
      if (version === "1.2") throw new ServeUsageError("--early-data is TLS 1.3's 0-RTT (chapter 10); TLS 1.2 has none");
      const next = args[earlyAt + 1];
      maxEarlyData = next !== undefined && /^\d+$/.test(next) ? Number(next) : DEFAULT_MAX_EARLY_DATA;
      if (maxEarlyData < 1 || maxEarlyData > 2 ** 32 - 1) throw new ServeUsageError(`--early-data: MAX must be 1 … 2^32 − 1 bytes, not ${next}`);
    }
    const positional = args.filter((a, i) => !a.startsWith("--") && !VALUED.has(args[i - 1] ?? "") && !(args[i - 1] === "--early-data" && /^\d+$/.test(a)));
    if (positional.length > 0) throw new ServeUsageError(`unexpected argument ${positional[0]}`);
    const allowReplay = args.includes("--allow-replay");
    const keyLogFile = option(args, "--keylog") ?? process.env.SSLKEYLOGFILE;

    const ch10 = await import("../chapters/10-tls13-server/index.js");
    const credentials =
      certFile !== undefined
        ? [ch10.readServerCredential(readText(certFile), readText(keyFile!), certFile)]
        : [
            ch10.readServerCredential(readText(fixture("server-ecdsa.crt")), readText(fixture("server-ecdsa.key")), "server-ecdsa.crt"),
            ch10.readServerCredential(readText(fixture("server-rsa.crt")), readText(fixture("server-rsa.key")), "server-rsa.crt"),
          ];
    const keyLog = keyLogFile === undefined ? undefined : (line: string) => appendFileSync(keyLogFile, line + "\n");
    const curve = groupName === undefined || ffdhe !== undefined || hybrid !== undefined ? undefined : GROUPS[groupName]!;
    const plain13: Tls13Config = {
      credentials,
      cipherSuites: suite?.version === "1.3" ? [suite.code] : undefined,
      groups: hybrid !== undefined ? [hybrid] : curve === undefined ? undefined : [curve],
      cookieKey: ch10.newSecretKey(),
      ticketKeys: new ch10.TicketKeys(),
      maxEarlyData,
      antiReplay: allowReplay ? undefined : new ch10.AntiReplay(),
      keyLog,
    };
    // Chapter 12's key share (the hybrid groups first) when asked for, or by default once chapter 12 is done.
    const pq = hybrid !== undefined || (groupName === undefined && chapters.pq === true);
    const tls13: Tls13Config = pq ? (await import("../chapters/12-post-quantum/index.js")).pqServerConfig(plain13) : plain13;
    // Chapter 11 is loaded only when a version of it is served: `--tls 1.3` runs on chapters 00–10 alone.
    const ch11 = version === "1.3" ? undefined : await import("../chapters/11-tls12-server/index.js");
    const tls12: Tls12Config | undefined =
      ch11 === undefined
        ? undefined
        : {
            credentials,
            cipherSuites: suite?.version === "1.2" ? [suite.code] : undefined,
            curves: curve === undefined ? undefined : [curve],
            ffdheGroups: ffdhe === undefined ? undefined : [ffdhe],
            sessionCache: new ch11.SessionCache(),
            ticketKeys: new ch10.TicketKeys(), // its own keys: a TLS 1.3 ticket never opens as a TLS 1.2 session
            keyLog,
          };
    const accept: import("../chapters/10-tls13-server/index.js").Acceptor =
      version === "1.3"
        ? (transport, options) => ch10.acceptTls13(transport, tls13, options)
        : version === "1.2"
          ? (transport, options) => ch11!.acceptTls12(transport, tls12!, options)
          : (transport, options) => ch11!.acceptTls(transport, { tls13, tls12 }, options);
    const server = await ch10.startTlsServer({
      host,
      port,
      tls13,
      accept,
      onLog: (line) => console.log(line),
      onTrace: args.includes("--trace") ? (id, text) => console.log(`#${id} ${text}`) : undefined,
    });
    const certificates = credentials.map((c) => `${c.leaf.subject.text} (${c.privateKey.kind === "rsa" ? `RSA-${c.leaf.publicKey.kind === "rsa" ? c.leaf.publicKey.bits : "?"}` : `ECDSA ${c.privateKey.curve}`})`);
    const names = (codes: readonly number[]) => codes.map((s) => describeSuite(s).replace(/ \(.*/, "")).join(", ");
    console.log(`tls-by-hand serve: listening on ${server.url} (${SOURCES[version]})`);
    console.log(`  certificates: ${certificates.join(", ")}`);
    if (version !== "1.2") {
      const groups13 = (tls13.groups ?? ch10.SERVER_GROUPS).map((g) => describeCode(NamedGroup, g).replace(/ \(.*/, "")).join(", ");
      console.log(`  TLS 1.3 suites: ${names(tls13.cipherSuites ?? ch10.SERVER_SUITES)}; groups: ${groups13}`);
      console.log(`  TLS 1.3 session tickets on; 0-RTT ${maxEarlyData > 0 ? `up to ${maxEarlyData} bytes, anti-replay ${allowReplay ? "OFF (--allow-replay)" : "on"}` : "off (--early-data to accept it)"}`);
    }
    if (ch11 !== undefined && tls12 !== undefined) {
      console.log(`  TLS 1.2 suites: ${names(tls12.cipherSuites ?? ch11.SERVER_SUITES_12)}; curves: ${curve === undefined ? "x25519, secp256r1" : groupName}; DHE groups: ${ffdhe === undefined ? "ffdhe2048, ffdhe3072, ffdhe4096" : groupName}`);
      console.log(`  TLS 1.2 sessions resume by session ID and by ticket; the random carries the downgrade sentinel (RFC 8446 §4.1.3)${version === "1.2" ? ": clients that offer TLS 1.3 refuse this server" : ""}`);
    }
    console.log("  Ctrl-C stops it.");
    stop = () => server.close();
  } catch (e) {
    if (e instanceof ServeUsageError) {
      console.error(`error: ${e.message}\n\n${SERVE_HELP}`);
      return 2;
    }
    if (isNotImplemented(e)) throw e;
    if (isTlsError(e)) {
      // A certificate or key file that does not read: bad input on the command line.
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await stop();
  console.log("stopped");
  return 0;
}

/** A file of the project's test PKI, resolved from this file (so `serve` works from any folder). */
function fixture(name: string): string {
  return new URL(`../tests/fixtures/${name}`, import.meta.url).pathname;
}
