// A scratch copy of the repository in the system's temp folder, whose chapters/ is the reference solutions,
// freshly generated stubs, or "finished": the stubs with every TODO region filled in with the reference code,
// as a learner's copy looks when every exercise is done. npm test, the tool tests and the benchmark run
// there, never in the learner's files.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, findRegions } from "./exercises.js";
import { generateChapters } from "./generate.js";

export type ScratchKind = "solutions" | "stubs" | "finished";

export function scratchCopy(chapters: ScratchKind): string {
  const dir = mkdtempSync(join(tmpdir(), `tls-by-hand-${chapters}-`));
  for (const name of ["package.json", "tsconfig.json", ".mocharc.json", "lib", "tests", "tools", "bin", "solutions", "notebooks"]) {
    if (existsSync(join(ROOT, name))) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  if (chapters === "solutions") cpSync(join(ROOT, "solutions"), join(dir, "chapters"), { recursive: true });
  else {
    for (const [rel, content] of generateChapters(ROOT)) {
      const path = join(dir, "chapters", rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, chapters === "finished" && rel.endsWith(".ts") ? fillIn(content, readFileSync(join(ROOT, "solutions", rel), "utf8"), rel) : content);
    }
  }
  return dir;
}

/** A generated stub file with each TODO region's `throw` replaced by the reference code of that region. */
export function fillIn(stub: string, solution: string, file: string): string {
  // Regions come in the same order in both (an exercise may have several regions in one file).
  const solutionLines = solution.split("\n");
  const reference = findRegions(solution, file).map((r) => solutionLines.slice(r.bodyStart, r.end));
  const lines = stub.split("\n");
  const stubs = findRegions(stub, file);
  for (let i = stubs.length - 1; i >= 0; i--) lines.splice(stubs[i]!.bodyStart, stubs[i]!.end - stubs[i]!.bodyStart, ...reference[i]!);
  return lines.join("\n");
}
