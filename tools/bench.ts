// `npm run bench`: how long the learner waits. Figures are wall times on this machine, each the median
// of several runs, and reported as ratios against a baseline measured in the same run:
//   - `npm run grade -- 01` on a learner's finished chapters/ (a scratch copy) and `… --impl solutions`, against
//     a bare mocha start-up with tsx and against plain mocha on the same tests; chapters 00–02 graded in one run
//     against one run each; chapter 01 on the untouched stubs; and how soon the watchdog ends a grade whose 00.2
//     never returns
//   - each notebook executed with the project kernel (against the solutions)
//   - chapter 03's chain validation against Node's X509Certificate, in this process (tools/bench-chain.ts)
//   - the TLS 1.2 (chapter 06) and TLS 1.3 (chapter 08) clients, handshake + GET, against Node's tls.connect
//     (tools/bench-tls.ts)
//   - the TLS 1.3 server (chapter 10), full handshakes with Node's tls.connect as the client, against Node's own
//     tls.createServer, and 200 connections held open at once (tools/bench-server.ts)
//   - the TLS 1.2 server (chapter 11): RSA key exchange, ECDHE and DHE handshakes per second with Node's tls.connect,
//     against Node's own tls.createServer with the same certificate, and what dominates each (tools/bench-server12.ts)
//   - the post-quantum handshake (chapter 12): our client and server with X25519MLKEM768 against X25519 alone, and the
//     bytes each side sends (tools/bench-pq.ts)
//   - the whole `npm test` (pass --no-full to leave it out)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchChain } from "./bench-chain.js";
import { benchServer } from "./bench-server.js";
import { benchServer12 } from "./bench-server12.js";
import { benchPq } from "./bench-pq.js";
import { TLS12_CASES, TLS13_CASES, benchTls } from "./bench-tls.js";
import { ROOT, findRegions } from "./exercises.js";
import { scratchCopy } from "./scratch.js";

const RUNS = 5;

function time(command: string, args: string[], cwd = ROOT): number {
  const start = process.hrtime.bigint();
  spawnSync(command, args, { cwd, stdio: "ignore", env: { ...process.env, TLS_BY_HAND_RESULTS: join(tmpdir(), "tls-by-hand-bench-results") } });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(command: string, args: string[], cwd = ROOT): number {
  const times = Array.from({ length: RUNS }, () => time(command, args, cwd)).sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

const s = (x: number) => `${x.toFixed(2)} s`;

// Baseline: mocha with tsx on one empty test, the least any graded run can cost.
const empty = mkdtempSync(join(tmpdir(), "tls-by-hand-bench-"));
writeFileSync(join(empty, "empty.test.ts"), 'describe("empty", () => { it("runs", () => {}); });\n');
const mochaBin = join(ROOT, "node_modules/mocha/bin/mocha.js");
const baseline = median(process.execPath, [mochaBin, "--no-config", "--require", "tsx/esm", join(empty, "empty.test.ts")]);
console.log(`bare mocha + tsx start-up                ${s(baseline)}   (baseline, median of ${RUNS})`);

// A learner's chapters/ with every exercise done (the stubs filled in with the reference code): what grading a
// finished chapter costs, the tests in the grader's worker thread included.
const finished = scratchCopy("finished");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
for (const [label, extra] of [
  ["npm run grade -- 01 (finished chapters/)", []],
  ["npm run grade -- 01 --impl solutions", ["--impl", "solutions"]],
] as const) {
  const t = median(npm, ["run", "--silent", "grade", "--", "01", ...extra], finished);
  console.log(`${label.padEnd(40)} ${s(t)}   ${(t / baseline).toFixed(2)}× the baseline   (goal ≤ 1.5 s)`);
}
// The same tests with plain mocha and no grader (no worker, no watchdog, no scoreboard): what the tests of chapter 01
// cost by themselves (their files loaded, their fast-check properties run). The grader's own cost is the difference.
const plain = median(process.execPath, [mochaBin, "--no-config", "--reporter", "dot", "--require", "tsx/esm", "--require", "./tools/impl-hook.mjs", "tests/01-client-hello.test.ts"], finished);
console.log(`${"mocha + tsx on chapter 01's tests".padEnd(40)} ${s(plain)}   ${(plain / baseline).toFixed(2)}× the baseline   (the tests themselves, no grader)`);
// The same without npm's own start-up, to show what is the grader's and what is npm's.
for (const [label, extra] of [
  ["node bin/tls-by-hand.mjs grade 01", []],
  ["node bin/tls-by-hand.mjs grade 01 --impl solutions", ["--impl", "solutions"]],
] as const) {
  const t = median(process.execPath, ["bin/tls-by-hand.mjs", "grade", "01", ...extra], finished);
  console.log(`${label.padEnd(40)} ${s(t)}   ${(t / baseline).toFixed(2)}× the baseline, ${(t / plain).toFixed(2)}× plain mocha on the same tests (goal ≤ 2×: the worker and its watchdog cost no second start-up)`);
}
// One start-up for all the chapters graded, not one each: chapters 00–02 in one grade, against the three graded
// one at a time, and against plain mocha on the same three chapters' tests.
const three = ["00", "01", "02"];
const together = median(process.execPath, ["bin/tls-by-hand.mjs", "grade", ...three], finished);
const apart = three.map((c) => median(process.execPath, ["bin/tls-by-hand.mjs", "grade", c], finished)).reduce((a, b) => a + b, 0);
const plainThree = median(process.execPath, [mochaBin, "--no-config", "--reporter", "dot", "--require", "tsx/esm", "--require", "./tools/impl-hook.mjs", ...three.map((c) => `tests/${c}-*.test.ts`)], finished);
console.log(`${"grade 00 01 02 (one run)".padEnd(40)} ${s(together)}   against ${s(apart)} for the three runs one at a time; ${(together / plainThree).toFixed(2)}× plain mocha on the same tests (${s(plainThree)})`);
// The learner's untouched stubs: what grading costs before the first exercise is done (tests fail at once).
const stubs = scratchCopy("stubs");
const onStubs = median(process.execPath, ["bin/tls-by-hand.mjs", "grade", "01"], stubs);
console.log(`${"grade 01 on the untouched stubs".padEnd(40)} ${s(onStubs)}   ${(onStubs / baseline).toFixed(2)}× the baseline`);
rmSync(stubs, { recursive: true, force: true });
// The watchdog: 00.2 with an index that never moves. One run: the default limit is 10 s of a blocked test,
// then the remaining tests run in a fresh worker with 00.2 stopped.
const presentation = join(finished, "chapters/00-bytes/presentation.ts");
const source = readFileSync(presentation, "utf8");
const region = findRegions(source, "chapters/00-bytes/presentation.ts").find((r) => r.id === "00.2")!;
const lines = source.split("\n");
lines.splice(region.bodyStart, region.end - region.bodyStart, "  let value = 0;", "  for (let i = 0; i < size; ) value = value * 256;", "  return value;");
writeFileSync(presentation, lines.join("\n"));
const loop = time(process.execPath, ["bin/tls-by-hand.mjs", "grade", "00"], finished);
console.log(`${"grade 00 with 00.2 looping forever".padEnd(40)} ${s(loop)}   (the watchdog's limit is 10 s; goal < 30 s)`);
rmSync(finished, { recursive: true, force: true });
rmSync(empty, { recursive: true, force: true });

// Notebooks, against the solutions, in a scratch copy (as npm test runs them).
const python = join(ROOT, ".venv/bin/python");
if (existsSync(python) && existsSync(join(ROOT, "notebooks"))) {
  const dir = scratchCopy("solutions");
  for (const nb of readdirSync(join(dir, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort()) {
    const t = time(python, [join(ROOT, "tools/run-notebooks.py"), join(dir, "notebooks", nb)]);
    console.log(`notebook ${nb.padEnd(31)} ${s(t)}   (kernel start included)`);
  }
  rmSync(dir, { recursive: true, force: true });
} else console.log("notebooks: skipped (no .venv or no notebooks/)");

await benchChain(console.log);
await benchTls([...TLS12_CASES, ...TLS13_CASES], console.log);
await benchServer(console.log);
await benchServer12(console.log);
await benchPq(console.log); // chapter 12: the hybrid key share against X25519 alone

if (!process.argv.includes("--no-full")) {
  const t = time(npm, ["test", "--silent"]);
  console.log(`${"npm test (everything)".padEnd(40)} ${s(t)}   (goal ≤ 240 s)`);
}
