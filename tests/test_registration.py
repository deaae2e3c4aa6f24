"""The one registration of the Rust modules, and what follows from it.

A Rust module is one line of Modules/Setup.stdlib.in (overlay.py's
RUST_MODULES_SETUP); Tools/cargo/regen_rust_modules.py writes configure's
module list, the static library's manifest and source, and Cargo.lock from
those lines, and overlay.py derives the files it copies and its edits of
PC/config.c and sys.stdlib_module_names.  These tests check that every
derived file is current and that the parser refuses malformed lines
(test_build.py checks sys.stdlib_module_names against the generator).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import overlay
from conftest import PROJECT

regen_rust_modules = overlay.regen_rust_modules
REGEN = PROJECT / "Tools" / "cargo" / "regen_rust_modules.py"


def test_generated_files_are_current() -> None:
    assert regen_rust_modules.regenerate(PROJECT, overlay.RUST_MODULES, check=True) == []


def test_tree_registration_is_the_overlays(applied_tree: Path) -> None:
    # The script reads the tree's own Modules/Setup.stdlib.in and finds
    # the files the overlay copied current.
    result = subprocess.run([sys.executable, REGEN, "--check", applied_tree],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    setup = (applied_tree / "Modules" / "Setup.stdlib.in").read_text()
    assert regen_rust_modules.read_registrations(setup) == overlay.RUST_MODULES


def test_every_module_crate_is_copied() -> None:
    files = overlay.overlay_files()
    for module in overlay.RUST_MODULES:
        assert f"Modules/{module.crate}/Cargo.toml" in files, module


def test_registration_lines() -> None:
    setup = ("# comment naming x/Cargo.toml is ignored\n"
             "@MODULE__SPAM_TRUE@_spam _spam/Cargo.toml\n"
             "_eggs eggs/rust/Cargo.toml  # a trailing comment\n"
             "@MODULE__TESTEGGS_TRUE@_testeggs _testeggs/Cargo.toml\n"
             "zlib zlibmodule.c\n")
    modules = regen_rust_modules.read_registrations(setup)
    assert [(m.name, m.crate, m.is_test) for m in modules] == [
        ("_spam", "_spam", False), ("_eggs", "eggs/rust", False),
        ("_testeggs", "_testeggs", True)]


@pytest.mark.parametrize("line, message", [
    ("_spam _spam/Cargo.toml spam.c", "with nothing else on the line"),
    ("_spam a/Cargo.toml b/Cargo.toml", "with nothing else on the line"),
    ("_spam.x _spam/Cargo.toml", "is not a module name"),
    ("_spam /Cargo.toml", "is not a crate under Modules/"),
    ("_spam ../_spam/Cargo.toml", "is not a crate under Modules/"),
])
def test_malformed_registration(line: str, message: str) -> None:
    with pytest.raises(regen_rust_modules.RegistrationError, match=message):
        regen_rust_modules.read_registrations(f"# x\n{line}\n")


def test_duplicate_registration() -> None:
    with pytest.raises(regen_rust_modules.RegistrationError, match="registered twice"):
        regen_rust_modules.read_registrations("_a _a/Cargo.toml\n_a _b/Cargo.toml\n")


def test_test_modules_are_not_default_features() -> None:
    modules = regen_rust_modules.read_registrations(
        "_spam _spam/Cargo.toml\n_testspam _testspam/Cargo.toml\n")
    files = regen_rust_modules.generated_files(modules)
    manifest = files["Modules/_rust/modules/Cargo.toml"]
    assert 'default = ["_spam"]\n' in manifest
    assert '_testspam = ["dep:_testspam"]\n' in manifest
    assert '_testspam = { path = "../../_testspam", optional = true }\n' in manifest
    assert '#[cfg(feature = "_testspam")]\nextern crate _testspam;\n' in \
        files["Modules/_rust/modules/src/lib.rs"]
    m4 = files["Tools/cargo/rust-modules.m4"]
    assert "m4_define([PY_RUST_MODULE_NAMES], [[[_spam]]])\n" in m4
    assert "m4_define([PY_RUST_TEST_MODULE_NAMES], [[[_testspam]]])\n" in m4


def test_stale_lock_entries_are_found(tmp_path: Path) -> None:
    # cargo --locked accepts a lock that still lists a removed package.
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["a"]\nresolver = "2"\n')
    (tmp_path / "a" / "src").mkdir(parents=True)
    (tmp_path / "a" / "Cargo.toml").write_text(
        '[package]\nname = "a"\nversion = "0.1.0"\nedition = "2021"\n')
    (tmp_path / "a" / "src" / "lib.rs").write_text("")
    subprocess.run(["cargo", "generate-lockfile", "--offline"], cwd=tmp_path, check=True,
                   capture_output=True)
    assert regen_rust_modules.lock_is_current(tmp_path)
    lock = tmp_path / "Cargo.lock"
    lock.write_text(lock.read_text() + '\n[[package]]\nname = "b"\nversion = "0.1.0"\n')
    assert not regen_rust_modules.lock_is_current(tmp_path)
    (tmp_path / "Cargo.lock").unlink()
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["a"]\nresolver = "2"\n')
    assert not regen_rust_modules.lock_is_current(tmp_path)
