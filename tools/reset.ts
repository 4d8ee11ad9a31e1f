// `npm run reset -- 01.3`: puts one exercise back to its stub in chapters/, leaving the rest of your work.
// The region between `// TODO 01.3:` and `// END 01.3` is rewritten from solutions/ (the one source).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, findRegions, listExercises, stubLines } from "./exercises.js";
import { generateChapters } from "./generate.js";

function reset(id: string): number {
  const files = [...new Set(listExercises().filter((e) => e.id === id).map((e) => e.file))];
  if (files.length === 0) {
    console.error(`no exercise ${id}; exercises look like 01.3 (run \`npm run grade\` to list them)`);
    return 2;
  }
  const generated = generateChapters();
  for (const file of files) {
    const path = join(ROOT, file);
    const lines = readFileSync(path, "utf8").split("\n");
    const pristine = generated.get(file.slice("chapters/".length))!;
    const stubs = findRegions(pristine, file).filter((r) => r.id === id);
    const mine = findRegions(lines.join("\n"), file).filter((r) => r.id === id);
    if (mine.length !== stubs.length) {
      console.error(
        `${file}: cannot find the "// TODO ${id}:" … "// END ${id}" lines. Restore the file from git ` +
          `(git checkout -- ${file}) or put the markers back.`,
      );
      return 1;
    }
    // Replace from the last region up, so earlier line numbers stay valid.
    for (let i = mine.length - 1; i >= 0; i--) {
      const r = mine[i]!;
      lines.splice(r.begin, r.end - r.begin + 1, ...stubLines(stubs[i]!));
    }
    writeFileSync(path, lines.join("\n"));
    console.log(`reset ${id} in ${file}`);
  }
  console.log("Restart the notebook's kernel if it had imported this chapter.");
  return 0;
}

const ids = process.argv.slice(2).filter((a) => !a.startsWith("-"));
if (ids.length === 0) {
  console.error("usage: npm run reset -- NN.k [NN.k …]   (e.g. npm run reset -- 01.3)");
  process.exitCode = 2;
} else {
  process.exitCode = ids.map(reset).reduce((a, b) => Math.max(a, b), 0);
}
