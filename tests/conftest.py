"""Shared fixtures: a pristine CPython tree, applied copies, and builds.

The CPython source comes from ``--cpython-src`` (or $CPYTHON_SRC): a
pristine 3.13 tree, as dev/fetch_cpython.py extracts it.  Builds are
session-scoped and out of tree, so each configuration is built once, and
the applied trees they build from are read-only (as in CPython's own CI):
when the tests run as root, the build commands run without the
capabilities that let root write to read-only files.

Tests marked ``extended`` (more configurations, the whole regression
suite) run only with ``--extended``.
"""

from __future__ import annotations

import hashlib
import os
import re
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
    parser.addoption("--extended", action="store_true",
                     help="also run the tests marked extended (slow)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "extended: run only with --extended")


def pytest_collection_modifyitems(config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    if config.getoption("--extended"):
        return
    skip = pytest.mark.skip(reason="extended: run with --extended")
    for item in items:
        if "extended" in item.keywords:
            item.add_marker(skip)


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


def read_only_applied_copy(source: Path, dest: Path) -> Path:
    """A copy of `source` with the overlay applied, then made read-only."""
    tree = copy_tree(source, dest)
    result = run_overlay("apply", tree)
    assert result.returncode == 0, result.stderr
    subprocess.run(["chmod", "-R", "a-w", str(tree)], check=True)
    return tree


@pytest.fixture(scope="session")
def applied_tree(pristine_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only copy of the pristine tree with the overlay applied."""
    return read_only_applied_copy(pristine_tree,
                                  tmp_path_factory.mktemp("applied") / "cpython")


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd`, run so that file permissions apply even to root: without the
    capabilities that let root write to read-only files (util-linux's
    setpriv)."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root needs setpriv (util-linux) to drop privileges"
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", *cmd]


class Build:
    """An out-of-tree build directory of the applied tree."""

    def __init__(self, tree: Path, path: Path, env: dict[str, str] | None = None,
                 interpreter: Path | None = None) -> None:
        self.tree = tree
        self.path = path
        self.interpreter = interpreter or path / "python"
        self.log = path / "build.log"
        # The environment of every command unless one is given.
        self.env = dict(env or os.environ)

    def run(self, *cmd: str | Path, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(unprivileged([str(c) for c in cmd]), cwd=self.path,
                                env=env or self.env, capture_output=True, text=True)
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
        return self.run(self.interpreter, *args, env=env, check=check)

    def with_hypothesis(self) -> dict[str, str]:
        """An environment in which this build's python imports hypothesis
        (installed from PyPI with the pip wheel CPython bundles)."""
        site = self.path / "hypothesis-site"
        if not site.is_dir():
            self.pip_install(site, "hypothesis")
        return dict(self.env, PYTHONPATH=str(site))

    def pip_install(self, site: Path, *args: str) -> None:
        """pip install --target `site`, with the pip wheel CPython bundles
        run by this build's python."""
        wheel = next((self.tree / "Lib" / "ensurepip" / "_bundled").glob("pip-*.whl"))
        # Wheels only: newer hypothesis releases have no wheel for some
        # ABIs (the free-threaded cp313t) and their sdist builds Rust code
        # from crates.io; pip then takes the newest release that has a
        # pure-Python wheel.
        self.python(f"{wheel}/pip", "install", "--quiet", "--disable-pip-version-check",
                    "--only-binary=:all:", "--target", str(site), *args)

    def rust_tests(self) -> subprocess.CompletedProcess[str]:
        """`make rust-test`; fail unless it passed and ran the bindgen
        layout tests of this build's headers (the largest group)."""
        result = self.make("rust-test", check=False)
        print(summary(result.stdout))
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
        counts = [int(n) for n in re.findall(r"test result: ok\. (\d+) passed", result.stdout)]
        assert max(counts) >= 50
        return result

    def regression_tests(self, *options: str, hypothesis: bool = True
                         ) -> subprocess.CompletedProcess[str]:
        """Run REGRESSION_TESTS; fail unless every one ran and passed."""
        env = self.with_hypothesis() if hypothesis else self.env
        result = self.python("-m", "test", *options, *REGRESSION_TESTS,
                             env=env, check=False)
        print(summary(result.stdout))
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
        assert "Result: SUCCESS" in result.stdout
        # "(filtered)" when some tests were left out with -i.
        assert re.search(rf"Total test files: run={len(REGRESSION_TESTS)}/"
                         rf"{len(REGRESSION_TESTS)}( \(filtered\))?$", result.stdout,
                         re.MULTILINE)
        return result


# The most that the Rust modules may add to a stripped interpreter.
RUST_SIZE_LIMIT = 512 * 1024

# The PyInit functions of the registered Rust modules: what the Rust
# object (and so the interpreter) may export.
PYINIT_SYMBOLS = {f"PyInit_{module.name}" for module in overlay.RUST_MODULES}

# Each registered module's regression test (Lib/test/test_<name>.py), and
# those of the Python module _base64 accelerates.
REGRESSION_TESTS = [*(f"test_{module.name}" for module in overlay.RUST_MODULES),
                    "test_base64", "test_binascii"]


def summary(output: str) -> str:
    """The runner's closing lines, for the log."""
    lines = [line for line in output.splitlines()
             if re.match(r"(Total tests|Result|test result|== Tests result)", line.strip())]
    return "\n".join(lines)


def stripped_size(binary: Path, scratch: Path) -> int:
    """The size of `binary` once stripped of symbols and debug information."""
    stripped = scratch / f"{binary.name}.stripped"
    subprocess.run(["strip", "-o", str(stripped), str(binary)], check=True)
    return stripped.stat().st_size


def new_build(tree: Path, factory: pytest.TempPathFactory, name: str,
              env: dict[str, str] | None = None) -> Build:
    return Build(tree, factory.mktemp(name), env)


@pytest.fixture(scope="session")
def old_rust_build(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`configure --with-rust && make` of the older release (--cpython-src-old)."""
    src = request.config.getoption("--cpython-src-old")
    if not src:
        pytest.skip("no older CPython tree (--cpython-src-old)")
    tree = read_only_applied_copy(Path(src).resolve(),
                                  tmp_path_factory.mktemp("applied-old") / "cpython")
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


@pytest.fixture(scope="session")
def without_rust_build(applied_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = new_build(applied_tree, tmp_path_factory, "build-without-rust")
    build.configure("--without-rust")
    build.make()
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
