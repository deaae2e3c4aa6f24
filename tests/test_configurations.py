"""The ways CPython is built, each configured --with-rust and tested.

Every build here is out of tree, from the read-only applied tree
(conftest), like tests/test_build.py's default build.  Each configuration
is checked for what it exists for: reference leaks in a debug build, the
GIL in a free-threaded build, the symbols a shared libpython exports,
installation, AddressSanitizer, clang, PGO with LTO.  CI runs the debug,
free-threaded and shared builds; the others are marked extended.  With
--extended, each configuration is also built without Rust, to compare the
interpreters' sizes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import PYINIT_SYMBOLS, RUST_SIZE_LIMIT, Build, new_build, snapshot, stripped_size


@dataclass(frozen=True)
class Configuration:
    name: str
    options: tuple[str, ...] = ()
    # Environment for configure, make and the interpreter.
    env: dict[str, str] = field(default_factory=dict)

    def environment(self, build_dir: Path) -> dict[str, str]:
        env = dict(os.environ, **self.env)
        if "--enable-shared" in self.options:
            env["LD_LIBRARY_PATH"] = str(build_dir)
        return env


PYDEBUG = Configuration("pydebug", ("--with-pydebug",))
FREE_THREADED = Configuration("disable-gil", ("--disable-gil",))
SHARED = Configuration("enable-shared", ("--enable-shared",))
DEFAULT = Configuration("default")
# --prefix is added by the install test, which needs a directory of its own.
INSTALL = Configuration("install")
# LeakSanitizer would fail every interpreter that exits with memory still
# allocated, which CPython does by design; CPython's CI turns it off too.
# Tests that an impossible allocation fails cleanly (MemoryError, a Rust
# try_reserve error) need malloc to return NULL, where ASan would abort.
# rustup's nightly toolchain (for configure, make and `make rust-test`)
# instruments the Rust code too: -Zsanitizer=address is a nightly option.
ASAN = Configuration("address-sanitizer",
                     ("--with-address-sanitizer", "--without-pymalloc"),
                     {"ASAN_OPTIONS": "detect_leaks=0:allocator_may_return_null=1",
                      "RUSTUP_TOOLCHAIN": "nightly"})
CLANG = Configuration("clang", env={"CC": "clang"})
NO_DOC_STRINGS = Configuration("without-doc-strings", ("--without-doc-strings",))
PGO_LTO = Configuration("pgo-lto", ("--enable-optimizations", "--with-lto"))

Builder = Callable[..., Build]


@pytest.fixture(scope="session")
def builder(applied_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Builder:
    """builder(configuration, rust=True, *extra_options): that build, made
    once per session."""
    builds: dict[tuple[str, bool, tuple[str, ...]], Build] = {}

    def build(config: Configuration, rust: bool = True, *extra: str) -> Build:
        key = (config.name, rust, extra)
        if key not in builds:
            name = f"{config.name}-{'rust' if rust else 'without-rust'}"
            made = new_build(applied_tree, tmp_path_factory, name)
            made.env = config.environment(made.path)
            made.configure("--with-rust" if rust else "--without-rust",
                           *config.options, *extra)
            made.make()
            builds[key] = made
        return builds[key]
    return build


def exported_symbols(binary: Path) -> set[str]:
    out = subprocess.run(["nm", "-D", "--defined-only", str(binary)],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines()}


# Debug build: reference leaks, and Rust built with its own checks.

def test_pydebug_has_no_reference_leaks(builder: Builder) -> None:
    build = builder(PYDEBUG)
    # Without hypothesis: its caches grow while it runs and would read as
    # leaks; the explicit tests cover every function and bad input kind.
    # The vector level tests run in child processes, whose references -R
    # does not count: they run once, in test_pydebug_regression_tests.
    result = build.regression_tests("-R", "3:3", "-i", "test_each_level", hypothesis=False)
    assert "leaked" not in result.stdout


def test_pydebug_builds_rust_with_checks(builder: Builder) -> None:
    build = builder(PYDEBUG)
    profile = build.python("-c", "import sysconfig; "
                           "print(sysconfig.get_config_var('CARGO_PROFILE'))").stdout
    assert profile.strip() == "pydebug"
    # Overflow checks leave their panic messages in the object.
    assert b"attempt to add with overflow" in (
        build.path / "Modules" / "_rust_modules.o").read_bytes()


def test_pydebug_regression_tests(builder: Builder) -> None:
    builder(PYDEBUG).regression_tests()


# Free-threaded build.

def test_free_threaded_keeps_the_gil_disabled(builder: Builder) -> None:
    build = builder(FREE_THREADED)
    env = {key: value for key, value in build.env.items() if key != "PYTHON_GIL"}
    out = build.python("-W", "error", "-c",
                       "import sys, sysconfig, _base64; "
                       "print(sysconfig.get_config_var('Py_GIL_DISABLED'), "
                       "sys._is_gil_enabled())", env=env).stdout
    assert out.split() == ["1", "False"]


def test_free_threaded_layout_and_unit_tests(builder: Builder) -> None:
    builder(FREE_THREADED).rust_tests()


def test_free_threaded_regression_tests(builder: Builder) -> None:
    # test__base64's ThreadingTests is the stress test; test__testrust's
    # test_threads updates one object from several threads at once.
    result = builder(FREE_THREADED).regression_tests("-v")
    assert re.search(r"test_shared_inputs \(.*ThreadingTests.*\) \.\.\. ok", result.stdout)
    assert re.search(r"test_threads \(.*TallyTests.*\) \.\.\. ok", result.stdout)


# Shared libpython.

def test_shared_make_smelly(builder: Builder) -> None:
    result = builder(SHARED).make("smelly")
    assert "OK: all exported symbols of all libraries" in result.stdout


def test_shared_exports_no_rust_symbols(builder: Builder, without_rust_build: Build) -> None:
    build = builder(SHARED)
    libpython = build.path / "libpython3.13.so.1.0"
    assert PYINIT_SYMBOLS <= exported_symbols(libpython)
    # The static interpreter without Rust exports everything libpython
    # defines (it is linked with -export-dynamic): the reference.
    reference = exported_symbols(without_rust_build.path / "python")
    for binary in (libpython, build.path / "python"):
        assert exported_symbols(binary) - reference <= PYINIT_SYMBOLS, binary


def test_shared_regression_tests(builder: Builder) -> None:
    builder(SHARED).regression_tests()


# Extended: installation, sanitizer, compilers, PGO and LTO.

@pytest.mark.extended
def test_install_and_distclean(builder: Builder, applied_tree: Path,
                               tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    build = builder(INSTALL, True, f"--prefix={prefix}")
    staged = tmp_path / "staged"
    build.make("install")
    build.make("install", f"DESTDIR={staged}")
    for python in (prefix / "bin" / "python3",
                   staged / str(prefix).lstrip("/") / "bin" / "python3"):
        result = subprocess.run(
            [str(python), "-c", "import sys, base64; "
             "print('_base64' in sys.builtin_module_names, "
             "base64.b64encode.__module__)"],
            capture_output=True, text=True, check=True)
        assert result.stdout.split() == ["True", "_base64"], python
        scratch = tmp_path / f"tests-{len(list(tmp_path.glob('tests-*')))}"
        scratch.mkdir()
        Build(applied_tree, scratch, build.env, interpreter=python).regression_tests()

    source_before = snapshot(applied_tree)
    build.make("clean")
    assert rust_artifacts(build.path) == []
    build.make("distclean")
    assert rust_artifacts(build.path) == []
    assert snapshot(applied_tree) == source_before


def rust_artifacts(directory: Path) -> list[str]:
    return [str(path.relative_to(directory)) for path in directory.rglob("*")
            if re.search(r"rust|\.rlib$|\.rmeta$", path.name, re.IGNORECASE)]


@pytest.mark.extended
def test_without_doc_strings(builder: Builder) -> None:
    # The Rust modules' docstrings are empty too, as PyDoc_STR makes C's.
    result = builder(NO_DOC_STRINGS).regression_tests("-v")
    assert re.search(r"test_without_docstrings \(.*\) \.\.\. ok", result.stdout)


@pytest.mark.extended
def test_address_sanitizer_instruments_rust(builder: Builder) -> None:
    build = builder(ASAN)
    flags = build.python("-c", "import sysconfig; "
                         "print(sysconfig.get_config_var('RUST_SANITIZER_FLAGS'))").stdout
    assert flags.strip() == "-Zsanitizer=address"
    # Instrumented loads and stores call ASan's checks; the C compiler's
    # -fsanitize=address links the runtime that defines them.
    out = subprocess.run(["nm", "--undefined-only", "Modules/_rust_modules.o"],
                         cwd=build.path, capture_output=True, text=True, check=True).stdout
    checks = {line.split()[-1] for line in out.splitlines()
              if re.search(r"__asan_(report_)?(load|store)", line)}
    assert len(checks) >= 4, out
    # Still nothing global but the PyInit functions, and ASan's flag that
    # its globals are registered: a common symbol, which objcopy cannot
    # make local, but hidden, so no binary exports it, and meant to be
    # shared by every object that LLVM instrumented.
    out = subprocess.run(["readelf", "--wide", "--symbols", "Modules/_rust_modules.o"],
                         cwd=build.path, capture_output=True, text=True, check=True).stdout
    defined_globals = {fields[7]: fields[5] for fields in map(str.split, out.splitlines())
                       if len(fields) == 8 and fields[4] in ("GLOBAL", "WEAK")
                       and fields[6] != "UND"}
    assert defined_globals == {**dict.fromkeys(PYINIT_SYMBOLS, "DEFAULT"),
                               "___asan_globals_registered": "HIDDEN"}


@pytest.mark.extended
def test_address_sanitizer_layout_and_unit_tests(builder: Builder) -> None:
    builder(ASAN).rust_tests()


@pytest.mark.extended
@pytest.mark.parametrize("config", [ASAN, CLANG, PGO_LTO], ids=lambda c: c.name)
def test_regression_tests(builder: Builder, config: Configuration) -> None:
    builder(config).regression_tests()


@pytest.mark.extended
@pytest.mark.parametrize("config", [DEFAULT, PYDEBUG, FREE_THREADED, SHARED, ASAN,
                                    CLANG, PGO_LTO], ids=lambda c: c.name)
def test_rust_size(builder: Builder, config: Configuration, tmp_path: Path) -> None:
    binary = "libpython3.13.so.1.0" if config is SHARED else "python"
    sizes = [stripped_size(builder(config, rust).path / binary, tmp_path)
             for rust in (False, True)]
    print(f"{config.name}: stripped {binary} {sizes[0]:,} bytes without Rust, "
          f"{sizes[1]:,} with (+{sizes[1] - sizes[0]:,})")
    # ASan's checks on every load and store about double the Rust code
    # (as they do the C code), in a build that is not for shipping.
    limit = 2 * RUST_SIZE_LIMIT if config is ASAN else RUST_SIZE_LIMIT
    assert 0 < sizes[1] - sizes[0] <= limit
