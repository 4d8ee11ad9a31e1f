#!/usr/bin/env node
// `npm start`: JupyterLab from .venv on notebooks/, with the tls-by-hand (tslab) kernel as default.
// Extra arguments go to JupyterLab: `npm start -- --port 8899`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const venvBin = path.join(root, ".venv", "bin");
const jupyter = path.join(venvBin, "jupyter");
const kernelJson = path.join(root, ".venv", "share", "jupyter", "kernels", "tls-by-hand", "kernel.json");

if (!fs.existsSync(jupyter) || !fs.existsSync(kernelJson)) {
  console.error(
    "tls-by-hand: JupyterLab is not set up (.venv/bin/jupyter or the tls-by-hand kernel is missing).\n" +
      "  Run `npm install` in " + root + "; it builds .venv and says what is missing.\n" +
      "  It needs Python >= 3.10 with venv (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip).",
  );
  process.exit(1);
}

const notebooks = path.join(root, "notebooks");
if (!fs.existsSync(notebooks)) console.warn(`tls-by-hand: ${notebooks} does not exist.`);

const extra = process.argv.slice(2);
if (extra[0] === "--") extra.shift(); // `node tools/start.mjs -- --port 1` as well as `npm start -- --port 1`

const args = [
  "lab",
  // The server's root is the repository, so that the notebooks' links open chapters/ files for editing;
  // JupyterLab opens on notebooks/.
  `--ServerApp.root_dir=${root}`,
  "--LabApp.default_url=/lab/tree/notebooks",
  // Sets the "default" of /api/kernelspecs, which JupyterLab uses for new notebooks and consoles.
  "--MultiKernelManager.default_kernel_name=tls-by-hand",
];
// On a headless Linux box Python's webbrowser may pick a text browser (lynx, w3m) and take over
// the terminal; without a display just print the URL. Later user args still win.
const headless = process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (process.env.CI || headless) args.push("--ServerApp.open_browser=False");
// Jupyter refuses to run as root without this; CI, containers and this project's machines are root.
if (process.getuid?.() === 0) args.push("--allow-root");
args.push(...extra);

const env = {
  ...process.env,
  // Terminals opened inside JupyterLab then find the venv's jupyter/python first, and node for the kernel.
  PATH: [venvBin, path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
  JUPYTER_PLATFORM_DIRS: process.env.JUPYTER_PLATFORM_DIRS ?? "1", // silences a deprecation warning
};

const child = spawn(jupyter, args, { cwd: root, env, stdio: "inherit" });
// Ctrl-C reaches JupyterLab directly (same process group); relay other stop signals, then mirror its exit.
for (const sig of ["SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
process.on("SIGINT", () => {}); // let JupyterLab handle its own shutdown prompt
child.on("error", (e) => {
  console.error(`tls-by-hand: could not start ${jupyter}: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
