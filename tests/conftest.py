"""Shared fixtures: a pristine CPython tree, applied copies, and builds.

The CPython source comes from ``--cpython-src`` (or $CPYTHON_SRC): a
pristine 3.13 tree, as dev/fetch_cpython.py extracts it.  Builds are
session-scoped and out of tree, so each configuration is built once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import overlay  # noqa: E402

JOBS = str(os.cpu_count() or 2)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpython-src", default=os.environ.get("CPYTHON_SRC"),
                     help="pristine CPython 3.13 source tree")
    parser.addoption("--cpython-src-old", default=os.environ.get("CPYTHON_SRC_OLD"),
                     help="a pristine tree of an older 3.13 release, also built and tested")


@pytest.fixture(scope="session")
def pristine_tree(request: pytest.FixtureRequest) -> Path:
    src = request.config.getoption("--cpython-src")
    if not src:
        pytest.fail("no CPython source: pass --cpython-src or set CPYTHON_SRC")
    path = Path(src).resolve()
    overlay.cpython_version(path)
    return path


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True,
                    ignore=shutil.ignore_patterns(".git"))
    return dest


def snapshot(tree: Path) -> dict[str, tuple[int, str]]:
    """Every file's mtime and content hash: equal snapshots, untouched tree."""
    state = {}
    for dirpath, _, filenames in os.walk(tree):
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_symlink():
                continue
            digest = hashlib.sha1(path.read_bytes()).hexdigest()
            state[str(path.relative_to(tree))] = (path.stat().st_mtime_ns, digest)
    return state


def run_overlay(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(PROJECT / "overlay.py"),
                           *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="session")
def applied_tree(pristine_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the pristine tree with the overlay applied (read-only use)."""
    tree = copy_tree(pristine_tree, tmp_path_factory.mktemp("applied") / "cpython")
    result = run_overlay("apply", tree)
    assert result.returncode == 0, result.stderr
    return tree


class Build:
    """An out-of-tree build directory of the applied tree."""

    def __init__(self, tree: Path, path: Path) -> None:
        self.tree = tree
        self.path = path
        self.log = path / "build.log"

    def run(self, *cmd: str | Path, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(c) for c in cmd], cwd=self.path, env=env,
                                capture_output=True, text=True)
        with self.log.open("a") as log:
            log.write(f"$ {' '.join(map(str, cmd))}\n{result.stdout}{result.stderr}")
        if check and result.returncode:
            pytest.fail(f"{cmd} failed ({result.returncode}):\n"
                        f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result

    def configure(self, *options: str, env: dict[str, str] | None = None,
                  check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(self.tree / "configure", *options, env=env, check=check)

    def make(self, *targets: str, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("make", f"-j{JOBS}", *targets, env=env, check=check)

    def python(self, *args: str, env: dict[str, str] | None = None,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(self.path / "python", *args, env=env, check=check)

    def with_hypothesis(self) -> dict[str, str]:
        """An environment in which this build's python imports hypothesis
        (installed from PyPI with the pip wheel CPython bundles)."""
        site = self.path / "hypothesis-site"
        if not site.is_dir():
            wheel = next((self.tree / "Lib" / "ensurepip" / "_bundled").glob("pip-*.whl"))
            self.python(f"{wheel}/pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", str(site), "hypothesis")
        return dict(os.environ, PYTHONPATH=str(site))


def new_build(tree: Path, factory: pytest.TempPathFactory, name: str) -> Build:
    return Build(tree, factory.mktemp(name))


@pytest.fixture(scope="session")
def old_rust_build(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`configure --with-rust && make` of the older release (--cpython-src-old)."""
    src = request.config.getoption("--cpython-src-old")
    if not src:
        pytest.skip("no older CPython tree (--cpython-src-old)")
    tree = copy_tree(Path(src).resolve(), tmp_path_factory.mktemp("applied-old") / "cpython")
    result = run_overlay("apply", tree)
    assert result.returncode == 0, result.stderr
    build = new_build(tree, tmp_path_factory, "build-rust-old")
    build.configure("--with-rust")
    build.make()
    return build


@pytest.fixture(scope="session")
def rust_build(applied_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`configure --with-rust && make`, out of tree, with no Python on PATH:
    the Rust rules must need nothing CPython's own build does not."""
    build = new_build(applied_tree, tmp_path_factory, "build-rust")
    env = environment_without("python*", scratch=tmp_path_factory.mktemp("no-python"))
    build.configure("--with-rust", env=env)
    build.make(env=env)
    return build


def environment_without(*programs: str, base: dict[str, str] | None = None,
                        scratch: Path) -> dict[str, str]:
    """A copy of the environment whose PATH finds none of `programs` (a
    name ending in "*" is a prefix): a directory of links to every other
    program on PATH."""
    prefixes = tuple(p[:-1] for p in programs if p.endswith("*"))
    env = dict(base or os.environ)
    bindir = scratch / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    for directory in env["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            link = bindir / name
            hidden = name in programs or (prefixes and name.startswith(prefixes))
            if hidden or link.exists() or link.is_symlink():
                continue
            target = Path(directory, name)
            if os.access(target, os.X_OK) and not target.is_dir():
                link.symlink_to(target)
    env["PATH"] = str(bindir)
    return env
