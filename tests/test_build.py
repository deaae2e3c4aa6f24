"""Builds: with Rust (tests, symbols, incremental make, clean) and without.

Each configuration is built once per session, out of tree, with
`make -j<cores>`.  The tests that change the build (touching sources,
`make clean`) come last in this file and pytest keeps file order.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import overlay
from conftest import (
    JOBS,
    PYINIT_SYMBOLS,
    REGRESSION_TESTS,
    RUST_SIZE_LIMIT,
    Build,
    environment_without,
    new_build,
    stripped_size,
    summary,
)


def defined_symbols(*nm_args: str | Path) -> set[str]:
    out = subprocess.run(["nm", *map(str, nm_args)], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if len(line.split()) >= 3}


@pytest.fixture(scope="session")
def auto_without_bindgen_build(applied_tree: Path,
                               tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = new_build(applied_tree, tmp_path_factory, "build-auto-no-bindgen")
    env = environment_without("bindgen", scratch=tmp_path_factory.mktemp("no-bindgen"))
    result = build.configure("--with-rust=auto", env=env)
    build.configure_stderr = result.stderr  # type: ignore[attr-defined]
    build.make(env=env)
    return build


def test_base64_is_builtin_rust(rust_build: Build) -> None:
    out = rust_build.python("-c", "import sys, sysconfig, _base64; "
                            "print('_base64' in sys.builtin_module_names, "
                            "sysconfig.get_config_var('WITH_RUST'), "
                            "_base64.b64encode(b'Rust'))").stdout
    assert out.split() == ["True", "yes", "b'UnVzdA=='"]


def run_regression_suite(build: Build) -> None:
    result = build.regression_tests("-v")
    # The property tests ran with real hypothesis, not the stubs.
    assert re.search(r"test_b64decode \(test\.test__base64\.PropertyTests.*\) \.\.\. ok",
                     result.stdout)


def test_stdlib_module_names_match_the_generator(rust_build: Build) -> None:
    # What `make regen-stdlib-module-names` would write (it writes into
    # the source tree, which is read-only here) equals the overlay's edit.
    generator = rust_build.tree / "Tools" / "build" / "generate_stdlib_module_names.py"
    result = rust_build.run(rust_build.interpreter, generator)
    names = (rust_build.tree / "Python" / "stdlib_module_names.h").read_text()
    assert result.stdout == names
    for module in overlay.RUST_MODULES:
        assert (f'"{module.name}",' in names) == (not module.is_test), module


def test_regression_suite(rust_build: Build) -> None:
    run_regression_suite(rust_build)


def test_regression_suite_older_release(old_rust_build: Build) -> None:
    run_regression_suite(old_rust_build)


def test_cargo_tests(rust_build: Build) -> None:
    rust_build.rust_tests()


def test_clippy(rust_build: Build) -> None:
    # Lints need this build's bindings, so they run here rather than alone.
    env = dict(os.environ,
               CPYTHON_SYS_BINDINGS=str(rust_build.path / "build/rust/cpython_sys_bindings.rs"),
               CPYTHON_SYS_PYCONFIG_H=str(rust_build.path / "pyconfig.h"))
    result = subprocess.run(
        ["cargo", "clippy", "--offline", "--locked", "--workspace", "--all-targets",
         "--manifest-path", str(rust_build.tree / "Cargo.toml"),
         "--target-dir", str(rust_build.path / "build/rust/clippy"), "--", "-D", "warnings"],
        env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-5000:]


def test_only_pyinit_symbols_are_global(rust_build: Build) -> None:
    modobj = rust_build.path / "Modules" / "_rust_modules.o"
    assert defined_symbols("-g", "--defined-only", modobj) == PYINIT_SYMBOLS


def test_release_profile_has_no_overflow_checks(rust_build: Build) -> None:
    # The counterpart of the pydebug build's check (test_configurations).
    assert b"attempt to add with overflow" not in (
        rust_build.path / "Modules" / "_rust_modules.o").read_bytes()


def exported_symbols(binary: Path) -> set[str]:
    return defined_symbols("-D", "--defined-only", binary)


def test_interpreter_exports_no_rust_symbols(rust_build: Build,
                                             without_rust_build: Build) -> None:
    # The interpreter is linked with -export-dynamic: it exports what it
    # defines, the Rust object's symbols included unless they are local.
    added = (exported_symbols(rust_build.path / "python")
             - exported_symbols(without_rust_build.path / "python"))
    assert added == PYINIT_SYMBOLS


def test_rust_size(rust_build: Build, without_rust_build: Build, tmp_path: Path) -> None:
    with_rust = stripped_size(rust_build.path / "python", tmp_path)
    without = stripped_size(without_rust_build.path / "python", tmp_path)
    print(f"stripped python: {without:,} bytes without Rust, {with_rust:,} with "
          f"(+{with_rust - without:,})")
    assert 0 < with_rust - without <= RUST_SIZE_LIMIT


def test_without_rust(without_rust_build: Build) -> None:
    out = without_rust_build.python("-c", "import sys, sysconfig; "
                                    "print('_base64' in sys.builtin_module_names, "
                                    "sysconfig.get_config_var('WITH_RUST'))").stdout
    assert out.split() == ["False", "no"]
    assert not (without_rust_build.path / "build" / "rust").exists()
    assert not (without_rust_build.path / "Modules" / "_rust_modules.o").exists()
    result = without_rust_build.python("-m", "test", *REGRESSION_TESTS, check=False)
    print(summary(result.stdout))
    assert result.returncode == 0, result.stdout[-5000:]
    assert "test__base64 skipped" in result.stdout
    assert "built without Rust modules" in result.stdout


# Extended: test_configure's test_auto_without_bindgen_warns checks the
# Makefile this configuration makes (no Rust objects, _base64 missing), and
# without_rust_build builds and tests that Makefile's kind; this full build
# adds only the proof that make never calls bindgen, for ~2 CI minutes.
@pytest.mark.extended
def test_auto_without_bindgen_builds(auto_without_bindgen_build: Build) -> None:
    build = auto_without_bindgen_build
    assert "not building the Rust modules" in build.configure_stderr  # type: ignore[attr-defined]
    result = build.python("-c", "import _base64", check=False)
    assert "No module named '_base64'" in result.stderr
    log = build.log.read_text()
    assert re.search(r"optional modules were not found:\n_base64\b", log)


def failed_tests(output: str) -> set[str]:
    """The tests regrtest's summary lists as failed (env changed included)."""
    names: set[str] = set()
    pattern = r"^\d+ tests? (?:failed|altered the execution environment.*):\n((?:    .*\n)+)"
    for block in re.findall(pattern, output, re.MULTILINE):
        names.update(block.split())
    return names


@pytest.mark.extended
def test_whole_regression_suite(rust_build: Build, without_rust_build: Build) -> None:
    # No test fails with Rust that does not fail without it too.
    failures = {}
    for build in (rust_build, without_rust_build):
        result = build.python("-m", "test", f"-j{JOBS}", check=False)
        print(f"{build.path.name}:\n{summary(result.stdout)}\n"
              f"failed: {sorted(failed_tests(result.stdout))}")
        assert re.search(r"^Result: (SUCCESS|FAILURE)", result.stdout, re.MULTILINE)
        failures[build] = failed_tests(result.stdout)
    assert failures[rust_build] <= failures[without_rust_build]


# The tests below change rust_build: keep them last.

def rust_activity(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of a make run that built or linked Rust code."""
    return [line for line in result.stdout.splitlines()
            if re.search(r"cargo build|bindgen |objcopy |_rust_modules\.o", line)]


def test_noop_make_does_nothing(rust_build: Build) -> None:
    python = rust_build.path / "python"
    before = python.stat().st_mtime_ns
    result = rust_build.make()
    assert rust_activity(result) == []
    assert python.stat().st_mtime_ns == before


def test_touching_rust_source_rebuilds_and_relinks(rust_build: Build) -> None:
    python = rust_build.path / "python"
    before = python.stat().st_mtime_ns
    (rust_build.tree / "Modules" / "_base64" / "src" / "codec" / "base64.rs").touch()
    result = rust_build.make()
    assert "Compiling _base64" in result.stderr
    assert python.stat().st_mtime_ns > before
    assert rust_build.python("-c", "import _base64; print(_base64.b64encode(b'x'))").stdout \
        == "b'eA=='\n"


def test_touching_binding_header_regenerates_bindings(rust_build: Build) -> None:
    bindings = rust_build.path / "build" / "rust" / "cpython_sys_bindings.rs"
    before = bindings.stat().st_mtime_ns
    (rust_build.tree / "cpython-sys" / "bindgen.h").touch()
    result = rust_build.make()
    assert bindings.stat().st_mtime_ns > before
    assert "Compiling cpython-sys" in result.stderr


def test_reconfiguring_regenerates_bindings(rust_build: Build) -> None:
    bindings = rust_build.path / "build" / "rust" / "cpython_sys_bindings.rs"
    before = bindings.stat().st_mtime_ns
    # An option that changes pyconfig.h (WITH_DOC_STRINGS).
    rust_build.configure("--with-rust", "--without-doc-strings")
    assert "#define WITH_DOC_STRINGS" not in (rust_build.path / "pyconfig.h").read_text()
    planned = rust_build.run("make", "-n").stdout
    assert "bindgen " in planned and "cargo build" in planned
    rust_build.run("make", bindings)
    assert bindings.stat().st_mtime_ns > before


def test_make_clean_removes_rust_outputs(rust_build: Build) -> None:
    rust_build.make("clean")
    assert not (rust_build.path / "build" / "rust").exists()
    assert not (rust_build.path / "Modules" / "_rust_modules.o").exists()
