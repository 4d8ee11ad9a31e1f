// Issue 11's size goal, kept: no exercise is a wall. Each exercise's reference code (the body of its regions in
// solutions/, comments and blank lines aside, summed over the files it spans) is at most MAX_LINES lines, so a
// learner never has more than one screen of code between two graded steps.
import { expect } from "chai";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, findRegions } from "../../tools/exercises.js";

const MAX_LINES = 50;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("exercise sizes", function () {
  it(`every exercise has at most ${MAX_LINES} lines of reference code (comments and blank lines aside)`, () => {
    const size = new Map<string, { lines: number; where: string[] }>();
    for (const file of files(join(ROOT, "solutions"))) {
      const source = readFileSync(file, "utf8");
      const lines = source.split("\n");
      for (const r of findRegions(source, file)) {
        const code = lines.slice(r.bodyStart, r.end).filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
        const entry = size.get(r.id) ?? { lines: 0, where: [] };
        entry.lines += code;
        entry.where.push(`${relative(ROOT, file)}:${r.bodyStart + 1}`);
        size.set(r.id, entry);
      }
    }
    expect(size.size, "exercises found").to.be.above(100);
    const walls = [...size].filter(([, s]) => s.lines > MAX_LINES).map(([id, s]) => `${id}: ${s.lines} lines (${s.where.join(", ")})`);
    expect(walls.join("\n"), `exercises over ${MAX_LINES} lines: cut them into steps`).to.equal("");
  });
});
