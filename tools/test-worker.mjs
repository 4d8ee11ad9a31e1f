// The test worker: runs the chapter tests with mocha in a worker thread, reporting each test as it starts
// and ends, and beating every 250 ms while its event loop is free. The grader (tools/run-tests.ts, in the
// main thread) can stop a worker whose code loops or allocates without end, which mocha's own timeout
// cannot do for synchronous code, and goes on with the remaining tests in a fresh worker.
// workerData: { impl, referenceBelow, stops, stopMessages, job? }; job: { files, skip, timeoutMs, only?, below?, more? }, or
// { quit: true } for a worker started ahead that is not needed.
// Without a job in workerData, the worker gets ready (hooks, mocha) and waits for it as a message: the
// command-line tool starts it that way before it has read its own options, so that both start-ups overlap.
import { createRequire, register, syncBuiltinESMExports } from "node:module";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";

const { impl, referenceBelow, stops, stopMessages } = workerData;

// A worker started ahead and not needed after all (bad usage, another memory cap) is told { quit: true }. It ends at
// the next step of its start-up, between two module loads: stopped from outside while it loads its modules, a worker
// can abort the whole process in Node 20 (FATAL ERROR: v8::Module::IsGraphAsync). A job that comes early is kept.
let early;
function quitIfAsked() {
  if (early !== undefined) return;
  const got = receiveMessageOnPort(parentPort);
  if (got === undefined) return;
  if (got.message?.quit === true) process.exit(0);
  early = got.message;
}

// Hooks run last-registered first: impl-resolve sees tsx's resolved .ts URLs, and tsx transforms the source
// that stop-exercises hands it (only needed once an exercise has been stopped).
if (stops.length > 0) register("./stop-exercises.mjs", import.meta.url, { data: { stops } });
// tsx's ESM hooks only: its whole loader (`import "tsx"`) reads .ts files itself in a worker, past the
// stop-exercises hook. (A syntax error in a chapter then comes out as "Unexpected identifier": the grader
// finds the real one with TypeScript's parser, see tools/grade.ts.)
const { register: registerTsx } = await import("tsx/esm/api");
quitIfAsked();
registerTsx();
register("./impl-resolve.mjs", import.meta.url, { data: { impl, referenceBelow } });
quitIfAsked();
const { default: Mocha } = await import("mocha");
quitIfAsked();
const nextJob = () => new Promise((resolve) => parentPort.once("message", resolve));
let job = workerData.job ?? early ?? (await nextJob());
if (job.quit === true) process.exit(0);

// The stub of a stopped exercise throws a NotImplemented (marked `stopped`), so that the tests' helpers, which
// pass NotImplemented through untouched, treat it as "this exercise's code cannot run" too.
globalThis.__tlsByHandStopped = (id) => {
  const e = new Error(stopMessages[id] ?? `exercise ${id} was stopped in an earlier test`);
  e.name = "NotImplemented";
  e.exercise = id;
  e.stopped = true;
  return e;
};

const post = (message) => parentPort.postMessage(message);

// Tests ask outside programs for expected values (openssl kdf, openssl pkeyutl …) with the synchronous
// child-process calls, which block this thread as a loop would, for seconds on a loaded machine. A learner's
// code never calls them: while one runs, tell the watchdog to wait (a message posted from a blocked thread still
// arrives), and that it may watch again once the program is done.
const childProcess = createRequire(import.meta.url)("node:child_process");
for (const name of ["spawnSync", "execFileSync", "execSync"]) {
  const original = childProcess[name];
  childProcess[name] = function (...args) {
    post({ type: "outside", running: true });
    try {
      return original.apply(this, args);
    } finally {
      post({ type: "outside", running: false });
    }
  };
}
syncBuiltinESMExports();

const isNotImplemented = (e) => e instanceof Error && e.name === "NotImplemented" && typeof e.exercise === "string";

/**
 * What the main thread needs of an error (it cannot receive the object with its class). fast-check and
 * other wrappers keep the error the code threw as `cause`: a NotImplemented there is reported as itself, and
 * any other cause goes along, for its stack (whose code threw) and its message if the wrapper left it out.
 */
function describe(err) {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  let inner = err;
  while (!isNotImplemented(inner) && inner.cause instanceof Error) inner = inner.cause;
  if (isNotImplemented(inner)) return { name: inner.name, message: inner.message, stack: inner.stack, exercise: inner.exercise, stopped: inner.stopped === true };
  const e = { name: err.name, message: err.message, stack: err.stack };
  if (inner !== err) e.cause = { name: inner.name, message: inner.message, stack: inner.stack };
  return e;
}

/**
 * One job: loads the test files into a fresh mocha and runs them, reporting as it goes; resolves once it has
 * posted "done". `generation` (the jobs this worker ran before) goes into the query of the test files' URLs, which
 * tools/impl-resolve.mjs passes on to every project file they import: a second job loads the project's modules
 * afresh, as the files are now, beside the first job's (node_modules are loaded once).
 */
async function runJob({ files, skip, timeoutMs, only, below }, generation) {
  const beat = setInterval(() => post({ type: "beat" }), 250);
  // fullTrace: the stacks as thrown, with absolute paths (the grader reads them back to the exercise regions).
  const mocha = new Mocha({ timeout: timeoutMs, reporter: class {}, fullTrace: true });
  // One file at a time, so that a chapter that does not load (a syntax error in the learner's code) does not keep
  // the others from running.
  // below (grade --each): a file's chapter number, for the chapters before it to come from the reference in that file's
  // module graph (tools/impl-resolve.mjs reads the query). Each graph has its own copy of the tests' support modules,
  // and each copy adds its own process "exit" handler (to stop the peers it started): not a leak, so no warning.
  // A job after the first loads its own copies too.
  if (below !== undefined || generation > 0) process.setMaxListeners(Math.max(process.getMaxListeners(), 10 * files.length * (generation + 1)));
  for (const f of files) {
    mocha.files = [f];
    const query = [...(below?.[f] === undefined ? [] : [`tls-by-hand-below=${below[f]}`]), ...(generation === 0 ? [] : [`tls-by-hand-job=${generation}`])];
    try {
      await mocha.loadFilesAsync(query.length === 0 ? {} : { esmDecorator: (url) => `${url.href}?${query.join("&")}` });
    } catch (err) {
      post({ type: "load-error", file: f, error: describe(err) });
    }
  }
  mocha.files = files;

  // grade --until: only the tests of the exercises asked for (a test's title starts with its exercise's id). A suite
  // left without tests runs none of its hooks, so a later step's servers are not even started.
  if (only !== undefined) {
    const keep = new Set(only);
    const narrow = (suite) => {
      suite.tests = suite.tests.filter((t) => keep.has(/^(\d\d\.\d+)\b/.exec(t.title)?.[1] ?? ""));
      suite.suites.forEach(narrow);
    };
    narrow(mocha.suite);
  }

  // Every test in the order mocha runs them (a suite's own tests, then its suites), numbered.
  const tests = [];
  const index = new Map();
  const walk = (suite) => {
    for (const t of suite.tests) {
      index.set(t, tests.length);
      tests.push({ fullTitle: t.fullTitle(), title: t.title, file: t.file ?? "" });
    }
    suite.suites.forEach(walk);
  };
  walk(mocha.suite);
  post({ type: "loaded", tests });

  // A fresh worker after a stop: leave out what the earlier workers already ran.
  const done = new Set(skip);
  const prune = (suite) => {
    suite.tests = suite.tests.filter((t) => !done.has(index.get(t)));
    suite.suites.forEach(prune);
  };
  prune(mocha.suite);

  const under = (suite) => [...suite.tests, ...suite.suites.flatMap(under)];
  const reported = new Set();
  const result = (t, state, err) => {
    const i = index.get(t);
    if (i === undefined || reported.has(i)) return;
    reported.add(i);
    post({ type: "result", index: i, state, ms: t.duration ?? 0, error: err === undefined ? undefined : describe(err) });
  };

  const C = Mocha.Runner.constants;
  let ended;
  const end = new Promise((resolve) => (ended = resolve));
  const runner = mocha.run(() => {
    clearInterval(beat);
    post({ type: "done" });
    ended();
  });
  runner.on(C.EVENT_TEST_BEGIN, (t) => post({ type: "begin", index: index.get(t) }));
  runner.on(C.EVENT_HOOK_BEGIN, (h) => {
    const current = h.ctx?.currentTest;
    const each = /"(before|after) each" hook/.test(h.title);
    post({ type: "hook", title: h.title, test: each && current ? index.get(current) : undefined, tests: under(h.parent).map((t) => index.get(t)) });
  });
  runner.on(C.EVENT_TEST_PASS, (t) => result(t, "passed"));
  runner.on(C.EVENT_TEST_FAIL, (t, err) => {
    if (t.type === "hook") {
      // A failed hook (a server that would not start): every test under it that has not run counts as failed.
      for (const test of under(t.parent)) result(test, "failed", err);
      return;
    }
    result(t, "failed", err);
  });
  await end;
}

// A job with `more: true` is followed by another (grade --serve): the worker waits for it, or for { quit: true }.
for (let generation = 0; ; generation++) {
  await runJob(job, generation);
  if (job.more !== true) break;
  job = await nextJob();
  if (job.quit === true) process.exit(0);
}
