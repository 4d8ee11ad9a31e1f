#!/usr/bin/env node
// Python/Jupyter half of the set-up, run by `npm install` (postinstall) and safe to re-run.
// A fresh clone must get a working notebook environment from `npm install` alone (CI does exactly
// that), so this builds .venv, installs requirements.txt into it and registers the tslab kernel.
// Without Python only the notebooks are lost, so that case warns and exits 0; a Python that is
// present but fails to install is an error (exit 1), never silent.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MIN_PY = [3, 10]; // jupyterlab 4.6 declares Requires-Python >= 3.10
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const venv = path.join(root, ".venv");
const vpy = path.join(venv, "bin", "python");
const stampFile = path.join(venv, ".tls-by-hand-requirements.sha256");
const kernelSh = path.join(root, "tools", "kernel.sh");
const kernelDir = path.join(venv, "share", "jupyter", "kernels", "tls-by-hand");
// JupyterLab reads default settings from overrides.json in its app settings folder (<prefix>/share/jupyter/lab/settings).
const labOverrides = path.join(root, "tools", "jupyterlab", "overrides.json");
const labOverridesTarget = path.join(venv, "share", "jupyter", "lab", "settings", "overrides.json");

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: "utf8", ...opts });
const ok = (r) => !r.error && r.status === 0;

// Stamp = requirements hash + the venv's own path: a moved venv has stale absolute paths in its scripts.
const reqHash = createHash("sha256").update(fs.readFileSync(path.join(root, "requirements.txt"))).digest("hex");
const stamp = `${reqHash} ${venv}`;

function noPython(what, fix) {
  console.warn(
    `\ntls-by-hand: ${what}, so the notebooks (JupyterLab) are not set up.\n` +
      `  ${fix}\n` +
      `  Debian/Ubuntu: apt-get install python3 python3-venv python3-pip   macOS: brew install python\n` +
      `  Then run \`npm install\` again. Everything but the notebooks (tests, grading) still works.\n`,
  );
  process.exit(0);
}

function fail(msg, r) {
  console.error(`\ntls-by-hand setup FAILED: ${msg}`);
  if (r) console.error(r.error ? String(r.error) : `${r.stdout ?? ""}${r.stderr ?? ""}`.trim());
  process.exit(1);
}

// Finds a system Python good enough to build the venv from; exits 0 with advice if there is none.
function findPython() {
  const candidates = [process.env.PYTHON, "python3", "python"].filter(Boolean);
  const tooOld = [];
  for (const py of candidates) {
    const r = run(py, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
    if (!ok(r)) continue;
    const ver = r.stdout.trim().split(".").map(Number);
    if (ver[0] < MIN_PY[0] || (ver[0] === MIN_PY[0] && ver[1] < MIN_PY[1])) {
      tooOld.push(`${py} is ${ver.join(".")}`);
      continue;
    }
    // Debian splits venv/ensurepip into python3-venv: `python3 -m venv` then half-creates a venv without pip.
    if (!ok(run(py, ["-c", "import venv, ensurepip"])))
      noPython(`${py} has no working venv/ensurepip module (needed to create .venv with pip)`, "Install the venv module for it (Debian: python3-venv).");
    return py;
  }
  const found = tooOld.length ? `only an old Python (${tooOld.join(", ")})` : `no Python 3 (tried ${candidates.join(", ")})`;
  noPython(`found ${found}`, `Install Python >= ${MIN_PY.join(".")} (or set PYTHON=/path/to/python3).`);
}

const writeIfChanged = (file, text) => {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
};

// Returns true if anything had to be (re)written.
function writeVenvFiles() {
  // Checkouts (zip downloads, some git configs) can lose the executable bit; Jupyter execs this file directly.
  fs.chmodSync(kernelSh, 0o755);
  // Same argv shape as `tslab install` ([bin, "kernel", "--config-path", "{connection_file}"]),
  // but through kernel.sh, which moves to the repository root first so notebooks can import ./chapters/...
  // (tslab 1.0.22 ships no logo files, so there is nothing else to copy.)
  const spec = { argv: [kernelSh, "{connection_file}"], display_name: "TypeScript (tls-by-hand)", language: "typescript" };
  const a = writeIfChanged(path.join(kernelDir, "kernel.json"), JSON.stringify(spec, null, 1) + "\n");
  // Our package.json says "type": "module", which Node would apply to every .js below it, including
  // the CommonJS yarn.js that JupyterLab runs at start-up ("Dynamic require of util is not supported").
  // A package.json in .venv gives the venv its own, CommonJS, scope.
  const b = writeIfChanged(path.join(venv, "package.json"), '{ "type": "commonjs" }\n');
  // The project's JupyterLab settings: no first-run prompt to fetch Jupyter news, no update check (a learner
  // opening chapter 00 should see the notebook, not a pop-up). The learner's own settings still win.
  const c = writeIfChanged(labOverridesTarget, fs.readFileSync(labOverrides, "utf8"));
  return a || b || c;
}

// tlslite-ng, chapter 12's post-quantum peer (the tests and notebook 12 run it), in its own .venv-tlslite. The tests
// make it themselves on first use (tests/support/tlslite.ts); doing it here keeps that install out of the first
// `npm test`. A failure only warns: the tests try again, and say why if they cannot.
function installTlslite() {
  if (!fs.existsSync(path.join(root, ".venv-tlslite", "bin", "tls.py"))) console.log("tls-by-hand: installing tlslite-ng (chapter 12's post-quantum peer) into .venv-tlslite...");
  const code = 'const m = await import("./tests/support/tlslite.ts"); if (m.tlsliteUnavailable() === undefined) await m.ensureTlslite();';
  const r = run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  if (!ok(r)) console.warn(`tls-by-hand: tlslite-ng (chapter 12's peer) was not installed now; the tests will try again:\n${(r.stderr || String(r.error)).trim().slice(-2000)}`);
}

// The kernel's start-up snapshot (tools/kernel-snapshot.cjs), in node_modules/.cache, named for this Node (a blob only
// starts the Node that made it; tools/kernel.sh looks for this name). Made again when the builder, tslab's TypeScript
// or @types/node change. A failure only warns: the kernel then starts without it, as tslab ships, a second slower.
function buildKernelSnapshot() {
  const cache = path.join(root, "node_modules", ".cache", "tls-by-hand");
  const blob = path.join(cache, `kernel-${process.version}.blob`);
  const builder = path.join(root, "tools", "kernel-snapshot.cjs");
  let key;
  try {
    const ts = fs.statSync(path.join(root, "node_modules", "@tslab", "typescript-for-tslab", "lib", "typescript.js"));
    const parts = [fs.readFileSync(builder, "utf8"), `${ts.size} ${ts.mtimeMs}`, fs.readFileSync(path.join(root, "node_modules", "@types", "node", "package.json"), "utf8"), root];
    key = createHash("sha256").update(parts.join("\n")).digest("hex");
  } catch (e) {
    console.warn(`tls-by-hand: no kernel snapshot (${e instanceof Error ? e.message : e}); the kernel starts without it.`);
    return;
  }
  const stampOf = `${blob}.sha256`;
  if (fs.existsSync(blob) && fs.existsSync(stampOf) && fs.readFileSync(stampOf, "utf8").trim() === key) return;
  fs.mkdirSync(cache, { recursive: true });
  for (const old of fs.readdirSync(cache)) if (/^kernel-.*\.blob(\.sha256)?$/.test(old)) fs.rmSync(path.join(cache, old), { force: true });
  const building = `${blob}.${process.pid}`;
  const made = run(process.execPath, ["--snapshot-blob", building, "--build-snapshot", builder], { cwd: root, env: { ...process.env, ROOT: root }, stdio: ["ignore", "pipe", "pipe"] });
  // It must start tslab: `tslab --version` from the blob, as kernel.sh will start the kernel.
  const tried = ok(made) ? run(process.execPath, ["--snapshot-blob", building, path.join(root, "node_modules", "tslab", "bin", "tslab"), "--version"], { cwd: root }) : made;
  if (!ok(tried)) {
    fs.rmSync(building, { force: true });
    console.warn(`tls-by-hand: no kernel snapshot (tools/kernel-snapshot.cjs failed); the kernel starts without it:\n${(tried.stderr || String(tried.error)).trim().slice(-1500)}`);
    return;
  }
  fs.renameSync(building, blob);
  fs.writeFileSync(stampOf, key + "\n");
}

const readStamp = () => (fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8").trim() : "");

// Fast path (no Python started at all): venv built from this very requirements.txt at this very path.
if (fs.existsSync(vpy) && readStamp() === stamp) {
  const changed = writeVenvFiles();
  buildKernelSnapshot();
  console.log(`tls-by-hand: Python env up to date (.venv)${changed ? ", kernel files rewritten" : ""}; kernel "tls-by-hand" ready.`);
  installTlslite();
  process.exit(0);
}

const t0 = Date.now();
const py = findPython();

// A venv built at another path, or half-created without pip: rebuilding is cheaper than repairing.
// (Changed requirements alone just re-run pip over the existing venv.)
const oldPath = readStamp().split(" ").slice(1).join(" ");
if (fs.existsSync(venv) && ((oldPath && oldPath !== venv) || !ok(run(vpy, ["-m", "pip", "--version"])))) {
  fs.rmSync(venv, { recursive: true, force: true });
}
if (!fs.existsSync(vpy)) {
  const r = run(py, ["-m", "venv", venv]);
  if (!ok(r)) fail(`\`${py} -m venv .venv\` failed`, r);
}

console.log("tls-by-hand: installing requirements.txt (JupyterLab, nbclient) into .venv; the first time takes a minute...");
// Output is kept back unless pip fails: with -q a successful run prints only warnings (often about
// the machine's pip.conf), while a failure must show everything pip said.
const pip = run(vpy, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", path.join(root, "requirements.txt")], {
  stdio: ["ignore", "pipe", "pipe"],
  maxBuffer: 64 << 20,
});
if (!ok(pip)) fail("pip install -r requirements.txt into .venv failed:", pip);

writeVenvFiles();
fs.writeFileSync(stampFile, stamp + "\n"); // last, so an interrupted install is retried next time
buildKernelSnapshot();
installTlslite();
console.log(`tls-by-hand: .venv ready in ${((Date.now() - t0) / 1000).toFixed(0)} s; kernel "tls-by-hand" installed. Run \`npm start\` for JupyterLab.`);
