"""Execute notebooks with the tls-by-hand (tslab) kernel and report one JSON line per notebook.

Usage: .venv/bin/python tools/run-notebooks.py [--timeout SECONDS] [--reference none|earlier]
                                               [--mermaid-out FILE] NOTEBOOK...
       .venv/bin/python tools/run-notebooks.py --serve [--timeout SECONDS] [--ports FIRST]

Each line: {"notebook": path, "ok": bool, "seconds": float, "error": str|null}. Exit 0 if all ok.
A notebook fails if a cell raises, if it shows a failure box (lib/notebook.ts marks them
data-tls-by-hand="failure": an unexpected TlsError, a refusal that did not happen), or if its first code
cell is not the switch cell (useReference). --reference sets that switch for every notebook (through the
environment); with "earlier", a note that an earlier chapter's exercise is not done is a failure too,
since those chapters must then run on the reference. --mermaid-out writes the Mermaid diagrams the cells
drew, for tools/check-mermaid.ts. Notebooks are never written back: tests run them for pass/fail.

--serve reads jobs from standard input, one JSON line each: {"notebook": path, "reference": "none" or
"earlier", "mermaid_out": file or null, "env": {name: value}}, runs each (the kernel gets "env" on top of
this process's environment), and prints its result line. It ends at the end of its input. npm test keeps one
such runner per lane, so that Python and nbclient load once per lane rather than once per notebook, and gives each
its own range of ports for its kernels (--ports FIRST: FIRST to FIRST+399), so that two runners never pick the same.
"""

import argparse
import fcntl
import json
import re
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

# Silences jupyter_core's "migrating to platformdirs" deprecation warning on every run.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from traitlets.config import Config  # noqa: E402


def first_line(source, limit=60):
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def stderr_summary(cell):
    """tslab reports failures as stderr text, not as "error" outputs: pick the telling line(s)."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # Runtime errors come as a Node stack dump: source excerpt, caret, then "TypeError: msg".
    thrown = next((ln for ln in lines if re.match(r"^[A-Za-z_$][\w$.]*(Error|Exception)\b.*:", ln)), None)
    # Type errors come as "LINE:COL - message" lines, one per diagnostic.
    return thrown or "; ".join(lines[:3])


def error_output(cell):
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


BOX = re.compile(r'data-tls-by-hand="(failure|not-done)"(?: data-exercise="(\d\d)\.\d+")?[^>]*>(.*?)</div>', re.S)


def box_problems(nb, chapter, reference):
    """Failure boxes anywhere; with the switch on, "not done" notes of earlier chapters. -> (cell, text)."""
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            html = o.get("data", {}).get("text/html", "") if o.get("output_type") in ("display_data", "execute_result") else ""
            for kind, exercise_chapter, text in BOX.findall(html if isinstance(html, str) else "".join(html)):
                plain = re.sub(r"<[^>]+>", "", text).strip()[:200]
                if kind == "failure":
                    yield i, f"failure shown: {plain}"
                elif reference == "earlier" and chapter is not None and exercise_chapter and exercise_chapter < chapter:
                    yield i, f"with the switch on, an earlier chapter still ran from chapters/: {plain}"


def mermaid_outputs(nb, name):
    """The ```mermaid blocks the cells displayed as Markdown."""
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            md = o.get("data", {}).get("text/markdown", "") if o.get("output_type") in ("display_data", "execute_result") else ""
            md = md if isinstance(md, str) else "".join(md)
            for block in re.findall(r"```mermaid[ \t]*\r?\n(.*?)```", md, re.S):
                yield {"where": f"{name} cell {i} (output)", "text": block}


class StartLock:
    """One kernel start at a time across runners that pick no ports of their own (npm test's do: PortRange):
    jupyter_client picks a kernel's five ports by binding to port 0 and letting go, so two kernels started at once
    can be given the same port. The second kernel then cannot bind it, and its client talks to the first kernel,
    which ignores it: "Kernel didn't respond in 60 seconds" (seen once in npm test). The lock is held from picking
    the ports until the kernel answers."""

    def __init__(self, client):
        self.file = None
        start, ready = client.async_start_new_kernel, client.async_start_new_kernel_client

        async def locked_start(**kwargs):
            self.acquire()
            try:
                return await start(**kwargs)
            except BaseException:
                self.release()
                raise

        async def locked_ready():
            try:
                return await ready()
            finally:
                self.release()

        client.async_start_new_kernel, client.async_start_new_kernel_client = locked_start, locked_ready

    def acquire(self):
        self.file = open(Path(tempfile.gettempdir()) / "tls-by-hand-kernel-start.lock", "a")
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def release(self):
        if self.file is not None:
            self.file.close()  # closing drops the lock
            self.file = None


class PortRange:
    """The ports of one runner's kernels: the next five free ones of its own range, in turn. With a range per runner,
    kernels of two runners cannot be given the same port, and a kernel start need not wait for the other runner's
    (StartLock, which a runner without a range still takes). The ranges lie below Linux's ephemeral ports (32768 on),
    from which servers in the tests get theirs."""

    SIZE = 400

    def __init__(self, first):
        self.first = first
        self.next = first

    def take(self):
        ports = []
        for _ in range(self.SIZE):
            port = self.next
            self.next = self.first + (port + 1 - self.first) % self.SIZE
            if free(port):
                ports.append(port)
                if len(ports) == 5:
                    return ports
        return None  # the whole range taken by something else: jupyter_client picks its own, under StartLock


def free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def run(path, timeout, reference=None, mermaid=None, ports=None):
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # missing file, not JSON, ...
        return {"notebook": str(path), "ok": False, "seconds": 0.0, "error": f"cannot read notebook: {e}"}
    current = {"index": None}
    chapter = re.match(r"(\d\d)-", Path(path).name)
    chapter = chapter.group(1) if chapter else None
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if not code_cells or "useReference(" not in code_cells[0].source:
        return {"notebook": str(path), "ok": False, "seconds": 0.0,
                "error": "the first code cell is not the switch cell (useReference from lib/notebook-modules)"}

    def on_cell_execute(cell, cell_index):
        current["index"] = cell_index

    taken = ports.take() if ports is not None else None

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="tls-by-hand",
        allow_errors=False,
        # The kernel starts in the notebook's folder; tools/kernel.sh walks up from there to the
        # repo copy that holds this notebook, so scratch copies import their own files.
        resources={"metadata": {"path": str(Path(path).resolve().parent)}},
        on_cell_execute=on_cell_execute,
        startup_timeout=30,  # a kernel starts in 1–2 s here, on a busy machine too
        config=kernel_ports(taken),
    )
    if taken is None:
        StartLock(client)
    start = time.monotonic()
    error = None
    try:
        client.execute()
    except CellTimeoutError:
        error = f"timed out after {timeout} s"
    except DeadKernelError as e:
        error = f"kernel died: {e}"
    except CellExecutionError as e:
        error = f"{e.ename}: {e.evalue}"
        i = current["index"]
        if e.ename == "<Error>" and i is not None:  # nbclient's placeholder: tslab sent no ename
            error = stderr_summary(nb.cells[i]) or "cell failed (no error text)"
    except Exception as e:  # kernel failed to start, bad notebook JSON, ...
        error = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
    seconds = round(time.monotonic() - start, 2)

    # Also catch error outputs that did not raise (e.g. a kernel reporting an error but replying "ok").
    idx = current["index"]
    for i, cell in enumerate(nb.cells):
        out = error_output(cell) if cell.cell_type == "code" else None
        if out is not None:
            idx, error = i, f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
            break
    if error is None:
        for i, problem in box_problems(nb, chapter, reference):
            idx, error = i, problem
            break
    if mermaid is not None:
        mermaid.extend(mermaid_outputs(nb, Path(path).name))
    if error is not None:
        where = ""
        if idx is not None and idx < len(nb.cells):
            where = f"cell {idx} ({first_line(nb.cells[idx].source)!r}): "
        error = (where + error.strip())[:500]
    return {"notebook": str(path), "ok": error is None, "seconds": seconds, "error": error}


def kernel_ports(taken):
    """A Config that gives the kernel the five ports `taken` (from a PortRange), or none (jupyter_client picks them)."""
    if taken is None:
        return Config()
    names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]
    # cache_ports off: with it on (jupyter_client's default for tcp), the provisioner picks ports of its own instead.
    return Config({"KernelManager": {"cache_ports": False, **dict(zip(names, taken))}})


def serve(timeout, ports=None):
    base = dict(os.environ)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        os.environ.clear()
        os.environ.update(base)
        os.environ.update(job.get("env") or {})
        reference = job.get("reference")
        if reference:
            os.environ["TLS_BY_HAND_REFERENCE"] = reference  # the kernel inherits it
        mermaid = [] if job.get("mermaid_out") else None
        try:
            result = run(job["notebook"], timeout, reference, mermaid, ports)
        except Exception as e:  # never leave the caller waiting for a line
            result = {"notebook": job.get("notebook"), "ok": False, "seconds": 0.0, "error": f"{type(e).__name__}: {e}"}
        if mermaid is not None:
            Path(job["mermaid_out"]).write_text(json.dumps(mermaid))
        print(json.dumps(result), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=int, default=120, help="per-cell timeout in seconds (default 120)")
    ap.add_argument("--reference", choices=["none", "earlier"],
                    help="set every notebook's switch (lib/notebook-modules.ts useReference) to this")
    ap.add_argument("--mermaid-out", metavar="FILE", help="write the Mermaid diagrams the cells drew, as JSON")
    ap.add_argument("--serve", action="store_true", help="run the jobs given on standard input (JSON lines)")
    ap.add_argument("--ports", type=int, metavar="FIRST", help="with --serve: the kernels' ports come from FIRST to FIRST+399")
    ap.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    args = ap.parse_args()
    if args.serve:
        serve(args.timeout, PortRange(args.ports) if args.ports else None)
        return
    if not args.notebooks:
        ap.error("give at least one NOTEBOOK (or --serve)")
    if args.reference:
        os.environ["TLS_BY_HAND_REFERENCE"] = args.reference  # the kernels inherit it
    mermaid = [] if args.mermaid_out else None
    all_ok = True
    # One after another, one kernel each: tslab kernels are heavy and CI has 2 cores.
    for path in args.notebooks:
        result = run(path, args.timeout, args.reference, mermaid)
        all_ok &= result["ok"]
        print(json.dumps(result), flush=True)
    if args.mermaid_out:
        Path(args.mermaid_out).write_text(json.dumps(mermaid))
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
