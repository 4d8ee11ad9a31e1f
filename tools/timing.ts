// The one timing loop of the benchmarks: a median, after a warm-up, so that one slow run (a GC pause, the JIT, a
// server's first session cache miss) does not move the figure.

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
