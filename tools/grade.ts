// The grader: runs chapter tests under a watchdog (tools/run-tests.ts) against whatever the resolve hook
// serves (the learner's chapters/ by default) and turns mocha's results into a scoreboard per exercise:
// each exercise's failing tests, most informative first, the exercise really at fault when a test fails
// because of another one's code, the hint, a JSON result and a JUnit XML file for class autograders.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { Worker } from "node:worker_threads";
import { blameStack, exerciseAt, learnerFrames, where } from "./blame.js";
import { ROOT, chapterSlugs, listExercises, listFiles, type Exercise } from "./exercises.js";
import { runTests, stopMessage, type ErrorInfo, type RawResult, type RunOptions } from "./run-tests.js";
import { DEFAULT_MEMORY_MB } from "./start-test-worker.mjs";

/** Why a test failed, as far as whose code is at fault. */
export type Cause =
  /** The test's check failed (an assertion), or the code threw inside the test's own exercise. */
  | "fails"
  /** Code inside an exercise region threw an error that is not an assertion (TypeError, TlsError, …). */
  | "throws"
  /** The exercise's stub still throws NotImplemented. */
  | "not done"
  /** The watchdog stopped the test: it ran past the time limit, past the memory limit, or ended the worker. */
  | "timed out"
  | "out of memory"
  | "crashed"
  /** The exercise's code had been stopped in an earlier test (it looped) and was not run again. */
  | "stopped";

export interface TestResult {
  chapter: string;
  exercise: string | null;
  title: string;
  fullTitle: string;
  state: "passed" | "failed";
  ms: number;
  /** "TypeError: out.push is not a function"; an assertion's message as it is (often several lines). */
  message?: string;
  /** Set when the failure is an exercise stub still throwing NotImplemented. */
  notImplemented?: string;
  /** Where the learner's code was, innermost first: "at writeUint (chapters/00-bytes/presentation.ts:30)". */
  where?: string[];
  /** The exercise whose code is at fault (may be the test's own), why, and the place. */
  culprit?: { exercise: string; cause: Cause; at?: string };
}

export type ExerciseState = "passed" | "failed" | "not started" | "waiting" | "timed out" | "stopped";

/** One failing test of an exercise, as the scoreboard shows it. */
export interface Failure {
  title: string;
  message: string;
  where?: string[];
  /** Not run on the learner's code: it had been stopped in an earlier test (it did not return). */
  notRun?: boolean;
}

export interface ExerciseResult extends Exercise {
  state: ExerciseState;
  passed: number;
  failed: number;
  /** For "waiting": the exercise it needs, and what is wrong with it ("which is not done yet", …). */
  needs?: string;
  needsWhy?: string;
  /** The most informative failure, "title: message" (the first of `failures`). */
  firstFailure?: string;
  /** Every failing test, most informative first. */
  failures?: Failure[];
  /** For an exercise not passed: its section of the chapter's HINTS.md. */
  hint?: string;
}

export interface GradeReport {
  impl: string;
  /** The chapters below this one ran from solutions/ (--reference-earlier); 0 when none did. */
  referenceBelow?: number;
  /** --reference-earlier --each: each chapter ran on the reference code of the chapters before it. */
  referenceEach?: boolean;
  chapters: string[];
  exercises: ExerciseResult[];
  tests: TestResult[];
  passed: number;
  failed: number;
  /** Test files that did not load (a syntax error in a chapter file): "file: message". */
  loadErrors?: string[];
  /** How many times the watchdog had to stop the tests' worker. */
  stops?: number;
  /** The watchdog's limits for this run: seconds a test may run without returning, and MB of memory. */
  limits: { timeoutSeconds: number; memoryMb: number };
}

export interface GradeOptions {
  impl: string;
  referenceBelow?: number;
  /** Each chapter on the reference code of the chapters before it (`--each`). */
  each?: boolean;
  /**
   * grade --serve: keep the test worker for the next grade (`keep.worker` is set to it, when it can take one), and
   * give `referenceBelow` to each test file's module graph rather than to the worker, which serves other grades.
   */
  keep?: { worker?: Worker };
  /** Seconds a test may run synchronous code without returning (default 10). */
  timeoutSeconds?: number;
  /** Memory limit of the tests, in MB (default 1024). */
  memoryMb?: number;
  /** A test worker the command-line tool started early (see bin/tls-by-hand.mjs). */
  warm?: RunOptions["warm"];
  /** "08.10": grade that chapter's exercises up to this one only (the tests of later ones are not run). */
  until?: string;
}

/** 08.10 comes after 08.9: exercise ids compared by chapter, then step, as numbers. */
export function exerciseOrder(a: string, b: string): number {
  const [ca, sa] = a.split(".").map(Number) as [number, number];
  const [cb, sb] = b.split(".").map(Number) as [number, number];
  return ca - cb || sa - sb;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;
export { DEFAULT_MEMORY_MB };

const chapterOfFile = (file: string) => /tests\/(\d\d-[^/]+)\.test\.ts$/.exec(file)?.[1] ?? "";

/** The message a learner reads for an error: its name (unless plain Error) and its whole message. */
function messageOf(error: { name: string; message: string }): string {
  return `${error.name === "Error" ? "" : error.name + ": "}${error.message}`;
}

/** Turns the worker's raw results into test results, each with its culprit. */
export function toTestResults(raw: RawResult[], root = ROOT): TestResult[] {
  const tests: TestResult[] = raw.map((r) => {
    const exercise = /^(\d\d\.\d+)\b/.exec(r.title)?.[1] ?? null;
    const result: TestResult = { chapter: chapterOfFile(r.file), exercise, title: r.title, fullTitle: r.fullTitle, state: r.state, ms: r.ms };
    if (r.state === "passed") return result;
    const error = r.error ?? { name: "Error", message: "failed" };
    result.message = messageOf(error);
    const own = exercise ?? "";
    if (r.stopped !== undefined) {
      const cause: Cause = r.stopped.reason === "time" ? "timed out" : r.stopped.reason === "memory" ? "out of memory" : "crashed";
      const blame = r.stopped.blame;
      result.culprit = { exercise: r.stopped.culprit ?? own, cause, ...(blame === undefined ? {} : { at: where(blame.frame) }) };
      result.message = r.notRun === undefined && error.name === "Stopped" ? stopMessage(r.stopped) : result.message;
    } else if (r.notRun !== undefined) {
      result.culprit = { exercise: r.notRun, cause: "stopped" };
    } else if (error.name === "NotImplemented" && error.exercise !== undefined) {
      if (error.stopped !== true) result.notImplemented = error.exercise;
      else result.message = error.message;
      result.culprit = { exercise: error.exercise, cause: error.stopped === true ? "stopped" : "not done" };
    } else {
      // What the code under test threw: the error itself, or the one a wrapper (a property failure, "expected a
      // TlsError, got …") was thrown for. An assertion is the test's own verdict on the exercise; anything else
      // thrown inside an exercise region is that exercise's: the innermost such frame says whose.
      const thrown = error.cause ?? error;
      if (error.cause !== undefined && !error.message.includes(error.cause.message.split("\n")[0]!)) result.message += `\n${messageOf(error.cause)}`;
      const blame = thrown.name === "AssertionError" ? undefined : (blameStack(thrown.stack, root) ?? blameStack(error.stack, root));
      const frames = thrown.name === "AssertionError" ? [] : learnerFrames(blameStack(thrown.stack, root) === undefined ? error.stack : thrown.stack, 4, root);
      if (frames.length > 0) result.where = frames;
      result.culprit = blame === undefined ? { exercise: own, cause: "fails" } : { exercise: blame.exercise, cause: "throws", at: where(blame.frame) };
    }
    return result;
  });
  // Blame moves to another exercise's code only if that exercise fails its own tests too: when 00.1 passes
  // everything and throws while 00.3 runs, 00.3 most likely called it wrongly.
  const failing = new Set(tests.filter((t) => t.state === "failed" && t.exercise !== null).map((t) => t.exercise!));
  for (const t of tests) {
    const c = t.culprit;
    if (c === undefined || t.exercise === null || c.exercise === t.exercise) continue;
    const moves = c.cause === "not done" || c.cause === "stopped" || failing.has(c.exercise);
    if (!moves) t.culprit = { ...c, exercise: t.exercise, cause: c.cause === "throws" ? "fails" : c.cause };
  }
  return tests;
}

/** How informative a failure is to read first: lower is better. */
function rank(t: TestResult, own: string): number {
  const c = t.culprit;
  if (c === undefined) return 4;
  if (c.exercise !== own) return c.cause === "not done" ? 7 : 6;
  if (c.cause === "timed out" || c.cause === "out of memory" || c.cause === "crashed") return 0;
  if (c.cause === "stopped") return 5;
  if (c.cause === "not done") return 7;
  if (t.message?.startsWith("AssertionError")) return 1;
  if (t.message?.startsWith("TlsError") || t.message?.startsWith("CertificateError")) return 3;
  return 2; // a TypeError or RangeError in the exercise's own code: a bug with its place
}

/** What is wrong with the exercise another one waits for, e.g. "which throws TypeError at chapters/…:30". */
function whyNeeded(t: TestResult, tests: TestResult[]): string {
  let c = t.culprit!;
  // Code stopped in an earlier test: say why it was stopped, from the test where it was.
  if (c.cause === "stopped") c = tests.find((x) => x.culprit?.exercise === c.exercise && ["timed out", "out of memory", "crashed"].includes(x.culprit.cause))?.culprit ?? c;
  const at = c.at === undefined ? "" : ` at ${c.at}`;
  switch (c.cause) {
    case "not done":
      return "which is not done yet";
    case "throws":
      return `which throws ${(t.message ?? "an error").split(":")[0]}${at}`;
    case "timed out":
      return `which timed out${at}`;
    case "out of memory":
      return `which ran out of memory${at}`;
    case "crashed":
      return `which crashed the tests${at}`;
    case "stopped":
      return "which was stopped in an earlier test";
    default:
      return "which fails its tests";
  }
}

/** Groups test results by exercise. */
export function scoreExercises(exercises: Exercise[], tests: TestResult[], loadErrors: { chapter: string; message: string }[] = []): ExerciseResult[] {
  return exercises.map((ex) => {
    const mine = tests.filter((t) => t.exercise === ex.id);
    const failures = mine.filter((t) => t.state === "failed").map((t, i) => ({ t, i }));
    failures.sort((a, b) => rank(a.t, ex.id) - rank(b.t, ex.id) || a.i - b.i);
    const ranked = failures.map((f) => f.t);
    const result: ExerciseResult = { ...ex, state: "passed", passed: mine.length - ranked.length, failed: ranked.length };
    const loadError = loadErrors.find((l) => l.chapter === ex.chapter);
    if (mine.length === 0) {
      result.state = "failed";
      const failure = loadError === undefined ? { title: ex.id, message: "no test ran for this exercise" } : { title: `${ex.id}: the tests did not load`, message: loadError.message };
      result.failures = [failure];
      result.firstFailure = `${failure.title}: ${failure.message}`;
    } else if (ranked.length > 0) {
      const own = ranked.filter((t) => t.culprit?.exercise === ex.id).map((t) => t.culprit!.cause);
      const others = ranked.filter((t) => t.culprit !== undefined && t.culprit.exercise !== ex.id);
      // A stop may have been caught in another exercise's test, with this exercise's code running.
      const stops = tests.filter((t) => t.culprit?.exercise === ex.id).map((t) => t.culprit!.cause);
      if (stops.includes("timed out")) result.state = "timed out";
      else if (stops.includes("out of memory") || stops.includes("crashed") || own.includes("stopped")) result.state = "stopped";
      else if (own.includes("not done")) result.state = "not started";
      else if (others.length === ranked.length) {
        result.state = "waiting";
        result.needs = others[0]!.culprit!.exercise;
        result.needsWhy = whyNeeded(others[0]!, tests);
      } else result.state = "failed";
      result.failures = ranked.map((t) => ({
        title: t.title,
        message: t.message ?? "failed",
        ...(t.where === undefined ? {} : { where: t.where }),
        ...(t.culprit?.cause === "stopped" && t.culprit.exercise === ex.id ? { notRun: true } : {}),
      }));
      result.firstFailure = `${ranked[0]!.title}: ${ranked[0]!.message ?? "failed"}`;
    }
    if (result.state !== "passed") result.hint = hintFor(ex.chapter, ex.id);
    return result;
  });
}

/** The hint for an exercise, from its chapter's HINTS.md (`## NN.k …` sections). */
export function hintFor(chapter: string, id: string, tree = "chapters"): string | undefined {
  const path = join(ROOT, tree, chapter, "HINTS.md");
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8");
  const start = text.search(new RegExp(`^## ${id.replace(".", "\\.")}\\b`, "m"));
  if (start < 0) return undefined;
  const rest = text.slice(start);
  const next = rest.slice(3).search(/^## /m);
  return (next < 0 ? rest : rest.slice(0, next + 3)).trim();
}

/** Runs the chosen chapters' tests (all when none is given) and scores them. */
export async function grade(chapterArgs: string[], options: GradeOptions): Promise<GradeReport> {
  const all = chapterSlugs();
  const chapters = chapterArgs.length === 0 ? all : [...new Set(chapterArgs.map((a) => resolveChapter(a, all)))].sort();
  const files = chapters.map((c) => join(ROOT, "tests", `${c}.test.ts`)).filter((f) => existsSync(f));
  const until = options.until;
  const graded = listExercises().filter((e) => chapters.includes(e.chapter) && (until === undefined || (e.chapter.slice(0, 2) === until.slice(0, 2) && exerciseOrder(e.id, until) <= 0)));
  const limits = { timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB };
  const run = await runTests(files, {
    only: until === undefined ? undefined : graded.map((e) => e.id),
    impl: options.impl,
    referenceBelow: options.referenceBelow ?? 0,
    ...limits,
    warm: options.warm,
    below:
      options.each === true
        ? Object.fromEntries(files.map((f) => [f, Number(basename(f).slice(0, 2))]))
        : options.keep !== undefined
          ? Object.fromEntries(files.map((f) => [f, options.referenceBelow ?? 0]))
          : undefined,
    keep: options.keep !== undefined,
  });
  if (options.keep !== undefined) options.keep.worker = run.worker;
  const tests = toTestResults(run.results);
  const loadErrors: { chapter: string; message: string }[] = [];
  for (const l of run.loadErrors) loadErrors.push({ chapter: chapterOfFile(l.file), message: await loadErrorMessage(l.error) });
  const exercises = scoreExercises(
    graded,
    tests,
    loadErrors,
  );
  // A chapter whose tests did not load counts its exercises' as failed tests, so that the total is never "0 failed".
  const passed = tests.filter((t) => t.state === "passed").length;
  const unloaded = exercises.filter((e) => loadErrors.some((l) => l.chapter === e.chapter) && e.passed + e.failed === 0).length;
  const report: GradeReport = { impl: options.impl, referenceBelow: options.referenceBelow ?? 0, chapters, exercises, tests, passed, failed: tests.length - passed + unloaded, limits };
  if (options.each === true) report.referenceEach = true;
  if (loadErrors.length > 0) report.loadErrors = loadErrors.map((l) => `tests/${l.chapter}.test.ts: ${l.message}`);
  if (run.stops > 0) report.stops = run.stops;
  return report;
}

/**
 * A load error as the learner needs it: a syntax error's file, line, exercise and message. esbuild's transform
 * error names the place; when the test worker reports only V8's "Unexpected identifier" (the TypeScript it
 * could not transform), TypeScript's own parser finds the syntax errors in chapters/.
 */
async function loadErrorMessage(error: ErrorInfo): Promise<string> {
  const syntax = error.name === "SyntaxError" && !/\.ts:\d+/.test(error.message) ? await syntaxErrors() : [];
  if (syntax.length > 0) return syntax.join("\n");
  const lines = error.message.split("\n").map((l) => l.replace(`${ROOT}/`, ""));
  const frames = learnerFrames(error.stack, 2);
  return [`${error.name === "Error" ? "" : error.name + ": "}${lines[0]}`, ...lines.slice(1), ...frames].join("\n");
}

/** Syntax errors in the learner's chapters/, as "file:line:column: message (exercise NN.k)". */
async function syntaxErrors(root = ROOT): Promise<string[]> {
  const { default: ts } = await import("typescript");
  const found: string[] = [];
  for (const chapter of chapterSlugs(root)) {
    const dir = join(root, "chapters", chapter);
    if (!existsSync(dir)) continue;
    for (const f of listFiles(dir).filter((p) => p.endsWith(".ts"))) {
      const file = join("chapters", chapter, f);
      const out = ts.transpileModule(readFileSync(join(root, file), "utf8"), { fileName: file, reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
      for (const d of out.diagnostics ?? []) {
        if (d.file === undefined || d.start === undefined) continue;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        const exercise = exerciseAt(file, line + 1, root);
        found.push(`${file}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")} (a syntax error${exercise === undefined ? "" : ` in exercise ${exercise}`})`);
      }
    }
  }
  return found;
}

/** "1", "01" or "01-client-hello" → "01-client-hello". */
export function resolveChapter(arg: string, all = chapterSlugs()): string {
  const n = /^\d+$/.test(arg) ? arg.padStart(2, "0") : arg;
  const found = all.find((c) => c === n || c.startsWith(`${n}-`));
  if (found === undefined) throw new ChapterError(`no chapter "${arg}"; chapters are ${all.join(", ")}`);
  return found;
}

/** A chapter argument that names no chapter (the command-line tool reports it as bad usage). */
export class ChapterError extends Error {}

const MARK: Record<ExerciseState, string> = {
  passed: "✔ passed",
  failed: "✘ failed",
  "not started": "· not started",
  waiting: "… waiting",
  "timed out": "⧗ timed out",
  stopped: "⧗ stopped",
};

/** How many failing tests of the next exercise the scoreboard shows (`--all`: every one, of every exercise). */
export const FAILURES_SHOWN = 3;

const indent = (text: string, by: string) => text.split("\n").map((l) => (l === "" ? "" : by + l)).join("\n");

function failureLines(f: Failure): string[] {
  const lines = [`  ✘ ${f.title}`, indent(f.message, "      ")];
  if (f.where !== undefined) lines.push(...f.where.map((w) => `        ${w}`));
  return lines;
}

/** The scoreboard as text, ending with the plain `N passed, N failed` line. `all`: every failure of every exercise. */
export function formatReport(report: GradeReport, options: { all?: boolean; command?: string; referenceEarlier?: boolean } = {}): string {
  const command = options.command ?? "npm run grade --";
  const lines: string[] = [];
  let chapter = "";
  for (const ex of report.exercises) {
    if (ex.chapter !== chapter) {
      chapter = ex.chapter;
      lines.push("", `chapter ${chapter}`);
    }
    const detail =
      ex.state === "waiting" ? ` (needs ${ex.needs}, ${ex.needsWhy})` : ex.state === "passed" ? "" : ` (${ex.passed}/${ex.passed + ex.failed} tests)`;
    lines.push(`  ${ex.id.padEnd(5)}  ${MARK[ex.state].padEnd(14)} ${ex.text.slice(0, 60)}${ex.text.length > 60 ? "…" : ""}${detail}`);
  }
  for (const l of report.loadErrors ?? []) lines.push("", `could not load ${indent(l, "  ").trimStart()}`);
  const next = report.exercises.find((e) => e.state === "failed" || e.state === "not started" || e.state === "timed out" || e.state === "stopped");
  if (options.all) {
    for (const ex of report.exercises.filter((e) => e !== next && e.state !== "passed" && e.state !== "not started" && (e.failures?.length ?? 0) > 0)) {
      lines.push("", `${ex.id} ${MARK[ex.state]} — ${ex.file}:${ex.line}`);
      for (const f of ex.failures!) lines.push(...failureLines(f));
    }
  }
  if (next !== undefined) {
    lines.push("", `Next: ${next.id} — ${next.file}:${next.line}`);
    if (next.state === "not started") lines.push(`  TODO ${next.id}: ${next.text}`);
    else {
      // The tests not run because the exercise's code was stopped say the same thing: one line for them all.
      const notRun = (next.failures ?? []).filter((f) => f.notRun === true);
      const failures = (next.failures ?? []).filter((f) => f.notRun !== true);
      const shown = options.all ? failures : failures.slice(0, FAILURES_SHOWN);
      for (const f of shown) lines.push(...failureLines(f));
      if (shown.length < failures.length) {
        const chapters = report.chapters.map((c) => c.slice(0, 2)).join(" ");
        lines.push(`  … and ${failures.length - shown.length} more failing test${failures.length - shown.length === 1 ? "" : "s"} of ${next.id} (\`${command} ${chapters} --all\` shows every one)`);
      }
      if (notRun.length > 0) lines.push(`  (${notRun.length} more test${notRun.length === 1 ? "" : "s"} of ${next.id} not run on your code: it had to be stopped)`);
    }
    if (next.hint !== undefined) lines.push("", ...next.hint.split("\n").map((l) => `  ${l}`));
    const waitsOnEarlierChapter = report.exercises.some((e) => e.state === "waiting" && e.needs !== undefined && e.needs.slice(0, 2) < e.id.slice(0, 2));
    // Already graded on the reference code of the earlier chapters: the advice would send the learner in a circle.
    if ((next.state === "not started" || waitsOnEarlierChapter) && options.referenceEarlier !== true && next.id.slice(0, 2) !== "00") {
      const nn = next.id.slice(0, 2);
      lines.push("", `  (stuck? \`${command} ${nn} --reference-earlier\` grades chapter ${nn} on the reference code of the chapters before it)`);
    }
  }
  lines.push("", `exercises: ${report.exercises.filter((e) => e.state === "passed").length} of ${report.exercises.length} done`);
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join("\n");
}

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // XML 1.0 allows no control characters but tab, newline and carriage return.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * JUnit XML: one testsuite per chapter, one testcase per test. A failure's `message` attribute is its first
 * line; the element's text is the whole message, where the code was, and the exercise at fault.
 */
export function junitXml(report: GradeReport): string {
  const suites = report.chapters.map((c) => {
    const tests = report.tests.filter((t) => t.chapter === c);
    const cases = tests.map((t) => {
      let body = "";
      if (t.state === "failed") {
        const message = t.message ?? "failed";
        const text = [message, ...(t.where ?? []), ...(t.culprit !== undefined && t.culprit.exercise !== t.exercise ? [`(the code at fault is ${t.culprit.exercise}'s)`] : [])].join("\n");
        const type = t.culprit?.cause === "timed out" ? "timeout" : /^(\w+):/.exec(message)?.[1] ?? "failure";
        body = `<failure message="${xml(message.split("\n")[0]!)}" type="${xml(type)}">${xml(text)}</failure>`;
      }
      return `    <testcase classname="${xml(c)}" name="${xml(t.title)}" time="${(t.ms / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const load = (report.loadErrors ?? []).filter((l) => l.startsWith(`tests/${c}.test.ts`));
    for (const l of load) cases.push(`    <testcase classname="${xml(c)}" name="loading tests/${xml(c)}.test.ts" time="0"><error message="${xml(l.split("\n")[0]!)}">${xml(l)}</error></testcase>`);
    const failures = tests.filter((t) => t.state === "failed").length;
    return `  <testsuite name="${xml(c)}" tests="${tests.length + load.length}" failures="${failures}" errors="${load.length}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tls-by-hand" tests="${report.tests.length}" failures="${report.failed}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** Writes grade-results/grade.json and grade-results/junit.xml. */
export function writeResults(report: GradeReport, dir: string = join(ROOT, "grade-results")): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "grade.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(dir, "junit.xml"), junitXml(report));
}

/** A path relative to the root, for messages. */
export const fromRoot = (path: string): string => relative(ROOT, path);
