// `npm run reset -- 01.3`: puts one exercise back to its stub in chapters/, leaving the rest of your work.
// The region between `// TODO 01.3:` and `// END 01.3` is rewritten from solutions/ (the one source).
// Nothing is lost: every file it changes is copied first to .scratch/reset/<time>/ (git-ignored), and it
// says where. `npm run reset -- 01 --yes` puts a whole chapter back (without --yes it only says what it would do).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError, parseArgs } from "./args.js";
import { ROOT, chapterSlugs, findRegions, listExercises, stubLines } from "./exercises.js";
import { generateChapters } from "./generate.js";

const USAGE = "usage: npm run reset -- NN.k [NN.k …]   or   npm run reset -- NN --yes   (a whole chapter)";

/** The folder this run's copies go to: .scratch/reset/2026-12-07T05-40-12 (a suffix if that exists). */
function backupDir(root: string): string {
  const stamp = new Date().toISOString().replace(/\..*$/, "").replace(/:/g, "-");
  let dir = join(root, ".scratch", "reset", stamp);
  for (let n = 2; existsSync(dir); n++) dir = join(root, ".scratch", "reset", `${stamp}-${n}`);
  return dir;
}

/** Resets the exercises `ids`; returns the exit code. */
export function reset(ids: string[], root = ROOT, log = console.log, error = console.error): number {
  const all = listExercises(root);
  const unknown = ids.filter((id) => !all.some((e) => e.id === id));
  if (unknown.length > 0) {
    error(`no exercise ${unknown.join(", ")}; exercises look like 01.3 (run \`npm run grade\` to list them)`);
    return 2;
  }
  const generated = generateChapters(root);
  // Every file that holds a region of one of these exercises (an exercise may span several regions).
  const files = [...new Set(all.filter((e) => ids.includes(e.id)).map((e) => e.chapter))].flatMap((chapter) =>
    [...generated.keys()].filter((rel) => rel.startsWith(`${chapter}/`) && rel.endsWith(".ts")).map((rel) => `chapters/${rel}`),
  );
  let backups: string | undefined;
  let code = 0;
  const done = new Set<string>();
  for (const file of files) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const before = readFileSync(path, "utf8");
    const pristine = generated.get(file.slice("chapters/".length))!;
    const stubs = findRegions(pristine, file).filter((r) => ids.includes(r.id));
    if (stubs.length === 0) continue;
    let mine: ReturnType<typeof findRegions>;
    try {
      mine = findRegions(before, file).filter((r) => ids.includes(r.id));
    } catch (e) {
      error(`${(e as Error).message}. Put the markers back (or restore the file from git: git checkout -- ${file}).`);
      code = 1;
      continue;
    }
    if (mine.length !== stubs.length || mine.some((r, i) => r.id !== stubs[i]!.id)) {
      const missing = stubs.map((r) => r.id).filter((id) => !mine.some((r) => r.id === id));
      error(
        `${file}: cannot find the "// TODO ${missing[0] ?? stubs[0]!.id}:" … "// END ${missing[0] ?? stubs[0]!.id}" lines. ` +
          `Put the markers back, or restore the file from git (git checkout -- ${file}).`,
      );
      code = 1;
      continue;
    }
    // Replace from the last region up, so earlier line numbers stay valid.
    const lines = before.split("\n");
    const changed = new Set<string>();
    for (let i = mine.length - 1; i >= 0; i--) {
      const stub = stubLines(stubs[i]!);
      if (lines.slice(mine[i]!.begin, mine[i]!.end + 1).join("\n") !== stub.join("\n")) changed.add(mine[i]!.id);
      lines.splice(mine[i]!.begin, mine[i]!.end - mine[i]!.begin + 1, ...stub);
    }
    const after = lines.join("\n");
    for (const r of mine) if (!changed.has(r.id) && !done.has(r.id)) log(`${r.id} is already its stub in ${file}: nothing to reset`);
    if (after === before) continue;
    backups ??= backupDir(root);
    const copy = join(backups, file);
    mkdirSync(dirname(copy), { recursive: true });
    writeFileSync(copy, before);
    writeFileSync(path, after);
    const reset = mine.map((r) => r.id).filter((id, i, all) => changed.has(id) && all.indexOf(id) === i);
    reset.forEach((id) => done.add(id));
    log(`reset ${reset.join(", ")} in ${file}`);
    log(`  your code as it was is kept in ${copy.slice(root.length + 1)} (copy it back to undo)`);
  }
  if (done.size > 0) log("Restart the notebook's kernel if it had imported this chapter.");
  return code;
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs(argv, { "--yes": "switch", "--help": "switch" }, USAGE);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (parsed.flags.has("--help")) {
    console.log(`${USAGE}\nPuts exercises back to their stubs. Every file changed is copied first to .scratch/reset/<time>/.`);
    return 0;
  }
  if (parsed.positional.length === 0) {
    console.error(`${USAGE}   (e.g. npm run reset -- 01.3)`);
    return 2;
  }
  const slugs = chapterSlugs();
  const ids: string[] = [];
  const chapters: string[] = [];
  for (const arg of parsed.positional) {
    if (/^\d\d\.\d+$/.test(arg)) ids.push(arg);
    else {
      const n = /^\d+$/.test(arg) ? arg.padStart(2, "0") : arg;
      const slug = slugs.find((c) => c === n || c.startsWith(`${n}-`));
      if (slug === undefined) {
        console.error(`error: "${arg}" is neither an exercise (01.3) nor a chapter (01)\n${USAGE}`);
        return 2;
      }
      chapters.push(slug);
    }
  }
  if (chapters.length > 0) {
    const whole = listExercises().filter((e) => chapters.includes(e.chapter));
    if (!parsed.flags.has("--yes")) {
      console.error(
        `This puts every exercise of ${chapters.join(", ")} back to its stub: ${whole.map((e) => e.id).join(", ")}.\n` +
          `Your files are copied to .scratch/reset/ first. To go ahead: npm run reset -- ${parsed.positional.join(" ")} --yes`,
      );
      return 2;
    }
    ids.push(...whole.map((e) => e.id));
  }
  return reset([...new Set(ids)]);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  process.exitCode = main(process.argv.slice(2));
}
