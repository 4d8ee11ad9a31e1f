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

/** The solutions/ URL for a chapters/NN-… URL that should load the reference, else undefined. */
function redirect(url) {
  if (!url.startsWith(root)) return undefined;
  const rel = url.slice(root.length);
  const m = CHAPTER.exec(rel);
  if (m === null) return undefined;
  const useSolutions = impl === "solutions" || Number(m[1]) < referenceBelow;
  return useSolutions ? root + "solutions/" + rel.slice("chapters/".length) : undefined;
}

export async function resolve(specifier, context, nextResolve) {
  let result;
  try {
    result = await nextResolve(specifier, context);
  } catch (e) {
    // chapters/NN not generated yet (a chapter being written): if the reference is wanted, resolve it there.
    const relative = /^\.{0,2}\//.test(specifier) && context.parentURL !== undefined;
    const target = relative ? redirect(new URL(specifier, context.parentURL).href) : undefined;
    if (target === undefined) throw e;
    return nextResolve(target, context);
  }
  const target = redirect(result.url);
  return target === undefined ? result : { ...result, url: target };
}
