"""The Cargo workspace: offline, workspace-only, safe module code."""

from __future__ import annotations

import json
import re
import subprocess

import overlay
from conftest import PROJECT


def test_metadata_lists_only_workspace_packages() -> None:
    result = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--offline", "--locked"],
        cwd=PROJECT, capture_output=True, text=True, check=True)
    metadata = json.loads(result.stdout)
    members = set(metadata["workspace_members"])
    packages = {package["id"] for package in metadata["packages"]}
    assert packages == members
    assert all(package["source"] is None for package in metadata["packages"])


def test_lockfile_has_no_registry_packages() -> None:
    lock = (PROJECT / "Cargo.lock").read_text()
    assert "source =" not in lock
    assert "checksum" not in lock


def test_module_crates_deny_unsafe_code() -> None:
    # Modules use the safe layer; `unsafe` lives in cpython-api.
    libs = [PROJECT / "Modules" / module.crate / "src" / "lib.rs"
            for module in overlay.RUST_MODULES]
    assert sorted(lib.parent.parent for lib in libs) == \
        sorted(lib.parent.parent for lib in (PROJECT / "Modules").glob("*/src/lib.rs")
               if lib.parent.parent.parent.name == "Modules")
    for lib in libs:
        assert "#![deny(unsafe_code)]" in lib.read_text(), lib
    # The exceptions: the vector kernels (intrinsics) and a test helper.
    # (The safe layer's `module!` allows it for the PyInit function it
    # defines in the module crate.)
    allowed = {str(path.relative_to(PROJECT))
               for lib in libs for path in lib.parent.rglob("*.rs")
               if "allow(unsafe_code" in path.read_text()}
    assert allowed == {"Modules/_base64/src/codec/x86/mod.rs",
                       "Modules/_base64/src/codec/aarch64.rs",
                       "Modules/_base64/src/codec/testing.rs"}


def test_every_unsafe_block_is_justified() -> None:
    # clippy's undocumented_unsafe_blocks checks blocks; this also covers
    # `unsafe impl`, which that lint does not see in every position.
    for path in PROJECT.glob("**/*.rs"):
        if "target" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if re.search(r"\bunsafe impl\b", line):
                assert "SAFETY:" in "\n".join(lines[max(0, number - 4):number]), \
                    f"{path}:{number + 1}"
