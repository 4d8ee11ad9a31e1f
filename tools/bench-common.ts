// What the handshake benchmarks share: the timing loop (a median after a warm-up, so that one slow run, a GC pause,
// the JIT, a server's first session cache miss, does not move the figure), the request every client sends, the
// answer every test server gives, and the fixtures they read.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./exercises.js";

/** A test fixture's text (tests/fixtures/NAME). */
export const fixture = (name: string): string => readFileSync(join(ROOT, "tests/fixtures", name), "utf8");
/** The one request each benchmarked client sends. */
export const REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
/** The one answer each benchmarked server gives. */
export const RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

/** The median time of `runs` sequential calls of `f`, in milliseconds, after `warmup` calls that are not counted. */
export async function medianMs(f: () => Promise<unknown> | unknown, runs: number, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
