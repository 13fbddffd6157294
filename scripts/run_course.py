"""Run every chapter headless: executed notebooks and readable HTML in build/chapters/, and a
summary of what ran and what each chapter's checks said. `python3 dev.py lab` runs this
where there is no display; it runs inside .venv (it needs nbclient and nbconvert).

    python scripts/run_course.py [NN ...] [--out DIR]   # all chapters, or those numbered NN

The kernel talks to this process over IPC (Unix sockets) instead of TCP on localhost: with
TCP, ipykernel warns on every start that the traffic is unencrypted, which on one machine
is noise; IPC sockets are files only this user can open, so there is nothing to warn about.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "build" / "chapters"
CELL_TIMEOUT_S = 600
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def kernel_manager(socket_dir: str) -> KernelManager:
    # IPC needs Unix sockets; on Windows the kernel stays on TCP (and warns). The socket
    # path must be absolute: the kernel runs in chapters/, this process elsewhere.
    if os.name != "posix":
        return KernelManager()
    return KernelManager(transport="ipc", ip=os.path.join(socket_dir, "kernel"))


def checks_said(notebook) -> str:
    """What the chapter's last code cell printed: "all checks passed" or what is left."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    text = "".join(out.get("text", "") for out in code[-1].get("outputs", [])) if code else ""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "(no checks printed)"
    if lines[-1] == "all checks passed":
        return lines[-1]
    return "; ".join(line for line in lines if not line.startswith("✔")) or lines[-1]


def run_chapter(path: Path, out: Path) -> tuple[str, str]:
    """Execute one chapter in its folder, write .ipynb and .html; return (status, checks)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # cells after an error must not show the committed outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    status = "ran"
    with tempfile.TemporaryDirectory(prefix="minitorch-kernel-") as socket_dir:
        km = kernel_manager(socket_dir)
        client = NotebookClient(notebook, km=km, timeout=CELL_TIMEOUT_S,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as error:
            last_line = ANSI_COLOUR.sub("", str(error).strip().splitlines()[-1])
            status = f"stopped at an error: {last_line}"
        finally:
            if km.has_kernel:  # a kernel manager we made is ours to stop
                km.shutdown_kernel(now=True)
    nbformat.write(notebook, out / path.name)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    (out / path.with_suffix(".html").name).write_text(html, encoding="utf-8")
    return status, checks_said(notebook)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="chapter numbers (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chapters = sorted(CHAPTERS.glob("*.ipynb"))
    if args.numbers:
        chapters = [c for c in chapters if c.name[:2] in args.numbers]
    summary, failed = [], 0
    for path in chapters:
        print(f"running {path.name} ...", flush=True)
        start = time.perf_counter()
        status, checks = run_chapter(path, args.out)
        failed += status != "ran" or checks != "all checks passed"
        summary.append(f"  {path.stem:<40} {time.perf_counter() - start:5.0f} s  {status}; "
                       f"{checks}")
    print("\nWhat ran (chapter, time, outcome; what its checks said):")
    print("\n".join(summary))
    print(f"\nReadable HTML of every chapter: {args.out}/*.html "
          f"(open one in a browser: {args.out / chapters[0].with_suffix('.html').name})"
          if chapters else "No chapters found.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
