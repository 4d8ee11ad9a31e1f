// Module resolution hook: decides, in one place, whose code an import of chapters/NN-… loads.
//   TLS_IMPL=chapters (default)  the learner's chapters/
//   TLS_IMPL=solutions           the reference solutions/
//   TLS_REFERENCE_BELOW=NN       chapters numbered below NN come from solutions/ even for the learner,
//                                so that a later chapter can be graded before the earlier ones are done.
// Tests, the notebooks' grade cell and the command-line tool import chapters/…; this hook redirects.
// `grade --reference-earlier --each` grades several chapters in one test worker, each on the reference code of the
// chapters before it: the worker imports chapter NN's test file with ?tls-by-hand-below=NN, and every project file
// that file reaches, directly or not, is resolved with NN in place of TLS_REFERENCE_BELOW, under a URL that carries
// the same query. So chapter 03's code is the learner's in the module graph of chapter 03's tests and the
// reference's in that of chapter 04's, and each graph has its own copy of the project's modules (node_modules are
// shared). Stack traces name the files without the query (tsx's source maps).
const root = new URL("../", import.meta.url).href;
let impl = process.env.TLS_IMPL ?? "chapters";
let referenceBelow = Number(process.env.TLS_REFERENCE_BELOW ?? "0") || 0;

export function initialize(data) {
  if (data?.impl) impl = data.impl;
  if (data?.referenceBelow !== undefined) referenceBelow = Number(data.referenceBelow) || 0;
}

const CHAPTER = /^chapters\/(\d\d)-/;
export const BELOW_QUERY = "tls-by-hand-below";

/** The ?tls-by-hand-below=NN of a URL, or undefined. */
function belowOf(url) {
  if (url === undefined || !url.includes(`?${BELOW_QUERY}=`)) return undefined;
  const n = Number(new URL(url).searchParams.get(BELOW_QUERY));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The solutions/ URL for a chapters/NN-… URL (no query) that should load the reference, else undefined. */
function redirect(url, below) {
  if (!url.startsWith(root)) return undefined;
  const rel = url.slice(root.length);
  const m = CHAPTER.exec(rel);
  if (m === null) return undefined;
  const useSolutions = impl === "solutions" || Number(m[1]) < below;
  return useSolutions ? root + "solutions/" + rel.slice("chapters/".length) : undefined;
}

/** A file of the project itself (not a package): the ones a module graph of its own gets a copy of. */
const projectFile = (url) => url.startsWith(root) && !url.includes("/node_modules/");

export async function resolve(specifier, context, nextResolve) {
  // The test file itself comes with the query (from the worker); what it imports, from its parent's URL.
  const below = belowOf(context.parentURL) ?? (specifier.startsWith("file:") ? belowOf(specifier) : undefined);
  const mark = (url) => (below === undefined || !projectFile(url) ? url : `${url}?${BELOW_QUERY}=${below}`);
  let result;
  try {
    result = await nextResolve(specifier, context);
  } catch (e) {
    // chapters/NN not generated yet (a chapter being written): if the reference is wanted, resolve it there.
    const relative = /^\.{0,2}\//.test(specifier) && context.parentURL !== undefined;
    const target = relative ? redirect(new URL(specifier, context.parentURL).href.replace(/[?#].*$/, ""), below ?? referenceBelow) : undefined;
    if (target === undefined) throw e;
    const found = await nextResolve(target, context);
    return { ...found, url: mark(found.url.replace(/[?#].*$/, "")) };
  }
  if (below === undefined) {
    const target = redirect(result.url, referenceBelow);
    return target === undefined ? result : { ...result, url: target };
  }
  const plain = result.url.replace(/[?#].*$/, "");
  return { ...result, url: mark(redirect(plain, below) ?? plain) };
}
