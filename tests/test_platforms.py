"""Builds for the other Linux platforms these machines can run, and with
the oldest Rust the workspace supports.

- aarch64 (PEP 11 tier 1): cross-compiled through configure's ordinary
  interface (--host, --build, --with-build-python) with Debian's cross gcc
  and Rust standard library, and run under qemu-user: the regression
  tests, `make rust-test` (the NEON kernels against the portable code, and
  bindgen's layout tests of the aarch64 headers) and the symbol checks.
- i686: cross-compiled the same way and run natively: the 32-bit build,
  where Py_ssize_t and usize are 32 bits wide.
- The workspace's rust-version, with Debian's rustc of that version: a
  native build and its tests.

CI runs the aarch64 build; the i686 and rust-version builds are marked
extended.

dev/toolchains.py installs the C toolchains and unpacks Debian's rustc
under .work/ (a no-op when they are there).  The build python of the
cross builds is the native build without Rust, which no other test
changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PROJECT, PYINIT_SYMBOLS, Build, new_build

sys.path.insert(0, str(PROJECT / "dev"))

import toolchains

CROSS_TARGETS = sorted(toolchains.TARGETS)
# aarch64 is tier 1 and runs in CI; the i686 build runs with --extended,
# to keep CI within its time.
CROSS_BUILDS = [pytest.param(name, marks=[] if name in toolchains.CI_TARGETS
                             else [pytest.mark.extended])
                for name in CROSS_TARGETS]


class CrossBuild(Build):
    """A build for another target: its programs run through the target's
    emulator, and packages for it are installed by the build python."""

    def __init__(self, tree: Path, path: Path, target: toolchains.Target,
                 build_python: Build) -> None:
        super().__init__(tree, path)
        self.target = target
        self.build_python = build_python

    def pip_install(self, site: Path, *args: str) -> None:
        # The target's name is its manylinux architecture.
        self.build_python.pip_install(
            site, "--platform", f"manylinux2014_{self.target.name}",
            "--python-version", "3.13", "--implementation", "cp", "--abi", "cp313",
            *args)


CrossBuilder = Callable[[str], CrossBuild]


def build_triple(tree: Path) -> str:
    return subprocess.run([str(tree / "config.guess")], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.fixture(scope="session")
def cross_rustc(request: pytest.FixtureRequest) -> Path:
    names = CROSS_TARGETS if request.config.getoption("--extended") else toolchains.CI_TARGETS
    targets = toolchains.install_targets(names)
    return toolchains.debian_rust(toolchains.CROSS_RUST, targets)


@pytest.fixture(scope="session")
def cross_builder(applied_tree: Path, without_rust_build: Build, cross_rustc: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> CrossBuilder:
    """cross_builder(name): `configure --host=... --with-rust && make` for
    that target, made once per session."""
    builds: dict[str, CrossBuild] = {}

    def build(name: str) -> CrossBuild:
        if name not in builds:
            target = toolchains.TARGETS[name]
            made = CrossBuild(applied_tree, tmp_path_factory.mktemp(f"cross-{name}"),
                              target, without_rust_build)
            made.env.update(toolchains.cross_environment(
                target, cross_rustc, made.path / "config.site"))
            made.configure(f"--host={target.host}", f"--build={build_triple(applied_tree)}",
                           f"--with-build-python={without_rust_build.path / 'python'}",
                           "--with-rust")
            made.make()
            made.interpreter = toolchains.write_launcher(target, made.path / "python")
            builds[name] = made
        return builds[name]
    return build


def nm(target: toolchains.Target, *args: str | Path) -> set[str]:
    out = subprocess.run([f"{target.host}-nm", *map(str, args)], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if len(line.split()) >= 3}


@pytest.mark.parametrize("name", CROSS_BUILDS)
def test_cross_base64_is_builtin(cross_builder: CrossBuilder, name: str) -> None:
    build = cross_builder(name)
    out = build.python("-c", "import struct, sys, sysconfig, _base64; "
                       "print(sysconfig.get_config_var('MULTIARCH'), "
                       "struct.calcsize('P') * 8, "
                       "'_base64' in sys.builtin_module_names, "
                       "sysconfig.get_config_var('RUST_TARGET'), "
                       "_base64.b64encode(b'Rust'))").stdout
    bits = "64" if name == "aarch64" else "32"
    assert out.split() == [build.target.multiarch, bits, "True",
                           build.target.rust_target, "b'UnVzdA=='"]


@pytest.mark.parametrize("name", CROSS_BUILDS)
def test_cross_exports_only_pyinit(cross_builder: CrossBuilder, name: str) -> None:
    build = cross_builder(name)
    modobj = build.path / "Modules" / "_rust_modules.o"
    assert nm(build.target, "-g", "--defined-only", modobj) == PYINIT_SYMBOLS
    # Of everything the Rust library defines globally (std, compiler
    # builtins, the modules), python exports the PyInit functions alone.  (Its
    # exports are not compared with this machine's build: the linker's
    # own symbols differ per target.)
    library = (build.path / "build" / "rust" / "target" / build.target.rust_target
               / "release" / "libcpython_rust_modules.a")
    rust_globals = nm(build.target, "-g", "--defined-only", library)
    exported = nm(build.target, "-D", "--defined-only", build.path / "python")
    assert len(rust_globals) > 100
    assert exported & rust_globals == PYINIT_SYMBOLS


def skipped_tests(output: str) -> list[str]:
    return re.findall(r"^(\S+) \(.*\) \.\.\. skipped (.*)$", output, re.MULTILINE)


# Under qemu (aarch64), each test takes 10 to 20 times as long.  The
# generated tests of the codecs that have no aarch64 kernels (base32, the
# base85 family) and of callback order (argument handling) run the same
# portable 64-bit Rust as on x86-64, where they run in full; the explicit
# tests of those codecs still run here.
QEMU_IGNORED = ["*PropertyTests.test_b32*", "*PropertyTests.test_[abz]85*",
                 "CallbackOrderTests"]


@pytest.mark.parametrize("name", CROSS_BUILDS)
def test_cross_regression_tests(cross_builder: CrossBuilder, name: str) -> None:
    patterns = QEMU_IGNORED if name == "aarch64" else []
    ignored = [option for pattern in patterns for option in ("-i", pattern)]
    result = cross_builder(name).regression_tests("-v", *ignored)
    # Real hypothesis, not the explicit examples alone.
    assert re.search(r"test_b64decode \(test\.test__base64\.PropertyTests.*\) \.\.\. ok",
                     result.stdout)
    # Each vector level this target has ran against the Python code.
    assert re.search(r"test_each_level \(.*VectorLevelTests.*\) \.\.\. ok", result.stdout)
    for test, reason in skipped_tests(result.stdout):
        print(f"skipped on {name}: {test}: {reason}")


@pytest.mark.parametrize("name", CROSS_BUILDS)
def test_cross_cargo_tests(cross_builder: CrossBuilder, name: str) -> None:
    result = cross_builder(name).rust_tests()
    # Every crate, tests included, compiles for the target without a warning.
    assert "warning" not in result.stderr, result.stderr[-5000:]
    if name == "aarch64":
        assert re.search(r"^test codec::simd::tests::aarch64_has_neon \.\.\. ok$",
                         result.stdout, re.MULTILINE)


def test_cross_build_without_target_std_is_refused(applied_tree: Path, without_rust_build: Build,
                                                   tmp_path: Path) -> None:
    # rustup's rustc has no aarch64 standard library on these machines.
    target = toolchains.TARGETS["aarch64"]
    build = Build(applied_tree, tmp_path)
    (tmp_path / "config.site").write_text(toolchains.CONFIG_SITE)
    env = dict(os.environ, CONFIG_SITE=str(tmp_path / "config.site"))
    result = build.configure(f"--host={target.host}", f"--build={build_triple(applied_tree)}",
                             f"--with-build-python={without_rust_build.path / 'python'}",
                             "--with-rust", env=env, check=False)
    assert result.returncode != 0
    assert (f"the Rust standard library for {target.rust_target}: "
            f"rustup target add {target.rust_target}") in result.stderr


# The oldest Rust the workspace supports.

@pytest.fixture(scope="session")
def msrv_build(applied_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    rustc = toolchains.debian_rust(toolchains.msrv(), [])
    build = new_build(applied_tree, tmp_path_factory, "msrv")
    build.env["RUSTC"] = str(rustc)
    build.configure("--with-rust")
    build.make()
    return build


@pytest.mark.extended
def test_msrv_build_uses_that_rustc(msrv_build: Build) -> None:
    assert (f"checking whether rustc is at least {toolchains.msrv()}... "
            f"yes, {toolchains.msrv()}.") in msrv_build.log.read_text()


@pytest.mark.extended
def test_msrv_regression_tests(msrv_build: Build) -> None:
    msrv_build.regression_tests()


@pytest.mark.extended
def test_msrv_cargo_tests(msrv_build: Build) -> None:
    result = msrv_build.rust_tests()
    assert "warning" not in result.stderr, result.stderr[-5000:]


# It needs the i686 Rust standard library, which only the extended run
# installs (with the i686 toolchain).
@pytest.mark.extended
def test_rust_target_of_another_pointer_size_is_refused(applied_tree: Path, cross_rustc: Path,
                                                        tmp_path: Path) -> None:
    # As with CC="gcc -m32" and no --host: a 64-bit C compiler, a 32-bit
    # Rust target (whose standard library is there).
    target = toolchains.TARGETS["i686"]
    build = Build(applied_tree, tmp_path)
    result = build.configure("--with-rust", f"RUSTC={cross_rustc}",
                             f"RUST_TARGET={target.rust_target}", check=False)
    assert result.returncode != 0
    assert (f"checking whether {target.rust_target} has the C compiler's pointer size... "
            "no, 32 bits for Rust, 64 for C") in result.stdout
    assert "a Rust target for this C compiler" in result.stderr
