"""One job of .github/workflows/ci.yml: fetch a pristine CPython, apply the
overlay, build it with Rust, run the base64 tests and check the result.

Why: the same steps run on Linux and macOS (configure and make) and on
Windows (PCbuild), so they are one Python program rather than three shell
scripts in YAML; the workflow calls it once per job, a developer on a Mac or
on Windows runs the same command by hand, and on Linux the project's own
machines run it for real.  ``--rust VERSION`` selects (and installs, with
rustup) the toolchain through RUSTUP_TOOLCHAIN, so a developer's default
toolchain is left alone; ``--install-tools`` installs bindgen and, on
macOS, GNU autoconf 2.71 (what a fresh runner lacks).

The checks after the build: ``_base64`` is a built-in module and works;
the Rust object exports only the modules' ``PyInit_*`` functions (POSIX,
with nm), or the DLL exports no ``PyInit_*`` and no Rust symbol (Windows,
with dumpbin); then ``test_base64 test_binascii`` and each Rust module's test.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "dev"))

import fetch_cpython  # noqa: E402
import other_platforms  # noqa: E402

sys.path.insert(0, str(PROJECT))
import overlay  # noqa: E402

# Each registered Rust module's regression test, and those of the Python
# module _base64 accelerates.
REGRESSION_TESTS = ["test_base64", "test_binascii",
                    *(f"test_{module.name}" for module in overlay.RUST_MODULES)]

# overlay.py regenerates configure with the autoconf CPython 3.13 used;
# Homebrew has a newer one.  The digest is GNU's release tarball's.
AUTOCONF_URL = "https://ftp.gnu.org/gnu/autoconf/autoconf-2.71.tar.xz"
AUTOCONF_SHA256 = "f14c83cfebcc9427f2c3cea7258bd90df972d92eb26752da4ddad81c87a0faa4"

# bindgen-cli for Windows, which has no package of it: tooling installed
# next to cargo, not a crate of the build.
BINDGEN_CLI_VERSION = "0.71.1"
WINDOWS_LLVM_BIN = Path(r"C:\Program Files\LLVM\bin")

CHECK_BUILTIN = """\
import sys, sysconfig
import _base64
assert '_base64' in sys.builtin_module_names, sys.builtin_module_names
assert _base64.b64encode(b'Rust') == b'UnVzdA=='
if sys.platform != 'win32':
    assert sysconfig.get_config_var('WITH_RUST') == 'yes'
    print(sysconfig.get_config_var('RUST_MODULES'))
"""

# Names that only Rust code defines: legacy (_ZN...E) and v0 (_R...)
# mangling, and the allocator and panic shims of std.
RUST_SYMBOL = re.compile(r"^_?(?:_ZN|_R[A-Z]|__rust_|__rdl_|__rg_|rust_)")
DUMPBIN_EXPORT = re.compile(r"^\s+\d+\s+[0-9A-F]+\s+(?:[0-9A-F]{8}\s+)?(\S+)")


class LogGroups:
    """Collapsible sections in the GitHub Actions log, headings elsewhere."""

    def __init__(self) -> None:
        self.actions = os.environ.get("GITHUB_ACTIONS") == "true"
        self.open = False

    def start(self, title: str) -> None:
        if not self.actions:
            print(f"\n=== {title}", flush=True)
            return
        if self.open:
            print("::endgroup::", flush=True)
        print(f"::group::{title}", flush=True)
        self.open = True


log_group = LogGroups().start


def run(*cmd: str | Path, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> str:
    """Run cmd, echoing it and its output as it comes; stop the job if it
    fails.  Returns the output (stderr included)."""
    print("+", " ".join(map(str, cmd)), flush=True)
    lines = []
    with subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, text=True,
                          errors="replace", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    if process.returncode:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, cmd))}")
    return "".join(lines)


def windows_platform(name: str | None) -> tuple[str, str, str]:
    """(PCbuild platform, output directory, Rust target) of `name`
    (x64, Win32, ARM64), or of this machine when `name` is None."""
    by_pcbuild = {entry[0]: entry for entry in other_platforms.WINDOWS_PLATFORMS.values()}
    if name is None:
        return other_platforms.WINDOWS_PLATFORMS[platform.machine()]
    if name not in by_pcbuild:
        sys.exit(f"unknown PCbuild platform {name}: one of {', '.join(by_pcbuild)}")
    return by_pcbuild[name]


def install_autoconf(prefix: Path) -> None:
    """GNU autoconf 2.71 into prefix; its bin is put first on PATH."""
    if not (prefix / "bin" / "autoconf").exists():
        with tempfile.TemporaryDirectory() as scratch:
            tarball = fetch_cpython.download_verified(
                AUTOCONF_URL, AUTOCONF_SHA256, Path(scratch) / "autoconf-2.71.tar.xz")
            source = fetch_cpython.extract(tarball, Path(scratch))
            run("./configure", f"--prefix={prefix}", cwd=source)
            run("make", cwd=source)
            run("make", "install", cwd=source)
    os.environ["PATH"] = f"{prefix / 'bin'}{os.pathsep}{os.environ['PATH']}"


def install_tools(work: Path) -> None:
    if sys.platform == "darwin":
        # GNU m4 for autoconf: macOS's is too old for 2.71.
        run("brew", "install", "bindgen", "m4")
        m4 = run("brew", "--prefix", "m4").strip()
        os.environ["PATH"] = f"{m4}/bin{os.pathsep}{os.environ['PATH']}"
        install_autoconf(work / "autoconf-2.71")
    elif sys.platform == "win32":
        run("cargo", "install", "--locked", "bindgen-cli", "--version", BINDGEN_CLI_VERSION)
    else:
        run(sys.executable, PROJECT / "dev" / "prereqs.py", "--no-pip")


def install_rustup(scratch: Path) -> None:
    """rustup's own installer, over HTTPS (it has no pinned digest: each
    rustup release replaces it)."""
    if sys.platform == "win32":
        triple = other_platforms.WINDOWS_PLATFORMS[platform.machine()][2]
        url = f"https://static.rust-lang.org/rustup/dist/{triple}/rustup-init.exe"
        installer = scratch / "rustup-init.exe"
        command: list[str | Path] = [installer]
    else:
        url = "https://sh.rustup.rs"
        installer = scratch / "rustup-init.sh"
        command = ["sh", installer]
    print(f"downloading {url}", flush=True)
    with urllib.request.urlopen(url) as response:
        installer.write_bytes(response.read())
    run(*command, "-y", "--profile", "minimal", "--default-toolchain", "none")


def select_rust(version: str, target: str | None, scratch: Path) -> None:
    """Install toolchain `version` (and `target`'s std) with rustup and make
    it the one every later cargo and rustc runs."""
    cargo_bin = Path.home() / ".cargo" / "bin"
    os.environ["PATH"] = f"{cargo_bin}{os.pathsep}{os.environ['PATH']}"
    if not shutil.which("rustup"):
        install_rustup(scratch)
    run("rustup", "toolchain", "install", version, "--profile", "minimal",
        *(["--target", target] if target else []))
    os.environ["RUSTUP_TOOLCHAIN"] = version
    run("rustc", "--version", "--verbose")


def exported_rust_symbols(dumpbin_output: str) -> list[str]:
    """The exports in `dumpbin /exports` output that the Rust modules must
    not add: a PyInit_ function (the core's built-in modules export none)
    or a name only Rust code defines."""
    names = [m.group(1) for line in dumpbin_output.splitlines()
             if (m := DUMPBIN_EXPORT.match(line))]
    return [name for name in names if name.startswith("PyInit_") or RUST_SYMBOL.match(name)]


def global_symbols(nm_output: str) -> set[str]:
    """Symbol names of `nm -g` output (defined ones only: the caller asks)."""
    return {line.split()[-1] for line in nm_output.splitlines() if line.strip()}


def dumpbin() -> str:
    vswhere = (Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)"))
               / "Microsoft Visual Studio" / "Installer" / "vswhere.exe")
    found = run(vswhere, "-latest", "-products", "*", "-find",
                r"VC\Tools\MSVC\**\bin\Host*\*\dumpbin.exe").split()
    if not found:
        sys.exit("dumpbin.exe not found (vswhere found no MSVC tools)")
    return found[0]


def build_posix(tree: Path, args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    options = ["--with-rust"]
    options += ["--disable-gil"] if args.free_threaded else []
    options += ["--with-pydebug"] if args.pydebug else []
    options += ["--enable-shared"] if args.shared else []
    log_group("configure " + " ".join(options))
    run("./configure", *options, cwd=tree)
    log_group("make")
    run("make", f"-j{os.cpu_count() or 2}", cwd=tree)
    env = dict(os.environ)
    if args.shared:
        env["DYLD_LIBRARY_PATH" if sys.platform == "darwin" else "LD_LIBRARY_PATH"] = str(tree)
    return tree / ("python.exe" if sys.platform == "darwin" else "python"), env


def build_windows(tree: Path, args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    pcbuild_platform, directory, _ = windows_platform(args.platform)
    for tool in ("cargo", "bindgen"):
        path = shutil.which(tool)
        if path:
            os.environ.setdefault(tool.upper(), path)
    if "LIBCLANG_PATH" not in os.environ and (WINDOWS_LLVM_BIN / "libclang.dll").exists():
        os.environ["LIBCLANG_PATH"] = str(WINDOWS_LLVM_BIN)
    options = ["-e", "-p", pcbuild_platform, "--with-rust"]
    options += ["-c", "Debug"] if args.pydebug else []
    options += ["--disable-gil"] if args.free_threaded else []
    log_group("PCbuild\\build.bat " + " ".join(options))
    run("cmd", "/c", tree / "PCbuild" / "build.bat", *options)
    name = ("python3.13t" if args.free_threaded else "python") + ("_d" if args.pydebug else "")
    return tree / "PCbuild" / directory / f"{name}.exe", dict(os.environ)


def check_symbols(tree: Path, python: Path, rust_modules: str) -> None:
    if sys.platform == "win32":
        tool = dumpbin()
        for dll in python.parent.glob("python3*.dll"):
            unexpected = exported_rust_symbols(run(tool, "/exports", dll))
            if unexpected:
                sys.exit(f"{dll.name} exports Rust symbols: {', '.join(unexpected)}")
        return
    underscore = "_" if sys.platform == "darwin" else ""
    flags = ["-gU"] if sys.platform == "darwin" else ["-g", "--defined-only"]
    found = global_symbols(run("nm", *flags, tree / "Modules" / "_rust_modules.o"))
    expected = {f"{underscore}PyInit_{name}" for name in rust_modules.split()}
    if found != expected:
        sys.exit(f"the Rust object's global symbols are {sorted(found)}, "
                 f"expected {sorted(expected)}")


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=PROJECT / ".work" / "ci",
                        help="directory for the CPython tree and tools (default: %(default)s)")
    parser.add_argument("--version", help="CPython release (default: the newest pinned)")
    parser.add_argument("--source", choices=fetch_cpython.SOURCES, default="python.org")
    parser.add_argument("--rust", metavar="VERSION",
                        help="build with this Rust toolchain, installed with rustup")
    parser.add_argument("--install-tools", action="store_true",
                        help="install bindgen (and on macOS GNU autoconf 2.71) first")
    parser.add_argument("--free-threaded", action="store_true", help="--disable-gil")
    parser.add_argument("--pydebug", action="store_true",
                        help="--with-pydebug (PCbuild: the Debug configuration)")
    parser.add_argument("--shared", action="store_true", help="--enable-shared (POSIX)")
    parser.add_argument("--platform", choices=["x64", "Win32", "ARM64"],
                        help="PCbuild platform (default: this machine's)")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser()
    args = parser.parse_args(argv)
    windows = sys.platform == "win32"
    if args.shared and windows:
        parser.error("--shared is the only kind of build PCbuild makes")
    if args.platform and not windows:
        parser.error("--platform is for PCbuild")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    if args.rust:
        log_group(f"Rust {args.rust}")
        select_rust(args.rust, windows_platform(args.platform)[2] if windows else None, work)
    if args.install_tools:
        log_group("tools")
        install_tools(work)
    log_group("CPython source")
    tree = fetch_cpython.fetch(work, args.version, fresh=True, source=args.source)
    log_group("overlay")
    run(sys.executable, PROJECT / "overlay.py", "apply",
        *(["--skip-autoconf"] if windows else []), tree)
    python, env = (build_windows if windows else build_posix)(tree, args)

    log_group("checks")
    rust_modules = run(python, "-c", CHECK_BUILTIN, env=env).strip()
    check_symbols(tree, python, rust_modules)
    log_group(" ".join(REGRESSION_TESTS))
    run(python, "-m", "test", *REGRESSION_TESTS, env=env)
    print("ci_job: all steps passed", flush=True)


if __name__ == "__main__":
    main()
