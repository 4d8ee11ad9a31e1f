// `npm test`: everything that must hold, in one run, ending with the plain "N passed, N failed" line.
//   1. type-check the whole repository (tsc --noEmit, strict)
//   2. chapters/ is what the generator makes from solutions/ (no drift)
//   3. every test passes against solutions/
//   4. the project's own tools (command-line tool, grader, watchdog, reset, notebook grade cell), each test file
//   5. every exercise's tests fail against freshly generated stubs (in a scratch copy, never chapters/), each
//      chapter with the chapters before it from solutions/ (one `grade --each`)
//   6. every notebook runs clean with the project kernel against the solutions, and against the stubs
//      (where it must show unfinished exercises, not crash) with its switch on: the chapters before its own
//      from the reference solutions. The grade cells show check 3's and check 5's grades of the same code; on
//      the stubs, notebook 01's grades its chapter itself, as a learner's does, and must agree with check 5.
//   7. every Mermaid diagram of the notebooks (Markdown cells, and those the cells drew) parses with Mermaid
// Checks 1–6 run two at a time (JOBS=N to change it), in about that order; each one's output is printed whole,
// in the order above, as soon as it and the ones before it are done. 7 needs all the notebook runs, so it comes last.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, chapterSlugs } from "./exercises.js";
import { drift } from "./generate.js";
import type { GradeReport } from "./grade.js";
import { scratchCopy } from "./scratch.js";

interface Outcome {
  lines: string[];
  passed: number;
  failed: number;
  skipped: number;
  problems: string[];
}

interface Task {
  /** The heading printed before its output (tasks with the same heading share it). */
  heading: string;
  /** For ordering the pool: higher starts first. The many short notebook runs come last, to fill both lanes. */
  weight: number;
  /** Names the check in the list of the slowest, at the end. */
  name: string;
  run: () => Promise<Outcome>;
}

const seconds = (start: number) => ((Date.now() - start) / 1000).toFixed(1);

function outcome(): Outcome {
  return { lines: [], passed: 0, failed: 0, skipped: 0, problems: [] };
}

function check(o: Outcome, name: string, ok: boolean, detail = ""): void {
  if (ok) o.passed++;
  else {
    o.failed++;
    o.problems.push(`${name}${detail === "" ? "" : ": " + detail}`);
  }
  o.lines.push(`${ok ? "  ok  " : "  FAIL"}  ${name}${!ok && detail !== "" ? "\n        " + detail.split("\n").join("\n        ") : ""}`);
}

/** Runs a command; resolves with its exit code and output (never rejects). */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", (e) => resolve({ status: null, stdout, stderr: stderr + e.message }));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const resultsDir = () => mkdtempSync(join(tmpdir(), "tls-by-hand-results-"));
let mermaidFolder: string | undefined;
const mermaidDir = () => (mermaidFolder ??= mkdtempSync(join(tmpdir(), "tls-by-hand-mermaid-")));

/** Runs the grader in `cwd` and returns its JSON report; `keep`: where to keep the grade.json it wrote. */
async function gradeIn(cwd: string, impl: "solutions" | "chapters", extra: string[] = [], keep?: string): Promise<GradeReport | string> {
  const results = resultsDir();
  const r = await run(process.execPath, ["bin/tls-by-hand.mjs", "grade", "--json", "--impl", impl, ...extra], {
    cwd,
    env: { ...process.env, TLS_BY_HAND_RESULTS: results },
  });
  if (keep !== undefined && existsSync(join(results, "grade.json"))) renameSync(join(results, "grade.json"), keep);
  rmSync(results, { recursive: true, force: true });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) return `grader printed no result (exit ${r.status})\n${r.stdout}\n${r.stderr}`.trim();
  return JSON.parse(line) as GradeReport;
}

const keptFolders: string[] = []; // the grades the notebook runs read, removed at the end

/**
 * A grade the notebook runs show in their grade cells (TLS_BY_HAND_GRADE_REPORT) rather than grade the same code
 * again: `file` resolves with its grade.json once `run` has written it, or with undefined if it left none (whatever
 * happened, the notebooks waiting for it go on; without it, each grades its chapter itself).
 */
function sharedGrade(name: string): { file: Promise<string | undefined>; run: (cwd: () => string, impl: "solutions" | "chapters", extra: string[]) => Promise<GradeReport | string> } {
  let written: (file: string | undefined) => void = () => {};
  const file = new Promise<string | undefined>((resolve) => (written = resolve));
  // cwd: a function, so that a scratch copy that cannot be made still lets the waiting notebooks go on.
  const run = async (cwd: () => string, impl: "solutions" | "chapters", extra: string[]) => {
    let kept: string | undefined;
    try {
      const folder = mkdtempSync(join(tmpdir(), `tls-by-hand-${name}-grade-`));
      keptFolders.push(folder);
      kept = join(folder, "grade.json");
      return await gradeIn(cwd(), impl, extra, kept);
    } finally {
      written(kept !== undefined && existsSync(kept) ? kept : undefined);
    }
  };
  return { file, run };
}

const started = Date.now();
const tasks: Task[] = [];

// 1. Types
tasks.push({
  heading: "type-check (tsc --noEmit, strict)",
  weight: 100,
  name: "tsc",
  run: async () => {
    const o = outcome();
    const t = Date.now();
    const tsc = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", ROOT]);
    check(o, "tsc --noEmit", tsc.status === 0, (tsc.stdout + tsc.stderr).trim());
    o.lines.push(`  (${seconds(t)} s)`);
    return o;
  },
});

// 2. Drift
tasks.push({
  heading: "chapters/ is generated from solutions/",
  weight: 100,
  name: "drift",
  run: async () => {
    const o = outcome();
    const drifted = drift(ROOT);
    check(o, "no drift between solutions/ and chapters/", drifted.length === 0, drifted.join("\n"));
    return o;
  },
});

// 3. Tests against the solutions. The notebooks' grade cells, in their runs on the solutions, show this grade
// (their chapter's part) rather than grade the same code again (sharedGrade).
const solutionsGrade = sharedGrade("solutions");
tasks.push({
  heading: "tests against solutions/",
  weight: 90,
  name: "tests on solutions/",
  run: async () => {
    const o = outcome();
    const t = Date.now();
    const reference = await solutionsGrade.run(() => ROOT, "solutions", []);
    if (typeof reference === "string") check(o, "grader ran", false, reference);
    else {
      for (const test of reference.tests) {
        if (test.state === "passed") o.passed++;
        else {
          o.failed++;
          o.problems.push(`${test.fullTitle}: ${test.message ?? ""}`);
          o.lines.push(`  FAIL  ${test.fullTitle}\n        ${(test.message ?? "").split("\n").join("\n        ")}`);
        }
      }
      for (const l of reference.loadErrors ?? []) check(o, "test file loads", false, l);
      o.lines.push(`  ${reference.passed} passed, ${reference.failed} failed (${seconds(t)} s)`);
    }
    return o;
  },
});

// 4. The project's own tools, one mocha run per test file (so that they can run beside each other)
const toolTests = readdirSync(join(ROOT, "tests/tools")).filter((f) => f.endsWith(".test.ts")).sort();
for (const file of toolTests) {
  tasks.push({
    heading: "the project's tools (tests/tools)",
    weight: 80,
    name: `tests/tools/${file}`,
    run: async () => {
      const o = outcome();
      const t = Date.now();
      const r = await run(process.execPath, [
        join(ROOT, "node_modules/mocha/bin/mocha.js"),
        "--no-config",
        "--require",
        "tsx/esm",
        "--timeout",
        "60000",
        "--reporter",
        "json",
        `tests/tools/${file}`,
      ]);
      try {
        const report = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))) as {
          passes: { fullTitle: string }[];
          failures: { fullTitle: string; err: { message?: string } }[];
        };
        o.passed += report.passes.length;
        for (const f of report.failures) {
          o.failed++;
          o.problems.push(`${f.fullTitle}: ${f.err.message ?? ""}`);
          o.lines.push(`  FAIL  ${f.fullTitle}\n        ${(f.err.message ?? "").split("\n").join("\n        ")}`);
        }
        o.lines.push(`  ${file}: ${report.passes.length} passed, ${report.failures.length} failed (${seconds(t)} s)`);
      } catch {
        check(o, `${file} ran`, false, (r.stdout + r.stderr).slice(0, 2000));
      }
      return o;
    },
  });
}

// 5. Every exercise's tests fail against the stubs. Each chapter is graded on its own stubs with the
// chapters before it from solutions/, so its tests fail because of its own exercises, not an earlier one: all
// chapters in one grade, `grade --each` (each test file's module graph takes the chapters before its own from
// solutions/, tools/impl-resolve.mjs), instead of one grade per chapter. The notebooks' runs on the stubs (6) show
// this grade in their grade cells, as the runs on the solutions show check 3's; but one of them (CROSS_CHECK) grades
// its chapter itself, as a learner's cell does, with --reference-earlier, and that grade must equal this one's part.
let stubsDir: string | undefined;
const stubs = () => (stubsDir ??= scratchCopy("stubs"));
const python = join(ROOT, ".venv/bin/python");
const notebooks = existsSync(join(ROOT, "notebooks")) ? readdirSync(join(ROOT, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort() : [];
const CROSS_CHECK = "01";

/** The grade.json a grade wrote, if it did. */
function readReport(file: string): GradeReport | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as GradeReport;
  } catch {
    return undefined;
  }
}

/**
 * Check 5 on one chapter's part of the stubs' grade: every exercise has tests, none passes against its stub, and
 * none waits on an exercise of an earlier chapter (those came from solutions/).
 */
function stubChecks(o: Outcome, report: GradeReport, chapter: string): void {
  for (const ex of report.exercises.filter((e) => e.chapter === chapter)) {
    const mine = report.tests.filter((x) => x.exercise === ex.id);
    const passing = mine.filter((x) => x.state === "passed").map((x) => x.title);
    check(
      o,
      `${ex.id} has tests, and all fail against its stub`,
      mine.length > 0 && passing.length === 0,
      mine.length === 0 ? "no test is titled with this exercise number" : `passes against the stub: ${passing.join("; ")}`,
    );
    if (ex.needs !== undefined && ex.needs.slice(0, 2) < chapter.slice(0, 2)) check(o, `${ex.id} waits on no earlier chapter`, false, `needs ${ex.needs}, which should have come from solutions/`);
  }
}

/** The exercises and tests of one chapter, from a grade of several, as (state, needs) and state by title. */
function chapterView(report: GradeReport, chapter: string): string {
  const exercises = report.exercises.filter((e) => e.chapter === chapter).map((e) => `${e.id} ${e.state}${e.needs === undefined ? "" : ` needs ${e.needs}`}`);
  const tests = report.tests.filter((t) => t.chapter === chapter).map((t) => `${t.state} ${t.fullTitle}`);
  return [...exercises, ...tests.sort()].join("\n");
}

const stubsGrade = sharedGrade("stubs");
tasks.push({
  heading: "every exercise's tests fail against fresh stubs (scratch copy)",
  weight: 85,
  name: "stubs of every chapter",
  run: async () => {
    const o = outcome();
    const t = Date.now();
    const stubbed = await stubsGrade.run(stubs, "chapters", ["--each"]);
    if (typeof stubbed === "string") check(o, "grader ran on the stubs", false, stubbed);
    else {
      for (const chapter of chapterSlugs(ROOT)) stubChecks(o, stubbed, chapter);
      o.lines.push(`  (one grade of every chapter's stubs, each with the chapters before it from solutions/: ${seconds(t)} s)`);
    }
    return o;
  },
});

// 6. Notebooks, one kernel each, in scratch copies. The kernels are started by notebook runners
// (tools/run-notebooks.py --serve), one per lane and kept for the whole run: Python and nbclient take 1.5 s of
// CPU to load, which 26 notebook runs would otherwise pay 26 times.
interface NotebookJob {
  notebook: string;
  reference: "none" | "earlier";
  mermaid_out: string;
  env: Record<string, string>;
}
interface NotebookResult {
  ok: boolean;
  seconds: number;
  error: string | null;
}
interface NotebookRunner {
  alive: boolean;
  send(job: NotebookJob): Promise<NotebookResult>;
  close(): void;
}
const idleRunners: NotebookRunner[] = [];
const allRunners: NotebookRunner[] = [];

/** Runner `index` gives its kernels ports of its own (tools/run-notebooks.py --ports): 21000–21399, 21400–21799, … */
function startRunner(index: number): NotebookRunner {
  const ports = String(21000 + 400 * index);
  const child = spawn(python, [join(ROOT, "tools/run-notebooks.py"), "--serve", "--ports", ports], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let buffered = "";
  let stderr = "";
  let waiting: ((r: NotebookResult) => void) | undefined;
  const fail = (why: string) => {
    runner.alive = false;
    const w = waiting;
    waiting = undefined;
    w?.({ ok: false, seconds: 0, error: `${why}\n${stderr.trim()}`.trim() });
  };
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  child.stdout.on("data", (d: Buffer) => {
    buffered += d;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const w = waiting;
      waiting = undefined;
      w?.(JSON.parse(line) as NotebookResult);
    }
  });
  child.on("error", (e) => fail(`the notebook runner did not start: ${e.message}`));
  child.on("close", (status) => fail(`the notebook runner ended (exit ${status})`));
  child.stdin.on("error", () => {}); // a runner that died: its "close" above has said so
  const runner: NotebookRunner = {
    alive: true,
    send: (job) =>
      new Promise((resolve) => {
        waiting = resolve;
        stderr = "";
        child.stdin.write(JSON.stringify(job) + "\n");
      }),
    close: () => child.stdin.end(),
  };
  return runner;
}

/** Runs one notebook on an idle runner (starting one if none is idle). */
async function runNotebook(job: NotebookJob): Promise<NotebookResult> {
  let runner = idleRunners.pop();
  while (runner !== undefined && !runner.alive) runner = idleRunners.pop();
  if (runner === undefined) {
    runner = startRunner(allRunners.length);
    allRunners.push(runner);
  }
  try {
    return await runner.send(job);
  } finally {
    idleRunners.push(runner);
  }
}

const mermaidOutputs: string[] = []; // the diagrams the notebooks drew, one JSON file per run (for check 7)
let solutionsDir: string | undefined;
const solutions = () => (solutionsDir ??= scratchCopy("solutions"));
if (!existsSync(python)) {
  tasks.push({
    heading: "notebooks",
    weight: 100,
    name: "notebooks",
    run: async () => {
      const o = outcome();
      o.lines.push("  skipped: no .venv (Python missing when `npm install` ran; see README → Troubleshooting)");
      o.skipped += notebooks.length * 2;
      return o;
    },
  });
} else {
  for (const [label, dir, reference] of [
    ["the solutions", solutions, "none"],
    ["the untouched stubs (switch on: earlier chapters from solutions/), and every exercise's tests fail against them (check 5: the grade cell's grade)", stubs, "earlier"],
  ] as const) {
    for (const n of notebooks) {
      const chapter = chapterSlugs(ROOT).find((c) => n.startsWith(c.slice(0, 3)));
      // Against the solutions, the grade cell shows check 3's grade of the same code, its chapter's part
      // (lib/notebook.ts); against the stubs, check 5's. If there is none, the cell grades the chapter itself. The
      // cross-check notebook grades its chapter itself on the stubs, as a learner's cell does.
      const cross = reference === "earlier" && chapter !== undefined && chapter.startsWith(CROSS_CHECK);
      tasks.push({
        heading: `notebooks against ${label}`,
        // The runs on the solutions wait for check 3's grade: they go last, long after check 3 (which goes first).
        // Within each, in the chapters' order: notebook NN finds chapters 00 to NN−1 already type-checked and compiled
        // by the runs before it (tools/tslab-kernel.cjs, tsx's cache), and checks only its own. The other way round,
        // the first two runs each checked nearly every chapter, at the same time: 24 s more in all (measured).
        weight: reference === "none" ? 20 : 21,
        name: `${n} (${reference === "none" ? "solutions" : "stubs"})`,
        run: async () => {
          const o = outcome();
          const results = resultsDir();
          const drawn = join(results, "mermaid-outputs.json");
          const report = await (reference === "none" ? solutionsGrade : stubsGrade).file;
          const result = await runNotebook({
            notebook: join(dir(), "notebooks", n),
            reference,
            mermaid_out: drawn,
            env: { TLS_BY_HAND_RESULTS: results, ...(report !== undefined && !cross ? { TLS_BY_HAND_GRADE_REPORT: report } : {}) },
          });
          if (existsSync(drawn)) {
            const kept = join(mermaidDir(), `${reference}-${n}.json`);
            renameSync(drawn, kept);
            mermaidOutputs.push(kept);
          }
          const own = cross ? readReport(join(results, "grade.json")) : undefined;
          rmSync(results, { recursive: true, force: true });
          check(o, `${n} runs clean against ${label.split(" (")[0]}${result.seconds > 0 ? ` (${result.seconds.toFixed(1)} s)` : ""}`, result.ok, result.error ?? "no result");
          if (cross) {
            const each = report === undefined ? undefined : readReport(report);
            const same = own !== undefined && own.referenceBelow === Number(CROSS_CHECK) && each !== undefined && chapterView(own, chapter!) === chapterView(each, chapter!);
            check(
              o,
              `${n}'s grade cell, grading chapter ${CROSS_CHECK} itself with --reference-earlier, finds what \`grade --each\` found for it`,
              same,
              own === undefined ? "the grade cell left no grade.json" : each === undefined ? "check 5 left no grade" : "the two grades differ",
            );
          }
          return o;
        },
      });
    }
  }
}

// The pool: JOBS at a time, heaviest first; output in the order above.
const jobs = Math.max(1, Number(process.env.JOBS ?? "") || Math.min(2, cpus().length));
const pending = tasks.map((task, i) => ({ task, i })).sort((a, b) => b.task.weight - a.task.weight || a.i - b.i);
const done: (Outcome | undefined)[] = tasks.map(() => undefined);
const took: { name: string; start: number; seconds: number }[] = [];
let printed = 0;
let heading = "";
const total = outcome();

function flush(): void {
  while (printed < tasks.length && done[printed] !== undefined) {
    const o = done[printed]!;
    if (tasks[printed]!.heading !== heading) {
      heading = tasks[printed]!.heading;
      console.log(`\n== ${heading}`);
    }
    for (const l of o.lines) console.log(l);
    total.passed += o.passed;
    total.failed += o.failed;
    total.skipped += o.skipped;
    total.problems.push(...o.problems);
    printed++;
  }
}

async function worker(): Promise<void> {
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    let o: Outcome;
    const t = Date.now();
    try {
      o = await next.task.run();
    } catch (e) {
      o = outcome();
      check(o, `${next.task.heading}: the check itself`, false, e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
    took.push({ name: next.task.name, start: (t - started) / 1000, seconds: (Date.now() - t) / 1000 });
    done[next.i] = o;
    flush();
  }
}

console.log(`npm test: ${tasks.length + 1} checks, ${jobs} at a time`);
await Promise.all(Array.from({ length: jobs }, () => worker()));
for (const runner of allRunners) runner.close();
flush();

// 7. Mermaid: every ```mermaid block in the notebooks' Markdown, and every diagram their cells drew above,
// through Mermaid's own parser (the version JupyterLab bundles): a block that fails shows an error box.
{
  const o = outcome();
  const t = Date.now();
  const mermaid = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "tools/check-mermaid.ts"), ...mermaidOutputs.sort().flatMap((f) => ["--outputs", f]), ...notebooks.map((n) => join(ROOT, "notebooks", n))],
    { cwd: ROOT, encoding: "utf8" },
  );
  const summary = /(\d+) diagrams, (\d+) failed/.exec(mermaid.stdout);
  check(
    o,
    `every Mermaid diagram parses${summary ? ` (${summary[1]} diagrams)` : ""}`,
    mermaid.status === 0 && summary !== null,
    (mermaid.stdout.split("\n").filter((l) => l.startsWith("FAIL")).join("\n") || mermaid.stderr).trim(),
  );
  o.lines.push(`  (${seconds(t)} s)`);
  console.log("\n== Mermaid diagrams parse");
  for (const l of o.lines) console.log(l);
  total.passed += o.passed;
  total.failed += o.failed;
  total.problems.push(...o.problems);
}
for (const dir of [stubsDir, solutionsDir, mermaidFolder, ...keptFolders]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });

console.log(`\nnpm test took ${seconds(started)} s`);
// Where the time goes, for whoever wants npm test faster: the checks that held a lane longest.
const laneSeconds = took.reduce((sum, c) => sum + c.seconds, 0);
const slowest = took.sort((a, b) => b.seconds - a.seconds).slice(0, 8);
console.log(`  the ${jobs} lanes were busy ${laneSeconds.toFixed(0)} s in all; the longest checks: ${slowest.map((c) => `${c.name} ${c.seconds.toFixed(0)} s`).join(", ")}`);
// TLS_BY_HAND_TIMINGS=FILE keeps every check's start and time (seconds into the run), for finding what to speed up.
if (process.env.TLS_BY_HAND_TIMINGS) writeFileSync(process.env.TLS_BY_HAND_TIMINGS, JSON.stringify(took, null, 1));
if (total.problems.length > 0) console.log(`\nfailures:\n${total.problems.map((p) => "  - " + p.split("\n")[0]).join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ""}`);
process.exitCode = total.failed === 0 ? 0 : 1;
