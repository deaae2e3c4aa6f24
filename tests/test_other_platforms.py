"""dev/other_platforms.py: the steps dev/demo.py and dev/run_tests.py print
on macOS and Windows are dev/ci_job.py commands that parse, and name the
PCbuild platforms, directories and Rust targets the build uses."""

from __future__ import annotations

import subprocess
import sys

import overlay
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))
import ci_job
import other_platforms


def ci_job_commands(text: str) -> list[list[str]]:
    """The arguments of each ci_job.py command line in `text`."""
    commands = []
    for line in text.splitlines():
        words = line.split()
        if len(words) > 1 and words[1].replace("\\", "/") == "dev/ci_job.py":
            commands.append(words[2:])
    return commands


def test_linux_runs_the_commands() -> None:
    assert other_platforms.steps("linux", "x86_64") is None


def test_macos_steps() -> None:
    text = other_platforms.steps("darwin", "arm64")
    assert ci_job_commands(text) == [["--install-tools"]]
    # CPython's build names the interpreter python.exe on macOS.
    assert "./python.exe -m test test_base64" in text


def test_windows_steps_match_pcbuild() -> None:
    for machine, (pcbuild, directory, target) in other_platforms.WINDOWS_PLATFORMS.items():
        text = other_platforms.steps("win32", machine)
        [command] = ci_job_commands(text)
        assert ci_job.argument_parser().parse_args(command).platform == pcbuild
        assert f"build.bat -e -p {pcbuild} --with-rust" in text
        assert f"PCbuild\\{directory}\\python.exe" in text
        assert f"rustup target add {target}" in text
    # ci_job.py passes --with-rust to build.bat, whose overlay edit parses it.
    build_bat_edits = "".join(edit.text for edit in overlay.EDITS
                              if edit.path == "PCbuild/build.bat")
    assert '"--with-rust"' in build_bat_edits
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
    assert "python3 dev/ci_job.py --install-tools" in result.stderr
