"""The main job: CPython 3.13 built with its Rust modules, shown working.

Steps: install missing prerequisites (dev/prereqs.py); obtain a CPython 3.13
source tree (a directory or release tarball given with --cpython, else the
newest pristine upstream tarball from Debian's source packages); apply this
project to it (overlay.py); configure --with-rust and make, out of tree;
then run dev/showcase.py with the new interpreter.

A directory given with --cpython is applied in place (that is what
`overlay.py apply` is for); a tarball is extracted under .work/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / ".work"
sys.path.insert(0, str(PROJECT / "dev"))

import fetch_cpython  # noqa: E402
import other_platforms  # noqa: E402
import prereqs  # noqa: E402


def run(*cmd: str | Path, cwd: Path | None = None) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True)


def source_tree(given: Path | None) -> Path:
    if given is None:
        return fetch_cpython.fetch(WORK)
    given = given.resolve()
    if given.is_dir():
        return given
    if tarfile.is_tarfile(given):
        return fetch_cpython.extract(given, WORK)
    sys.exit(f"{given}: neither a directory nor a tarball")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpython", type=Path,
                        help="CPython 3.13 source directory or release tarball")
    parser.add_argument("--build-dir", type=Path,
                        help="where to build (default: .work/build-<tree name>)")
    args = parser.parse_args()
    other_platforms.exit_unless_linux("dev/demo.py")

    prereqs.add_cargo_to_path()
    run(sys.executable, PROJECT / "dev" / "prereqs.py", "--no-pip")
    WORK.mkdir(exist_ok=True)
    tree = source_tree(args.cpython)
    run(sys.executable, PROJECT / "overlay.py", "apply", tree)
    build = (args.build_dir or WORK / f"build-{tree.name}").resolve()
    build.mkdir(parents=True, exist_ok=True)
    if not (build / "Makefile").exists():
        run(tree / "configure", "--with-rust", cwd=build)
    run("make", f"-j{os.cpu_count() or 2}", cwd=build)
    print()
    run(build / "python", PROJECT / "dev" / "showcase.py")
    print(f"\nThe interpreter is {build / 'python'}; try:\n"
          f"  {build / 'python'} -m test test__base64 test_base64 test_binascii")


if __name__ == "__main__":
    main()
