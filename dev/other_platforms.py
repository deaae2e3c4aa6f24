"""What to run on macOS and Windows, where dev/demo.py and dev/run_tests.py
do not run.

Why: those two commands install Debian packages and drive cross builds
that only a Debian-like Linux has.  On macOS (configure and make, with
Homebrew's tools) and Windows (PCbuild) the steps are one command,
dev/ci_job.py, the one .github/workflows/ci.yml runs on GitHub's runners;
this module prints it so that both commands say exactly what to do instead
of failing obscurely.  The project's own machines have run it on Linux
only.
"""

from __future__ import annotations

import platform
import sys

MACOS = """\
On macOS, with Xcode's Command Line Tools, Homebrew and rustup, run the
command each macOS job of .github/workflows/ci.yml runs (it has never run
on macOS yet):

  python3 dev/ci_job.py --install-tools

It installs bindgen and GNU m4 with Homebrew and GNU autoconf 2.71 under
.work/ci (overlay.py regenerates configure with 2.71; Homebrew has a newer
one), fetches CPython from python.org into .work/ci, applies the overlay,
runs ./configure --with-rust and make, checks that only PyInit_* is global
in the Rust object, and runs ./python.exe -m test test_base64 test_binascii
test__base64.  Options: --free-threaded, --pydebug, --shared, --rust VERSION.
"""

WINDOWS = """\
On Windows, with Visual Studio 2022, rustup and LLVM (for libclang), run the
command each Windows job of .github/workflows/ci.yml runs (it has never
run on Windows yet):

  rustup target add {target}
  py dev\\ci_job.py --install-tools --platform {platform}

It installs bindgen-cli with cargo install --locked, fetches CPython from
python.org into .work\\ci, applies the overlay (overlay.py apply
--skip-autoconf), runs PCbuild\\build.bat -e -p {platform} --with-rust, checks
with dumpbin that the DLL exports nothing of Rust's, and runs
PCbuild\\{directory}\\python.exe -m test test_base64 test_binascii test__base64.
Options: --free-threaded, --pydebug (the Debug configuration), --rust VERSION.
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
