// Load hook of the test worker (tools/test-worker.mjs): the code of an exercise the grader had to stop
// (it ran past its time or memory limit in an earlier test) is replaced, in this worker only, by a throw.
// The tests that need that exercise then fail at once, "waiting" on it, instead of each looping for the
// whole time limit again. Line numbers are kept, so stack traces still point at the learner's lines.
// Registered before tsx, so that tsx's load hook transforms the source this one returns.
import { fileURLToPath } from "node:url";

/** @type {{ file: string, id: string, bodyStart: number, end: number }[]} absolute paths, 0-based lines */
let stops = [];

export function initialize(data) {
  stops = data?.stops ?? [];
}

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (stops.length === 0 || !url.startsWith("file:") || result.source == null) return result;
  const path = fileURLToPath(url.replace(/[?#].*$/, ""));
  const mine = stops.filter((s) => s.file === path);
  if (mine.length === 0) return result;
  const lines = (typeof result.source === "string" ? result.source : new TextDecoder().decode(result.source)).split("\n");
  for (const s of mine) {
    for (let i = s.bodyStart; i < s.end; i++) lines[i] = "";
    lines[s.bodyStart] = `throw globalThis.__tlsByHandStopped(${JSON.stringify(s.id)});`;
  }
  return { ...result, source: lines.join("\n") };
}
