// What the notebooks call to show things: annotated bytes as an HTML table, an exercise that is not done
// yet as a friendly note instead of a stack trace, a refusal the lesson expects as the success it is, and
// the chapter's grade as a table. Notebooks define no logic of their own; they run the learner's chapters/
// code through these. The switch cell at the top of each notebook (useReference) runs the chapters before
// the notebook's own on the reference solutions; see lib/notebook-modules.ts.
// The kernel's working directory is the repository root (tools/kernel.sh sees to it).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as tslab from "tslab";
import type { Annotation } from "./bytes.js";
import { isNotImplemented, isTlsError } from "./errors.js";
import { earlierChapters, installNotebookModules, referenceSetting, requireThroughTsx } from "./notebook-modules.js";
import { renderHtml, renderText } from "./render.js";

// Installed by the switch cell already (it imports lib/notebook-modules.ts first); this covers a notebook
// without one. Chapters then run through tsx, so that stack traces name the .ts files the learner edits.
installNotebookModules();

/** Anything that holds bytes and their notes: a ByteWriter, or a ByteReader after reading. */
export interface Annotated {
  annotations: readonly Annotation[];
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Shows a ByteWriter's bytes (or a reader's input) as an annotated hex table. */
export function showBytes(source: Annotated & ({ toBytes(): Uint8Array } | { data: Uint8Array }), title?: string): void {
  const bytes = "toBytes" in source ? source.toBytes() : source.data;
  tslab.display.html(renderHtml(bytes, source.annotations, title));
}

/** The same, as text (for a terminal or a diff). */
export function bytesAsText(source: Annotated & ({ toBytes(): Uint8Array } | { data: Uint8Array })): string {
  const bytes = "toBytes" in source ? source.toBytes() : source.data;
  return renderText(bytes, source.annotations);
}

/** Where an exercise's TODO is in chapters/, found by reading the files (for the note below). */
function findTodo(id: string): { file: string; line: number; text: string } | undefined {
  const dir = join(process.cwd(), "chapters", readdirSync(join(process.cwd(), "chapters")).find((c) => c.startsWith(id.slice(0, 2) + "-")) ?? "");
  if (!existsSync(dir)) return undefined;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const lines = readFileSync(join(dir, name), "utf8").split("\n");
    const at = lines.findIndex((l) => l.includes(`// TODO ${id}:`));
    if (at >= 0) {
      const text = [lines[at]!.replace(/^\s*\/\/ TODO \d\d\.\d+: /, "")];
      for (let i = at + 1; i < lines.length && /^\s*\/\/ /.test(lines[i]!); i++) text.push(lines[i]!.replace(/^\s*\/\/ /, ""));
      return { file: `chapters/${dir.split("/").pop()}/${name}`, line: at + 1, text: text.join(" ") };
    }
  }
  return undefined;
}

// The kind is in a data attribute, so that tools/run-notebooks.py can tell a failure from an expected refusal.
const COLORS = { "not-done": ["#e0a800", "#fff8e1"], failure: ["#c62828", "#ffebee"], expected: ["#2e7d32", "#e8f5e9"] } as const;
const box = (kind: keyof typeof COLORS, html: string, exercise = "") =>
  `<div data-tls-by-hand="${kind}"${exercise === "" ? "" : ` data-exercise="${exercise}"`} ` +
  `style="border-left:4px solid ${COLORS[kind][0]};padding:4px 10px;margin:4px 0;background:${COLORS[kind][1]}">${html}</div>`;

/** The note for an exercise that is not done yet: where its TODO is, and the switch if it is an earlier chapter's. */
function notDoneNote(exercise: string): string {
  const todo = findTodo(exercise);
  const where = todo === undefined ? "" : ` — open <code>${todo.file}</code> at line ${todo.line}`;
  const { mode, chapter } = referenceSetting();
  const earlier = chapter !== undefined && exercise.slice(0, 2) < chapter && mode === "none";
  const switchHint = earlier
    ? `<br>It belongs to an earlier chapter. To run ${earlierChapters(chapter)} on the reference solutions instead, change the first cell to ` +
      `<code>useReference("earlier", "${chapter}")</code>, then Kernel → Restart Kernel and Run All Cells.`
    : "";
  return box("not-done", `<b>Exercise ${exercise} is not done yet</b>${where}.<br>${escape(todo?.text ?? "")}${switchHint}`, exercise);
}

/** The first stack frame in the repository's own files (not node_modules, not the kernel), as "file line N". */
function firstOwnFrame(e: Error): string | undefined {
  const root = process.cwd() + "/";
  for (const line of (e.stack ?? "").split("\n")) {
    const m = /\(?(\/[^()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m === null || !m[1]!.startsWith(root) || m[1]!.includes("/node_modules/")) continue;
    const fn = /^at (\S+) \(/.exec(line.trim())?.[1]?.replace(/^(Proxy|Object)\./, "");
    return `<code>${escape(m[1]!.slice(root.length))}</code> line ${m[2]}${fn === undefined ? "" : ` (in <code>${escape(fn)}</code>)`}`;
  }
  return undefined;
}

/**
 * Runs a cell's work. An exercise that is not done yet, or a TLS error, is shown as a note, not thrown:
 * tslab skips the cells after one that fails, and a learner should see what to do next. Anything else is
 * a bug: it is shown with the place in the learner's files where it happened, and thrown on.
 */
export async function attempt<T>(work: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (isNotImplemented(e)) {
      tslab.display.html(notDoneNote(e.exercise));
      return undefined;
    }
    if (isTlsError(e)) {
      tslab.display.html(box("failure", `<b>TlsError (alert ${escape(e.alertName)})</b>: ${escape(e.message)}`));
      return undefined;
    }
    if (e instanceof Error) {
      const where = firstOwnFrame(e);
      tslab.display.html(box("failure", `<b>${escape(e.name)}</b>: ${escape(e.message)}${where === undefined ? "" : `<br>at ${where}`}`));
    }
    throw e;
  }
}

/**
 * Runs work that must be refused with the alert `alert` (its RFC name, e.g. "bad_record_mac"): the
 * refusal is the lesson, so it is shown as the expected outcome (✔); going through, or another alert, is
 * shown as the failure it is (✘). An exercise that is not done yet shows its note.
 */
export async function expectAlert(alert: string, work: () => unknown, what = "refused"): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (isNotImplemented(e)) {
      tslab.display.html(notDoneNote(e.exercise));
      return;
    }
    if (isTlsError(e) && e.alertName === alert) {
      tslab.display.html(box("expected", `✔ <b>${escape(what)}, as it must be</b>: ${escape(e.message)}`));
      return;
    }
    if (isTlsError(e)) {
      tslab.display.html(box("failure", `✘ <b>expected alert ${escape(alert)}, got ${escape(e.alertName)}</b>: ${escape(e.message)}`));
      return;
    }
    await attempt(() => {
      throw e;
    });
    return;
  }
  tslab.display.html(box("failure", `✘ <b>expected a refusal with alert ${escape(alert)}, but it went through</b>`));
}

/**
 * Set by npm test in its runs on the solutions, once its check 3 has graded every chapter of the same code: the
 * grade.json that grade wrote. The grade cell then shows that grade, this chapter's part, instead of grading again.
 */
export const GRADE_REPORT_ENV = "TLS_BY_HAND_GRADE_REPORT";

interface GradeJson {
  exercises: {
    id: string;
    chapter?: string;
    passed?: number;
    failed?: number;
    text: string;
    state: string;
    needs?: string;
    needsWhy?: string;
    failures?: { title: string; message: string; where?: string[]; notRun?: boolean }[];
    hint?: string;
    file: string;
    line: number;
  }[];
  tests?: { chapter?: string; state: string }[];
  passed: number;
  failed: number;
  loadErrors?: string[];
}

/** This chapter's part of a grade of several chapters: its exercises, and its tests counted. */
function chapterPart(report: GradeJson, chapter: string): GradeJson {
  const mine = (c: string | undefined) => c !== undefined && c.startsWith(chapter.slice(0, 2));
  const tests = (report.tests ?? []).filter((t) => mine(t.chapter));
  const exercises = report.exercises.filter((e) => mine(e.chapter));
  const loadErrors = (report.loadErrors ?? []).filter((l) => l.startsWith(`tests/${chapter.slice(0, 2)}-`));
  // As the grader counts: a chapter whose tests did not load counts each of its exercises as a failed test.
  const unloaded = loadErrors.length > 0 ? exercises.filter((e) => (e.passed ?? 0) + (e.failed ?? 0) === 0).length : 0;
  const passed = tests.filter((t) => t.state === "passed").length;
  return { exercises, tests, passed, failed: tests.length - passed + unloaded, loadErrors };
}

/**
 * Grades one chapter in a child process, so it always runs the code as it is on disk now (the kernel
 * keeps modules it has imported), and shows a pass/fail table with the next exercise's failing tests and
 * its hint. The grader stops code that loops or allocates without end (after `timeoutSeconds`, default 10),
 * so this returns and the kernel stays usable whatever the learner's code does.
 */
export function grade(chapter: string, options: { timeoutSeconds?: number } = {}): void {
  const extra = options.timeoutSeconds === undefined ? [] : ["--timeout", String(options.timeoutSeconds)];
  // The switch cell's choice holds here too: with "earlier", the chapters before this one are the reference's.
  const setting = referenceSetting();
  if (setting.mode === "earlier" && setting.chapter === chapter.slice(0, 2)) extra.push("--reference-earlier");
  // In npm test's runs, the grade it already made of the same code (GRADE_REPORT_ENV): of the solutions, or of the
  // stubs with each chapter on the reference code of the chapters before it (`grade --each`). Everywhere else the
  // cell grades the chapter itself.
  const given = process.env[GRADE_REPORT_ENV];
  let report: GradeJson;
  if (given !== undefined) report = chapterPart(JSON.parse(readFileSync(given, "utf8")) as GradeJson, chapter);
  else {
    const run = spawnSync(process.execPath, ["bin/tls-by-hand.mjs", "grade", chapter, "--json", ...extra], {
      cwd: process.cwd(),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      // A last resort only: the grader's own watchdog ends a looping test long before this.
      timeout: 15 * 60 * 1000,
    });
    const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
    if (line === undefined) {
      const why = run.error !== undefined ? `${run.error.message}\n` : "";
      tslab.display.html(`<pre>${escape(why + run.stdout + run.stderr)}</pre>`);
      return;
    }
    report = JSON.parse(line) as GradeJson;
  }
  const icon: Record<string, string> = { passed: "✅", failed: "❌", "not started": "⬜", waiting: "⏳", "timed out": "⏱️", stopped: "⏱️" };
  const rows = report.exercises.map(
    (e) =>
      `<tr><td>${e.id}</td><td style="text-align:left">${icon[e.state] ?? ""} ${e.state}${e.needs ? ` (needs ${e.needs}, ${escape(e.needsWhy ?? "")})` : ""}</td>` +
      `<td style="text-align:left">${escape(e.text.length > 90 ? e.text.slice(0, 90) + "…" : e.text)}</td></tr>`,
  );
  const first = report.exercises.find((e) => ["failed", "not started", "timed out", "stopped"].includes(e.state));
  let next = "";
  if (first !== undefined) {
    const failures = (first.failures ?? []).filter((f) => f.notRun !== true);
    const notRun = (first.failures ?? []).length - failures.length;
    const shown = failures.slice(0, 3).map(
      (f) => `<li>${escape(f.title)}<pre style="white-space:pre-wrap;margin:2px 0">${escape([f.message, ...(f.where ?? [])].join("\n"))}</pre></li>`,
    );
    const more = failures.length > 3 ? `<li>… and ${failures.length - 3} more (<code>npm run grade -- ${escape(chapter)} --all</code> shows every one)</li>` : "";
    const skipped = notRun > 0 ? `<li>${notRun} more not run on your code: it had to be stopped</li>` : "";
    const section = first.hint ?? "";
    next =
      `<p><b>Next: ${first.id}</b> in <code>${first.file}</code> line ${first.line}</p>` +
      (first.state === "not started" ? "" : `<ul>${shown.join("")}${more}${skipped}</ul>`) +
      (section === "" ? "" : `<details><summary>Hint</summary><pre style="white-space:pre-wrap">${escape(section)}</pre></details>`);
  }
  const loadErrors = (report.loadErrors ?? []).map((l) => `<pre style="white-space:pre-wrap">could not load ${escape(l)}</pre>`).join("");
  tslab.display.html(
    `<table><thead><tr><th>exercise</th><th style="text-align:left">state</th><th style="text-align:left">what</th></tr></thead><tbody>${rows.join("")}</tbody></table>` +
      loadErrors +
      next +
      `<p>${report.passed} passed, ${report.failed} failed${given !== undefined ? ` (${GRADE_REPORT_ENV}: npm test's grade of the same code)` : ""}</p>`,
  );
}

// ---- The test helpers, for notebooks ----
// tslab compiles what a notebook imports to CommonJS, where `import.meta` does not exist, so a notebook
// cannot `import` tests/support/rfc8448.ts or peers.ts (they find their files with import.meta.url).
// These load them through tsx's own loader instead (which handles import.meta), typed as if imported.

/** Loads a TypeScript module by its path from the repository root, through tsx rather than tslab. */
export function importNative<T>(path: string): T {
  return requireThroughTsx(join(process.cwd(), path), join(process.cwd(), "package.json")) as T;
}

/** tests/support/rfc8448.ts: findValue(section, actionIncludes, label) and the RFC 8448 traces. */
export function loadRfc8448(): typeof import("../tests/support/rfc8448.js") {
  return importNative("tests/support/rfc8448.ts");
}

/** tests/support/peers.ts: startNodeServer, startOpenSslServer, captureClientHello, connectNode, exchange. */
export function loadPeers(): typeof import("../tests/support/peers.js") {
  return importNative("tests/support/peers.ts");
}
