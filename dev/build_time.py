"""Time `configure && make -j2` of one applied tree with and without Rust.

Why: the PEP states what --with-rust adds to a build's time.  The test
suite's fixture times mix in other setup (copying and applying trees), so
this builds the two configurations alone, one after the other, each out
of tree in a fresh directory, and prints one table.  Run it on an
otherwise idle machine: it measures wall-clock time.

Usage: python3 dev/build_time.py --tree APPLIED_TREE [--work DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_build(tree: Path, build: Path, option: str, jobs: int) -> tuple[float, float]:
    """Seconds for configure and for make of one configuration."""
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run([str(tree / "configure"), "-q", option], cwd=build, check=True,
                   stdout=subprocess.DEVNULL)
    configured = time.perf_counter()
    subprocess.run(["make", f"-j{jobs}"], cwd=build, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return configured - start, time.perf_counter() - configured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True,
                        help="a CPython tree with the overlay applied (not built in-tree)")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary directory)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    if (tree / "Makefile").exists():
        parser.error(f"{tree} is configured in-tree; out-of-tree builds need a clean tree")
    with tempfile.TemporaryDirectory() as scratch:
        work = (args.work or Path(scratch)).resolve()
        rows = []
        for option in ("--without-rust", "--with-rust"):
            configure, make = timed_build(tree, work / option.lstrip("-"), option, args.jobs)
            rows.append((option, configure, make))
    print(f"configure && make -j{args.jobs} of {tree}")
    print(f"{'':16}{'configure':>12}{'make':>10}{'total':>10}")
    for option, configure, make in rows:
        print(f"{option:16}{configure:>11.1f}s{make:>9.1f}s{configure + make:>9.1f}s")
    without, with_rust = (configure + make for _, configure, make in rows)
    print(f"--with-rust adds {with_rust - without:.1f} s ({(with_rust / without - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
