"""Mutation testing: do the tests catch realistic bugs? Plant each one in a copy and see.

    python scripts/mutants.py             # every mutant in scripts/mutant_catalog.py
    python scripts/mutants.py --list      # the mutants, with the files that should catch them
    python scripts/mutants.py --only NAME [--only NAME2]

The tracked (and untracked, not ignored) files are copied once to a temporary folder. For each
mutant the script replaces its ``find`` text (which must occur exactly once) by ``replace``,
runs the mutant's test files there with ``pytest -x -q``, and puts the file back. A mutant is
*killed* when the tests fail, *survived* when they pass; a run past the time limit counts as
killed (the bug made the tests hang) and is reported as such. The score is killed / all.
First, unless --skip-baseline, the chosen test files run once without a mutant: they must pass.

Mutants outside minitorch/fast/ run in reference mode (MINITORCH_REFERENCE=1), where their
code is the code that runs; those in minitorch/fast/ run with the accelerations installed.
The fuzz seed is pinned so that a run is reproducible.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutant_catalog import MUTANTS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S = 600


def copy_tree(target: Path) -> None:
    """The files git would commit (tracked, or untracked and not ignored), copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def apply(tree: Path, mutant, number: int):
    """Plant ``mutant`` in ``tree``; returns a function that puts the original file back.

    Python reuses a cached .pyc when the source's mtime and size match the ones it recorded, so
    each mutant's file gets an mtime of its own (the original's plus ``number`` seconds), and
    the original gets its own back: no mutant can run another's (or the original's) bytecode.
    """
    path = tree / mutant.path
    original, times = path.read_text(), path.stat()
    count = original.count(mutant.find)
    if count != 1:
        raise SystemExit(f"{mutant.name}: the text to replace occurs {count} times in {mutant.path}")
    path.write_text(original.replace(mutant.find, mutant.replace))
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns + number * 10 ** 9))

    def restore():
        path.write_text(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    return restore


def run_tests(tree: Path, mutant) -> tuple[str, float, str]:
    """('killed' | 'survived' | 'timeout' | 'error', seconds, the last line pytest printed)."""
    return run_pytest(tree, mutant.tests, mutant.path.startswith("minitorch/fast/"))


def check_baseline(tree: Path, mutants) -> None:
    """Without a mutant every chosen test file must pass (in each mode it is run in): a test
    that already fails would 'kill' every mutant it is asked about."""
    for fast in (False, True):
        files = sorted({t for m in mutants for t in m.tests
                        if m.path.startswith("minitorch/fast/") == fast})
        if files:
            verdict, seconds, last = run_pytest(tree, files, fast, stop_early=False)
            mode = "fast" if fast else "reference"
            print(f"baseline ({mode}): {last} [{seconds:.0f} s]", flush=True)
            if verdict != "survived":
                raise SystemExit("the tests fail without any mutant: fix them first")


def run_pytest(tree: Path, files, fast: bool, stop_early: bool = True) -> tuple[str, float, str]:
    """pytest on ``files`` in ``tree``: with the accelerations (``fast``) or in reference mode."""
    env = dict(os.environ, PYTHONPATH=str(tree), MINITORCH_FUZZ_SEED="0", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)
    if fast:
        env.pop("MINITORCH_REFERENCE", None)
    else:
        env["MINITORCH_REFERENCE"] = "1"
    command = [sys.executable, "-m", "pytest", *(["-x"] if stop_early else []), "-q",
               "-p", "no:cacheprovider", *files]
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True,
                              timeout=TIME_LIMIT_S if stop_early else 4 * TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - start, f"no result in {TIME_LIMIT_S} s"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    # pytest: 0 all passed, 1 a test failed, 2 collection failed (the mutant broke an import);
    # anything else (no such file, no tests) says nothing about the mutant
    verdict = {0: "survived", 1: "killed", 2: "killed"}.get(done.returncode, "error")
    return verdict, time.monotonic() - start, lines[-1] if lines else done.stderr[-200:]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run just this mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="do not first check that the tests pass without a mutant")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    unknown = set(args.only or ()) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"no mutant named {', '.join(sorted(unknown))}")
    if args.list:
        for m in chosen:
            print(f"{m.name:38} {m.area:8} {m.path}  ->  {' '.join(m.tests)}")
        print(f"{len(chosen)} mutants")
        return 0

    results = []
    with tempfile.TemporaryDirectory(prefix="minitorch-mutants-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        if not args.skip_baseline:
            check_baseline(tree, chosen)
        for number, m in enumerate(chosen, 1):
            restore = apply(tree, m, number)
            try:
                verdict, seconds, last = run_tests(tree, m)
            finally:
                restore()
            results.append((m, verdict))
            print(f"{verdict:8} {seconds:6.1f}s  {m.name:38} {last[:70]}", flush=True)

    killed = sum(verdict in ("killed", "timeout") for _, verdict in results)
    print(f"\n{'area':8} killed/all")
    for area in dict.fromkeys(m.area for m, _ in results):
        mine = [v for m, v in results if m.area == area]
        print(f"{area:8} {sum(v in ('killed', 'timeout') for v in mine)}/{len(mine)}")
    survivors = [m.name for m, v in results if v not in ("killed", "timeout")]
    print(f"\nscore: {killed}/{len(results)} killed ({100 * killed / max(len(results), 1):.1f}%)")
    print("not killed: " + (", ".join(survivors) if survivors else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
