// Module resolution hook: decides, in one place, whose code an import of chapters/NN-… loads.
//   TLS_IMPL=chapters (default)  the learner's chapters/
//   TLS_IMPL=solutions           the reference solutions/
//   TLS_REFERENCE_BELOW=NN       chapters numbered below NN come from solutions/ even for the learner,
//                                so that a later chapter can be graded before the earlier ones are done.
// Tests, the notebooks' grade cell and the command-line tool import chapters/…; this hook redirects.
const root = new URL("../", import.meta.url).href;
let impl = process.env.TLS_IMPL ?? "chapters";
let referenceBelow = Number(process.env.TLS_REFERENCE_BELOW ?? "0") || 0;

export function initialize(data) {
  if (data?.impl) impl = data.impl;
  if (data?.referenceBelow !== undefined) referenceBelow = Number(data.referenceBelow) || 0;
}

const CHAPTER = /^chapters\/(\d\d)-/;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (!result.url.startsWith(root)) return result;
  const rel = result.url.slice(root.length);
  const m = CHAPTER.exec(rel);
  if (m === null) return result;
  const useSolutions = impl === "solutions" || Number(m[1]) < referenceBelow;
  return useSolutions ? { ...result, url: root + "solutions/" + rel.slice("chapters/".length) } : result;
}
