#!/usr/bin/env python3
"""Apply this project to a CPython source tree, or check that it is applied.

Why: CPython's source is not ours to ship, so the project is an overlay.
Every file that lands in a CPython tree sits here at the path where it
lands; ``apply`` copies those files in, makes a few small edits to files
CPython owns (each found by an anchor line and recognizable afterwards, so a
second run changes no byte), and regenerates ``configure`` and
``pyconfig.h.in`` with autoconf.  Every check (CPython version, anchors,
autoconf version) runs before anything is written; an unsupported tree is
refused and left untouched.  ``check`` reports whether a tree carries the
current overlay.  Edited files keep their line endings (PCbuild's are
CRLF).  ``--skip-autoconf`` leaves ``configure`` alone, for trees built
only with PCbuild (Windows has no autoconf).

Usage:
    python3 overlay.py apply [--skip-autoconf] CPYTHON_DIR
    python3 overlay.py check [--skip-autoconf] CPYTHON_DIR
    python3 overlay.py regen
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT / "Tools" / "cargo"))
import regen_rust_modules  # noqa: E402  (Tools/cargo is not a package)

# The registration of the Rust modules: the lines this project adds to
# Modules/Setup.stdlib.in, one per module ("NAME DIR/Cargo.toml", for the
# crate in Modules/DIR).  Everything else that names the modules follows
# from them: configure's module list, the static library's dependencies
# and Cargo.lock (Tools/cargo/regen_rust_modules.py, run here by
# `overlay.py regen`), the files copied into the tree, PC/config.c's table
# and sys.stdlib_module_names (the edits below).
RUST_MODULES_SETUP = """\

# Modules written in Rust (configure --with-rust): NAME DIR/Cargo.toml for
# the crate in Modules/DIR/.  They are always built in, from
# Modules/_rust_modules.o (Tools/cargo/rust.mk); a name with "test" in it is
# a test module.  After a change here: make regen-rust-modules, autoconf.
*static*
@MODULE__BASE64_TRUE@_base64 _base64/Cargo.toml
@MODULE__TESTRUST_TRUE@_testrust _testrust/Cargo.toml
"""
RUST_MODULES = regen_rust_modules.read_registrations(RUST_MODULES_SETUP)

# What lands in the CPython tree, relative to both roots: the shared
# pieces, our tests and each module's crate.
OVERLAY_PATHS = [
    "Cargo.toml",
    "Cargo.lock",
    "cpython-sys",
    "Modules/_rust",
    "Tools/cargo",
    "PCbuild/rust.targets",
    "Lib/test",
    *(f"Modules/{module.crate}" for module in RUST_MODULES),
]
SKIPPED_NAMES = {"target", "__pycache__", ".pytest_cache"}

SUPPORTED_SERIES = [(3, 13)]


class OverlayError(Exception):
    """The tree cannot take (or does not carry) the overlay."""


@dataclasses.dataclass(frozen=True)
class Edit:
    """Insert `text` before or after the one line equal to `anchor`, or
    replace that line with `text`; `anchor=None` appends to the file."""

    path: str
    anchor: str | None
    where: str  # "before", "after", "replace", "end" or "sorted"
    text: str

    def text_for(self, content: str) -> str:
        """The inserted text, with the line endings of `content`."""
        return self.text.replace("\n", "\r\n") if "\r\n" in content else self.text

    def applied(self, content: str) -> bool:
        return self.text_for(content) in content

    def apply(self, content: str) -> str:
        if self.applied(content):
            return content
        text = self.text_for(content)
        if self.where == "end":
            newline = "\r\n" if "\r\n" in content else "\n"
            return content + ("" if content.endswith("\n") else newline) + text
        lines = content.splitlines(keepends=True)
        if self.where == "sorted":
            # In order among the lines that start with the anchor.
            block = [i for i, line in enumerate(lines) if line.startswith(self.anchor)]
            if not block:
                raise OverlayError(f"{self.path}: no line starts with {self.anchor!r}")
            later = [i for i in block if lines[i] > text]
            lines.insert(later[0] if later else block[-1] + 1, text)
            return "".join(lines)
        index = _anchor_index(lines, self)
        if self.where == "before":
            lines.insert(index, text)
        elif self.where == "after":
            lines.insert(index + 1, text)
        else:
            lines[index] = text
        return "".join(lines)


def _anchor_index(lines: list[str], edit: Edit) -> int:
    matches = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == edit.anchor]
    if len(matches) != 1:
        found = "not found" if not matches else f"found {len(matches)} times"
        raise OverlayError(f"{edit.path}: anchor line {edit.anchor!r} {found}")
    return matches[0]


README_RUST_SECTION = """\
Modules written in Rust
-----------------------

Some standard library modules (today _base64, used by base64) are written
in Rust and built into pythoncore (python3X.dll) by rust.targets.  They
need cargo and rustc (Rust 1.85 or newer, from https://rustup.rs, with the
standard library for the platform's target: rustup target add
i686-pc-windows-msvc for Win32, aarch64-pc-windows-msvc for ARM64) and
bindgen-cli (cargo install --locked bindgen-cli) with a libclang (LLVM's
installer, or Visual Studio's "C++ Clang tools"; set LIBCLANG_PATH to the
directory of libclang.dll if bindgen does not find it).  The build itself
downloads nothing: cargo runs offline, with the versions in Cargo.lock.

The IncludeRust property chooses: true builds them and fails if cargo or
bindgen is missing (build.bat --with-rust), false leaves them out
(build.bat --no-rust), and unset builds them when both tools are found,
with a warning otherwise.  The tools are found through the CARGO and
BINDGEN properties (or environment variables), else in %CARGO_HOME%\\bin
and %USERPROFILE%\\.cargo\\bin.  The Debug configuration builds the Rust
code with cargo's pydebug profile (debug assertions and overflow checks),
the others with the release profile; --disable-gil builds it for the
free-threaded ABI.


"""

EDITS = [
    Edit(
        "configure.ac",
        "# substitute multiline block, must come after last PY_STDLIB_MOD()",
        "before",
        "dnl Standard library modules written in Rust (--with-rust)\n"
        "m4_include([Tools/cargo/rust.m4])\n"
        "PY_RUST_MODULES\n"
        "\n",
    ),
    Edit(
        "Makefile.pre.in",
        "MODOBJS=           _MODOBJS_",
        "replace",
        "MODOBJS=           _MODOBJS_ $(RUST_MODOBJS)\n",
    ),
    Edit(
        "Makefile.pre.in",
        "@MODULE_BLOCK@",
        "after",
        "\n"
        "# Standard library modules written in Rust (configure --with-rust);\n"
        "# the rules are in Tools/cargo/rust.mk\n"
        "WITH_RUST=\t@WITH_RUST@\n"
        "CARGO=\t\t@CARGO@\n"
        "RUSTC=\t\t@RUSTC@\n"
        "BINDGEN=\t@BINDGEN@\n"
        "OBJCOPY=\t@OBJCOPY@\n"
        "LIBCLANG_PATH=\t@LIBCLANG_PATH@\n"
        "RUST_TARGET=\t@RUST_TARGET@\n"
        "RUST_TARGET_VARIABLE=\t@RUST_TARGET_VARIABLE@\n"
        "RUST_OBJECT_FORMAT=\t@RUST_OBJECT_FORMAT@\n"
        "RUST_CLANG_FLAGS=\t@RUST_CLANG_FLAGS@\n"
        "RUST_SANITIZER_FLAGS=\t@RUST_SANITIZER_FLAGS@\n"
        "CARGO_PROFILE=\t@CARGO_PROFILE@\n"
        "RUST_MODULES=\t@RUST_MODULES@\n"
        "RUST_MODOBJS=\t@RUST_MODOBJS@\n",
    ),
    Edit(
        "Makefile.pre.in",
        "# IF YOU PUT ANYTHING HERE IT WILL GO AWAY",
        "before",
        "# Rules for the standard library modules written in Rust\n"
        "include $(srcdir)/Tools/cargo/rust.mk\n"
        "\n",
    ),
    Edit(
        "Lib/base64.py",
        "def main():",
        "before",
        "# Use the Rust implementation of the codecs where CPython has it\n"
        "# (configure --with-rust).  The functions above stay the reference:\n"
        "# the Rust ones call them for inputs whose own methods the code above\n"
        "# would call (subclasses of str and bytes, flags other than None, bool\n"
        "# and int, ...) and for calls that do not bind.\n"
        "try:\n"
        "    import _base64\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    _base64._fallbacks = {name: globals()[name] for name in dir(_base64)\n"
        "                          if not name.startswith('_')}\n"
        "    from _base64 import *\n"
        "\n",
    ),
    Edit("Modules/Setup.stdlib.in", None, "end", RUST_MODULES_SETUP),
    # A crate in a module's line is built by Tools/cargo/rust.mk, not by
    # makesetup's rules.
    Edit(
        "Modules/makesetup",
        '\t\t\t*.*)\t\techo 1>&2 "bad word $arg in $line"',
        "before",
        "\t\t\t*/Cargo.toml) ;; # a Rust crate: linked from $(RUST_MODOBJS)\n",
    ),
    *(Edit("Python/stdlib_module_names.h", '"', "sorted", f'"{module.name}",\n')
      for module in RUST_MODULES if not module.is_test),
    *(Edit("Tools/build/generate_stdlib_module_names.py", "    '_xxtestfuzz',", "after",
           f"    '{module.name}',  # written in Rust\n")
      for module in RUST_MODULES if module.is_test),
    # PCbuild: the MSBuild side, in PCbuild/rust.targets.
    Edit(
        "PCbuild/pythoncore.vcxproj",
        '    <Import Project="regen.targets" />',
        "after",
        "    <!-- The standard library modules written in Rust -->\n"
        '    <Import Project="rust.targets" />\n',
    ),
    # The modules PCbuild/rust.targets builds: the static library's
    # default features, the modules that are not test modules.
    Edit(
        "PC/config.c",
        "extern PyObject* PyInit_binascii(void);",
        "after",
        "#ifdef _Py_HAVE_RUST\n"
        "/* Modules written in Rust (PCbuild/rust.targets) */\n"
        + "".join(f"extern PyObject* PyInit_{module.name}(void);\n"
                  for module in RUST_MODULES if not module.is_test)
        + "#endif\n",
    ),
    Edit(
        "PC/config.c",
        '    {"binascii", PyInit_binascii},',
        "after",
        "#ifdef _Py_HAVE_RUST\n"
        + "".join(f'    {{"{module.name}", PyInit_{module.name}}},\n'
                  for module in RUST_MODULES if not module.is_test)
        + "#endif\n",
    ),
    Edit(
        "PCbuild/build.bat",
        "echo.  --experimental-jit-interpreter  Enable the experimental Tier 2 interpreter.",
        "after",
        "echo.  --with-rust    Build the modules written in Rust; fail if cargo or\n"
        "echo.                 bindgen is missing (default: build them if both are found)\n"
        "echo.  --no-rust      Do not build the modules written in Rust\n",
    ),
    Edit(
        "PCbuild/build.bat",
        'if "%~1"=="--no-tkinter" (set IncludeTkinter=false) & shift & goto CheckOpts',
        "after",
        "rem The modules written in Rust: IncludeRust is true, false or unset (auto)\n"
        'if "%~1"=="--with-rust" (set IncludeRust=true) & shift & goto CheckOpts\n'
        'if "%~1"=="--no-rust" (set IncludeRust=false) & shift & goto CheckOpts\n',
    ),
    Edit(
        "PCbuild/build.bat",
        " /p:IncludeSSL=%IncludeSSL% /p:IncludeTkinter=%IncludeTkinter%^",
        "after",
        " /p:IncludeRust=%IncludeRust%^\n",
    ),
    Edit(
        "PCbuild/readme.txt",
        "Profile Guided Optimization",
        "before",
        README_RUST_SECTION,
    ),
]

# The list of files the last `apply` installed, so that a later apply can
# remove those the project no longer has.
MANIFEST = "Tools/cargo/overlay-files.txt"
# CPython's versions of the files we edit, saved by the first `apply`.
ORIGINALS = "Tools/cargo/overlay-originals"

# Files autoconf regenerates from configure.ac (and what it includes).
GENERATED = ["configure", "pyconfig.h.in"]


def overlay_files() -> dict[str, Path]:
    """Map each overlay file's tree-relative path to its source here."""
    files: dict[str, Path] = {}
    for rel in OVERLAY_PATHS:
        source = PROJECT / rel
        if source.is_file():
            files[rel] = source
            continue
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_NAMES)
            for name in sorted(filenames):
                path = Path(dirpath, name)
                files[path.relative_to(PROJECT).as_posix()] = path
    return files


def cpython_version(tree: Path) -> tuple[int, ...]:
    patchlevel = tree / "Include" / "patchlevel.h"
    if not patchlevel.is_file():
        raise OverlayError(f"{tree} is not a CPython source tree (no Include/patchlevel.h)")
    match = re.search(r'#define\s+PY_VERSION\s+"(\d+)\.(\d+)\.(\d+)', patchlevel.read_text())
    if not match:
        raise OverlayError(f"{patchlevel}: cannot read PY_VERSION")
    version = tuple(int(part) for part in match.groups())
    if version[:2] not in SUPPORTED_SERIES:
        supported = ", ".join(f"{a}.{b}" for a, b in SUPPORTED_SERIES)
        raise OverlayError(
            f"CPython {'.'.join(map(str, version))} is not supported "
            f"(supported: {supported})")
    return version


def _autoconf_version(text: str) -> str | None:
    match = re.search(r"Autoconf\)? (\d+\.\d+)", text)
    return match.group(1) if match else None


def check_autoconf(tree: Path) -> None:
    """The local autoconf must be the one that generated the tree's
    configure, so regenerating changes nothing but our additions."""
    wanted = _autoconf_version((tree / "configure").read_text(errors="replace")[:2000])
    if shutil.which("autoconf") is None:
        raise OverlayError(f"autoconf not found (need {wanted}; Debian: apt install autoconf)")
    output = subprocess.run(["autoconf", "--version"], capture_output=True, text=True).stdout
    found = _autoconf_version(output)
    if wanted and found != wanted:
        raise OverlayError(
            f"configure was generated by autoconf {wanted}, but autoconf here is {found}")


def read_text(path: Path) -> str:
    """The file's text with its line endings as they are (CRLF stays)."""
    return path.read_bytes().decode("utf-8")


def original_content(tree: Path, rel: str) -> str:
    """CPython's own version of a file we edit: the copy saved by the first
    `apply`, or the file itself when it carries none of our edits yet.
    Edits are always made to it, so a new version of the project replaces
    the edits of an older one instead of adding to them."""
    saved = tree / ORIGINALS / rel
    if saved.is_file():
        return read_text(saved)
    path = tree / rel
    if not path.is_file():
        raise OverlayError(f"{rel} is missing")
    content = read_text(path)
    # Every block we insert says "Rust"; CPython 3.13's files never do.
    if re.search(r"\bRust\b", content):
        raise OverlayError(
            f"{rel} already has edits from an older overlay but no saved original "
            f"({ORIGINALS}/{rel}): restore CPython's version of the file first")
    return content


def planned_edits(tree: Path) -> tuple[dict[str, str], dict[str, str]]:
    """CPython's content and our edited content of each file we edit;
    raises on a missing anchor."""
    originals = {edit.path: original_content(tree, edit.path) for edit in EDITS}
    edited = dict(originals)
    for edit in EDITS:
        edited[edit.path] = edit.apply(edited[edit.path])
    return originals, edited


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def regenerate(tree: Path) -> dict[str, bytes]:
    """Run autoconf and autoheader on a copy of what they read, so the tree
    is only written when the result differs; return the generated files."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name in ("configure.ac", "aclocal.m4", "pyconfig.h.in"):
            shutil.copy2(tree / name, work / name)
        for included in (Path("Tools", "cargo"), Path("m4")):
            if (tree / included).is_dir():
                shutil.copytree(tree / included, work / included)
        for tool in (["autoconf"], ["autoheader"]):
            result = subprocess.run(tool, cwd=work, capture_output=True, text=True)
            if result.returncode:
                raise OverlayError(f"{tool[0]} failed:\n{result.stderr}")
        return {name: (work / name).read_bytes() for name in GENERATED}


def apply(tree: Path, run_autoconf: bool = True) -> list[str]:
    """Apply the overlay; return the tree-relative paths that changed."""
    cpython_version(tree)
    if run_autoconf:
        check_autoconf(tree)
    originals, edited = planned_edits(tree)
    # Everything is checked: from here on the tree is written.
    changed = []
    files = overlay_files()
    manifest = tree / MANIFEST
    if manifest.is_file():
        for rel in manifest.read_text().split():
            if rel not in files and (tree / rel).is_file():
                (tree / rel).unlink()
                changed.append(rel)
    for rel, source in files.items():
        if _write_if_changed(tree / rel, source.read_bytes()):
            shutil.copymode(source, tree / rel)
            changed.append(rel)
    listing = "".join(f"{rel}\n" for rel in sorted(files))
    if _write_if_changed(manifest, listing.encode()):
        changed.append(MANIFEST)
    for rel, content in originals.items():
        if _write_if_changed(tree / ORIGINALS / rel, content.encode()):
            changed.append(f"{ORIGINALS}/{rel}")
    for rel, content in edited.items():
        if _write_if_changed(tree / rel, content.encode()):
            changed.append(rel)
    if run_autoconf:
        for rel, data in regenerate(tree).items():
            if _write_if_changed(tree / rel, data):
                changed.append(rel)
    return changed


def differences(tree: Path, run_autoconf: bool = True) -> list[str]:
    """What keeps the tree from carrying the current overlay."""
    cpython_version(tree)
    problems = []
    for rel, source in overlay_files().items():
        target = tree / rel
        if not target.is_file():
            problems.append(f"missing: {rel}")
        elif target.read_bytes() != source.read_bytes():
            problems.append(f"differs: {rel}")
    for edit in EDITS:
        path = tree / edit.path
        if not path.is_file() or not edit.applied(read_text(path)):
            problems.append(f"edit not applied: {edit.path} ({edit.where} {edit.anchor!r})")
    if not problems and run_autoconf:
        check_autoconf(tree)
        for rel, data in regenerate(tree).items():
            if (tree / rel).read_bytes() != data:
                problems.append(f"not regenerated: {rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["apply", "check", "regen"],
                        help="regen: rewrite this project's files that follow "
                             "from RUST_MODULES_SETUP (no tree)")
    parser.add_argument("tree", type=Path, nargs="?", help="CPython source tree")
    parser.add_argument("--skip-autoconf", action="store_true",
                        help="do not regenerate (or check) configure and pyconfig.h.in: "
                             "for a tree built only with PCbuild")
    # Intermixed: the optional tree may follow --skip-autoconf.
    args = parser.parse_intermixed_args(argv)
    if args.command == "regen":
        for rel in regen_rust_modules.regenerate(PROJECT, RUST_MODULES):
            print(f"updated: {rel}")
        return 0
    if args.tree is None:
        parser.error(f"{args.command} needs a CPython source tree")
    tree = args.tree.resolve()
    run_autoconf = not args.skip_autoconf
    try:
        if args.command == "apply":
            changed = apply(tree, run_autoconf)
            print(f"applied to {tree}: {len(changed)} file(s) changed")
            for rel in changed:
                print(f"  {rel}")
            return 0
        problems = differences(tree, run_autoconf)
    except OverlayError as error:
        print(f"overlay.py: {error}", file=sys.stderr)
        return 2
    if problems:
        print(f"{tree} does not carry the current overlay:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"{tree} carries the current overlay")
    return 0


if __name__ == "__main__":
    sys.exit(main())
