// A scratch copy of the repository in the system's temp folder, whose chapters/ is either the reference
// solutions or freshly generated stubs. npm test and the benchmark run there, never in the learner's files.
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "./exercises.js";
import { generateChapters } from "./generate.js";

export function scratchCopy(chapters: "solutions" | "stubs"): string {
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
      writeFileSync(path, content);
    }
  }
  return dir;
}
