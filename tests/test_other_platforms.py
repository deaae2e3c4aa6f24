"""dev/other_platforms.py: the steps dev/demo.py and dev/run_tests.py print
on macOS and Windows name options that exist."""

from __future__ import annotations

import subprocess
import sys

import overlay
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))
import other_platforms


def test_linux_runs_the_commands() -> None:
    assert other_platforms.steps("linux", "x86_64") is None


def test_macos_steps() -> None:
    text = other_platforms.steps("darwin", "arm64")
    assert "./configure --with-rust" in text
    # CPython's build names the interpreter python.exe on macOS.
    assert "./python.exe -m test test__base64" in text


def test_windows_steps_match_pcbuild() -> None:
    build_bat_options = "".join(edit.text for edit in overlay.EDITS
                                if edit.path == "PCbuild/build.bat")
    overlay_help = subprocess.run([sys.executable, str(PROJECT / "overlay.py"), "--help"],
                                  capture_output=True, text=True, check=True).stdout
    for machine, (pcbuild, directory, target) in other_platforms.WINDOWS_PLATFORMS.items():
        text = other_platforms.steps("win32", machine)
        assert f"build.bat\" -e -p {pcbuild} --with-rust" in text
        assert f"\\PCbuild\\{directory}\\python.exe" in text
        assert f"rustup target add {target}" in text
        assert "overlay.py apply --skip-autoconf" in text
    assert '"--with-rust"' in build_bat_options
    assert "--skip-autoconf" in overlay_help
    targets = (PROJECT / "PCbuild" / "rust.targets").read_text()
    for _, _, target in other_platforms.WINDOWS_PLATFORMS.values():
        assert f">{target}</RustTarget>" in targets


def test_commands_refuse_with_the_steps() -> None:
    # What dev/demo.py prints on macOS, simulated by the platform check.
    code = ("import sys; sys.platform = 'darwin'; sys.path.insert(0, 'dev'); "
            "import other_platforms; other_platforms.exit_unless_linux('dev/demo.py')")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert "dev/demo.py runs on Debian-like Linux only" in result.stderr
    assert "brew install bindgen" in result.stderr
