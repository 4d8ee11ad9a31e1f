// How the notebook kernel runs the project's modules, and the switch that runs the chapters before a
// notebook's own on the reference solutions, so that any chapter can be started on its own.
// tslab type-checks every file a cell imports and compiles it to CommonJS without a source map, so a stack
// trace would name JavaScript that exists nowhere on disk (chapters/00-bytes/presentation.js:26). The hook
// below hands each of those modules to tsx instead, which compiles the same .ts file with a source map:
// frames then name the .ts file and line the learner edits. tslab still checks the types; only what runs
// changes. The same hook redirects chapters/NN-… to solutions/NN-… when the switch says so (tests and the
// grader do this with tools/impl-resolve.mjs; the kernel loads CommonJS, which that ESM hook never sees).
import { existsSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join, sep } from "node:path";
import * as tslab from "tslab";

/** "none": every chapter from chapters/ (the learner's code). "earlier": chapters below this one from solutions/. */
export type ReferenceMode = "none" | "earlier";

/** The environment variable with which `npm test` forces the switch (tools/run-notebooks.py --reference). */
export const REFERENCE_ENV = "TLS_BY_HAND_REFERENCE";

interface LoaderState {
  root: string;
  mode: ReferenceMode;
  /** The notebook's chapter ("09"), once the switch cell has run. */
  chapter: string | undefined;
  /** Chapters whose modules were loaded from chapters/ (to tell when a changed switch needs a restart). */
  loadedFromChapters: Set<string>;
  tsxRequire: (id: string, fromFile: string) => unknown;
}

// One state and one hook per kernel process, even if this file is loaded twice (a re-run cell, tsx and tslab).
const STATE = Symbol.for("tls-by-hand.notebook-modules");
type Compile = (this: Module, content: string, filename: string) => unknown;
const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;

function state(): LoaderState {
  const g = globalThis as unknown as Record<symbol, LoaderState | undefined>;
  const existing = g[STATE];
  if (existing !== undefined) return existing;
  const root = process.cwd(); // tools/kernel.sh starts the kernel in the repository root
  // tsx's scoped loader, under a namespace of our own: tsx's `require` would make one from the time, and its
  // cache of compiled files is keyed by it, so that every kernel would compile every file again.
  const tsx = createRequire(join(root, "package.json"))("tsx/cjs/api") as {
    register: (options: { namespace: string }) => { require: (id: string, fromFile: string) => unknown };
  };
  const scoped = tsx.register({ namespace: "tls-by-hand-notebook" });
  const created: LoaderState = {
    root,
    mode: "none",
    chapter: undefined,
    loadedFromChapters: new Set(),
    tsxRequire: (id, fromFile) => scoped.require(id, fromFile),
  };
  g[STATE] = created;
  installHook(created);
  return created;
}

const CHAPTER_FILE = /^chapters\/(\d\d)-[^/]+\/.+\.ts$/;

/** The file that should run for `file` (a .ts path under the root): solutions/NN-… when the switch says so. */
function target(s: LoaderState, file: string): string {
  const rel = file.slice(s.root.length + 1).split(sep).join("/");
  const m = CHAPTER_FILE.exec(rel);
  if (m === null) return file;
  const below = s.chapter !== undefined && m[1]! < s.chapter;
  if (s.mode === "earlier" && below) {
    const reference = join(s.root, "solutions", rel.slice("chapters/".length));
    if (existsSync(reference)) return reference;
  }
  if (below) s.loadedFromChapters.add(m[1]!);
  return file;
}

/** Drops a file from Node's module cache (tsx keys it with a query), so that the next require reads it again. */
function forget(s: LoaderState, file: string): void {
  const cache = createRequire(join(s.root, "package.json")).cache;
  for (const key of Object.keys(cache)) if (key === file || key.startsWith(file + "?")) delete cache[key];
}

function installHook(s: LoaderState): void {
  const original = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string) {
    const file = filename.split("?")[0]!;
    const ours = file.startsWith(s.root + sep) && !file.includes(`${sep}node_modules${sep}`);
    if (!ours) return original.call(this, content, filename);
    // tslab's output for a .ts file: a .js path next to the .ts, with nothing on disk.
    const fromTslab = file.endsWith(".js") && !existsSync(file) && existsSync(file.slice(0, -3) + ".ts");
    const source = fromTslab ? file.slice(0, -3) + ".ts" : file;
    const run = target(s, source);
    if (!fromTslab && run === file) return original.call(this, content, filename);
    // tslab compiles a file again when it changed on disk: load it afresh too.
    if (fromTslab && run === source) forget(s, source);
    (this as unknown as { exports: unknown }).exports = s.tsxRequire(run, join(s.root, "package.json"));
    return undefined;
  };
}

/** Loads a file through tsx (which handles import.meta, unlike tslab's CommonJS), as the hook runs chapters. */
export function requireThroughTsx(path: string, fromFile: string): unknown {
  return state().tsxRequire(path, fromFile);
}

/** Installs the hook (idempotent); called when lib/notebook.ts loads, before any chapter is imported. */
export function installNotebookModules(): void {
  state();
}

export interface ReferenceSetting {
  mode: ReferenceMode;
  chapter: string | undefined;
  /** Set when the mode came from the environment (npm test), not from the cell. */
  forced: boolean;
  /** Earlier chapters already loaded from chapters/ before the switch said "earlier": a restart is needed. */
  stale: string[];
}

/** Sets the switch for this kernel. The environment (REFERENCE_ENV) wins over the cell, for npm test. */
export function setReference(mode: ReferenceMode, chapter: string): ReferenceSetting {
  const s = state();
  const env = process.env[REFERENCE_ENV];
  const forced = env === "none" || env === "earlier";
  s.mode = forced ? (env as ReferenceMode) : mode;
  s.chapter = chapter;
  const stale = s.mode === "earlier" ? [...s.loadedFromChapters].filter((c) => c < chapter).sort() : [];
  return { mode: s.mode, chapter, forced, stale };
}

/** "chapter 00" or "chapters 00–08": the chapters before `chapter`. */
export function earlierChapters(chapter: string): string {
  const last = String(Number(chapter) - 1).padStart(2, "0");
  return last === "00" ? "chapter 00" : `chapters 00–${last}`;
}

/**
 * The switch cell, the first code cell of every notebook. `"none"`: every chapter runs on your own code in
 * chapters/. `"earlier"`: the chapters before `chapter` run on the reference solutions in solutions/, so a
 * chapter can be started before the earlier ones are done; the chapter's own exercises are always yours.
 * It must run before any chapter is imported: the switch cell imports nothing but this file.
 */
export function useReference(mode: ReferenceMode, chapter: string): void {
  const set = setReference(mode, chapter);
  const note = (html: string) => tslab.display.html(`<div style="border-left:4px solid #90a4ae;padding:4px 10px;background:#f5f5f5">${html}</div>`);
  if (chapter === "00") return note("Chapter 00 has no earlier chapters: everything runs on your code in <code>chapters/</code>.");
  const earlier = earlierChapters(chapter);
  const source = set.mode === "earlier" ? "the reference solutions in <code>solutions/</code>" : "your own code in <code>chapters/</code>";
  const why = set.forced ? ` (set by the environment: ${REFERENCE_ENV}=${set.mode})` : "";
  let html = `The code of ${earlier} runs from ${source}${why}; chapter ${chapter}'s exercises run on your code in <code>chapters/</code>.`;
  if (set.stale.length > 0) {
    html += `<br><b>Restart the kernel</b> (Kernel → Restart Kernel and Run All Cells): chapter ${set.stale.join(", ")} was already loaded from <code>chapters/</code>.`;
  }
  note(html);
}

/** The switch as it is now (for the "not done yet" note). */
export function referenceSetting(): { mode: ReferenceMode; chapter: string | undefined } {
  const s = state();
  return { mode: s.mode, chapter: s.chapter };
}
