// Loaded into the notebook kernel before tslab (tools/kernel.sh: node --require this tslab kernel …). It trims
// two costs tslab pays on every kernel start and every import, neither of which changes what a cell shows:
//
// 1. Global types. tslab type-checks cells with every package under node_modules/@types as global types: besides
//    Node's, those of mocha and chai (the tests' globals) and a score of d3 packages that come with Mermaid (used
//    by `npm test` to parse the diagrams). The notebooks use Node's only; `types: ["node"]` keeps it to that, as a
//    tsconfig would. Packages a cell imports still bring their types, as always. (About 0.4 s per kernel start.)
// 2. JavaScript nobody runs. For each project file a cell imports, tslab type-checks it (kept: a type error in
//    chapters/ shows in the cell) and compiles it to CommonJS. But once lib/notebook-modules.ts has installed its
//    hook (the switch cell does that first), the hook runs those files with tsx instead, from the .ts source and
//    with a source map, and drops tslab's output unread. From then on, those files are compiled to an empty
//    module. (About 1 s for a notebook's first big import.) Before the hook is there, and for the cell itself
//    and for files under node_modules, tslab compiles as it always does.
"use strict";
const path = require("node:path");

const root = process.cwd(); // tools/kernel.sh starts tslab in the repository root
// The tslab package that kernel.sh runs, and the TypeScript it bundles.
const tslabDir = process.env.TLS_BY_HAND_TSLAB_DIR || path.dirname(require.resolve("tslab/package.json", { paths: [root] }));
let typescriptPath;
let ts;

// The hook's state (lib/notebook-modules.ts): present once the hook is installed in this process.
const HOOK = Symbol.for("tls-by-hand.notebook-modules");

/** A project .ts file (not a cell, not a dependency package) whose compiled output the hook would drop. */
function runByTsx(fileName) {
  if (globalThis[HOOK] === undefined) return false;
  const file = path.resolve(fileName);
  if (!file.startsWith(root + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  if (!file.endsWith(".ts") || file.endsWith(".d.ts")) return false;
  return !path.basename(file).startsWith("__"); // tslab's own files: __tslab__.ts, __prev__.d.ts
}

/** A `before` transformer that leaves nothing of the file to compile. */
const emptied = () => (sourceFile) => ts.factory.updateSourceFile(sourceFile, []);

function trimEmit(builder) {
  const emit = builder.emit.bind(builder);
  builder.emit = (sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers) => {
    if (sourceFile === undefined || !runByTsx(sourceFile.fileName)) return emit(sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers);
    const before = [emptied, ...((transformers && transformers.before) || [])];
    return emit(sourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, { ...transformers, before });
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

// TypeScript's exports are read-only getters: tslab gets, through the module cache, an object that reads every
// export from TypeScript but this one. If tslab's layout ever differs, the kernel runs untrimmed, as tslab ships.
try {
  typescriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] });
  ts = require(typescriptPath);
  if (typeof ts.createWatchCompilerHost !== "function") throw new Error("no createWatchCompilerHost in tslab's TypeScript");
  const patched = {};
  for (const key of Object.keys(ts)) {
    const value = key === "createWatchCompilerHost" ? { value: createWatchCompilerHost } : { get: () => ts[key] };
    Object.defineProperty(patched, key, { enumerable: true, ...value });
  }
  require.cache[typescriptPath].exports = patched;
} catch (e) {
  console.error(`tls-by-hand: the kernel runs without its trims (tools/tslab-kernel.cjs): ${e instanceof Error ? e.message : e}`);
}
