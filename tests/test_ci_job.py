"""dev/ci_job.py's checks of a build, on recorded tool output.

Why: on Windows the job decides from `dumpbin /exports` whether the DLL
exports anything of Rust's, and these machines have no dumpbin; the parser
is checked here on output in dumpbin's format (a forwarded export
included), so that a Rust export cannot pass unseen.  The nm half runs for
real in the Linux job, and here on the nm output format of macOS.
"""

from __future__ import annotations

import sys

import pytest

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))
import ci_job

DUMPBIN_HEADER = """\
Dump of file python313.dll

File Type: DLL

  Section contains the following exports for python313.dll

    00000000 characteristics
    FFFFFFFF time date stamp
        0.00 version
           1 ordinal base
        1552 number of functions
        1552 number of names

    ordinal hint RVA      name

"""


def dumpbin_output(*names: str) -> str:
    lines = [f"{n:>11} {n - 1:>4X} {0x1000 + 16 * n:08X} {name}"
             for n, name in enumerate(names, start=1)]
    lines.append("       9999  FFF          PyArg_Parse (forwarded to python313.PyArg_Parse)")
    return DUMPBIN_HEADER + "\n".join(lines) + "\n\n  Summary\n\n        1000 .data\n"


def test_c_api_exports_pass() -> None:
    output = dumpbin_output("PyArg_ParseTuple", "Py_Initialize", "_Py_Dealloc",
                            "PyUnicode_FromString")
    assert ci_job.exported_rust_symbols(output) == []


@pytest.mark.parametrize("name", [
    "PyInit__base64",
    "_ZN4core9panicking5panic17h0123456789abcdefE",
    "_RNvCs1234_7___rustc12___rust_alloc",
    "__rust_alloc",
    "__rdl_alloc",
    "__rg_oom",
    "rust_eh_personality",
])
def test_rust_export_is_found(name: str) -> None:
    output = dumpbin_output("PyArg_ParseTuple", name, "Py_Initialize")
    assert ci_job.exported_rust_symbols(output) == [name]


def test_forwarded_export_is_read() -> None:
    # python3.dll's exports are all forwarded, with no RVA column.
    output = DUMPBIN_HEADER + "          1    0          PyInit__base64 (forwarded to x.y)\n"
    assert ci_job.exported_rust_symbols(output) == ["PyInit__base64"]


def test_nm_global_symbols_macos_format() -> None:
    output = "0000000000001230 T _PyInit__base64\n"
    assert ci_job.global_symbols(output) == {"_PyInit__base64"}


@pytest.mark.parametrize(("name", "expected"), [
    ("x64", ("x64", "amd64", "x86_64-pc-windows-msvc")),
    ("Win32", ("Win32", "win32", "i686-pc-windows-msvc")),
    ("ARM64", ("ARM64", "arm64", "aarch64-pc-windows-msvc")),
])
def test_windows_platform(name: str, expected: tuple[str, str, str]) -> None:
    assert ci_job.windows_platform(name) == expected


def test_unknown_windows_platform_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown PCbuild platform ARM32"):
        ci_job.windows_platform("ARM32")
