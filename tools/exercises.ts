// The exercise markers, read and rewritten. Solutions mark each exercise as a region:
//     // EXERCISE 01.3: what to do … (RFC 8446 §4.2)
//     …reference code…
//     // END 01.3
// and the learner's copy in chapters/ gets, in its place, the same comment as a TODO and a stub that throws.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

const BEGIN = /^(\s*)\/\/ (EXERCISE|TODO) (\d\d\.\d+): ?(.*)$/;
const COMMENT = /^\s*\/\/ ?(.*)$/;
const endOf = (id: string) => new RegExp(`^\\s*// END ${id.replace(".", "\\.")}\\s*$`);

/** One marked region of a file. Lines are 0-based; `body` is the part between the comment and END. */
export interface Region {
  id: string;
  kind: "EXERCISE" | "TODO";
  indent: string;
  /** The instruction: the marker line's text and the comment lines right after it. */
  text: string[];
  /** First line of the region (the marker) and the END line. */
  begin: number;
  bodyStart: number;
  end: number;
}

/** Finds the marked regions of a TypeScript file. Throws on an unterminated or nested region. */
export function findRegions(source: string, file: string): Region[] {
  const lines = source.split("\n");
  const regions: Region[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i]!);
    if (m === null) continue;
    const [, indent, kind, id, first] = m as unknown as [string, string, "EXERCISE" | "TODO", string, string];
    const text = [first];
    let j = i + 1;
    while (j < lines.length && COMMENT.test(lines[j]!) && !endOf(id).test(lines[j]!)) text.push(COMMENT.exec(lines[j]!)![1]!), j++;
    const bodyStart = j;
    while (j < lines.length && !endOf(id).test(lines[j]!)) {
      if (BEGIN.test(lines[j]!)) throw new Error(`${file}:${j + 1}: region ${id} is not closed before the next one`);
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: region ${id} has no "// END ${id}" line`);
    regions.push({ id, kind, indent, text, begin: i, bodyStart, end: j });
    i = j;
  }
  return regions;
}

/** The stub that replaces an exercise's code: the instruction as a TODO, and a throw. */
export function stubLines(r: Pick<Region, "id" | "indent" | "text">): string[] {
  const [first, ...more] = r.text;
  return [
    `${r.indent}// TODO ${r.id}: ${first}`,
    ...more.map((t) => `${r.indent}// ${t}`.trimEnd()),
    `${r.indent}throw new NotImplemented("${r.id}");`,
    `${r.indent}// END ${r.id}`,
  ];
}

/** The header comment of every generated file that has exercises. */
export const GENERATED_NOTE =
  "// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.";

/** The learner's copy of one solution file: every region replaced by its stub. */
export function stubFile(source: string, file: string, depth: number): string {
  const regions = findRegions(source, file);
  if (regions.length === 0) return source;
  const lines = source.split("\n");
  const out: string[] = [];
  let at = 0;
  for (const r of regions) {
    if (r.kind !== "EXERCISE") throw new Error(`${file}:${r.begin + 1}: solutions mark exercises with // EXERCISE, not // TODO`);
    out.push(...lines.slice(at, r.begin), ...stubLines(r));
    at = r.end + 1;
  }
  out.push(...lines.slice(at));
  // The stubs throw NotImplemented: import it after the file's last import line.
  const importPath = `${"../".repeat(depth)}lib/errors.js`;
  const importLine = `import { NotImplemented } from "${importPath}";`;
  if (!source.includes(importLine)) {
    let last = -1;
    for (let i = 0; i < out.length; i++) if (/^import .* from "[^"]+";$/.test(out[i]!) || /^} from "[^"]+";$/.test(out[i]!)) last = i;
    out.splice(last + 1, 0, importLine);
  }
  // After the file's opening comment, one line for the learner.
  let firstCode = 0;
  while (firstCode < out.length && out[firstCode]!.startsWith("//")) firstCode++;
  out.splice(firstCode, 0, GENERATED_NOTE);
  return out.join("\n");
}

/** Every file under a folder, as paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** The chapter folders (`00-bytes`, `01-client-hello`, …) found in solutions/. */
export function chapterSlugs(root = ROOT): string[] {
  return readdirSync(join(root, "solutions")).filter((n) => /^\d\d-/.test(n)).sort();
}

/** One exercise, as the learner sees it. */
export interface Exercise {
  id: string;
  chapter: string;
  /** Where its TODO is, relative to the repository root, e.g. chapters/01-client-hello/extensions.ts. */
  file: string;
  line: number;
  /** The instruction, on one line. */
  text: string;
}

/** Every exercise, in order, read from solutions/ (the one source) but pointing at chapters/. */
export function listExercises(root = ROOT): Exercise[] {
  const seen = new Map<string, Exercise>();
  for (const chapter of chapterSlugs(root)) {
    for (const f of listFiles(join(root, "solutions", chapter)).filter((p) => p.endsWith(".ts"))) {
      const file = join("chapters", chapter, f);
      const source = readFileSync(join(root, "solutions", chapter, f), "utf8");
      const stub = stubFile(source, file, 2 + f.split("/").length - 1);
      for (const r of findRegions(stub, file)) {
        if (!seen.has(r.id)) seen.set(r.id, { id: r.id, chapter, file, line: r.begin + 1, text: r.text.join(" ") });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
}
