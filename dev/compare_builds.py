"""Time _base64 as built from two revisions of this project, side by side.

Why: a change that must not make _base64 slower (a new glue macro, a
refactored kernel) is judged by the same functions timed in two builds
that differ only in the change, on one machine, in one sitting.  Timing
the two one after the other would let a slow spell of this shared virtual
machine fall on one build only; so the two are timed in alternating
rounds, and each function's best time in each build is compared.

Exports each revision of this repository (``git archive``; ``--head``
defaults to the checkout as it is, uncommitted changes included), applies
it with its own ``overlay.py`` to a copy of one pristine CPython tree,
builds it ``--with-rust`` under ``--work`` (reused when the revision is
unchanged), and times every function at every size on the inputs of
``dev/benchmark.py`` (``bench_worker.best_times``: timeit's best of
``--repeat``, one process per build and round, so that a comparison of
every function takes minutes per round, not the hours pyperf's processes take).
Prints one markdown table: MB/s of input of each build and head/base.

    python3 dev/compare_builds.py --cpython .work/pristine/Python-3.13.15 \\
        --base 8dfd368 --sizes 32,4096,1048576 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEV = PROJECT / "dev"
sys.path.insert(0, str(DEV))

from bench_worker import FUNCTIONS, VALIDATING  # noqa: E402
from benchmark import (  # noqa: E402
    Interpreter,
    mbps,
    print_tables,
    ratio,
    run,
    size_label,
    throughputs,
)

WORKTREE = "worktree"


def commit_of(revision: str) -> str:
    return subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
                          cwd=PROJECT, capture_output=True, text=True,
                          check=True).stdout.strip()


def export(revision: str, destination: Path) -> None:
    """This repository at `revision` (or as checked out) in `destination`."""
    if revision == WORKTREE:
        shutil.copytree(PROJECT, destination,
                        ignore=shutil.ignore_patterns(".work", ".git", "target"))
        return
    destination.mkdir(parents=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", "--format=tar", revision], cwd=PROJECT,
                       stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(destination, filter="data")


def build(cpython: Path, revision: str, work: Path) -> Interpreter:
    """CPython with the overlay of `revision`, configured --with-rust.

    A committed revision's build is kept and reused; the checkout's is
    remade each time from a fresh copy, since it may have changed."""
    name = WORKTREE if revision == WORKTREE else commit_of(revision)[:12]
    root = work / name
    if revision == WORKTREE or not (root / "build" / "python").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        export(revision, root / "project")
        shutil.copytree(cpython, root / "tree", symlinks=True)
        run(sys.executable, root / "project" / "overlay.py", "apply", root / "tree")
    return Interpreter(root / "tree", root / "build", "--with-rust")


def best_times(interpreter: Interpreter, functions: list[str], sizes: list[int],
               repeat: int, level: str | None) -> dict[str, float]:
    """bench_worker.best_times, run by `interpreter` (its SIMD level capped
    at `level`, if given)."""
    code = ("import json, sys, bench_worker; print(json.dumps(bench_worker.best_times("
            "sys.argv[1].split(','), [int(n) for n in sys.argv[2].split(',')], "
            "int(sys.argv[3]))))")
    output = subprocess.run(
        [interpreter.python, "-c", code, ",".join(functions), ",".join(map(str, sizes)),
         str(repeat)],
        env=dict(os.environ, PYTHONPATH=str(DEV),
                 **({"_PYTHON_BASE64_SIMD": level} if level else {})),
        capture_output=True, text=True,
        check=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpython", type=Path, required=True,
                        help="pristine CPython 3.13 source tree")
    parser.add_argument("--base", required=True, help="git revision measured against")
    parser.add_argument("--head", default=WORKTREE,
                        help="git revision measured (default: this checkout as it is)")
    parser.add_argument("--work", type=Path, default=PROJECT / ".work" / "compare",
                        help="where the builds go")
    parser.add_argument("--sizes", default="32,4096,1048576")
    parser.add_argument("--functions", default="",
                        help="comma-separated subset (default: all)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating rounds; each build's best is kept (default: 5)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timings of a function in a round (default: 5)")
    parser.add_argument("--level", help="cap both builds' SIMD level (_PYTHON_BASE64_SIMD)")
    parser.add_argument("--output", type=Path, help="also write the table here")
    args = parser.parse_args()
    builds = {"base": build(args.cpython.resolve(), args.base, args.work),
              "head": build(args.cpython.resolve(), args.head, args.work)}
    sizes = [int(size) for size in args.sizes.split(",")]
    functions = args.functions.split(",") if args.functions else FUNCTIONS + [VALIDATING]
    best: dict[tuple[str, str, int], float] = {}
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number} of {args.rounds}", flush=True)
        for name, interpreter in builds.items():
            times = best_times(interpreter, functions, sizes, args.repeat, args.level)
            measured = throughputs(times)
            for (_, function, size), value in measured.items():
                key = (name, function, size)
                best[key] = max(best.get(key, 0.0), value)

    level = args.level or "the best this CPU has"
    lines = [f"Best of {args.rounds} alternating rounds, MB/s of input; "
             f"base {args.base}, head {args.head}; SIMD level: {level}.", "",
             "| function | size | base MB/s | head MB/s | head/base |",
             "|---|---|---:|---:|---:|"]
    for function in functions:
        for size in sizes:
            base, head = best.get(("base", function, size)), best.get(("head", function, size))
            lines.append(f"| {function} | {size_label(size)} | {mbps(base)} | {mbps(head)} "
                         f"| {ratio(head, base)} |")
    print_tables(lines, args.output)


if __name__ == "__main__":
    main()
