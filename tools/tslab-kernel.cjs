// Loaded into the notebook kernel before tslab (tools/kernel.sh: node --require this tslab kernel …). It trims
// three costs tslab pays on every kernel start and every import, none of which changes what a cell shows:
//
// 1. Global types. tslab type-checks cells with every package under node_modules/@types as global types: besides
//    Node's, those of mocha and chai (the tests' globals) and a score of d3 packages that come with Mermaid (used
//    by `npm test` to parse the diagrams). The notebooks use Node's only; `types: ["node"]` keeps it to that, as a
//    tsconfig would. Packages a cell imports still bring their types, as always. (About 0.4 s per kernel start.)
// 2. Output nobody reads. For each project file a cell imports, tslab type-checks it (kept: a type error in
//    chapters/ shows in the cell) and compiles it: to CommonJS, and to declarations (.d.ts), which it drops. But once
//    lib/notebook-modules.ts has installed its hook (the switch cell does that first), the hook runs those files
//    with tsx instead, from the .ts source and with a source map, and drops tslab's JavaScript unread too. From then
//    on, tslab gets an empty module for each of those files, and nothing of them is compiled. Before the hook is
//    there, and for the cell itself and for files under node_modules, tslab compiles as it always does.
// 3. Checking again what was already found clean. Before each cell runs, tslab type-checks the cell and every
//    project file it imports: all of chapters 00–NN for notebook NN. A project file found without errors is
//    remembered (node_modules/.cache/tls-by-hand/kernel-checks), under a key made of its text, the text of every
//    project file it imports, directly or not, and the global types and options it was checked with. While none of
//    them changes, it is not checked again. A file the learner edits, and every file that imports it, gets a new key
//    and is checked as before, so its type errors still show in the cell. The cell itself is always checked.
//    TLS_BY_HAND_KERNEL_CHECK_CACHE=0 turns this off.
// With 2 and 3, notebook 08's import cell takes 0.6 s instead of 1.8 s once chapters 00–08 have been checked (by
// any notebook, in any copy of the repository that shares this node_modules), and the kernel half the CPU.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = process.cwd(); // tools/kernel.sh starts tslab in the repository root
// The tslab package that kernel.sh runs, and the TypeScript it bundles.
const tslabDir = process.env.TLS_BY_HAND_TSLAB_DIR || path.dirname(require.resolve("tslab/package.json", { paths: [root] }));
let typescriptPath;
let ts;

// The hook's state (lib/notebook-modules.ts): present once the hook is installed in this process.
const HOOK = Symbol.for("tls-by-hand.notebook-modules");

/** A project source file: what the learner or the project wrote (not a cell, not a package, not a .d.ts). */
function projectSource(fileName) {
  const file = path.resolve(fileName);
  if (!file.startsWith(root + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  if (!file.endsWith(".ts") || file.endsWith(".d.ts")) return false;
  return !path.basename(file).startsWith("__"); // tslab's own files: __tslab__.ts, __prev__.d.ts
}

/** A project .ts file (not a cell, not a dependency package) whose compiled output the hook would drop. */
function runByTsx(fileName) {
  return globalThis[HOOK] !== undefined && projectSource(fileName);
}

function trimEmit(builder) {
  const emit = builder.emit.bind(builder);
  builder.emit = (sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers) => {
    if (sourceFile === undefined || !runByTsx(sourceFile.fileName)) return emit(sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers);
    // An empty module where tslab would write the file's JavaScript (outDir/<path from the root>.js), and no emit:
    // besides the JavaScript, it would write the file's declarations (.d.ts), which tslab drops too, and which
    // cost as much as checking the file again.
    const options = builder.getCompilerOptions();
    const js = path.join(options.outDir, path.relative(options.rootDir, sourceFile.fileName)).replace(/\.ts$/, ".js");
    writeFile(js, "", false, undefined, [sourceFile]);
    return { emitSkipped: false, diagnostics: [] };
  };
  return builder;
}

function createWatchCompilerHost(rootFiles, options, ...rest) {
  const host = ts.createWatchCompilerHost(rootFiles, options && options.types === undefined ? { ...options, types: ["node"] } : options, ...rest);
  // tslab sets afterProgramCreate to keep each new builder program: give it builders whose emit is trimmed.
  let after = host.afterProgramCreate;
  Object.defineProperty(host, "afterProgramCreate", {
    configurable: true,
    get: () => after && ((builder) => after(trimEmit(builder))),
    set: (f) => (after = f),
  });
  return host;
}

const CLEAN_DIR = path.join(root, "node_modules", ".cache", "tls-by-hand", "kernel-checks");
const sha1 = (text) => crypto.createHash("sha1").update(text).digest("hex");
// The keys this kernel has found clean or read as clean: asked again before every cell, answered without the disk.
const knownClean = new Set();

/** The files `sourceFile` imports, as the program resolved them. */
function importsOf(sourceFile) {
  const found = [];
  const cache = sourceFile.resolvedModules;
  if (cache === undefined) return found;
  cache.forEach((value) => {
    const name = value && value.resolvedModule && value.resolvedModule.resolvedFileName;
    if (name) found.push(name);
  });
  return found;
}

/**
 * Each project file's key: its text and that of every project file it reaches through imports (by path from the
 * root, so that two copies of the repository share keys), with the program's other files (lib, @types) and
 * options. The same key means the same check.
 */
function cleanKeys(program) {
  const byName = new Map(program.getSourceFiles().map((f) => [f.fileName, f]));
  const others = program.getSourceFiles().filter((f) => !projectSource(f.fileName) && !path.basename(f.fileName).startsWith("__"));
  // tslab's options name the root (rootDir, typeRoots): without it, so that copies of the repository share keys.
  const options = JSON.stringify(program.getCompilerOptions()).split(root).join("<root>");
  const global = sha1([ts.version, options, ...others.map((f) => path.relative(root, f.fileName) + ":" + f.text.length)].join("\n"));
  const textHash = new Map();
  const textOf = (f) => {
    if (!textHash.has(f.fileName)) textHash.set(f.fileName, sha1(f.text));
    return textHash.get(f.fileName);
  };
  return (sourceFile) => {
    const seen = new Set([sourceFile.fileName]);
    const stack = [sourceFile];
    const parts = [];
    while (stack.length > 0) {
      const f = stack.pop();
      parts.push(`${path.relative(root, f.fileName)}:${textOf(f)}`);
      for (const name of importsOf(f)) {
        const next = byName.get(name);
        if (next !== undefined && projectSource(name) && !seen.has(name)) {
          seen.add(name);
          stack.push(next);
        }
      }
    }
    return sha1([global, ...parts.sort()].join("\n"));
  };
}

/**
 * tslab's check before a cell runs: `files` is the cell, then every file it depends on. Files already found clean
 * under the same key are left out; those found clean now are remembered.
 */
function getPreEmitDiagnosticsOfFiles(program, files, cancellationToken) {
  const [cell, ...deps] = files;
  const keyOf = cleanKeys(program);
  const keys = new Map();
  const toCheck = [cell];
  for (const f of deps) {
    if (f === undefined || !projectSource(f.fileName)) {
      toCheck.push(f);
      continue;
    }
    const key = keyOf(f);
    if (knownClean.has(key)) continue;
    if (fs.existsSync(path.join(CLEAN_DIR, key))) {
      knownClean.add(key);
      continue;
    }
    keys.set(f.fileName, key);
    toCheck.push(f);
  }
  const diagnostics = ts.getPreEmitDiagnosticsOfFiles(program, toCheck, cancellationToken);
  // Errors without a file (tslab's own options: one deprecation, which tslab does not show) belong to no file.
  const unclean = new Set(diagnostics.filter((d) => d.file !== undefined).map((d) => d.file.fileName));
  for (const [fileName, key] of keys) {
    if (unclean.has(fileName)) continue;
    knownClean.add(key);
    try {
      fs.mkdirSync(CLEAN_DIR, { recursive: true });
      fs.writeFileSync(path.join(CLEAN_DIR, key), "");
    } catch {
      // A read-only node_modules: check every time, as tslab does.
    }
  }
  return diagnostics;
}

// TypeScript's exports are read-only getters: tslab gets, through the module cache, an object that reads every
// export from TypeScript but these two. If tslab's layout ever differs, the kernel runs untrimmed, as tslab ships.
try {
  typescriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] });
  ts = require(typescriptPath);
  if (typeof ts.createWatchCompilerHost !== "function") throw new Error("no createWatchCompilerHost in tslab's TypeScript");
  const patched = {};
  for (const key of Object.keys(ts)) {
    const value =
      key === "createWatchCompilerHost"
        ? { value: createWatchCompilerHost }
        : key === "getPreEmitDiagnosticsOfFiles" && process.env.TLS_BY_HAND_KERNEL_CHECK_CACHE !== "0"
          ? { value: getPreEmitDiagnosticsOfFiles }
          : { get: () => ts[key] };
    Object.defineProperty(patched, key, { enumerable: true, ...value });
  }
  require.cache[typescriptPath].exports = patched;
} catch (e) {
  console.error(`tls-by-hand: the kernel runs without its trims (tools/tslab-kernel.cjs): ${e instanceof Error ? e.message : e}`);
}
