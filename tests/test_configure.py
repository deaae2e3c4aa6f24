"""configure --with-rust: options, detection and the messages it gives.

These run configure only (no make); the builds are in test_build.py.  To
keep them fast they share a configure cache (config.cache) of the C checks,
from which every result about Rust tools is removed, so each test detects
cargo, rustc, bindgen and objcopy afresh.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
from pathlib import Path

import pytest

import overlay
from conftest import Build, environment_without

RUST_CACHE_ENTRY = re.compile(r"CARGO|RUSTC|BINDGEN|OBJCOPY|RUST_TARGET|LIBCLANG_PATH")


@pytest.fixture(scope="session")
def c_checks_cache(applied_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    build = Build(applied_tree, tmp_path_factory.mktemp("configure-cache"))
    build.configure("--without-rust", "--cache-file=config.cache")
    lines = (build.path / "config.cache").read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not RUST_CACHE_ENTRY.search(line))


class CachedBuild(Build):
    def configure(self, *options: str, **kwargs):  # type: ignore[no-untyped-def]
        return super().configure("--cache-file=config.cache", *options, **kwargs)


@pytest.fixture
def build(applied_tree: Path, tmp_path: Path, c_checks_cache: str) -> Build:
    path = tmp_path / "build"
    path.mkdir()
    (path / "config.cache").write_text(c_checks_cache)
    return CachedBuild(applied_tree, path)


def makefile_vars(build: Build) -> dict[str, str]:
    values = {}
    for line in (build.path / "Makefile").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip().isidentifier():
            values.setdefault(name.strip(), value.strip())
    return values


def test_help_documents_options(build: Build) -> None:
    text = build.configure("--help").stdout
    assert "--with-rust[=yes|no|auto]" in text
    for variable in ("CARGO", "RUSTC", "BINDGEN", "RUST_TARGET"):
        assert f"  {variable} " in text


def test_bad_value(build: Build) -> None:
    result = build.configure("--with-rust=maybe", check=False)
    assert result.returncode != 0
    assert "invalid value 'maybe' for --with-rust: use yes, no or auto" in result.stderr


def test_yes_without_cargo_fails(build: Build, tmp_path: Path) -> None:
    env = environment_without("cargo", "rustc", scratch=tmp_path)
    result = build.configure("--with-rust", env=env, check=False)
    assert result.returncode != 0
    assert "--with-rust: missing prerequisites" in result.stderr
    assert "cargo: install Rust with rustup (https://rustup.rs) or set CARGO" in result.stderr
    assert "rustc >= 1.85: install Rust with rustup" in result.stderr


def test_old_rustc_fails(build: Build, tmp_path: Path) -> None:
    fake = tmp_path / "rustc"
    fake.write_text("#!/bin/sh\necho 'rustc 1.70.0 (90c541806 2023-05-31)'\n")
    fake.chmod(0o755)
    result = build.configure("--with-rust", f"RUSTC={fake}", check=False)
    assert result.returncode != 0
    assert "rustc >= 1.85 (found 1.70.0): rustup update" in result.stderr


def test_old_bindgen_fails(build: Build, tmp_path: Path) -> None:
    fake = tmp_path / "bindgen"
    fake.write_text("#!/bin/sh\necho 'bindgen 0.55.1'\n")
    fake.chmod(0o755)
    result = build.configure("--with-rust", f"BINDGEN={fake}", check=False)
    assert result.returncode != 0
    assert "bindgen >= 0.60 (found 0.55.1)" in result.stderr


def test_unknown_target_fails(build: Build) -> None:
    result = build.configure("--with-rust", "RUST_TARGET=sparc-sun-solaris",
                             check=False)
    assert result.returncode != 0
    assert ("the Rust standard library for sparc-sun-solaris: "
            "rustup target add sparc-sun-solaris") in result.stderr


def libclang_dir() -> str:
    found = sorted(glob.glob("/usr/lib/llvm-*/lib/libclang*.so"))
    if not found:
        pytest.skip("no libclang under /usr/lib/llvm-*")
    return os.path.dirname(found[-1])


def test_libclang_path_is_used(build: Build) -> None:
    directory = libclang_dir()
    result = build.configure("--with-rust", f"LIBCLANG_PATH={directory}")
    assert (f"checking whether bindgen and libclang can parse Python.h... "
            f"yes, with LIBCLANG_PATH={directory}\n") in result.stdout
    assert makefile_vars(build)["LIBCLANG_PATH"] == directory
    # make gives it to bindgen.
    bindings = build.path / "build" / "rust" / "cpython_sys_bindings.rs"
    recipe = build.make("-n", str(bindings)).stdout
    assert f"LIBCLANG_PATH='{directory}'" in recipe


def test_libclang_path_without_libclang_fails(build: Build, tmp_path: Path) -> None:
    result = build.configure("--with-rust", f"LIBCLANG_PATH={tmp_path}", check=False)
    assert result.returncode != 0
    assert ("a libclang that bindgen can load and that parses Python.h: "
            "apt install libclang-dev clang, or set LIBCLANG_PATH") in result.stderr


def test_auto_without_bindgen_warns(build: Build, tmp_path: Path) -> None:
    env = environment_without("bindgen", scratch=tmp_path)
    result = build.configure("--with-rust=auto", env=env)
    assert "WARNING: not building the Rust modules (--with-rust=auto); missing:" \
        in result.stderr
    assert "bindgen >= 0.60 (bindgen-cli): apt install bindgen" in result.stderr
    values = makefile_vars(build)
    assert values["WITH_RUST"] == "no"
    for module in overlay.RUST_MODULES:
        assert values[f"MODULE_{module.name.upper()}_STATE"] == "missing"
    assert values["RUST_MODULES"] == ""
    assert values["RUST_MODOBJS"] == ""


def test_without_rust_disables_module(build: Build) -> None:
    build.configure("--without-rust")
    values = makefile_vars(build)
    assert values["WITH_RUST"] == "no"
    setup = (build.path / "Modules" / "Setup.stdlib").read_text()
    for module in overlay.RUST_MODULES:
        assert values[f"MODULE_{module.name.upper()}_STATE"] == "disabled"
        assert f"\n#{module.name} " in setup


def test_with_rust_records_choice(build: Build) -> None:
    build.configure("--with-rust")
    values = makefile_vars(build)
    assert values["WITH_RUST"] == "yes"
    for module in overlay.RUST_MODULES:
        assert values[f"MODULE_{module.name.upper()}_STATE"] == "yes"
    assert values["CARGO_PROFILE"] == "release"
    # Test modules are built too: configure builds them by default.
    assert values["RUST_MODULES"].split() == [module.name for module in overlay.RUST_MODULES]
    # A native build targets the Rust host triple (configure derives it
    # from autoconf's $host).
    host = subprocess.run(["rustc", "-vV"], capture_output=True, text=True,
                          check=True).stdout
    assert f"host: {values['RUST_TARGET']}\n" in host
    assert values["RUST_SANITIZER_FLAGS"] == ""
    # Linux: the ELF partial link, and bindgen finds libclang by itself.
    assert values["RUST_OBJECT_FORMAT"] == "elf"
    assert values["OBJCOPY"].endswith("objcopy")
    assert values["LIBCLANG_PATH"] == ""


def test_address_sanitizer_with_stable_rustc_warns(build: Build) -> None:
    rustc = build.configure("--with-rust", "--with-address-sanitizer", "--without-pymalloc")
    values = makefile_vars(build)
    # A nightly rustc (rustup default nightly) would instrument the Rust code.
    if values["RUST_SANITIZER_FLAGS"]:
        pytest.skip(f"{values['RUSTC']} supports -Zsanitizer=address")
    assert "checking whether rustc supports -Zsanitizer=address... no" in rustc.stdout
    assert ("WARNING: the Rust modules are not instrumented by AddressSanitizer, "
            "only the C code:") in rustc.stderr
    assert "export RUSTUP_TOOLCHAIN=nightly" in rustc.stderr
    assert values["WITH_RUST"] == "yes"
    assert values["RUST_MODULES"].split() == [module.name for module in overlay.RUST_MODULES]


def test_disable_test_modules_leaves_rust_test_modules_out(build: Build) -> None:
    build.configure("--with-rust", "--disable-test-modules")
    values = makefile_vars(build)
    states = {module.name: values[f"MODULE_{module.name.upper()}_STATE"]
              for module in overlay.RUST_MODULES}
    assert states == {module.name: "disabled" if module.is_test else "yes"
                      for module in overlay.RUST_MODULES}
    assert any(module.is_test for module in overlay.RUST_MODULES)
    assert values["RUST_MODULES"].split() == [module.name for module in overlay.RUST_MODULES
                                              if not module.is_test]


def test_pydebug_profile(applied_tree: Path, tmp_path: Path) -> None:
    # Not from the cache: --with-pydebug changes the C checks' flags.
    build = Build(applied_tree, tmp_path)
    build.configure("--with-rust", "--with-pydebug")
    values = makefile_vars(build)
    assert values["CARGO_PROFILE"] == "pydebug"


def test_default_is_auto(build: Build) -> None:
    result = build.configure()
    assert "checking for --with-rust... auto" in result.stdout
    assert os.path.exists(build.path / "Makefile")
