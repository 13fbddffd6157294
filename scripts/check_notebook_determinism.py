"""Re-execute every chapter notebook twice, each time in a fresh kernel, and diff the outputs.

    python scripts/check_notebook_determinism.py                 # chapters/*.ipynb
    python scripts/check_notebook_determinism.py path/to/a.ipynb --committed

Kernels run single-threaded (OMP/OpenBLAS/MKL threads = 1) with PYTHONHASHSEED=0, in the
notebook's folder. Outputs are compared cell by cell: streams, results and displays (every
MIME type, images included), errors. Cells whose source contains ``# NBVAL_IGNORE_OUTPUT``
are skipped, and the masks of ``chapters/nbval_sanitize.cfg`` (memory addresses, timings)
are applied, as nbval does (``--no-sanitize`` turns them off). ``--committed`` also diffs
the first run against the outputs stored in the notebook file.

Prints, per notebook, "identical" or "different" and a unified diff; exit status 1 when any
notebook differs or fails to execute.
"""
from __future__ import annotations

import argparse
import configparser
import difflib
import glob
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IGNORE_MARK = "# NBVAL_IGNORE_OUTPUT"
SINGLE_THREADED = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def load_sanitizers(path: str) -> list[tuple[re.Pattern, str]]:
    """(regex, replacement) pairs from an nbval sanitize file; none when it does not exist."""
    if not os.path.exists(path):
        return []
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def execute(path: str, timeout: int):
    """A fresh kernel runs the notebook top to bottom; returns the executed notebook (or the
    error that stopped it) and the seconds it took."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor
    notebook = nbformat.read(path, as_version=4)
    runner = ExecutePreprocessor(timeout=timeout, kernel_name="python3", allow_errors=False)
    start = time.time()
    try:
        runner.preprocess(notebook, {"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    except Exception as err:  # noqa: BLE001 - reported as the notebook's result
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(err))  # no terminal colours in the report
        return None, f"{type(err).__name__}: {message[-2000:]}", time.time() - start
    return notebook, None, time.time() - start


def _output_lines(output, sanitizers) -> list[str]:
    kind = output.get("output_type")
    if kind == "stream":
        parts = [f"[{output.get('name')}]", output.get("text", "")]
    elif kind in ("execute_result", "display_data"):
        parts = []
        for mime, value in sorted(output.get("data", {}).items()):
            text = value if isinstance(value, str) else "".join(value) if isinstance(value, list) \
                else repr(value)
            parts += [f"[{kind} {mime}]", text]
    elif kind == "error":
        parts = [f"[error {output.get('ename')}]", output.get("evalue", ""),
                 "\n".join(output.get("traceback", []))]
    else:
        parts = [f"[{kind}]"]
    text = "\n".join(parts)
    for pattern, replacement in sanitizers:
        text = pattern.sub(replacement, text)
    return text.splitlines()


def _coalesce_streams(outputs) -> list:
    """Join consecutive stream outputs of one stream: how the kernel happened to split the
    text into messages (timing) is not part of the output, as nbval also ignores."""
    merged = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == output["name"]):
            merged[-1] = dict(merged[-1], text=merged[-1]["text"] + output["text"])
        else:
            merged.append(output)
    return merged


def canonical(notebook, sanitizers) -> list[str]:
    """The notebook's outputs as lines of text, one block per code cell."""
    lines = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if IGNORE_MARK in cell.source:
            lines.append(f"--- cell {index}: output ignored ({IGNORE_MARK})")
            continue
        lines.append(f"--- cell {index}: {cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ''}")
        for output in _coalesce_streams(cell.get("outputs", [])):
            lines += _output_lines(output, sanitizers)
    return lines


def diff(a: list[str], b: list[str], names: tuple[str, str], width: int = 200) -> list[str]:
    clip = [line if len(line) <= width else line[:width] + f"... ({len(line)} chars)" for line in a]
    clip_b = [line if len(line) <= width else line[:width] + f"... ({len(line)} chars)" for line in b]
    if a == b:
        return []
    out = list(difflib.unified_diff(clip, clip_b, *names, lineterm="", n=2))
    # long lines (base64 images) can differ beyond the clipped part
    return out or [f"(the outputs differ beyond the first {width} characters of a line)"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: chapters/*.ipynb")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--no-sanitize", action="store_true")
    parser.add_argument("--committed", action="store_true",
                        help="also compare the first run with the outputs saved in the file")
    args = parser.parse_args()

    os.environ.update(SINGLE_THREADED)  # kernels inherit this environment
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "chapters", "*.ipynb")))
    if not paths:
        print("no notebooks found")
        return 0
    sanitizers = [] if args.no_sanitize else load_sanitizers(
        os.path.join(ROOT, "chapters", "nbval_sanitize.cfg"))

    import nbformat
    failures = 0
    for path in paths:
        name = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
        runs = []
        for _ in range(2):
            notebook, error, seconds = execute(path, args.timeout)
            if error:
                break
            runs.append((canonical(notebook, sanitizers), seconds))
        if error:
            failures += 1
            print(f"{name}: ERROR (execution failed)\n{error}\n", flush=True)
            continue
        (first, t1), (second, t2) = runs
        lines = diff(first, second, ("run 1", "run 2"))
        if args.committed:
            stored = canonical(nbformat.read(path, as_version=4), sanitizers)
            lines += diff(stored, first, ("committed", "run 1"))
        verdict = "identical" if not lines else "different"
        failures += bool(lines)
        print(f"{name}: {verdict} ({t1:.1f}s, {t2:.1f}s)", flush=True)
        for line in lines:
            print("    " + line)
    print(f"\n{len(paths) - failures} of {len(paths)} notebooks identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
