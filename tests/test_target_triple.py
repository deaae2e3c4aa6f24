"""Tools/cargo/rust-target.sh: autoconf host triple -> Rust target."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import PROJECT

SCRIPT = PROJECT / "Tools" / "cargo" / "rust-target.sh"

# Hosts as config.sub canonicalizes them on each platform, PEP 11 tier 1
# and 2 first (Windows builds with PCbuild, not configure).
MAPPING = {
    # tier 1
    "x86_64-pc-linux-gnu": "x86_64-unknown-linux-gnu",
    "x86_64-apple-darwin23.6.0": "x86_64-apple-darwin",
    "aarch64-apple-darwin24.1.0": "aarch64-apple-darwin",
    "arm-apple-darwin22.1.0": "aarch64-apple-darwin",
    # tier 2
    "aarch64-unknown-linux-gnu": "aarch64-unknown-linux-gnu",
    "wasm32-unknown-wasi": "wasm32-wasip1",
    # tier 3 and other configure platforms
    "i686-pc-linux-gnu": "i686-unknown-linux-gnu",
    "armv7l-unknown-linux-gnueabihf": "armv7-unknown-linux-gnueabihf",
    "powerpc64le-unknown-linux-gnu": "powerpc64le-unknown-linux-gnu",
    "s390x-ibm-linux-gnu": "s390x-unknown-linux-gnu",
    "riscv64-unknown-linux-gnu": "riscv64gc-unknown-linux-gnu",
    "x86_64-unknown-freebsd14.1": "x86_64-unknown-freebsd",
    "aarch64-unknown-linux-android": "aarch64-linux-android",
    "x86_64-pc-linux-android": "x86_64-linux-android",
    "x86_64-pc-linux-musl": "x86_64-unknown-linux-musl",
    "wasm32-unknown-emscripten": "wasm32-unknown-emscripten",
}


def rust_target(host: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT), host], capture_output=True, text=True)


@pytest.mark.parametrize("host,expected", sorted(MAPPING.items()))
def test_mapping(host: str, expected: str) -> None:
    result = rust_target(host)
    assert result.returncode == 0
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("host", ["sparc-sun-solaris2.11", "mips-unknown-linux-gnu",
                                  "x86_64-pc-cygwin", ""])
def test_unknown_host(host: str) -> None:
    result = rust_target(host)
    assert result.returncode == 1
    assert result.stdout == ""


def test_targets_exist_in_rustc() -> None:
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("rustc not found")
    known = set(subprocess.run([rustc, "--print", "target-list"], capture_output=True,
                               text=True, check=True).stdout.split())
    assert set(MAPPING.values()) - known == set()


def clang_knows(triple: str) -> bool:
    result = subprocess.run(["clang", f"--target={triple}", "-fsyntax-only", "-x", "c",
                             "/dev/null"], capture_output=True, text=True)
    return result.returncode == 0


def test_bindgen_gets_triples_clang_knows() -> None:
    # configure gives bindgen's clang --target=$host, not the Rust target:
    # every host above is a triple clang knows, and a Rust target may not
    # be (riscv64gc).
    if shutil.which("clang") is None:
        pytest.skip("clang not found")
    assert [host for host in MAPPING if not clang_knows(host)] == []
    assert not clang_knows(MAPPING["riscv64-unknown-linux-gnu"])


def clang_pointer_bytes(triple: str) -> int:
    macros = subprocess.run(["clang", f"--target={triple}", "-dM", "-E", "-x", "c", "/dev/null"],
                            capture_output=True, text=True, check=True).stdout
    return int(re.search(r"#define __SIZEOF_POINTER__ (\d+)", macros).group(1))


def test_bindgen_gets_the_rust_triple_on_macos() -> None:
    # config.guess names Apple silicon arm-apple-darwin, which clang reads
    # as 32-bit ARM: configure gives bindgen's clang the Rust triple on
    # Darwin instead, which clang reads as the 64-bit target it is.
    if shutil.which("clang") is None:
        pytest.skip("clang not found")
    assert clang_pointer_bytes("arm-apple-darwin22.1.0") == 4
    for host in ("arm-apple-darwin22.1.0", "aarch64-apple-darwin24.1.0",
                 "x86_64-apple-darwin23.6.0"):
        assert clang_pointer_bytes(MAPPING[host]) == 8
