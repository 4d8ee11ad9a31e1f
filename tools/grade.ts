// The grader: runs chapter tests in this process against whatever the resolve hook serves (the
// learner's chapters/ by default) and turns mocha's results into a scoreboard per exercise, with the
// first failure's message and hint, a JSON result and a JUnit XML file for class autograders.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";
import { isNotImplemented } from "../lib/errors.js";
import { ROOT, chapterSlugs, listExercises, type Exercise } from "./exercises.js";

export interface TestResult {
  chapter: string;
  exercise: string | null;
  title: string;
  fullTitle: string;
  state: "passed" | "failed";
  ms: number;
  message?: string;
  /** Set when the failure is an exercise stub still throwing NotImplemented. */
  notImplemented?: string;
}

export type ExerciseState = "passed" | "failed" | "not started" | "waiting";

export interface ExerciseResult extends Exercise {
  state: ExerciseState;
  passed: number;
  failed: number;
  /** For "waiting": the unfinished exercise it needs. */
  needs?: string;
  firstFailure?: string;
  /** For an exercise not passed: its section of the chapter's HINTS.md. */
  hint?: string;
}

export interface GradeReport {
  impl: string;
  chapters: string[];
  exercises: ExerciseResult[];
  tests: TestResult[];
  passed: number;
  failed: number;
}

/** Runs the given test files with mocha in this process; resolves with one result per test. */
export async function runTests(files: string[], grep?: string): Promise<TestResult[]> {
  const mocha = new Mocha({ timeout: 20000, reporter: class {} as unknown as Mocha.ReporterConstructor });
  if (grep !== undefined) mocha.grep(grep);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const results: TestResult[] = [];
  const C = Mocha.Runner.constants;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    const chapterOf = (t: Mocha.Runnable) => {
      const file = t.file ?? "";
      return /tests\/(\d\d-[^/]+)\.test\.ts$/.exec(file)?.[1] ?? "";
    };
    const record = (t: Mocha.Runnable, state: "passed" | "failed", err?: unknown) => {
      const exercise = /^(\d\d\.\d+)\b/.exec(t.title)?.[1] ?? null;
      const result: TestResult = { chapter: chapterOf(t), exercise, title: t.title, fullTitle: t.fullTitle(), state, ms: t.duration ?? 0 };
      if (err !== undefined) {
        result.message = err instanceof Error ? `${err.name === "Error" ? "" : err.name + ": "}${err.message}` : String(err);
        if (isNotImplemented(err)) result.notImplemented = err.exercise;
      }
      results.push(result);
    };
    runner.on(C.EVENT_TEST_PASS, (t: Mocha.Test) => record(t, "passed"));
    runner.on(C.EVENT_TEST_FAIL, (t: Mocha.Runnable, err: unknown) => {
      if ((t as unknown as { type?: string }).type === "hook") {
        // A failed before() hook (a server that would not start): every test under it counts as failed.
        const suite = t.parent;
        const tests = suite === undefined ? [] : collectTests(suite);
        for (const test of tests) if (!results.some((r) => r.fullTitle === test.fullTitle())) record(test, "failed", err);
        return;
      }
      record(t, "failed", err);
    });
  });
  return results;
}

function collectTests(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(collectTests)];
}

/** Groups test results by exercise. */
export function scoreExercises(exercises: Exercise[], tests: TestResult[]): ExerciseResult[] {
  return exercises.map((ex) => {
    const mine = tests.filter((t) => t.exercise === ex.id);
    const failures = mine.filter((t) => t.state === "failed");
    const result: ExerciseResult = { ...ex, state: "passed", passed: mine.length - failures.length, failed: failures.length };
    if (mine.length === 0) {
      result.state = "failed";
      result.firstFailure = "no test ran for this exercise";
    } else if (failures.length > 0) {
      const own = failures.find((f) => f.notImplemented === ex.id);
      const other = failures.find((f) => f.notImplemented !== undefined && f.notImplemented !== ex.id);
      if (own !== undefined) result.state = "not started";
      else if (other !== undefined && failures.every((f) => f.notImplemented !== undefined)) {
        result.state = "waiting";
        result.needs = other.notImplemented;
      } else result.state = "failed";
      const first = failures.find((f) => f.notImplemented === undefined) ?? failures[0]!;
      result.firstFailure = `${first.title}: ${first.message ?? "failed"}`;
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
export async function grade(chapterArgs: string[], impl: string): Promise<GradeReport> {
  const all = chapterSlugs();
  const chapters = chapterArgs.length === 0 ? all : chapterArgs.map((a) => resolveChapter(a, all));
  const files = chapters.map((c) => join(ROOT, "tests", `${c}.test.ts`)).filter((f) => existsSync(f));
  const tests = await runTests(files);
  const exercises = scoreExercises(
    listExercises().filter((e) => chapters.includes(e.chapter)),
    tests,
  );
  const passed = tests.filter((t) => t.state === "passed").length;
  return { impl, chapters, exercises, tests, passed, failed: tests.length - passed };
}

/** "1", "01" or "01-client-hello" → "01-client-hello". */
export function resolveChapter(arg: string, all = chapterSlugs()): string {
  const n = /^\d+$/.test(arg) ? arg.padStart(2, "0") : arg;
  const found = all.find((c) => c === n || c.startsWith(`${n}-`));
  if (found === undefined) throw new Error(`no chapter "${arg}"; chapters are ${all.join(", ")}`);
  return found;
}

const MARK: Record<ExerciseState, string> = { passed: "✔ passed", failed: "✘ failed", "not started": "· not started", waiting: "… waiting" };

/** The scoreboard as text, ending with the plain `N passed, N failed` line. */
export function formatReport(report: GradeReport): string {
  const lines: string[] = [];
  let chapter = "";
  for (const ex of report.exercises) {
    if (ex.chapter !== chapter) {
      chapter = ex.chapter;
      lines.push("", `chapter ${chapter}`);
    }
    const detail = ex.state === "waiting" ? ` (needs ${ex.needs} first)` : ex.state === "passed" ? "" : ` (${ex.passed}/${ex.passed + ex.failed} tests)`;
    lines.push(`  ${ex.id.padEnd(5)}  ${MARK[ex.state].padEnd(14)} ${ex.text.slice(0, 60)}${ex.text.length > 60 ? "…" : ""}${detail}`);
  }
  const first = report.exercises.find((e) => e.state === "failed" || e.state === "not started");
  if (first !== undefined) {
    lines.push("", `Next: ${first.id} — ${first.file}:${first.line}`);
    if (first.state === "not started") lines.push(`  TODO ${first.id}: ${first.text}`);
    else lines.push(`  ${first.firstFailure}`);
    if (first.hint !== undefined) lines.push("", ...first.hint.split("\n").map((l) => `  ${l}`));
    if (first.state === "not started" || report.exercises.some((e) => e.state === "waiting")) {
      lines.push("", "  (stuck? `npm run grade -- NN --reference-earlier` grades chapter NN on the reference code of the chapters before it)");
    }
  }
  lines.push("", `exercises: ${report.exercises.filter((e) => e.state === "passed").length} of ${report.exercises.length} done`);
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join("\n");
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JUnit XML: one testsuite per chapter, one testcase per test. */
export function junitXml(report: GradeReport): string {
  const suites = report.chapters.map((c) => {
    const tests = report.tests.filter((t) => t.chapter === c);
    const cases = tests.map((t) => {
      const body = t.state === "failed" ? `<failure message="${xml(t.message ?? "failed")}"/>` : "";
      return `    <testcase classname="${xml(c)}" name="${xml(t.title)}" time="${(t.ms / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const failures = tests.filter((t) => t.state === "failed").length;
    return `  <testsuite name="${xml(c)}" tests="${tests.length}" failures="${failures}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tls-by-hand" tests="${report.tests.length}" failures="${report.failed}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** Writes grade-results/grade.json and grade-results/junit.xml. */
export function writeResults(report: GradeReport, dir: string = join(ROOT, "grade-results")): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "grade.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(dir, "junit.xml"), junitXml(report));
}
