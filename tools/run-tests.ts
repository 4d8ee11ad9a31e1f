// Runs chapter tests under a watchdog. The tests run with mocha in a worker thread (tools/test-worker.mjs)
// that reports each test as it starts and ends and beats while its event loop is free. A learner's
// `while` that never ends blocks that loop: no beat for the time limit (10 s by default) and the watchdog
// pauses the worker through the inspector to see where it is (the file and line of the loop), stops it,
// marks the test "timed out", and goes on with the remaining tests in a fresh worker in which the looping
// exercise's code is replaced by a throw (tools/stop-exercises.mjs), so the tests that need it fail at once
// instead of looping again. Code that allocates without end is stopped the same way at the memory limit.
// Async hangs (a server that never answers) do not block the loop: mocha's own per-test timeout ends them.
import { readFileSync, readdirSync } from "node:fs";
import inspector from "node:inspector";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { blameStack, type Blame, where } from "./blame.js";
import { ROOT, findRegions } from "./exercises.js";
import { startTestWorker } from "./start-test-worker.mjs";

export interface RunOptions {
  impl: string;
  /** Chapters numbered below this come from solutions/ (--reference-earlier). */
  referenceBelow: number;
  /** How long a test may block the worker's event loop (synchronous code) before it is stopped. */
  timeoutSeconds: number;
  /** How much memory the tests may use (the worker's heap limit; also checked on the process's RSS). */
  memoryMb: number;
  /** mocha's own per-test timeout for asynchronous tests. */
  mochaTimeoutMs?: number;
  /** Where the output of the learner's code and the tests goes (console.log in a chapter): stderr by default. */
  output?: NodeJS.WritableStream;
  /** A worker already started (startTestWorker without a job) with these impl, referenceBelow and memory cap. */
  warm?: { worker: Worker; memoryMb: number };
  /** Only the tests of these exercises (by the id their titles start with): `grade --until`. */
  only?: string[];
  /**
   * `grade --reference-earlier --each`: for each test file, the chapter below which its module graph takes the
   * chapters from solutions/ (tools/impl-resolve.mjs), in place of `referenceBelow`.
   */
  below?: Record<string, number>;
  /**
   * grade --serve: the worker is kept for another job. When the tests end without a stop, `RunOutcome.worker` is it,
   * waiting (pass it back as `warm`, or post it { quit: true }); a worker that had exercises stopped is not kept.
   */
  keep?: boolean;
}

/** An error as the worker describes it. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  /** NotImplemented: the exercise. */
  exercise?: string;
  /** A NotImplemented thrown by the code of an exercise the watchdog stopped in an earlier test. */
  stopped?: boolean;
  /** The error a wrapper (fast-check's property failure) was thrown for. */
  cause?: { name: string; message: string; stack?: string };
}

/** Why the watchdog stopped a test. */
export interface StopInfo {
  reason: "time" | "memory" | "exit";
  /** What was exceeded, for the message: "10 s", "1024 MB", or how the worker ended. */
  limit: string;
  /** Where the code was when it was stopped (an exercise region), if the worker could be paused there. */
  blame?: Blame;
  /** The exercise held responsible, whose code is not run again: see `runTests`. */
  culprit?: string;
}

export interface RawResult {
  index: number;
  fullTitle: string;
  title: string;
  file: string;
  state: "passed" | "failed";
  ms: number;
  error?: ErrorInfo;
  stopped?: StopInfo;
  /** Not run: an earlier test of the same exercise had to be stopped and its code could not be replaced. */
  notRun?: string;
}

export interface RunOutcome {
  results: RawResult[];
  /** Test files that could not be loaded (a syntax error in a chapter, an import that fails): their tests did not run. */
  loadErrors: { file: string; error: ErrorInfo }[];
  /** How many times a worker had to be stopped. */
  stops: number;
  /** With `keep`: the worker, waiting for its next job. */
  worker?: Worker;
}

type WorkerMessage =
  | { type: "beat" | "done" }
  | { type: "outside"; running: boolean }
  | { type: "loaded"; tests: { fullTitle: string; title: string; file: string }[] }
  | { type: "load-error"; file: string; error: ErrorInfo }
  | { type: "begin"; index: number }
  | { type: "hook"; title: string; test?: number; tests: number[] }
  | { type: "result"; index: number; state: "passed" | "failed"; ms: number; error?: ErrorInfo };

interface StopRegion {
  file: string;
  id: string;
  bodyStart: number;
  end: number;
}

/** Where the worker was when it stopped: a test, or a hook (whose tests did not run). */
interface Position {
  test?: number;
  hook?: { title: string; test?: number; tests: number[] };
}

type WorkerEnd = { kind: "done"; worker: Worker } | { kind: "stopped"; stop: StopInfo; at: Position };

/** For a worker that takes another job (grade --serve): takes its listeners of the last job off. */
const detach = new WeakMap<Worker, () => void>();

const LOOP_HINT = "an infinite loop? (a `while` whose index never moves, a length that is 0; if your code is only slow, `--timeout 30` gives it longer)";
const MEMORY_HINT = "code that allocates without end? (a push or concat in a loop that never ends)";

/** The message of a test the watchdog stopped. */
export function stopMessage(stop: StopInfo): string {
  const at = stop.blame === undefined ? "" : ` at ${where(stop.blame.frame)} (${stop.blame.exercise}'s code)`;
  if (stop.reason === "time") return `timed out after ${stop.limit}${at} — ${LOOP_HINT}`;
  if (stop.reason === "memory") return `stopped: used more than ${stop.limit} of memory${at} — ${MEMORY_HINT}`;
  return `stopped: the test worker ended (${stop.limit})${at}`;
}

/** Runs the test files; every test ends up passed or failed, whatever the code under test does. */
export async function runTests(files: string[], options: RunOptions): Promise<RunOutcome> {
  const tests: { fullTitle: string; title: string; file: string }[] = [];
  const results = new Map<number, RawResult>();
  const stops: StopRegion[] = [];
  const stopMessages: Record<string, string> = {};
  const stoppedExercises = new Set<string>();
  const out = options.output ?? process.stderr;
  const loadErrors = new Map<string, ErrorInfo>();
  let stopCount = 0;

  const record = (index: number, state: "passed" | "failed", ms: number, extra: Partial<RawResult> = {}) => {
    if (results.has(index) || tests[index] === undefined) return;
    results.set(index, { index, ...tests[index]!, state, ms, ...extra });
  };

  let warm = options.warm;
  if (warm !== undefined && warm.memoryMb !== options.memoryMb) {
    // Not terminate(): it may still be loading its modules, and Node 20 can abort the whole process when a worker
    // is stopped in the middle of that (FATAL ERROR: v8::Module::IsGraphAsync). It ends itself once ready.
    warm.worker.postMessage({ quit: true });
    warm = undefined;
  }
  let kept: Worker | undefined;
  for (;;) {
    const end = await runWorker(files, options, { skip: [...results.keys()], stops, stopMessages, out, warm: warm?.worker }, (m) => {
      if (m.type === "loaded" && tests.length === 0) tests.push(...m.tests);
      if (m.type === "load-error") loadErrors.set(m.file, m.error);
      if (m.type === "result") record(m.index, m.state, m.ms, m.error === undefined ? {} : { error: m.error });
    });
    warm = undefined;
    if (end.kind === "done") {
      if (options.keep === true) {
        // Not one that had an exercise stopped: its stop hook would go on replacing that code in the next job.
        if (stops.length === 0) kept = end.worker;
        else end.worker.postMessage({ quit: true });
      }
      break;
    }
    stopCount++;
    const { stop, at } = end;
    const resultsBefore = results.size;
    const stopsBefore = stops.length;
    const message = stopMessage(stop);
    const error: ErrorInfo = { name: "Stopped", message };
    // The tests it stopped in: the running test, or the tests under a hook that never finished.
    const hit =
      at.test !== undefined ? [at.test] : at.hook?.test !== undefined ? [at.hook.test] : (at.hook?.tests ?? []).filter((i) => !results.has(i));
    for (const i of hit) record(i, "failed", options.timeoutSeconds * 1000, { error: at.test === undefined && at.hook?.test === undefined ? { ...error, message: `${at.hook!.title}: ${message}` } : error, stopped: stop });
    // Whose code to stop: where the worker was paused, else the stopped test's own exercise. If the loop is in
    // code of an exercise whose own tests all passed already, the test's exercise most likely called it wrongly
    // (a length of 0 …): its code is stopped instead, which also ends the loop, one call further out.
    const own = hit.map((i) => exerciseOf(tests[i]!.title)).find((x) => x !== undefined);
    let culprit = stop.blame?.exercise ?? own;
    if (culprit !== own && own !== undefined && culprit !== undefined) {
      const ran = [...results.values()].filter((r) => exerciseOf(r.title) === culprit);
      if (ran.length > 0 && ran.every((r) => r.state === "passed") && !hit.some((i) => exerciseOf(tests[i]!.title) === culprit)) culprit = own;
    }
    stop.culprit = culprit;
    const regions = culprit === undefined || stoppedExercises.has(culprit) ? [] : regionsToStop(culprit, culprit === stop.blame?.exercise ? stop.blame.frame.file : undefined, options);
    if (culprit !== undefined && regions.length > 0) {
      stoppedExercises.add(culprit);
      stops.push(...regions);
      const first = hit[0] === undefined ? "that was loading" : `“${tests[hit[0]]!.title}”`;
      const why = stop.reason === "time" ? `ran for ${stop.limit} without returning` : stop.reason === "memory" ? `used more than ${stop.limit} of memory` : "ended the test worker";
      const place = stop.blame === undefined ? "" : ` at ${where(stop.blame.frame)}`;
      stopMessages[culprit] = `not run: ${culprit}'s code${place} ${why} in the test ${first}`;
    } else if (culprit !== undefined) {
      // Its code cannot be replaced (the loop is outside its regions, e.g. in a test's read loop that waits for
      // what this exercise returns): the rest of its tests are not run, so that each does not loop again.
      tests.forEach((t, i) => {
        if (!results.has(i) && exerciseOf(t.title) === culprit) {
          record(i, "failed", 0, { error: { name: "NotRun", message: `not run: an earlier test of ${culprit} was stopped (${message})` }, notRun: culprit });
        }
      });
    }
    const progressed = results.size > resultsBefore || stops.length > stopsBefore || (at.hook !== undefined && at.hook.tests.every((i) => results.has(i)));
    if (!progressed) {
      // Stopped where no test was running and no code could be replaced (a loop while loading the tests, outside
      // any exercise): the tests that have not run are marked with the reason, rather than run again to loop again.
      tests.forEach((_, i) => record(i, "failed", 0, { error: { name: "NotRun", message: `not run: ${message}` }, stopped: stop }));
      break;
    }
  }
  return {
    results: [...results.values()].sort((a, b) => a.index - b.index),
    loadErrors: [...loadErrors].map(([file, error]) => ({ file, error })),
    stops: stopCount,
    ...(kept === undefined ? {} : { worker: kept }),
  };
}

const exerciseOf = (title: string): string | undefined => /^(\d\d\.\d+)\b/.exec(title)?.[1];

/** The regions of `id` to replace with a throw: in the file where it was caught, else in every file of its chapter. */
function regionsToStop(id: string, file: string | undefined, options: RunOptions): StopRegion[] {
  const tree = options.impl === "solutions" || Number(id.slice(0, 2)) < options.referenceBelow ? "solutions" : "chapters";
  let candidates: string[];
  if (file !== undefined) candidates = [file];
  else {
    const chapter = readdirSync(join(ROOT, tree)).find((c) => c.startsWith(`${id.slice(0, 2)}-`));
    if (chapter === undefined) return [];
    candidates = listTs(join(ROOT, tree, chapter)).map((f) => join(tree, chapter, f));
  }
  const regions: StopRegion[] = [];
  for (const rel of candidates) {
    const path = join(ROOT, rel);
    let found;
    try {
      found = findRegions(readFileSync(path, "utf8"), rel);
    } catch {
      continue;
    }
    for (const r of found) if (r.id === id) regions.push({ file: path, id, bodyStart: r.bodyStart, end: r.end });
  }
  return regions;
}

function listTs(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listTs(dir, join(prefix, d.name)) : d.name.endsWith(".ts") ? [join(prefix, d.name)] : [],
  );
}

/** How much of the learner's console output one worker may print (a console.log in a loop floods). */
const OUTPUT_LIMIT = 64 * 1024;

/** One worker, from start to its end: done, unable to load the tests, or stopped by the watchdog. */
function runWorker(
  files: string[],
  options: RunOptions,
  state: { skip: number[]; stops: StopRegion[]; stopMessages: Record<string, string>; out: NodeJS.WritableStream; warm?: Worker },
  onMessage: (m: WorkerMessage) => void,
): Promise<WorkerEnd> {
  return new Promise((resolve) => {
    const job = { files, skip: state.skip, timeoutMs: options.mochaTimeoutMs ?? 20000, only: options.only, below: options.below, more: options.keep === true };
    let worker: Worker;
    if (state.warm !== undefined) {
      worker = state.warm;
      detach.get(worker)?.();
      worker.ref();
      worker.postMessage(job);
    } else {
      const { impl, referenceBelow, memoryMb } = options;
      worker = startTestWorker({ impl, referenceBelow, memoryMb, stops: state.stops, stopMessages: state.stopMessages, job });
    }
    let printed = 0;
    const forward = (chunk: Buffer) => {
      if (printed < OUTPUT_LIMIT) {
        const room = OUTPUT_LIMIT - printed;
        state.out.write(chunk.length <= room ? chunk : chunk.subarray(0, room));
        if (chunk.length > room) state.out.write("\n… (more output from the tests and your code, not shown)\n");
      }
      printed += chunk.length;
    };
    worker.stdout.on("data", forward);
    worker.stderr.on("data", forward);

    const at: Position = {};
    let lastSign = Date.now();
    let finished = false;
    const baseline = process.memoryUsage.rss();
    const finish = (end: WorkerEnd) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      resolve(end);
    };
    const stopWorker = async (reason: StopInfo["reason"], limit: string) => {
      if (finished || stopping) return;
      stopping = true;
      const stack = await pausedStack();
      const blame = blameStack(stack);
      await worker.terminate();
      finish({ kind: "stopped", stop: { reason, limit, blame }, at: { ...at } });
    };
    let stopping = false;
    const watchdog = setInterval(() => {
      if (!outside && Date.now() - lastSign > options.timeoutSeconds * 1000) void stopWorker("time", `${options.timeoutSeconds} s`);
      else if (process.memoryUsage.rss() - baseline > options.memoryMb * 1024 * 1024) void stopWorker("memory", `${options.memoryMb} MB`);
    }, 100);

    // True while the tests wait for an outside program (openssl) in a synchronous call: not the learner's loop.
    let outside = false;
    const onMessage_ = (m: WorkerMessage) => {
      lastSign = Date.now();
      if (m.type === "outside") outside = m.running;
      if (m.type === "begin") {
        at.test = m.index;
        at.hook = undefined;
      } else if (m.type === "hook") {
        at.test = undefined;
        at.hook = { title: m.title, test: m.test, tests: m.tests };
      } else if (m.type === "result") {
        at.test = undefined;
      }
      onMessage(m);
      if (m.type === "done") {
        // Kept for another job: it waits for a message, which must not keep this process alive meanwhile.
        if (options.keep === true) worker.unref();
        finish({ kind: "done", worker });
      }
    };
    worker.on("message", onMessage_);
    let crash: Error | undefined;
    const onError = (e: Error & { code?: string }) => {
      crash = e;
    };
    worker.on("error", onError);
    const onExit = (code: number) => {
      if (finished || stopping) return;
      const memory = (crash as { code?: string } | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
      if (memory) finish({ kind: "stopped", stop: { reason: "memory", limit: `${options.memoryMb} MB` }, at: { ...at } });
      else finish({ kind: "stopped", stop: { reason: "exit", limit: crash === undefined ? `exit code ${code}: process.exit called?` : `${crash.name}: ${crash.message}` }, at: { ...at } });
    };
    worker.on("exit", onExit);
    // Taken off when the worker starts its next job (not when this one ends: its last output may still be coming).
    detach.set(worker, () => {
      worker.stdout.off("data", forward);
      worker.stderr.off("data", forward);
      worker.off("message", onMessage_);
      worker.off("error", onError);
      worker.off("exit", onExit);
    });
  });
}

/**
 * The stack of a worker stuck in synchronous code, source-mapped like an error's: the inspector pauses it
 * (V8 interrupts even a `while (true) {}`) and evaluates `new Error().stack` in the paused frame.
 * Undefined if that fails (no inspector in this Node, or the worker is past saving).
 */
async function pausedStack(): Promise<string | undefined> {
  const session = new inspector.Session();
  try {
    session.connect();
  } catch {
    return undefined;
  }
  let sessionId: string | undefined;
  let nextId = 0;
  const pending = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  let onPaused: ((p: { callFrames: { callFrameId: string }[] }) => void) | undefined;
  const attached = new Promise<void>((resolve) => {
    session.on("NodeWorker.attachedToWorker", ({ params }: { params: { sessionId: string; workerInfo: { workerId: string; url: string } } }) => {
      // By its script: the inspector's worker ids are not thread ids, and the module-hook threads are workers too.
      // One test worker is alive at a time.
      if (params.workerInfo.url.endsWith("/tools/test-worker.mjs")) {
        sessionId ??= params.sessionId;
        resolve();
      }
    });
  });
  session.on("NodeWorker.receivedMessageFromWorker", ({ params }: { params: { sessionId: string; message: string } }) => {
    if (params.sessionId !== sessionId) return;
    const m = JSON.parse(params.message) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };
    if (m.id !== undefined) pending.get(m.id)?.(m);
    else if (m.method === "Debugger.paused") onPaused?.(m.params as { callFrames: { callFrameId: string }[] });
  });
  const send = (method: string, params: object = {}) =>
    new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      session.post("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  const work = async (): Promise<string | undefined> => {
    session.post("NodeWorker.enable", { waitForDebuggerOnStart: false });
    await attached;
    const paused = new Promise<{ callFrames: { callFrameId: string }[] }>((resolve) => (onPaused = resolve));
    await send("Debugger.enable");
    void send("Debugger.pause");
    const { callFrames } = await paused;
    const top = callFrames[0];
    if (top === undefined) return undefined;
    const r = (await send("Debugger.evaluateOnCallFrame", { callFrameId: top.callFrameId, expression: "new Error().stack", silent: true })) as {
      result?: { result?: { value?: unknown } };
    };
    void send("Debugger.resume");
    const value = r.result?.result?.value;
    return typeof value === "string" ? value : undefined;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 5000)))]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    session.disconnect();
  }
}
