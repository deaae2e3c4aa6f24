"""Tools/cargo/link-rust-modules.sh: the partial link of the Rust modules.

The same script makes the ELF commands (tested for real here, and by every
build in the suite) and the Mach-O ones (only their arguments can be tested
on Linux: no Apple ld here).  Fake compiler and objcopy programs record the
arguments they get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

SCRIPT = PROJECT / "Tools" / "cargo" / "link-rust-modules.sh"

RECORDER = """#!/bin/sh
# Record the arguments, one per line, and create the -o output (or the
# last argument, as objcopy writes it).
printf '%s\\n' "$@" > "$0.args"
out=
while test $# -gt 0; do
    if test "$1" = -o; then out=$2; fi
    last=$1
    shift
done
: > "${out:-$last}"
"""


def recorder(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(RECORDER)
    path.chmod(0o755)
    return path


def recorded(program: Path) -> list[str] | None:
    args = program.with_name(program.name + ".args")
    return args.read_text().splitlines() if args.exists() else None


def link(tmp_path: Path, *args: str, cc: str, objcopy: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CC=cc, OBJCOPY=objcopy)
    return subprocess.run(["sh", str(SCRIPT), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True)


def test_elf_arguments(tmp_path: Path) -> None:
    cc = recorder(tmp_path, "cc")
    objcopy = recorder(tmp_path, "objcopy")
    # CC is a command line: its own arguments come first.
    result = link(tmp_path, "elf", "out.o", "lib.a", "_base64", "_second",
                  cc=f"{cc} -m32", objcopy=str(objcopy))
    assert result.returncode == 0, result.stderr
    assert recorded(cc) == ["-m32", "-nostdlib", "-r", "-Wl,--gc-sections",
                            "-Wl,-u,PyInit__base64", "-Wl,-u,PyInit__second",
                            "-o", "out.o.tmp", "lib.a"]
    assert recorded(objcopy) == ["--keep-global-symbol=PyInit__base64",
                                 "--keep-global-symbol=PyInit__second",
                                 "--remove-section=.llvmbc", "--remove-section=.llvmcmd",
                                 "out.o.tmp", "out.o"]
    assert (tmp_path / "out.o").exists()
    assert not (tmp_path / "out.o.tmp").exists()


def test_macho_arguments(tmp_path: Path) -> None:
    cc = recorder(tmp_path, "cc")
    objcopy = recorder(tmp_path, "objcopy")
    result = link(tmp_path, "macho", "out.o", "lib.a", "_base64", "_second",
                  cc=f"{cc} -arch arm64", objcopy=str(objcopy))
    assert result.returncode == 0, result.stderr
    # Mach-O symbols carry the C underscore; ld -r itself keeps only the
    # exported ones global, so objcopy is not run.
    assert recorded(cc) == ["-arch", "arm64", "-nostdlib", "-r",
                            "-Wl,-u,_PyInit__base64", "-Wl,-exported_symbol,_PyInit__base64",
                            "-Wl,-u,_PyInit__second", "-Wl,-exported_symbol,_PyInit__second",
                            "-o", "out.o", "lib.a"]
    assert recorded(objcopy) is None
    assert (tmp_path / "out.o").exists()


@pytest.mark.parametrize("args", [["coff", "out.o", "lib.a", "_base64"],
                                  ["elf", "out.o", "lib.a"]])
def test_bad_usage(tmp_path: Path, args: list[str]) -> None:
    cc = recorder(tmp_path, "cc")
    result = link(tmp_path, *args, cc=str(cc), objcopy=str(cc))
    assert result.returncode == 2
    assert "elf" in result.stderr and "macho" in result.stderr
    assert recorded(cc) is None


def test_failing_link_fails(tmp_path: Path) -> None:
    result = link(tmp_path, "macho", "out.o", "lib.a", "_base64", cc="false", objcopy="false")
    assert result.returncode != 0


def global_symbols(path: Path) -> set[str]:
    output = subprocess.run(["nm", "-g", "--defined-only", str(path)], capture_output=True,
                            text=True, check=True).stdout
    return {line.split()[-1] for line in output.splitlines() if line.strip()}


@pytest.mark.skipif(shutil.which("cc") is None or shutil.which("objcopy") is None,
                    reason="needs an ELF C toolchain")
def test_elf_object_keeps_only_pyinit_global(tmp_path: Path) -> None:
    # A stand-in for the Rust library: a module object that calls into a
    # helper object, and an object nothing reaches.
    sources = {
        "module.c": "int helper(int);\nint PyInit__demo(void) { return helper(1); }\n",
        "helper.c": "int helper(int x) { return x + 1; }\n",
        "unused.c": "int unused_global(void) { return 7; }\n",
    }
    objects = []
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
        subprocess.run(["cc", "-c", "-fPIC", "-ffunction-sections", name], cwd=tmp_path,
                       check=True)
        objects.append(name.replace(".c", ".o"))
    subprocess.run(["ar", "rcs", "libdemo.a", *objects], cwd=tmp_path, check=True)
    result = link(tmp_path, "elf", "demo.o", "libdemo.a", "_demo", cc="cc", objcopy="objcopy")
    assert result.returncode == 0, result.stderr
    assert global_symbols(tmp_path / "demo.o") == {"PyInit__demo"}
    # The helper is still there, only local; the unreached object is gone.
    every = subprocess.run(["nm", str(tmp_path / "demo.o")], capture_output=True, text=True,
                           check=True).stdout
    assert " t helper" in every
    assert "unused_global" not in every


def test_scripts_pass_shellcheck() -> None:
    # dev/prereqs.py installs shellcheck: a missing one fails here.
    scripts = sorted((PROJECT / "Tools" / "cargo").glob("*.sh"))
    assert SCRIPT in scripts
    result = subprocess.run(["shellcheck", "--shell=sh", *map(str, scripts)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
