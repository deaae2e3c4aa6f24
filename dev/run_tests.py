"""The test command: everything .ci/run checks, from a fresh clone.

Steps: install prerequisites (dev/prereqs.py) and the toolchains of the
aarch64 cross build (and, with --extended, of the i686 one and of the
oldest supported Rust: dev/toolchains.py); static checks (cargo fmt, ruff); fetch
the newest pristine CPython 3.13 and 3.13.5 from Debian's source packages
(or use --cpython-src and --cpython-src-old); then the pytest suite in
tests/, which applies the overlay to copies of those trees, configures and
builds CPython with and without Rust (natively and for aarch64, run under
qemu; with --extended also for i686 and with that Rust), and runs the
regression tests (with hypothesis installed into the built interpreter),
cargo test and clippy in the Rust builds.  Exits non-zero if anything
fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / ".work"
# The older 3.13 release tested too: before the a2b_base64 padding change
# of 3.13.13 and the docstring changes, so both behaviours are covered.
OLD_RELEASE = "3.13.5"
sys.path.insert(0, str(PROJECT / "dev"))

import fetch_cpython  # noqa: E402
import other_platforms  # noqa: E402
import prereqs  # noqa: E402
import toolchains  # noqa: E402


def step(title: str, *cmd: str | Path) -> int:
    print(f"\n=== {title}: {' '.join(map(str, cmd))}", flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=PROJECT, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpython-src", type=Path,
                        help="pristine CPython 3.13 tree (default: fetch from Debian)")
    parser.add_argument("--cpython-src-old", type=Path,
                        help=f"pristine tree of an older release (default: fetch {OLD_RELEASE})")
    parser.add_argument("--extended", action="store_true",
                        help="also build and test the extended configurations (install, "
                             "ASan, clang, PGO+LTO, sizes without Rust) and run the "
                             "whole regression suite with and without Rust (hours)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args()
    other_platforms.exit_unless_linux("dev/run_tests.py")

    prereqs.add_cargo_to_path()
    if step("prerequisites", sys.executable, "dev/prereqs.py"):
        return 1
    cross_targets = toolchains.TARGETS if args.extended else toolchains.CI_TARGETS
    if step("cross toolchains", sys.executable, "dev/toolchains.py", *cross_targets):
        return 1
    if args.extended and step("oldest supported Rust", sys.executable, "dev/toolchains.py",
                              "--rust", toolchains.msrv()):
        return 1
    failures = []
    for title, cmd in [("rustfmt", ["cargo", "fmt", "--check"]),
                       ("ruff", [sys.executable, "-m", "ruff", "check", "."])]:
        if step(title, *cmd):
            failures.append(title)
    source = args.cpython_src or fetch_cpython.fetch(WORK / "pristine", fresh=True)
    old_source = args.cpython_src_old or fetch_cpython.fetch(
        WORK / "pristine", OLD_RELEASE, fresh=True)
    if step("pytest", sys.executable, "-m", "pytest", "tests", "-v", "-s",
            "-p", "no:cacheprovider", "--durations=30", f"--cpython-src={source}",
            f"--cpython-src-old={old_source}", *(["--extended"] if args.extended else []),
            *args.pytest_args):
        failures.append("pytest")
    print(f"\n=== {'FAILED: ' + ', '.join(failures) if failures else 'all checks passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
