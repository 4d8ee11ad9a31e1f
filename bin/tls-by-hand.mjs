#!/usr/bin/env node
// `npx tls-by-hand <command>`: runs the learner's chapters/ by default, the reference solutions/ with
// `--impl solutions`. It registers tsx (TypeScript) and the resolve hook that picks the implementation,
// then hands over to tools/cli.ts in this same process.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const impl = take("--impl") ?? process.env.TLS_IMPL ?? "chapters";
if (impl !== "chapters" && impl !== "solutions") {
  console.error(`--impl must be "chapters" or "solutions", not "${impl}"`);
  process.exit(2);
}
// grade NN --reference-earlier: the chapters before the first one graded come from solutions/.
let referenceBelow = 0;
const earlier = args.indexOf("--reference-earlier");
if (earlier >= 0) {
  args.splice(earlier, 1);
  const numbers = args.slice(1).filter((a) => /^\d+/.test(a)).map((a) => parseInt(a, 10));
  referenceBelow = numbers.length > 0 ? Math.min(...numbers) : 0;
}
registerTsx();
register("../tools/impl-resolve.mjs", import.meta.url, { data: { impl, referenceBelow } });
const { main } = await import("../tools/cli.ts");
process.exitCode = await main(args, { impl, referenceBelow });
