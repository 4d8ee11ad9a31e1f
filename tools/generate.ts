// Generates the learner's chapters/ from solutions/ (the one source): every exercise region becomes a
// TODO and a stub, every other line and file is copied. `--check` changes nothing and reports drift.
//   npm run generate              write chapters/ (refuses to overwrite a file holding learner work)
//   npm run generate -- --force   write chapters/ even over learner work
//   npm run generate -- --check   exit 1 unless chapters/ is what the generator makes (inside TODO regions
//                                 the learner's own code is allowed)
//   npm run generate -- --out DIR write the pristine chapters/ into DIR instead (the stub check uses it)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT, chapterSlugs, findRegions, listFiles, stubFile } from "./exercises.js";

/** The generated learner's copy: path relative to chapters/ → content. */
export function generateChapters(root = ROOT): Map<string, string> {
  const out = new Map<string, string>();
  for (const chapter of chapterSlugs(root)) {
    for (const f of listFiles(join(root, "solutions", chapter))) {
      const rel = join(chapter, f);
      const source = readFileSync(join(root, "solutions", rel), "utf8");
      out.set(rel, f.endsWith(".ts") ? stubFile(source, join("chapters", rel), 1 + rel.split("/").length - 1) : source);
    }
  }
  return out;
}

/** A file with each region's body replaced by a placeholder: what must match, whatever the learner wrote. */
function masked(source: string, file: string): string {
  const lines = source.split("\n");
  for (const r of findRegions(source, file).reverse()) lines.splice(r.bodyStart, r.end - r.bodyStart, `<${r.id}>`);
  return lines.join("\n");
}

/** Differences between chapters/ on disk and what the generator makes; an empty list means none. */
export function drift(root = ROOT): string[] {
  const problems: string[] = [];
  const expected = generateChapters(root);
  const present = existsSync(join(root, "chapters")) ? listFiles(join(root, "chapters")) : [];
  for (const [rel, content] of expected) {
    const path = join(root, "chapters", rel);
    if (!existsSync(path)) {
      problems.push(`chapters/${rel} is missing`);
      continue;
    }
    const current = readFileSync(path, "utf8");
    if (!rel.endsWith(".ts")) {
      if (current !== content) problems.push(`chapters/${rel} differs from solutions/${rel}`);
      continue;
    }
    try {
      const a = masked(current, `chapters/${rel}`);
      const b = masked(content, `chapters/${rel}`);
      if (a !== b) {
        const la = a.split("\n");
        const lb = b.split("\n");
        let i = 0;
        while (i < la.length && la[i] === lb[i]) i++;
        problems.push(`chapters/${rel}:${i + 1} differs from the generator's output: expected ${JSON.stringify(lb[i] ?? "<end of file>")}, found ${JSON.stringify(la[i] ?? "<end of file>")}`);
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  for (const rel of present) if (!expected.has(rel)) problems.push(`chapters/${rel} has no counterpart in solutions/`);
  return problems;
}

function main(args: string[]): number {
  if (args.includes("--check")) {
    const problems = drift();
    for (const p of problems) console.log(`drift: ${p}`);
    if (problems.length > 0) console.log("Run `npm run generate` after changing solutions/, and commit chapters/.");
    else console.log("chapters/ is what the generator makes from solutions/");
    return problems.length === 0 ? 0 : 1;
  }
  const outIndex = args.indexOf("--out");
  const outDir = outIndex >= 0 ? args[outIndex + 1]! : join(ROOT, "chapters");
  const force = args.includes("--force") || outIndex >= 0;
  const files = generateChapters();
  const refused: string[] = [];
  let written = 0;
  for (const [rel, content] of files) {
    const path = join(outDir, rel);
    if (existsSync(path)) {
      const current = readFileSync(path, "utf8");
      if (current === content) continue;
      if (!force && rel.endsWith(".ts") && hasLearnerWork(current, rel)) {
        refused.push(rel);
        continue;
      }
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    written++;
  }
  console.log(`generated ${written} file(s) into ${outDir}`);
  if (refused.length > 0) {
    console.log(`kept ${refused.length} file(s) with your own code in them (use --force to overwrite): ${refused.join(", ")}`);
  }
  return 0;
}

/** A region whose body is not the bare stub holds the learner's work. */
function hasLearnerWork(current: string, rel: string): boolean {
  try {
    const lines = current.split("\n");
    return findRegions(current, rel).some((r) => {
      const body = lines.slice(r.bodyStart, r.end).map((l) => l.trim()).filter((l) => l !== "");
      return !(body.length === 1 && body[0] === `throw new NotImplemented("${r.id}");`);
    });
  } catch {
    return true;
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  process.exitCode = main(process.argv.slice(2));
}
