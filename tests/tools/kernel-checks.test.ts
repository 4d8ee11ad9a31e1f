// The notebook kernel does not type-check again a project file it found clean, while its text and that of every
// file it imports stay the same (tools/tslab-kernel.cjs, point 3). The danger in that is a stale answer: a learner
// edits a chapter file, and the cell no longer shows the type error. This runs tslab's own converter, with the
// kernel's trims loaded as tools/kernel.sh loads them, on a cell that imports chapter 01 in a scratch copy of a
// finished learner's work: once clean, then with a type error in chapter 00 (which chapter 01 imports), once more
// with it mended. Last, the kernel's start-up snapshot (tools/kernel-snapshot.cjs): a real kernel started by
// tools/kernel.sh, with it and without it, shows the same cells the same way.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../tools/exercises.js";
import { learnerCopy, type LearnerCopy } from "./learner-copy.js";

const CACHE = join(ROOT, "node_modules/.cache/tls-by-hand/kernel-checks");

// Converts one cell as the kernel does and prints tslab's diagnostics as JSON. Run in the copy: tslab takes the
// working directory as the notebook's root.
const CONVERT = `
const { createConverter } = require(require.resolve("tslab/dist/converter.js", { paths: [process.cwd()] }));
const converter = createConverter();
const out = converter.convert("", 'import { encodeClientHello } from "./chapters/01-client-hello/index";\\nconst encode = encodeClientHello;');
console.log(JSON.stringify((out.diagnostics || []).map((d) => ({ file: d.fileName, line: d.start && d.start.line, text: d.messageText }))));
process.exit(0);
`;

function convert(dir: string, env: NodeJS.ProcessEnv = {}): { file?: string; line?: number; text: string }[] {
  const run = spawnSync(process.execPath, ["--require", join(dir, "tools/tslab-kernel.cjs"), "-e", CONVERT], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, TLS_BY_HAND_TSLAB_DIR: join(ROOT, "node_modules/tslab"), ...env },
    timeout: 60_000,
  });
  expect(run.status, run.stderr).to.equal(0);
  expect(run.stderr, "the kernel's trims are in place").not.to.include("runs without its trims");
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as { file?: string; line?: number; text: string }[];
}

const entries = () => (existsSync(CACHE) ? readdirSync(CACHE).length : 0);

describe("the notebook kernel's check cache", function () {
  this.timeout(120_000);
  let copy: LearnerCopy;
  before(() => (copy = learnerCopy("finished")));
  after(() => copy.remove());

  it("remembers the files it found clean, and still shows a type error put into one of them, and only then", () => {
    expect(convert(copy.dir), "the finished chapters 00–01").to.deep.equal([]);
    const remembered = entries();
    expect(remembered, "files remembered as clean").to.be.above(0);

    // A learner's type error in chapter 00, which chapter 01 imports: the file was remembered clean, under its old text.
    const file = join(copy.dir, "chapters/00-bytes/presentation.ts");
    const clean = readFileSync(file, "utf8");
    const lines = clean.split("\n");
    const at = lines.findIndex((l) => l.startsWith("export function"));
    lines.splice(at, 0, 'const width: number = "two bytes"; // the learner\'s type error');
    writeFileSync(file, lines.join("\n"));
    try {
      const found = convert(copy.dir);
      expect(found.map((d) => `${d.file}:${(d.line ?? -1) + 1}: ${String(d.text)}`)).to.deep.equal([
        `chapters/00-bytes/presentation.ts:${at + 1}: Type 'string' is not assignable to type 'number'.`,
      ]);
    } finally {
      writeFileSync(file, clean);
    }
    // Mended: clean again, from what was remembered (the broken text was never remembered, the mended one was).
    const afterBroken = entries();
    expect(convert(copy.dir)).to.deep.equal([]);
    expect(entries(), "nothing new to remember").to.equal(afterBroken);
  });

  it("checks every file, and remembers nothing, with the cache turned off (TLS_BY_HAND_KERNEL_CHECK_CACHE=0)", () => {
    const file = join(copy.dir, "chapters/01-client-hello/offer.ts");
    const clean = readFileSync(file, "utf8");
    writeFileSync(file, `${clean}\nexport const cacheOff: number = "off";\n`);
    try {
      const before = entries();
      const found = convert(copy.dir, { TLS_BY_HAND_KERNEL_CHECK_CACHE: "0" });
      expect(found.map((d) => `${d.file}: ${String(d.text)}`)).to.deep.equal([`chapters/01-client-hello/offer.ts: Type 'string' is not assignable to type 'number'.`]);
      expect(entries(), "nothing remembered").to.equal(before);
    } finally {
      writeFileSync(file, clean);
    }
  });
});

// A notebook through the project's kernel (as `npm start` runs it); each cell's outputs come back as text.
const RUN_NOTEBOOK = [
  "import json, os, sys",
  "os.environ.setdefault('JUPYTER_PLATFORM_DIRS', '1')",
  "import nbformat",
  "from nbclient import NotebookClient",
  "nb = nbformat.v4.new_notebook()",
  "nb.cells = [nbformat.v4.new_code_cell(s) for s in json.loads(sys.argv[2])]",
  "nb.metadata['kernelspec'] = {'name': 'tls-by-hand', 'display_name': 'TypeScript (tls-by-hand)', 'language': 'typescript'}",
  "NotebookClient(nb, timeout=90, kernel_name='tls-by-hand', allow_errors=True, resources={'metadata': {'path': sys.argv[1]}}).execute()",
  "print(json.dumps([''.join(o.get('text', '') + o.get('evalue', '') for o in c.outputs) for c in nb.cells]))",
].join("\n");

describe("the notebook kernel's start-up snapshot", function () {
  this.timeout(120_000);
  const python = join(ROOT, ".venv/bin/python");
  let copy: LearnerCopy;
  before(() => (copy = learnerCopy("finished")));
  after(() => copy.remove());

  const CELLS = [
    // What the kernel took from the snapshot, and where it runs.
    // TypeScript's own idea of the working directory (tslab resolves the cells' imports from it), which a
    // TypeScript loaded in another folder could have kept.
    'import * as tslab from "tslab";\nconsole.log(JSON.stringify((globalThis as any)[Symbol.for("tls-by-hand.kernel-snapshot")] ?? null));\n' +
      'console.log(require(require.resolve("@tslab/typescript-for-tslab", { paths: [require.resolve("tslab")] })).sys.getCurrentDirectory());',
    'import { encodeClientHello } from "./chapters/01-client-hello/index";\nconsole.log(typeof encodeClientHello);',
    // An error at run time comes with its stack (the lines that threw), as in a kernel started without the snapshot.
    "function lengthOf(): number {\n  return (undefined as unknown as string).length;\n}\ntry {\n  lengthOf();\n} catch (e) {\n  console.log((e as Error).stack);\n}",
    // Last: after a cell's error the kernel skips the cells queued behind it.
    'const width: number = "two bytes";',
  ];
  const run = (snapshot: "1" | "0") => {
    const r = spawnSync(python, ["-c", RUN_NOTEBOOK, join(copy.dir, "notebooks"), JSON.stringify(CELLS)], {
      encoding: "utf8",
      env: { ...process.env, TLS_BY_HAND_KERNEL_SNAPSHOT: snapshot },
      timeout: 100_000,
    });
    expect(r.status, r.stderr.slice(-2000)).to.equal(0);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as string[];
  };

  it("a kernel starts from it, takes every declaration file from it, runs in the notebook's copy, and shows the same cells as without it", function () {
    if (!existsSync(python)) {
      // Skipped only without the notebooks' .venv (no Python when npm install ran): npm test then counts the
      // notebooks as skipped too, and says why.
      this.skip();
    }
    const blob = join(ROOT, `node_modules/.cache/tls-by-hand/kernel-${process.version}.blob`);
    expect(existsSync(blob), `npm install made the snapshot for this Node (${blob})`).to.equal(true);
    const [used, imported, thrown, typeError] = run("1");
    const [stats, cwd] = used!.trim().split("\n");
    const reused = JSON.parse(stats!) as { files: number; hits: number; stale: number } | null;
    expect(reused, "the kernel started from the snapshot").to.not.equal(null);
    expect(reused!.files, "declaration files in the snapshot").to.be.above(100);
    expect(reused!.hits, "taken from the snapshot").to.be.at.least(reused!.files);
    expect(reused!.stale, "parsed again: changed since").to.equal(0);
    // TypeScript, loaded in another folder, must not remember that one: the kernel runs in the notebook's copy.
    expect(cwd, "TypeScript's working directory").to.equal(copy.dir);
    const [none, importedWithout, thrownWithout, typeErrorWithout] = run("0");
    expect(none!.trim().split("\n")[0], "without the snapshot").to.equal("null");
    expect(imported).to.equal("function\n");
    expect(importedWithout).to.equal(imported);
    expect(typeError).to.include("Type 'string' is not assignable to type 'number'.");
    expect(typeErrorWithout).to.equal(typeError);
    expect(thrown).to.include("TypeError: Cannot read properties of undefined").and.match(/\n {4}at lengthOf \(/);
    expect(thrownWithout).to.equal(thrown);
  });
});
