// The command-line tool's commands. Each runs the learner's code (or the reference, with --impl
// solutions) through the same imports the tests use: ../chapters/… served by the resolve hook.
import { createConnection } from "node:net";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { ByteReader } from "../lib/bytes.js";
import { AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme, cipherSuites, describeCode, describeSuite, nameOf } from "../lib/constants.js";
import { type CertificateCheck, isCertificateError, isNotImplemented, isTlsError } from "../lib/errors.js";
import { readPemCertificates } from "../lib/pem.js";
import { fromHex } from "../lib/hex.js";
import { renderText } from "../lib/render.js";
import { type FlagKind, type ParsedArgs, UsageError, nearest, parseArgs, usageLine } from "./args.js";
import { relative } from "node:path";
import { blameStack, exerciseAt, forgetRegions, learnerFrames, where } from "./blame.js";
import { ROOT, type Region, chapterSlugs, findRegions, listExercises } from "./exercises.js";
import { ChapterError, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, formatReport, grade, resolveChapter, writeResults } from "./grade.js";
import { chaptersNeeded, describeChapters } from "./needs.js";
import { HYBRID_GROUP_NAMES, chapter12Done } from "./pq.js";
import { SERVE_FLAGS, SERVE_HELP, serve } from "./serve.js";

const HELP: Record<string, string> = {
  main: `tls-by-hand <command> [options]

Commands:
  explain [HEX | -]          decode a TLS record or handshake message given as hex and annotate every byte
  hello URL [--tls 1.2|1.3]  send your ClientHello (TLS 1.3 and 1.2 unless --tls) and show the ServerHello
  verify-chain CHAIN.pem --ca ROOTS.pem [--host NAME] [--at TIME]
                             validate a certificate chain with your chapter-03 code
  connect URL [--tls 1.3|1.2] [--session FILE] [--early-data TEXT] [--trace] …
                             a whole TLS handshake with your client, then GET the URL's path
  serve [--port 8443] [--tls 1.3|1.2] [--early-data] [--trace] …
                             run your TLS server (chapters 10 and 11): a page that shows each connection as the
                             server saw it
  grade [NN…]                run the chapter tests against your code and show the scoreboard

Options for every command:
  --impl solutions           run the reference code instead of yours (chapters/)
  --reference-earlier        run the chapters before the command's last one on the reference code, and that
                             chapter on yours (grade NN: chapters before NN; explain, hello: 00–01; verify-chain:
                             00–02; connect: 00–07, --tls 1.2: 00–05, --session/--early-data: 00–08, --cert: 00–10;
                             serve: 00–10, --tls 1.3: 00–09)
  --help                     help for a command, e.g. tls-by-hand explain --help

Exit codes: 0 done; 1 the peer or the protocol failed (an alert, a refused certificate, failing tests);
2 bad usage or unreadable input; 3 your code is not ready for this command (an exercise it needs is not
done yet, or it threw an error that is not a TLS alert: the message names the exercise and the line).`,
  explain: `tls-by-hand explain [HEX | -] [--impl solutions] [--reference-earlier]

Decodes one or more TLS records (16 03 01 …) or one handshake message (01 00 00 c0 …) given as hex
(spaces, newlines and colons allowed; "-" or nothing reads standard input) and prints every field,
nested by structure. ClientHello and ServerHello bodies are decoded with your chapter 01/02 code
(needs chapters 00–02).
Exit 0 when it decodes; 2 with the field and byte offset where decoding failed; 3 if your code is not ready.`,
  hello: `tls-by-hand hello URL [--tls 1.2|1.3] [--impl solutions] [--reference-earlier]

Opens TCP to URL's host and port (https://host[:port], host:port; default port 443), sends your chapter-01
ClientHello (SNI from the host; it offers TLS 1.3 and 1.2, or only the version --tls names), reads the server's
first flight and prints the ServerHello, annotated, and what was negotiated (needs chapters 00–02).
Exit 0 on a ServerHello; 1 if the server answers with an alert or fails; 2 on bad usage; 3 if your code is not ready.`,
  "verify-chain": `tls-by-hand verify-chain CHAIN.pem --ca ROOTS.pem [--host NAME] [--at ISO-8601-TIME] [--impl solutions] [--reference-earlier]

Validates a certificate chain the way a TLS client does, with your chapter-03 code (needs chapters 00, 01 and
03): builds every path from the leaf to one of the trust anchors, then checks each (signatures, validity dates,
the RFC 5280 profile, the CA constraints: basicConstraints, keyUsage, pathLen, name constraints; serverAuth on
the leaf and, with --host, the name, DNS or IP) until one holds.
  CHAIN.pem    the server's certificate first, then intermediates in any order (PEM)
  --ca FILE    one or more trusted root certificates (PEM)
  --host NAME  the name you connect to; without it, no name check
  --at TIME    validate at this time (e.g. 2030-06-01T00:00:00Z); default now
Prints the path and each check with ✓/✗. Exit 0 valid; 1 invalid (the last line names the failed check and
the alert a client would send), a certificate that decodes but breaks RFC 5280 (a repeated extension) included;
2 if a file cannot be read or does not decode (bad PEM or DER, with where); 3 if your code is not ready.`,
  connect: `tls-by-hand connect URL [--tls 1.3|1.2] [--kx rsa|dhe|ecdhe] [--group x25519|secp256r1|secp384r1|ffdhe2048|x25519mlkem768|…] [--suite NAME]
                      [--ca FILE] [--servername NAME] [--keylog FILE] [--no-ems] [--session FILE] [--early-data TEXT]
                      [--timeout MS] [--trace] [--cert CHAIN.pem --key KEY.pem] [--impl solutions] [--reference-earlier]

Connects to URL's host and port (https://host[:port]/path; default port 443) with YOUR TLS client, completes
the handshake, sends "GET <path>" and prints the response. Needs chapters 00–08 (--tls 1.2: 00–06;
  --session or --early-data: 00–09; --cert: 00–11).
  --tls 1.3|1.2      offer only this version (1.3: chapters 07–08; 1.2: chapters 04–06); without it, one hello
                     offers both and the server picks (chapter 08's 08.19), unless an option below names a version
  --kx KIND          TLS 1.2: offer only suites with this key exchange: rsa, dhe or ecdhe
  --group NAME       the group to offer (TLS 1.3: and send a key share for): x25519, secp256r1 or secp384r1;
                     ffdhe2048 for TLS 1.2 DHE; the post-quantum hybrids x25519mlkem768 and secp256r1mlkem768 for
                     TLS 1.3 (chapter 12: needs 00–12). Without --group, once chapter 12 is done, TLS 1.3 is offered
                     with X25519MLKEM768 first and an X25519 share beside it, as browsers do; before, chapter 08's offer
  --suite NAME       offer only this suite (IANA name, e.g. TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
  --ca FILE          trust the roots in FILE (PEM) instead of Node's bundled roots
  --servername NAME  the name to send (SNI) and to check the certificate against (default: URL's host)
  --keylog FILE      append the NSS key-log lines to FILE; SSLKEYLOGFILE is honoured too
  --no-ems           TLS 1.2: do not offer the extended master secret (RFC 7627)
  --session FILE     (chapter 09) resume with what FILE holds, and save what the server sends, so that the next
                     run resumes: TLS 1.3 tickets (PSK), or with --tls 1.2 a TLS 1.2 session (its ID and RFC 5077
                     ticket). The file says which version it holds; without --tls, that version is used
  --early-data TEXT  TLS 1.3: send TEXT (\\r and \\n understood) instead of the GET: as 0-RTT early data if the
                     loaded ticket allows it, else right after the handshake
  --timeout MS       stop reading the server's answer after MS milliseconds (default 5000); a server that stays
                     silent after the handshake is not an error
  --cert CHAIN.pem   mutual TLS: answer a server's CertificateRequest with this certificate chain (PEM, ours first)
  --key KEY.pem      … and sign the CertificateVerify with this private key (PEM: PKCS #8, RSA or EC), by YOUR
                     signing code of chapters 10 and 11 (so --cert needs chapters 00–11). Without --cert, a request
                     is answered with an empty Certificate and the server decides
  --trace            print every record as it is sent or received, annotated (TLS 1.3: decrypted), with the keys
                     that protected it (label, generation, record number) and each key log line as soon as its
                     secret is derived; at the end the whole key schedule; with --session / --early-data, whether
                     the ticket (PSK) and the early data were accepted
Exit 0 on success; 1 with the alert's name when the handshake fails (an alert we sent or received, or a
certificate we refused), after the exercise steps it failed in and the key log lines derived so far; 2 on bad
usage; 3 if your code is not ready.`,
  serve: SERVE_HELP,
  grade: `tls-by-hand grade [NN…] [--until NN.K] [--reference-earlier] [--each] [--all] [--json [FILE]] [--timeout S] [--max-memory MB] [--impl solutions]

Runs the tests of the given chapters (all by default) against your chapters/ and prints a scoreboard:
each exercise passed / failed / not started / waiting (on another exercise) / timed out; for the next
exercise to work on, its failing tests (the most informative first) and its hint; and "N passed, N failed".
Writes grade-results/grade.json and grade-results/junit.xml (JUnit XML: one testcase per test).
  --reference-earlier  grade chapter NN on the reference code of the chapters before it
  --each               grade each chapter given (every one by default) on the reference code of the chapters
                       before it, as if each were graded alone with --reference-earlier
  --until NN.K         grade chapter NN's exercises up to NN.K only (the step you are on, and the ones before it):
                       quicker when the later steps' tests start servers
  --all                show every failing test of every exercise
  --json [FILE]        print the JSON result instead of the scoreboard, or write it to FILE
                       (with npm, use \`npm run -s grade -- 01 --json\`: -s keeps npm's banner out of it)
  --timeout S          stop a test whose code runs S seconds without returning (default ${DEFAULT_TIMEOUT_SECONDS}): an infinite loop
  --max-memory MB      stop the tests when your code uses more than MB megabytes (default ${DEFAULT_MEMORY_MB})
  --serve              for tools that grade again and again: one grade per line of standard input (its arguments
                       as a JSON array), each answered with a line of JSON { status, stdout, stderr }; the test
                       worker is kept between grades, and each grade reads your files afresh
Exit 0 when every test passes; 1 when one fails; 2 on bad usage.`,
};

/** The flags each command knows (besides --help); --impl and --reference-earlier are read by bin/tls-by-hand.mjs. */
const FLAGS: Record<string, Record<string, FlagKind>> = {
  explain: {},
  hello: { "--tls": "value" },
  "verify-chain": { "--ca": "value", "--host": "value", "--at": "value" },
  connect: {
    "--tls": "value",
    "--kx": "value",
    "--group": "value",
    "--suite": "value",
    "--ca": "value",
    "--servername": "value",
    "--keylog": "value",
    "--no-ems": "switch",
    "--session": "value",
    "--early-data": "value",
    "--timeout": "value",
    "--trace": "switch",
    // Mutual TLS: our client certificate and its key (chapters 06/08 answer the request, 10/11 sign).
    "--cert": "value",
    "--key": "value",
  },
  serve: SERVE_FLAGS,
  grade: {
    "--all": "switch",
    // --json alone prints to stdout; --json FILE writes FILE (a chapter number or name is never taken as FILE).
    "--json": (next) => !/^\d+$/.test(next) && !/^\d\d-/.test(next),
    "--timeout": "value",
    "--max-memory": "value",
    "--until": "value",
    "--each": "switch",
    "--serve": "switch",
  },
};
const EVERY_COMMAND: Record<string, FlagKind> = { "--help": "switch", "--impl": "value", "--reference-earlier": "switch" };

export interface CliOptions {
  impl: string;
  referenceBelow: number;
  /** grade: the test worker bin/tls-by-hand.mjs started while this module loaded, and its memory cap. */
  warm?: { worker: import("node:worker_threads").Worker; memoryMb: number };
  /** grade --serve: where the grade leaves its test worker for the next one (see grade.ts). */
  keep?: { worker?: import("node:worker_threads").Worker };
}

export async function main(args: string[], options: CliOptions): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "help") {
    console.log(HELP.main);
    return command === undefined ? 2 : 0;
  }
  if (!(command in FLAGS)) {
    const guess = nearest(command, Object.keys(FLAGS));
    console.error(`error: unknown command "${command}"${guess === undefined ? "" : ` (did you mean ${guess}?)`}\n\n${HELP.main}`);
    return 2;
  }
  if (rest.includes("--help")) {
    console.log(HELP[command]);
    return 0;
  }
  const context = { command, args: rest, options };
  try {
    const parsed = parseArgs(rest, { ...EVERY_COMMAND, ...FLAGS[command] }, usageLine(HELP[command]!));
    if (command === "explain") return await explain(parsed);
    if (command === "hello") return await hello(parsed);
    if (command === "verify-chain") return await verifyChain(parsed);
    if (command === "connect") return await connect(parsed, context);
    if (command === "serve") return await serve(rest, { pq: chapter12Done(options.impl, options.referenceBelow) });
    return await gradeCommand(parsed, options);
  } catch (e) {
    return reportError(e, context);
  }
}

interface Context {
  command: string;
  args: string[];
  options: CliOptions;
}

/** Your code is not ready for this command: exit 3 (1 is the peer or the protocol, 2 bad usage). */
const NOT_READY = 3;

/**
 * Bad usage or unreadable input (TlsError from decoding what was given) → exit 2. An exercise not done,
 * or an error thrown in the learner's code that is not a TLS alert → which exercise, which line, and how to
 * run the command anyway: exit 3. Anything else is a bug of the tool, shown with its place: exit 1.
 */
function reportError(e: unknown, context: Context): number {
  if (e instanceof UsageError || e instanceof ChapterError) {
    console.error(`error: ${e.message}`);
    if (e instanceof UsageError && e.usage !== undefined && !e.message.includes("\n")) console.error(e.usage);
    return 2;
  }
  if (isNotImplemented(e)) {
    const ex = listExercises().find((x) => x.id === e.exercise);
    const place = ex === undefined ? "" : ` (${ex.file}:${ex.line})`;
    console.error(`${needsLine(context)}; exercise ${e.exercise} is not done yet${place}.`);
    if (ex !== undefined) console.error(`  TODO ${ex.id}: ${ex.text.length <= 150 ? ex.text : ex.text.slice(0, ex.text.lastIndexOf(" ", 140)) + " …"}`);
    console.error(howToRun(context, e.exercise));
    return NOT_READY;
  }
  if (isTlsError(e)) {
    console.error(`error: ${e.message}`);
    return 2;
  }
  const error = e instanceof Error ? e : new Error(String(e));
  // A syntax error in a chapter file: tsx's esbuild names the file, line and column.
  const syntax = /(\S+\.ts):(\d+):(\d+): ERROR: (.*)/.exec(error.message);
  if (syntax !== null) {
    const file = relative(ROOT, syntax[1]!);
    const exercise = exerciseAt(file, Number(syntax[2]));
    console.error(`error: ${file}:${syntax[2]}:${syntax[3]}: ${syntax[4]} (a syntax error${exercise === undefined ? "" : ` in exercise ${exercise}`})`);
    if (!file.startsWith("chapters/")) return 1;
    console.error(`${needsLine(context)}; fix it, or run the reference code with \`--impl solutions\`.`);
    return NOT_READY;
  }
  const blame = blameStack(error.stack);
  console.error(`error: ${error.name === "Error" ? "" : error.name + ": "}${error.message}`);
  for (const frame of learnerFrames(error.stack, 4)) console.error(`  ${frame}`);
  if (blame !== undefined && blame.frame.file.startsWith("chapters/")) {
    console.error(`${needsLine(context)}; this error is in your code of exercise ${blame.exercise} (${where(blame.frame)}).`);
    console.error(`Its tests: npm run grade -- ${blame.exercise.slice(0, 2)}. ${howToRun(context, blame.exercise)}`);
    return NOT_READY;
  }
  return 1;
}

/** "hello needs chapters 00–02" (with --tls, --session … taken into account for connect). */
function needsLine(context: Context): string {
  return `${context.command} needs ${describeChapters(chaptersNeeded(context.command, context.args))}`;
}

/** How to run the command without the unfinished exercise: the reference code, or the reference earlier chapters. */
function howToRun(context: Context, exercise: string): string {
  const last = Math.max(...chaptersNeeded(context.command, context.args), 0);
  const chapter = Number(exercise.slice(0, 2));
  const ways = ["on the reference code with `--impl solutions`"];
  if (context.command === "serve" && chapter === 11) ways.push("as a TLS 1.3 server alone (chapters 00–10) with `--tls 1.3`");
  if (chapter < last && context.options.referenceBelow === 0) {
    ways.push(`with your chapter ${String(last).padStart(2, "0")} on the reference ${describeChapters(Array.from({ length: last }, (_, i) => i))} with \`--reference-earlier\``);
  }
  return `Run it ${ways.join(", or ")}.`;
}

// ---- explain ----

async function readInput(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== "-") return arg;
  return readFileSync(0, "utf8");
}

async function explain({ positional }: ParsedArgs): Promise<number> {
  const bytes = fromHex(await readInput(positional.length > 0 ? positional.join(" ") : undefined));
  if (bytes.length === 0) {
    console.error("error: no input bytes");
    return 2;
  }
  const r = new ByteReader(bytes);
  try {
    const looksLikeRecord = bytes.length >= 3 && nameOf(ContentType, bytes[0]!) !== undefined && bytes[1] === 0x03;
    if (looksLikeRecord) {
      while (r.remaining > 0) await explainRecord(r);
    } else {
      await explainHandshake(r);
      r.end("input");
    }
  } catch (e) {
    if (isTlsError(e)) {
      console.log(renderText(bytes, r.annotations));
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  console.log(renderText(bytes, r.annotations));
  return 0;
}

async function explainRecord(r: ByteReader): Promise<void> {
  const b00 = await import("../chapters/00-bytes/index.js");
  const { type, length } = b00.readRecordHeader(r);
  const fragment = r.sub(length, `${nameOf(ContentType, type) ?? "record"} fragment`);
  if (type === ContentType.handshake) {
    while (fragment.remaining > 0) await explainHandshake(fragment);
  } else if (type === ContentType.alert) {
    const level = b00.readUint(fragment, 1, "alert level");
    fragment.describe(describeCode(AlertLevel, level, 2));
    const description = b00.readUint(fragment, 1, "alert description");
    fragment.describe(describeCode(AlertDescription, description, 2));
  } else if (type === ContentType.change_cipher_spec) {
    fragment.bytes(fragment.remaining, "change_cipher_spec (always 01)");
  } else {
    fragment.bytes(fragment.remaining, "encrypted or application data");
  }
  fragment.end("record fragment");
}

async function explainHandshake(r: ByteReader): Promise<void> {
  const b00 = await import("../chapters/00-bytes/index.js");
  const { type, body } = b00.readHandshake(r);
  if (type === HandshakeType.client_hello) {
    const ch01 = await import("../chapters/01-client-hello/index.js");
    ch01.readClientHelloBody(body);
  } else if (type === HandshakeType.server_hello) {
    const sh02 = await import("../chapters/02-server-hello/index.js");
    sh02.readServerHelloBody(body);
  } else {
    body.bytes(body.remaining, "body (not decoded by this chapter)");
  }
  body.end(nameOf(HandshakeType, type) ?? "handshake body");
}

// ---- hello ----

/** https://host[:port][/path], or host:port: the host (IPv6 without brackets), the port (443) and the path ("/"). */
function parseTarget(url: string): { host: string; port: number; path: string } {
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    throw new UsageError(`${url} is not a URL`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return { host, port: u.port === "" ? 443 : Number(u.port), path: `${u.pathname}${u.search}` };
}

async function hello({ positional, flags }: ParsedArgs): Promise<number> {
  // Without --tls, the hello offers both versions, as real clients do, and the server's answer says which it chose.
  const version = flags.get("--tls") ?? "both";
  if (version !== "1.2" && version !== "1.3" && version !== "both") throw new UsageError(`--tls must be 1.2 or 1.3, not ${version}`, usageLine(HELP.hello!));
  const [target, ...extra] = positional;
  if (target === undefined) throw new UsageError("a URL is needed (https://host:port)", usageLine(HELP.hello!));
  if (extra.length > 0) throw new UsageError(`one URL only; what is ${extra.join(" ")}?`, usageLine(HELP.hello!));
  const { host, port } = parseTarget(target);
  const b00 = await import("../chapters/00-bytes/index.js");
  const ch01 = await import("../chapters/01-client-hello/index.js");
  const sh02 = await import("../chapters/02-server-hello/index.js");
  const isIp = /^[\d.]+$/.test(host) || host.includes(":");
  const { clientHello } = ch01.makeClientHello({ version, serverName: isIp ? undefined : host });
  const record = ch01.clientHelloRecord(clientHello).toBytes();
  console.log(`→ ClientHello to ${host}:${port} (${version === "both" ? "TLS 1.3 and 1.2" : `TLS ${version}`} offer, ${record.length} bytes)`);

  const first = await firstMessage(host, port, record, b00);
  if (first.kind === "alert") {
    const name = nameOf(AlertDescription, first.description) ?? `alert ${first.description}`;
    console.log(`← alert from the server: ${name} (level ${describeCode(AlertLevel, first.level, 2)})`);
    return 1;
  }
  const r = new ByteReader(first.message);
  const sh = sh02.readServerHelloMessage(r);
  console.log(`← ${sh02.isHelloRetryRequest(sh) ? "HelloRetryRequest" : "ServerHello"} (${first.message.length} bytes)`);
  console.log(renderText(first.message, r.annotations));
  const negotiated = sh02.checkServerHello(clientHello, sh);
  const group = negotiated.group === undefined ? "" : `, group ${describeCode(NamedGroup, negotiated.group)}`;
  console.log(`negotiated: ${describeCode(ProtocolVersion, negotiated.version)}, ${describeSuite(negotiated.cipherSuite)}${group}`);
  return 0;
}

type First = { kind: "handshake"; message: Uint8Array } | { kind: "alert"; level: number; description: number };

/** Sends `record`, then reads records until the first handshake message is complete or an alert comes. */
function firstMessage(host: string, port: number, record: Uint8Array, b00: typeof import("../chapters/00-bytes/index.js")): Promise<First> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffered = new Uint8Array(0);
    let handshake = new Uint8Array(0);
    const join = (a: Uint8Array, b: Uint8Array) => {
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    const done = (value: First | Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${host}:${port} within 10 s`)), 10_000);
    socket.on("connect", () => socket.write(record));
    socket.on("error", (e) => done(e));
    socket.on("end", () => done(new Error("the server closed the connection before its ServerHello")));
    socket.on("data", (chunk: Buffer) => {
      try {
        buffered = join(buffered, new Uint8Array(chunk));
        for (let next = b00.nextRecord(buffered); next !== null; next = b00.nextRecord(buffered)) {
          buffered = buffered.slice(next.size);
          const { type, fragment } = next.record;
          if (type === ContentType.alert && fragment.length >= 2) return done({ kind: "alert", level: fragment[0]!, description: fragment[1]! });
          if (type !== ContentType.handshake) return done(new Error(`expected a handshake record, got content type ${type}`));
          handshake = join(handshake, fragment);
          const message = b00.nextHandshake(handshake);
          if (message !== null) return done({ kind: "handshake", message: message.message });
        }
      } catch (e) {
        done(e as Error);
      }
    });
  });
}

// ---- grade ----

async function gradeCommand({ positional: given, flags }: ParsedArgs, options: CliOptions): Promise<number> {
  if (flags.has("--serve")) return await gradeServer(given, options);
  let positional = given;
  const usage = usageLine(HELP.grade!);
  const positiveNumber = (flag: string, fallback: number): number => {
    const text = flags.get(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not ${text}`, usage);
    return n;
  };
  const timeoutSeconds = positiveNumber("--timeout", DEFAULT_TIMEOUT_SECONDS);
  const memoryMb = Math.round(positiveNumber("--max-memory", DEFAULT_MEMORY_MB));
  const all = chapterSlugs();
  for (const c of positional) {
    try {
      resolveChapter(c, all);
    } catch (e) {
      throw new UsageError((e as Error).message, usage);
    }
  }
  const until = flags.get("--until");
  if (until !== undefined) {
    const chapter = /^(\d\d)\.\d+$/.exec(until)?.[1];
    if (chapter === undefined) throw new UsageError(`--until takes an exercise, like 08.10, not ${until}`, usage);
    if (positional.length > 0 && !positional.some((c) => c.startsWith(chapter))) throw new UsageError(`--until ${until} is not in the chapters graded (${positional.join(", ")})`, usage);
    if (!listExercises().some((e) => e.id === until)) throw new UsageError(`no exercise ${until}; \`grade ${chapter}\` lists them`, usage);
    if (positional.length === 0) positional = [chapter];
  }
  const each = flags.has("--each");
  const report = await grade(positional, { impl: options.impl, referenceBelow: options.referenceBelow, each, timeoutSeconds, memoryMb, warm: options.warm, until, keep: options.keep });
  // TLS_BY_HAND_RESULTS: where npm test's scratch runs write, so they never touch the learner's results.
  writeResults(report, process.env.TLS_BY_HAND_RESULTS);
  const json = flags.get("--json");
  if (json === "") console.log(JSON.stringify(report));
  else {
    if (json !== undefined) writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
    const note = each
      ? " (each chapter with the chapters before it from the reference solutions)"
      : options.referenceBelow > 0
        ? ` (chapters before ${String(options.referenceBelow).padStart(2, "0")} from the reference solutions)`
        : "";
    console.log(`grading ${options.impl === "solutions" ? "the reference solutions" : "your chapters/"}${note}`);
    console.log(formatReport(report, { all: flags.has("--all"), referenceEarlier: each || options.referenceBelow > 0 }));
    if (json !== undefined) console.log(`(the JSON result is in ${json})`);
  }
  return report.failed === 0 ? 0 : 1;
}

/** Grades a server takes before it starts a fresh test worker: each grade loads the project's modules anew. */
const SERVED_PER_WORKER = 8;

/**
 * grade --serve: one grade per line of standard input, each line the grade's arguments as a JSON array
 * (["08", "--until", "08.3"], `--reference-earlier` included), each answered with one line of JSON:
 * { status, stdout, stderr }, what `grade` with those arguments would exit with and print. The test worker is kept
 * from one grade to the next (its Node, mocha, chai and the other packages are loaded once), and every grade loads
 * the project's files afresh, as they are on disk then (tools/impl-resolve.mjs). For tools that grade again and
 * again: the tool tests that put one bug after another into a copy and grade it each time.
 */
async function gradeServer(given: string[], options: CliOptions): Promise<number> {
  const usage = usageLine(HELP.grade!);
  if (given.length > 0) throw new UsageError(`grade --serve takes its chapters line by line on standard input, not ${given.join(" ")}`, usage);
  const { createInterface } = await import("node:readline");
  const { format } = await import("node:util");
  let warm = options.warm;
  let served = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const stdout: string[] = [];
    const stderr: string[] = [];
    const { log, error } = console;
    console.log = (...a: unknown[]) => void stdout.push(format(...a));
    console.error = (...a: unknown[]) => void stderr.push(format(...a));
    const keep: { worker?: import("node:worker_threads").Worker } = {};
    let status: number;
    let args: string[] = [];
    let memoryMb = DEFAULT_MEMORY_MB;
    try {
      const request = JSON.parse(line) as unknown;
      if (!Array.isArray(request) || !request.every((a) => typeof a === "string")) throw new UsageError("each line: the grade's arguments as a JSON array of strings", usage);
      args = request;
      // As bin/tls-by-hand.mjs reads them for a grade of its own: --reference-earlier serves the chapters before the
      // first one graded; --impl is the server's.
      const earlier = args.includes("--reference-earlier");
      const parsed = parseArgs(args.filter((a) => a !== "--reference-earlier"), { ...EVERY_COMMAND, ...FLAGS.grade! }, usage);
      const impl = parsed.flags.get("--impl");
      if (impl !== undefined && impl !== options.impl) throw new UsageError(`this server grades --impl ${options.impl}; start another for --impl ${impl}`, usage);
      if (parsed.flags.has("--serve")) throw new UsageError("--serve is not a grade's argument", usage);
      const chapters = parsed.positional.filter((a) => /^\d+$|^\d\d-/.test(a)).map((a) => parseInt(a, 10));
      const referenceBelow = earlier && chapters.length > 0 && !parsed.flags.has("--each") ? Math.min(...chapters) : 0;
      memoryMb = Math.round(Number(parsed.flags.get("--max-memory") ?? DEFAULT_MEMORY_MB)); // the kept worker's cap
      forgetRegions(); // the files may have changed since the last grade
      status = await gradeCommand(parsed, { impl: options.impl, referenceBelow, warm, keep });
    } catch (e) {
      status = reportError(e, { command: "grade", args, options });
    } finally {
      console.log = log;
      console.error = error;
    }
    // A request refused before its grade ran (bad usage) leaves the worker as it was, waiting.
    if ("worker" in keep) {
      served++;
      if (keep.worker !== undefined && served % SERVED_PER_WORKER === 0) {
        keep.worker.postMessage({ quit: true });
        keep.worker = undefined;
      }
      warm = keep.worker === undefined ? undefined : { worker: keep.worker, memoryMb };
    }
    process.stdout.write(JSON.stringify({ status, stdout: stdout.map((l) => l + "\n").join(""), stderr: stderr.map((l) => l + "\n").join("") }) + "\n");
  }
  warm?.worker.postMessage({ quit: true });
  return 0;
}

// ---- verify-chain ----


function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function showCheck(c: CertificateCheck): string {
  return `  ${c.ok ? "✓" : "✗"} [${c.index}] ${c.check.padEnd(19)} ${c.detail}`;
}

async function verifyChain({ positional, flags }: ParsedArgs): Promise<number> {
  // Bad usage and unreadable input (bad PEM or DER, which the reader and parser locate) reach reportError: exit 2.
  const usage = usageLine(HELP["verify-chain"]!);
  const caFile = flags.get("--ca");
  const host = flags.get("--host");
  const atText = flags.get("--at");
  const [chainFile, ...extra] = positional;
  if (chainFile === undefined || caFile === undefined) throw new UsageError("CHAIN.pem and --ca ROOTS.pem are needed", usage);
  if (extra.length > 0) throw new UsageError(`one chain file only; what is ${extra.join(" ")}?`, usage);
  const at = atText === undefined ? undefined : new Date(atText);
  if (at !== undefined && Number.isNaN(at.getTime())) throw new UsageError(`--at ${atText} is not an ISO-8601 time (e.g. 2030-06-01T00:00:00Z)`, usage);
  const ch03 = await import("../chapters/03-certificates/index.js");
  const chain = ch03.parseCertificates(readPemCertificates(readText(chainFile), chainFile));
  const roots = ch03.parseCertificates(readPemCertificates(readText(caFile), caFile));
  const when = at ?? new Date();
  console.log(`chain: ${chain.length} certificate(s) from ${chainFile}; trust anchors: ${roots.length} from ${caFile}`);
  console.log(`at ${when.toISOString()}${host === undefined ? ", no host name check" : `, for host ${host}`}`);
  // Every candidate path (chapter 03's buildPaths); validateChain returns the first that passes, or the first path's
  // failure. A certificate that breaks a rule of RFC 5280 (a repeated extension, say) is refused here, exit 1.
  const showPath = (path: { subject: { text: string }; publicKey: Parameters<typeof describeKey>[0]; signatureAlgorithm: { name: string } }[]) =>
    path.forEach((c, i) => {
      const role = i === path.length - 1 ? "trust anchor" : i === 0 ? "leaf" : "intermediate";
      console.log(`  [${i}] ${c.subject.text}  (${role}; ${describeKey(c.publicKey)}; signed with ${c.signatureAlgorithm.name})`);
    });
  try {
    const result = ch03.validateChain(chain, { roots, host, at: when });
    console.log("path (leaf first):");
    showPath(result.path);
    console.log("checks:");
    for (const c of result.checks) console.log(showCheck(c));
    console.log(`✓ valid: ${result.path.length}-certificate path to "${result.path[result.path.length - 1]!.subject.text}"`);
    return 0;
  } catch (e) {
    if (!isCertificateError(e)) throw e;
    if (e.check !== "path") {
      // The failure reported is the first candidate path's: show that path.
      const paths = ch03.buildPaths(chain[0]!, chain.slice(1), roots);
      console.log(`path (leaf first)${paths.length > 1 ? `, the first of ${paths.length} candidates, all refused` : ""}:`);
      showPath(paths[0]!);
    }
    if (e.checks.length > 0) {
      console.log("checks:");
      for (const c of e.checks) console.log(showCheck(c));
    }
    console.log(`✗ invalid: ${e.check} failed for ${e.certificate}: ${e.reason} (alert ${e.alertName})`);
    return 1;
  }
}

function describeKey(key: { kind: string; bits?: number; curve?: string; name?: string }): string {
  if (key.kind === "rsa") return `RSA-${key.bits}`;
  if (key.kind === "ec") return `ECDSA ${key.curve}`;
  return `unsupported key ${key.name}`;
}

// ---- connect ----

const KX: Record<string, string[]> = { rsa: ["RSA"], dhe: ["DHE_RSA"], ecdhe: ["ECDHE_RSA", "ECDHE_ECDSA"] };
const GROUPS: Record<string, number> = {
  x25519: NamedGroup.x25519,
  secp256r1: NamedGroup.secp256r1,
  "p-256": NamedGroup.secp256r1,
  secp384r1: NamedGroup.secp384r1,
  "p-384": NamedGroup.secp384r1,
  ffdhe2048: NamedGroup.ffdhe2048,
  ...HYBRID_GROUP_NAMES, // chapter 12, TLS 1.3 only
};

interface ConnectOptions {
  /** "both": one hello for TLS 1.3 and 1.2, the server picks. */
  version: "1.2" | "1.3" | "both";
  servername: string;
  cipherSuites: number[];
  groups?: number[];
  caFile?: string;
  keyLog?: string;
  ems: boolean;
  trace: boolean;
  session?: string;
  earlyData?: Uint8Array;
  timeoutMs: number;
  /** --cert and --key: our client certificate chain and its private key (files), for mutual TLS. */
  clientCert?: { chain: string; key: string };
}

/** The TLS version a --session file holds, from its "tls" field (chapter 09's stores write it; older ticket files lack it: 1.3); none if absent. */
function sessionFileTls(file: string | undefined): "1.2" | "1.3" | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { tls?: unknown }).tls === "1.2" ? "1.2" : "1.3";
  } catch {
    throw new UsageError(`--session ${file}: not a session file (JSON) this tool wrote`);
  }
}

/** Reads connect's options; throws UsageError for anything a person mistyped. */
function connectOptions(parsed: ParsedArgs, tls12Suites: readonly number[], tls13Suites: readonly number[]): { url: ReturnType<typeof parseTarget>; options: ConnectOptions } {
  const option = (_: unknown, name: string) => parsed.flags.get(name);
  const args = parsed.positional;
  // --session FILE: a TLS 1.2 session file (chapter 09's Session12Store writes "tls": "1.2") picks TLS 1.2 unless --tls says.
  const sessionTls = sessionFileTls(parsed.flags.get("--session"));
  // Without --tls, one hello offers both versions and the server picks (as with every real client); an option only
  // one version has picks that version.
  const implied = (): "1.2" | "1.3" | "both" => {
    if (sessionTls !== undefined) return sessionTls;
    if (option(args, "--kx") !== undefined || option(args, "--group")?.toLowerCase() === "ffdhe2048") return "1.2";
    if (option(args, "--session") !== undefined || option(args, "--early-data") !== undefined) return "1.3";
    if ((option(args, "--group")?.toLowerCase() ?? "") in HYBRID_GROUP_NAMES) return "1.3"; // chapter 12's groups are TLS 1.3's
    const suite = cipherSuites.get((CipherSuite as Record<string, number>)[option(args, "--suite")?.toUpperCase() ?? ""] ?? -1);
    return suite === undefined ? "both" : suite.version === "TLS 1.2" ? "1.2" : "1.3";
  };
  const version = option(args, "--tls") ?? implied();
  if (version !== "1.2" && version !== "1.3" && version !== "both") throw new UsageError(`--tls must be 1.2 or 1.3, not ${version}`);
  const kx = option(args, "--kx");
  if (kx !== undefined && !(kx in KX)) throw new UsageError(`--kx must be rsa, dhe or ecdhe, not ${kx}`);
  if (kx !== undefined && version === "1.3") throw new UsageError("--kx is for TLS 1.2: TLS 1.3 suites do not name a key exchange (it is always (EC)DHE)");
  const groupName = option(args, "--group")?.toLowerCase();
  if (groupName !== undefined && !(groupName in GROUPS)) {
    throw new UsageError(`--group must be x25519, secp256r1, secp384r1, ffdhe2048, x25519mlkem768 or secp256r1mlkem768, not ${groupName}`);
  }
  if (groupName !== undefined && groupName in HYBRID_GROUP_NAMES && version === "1.2") throw new UsageError(`--group ${groupName}: the hybrid groups are TLS 1.3 key shares (chapter 12)`);
  if (groupName === "ffdhe2048" && version === "1.3") throw new UsageError("--group ffdhe2048: this TLS 1.3 client does x25519, secp256r1 and secp384r1");
  const suiteName = option(args, "--suite");
  const session = option(args, "--session");
  const earlyText = option(args, "--early-data");
  if (earlyText !== undefined && version !== "1.3") throw new UsageError("--early-data is for TLS 1.3 (chapter 09): TLS 1.2 has no 0-RTT");
  if (sessionTls !== undefined && sessionTls !== version) throw new UsageError(`--session ${session}: the file holds a TLS ${sessionTls} session, not TLS ${version}`);
  const timeoutText = option(args, "--timeout") ?? "5000";
  const timeoutMs = Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, not ${timeoutText}`);
  const certFile = option(args, "--cert");
  const keyFile = option(args, "--key");
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError("--cert and --key go together: the certificate chain and its private key");
  if (certFile !== undefined && (session !== undefined || earlyText !== undefined)) {
    throw new UsageError("--cert is for a full handshake: chapter 09's resumed handshake does not send a client certificate");
  }
  const [target, ...extra] = args;
  if (target === undefined) throw new UsageError("a URL is needed (https://host:port/path)", usageLine(HELP.connect!));
  if (extra.length > 0) throw new UsageError(`one URL only; what is ${extra.join(" ")}?`, usageLine(HELP.connect!));
  const url = parseTarget(target);
  const runnable = version === "1.3" ? tls13Suites : version === "1.2" ? tls12Suites : [...tls13Suites, ...tls12Suites];
  let suites = [...runnable];
  if (kx !== undefined) suites = suites.filter((s) => KX[kx]!.includes(cipherSuites.get(s)?.keyExchange ?? ""));
  if (suiteName !== undefined) {
    const code = (CipherSuite as Record<string, number>)[suiteName.toUpperCase()];
    if (code === undefined || !runnable.includes(code)) {
      throw new UsageError(`--suite ${suiteName}: not one this ${version === "both" ? "" : `TLS ${version} `}client runs; it runs ${runnable.map(suiteName_).join(", ")}`);
    }
    suites = suites.filter((s) => s === code);
  }
  if (suites.length === 0) throw new UsageError("no suite is left to offer with these options");
  return {
    url,
    options: {
      version,
      servername: option(args, "--servername") ?? url.host,
      cipherSuites: suites,
      groups: groupName === undefined ? undefined : [GROUPS[groupName]!],
      caFile: option(args, "--ca"),
      keyLog: option(args, "--keylog") ?? process.env.SSLKEYLOGFILE,
      ems: !parsed.flags.has("--no-ems"),
      trace: parsed.flags.has("--trace"),
      session,
      earlyData: earlyText === undefined ? undefined : new TextEncoder().encode(earlyText.replace(/\\r/g, "\r").replace(/\\n/g, "\n")),
      timeoutMs,
      ...(certFile !== undefined && keyFile !== undefined ? { clientCert: { chain: certFile, key: keyFile } } : {}),
    },
  };
}

/** The next data from the server, or null at its end or once `deadline` has passed (then we stop waiting). */
function readUntil(connection: { read(): Promise<Uint8Array | null> }, deadline: number): Promise<Uint8Array | null> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.resolve(null);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), left)));
  return Promise.race([connection.read(), timeout]).finally(() => clearTimeout(timer));
}

const suiteName_ = (s: number): string => describeSuite(s).replace(/ \(.*/, "");

async function connect(args: ParsedArgs, context: Context): Promise<number> {
  const ch03 = await import("../chapters/03-certificates/index.js");
  const ch06 = await import("../chapters/06-tls12-handshake/index.js");
  const ch08 = await import("../chapters/08-tls13-handshake/index.js");
  // Bad usage and an unreadable --ca file reach reportError: exit 2.
  const { url, options } = connectOptions(args, ch06.TLS12_SUITES, ch08.TLS13_SUITES);
  const { host, port, path } = url;
  // Trust anchors: --ca, or the Mozilla roots Node carries, parsed with your chapter-03 code.
  const ca =
    options.caFile !== undefined
      ? ch03.parseCertificates(readPemCertificates(readText(options.caFile), options.caFile))
      : ch03.parseCertificates(rootCertificates.flatMap((pem) => readPemCertificates(pem, "Node's root store")));
  // Key log lines are written as each secret is derived: to --keylog's file, into the streamed trace, and kept, so
  // that a handshake that fails still leaves what Wireshark needs for what did get encrypted.
  const keyLines: string[] = [];
  const keyLog = (line: string): void => {
    keyLines.push(line);
    if (options.keyLog !== undefined) appendFileSync(options.keyLog, line + "\n");
    if (options.trace) console.log(`\n🔑 ${line}`);
  };
  // --trace streams: each message is shown, decoded, the moment it is sent or received, so a failure shows
  // everything up to it.
  const annotate = options.version === "1.3" ? ch08.annotator13() : options.version === "1.2" ? ch06.annotator() : ch08.annotatorAnyVersion();
  const onTrace = options.trace ? (entry: import("../chapters/06-tls12-handshake/index.js").TraceEntry) => showEntry(annotate(entry)) : undefined;
  // Mutual TLS: the certificate and key read by chapter 10, the signer made by chapter 11 from YOUR signing code. A key
  // file that does not read, or does not fit the certificate, is a usage error (exit 2), before any connection.
  const clientCredential = options.clientCert === undefined ? undefined : await readClientCredential(options.clientCert);
  const versions = options.version === "both" ? "TLS 1.3 or 1.2 (one hello, the server picks)" : `TLS ${options.version}`;
  console.log(`→ ${host}:${port}, ${versions}, offering ${options.cipherSuites.map(suiteName_).join(", ")}`);

  let connection: { write(d: Uint8Array): void; read(): Promise<Uint8Array | null>; close(): void };
  let saveTickets = (): void => {};
  try {
    const transport = await ch06.connectTcp(host, port);
    if (options.version === "1.3" && (options.session !== undefined || options.earlyData !== undefined)) {
      const ch09 = await import("../chapters/09-resumption-0rtt/index.js");
      const store = options.session === undefined ? undefined : ch09.TicketStore.load(options.session);
      const ticket = store?.take(options.servername);
      console.log(ticket === undefined ? "  no usable ticket: a full handshake" : `  offering a ticket from ${options.session} (PSK)`);
      const c = await ch09.connectResumed(transport, {
        servername: options.servername,
        ca,
        cipherSuites: options.cipherSuites,
        groups: options.groups,
        keyLog,
        onTrace,
        ticket,
        earlyData: options.earlyData,
      });
      const how = c.validation === undefined ? "resumed (no certificate this time)" : `certificate ${c.validation.path[0]!.subject.text}`;
      console.log(`✓ handshake done: TLS 1.3, ${describeSuite(c.cipherSuite)}, ${describeCode(NamedGroup, c.group)}; ${how}`);
      if (options.trace || options.earlyData !== undefined) console.log(`  ${ch09.describeResumption(c.resumption, c.earlyDataResent)}`);
      saveTickets = () => {
        if (store === undefined) return;
        store.add(...c.newTickets());
        store.save();
      };
      connection = c;
    } else if (options.version === "1.2" && options.session !== undefined) {
      // TLS 1.2 with --session: chapter 09's client offers the saved session (ID and ticket), resumes or not.
      const ch09 = await import("../chapters/09-resumption-0rtt/index.js");
      const store = ch09.Session12Store.load(options.session);
      const session = store.take(options.servername);
      console.log(session === undefined ? "  no usable session: a full handshake" : `  offering a TLS 1.2 session from ${options.session} (${ch09.describeSession12(session)})`);
      const tls12 = { servername: options.servername, ca, cipherSuites: options.cipherSuites, groups: options.groups, extendedMasterSecret: options.ems, keyLog, onTrace, clientCredential };
      const c = await ch09.connectTls12Resumable(transport, { ...tls12, session });
      const how = c.resumed ? "resumed: the session's master secret, no certificate, no key exchange" : `certificate ${c.validation!.path[0]!.subject.text}`;
      console.log(`✓ handshake done: TLS 1.2, ${describeSuite(c.cipherSuite)}; ${how}`);
      showClientAuthentication(c.trace, clientCredential !== undefined);
      saveTickets = () => {
        store.add(c.session);
        store.save();
      };
      connection = c;
    } else {
      // One hello for both versions (connectTls), or one version only; then what the server chose.
      const plain = { servername: options.servername, ca, cipherSuites: options.cipherSuites, groups: options.groups, keyLog, onTrace, clientCredential };
      // Chapter 12's offer (X25519MLKEM768 first, an X25519 share beside it) when a hybrid group is asked for, or by
      // default once chapter 12 is done; chapter 08's own offer before that (tools/pq.ts). Not in a TLS 1.2-only hello.
      const hybridAsked = options.groups?.some((g) => Object.values(HYBRID_GROUP_NAMES).includes(g)) ?? false;
      const pq = options.version !== "1.2" && (hybridAsked || (options.groups === undefined && chapter12Done(context.options.impl, context.options.referenceBelow)));
      if (pq) console.log("  key shares from chapter 12: the post-quantum hybrid (ML-KEM-768 with ECDH) first");
      const common = pq ? { ...plain, offer: (await import("../chapters/12-post-quantum/index.js")).hybridOffer } : plain;
      const c =
        options.version === "1.3"
          ? await ch08.connectTls13(transport, common)
          : options.version === "1.2"
            ? await ch06.connectTls12(transport, { ...common, extendedMasterSecret: options.ems })
            : await ch08.connectTls(transport, { ...common, extendedMasterSecret: options.ems });
      if (c.version === ProtocolVersion.TLS1_3) {
        if (options.trace) {
          console.log("\nthe key schedule, in the order it unfolds:");
          for (const row of ch08.describeSecrets13(c.secrets)) console.log(`  after ${row.after.padEnd(20)} ${row.name.padEnd(44)} ${row.hex}`);
        }
        const retry = c.helloRetryRequest ? ", after a HelloRetryRequest" : "";
        console.log(`✓ handshake done: TLS 1.3, ${describeSuite(c.cipherSuite)}, ${describeCode(NamedGroup, c.group)}${retry}`);
      } else {
        if (options.trace) {
          console.log("\nsecrets:");
          for (const [name, hex] of ch06.describeSecrets(c.secrets)) console.log(`  ${name.padEnd(26)} ${hex}`);
        }
        const kx = c.serverKeyExchange?.kind === "ecdhe" ? `, ${describeCode(NamedGroup, c.serverKeyExchange.params.namedCurve)}` : "";
        console.log(`✓ handshake done: TLS 1.2, ${describeSuite(c.cipherSuite)}${kx}, ${c.secrets.extendedMasterSecret ? "extended master secret" : "master secret (no RFC 7627)"}`);
      }
      const leaf = c.validation.path[0]!;
      console.log(`  certificate: ${leaf.subject.text}, issued by ${leaf.issuer.text}`);
      showClientAuthentication(c.trace, clientCredential !== undefined);
      connection = c;
    }
  } catch (e) {
    // A TLS failure: the steps it failed in and the key log so far; an unfinished or buggy exercise: reportError.
    if (isTlsError(e)) explainFailure(e, keyLines, options.keyLog, ch06.isReceivedAlert(e), ch06.isConnectionClosed(e));
    return handshakeFailed(e, ch06.isReceivedAlert(e), context, ch06.isConnectionClosed(e));
  }
  try {
    if (options.earlyData === undefined) {
      const request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nUser-Agent: tls-by-hand\r\n\r\n`;
      console.log(`→ GET ${path}\n`);
      connection.write(new TextEncoder().encode(request));
    } else {
      console.log(`→ (the early data was sent by the handshake: ${options.earlyData.length} bytes)\n`);
    }
    // Read until the server closes, or until --timeout: a server that stays silent is not an error now.
    const deadline = Date.now() + options.timeoutMs;
    const decoder = new TextDecoder();
    for (let data = await readUntil(connection, deadline); data !== null; data = await readUntil(connection, deadline)) {
      process.stdout.write(decoder.decode(data, { stream: true }));
    }
    process.stdout.write("\n");
    saveTickets();
  } catch (e) {
    // A TLS failure: the steps it failed in and the key log so far; an unfinished or buggy exercise: reportError.
    if (isTlsError(e)) explainFailure(e, keyLines, options.keyLog, ch06.isReceivedAlert(e), ch06.isConnectionClosed(e));
    return handshakeFailed(e, ch06.isReceivedAlert(e), context, ch06.isConnectionClosed(e));
  } finally {
    connection.close();
  }
  return 0;
}

/** --cert / --key: the learner's signer (chapter 11) over the certificate and key chapter 10 reads. */
async function readClientCredential(files: { chain: string; key: string }) {
  const ch10 = await import("../chapters/10-tls13-server/index.js");
  const ch11 = await import("../chapters/11-tls12-server/index.js");
  let credential;
  try {
    credential = ch10.readServerCredential(readText(files.chain), readText(files.key), files.chain);
  } catch (e) {
    if (isTlsError(e)) throw new UsageError(`--cert ${files.chain} --key ${files.key}: ${e.detail}`);
    throw e;
  }
  return ch11.clientCredential(credential);
}

/** Whether the server asked who we are (mutual TLS), and what we answered, from the connection's trace. */
function showClientAuthentication(trace: readonly { from: string; name: string; content: Uint8Array }[], haveCredential: boolean): void {
  const asked = trace.some((e) => e.from === "server" && e.name === "certificate_request");
  const verify = trace.find((e) => e.from === "client" && e.name === "certificate_verify");
  if (verify !== undefined) {
    const scheme = ((verify.content[4] ?? 0) << 8) | (verify.content[5] ?? 0);
    console.log(`  client certificate: sent, with a CertificateVerify signed by your code (${describeCode(SignatureScheme, scheme)})`);
  } else if (asked) {
    console.log(`  client certificate: the server asked; we sent an empty Certificate (${haveCredential ? "none of our schemes fits its request" : "no --cert given"})`);
  } else if (haveCredential) {
    console.log("  client certificate: the server did not ask for one");
  }
}

/** One message of the trace, as it happens: who sent it, under which keys, every byte annotated. */
function showEntry(item: { entry: { from: string; name: string; encrypted: boolean; keys?: string }; data: Uint8Array; annotations: import("../lib/bytes.js").Annotation[] }): void {
  const how = item.entry.encrypted ? ` (encrypted${item.entry.keys === undefined ? "" : `: ${item.entry.keys}`})` : "";
  console.log(`\n${item.entry.from === "client" ? "→" : "←"} ${item.entry.name}${how}, ${item.data.length} bytes`);
  console.log(renderText(item.data, item.annotations));
}

/**
 * What a failed handshake leaves for the learner, before the alert's name: the exercise steps the failure happened
 * in (from the error's stack: each frame in a chapter's exercise region, innermost first), and the key log lines
 * derived so far, which Wireshark needs to open what did get encrypted.
 */
function explainFailure(e: unknown, keyLines: string[], keyLogFile: string | undefined, received: boolean, closed = false): void {
  // A server that went away sent nothing to blame a step of ours for: the last line says it closed.
  const steps = closed ? [] : exerciseFrames(e);
  if (steps.length > 0) {
    const [first, ...callers] = steps;
    const chain = `${first}${callers.length > 0 ? `\n    called from ${callers.join("\n    called from ")}` : ""}`;
    if (received) console.error(`✗ the server's alert reached us in ${chain}\n  (it objects to something we sent before: see the last → records above)`);
    else console.error(`✗ our check failed in ${chain}`);
  }
  if (keyLines.length > 0) {
    const where = keyLogFile === undefined ? "(give --keylog FILE to keep them; Wireshark reads them)" : `(also in ${keyLogFile})`;
    console.error(`  the key log lines derived before the failure ${where}:\n${keyLines.map((l) => `    ${l}`).join("\n")}`);
  }
}

/** The exercise regions an error's stack passes through, innermost first: "08.14 readServerCertificate (chapters/…:201)". */
function exerciseFrames(e: unknown): string[] {
  if (!(e instanceof Error) || e.stack === undefined) return [];
  const out: string[] = [];
  const regionsOf = new Map<string, Region[]>();
  for (const line of e.stack.split("\n")) {
    const m = /at (?:async )?(?:([\w$.<>]+) \()?(?:file:\/\/)?([^()]+?\/(chapters|solutions)\/(\d\d-[^/]+\/[^:]+\.ts)):(\d+):\d+\)?$/.exec(line.trim());
    if (m === null) continue;
    const [, fn, path, tree, rel, lineNo] = m as unknown as [string, string | undefined, string, string, string, string];
    if (!regionsOf.has(path)) {
      try {
        regionsOf.set(path, findRegions(readFileSync(path, "utf8"), path));
      } catch {
        regionsOf.set(path, []);
      }
    }
    const n = Number(lineNo) - 1;
    const region = regionsOf.get(path)!.find((r) => r.begin <= n && n <= r.end);
    if (region === undefined) continue;
    const name = fn === undefined ? "" : ` ${fn.replace(/^.*\./, "")}`;
    const text = `${region.id}${name} (${tree}/${rel}:${lineNo})`;
    if (!out.some((o) => o.startsWith(`${region.id}${name} `))) out.push(text);
  }
  return out;
}

/**
 * A failed connection: exit 1 with the alert's name, saying who sent it (or that the server just went away); exit 3
 * if it is the learner's code that is not ready.
 */
function handshakeFailed(e: unknown, received: boolean, context: Context, closed = false): number {
  if (isNotImplemented(e)) return reportError(e, context);
  if (!isTlsError(e) && e instanceof Error && blameStack(e.stack)?.frame.file.startsWith("chapters/")) return reportError(e, context);
  if (isTlsError(e)) {
    // The server's alert is named once (its detail would only say it again); a server that went away sent none.
    if (received) console.error(`✗ the server sent alert ${e.alertName} (${e.alert})`);
    else if (closed) console.error(`✗ ${e.detail}`);
    else console.error(`✗ we sent alert ${e.alertName}: ${e.detail}`);
    return 1;
  }
  console.error(`✗ connection failed: ${e instanceof Error ? e.message : String(e)}`);
  return 1;
}
