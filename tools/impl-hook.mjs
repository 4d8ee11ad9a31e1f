// Registers impl-resolve.mjs (after tsx, so that it sees tsx's resolved .ts URLs). Load it with
// `node --import tsx --import ./tools/impl-hook.mjs` or mocha's `require`.
import { register } from "node:module";

register("./impl-resolve.mjs", import.meta.url, {
  data: { impl: process.env.TLS_IMPL, referenceBelow: process.env.TLS_REFERENCE_BELOW },
});
