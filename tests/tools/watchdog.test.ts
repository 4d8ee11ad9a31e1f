// The grader's watchdog, on a scratch copy of a learner's finished work with one mistake put in: code that
// never returns or allocates without end is stopped, blamed on its exercise with its line, and the other
// exercises are graded all the same, from the command line and from a notebook's grade cell.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../tools/exercises.js";
import type { GradeReport } from "../../tools/grade.js";
import { boardLine, learnerCopy, tool, type LearnerCopy } from "./learner-copy.js";

// 00.2 (readUint) with the commonest decoder bug of all: an index that never moves.
const LOOP = ["let value = 0;", "for (let i = 0; i < size; ) value = value * 256; // i never moves", "return value;"];
// 00.2 collecting without end: a push in a loop whose condition never changes.
const HOARD = ["const seen: number[] = [];", "for (let i = 0; i < size; ) seen.push(i); // i never moves, seen grows", "return seen.length;"];

describe("the grader's watchdog", function () {
  let copy: LearnerCopy;
  before(() => (copy = learnerCopy("finished")));
  afterEach(() => copy.undo());
  after(() => copy.remove());

  it("ends `grade 00` in under 30 s when 00.2 loops forever: 00.2 timed out at its line, the others graded", async () => {
    const line = copy.mistake("00-bytes/presentation.ts", "00.2", LOOP, "i never moves");
    // --timeout 3, not the default 10 s: the loop burns a core until it is stopped, and npm test has two. That the
    // default is 10 s, grader.test.ts reads in the limits of a plain grade's JSON (the limits the watchdog was given).
    const r = await tool(copy.dir, ["grade", "00", "--timeout", "3"]);
    expect(r.seconds, "seconds").to.be.below(30);
    expect(r.status, r.stderr).to.equal(1);
    expect(boardLine(r.stdout, "00.2")).to.match(/⧗ timed out/);
    // Exercises that do not call readUint pass; those that do wait for it, naming the looping line.
    expect(boardLine(r.stdout, "00.1")).to.match(/✔ passed/);
    expect(boardLine(r.stdout, "00.3")).to.match(/✔ passed/);
    for (const id of ["00.4", "00.5", "00.6", "00.7"]) {
      expect(boardLine(r.stdout, id)).to.include(`… waiting`).and.include(`(needs 00.2, which timed out at chapters/00-bytes/presentation.ts:${line})`);
    }
    expect(r.stdout).to.match(/Next: 00\.2 — chapters\/00-bytes\/presentation\.ts:\d+/);
    expect(r.stdout).to.include(`timed out after 3 s at chapters/00-bytes/presentation.ts:${line} (00.2's code) — an infinite loop?`);
    // Stopped once: after it, 00.2's code was replaced by a throw, so no other test looped for 3 s again.
    const report = JSON.parse(readFileSync(join(copy.dir, "grade-results/grade.json"), "utf8")) as GradeReport;
    expect(report.stops).to.equal(1);
  });

  it("stops 00.2 when it allocates without end, at the memory limit, with its line", async () => {
    const line = copy.mistake("00-bytes/presentation.ts", "00.2", HOARD, "seen grows");
    const r = await tool(copy.dir, ["grade", "00", "--max-memory", "300"]);
    expect(r.seconds, "seconds").to.be.below(30);
    expect(boardLine(r.stdout, "00.2")).to.match(/⧗ stopped/);
    expect(boardLine(r.stdout, "00.1")).to.match(/✔ passed/);
    expect(r.stdout).to.include(`stopped: used more than 300 MB of memory at chapters/00-bytes/presentation.ts:${line} (00.2's code)`);
  });

  it("the notebook's grade cell shows 00.2 timed out and returns, and the kernel runs the next cell; an error a cell meets in 00.3's code names its .ts line", function () {
    const python = join(ROOT, ".venv/bin/python");
    if (!existsSync(python)) {
      // Skipped only without the notebooks' .venv (no Python when npm install ran): npm test then counts the
      // notebooks as skipped too, and says why.
      this.skip();
    }
    copy.mistake("00-bytes/presentation.ts", "00.2", LOOP, "i never moves");
    // In the same kernel (one kernel start for both): 00.3 meets a TypeError, which a cell then calls. The learner
    // must see the .ts file and line they edit, not the JavaScript tslab compiled (tools/tslab-kernel.cjs, lib/notebook-modules.ts).
    const thrown = copy.mistake("00-bytes/presentation.ts", "00.3", ["const inner = undefined as unknown as ByteWriter;", "writeUint(w, inner.length, prefixSize, note); // a TypeError here"], "a TypeError here");
    const notebook = join(copy.dir, "notebooks", "zz-grade-cell.ipynb");
    const cell = (id: string, source: string) => ({ cell_type: "code", id, metadata: {}, execution_count: null, outputs: [], source });
    writeFileSync(
      notebook,
      JSON.stringify({
        cells: [
          cell("switch", 'import { useReference } from "./lib/notebook-modules";\nuseReference("none", "00");'),
          cell("grade", 'import { grade } from "./lib/notebook";\ngrade("00", { timeoutSeconds: 3 });'),
          cell("after", 'console.log("the kernel answers", 6 * 7);'),
          // Last: after a cell's error the kernel skips the cells queued behind it.
          cell("throws", 'import { ByteWriter } from "./lib/bytes";\nimport { writeVector } from "./chapters/00-bytes/index";\nwriteVector(new ByteWriter(), 1, "v", () => {});'),
        ],
        metadata: { kernelspec: { name: "tls-by-hand", display_name: "TypeScript (tls-by-hand)", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    // The project's kernel, as `npm start` runs it; the outputs of both cells come back as JSON.
    const script = [
      "import json, os, sys",
      "os.environ.setdefault('JUPYTER_PLATFORM_DIRS', '1')",
      "import nbformat",
      "from nbclient import NotebookClient",
      "nb = nbformat.read(sys.argv[1], as_version=4)",
      "NotebookClient(nb, timeout=90, kernel_name='tls-by-hand', allow_errors=True, resources={'metadata': {'path': os.path.dirname(sys.argv[1])}}).execute()",
      "print(json.dumps([[o.get('text', '') + o.get('data', {}).get('text/html', '') + o.get('evalue', '') + '\\n'.join(o.get('traceback', [])) for o in c.outputs] for c in nb.cells]))",
    ].join("\n");
    const run = spawnSync(python, ["-c", script, notebook], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr.slice(-2000)).to.equal(0);
    const [, grade, after, throws] = JSON.parse(run.stdout.trim().split("\n").pop()!) as string[][];
    const html = grade!.join("");
    expect(html).to.match(/<td>00\.2<\/td><td[^>]*>⏱️ timed out/);
    expect(html).to.match(/<td>00\.1<\/td><td[^>]*>✅ passed/);
    expect(html).to.include("timed out after 3 s at chapters/00-bytes/presentation.ts:");
    const error = throws!.join("");
    expect(error, "the cell that calls 00.3").to.include("TypeError");
    expect(error, "the cell that calls 00.3").to.include(`chapters/00-bytes/presentation.ts:${thrown}`);
    expect(error, "the cell that calls 00.3").not.to.match(/presentation\.js/);
    expect(after!.join("")).to.include("the kernel answers 42");
  });
});
