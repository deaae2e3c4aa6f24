""".github/workflows: actionlint (with shellcheck on the run: scripts)
passes, and the matrix covers what the project promises.

Why: these machines cannot run GitHub's runners, so what can be checked
here is checked here: the workflow's syntax, expressions, runner labels
and scripts (actionlint, shown to reject a bad label and an unquoted
variable), and that every PEP 11 tier-1 platform has a default and a
free-threaded job, with the workspace's rust-version and stable Rust, and
no cache that could hide a missing install step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))
import ci_job
import toolchains

WORKFLOWS = PROJECT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"

# Runner label -> the platform its jobs build for (PCbuild's --platform
# where one runner builds several).
TIER_1_RUNNERS = {
    "Linux x86_64": ("ubuntu-24.04", None),
    "Linux aarch64": ("ubuntu-24.04-arm", None),
    "macOS arm64": ("macos-15", None),
    "Windows x64": ("windows-2025", "x64"),
    "Windows Win32": ("windows-2025", "Win32"),
}


def tool(name: str) -> str:
    """A tool dev/prereqs.py installs: pip puts actionlint in the scripts
    directory of the interpreter, which need not be on PATH."""
    path = shutil.which(name, path=os.pathsep.join(
        [sysconfig.get_path("scripts"), os.environ.get("PATH", "")]))
    assert path, f"{name} not found: python3 dev/prereqs.py installs it"
    return path


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("actionlint"), f"-shellcheck={tool('shellcheck')}", "-no-color",
         *map(str, paths)], capture_output=True, text=True, check=False)


def jobs() -> list[dict[str, str]]:
    workflow = yaml.safe_load(CI.read_text())
    return workflow["jobs"]["build"]["strategy"]["matrix"]["include"]


def test_workflows_pass_actionlint() -> None:
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert CI in workflows
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_unknown_label_and_unquoted_variable(tmp_path: Path) -> None:
    broken = CI.read_text().replace("os: macos-15-intel", "os: macos-9-intel")
    broken = broken.replace('--rust "$RUST_VERSION"', "--rust $RUST_VERSION")
    assert broken != CI.read_text()
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    result = actionlint(path)
    assert result.returncode == 1
    assert 'label "macos-9-intel" is unknown' in result.stdout
    assert "SC2086" in result.stdout


@pytest.mark.parametrize("platform", TIER_1_RUNNERS)
def test_tier_1_platform_has_default_and_free_threaded_jobs(platform: str) -> None:
    runner, pcbuild_platform = TIER_1_RUNNERS[platform]
    options = [job["options"].split() for job in jobs() if job["os"] == runner]
    if pcbuild_platform:
        options = [o for o in options if o[:2] == ["--platform", pcbuild_platform]]
        options = [o[2:] for o in options]
    assert [] in options, f"{platform}: no default build"
    assert ["--free-threaded"] in options, f"{platform}: no free-threaded build"


def test_linux_pydebug_and_shared_jobs() -> None:
    linux = [job["options"] for job in jobs() if job["os"] == "ubuntu-24.04"]
    assert "--pydebug" in linux and "--shared" in linux


def test_rust_versions_are_msrv_and_stable() -> None:
    versions = {job["rust"] for job in jobs()}
    assert versions == {toolchains.msrv(), "stable"}
    # The oldest Rust builds on each kind of system.
    systems = {job["os"].split("-")[0] for job in jobs() if job["rust"] == toolchains.msrv()}
    assert systems == {"ubuntu", "macos", "windows"}


def test_job_options_are_ci_job_options() -> None:
    for job in jobs():
        args = ci_job.argument_parser().parse_args(
            ["--install-tools", "--rust", job["rust"], *job["options"].split()])
        assert args.rust == job["rust"]
        # PCbuild jobs, and only they, name their platform.
        assert (args.platform is not None) == job["os"].startswith("windows"), job


def test_nothing_is_cached() -> None:
    text = CI.read_text()
    assert "actions/cache" not in text
    assert "cache:" not in text
