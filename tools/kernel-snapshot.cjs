// The notebook kernel's start-up snapshot. A tslab kernel spends its first second and more on TypeScript itself:
// compiling the 9 MB of tslab's typescript.js, then parsing and binding the declaration files every cell is checked
// against (lib.es2022, @types/node, tslab's own types: about 180 files, 4 MB). None of that depends on the notebook.
// `npm install` (tools/setup.mjs) runs this file once under `node --build-snapshot`: TypeScript is loaded and those
// files are parsed and bound here, and Node saves the whole heap as a blob. tools/kernel.sh then starts each kernel
// from the blob (`node --snapshot-blob`), and the deserialized kernel finds all of it already done. A cell shows the
// same thing either way; the kernel starts in about half the CPU time (measured in the README).
//
// What keeps it exact:
//   - A declaration file is taken from the snapshot only if the text the kernel reads from disk now is the text
//     parsed here, for the same file, with the same parse options; anything else is parsed as always.
//   - The snapshot's TypeScript is used only while tslab's typescript.js on disk is the one loaded here (size and
//     time); after an update of tslab the kernel loads the new one and gets nothing from the snapshot.
//   - TypeScript's file system object remembers the working directory the first time it is asked. Built here, it
//     would remember this process's for every kernel; in the snapshot's copy it asks every time.
//   - Nothing of Node's run time (handles, timers, environment, argv) is kept: those are read after the start.
//     Error.stackTraceLimit, which Node drops from a snapshot, is set again.
// Run as: ROOT=<repository> node --snapshot-blob BLOB --build-snapshot tools/kernel-snapshot.cjs
// (in the snapshot builder, `require` gives Node's own modules only: TypeScript is evaluated from its source).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const v8 = require("node:v8");

const root = process.env.ROOT;
if (!root) throw new Error("ROOT: the repository root whose node_modules the kernel uses");
const tslabDir = fs.realpathSync(path.join(root, "node_modules", "tslab"));
const tsPath = fs.realpathSync(path.join(root, "node_modules", "@tslab", "typescript-for-tslab", "lib", "typescript.js"));
const tsStat = fs.statSync(tsPath);

/** tslab's TypeScript, evaluated as Node's CommonJS loader would, with the two changes described above. */
function loadTypeScript() {
  let source = fs.readFileSync(tsPath, "utf8");
  const change = (from, to) => {
    if (source.split(from).length !== 2) throw new Error(`tslab's TypeScript has changed: no single ${JSON.stringify(from)}`);
    source = source.replace(from, to);
  };
  change("const getCurrentDirectory = memoize(() => process.cwd());", "const getCurrentDirectory = () => process.cwd();");
  change(
    "return text !== void 0 ? createSourceFile(fileName, text, languageVersionOrOptions, setParentNodes) : void 0;",
    "return text !== void 0 ? (globalThis.__tlsByHandParsed?.(fileName, text, languageVersionOrOptions, setParentNodes) ?? createSourceFile(fileName, text, languageVersionOrOptions, setParentNodes)) : void 0;",
  );
  const module = { exports: {} };
  // Indirect eval: the snapshot builder does not vouch for node:vm. sourceURL names the file in stack traces.
  const wrapper = (0, eval)(`(function (exports, require, module, __filename, __dirname) {${source}\n})\n//# sourceURL=${tsPath}`);
  wrapper(module.exports, require, module, tsPath, path.dirname(tsPath));
  return module.exports;
}

const ts = loadTypeScript();

/** The parse options of a request, as a key: a file parsed with other options is parsed again. */
function parseKey(languageVersionOrOptions) {
  const o = typeof languageVersionOrOptions === "object" ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
  return `${o.languageVersion} ${o.impliedNodeFormat} ${o.jsDocParsingMode}`;
}

// A program like a kernel's first cell (tools/tslab-kernel.cjs gives tslab types: ["node"]): the cell imports tslab,
// as the notebooks do to show HTML, which brings tslab's declarations and the @types/node that tslab depends on.
// Checking it parses and binds every declaration file; binding is kept on each file, and later programs reuse it.
const parsed = new Map();
// Checked and compiled as a cell is, so that TypeScript's checker and emitter are compiled into the snapshot too.
const CELL = [
  'import * as tslab from "tslab";',
  'import { createHash } from "node:crypto";',
  "export interface Record { type: number; body: Uint8Array }",
  "export class Reader { constructor(private readonly bytes: Uint8Array, public offset = 0) {} next(): number { return this.bytes[this.offset++] ?? 0; } }",
  "export async function digest(records: readonly Record[]): Promise<string> { return createHash('sha256').update(records.map((r) => r.body).reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array())).digest('hex'); }",
  "export const shown = (html: string) => tslab.display.html(html);",
  "export const kinds = new Map<number, string>([[22, 'handshake']]);",
].join("\n");
{
  const cell = path.join(root, "__tls_by_hand_snapshot__.ts");
  const options = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    typeRoots: [path.join(root, "node_modules", "@types")],
    resolveJsonModule: true,
    allowJs: true,
    skipLibCheck: true,
    declaration: true,
    outDir: path.join(root, "__tls_by_hand_snapshot_out__"),
  };
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => root;
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === cell ? CELL : readFile(f));
  host.fileExists = (f) => f === cell || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, fresh) => {
    const file = getSourceFile(fileName, languageVersionOrOptions, onError, fresh);
    if (file !== undefined && fileName.endsWith(".d.ts")) parsed.set(fs.realpathSync(fileName), { file, key: parseKey(languageVersionOrOptions) });
    return file;
  };
  const program = ts.createProgram({ rootNames: [cell], options, host });
  ts.getPreEmitDiagnostics(program);
  program.emit(undefined, () => {});
}

// files: parsed here; hits: taken from here; stale: here, but with another text or other options now (parsed again).
const reused = { files: parsed.size, hits: 0, stale: 0 };

/** The hook in TypeScript's getSourceFile (see loadTypeScript): the file parsed here, if it is still the same. */
function parsedFile(fileName, text, languageVersionOrOptions, setParentNodes) {
  if (!fileName.endsWith(".d.ts") || setParentNodes) return undefined;
  let entry = parsed.get(fileName);
  if (entry === undefined) {
    try {
      entry = parsed.get(fs.realpathSync(fileName));
    } catch {
      return undefined;
    }
  }
  if (entry === undefined) return undefined;
  if (entry.file.text !== text || entry.key !== parseKey(languageVersionOrOptions)) {
    reused.stale++;
    return undefined;
  }
  reused.hits++;
  return entry.file;
}

v8.startupSnapshot.setDeserializeMainFunction(() => {
  const { Module, createRequire } = require("node:module");
  // Node leaves Error.stackTraceLimit out of a snapshot and, in Node 20, does not put it back: errors would come
  // without a stack, and a cell's error without the line that threw. V8's default, as a kernel started plainly has.
  if (typeof Error.stackTraceLimit !== "number") Error.stackTraceLimit = 10;
  // The kernel: `node --snapshot-blob BLOB <tslab's bin> kernel …`, with tools/tslab-kernel.cjs first, as kernel.sh
  // otherwise loads it with --require (TLS_BY_HAND_KERNEL_PATCH: its path).
  const script = path.resolve(process.argv[1]);
  process.argv[1] = script;
  const now = fs.statSync(tsPath, { throwIfNoEntry: false });
  if (now !== undefined && now.size === tsStat.size && now.mtimeMs === tsStat.mtimeMs && fs.realpathSync(path.join(path.dirname(script), "..")) === tslabDir) {
    const cached = new Module(tsPath);
    cached.filename = tsPath;
    cached.paths = Module._nodeModulePaths(path.dirname(tsPath));
    cached.exports = ts;
    cached.loaded = true;
    Module._cache[tsPath] = cached;
    globalThis.__tlsByHandParsed = parsedFile;
    // For the tests: proof that this kernel started from the snapshot, and how much of it it used.
    globalThis[Symbol.for("tls-by-hand.kernel-snapshot")] = reused;
  }
  const load = createRequire(script);
  if (process.env.TLS_BY_HAND_KERNEL_PATCH) load(path.resolve(process.env.TLS_BY_HAND_KERNEL_PATCH));
  load(script);
});
