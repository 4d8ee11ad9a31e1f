#!/usr/bin/env node
// `npx tls-by-hand <command>`: runs the learner's chapters/ by default, the reference solutions/ with
// `--impl solutions`. It registers tsx (TypeScript) and the resolve hook that picks the implementation,
// then hands over to tools/cli.ts in this same process. The two options every command takes are read
// here, because the hook needs them before any chapter is imported:
//   --impl chapters|solutions   whose code runs (TLS_IMPL sets the default)
//   --reference-earlier         the chapters before the command's last one come from solutions/
//                               (grade NN: the chapters before NN; hello: 00–01; connect: 00–07 …)
import { register } from "node:module";

const args = process.argv.slice(2);
let impl = process.env.TLS_IMPL ?? "chapters";
let earlier = false;
for (let i = 0; i < args.length; ) {
  const a = args[i];
  if (a === "--impl" || a.startsWith("--impl=")) {
    const value = a === "--impl" ? args[i + 1] : a.slice("--impl=".length);
    if (value === undefined || value.startsWith("-")) usage("--impl needs a value: chapters (your code, the default) or solutions");
    impl = value;
    args.splice(i, a === "--impl" ? 2 : 1);
  } else if (a === "--reference-earlier") {
    earlier = true;
    args.splice(i, 1);
  } else i++;
}
if (impl !== "chapters" && impl !== "solutions") usage(`--impl must be "chapters" or "solutions", not "${impl}"`);

// grade: start the test worker now, so that its start-up (TypeScript support, mocha) overlaps this thread's.
let warm;
let referenceBelow = 0;
if (args[0] === "grade") {
  // The chapter arguments (not the values of --timeout S, --max-memory MB): --reference-earlier serves the
  // chapters before the first one graded from solutions/.
  const chapters = args.slice(1).filter((a, i, all) => /^\d+$|^\d\d-/.test(a) && !/^--(timeout|max-memory)$/.test(all[i - 1] ?? ""));
  // --each: every chapter on the reference code of the chapters before it, one by one (tools/impl-resolve.mjs).
  if (earlier && chapters.length > 0 && !args.includes("--each")) referenceBelow = Math.min(...chapters.map((a) => parseInt(a, 10)));
  if (!args.includes("--help")) {
    const { startTestWorker, DEFAULT_MEMORY_MB } = await import("../tools/start-test-worker.mjs");
    const at = args.findIndex((a) => a === "--max-memory" || a.startsWith("--max-memory="));
    const given = at < 0 ? NaN : Math.round(Number(args[at].includes("=") ? args[at].split("=")[1] : args[at + 1]));
    const memoryMb = given > 0 ? given : DEFAULT_MEMORY_MB; // a bad value is refused later, as bad usage
    warm = { worker: startTestWorker({ impl, referenceBelow, memoryMb }), memoryMb };
    warm.worker.unref(); // until the grader hands it its tests
  }
}

// tsx's whole loader (ESM and CommonJS hooks), as `node --import tsx` loads it: with the ESM hooks alone, a
// syntax error in a chapter file comes out as "Unexpected identifier" instead of esbuild's file:line.
await import("tsx");
if (earlier && args[0] !== "grade") {
  // explain, hello, verify-chain, connect: the chapters before the last one the command needs.
  const needs = await import("../tools/needs.ts");
  referenceBelow = needs.referenceBelow(args[0] ?? "", args.slice(1));
}
register("../tools/impl-resolve.mjs", import.meta.url, { data: { impl, referenceBelow } });
const { main } = await import("../tools/cli.ts");
const warmEnded = warm === undefined ? undefined : new Promise((resolve) => warm.worker.once("exit", resolve));
process.exitCode = await main(args, { impl, referenceBelow, warm });
if (warm !== undefined) {
  // A worker started ahead and never given its tests (bad usage, a chapter that does not exist): it ends itself at
  // the next step of its start-up (tools/test-worker.mjs), and this waits for it. Exiting while it still loads its modules can make Node 20 abort the whole process
  // (FATAL ERROR: v8::Module::IsGraphAsync), and the learner would see a crash instead of the usage line.
  warm.worker.ref(); // it was unreferenced until the grader took it: wait for it now
  warm.worker.postMessage({ quit: true }); // ignored by a worker that has its tests: it ends when they do
  await warmEnded;
}

function usage(message) {
  console.error(`error: ${message}\nusage: tls-by-hand <command> [options]   (tls-by-hand --help lists the commands)`);
  process.exit(2);
}
