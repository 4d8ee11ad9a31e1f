// Types for tools/start-test-worker.mjs.
import type { Worker } from "node:worker_threads";

export declare const DEFAULT_MEMORY_MB: number;

export interface TestJob {
  files: string[];
  skip: number[];
  timeoutMs: number;
}

export declare function startTestWorker(options: {
  impl: string;
  referenceBelow: number;
  memoryMb?: number;
  stops?: { file: string; id: string; bodyStart: number; end: number }[];
  stopMessages?: Record<string, string>;
  job?: TestJob;
}): Worker;
