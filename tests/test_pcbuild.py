"""PCbuild: the overlay's MSVC build integration, checked without Windows.

MSBuild cannot run here, so these tests check what can be checked on
Linux: the edits apply to every supported 3.13 release (3.13.15 and
3.13.5 in the suite) and keep PCbuild's CRLF line endings, the result is
well-formed MSBuild XML that imports PCbuild/rust.targets, and
rust.targets names what the rest of the project builds (the cargo
package, its library, the profiles, the environment variables
cpython-sys reads, the Rust targets, the bindgen flags), and that rustc's
objects for the MSVC targets ask link.exe to export nothing.  Whether
MSVC links the result is for the hosted CI (.github/workflows/ci.yml).
"""

from __future__ import annotations

import difflib
import re
import shlex
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import overlay
from conftest import PROJECT, run_overlay, snapshot

MSBUILD = "{http://schemas.microsoft.com/developer/msbuild/2003}"
RUST_TARGETS = PROJECT / "PCbuild" / "rust.targets"
PCBUILD_EDITED = sorted({edit.path for edit in overlay.EDITS
                         if edit.path.startswith(("PCbuild/", "PC/"))})
# Enough of a tree for overlay.apply without autoconf.
TREE_FILES = ["Include/patchlevel.h", *sorted({edit.path for edit in overlay.EDITS})]


@pytest.fixture(params=["new", "old"])
def release_tree(request: pytest.FixtureRequest, pristine_tree: Path) -> Path:
    """Each supported release's pristine tree (the old one when given)."""
    if request.param == "new":
        return pristine_tree
    old = request.config.getoption("--cpython-src-old")
    if not old:
        pytest.skip("no older CPython tree (--cpython-src-old)")
    return Path(old).resolve()


@pytest.fixture
def small_tree(release_tree: Path, tmp_path: Path) -> Path:
    tree = tmp_path / "cpython"
    for rel in TREE_FILES:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(release_tree / rel, tree / rel)
    return tree


def applied(tree: Path) -> Path:
    result = run_overlay("apply", "--skip-autoconf", tree)
    assert result.returncode == 0, result.stderr
    return tree


def msbuild_elements(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(MSBUILD + tag))


def test_edits_apply_and_keep_line_endings(small_tree: Path, release_tree: Path) -> None:
    applied(small_tree)
    for rel in PCBUILD_EDITED:
        before = (release_tree / rel).read_bytes()
        after = (small_tree / rel).read_bytes()
        assert after != before, rel
        crlf = before.count(b"\r\n")
        if crlf:
            # Every line still ends in CRLF: no bare LF was added.
            assert after.count(b"\n") == after.count(b"\r\n"), rel
        else:
            assert b"\r\n" not in after, rel
        # Only lines were added: CPython's lines are all still there.
        assert after.startswith(before[:3]), rel  # the BOM of the .vcxproj
        matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(),
                                          autojunk=False)
        assert {tag for tag, *_ in matcher.get_opcodes()} == {"equal", "insert"}, rel


def test_second_apply_changes_nothing(small_tree: Path) -> None:
    applied(small_tree)
    before = snapshot(small_tree)
    result = run_overlay("apply", "--skip-autoconf", small_tree)
    assert "0 file(s) changed" in result.stdout
    assert snapshot(small_tree) == before
    check = run_overlay("check", "--skip-autoconf", small_tree)
    assert check.returncode == 0, check.stdout


def test_pythoncore_imports_rust_targets(small_tree: Path) -> None:
    applied(small_tree)
    root = ET.parse(small_tree / "PCbuild" / "pythoncore.vcxproj").getroot()
    imports = [element.get("Project") for element in msbuild_elements(root, "Import")]
    # After the C++ targets (so _UpdatePyconfig and Link exist to hook),
    # next to CPython's own regen.targets.
    assert imports.index("rust.targets") > imports.index(r"$(VCTargetsPath)\Microsoft.Cpp.targets")
    assert imports.index("rust.targets") == imports.index("regen.targets") + 1
    targets = {element.get("Name") for element in msbuild_elements(root, "Target")}
    rust = ET.parse(RUST_TARGETS).getroot()
    for element in msbuild_elements(rust, "Target"):
        for hook in ("DependsOnTargets", "BeforeTargets", "AfterTargets"):
            for name in filter(None, (element.get(hook) or "").split(";")):
                # A hook on a pythoncore target must name one that exists;
                # the C++ targets' names (ClCompile, Link, ...) are checked
                # by the hosted CI.
                if name.startswith("_") and not name.startswith("_Rust"):
                    assert name in targets, (element.get("Name"), name)


def test_config_c_registers_the_modules(small_tree: Path) -> None:
    applied(small_tree)
    text = (small_tree / "PC" / "config.c").read_text()
    define = "_Py_HAVE_RUST"
    assert define in RUST_TARGETS.read_text()
    for module in ("_base64",):
        declaration = f"extern PyObject* PyInit_{module}(void);"
        entry = f'{{"{module}", PyInit_{module}}},'
        for line in (declaration, entry):
            # Each line is inside an #ifdef of the define rust.targets sets.
            before, found, _ = text.partition(line)
            assert found, line
            assert before.rsplit("#if", 1)[1].startswith(f"def {define}\n"), line
    # The table is still terminated, and the entry is inside it.
    table = text[text.index("struct _inittab _PyImport_Inittab[]"):]
    assert table.index('"_base64"') < table.index("{0, 0}")


def test_build_bat_passes_include_rust(small_tree: Path) -> None:
    applied(small_tree)
    text = (small_tree / "PCbuild" / "build.bat").read_text()
    assert 'if "%~1"=="--with-rust" (set IncludeRust=true) & shift & goto CheckOpts' in text
    assert 'if "%~1"=="--no-rust" (set IncludeRust=false) & shift & goto CheckOpts' in text
    # The options are parsed before the first default is set ...
    assert text.index('"--no-rust"') < text.index('if "%IncludeExternals%"==""')
    # ... and the MSBuild call, which continues its lines with ^, passes it.
    build = text[text.index(":Build\n"):]
    call = build[:build.index("%1 %2 %3")]
    assert " /p:IncludeRust=%IncludeRust%^\n" in call
    lines = call[call.index('%MSBUILD% "%dir%pcbuild.proj"'):].splitlines()
    assert len(lines) > 5 and all(line.endswith("^") for line in lines[:-1])
    usage = text[:text.index(":Run")]
    assert "--with-rust" in usage and "--no-rust" in usage


@pytest.mark.parametrize("rel, anchor", [
    ("PCbuild/pythoncore.vcxproj", '    <Import Project="regen.targets" />'),
    ("PC/config.c", '    {"binascii", PyInit_binascii},'),
    ("PCbuild/build.bat", " /p:IncludeSSL=%IncludeSSL% /p:IncludeTkinter=%IncludeTkinter%^"),
])
def test_refuses_tree_without_anchor(small_tree: Path, rel: str, anchor: str) -> None:
    path = small_tree / rel
    data = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    line = anchor.encode() + newline
    assert data.count(line) == 1
    path.write_bytes(data.replace(line, b""))
    before = snapshot(small_tree)
    result = run_overlay("apply", "--skip-autoconf", small_tree)
    assert result.returncode == 2
    assert f"{rel}: anchor line {anchor!r} not found" in result.stderr
    assert snapshot(small_tree) == before


def properties(name: str) -> list[ET.Element]:
    root = ET.parse(RUST_TARGETS).getroot()
    return [element for group in msbuild_elements(root, "PropertyGroup")
            for element in group if element.tag == MSBUILD + name]


def rustc_targets() -> set[str]:
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("rustc not found")
    return set(subprocess.run([rustc, "--print", "target-list"], capture_output=True,
                              text=True, check=True).stdout.split())


def clang_pointer_bytes(triple: str) -> int:
    macros = subprocess.run(["clang", f"--target={triple}", "-dM", "-E", "-x", "c", "/dev/null"],
                            capture_output=True, text=True, check=True).stdout
    match = re.search(r"#define __SIZEOF_POINTER__ (\d+)", macros)
    assert match, triple
    return int(match.group(1))


def test_rust_target_of_each_platform() -> None:
    targets = {re.search(r"'\$\(Platform\)' == '(\w+)'", element.get("Condition")).group(1):
               element.text for element in properties("RustTarget")}
    assert targets == {"x64": "x86_64-pc-windows-msvc", "Win32": "i686-pc-windows-msvc",
                       "ARM64": "aarch64-pc-windows-msvc"}
    assert set(targets.values()) <= rustc_targets()
    # bindgen's clang gets the same triple: it must read it as the
    # platform's word size, or the bindings' layouts would be wrong.
    if shutil.which("clang") is None:
        pytest.skip("clang not found")
    sizes = {platform: clang_pointer_bytes(triple) for platform, triple in targets.items()}
    assert sizes == {"x64": 8, "Win32": 4, "ARM64": 8}
    assert "--target=$(RustTarget)" in properties("_RustClangFlags")[0].text


def test_profiles_exist_in_the_workspace() -> None:
    workspace = tomllib.loads((PROJECT / "Cargo.toml").read_text())
    profiles = {element.get("Condition"): element.text for element in properties("RustProfile")}
    assert profiles == {"'$(Configuration)' == 'Debug'": "pydebug",
                        "'$(Configuration)' != 'Debug'": "release"}
    assert "pydebug" in workspace["profile"]


def test_cargo_builds_the_static_library_offline() -> None:
    manifest = tomllib.loads((PROJECT / "Modules" / "_rust" / "modules" / "Cargo.toml").read_text())
    root = ET.parse(RUST_TARGETS).getroot()
    commands = [element.get("Command") for element in msbuild_elements(root, "Exec")]
    cargo = [command for command in commands if command.startswith('"$(RustCargo)"')]
    assert len(cargo) == 1
    args = shlex.split(cargo[0])
    assert args[1] == "build"
    assert {"--offline", "--locked"} <= set(args)
    assert args[args.index("--package") + 1] == manifest["package"]["name"]
    assert args[args.index("--target") + 1] == "$(RustTarget)"
    assert args[args.index("--profile") + 1] == "$(RustProfile)"
    assert manifest["lib"]["crate-type"] == ["staticlib"]
    # MSVC names a static library NAME.lib.
    assert properties("RustStaticLib")[0].text.endswith(
        rf"$(RustTarget)\$(RustProfile)\{manifest['lib']['name']}.lib")
    # The variables cpython-sys reads, as rust.mk sets them.
    exec_cargo = next(element for element in msbuild_elements(root, "Exec")
                      if element.get("Command") == cargo[0])
    env = dict(item.split("=", 1) for item in exec_cargo.get("EnvironmentVariables").split(";"))
    assert env == {"CPYTHON_SYS_BINDINGS": "$(RustBindings)",
                   "CPYTHON_SYS_PYCONFIG_H": "$(IntDir)pyconfig.h"}
    build_rs = (PROJECT / "cpython-sys" / "build.rs").read_text()
    lib_rs = (PROJECT / "cpython-sys" / "src" / "lib.rs").read_text()
    assert 'env::var("CPYTHON_SYS_PYCONFIG_H")' in build_rs
    assert 'env!("CPYTHON_SYS_BINDINGS")' in lib_rs


def test_link_and_compile_settings() -> None:
    root = ET.parse(RUST_TARGETS).getroot()
    [group] = msbuild_elements(root, "ItemDefinitionGroup")
    assert group.get("Condition") == "$(BuildRustModules) == 'true'"
    defines = group.find(f"{MSBUILD}ClCompile/{MSBUILD}PreprocessorDefinitions").text
    assert defines.split(";")[0] == "_Py_HAVE_RUST"
    link = group.find(f"{MSBUILD}Link")
    dependencies = link.find(f"{MSBUILD}AdditionalDependencies").text.split(";")
    assert dependencies[:2] == ["$(RustStaticLib)", "$(RustNativeLibs)"]
    ignored = link.find(f"{MSBUILD}IgnoreSpecificDefaultLibraries")
    assert ignored.get("Condition") == "'$(Configuration)' == 'Debug'"
    assert ignored.text.startswith("msvcrt.lib;")
    native = properties("RustNativeLibs")[0].text.split(";")
    assert "kernel32.lib" in native and all(lib.endswith(".lib") for lib in native)


def test_include_rust_choices() -> None:
    # true: build, and fail on a missing tool; unset: build when found,
    # else warn; false: not built.
    [enabled, fallback] = properties("BuildRustModules")
    assert enabled.get("Condition") == (
        "'$(IncludeRust)' == 'true' or ('$(IncludeRust)' == '' and '$(_RustMissing)' == '')")
    assert fallback.text == "false"
    root = ET.parse(RUST_TARGETS).getroot()
    targets = {element.get("Name"): element for element in msbuild_elements(root, "Target")}
    warn = targets["_RustWarnMissing"]
    assert warn.get("Condition") == "'$(IncludeRust)' == '' and $(BuildRustModules) != 'true'"
    assert warn.find(MSBUILD + "Warning") is not None
    error = targets["_RustCheckPrerequisites"]
    assert error.get("Condition") == "$(BuildRustModules) == 'true' and '$(_RustMissing)' != ''"
    assert error.find(MSBUILD + "Error") is not None
    for name in ("_RustBindings", "_RustStaticLib", "_RustCheckNativeLibs"):
        assert targets[name].get("Condition") == "$(BuildRustModules) == 'true'"
    missing = " ".join(element.text for element in properties("_RustMissing"))
    assert "cargo" in missing and "bindgen-cli" in missing


def test_bindgen_flags_are_the_makefiles() -> None:
    # rust.targets turns the shared flags file into one command line with
    # two .NET regular expressions; applied here with Python's (the same
    # syntax for these), they give the arguments rust.mk gives.
    flags_file = PROJECT / "cpython-sys" / "bindgen.flags"
    text = flags_file.read_text()
    [read, strip_comments, join] = properties("_RustBindgenFlags")
    assert r"cpython-sys\bindgen.flags" in read.text
    msbuild = text
    for element in (strip_comments, join):
        pattern, replacement = re.findall(r"'([^']*)'", element.text)[:2]
        msbuild = re.sub(pattern, replacement, msbuild)
    msbuild = msbuild.strip()
    assert "\n" not in msbuild
    make = subprocess.run(["sed", "/^#/d", str(flags_file)], capture_output=True, text=True,
                          check=True).stdout
    assert shlex.split(msbuild) == shlex.split(make)
    assert shlex.split(make)[:2] == ["--use-core", "--ctypes-prefix"]
    assert "_?Py.*|PY_.*|METH_.*" in shlex.split(make)
    rust_mk = (PROJECT / "Tools" / "cargo" / "rust.mk").read_text()
    assert "$(srcdir)/cpython-sys/bindgen.flags" in rust_mk
    assert "--allowlist" not in rust_mk


# What rustc puts in a staticlib for MSVC decides whether python313.dll
# exports Rust symbols: an object's .drectve section may carry /EXPORT
# directives, which link.exe obeys for a DLL.  The nightly toolchain can
# compile a crate without core for any target, so this is checked here
# for rustc's own objects (std's objects, which need the target's std,
# are the hosted CI's dumpbin check).
NO_CORE_CRATE = """\
#![feature(no_core, lang_items)]
#![allow(internal_features)]
#![no_core]
#[lang = "pointee_sized"] pub trait PointeeSized {}
#[lang = "meta_sized"] pub trait MetaSized: PointeeSized {}
#[lang = "sized"] pub trait Sized: MetaSized {}
#[unsafe(no_mangle)]
pub extern "C" fn PyInit__base64() -> usize { 64 }
"""


@pytest.mark.parametrize("target", ["x86_64-pc-windows-msvc", "i686-pc-windows-msvc",
                                    "aarch64-pc-windows-msvc"])
def test_msvc_staticlib_has_no_export_directive(target: str, tmp_path: Path) -> None:
    rustup = shutil.which("rustup")
    toolchains = subprocess.run([rustup, "toolchain", "list"], capture_output=True,
                                text=True).stdout if rustup else ""
    if "nightly" not in toolchains:
        pytest.skip("no nightly Rust toolchain (rustup)")
    source = tmp_path / "lib.rs"
    source.write_text(NO_CORE_CRATE)
    library = tmp_path / "modules.lib"
    subprocess.run([rustup, "run", "nightly", "rustc", "--crate-type", "staticlib",
                    "--target", target, "-O", "-o", library, source], check=True)
    members = tmp_path / "members"
    members.mkdir()
    subprocess.run(["llvm-ar", "x", library], cwd=members, check=True)
    [member] = members.iterdir()
    symbols = subprocess.run(["llvm-readobj", "--symbols", member],
                             capture_output=True, text=True, check=True).stdout
    # The symbol is there and global: what an /EXPORT would name.
    assert re.search(r"Name: _?PyInit__base64\n(?:.*\n){4}\s+StorageClass: External",
                     symbols), symbols
    sections = coff_sections(member.read_bytes())
    assert ".text" in sections or any(name.startswith(".text$") for name in sections), sections
    assert b"/EXPORT" not in sections.get(".drectve", b"").upper()


def coff_sections(data: bytes) -> dict[str, bytes]:
    """Section name -> raw data of a COFF object (names of up to 8 bytes,
    which .drectve and .text are)."""
    count = struct.unpack_from("<H", data, 2)[0]
    optional_header = struct.unpack_from("<H", data, 16)[0]
    sections = {}
    for index in range(count):
        offset = 20 + optional_header + 40 * index
        name, size, pointer = struct.unpack_from("<8s8xII", data, offset)
        sections[name.rstrip(b"\0").decode()] = data[pointer:pointer + size]
    return sections


def test_coff_reader_finds_a_dllexport(tmp_path: Path) -> None:
    # The check above can fail: clang's object for a __declspec(dllexport)
    # function carries the directive it looks for.
    source = tmp_path / "export.c"
    source.write_text("__declspec(dllexport) int PyInit__base64(void) { return 64; }\n")
    obj = tmp_path / "export.obj"
    subprocess.run(["clang", "--target=x86_64-pc-windows-msvc", "-c", source, "-o", obj],
                   check=True)
    assert b"/EXPORT:PyInit__base64" in coff_sections(obj.read_bytes())[".drectve"]
