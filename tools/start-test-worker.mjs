// Starts a test worker (tools/test-worker.mjs) with its memory cap and its output piped to the grader. Plain
// JavaScript, so that bin/tls-by-hand.mjs can start the first one before it has loaded TypeScript support.
import { Worker } from "node:worker_threads";

/** The tests' memory limit, in MB, unless `grade --max-memory` says otherwise. */
export const DEFAULT_MEMORY_MB = 1024;

/**
 * `job` ({ files, skip, timeoutMs }) starts the tests at once; without it the worker gets ready and waits for
 * the job as a message. `stops` are the exercise regions to replace with a throw (tools/stop-exercises.mjs).
 */
export function startTestWorker({ impl, referenceBelow, memoryMb = DEFAULT_MEMORY_MB, stops = [], stopMessages = {}, job }) {
  return new Worker(new URL("./test-worker.mjs", import.meta.url), {
    workerData: { impl, referenceBelow, stops, stopMessages, job },
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    stdout: true,
    stderr: true,
  });
}
