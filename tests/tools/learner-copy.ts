// For the tool tests: a scratch copy of the repository whose chapters/ is a learner's finished work (the
// stubs filled in with the reference code, tools/scratch.ts), a way to put a realistic mistake into one
// exercise, and the command-line tool run there as a learner runs it.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findRegions } from "../../tools/exercises.js";
import { scratchCopy, type ScratchKind } from "../../tools/scratch.js";

export interface LearnerCopy {
  dir: string;
  /** Replaces the code of exercise `id` in chapters/`file` with `body` (lines); returns the 1-based line of `mark`. */
  mistake(file: string, id: string, body: string[], mark: string): number;
  /** Puts every file a mistake touched back as it was. */
  undo(): void;
  remove(): void;
}

export function learnerCopy(kind: ScratchKind = "finished"): LearnerCopy {
  const dir = scratchCopy(kind);
  const originals = new Map<string, string>();
  return {
    dir,
    mistake(file, id, body, mark) {
      const path = join(dir, "chapters", file);
      const source = readFileSync(path, "utf8");
      if (!originals.has(path)) originals.set(path, source);
      const region = findRegions(source, file).find((r) => r.id === id);
      if (region === undefined) throw new Error(`no region ${id} in ${file}`);
      const lines = source.split("\n");
      lines.splice(region.bodyStart, region.end - region.bodyStart, ...body.map((l) => `${region.indent}${l}`));
      writeFileSync(path, lines.join("\n"));
      const at = lines.findIndex((l) => l.includes(mark));
      if (at < 0) throw new Error(`"${mark}" is not in the new ${id}`);
      return at + 1;
    },
    undo() {
      for (const [path, source] of originals) writeFileSync(path, source);
      originals.clear();
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs `node bin/tls-by-hand.mjs …args` in `dir` (asynchronously: a server in this process can answer it). */
export function tool(dir: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; command?: string[] } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const [command, ...prefix] = options.command ?? [process.execPath, "bin/tls-by-hand.mjs"];
    const child = spawn(command!, [...prefix, ...args], { cwd: dir, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    child.on("close", (status) => resolve({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

/**
 * The tool's main() in this process, as `node bin/tls-by-hand.mjs …args` would run it in the repository (not in a
 * copy): what it wrote to stdout and stderr, and the exit code it returned. It saves a Node start-up per run, for
 * checks that do not need one (a usage error, a command on the reference code); each command keeps at least one check
 * that runs the tool as a learner does (`tool` above). Whose chapters load is up to the resolve hook the caller
 * registered, as bin/tls-by-hand.mjs registers it.
 */
export async function toolInProcess(args: string[], impl: "chapters" | "solutions" = "chapters"): Promise<Omit<Run, "seconds">> {
  const { main } = await import("../../tools/cli.js");
  let stdout = "";
  let stderr = "";
  const [out, err] = [process.stdout.write, process.stderr.write];
  const text = (chunk: unknown) => (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
  process.stdout.write = ((chunk: unknown) => ((stdout += text(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => ((stderr += text(chunk)), true)) as typeof process.stderr.write;
  try {
    const status = await main(args, { impl, referenceBelow: 0 });
    return { status, stdout, stderr };
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

/** The scoreboard line of an exercise, e.g. "  00.2   ⧗ timed out    read `size` …". */
export function boardLine(stdout: string, id: string): string {
  return stdout.split("\n").find((l) => l.startsWith(`  ${id} `)) ?? `(no line for ${id})`;
}

export interface GradeServer {
  /** One grade, as `tls-by-hand grade …args` in the copy would exit and print it. */
  grade(args: string[]): Promise<Run>;
  /** Ends the server (and its test worker). */
  close(): Promise<void>;
}

/**
 * `tls-by-hand grade --serve` in `dir`: grade after grade in one process, whose test worker is kept between them
 * (every grade loads the copy's files afresh). For suites that put one bug after another into a copy: a grade there
 * then costs the tests, not a Node start-up and the packages each time. Grades are asked one at a time.
 */
export function gradeServer(dir: string, env: NodeJS.ProcessEnv = {}): GradeServer {
  const child = spawn(process.execPath, ["bin/tls-by-hand.mjs", "grade", "--serve"], { cwd: dir, env: { ...process.env, ...env } });
  let buffered = "";
  let errors = "";
  const waiting: ((line: string | undefined) => void)[] = [];
  child.stderr.on("data", (d: Buffer) => (errors = (errors + d).slice(-4000)));
  child.stdout.on("data", (d: Buffer) => {
    buffered += d;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
  void ended.then(() => waiting.splice(0).forEach((w) => w(undefined)));
  let queue = Promise.resolve();
  return {
    grade(args) {
      const asked = queue.then(
        () =>
          new Promise<Run>((resolve) => {
            const started = Date.now();
            waiting.push((line) => {
              const seconds = (Date.now() - started) / 1000;
              if (line === undefined) resolve({ status: null, stdout: "", stderr: `the grade server ended\n${errors}`, seconds });
              else resolve({ ...(JSON.parse(line) as { status: number; stdout: string; stderr: string }), seconds });
            });
            child.stdin.write(JSON.stringify(args) + "\n");
          }),
      );
      queue = asked.then(() => undefined);
      return asked;
    },
    async close() {
      child.stdin.end();
      await ended;
    },
  };
}
