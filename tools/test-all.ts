// `npm test`: everything that must hold, in one run, ending with the plain "N passed, N failed" line.
//   1. type-check the whole repository (tsc --noEmit, strict)
//   2. chapters/ is what the generator makes from solutions/ (no drift)
//   3. every test passes against solutions/
//   4. every exercise's tests fail against freshly generated stubs (in a scratch copy, never chapters/)
//   5. every notebook runs clean with the project kernel against the solutions, and against the stubs
//      (where it must show unfinished exercises, not crash) with its switch on: the chapters before its own
//      from the reference solutions
//   6. every Mermaid diagram of the notebooks (Markdown cells, and those the cells drew) parses with Mermaid
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, chapterSlugs } from "./exercises.js";
import { drift } from "./generate.js";
import { scratchCopy } from "./scratch.js";
import type { GradeReport } from "./grade.js";

let passed = 0;
let failed = 0;
let skipped = 0;
const problems: string[] = [];

function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else {
    failed++;
    problems.push(`${name}${detail === "" ? "" : ": " + detail}`);
  }
  console.log(`${ok ? "  ok  " : "  FAIL"}  ${name}${!ok && detail !== "" ? "\n        " + detail.split("\n").join("\n        ") : ""}`);
}

function step(title: string): number {
  console.log(`\n== ${title}`);
  return Date.now();
}

const seconds = (start: number) => ((Date.now() - start) / 1000).toFixed(1);

/** Runs the grader in `cwd` and returns its JSON report. */
function gradeIn(cwd: string, impl: "solutions" | "chapters", extra: string[] = []): GradeReport | string {
  const run = spawnSync(process.execPath, ["bin/tls-by-hand.mjs", "grade", "--json", "--impl", impl, ...extra], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TLS_BY_HAND_RESULTS: mkdtempSync(join(tmpdir(), "tls-by-hand-results-")) },
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) return `grader printed no result (exit ${run.status})\n${run.stdout}\n${run.stderr}`.trim();
  return JSON.parse(line) as GradeReport;
}

const started = Date.now();

// 1. Types
let t = step("type-check (tsc --noEmit, strict)");
const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", ROOT], { encoding: "utf8" });
check("tsc --noEmit", tsc.status === 0, (tsc.stdout + tsc.stderr).trim());
console.log(`  (${seconds(t)} s)`);

// 2. Drift
t = step("chapters/ is generated from solutions/");
const drifted = drift(ROOT);
check("no drift between solutions/ and chapters/", drifted.length === 0, drifted.join("\n"));

// 3. Tests against the solutions
t = step("tests against solutions/");
const reference = gradeIn(ROOT, "solutions");
if (typeof reference === "string") check("grader ran", false, reference);
else {
  for (const test of reference.tests) {
    if (test.state === "passed") passed++;
    else {
      failed++;
      problems.push(`${test.fullTitle}: ${test.message ?? ""}`);
      console.log(`  FAIL  ${test.fullTitle}\n        ${test.message ?? ""}`);
    }
  }
  console.log(`  ${reference.passed} passed, ${reference.failed} failed (${seconds(t)} s)`);
}

// 3b. The project's own tools (command-line tool, grader), on the solutions
t = step("the command-line tool");
const toolTests = spawnSync(
  process.execPath,
  [join(ROOT, "node_modules/mocha/bin/mocha.js"), "--no-config", "--require", "tsx/esm", "--timeout", "30000", "--reporter", "json", "tests/tools/*.test.ts"],
  { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
try {
  const report = JSON.parse(toolTests.stdout) as { passes: { fullTitle: string }[]; failures: { fullTitle: string; err: { message?: string } }[] };
  passed += report.passes.length;
  for (const f of report.failures) {
    failed++;
    problems.push(`${f.fullTitle}: ${f.err.message ?? ""}`);
    console.log(`  FAIL  ${f.fullTitle}\n        ${f.err.message ?? ""}`);
  }
  console.log(`  ${report.passes.length} passed, ${report.failures.length} failed (${seconds(t)} s)`);
} catch {
  check("tool tests ran", false, (toolTests.stdout + toolTests.stderr).slice(0, 2000));
}

// 4. Every exercise's tests fail against the stubs. Each chapter is graded on its own stubs with the
// chapters before it from solutions/, so its tests fail because of its own exercises, not an earlier one.
t = step("every exercise's tests fail against fresh stubs (scratch copy)");
const stubs = scratchCopy("stubs");
for (const chapter of chapterSlugs(ROOT)) {
  const stubbed = gradeIn(stubs, "chapters", [chapter.slice(0, 2), "--reference-earlier"]);
  if (typeof stubbed === "string") {
    check(`grader ran on the stubs of ${chapter}`, false, stubbed);
    continue;
  }
  for (const ex of stubbed.exercises) {
    const mine = stubbed.tests.filter((x) => x.exercise === ex.id);
    const passing = mine.filter((x) => x.state === "passed").map((x) => x.title);
    check(
      `${ex.id} has tests, and all fail against its stub`,
      mine.length > 0 && passing.length === 0,
      mine.length === 0 ? "no test is titled with this exercise number" : `passes against the stub: ${passing.join("; ")}`,
    );
  }
}
console.log(`  (${seconds(t)} s)`);

// 5. Notebooks
const python = join(ROOT, ".venv/bin/python");
const mermaidOutputs: string[] = []; // the diagrams the notebooks drew, one JSON file per run (for step 6)
const notebooks = existsSync(join(ROOT, "notebooks")) ? readdirSync(join(ROOT, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort() : [];
if (!existsSync(python)) {
  step("notebooks");
  console.log("  skipped: no .venv (Python missing when `npm install` ran; see README → Troubleshooting)");
  skipped += notebooks.length * 2;
} else {
  for (const [label, dir, reference] of [
    ["the solutions", scratchCopy("solutions"), "none"],
    ["the untouched stubs (switch on: earlier chapters from solutions/)", stubs, "earlier"],
  ] as const) {
    t = step(`notebooks against ${label}`);
    const drawn = join(dir, "mermaid-outputs.json");
    mermaidOutputs.push(drawn);
    const args = ["--reference", reference, "--mermaid-out", drawn];
    const run = spawnSync(python, [join(ROOT, "tools/run-notebooks.py"), ...args, ...notebooks.map((n) => join(dir, "notebooks", n))], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const results = run.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { notebook: string; ok: boolean; seconds: number; error: string | null });
    for (const n of notebooks) {
      const r = results.find((x) => x.notebook.endsWith(`/${n}`));
      check(`${n} runs clean against ${label}${r ? ` (${r.seconds.toFixed(1)} s)` : ""}`, r?.ok === true, r?.error ?? (run.stderr.trim() || "no result"));
    }
  }
}

// 6. Mermaid: every ```mermaid block in the notebooks' Markdown, and every diagram their cells drew above,
// through Mermaid's own parser (the version JupyterLab bundles): a block that fails shows an error box.
t = step("Mermaid diagrams parse");
const mermaid = spawnSync(
  process.execPath,
  ["--import", "tsx", join(ROOT, "tools/check-mermaid.ts"), ...mermaidOutputs.filter((f) => existsSync(f)).flatMap((f) => ["--outputs", f]), ...notebooks.map((n) => join(ROOT, "notebooks", n))],
  { cwd: ROOT, encoding: "utf8" },
);
const mermaidSummary = /(\d+) diagrams, (\d+) failed/.exec(mermaid.stdout);
check(
  `every Mermaid diagram parses${mermaidSummary ? ` (${mermaidSummary[1]} diagrams)` : ""}`,
  mermaid.status === 0 && mermaidSummary !== null,
  (mermaid.stdout.split("\n").filter((l) => l.startsWith("FAIL")).join("\n") || mermaid.stderr).trim(),
);
console.log(`  (${seconds(t)} s)`);
for (const f of mermaidOutputs) rmSync(dirname(f), { recursive: true, force: true });
rmSync(stubs, { recursive: true, force: true });

console.log(`\nnpm test took ${seconds(started)} s`);
if (problems.length > 0) console.log(`\nfailures:\n${problems.map((p) => "  - " + p.split("\n")[0]).join("\n")}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed === 0 ? 0 : 1;
