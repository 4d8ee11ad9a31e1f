#!/usr/bin/env node
// `npx tls-by-hand <command>`: runs the learner's chapters/ by default, the reference solutions/ with
// `--impl solutions`. It registers tsx (TypeScript) and the resolve hook that picks the implementation,
// then hands over to tools/cli.ts in this same process. The two options every command takes are read
// here, because the hook needs them before any chapter is imported:
//   --impl chapters|solutions   whose code runs (TLS_IMPL sets the default)
//   --reference-earlier         the chapters before the command's last one come from solutions/
//                               (grade NN: the chapters before NN; hello: 00–01; connect: 00–07 …)
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

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

registerTsx();
let referenceBelow = 0;
if (earlier) {
  const needs = await import("../tools/needs.ts");
  referenceBelow = needs.referenceBelow(args[0] ?? "", args.slice(1));
}
register("../tools/impl-resolve.mjs", import.meta.url, { data: { impl, referenceBelow } });
const { main } = await import("../tools/cli.ts");
process.exitCode = await main(args, { impl, referenceBelow });

function usage(message) {
  console.error(`error: ${message}\nusage: tls-by-hand <command> [options]   (tls-by-hand --help lists the commands)`);
  process.exit(2);
}
