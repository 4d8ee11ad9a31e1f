// Which exercise is at fault: an error's stack frames (already mapped to the .ts files and lines by tsx's
// source maps), read back to the exercise region of the learner's file that holds each line. A TypeError
// thrown inside 00.1's code while a test of 00.3 runs is 00.1's, and the learner sees the file and line
// they edit, relative to the repository root, not a path in node_modules or a compiled .js.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, findRegions, type Region } from "./exercises.js";

/** One stack frame in the repository's own files. `file` is relative to the root, e.g. chapters/00-bytes/presentation.ts. */
export interface Frame {
  fn?: string;
  file: string;
  line: number;
  column: number;
}

/** A frame inside an exercise region: the exercise whose code was running there. */
export interface Blame {
  exercise: string;
  frame: Frame;
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/** The frames of a stack that are in the repository's files (not node_modules, not Node's internals), innermost first. */
export function stackFrames(stack: string | undefined, root = ROOT): Frame[] {
  const frames: Frame[] = [];
  for (const line of (stack ?? "").split("\n")) {
    const m = FRAME.exec(line);
    if (m === null) continue;
    let path = m[2]!.replace(/^eval at .*?, /, "");
    if (path.startsWith("file://")) {
      try {
        path = fileURLToPath(path);
      } catch {
        continue;
      }
    }
    // mocha shortens paths to the working directory's unless told not to; the grader runs from the root.
    if (!isAbsolute(path)) path = join(process.cwd(), path);
    const file = relative(root, path);
    if (file.startsWith("..") || file.includes("node_modules")) continue;
    const fn = m[1]?.replace(/^(async |new )/, "").replace(/^Module\./, "");
    frames.push({ fn: fn === undefined || fn === "" ? undefined : fn, file, line: Number(m[3]), column: Number(m[4]) });
  }
  return frames;
}

const regionCache = new Map<string, Region[]>();

/** Forgets the regions read so far: a grade server (grade --serve) grades again after the files changed. */
export function forgetRegions(): void {
  regionCache.clear();
}

/** The exercise regions of a file under the root (cached: the files do not change while grading). */
function regionsOf(file: string, root: string): Region[] {
  const key = join(root, file);
  let regions = regionCache.get(key);
  if (regions === undefined) {
    try {
      regions = existsSync(key) ? findRegions(readFileSync(key, "utf8"), file) : [];
    } catch {
      regions = []; // markers broken by hand: no attribution, the test's own exercise takes the blame
    }
    regionCache.set(key, regions);
  }
  return regions;
}

/** The exercise whose region holds `line` (1-based) of `file`, if any. */
export function exerciseAt(file: string, line: number, root = ROOT): string | undefined {
  if (!/^(chapters|solutions)\/\d\d-/.test(file)) return undefined;
  return regionsOf(file, root).find((r) => line - 1 >= r.begin && line - 1 <= r.end)?.id;
}

/** The innermost frame that runs inside an exercise region: whose code threw (or was looping). */
export function blameStack(stack: string | undefined, root = ROOT): Blame | undefined {
  for (const frame of stackFrames(stack, root)) {
    const exercise = exerciseAt(frame.file, frame.line, root);
    if (exercise !== undefined) return { exercise, frame };
  }
  return undefined;
}

/** "file:line", the way editors open it. */
export const where = (f: Frame): string => `${f.file}:${f.line}`;

/**
 * The frames a learner reads, innermost first: those in chapters/, solutions/ and lib/, up to the first one in
 * the tests (the test that called the code), at most `max`. Each as "at fn (file:line)".
 */
export function learnerFrames(stack: string | undefined, max = 4, root = ROOT): string[] {
  const out: string[] = [];
  for (const f of stackFrames(stack, root)) {
    if (f.file.startsWith("tests/")) {
      if (out.length === 0) continue; // thrown by the test's own helpers: nothing of the learner's to show
      out.push(`at ${f.fn === undefined ? "" : f.fn + " "}(${where(f)})`);
      break;
    }
    if (!/^(chapters|solutions|lib)\//.test(f.file)) continue;
    out.push(`at ${f.fn === undefined ? "" : f.fn + " "}(${where(f)})`);
    if (out.length >= max) break;
  }
  return out;
}
