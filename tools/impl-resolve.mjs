// Module resolution hook: decides, in one place, whose code an import of chapters/NN-… loads.
//   TLS_IMPL=chapters (default)  the learner's chapters/
//   TLS_IMPL=solutions           the reference solutions/
//   TLS_REFERENCE_BELOW=NN       chapters numbered below NN come from solutions/ even for the learner,
//                                so that a later chapter can be graded before the earlier ones are done.
// Tests, the notebooks' grade cell and the command-line tool import chapters/…; this hook redirects.
// Module graphs of their own, in one test worker: a test file imported with ?tls-by-hand-below=NN and/or
// ?tls-by-hand-job=N passes that query on to every project file it reaches, directly or not, so each such graph has
// its own copy of the project's modules (node_modules are shared).
//   below=NN  (grade --each, which grades several chapters in one worker, each on the reference code of the chapters
//             before it) takes NN in place of TLS_REFERENCE_BELOW in that graph: chapter 03's code is the learner's in
//             chapter 03's graph and the reference's in chapter 04's.
//   job=N     (grade --serve, whose worker takes grade after grade) the worker's Nth job after its first loads the
//             project's files afresh, as they are on disk now.
// Stack traces name the files without the query (tsx's source maps).
const root = new URL("../", import.meta.url).href;
let impl = process.env.TLS_IMPL ?? "chapters";
let referenceBelow = Number(process.env.TLS_REFERENCE_BELOW ?? "0") || 0;

export function initialize(data) {
  if (data?.impl) impl = data.impl;
  if (data?.referenceBelow !== undefined) referenceBelow = Number(data.referenceBelow) || 0;
}

const CHAPTER = /^chapters\/(\d\d)-/;
const TAG = /[?&](tls-by-hand-(?:below|job)=\d+)/g;

/** The tls-by-hand-… parameters of a URL's query ("tls-by-hand-below=3&tls-by-hand-job=2"), or undefined. */
function tagOf(url) {
  if (url === undefined || !url.includes("tls-by-hand-")) return undefined;
  const found = [...url.matchAll(TAG)].map((m) => m[1]);
  return found.length === 0 ? undefined : found.join("&");
}

/** The reference boundary a tag sets, or undefined. */
function belowOf(tag) {
  const m = tag === undefined ? null : /tls-by-hand-below=(\d+)/.exec(tag);
  return m === null ? undefined : Number(m[1]);
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
  const tag = tagOf(context.parentURL) ?? (specifier.startsWith("file:") ? tagOf(specifier) : undefined);
  const below = belowOf(tag) ?? referenceBelow;
  const mark = (url) => (tag === undefined || !projectFile(url) ? url : `${url}?${tag}`);
  let result;
  try {
    result = await nextResolve(specifier, context);
  } catch (e) {
    // chapters/NN not generated yet (a chapter being written): if the reference is wanted, resolve it there.
    const relative = /^\.{0,2}\//.test(specifier) && context.parentURL !== undefined;
    const target = relative ? redirect(new URL(specifier, context.parentURL).href.replace(/[?#].*$/, ""), below) : undefined;
    if (target === undefined) throw e;
    const found = await nextResolve(target, context);
    return { ...found, url: mark(found.url.replace(/[?#].*$/, "")) };
  }
  if (tag === undefined) {
    const target = redirect(result.url, below);
    return target === undefined ? result : { ...result, url: target };
  }
  const plain = result.url.replace(/[?#].*$/, "");
  return { ...result, url: mark(redirect(plain, below) ?? plain) };
}
