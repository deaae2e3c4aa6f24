"""What to run on macOS and Windows, where dev/demo.py and dev/run_tests.py
do not run.

Why: those two commands install Debian packages and drive cross builds
that only a Debian-like Linux has.  On macOS (configure and make, with
Homebrew's tools) and Windows (PCbuild) the steps are few and are the ones
.github/workflows/ci.yml runs on GitHub's runners; this module prints them
so that both commands say exactly what to do instead of failing obscurely.
The project's own machines have run none of these steps.
"""

from __future__ import annotations

import platform
import sys

MACOS = """\
On macOS (steps of .github/workflows/ci.yml; not run on the project's machines):

  brew install bindgen            # bindgen-cli, with Homebrew's LLVM libclang
  # overlay.py regenerates configure with autoconf 2.71 exactly (Homebrew
  # has 2.72): build GNU autoconf 2.71 into a prefix on PATH, as ci.yml does.
  tree=$(python3 dev/fetch_cpython.py --source python.org .work/pristine | tail -n 1)
  python3 overlay.py apply "$tree"
  cd "$tree" && ./configure --with-rust && make -j"$(sysctl -n hw.ncpu)"
  ./python.exe -m test test__base64 test_base64 test_binascii
"""

WINDOWS = """\
On Windows (steps of .github/workflows/ci.yml; not run on the project's machines),
in PowerShell, with Visual Studio 2022, Rust from rustup and LLVM installed:

  rustup target add {target}
  cargo install --locked bindgen-cli
  $env:LIBCLANG_PATH = "C:\\Program Files\\LLVM\\bin"
  $tree = py dev\\fetch_cpython.py --source python.org .work\\pristine | Select-Object -Last 1
  py overlay.py apply --skip-autoconf $tree
  & "$tree\\PCbuild\\build.bat" -e -p {platform} --with-rust
  & "$tree\\PCbuild\\{directory}\\python.exe" -m test test__base64 test_base64 test_binascii
"""

# platform.machine() on Windows -> (PCbuild platform, output directory,
# Rust target).
WINDOWS_PLATFORMS = {
    "AMD64": ("x64", "amd64", "x86_64-pc-windows-msvc"),
    "x86": ("Win32", "win32", "i686-pc-windows-msvc"),
    "ARM64": ("ARM64", "arm64", "aarch64-pc-windows-msvc"),
}


def steps(system: str, machine: str) -> str | None:
    """The steps for `system` (sys.platform), or None where the Linux
    commands apply."""
    if system == "darwin":
        return MACOS
    if system == "win32":
        pcbuild, directory, target = WINDOWS_PLATFORMS.get(machine, WINDOWS_PLATFORMS["AMD64"])
        return WINDOWS.format(platform=pcbuild, directory=directory, target=target)
    return None


def exit_unless_linux(command: str) -> None:
    """Print the steps and exit on macOS and Windows."""
    text = steps(sys.platform, platform.machine())
    if text is not None:
        sys.exit(f"{command} runs on Debian-like Linux only.\n\n{text}")
