"""dev/compare_builds.py: what it exports of each revision and what its
timer returns (its builds and timings are its own output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))

import bench_worker
import compare_builds


def tracked_files() -> set[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True,
                             text=True, check=True).stdout
    return {line for line in listing.splitlines() if (PROJECT / line).exists()}


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_exports_a_revision_as_committed(tmp_path: Path) -> None:
    compare_builds.export("HEAD", tmp_path / "head")
    committed = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD"], cwd=PROJECT,
                               capture_output=True, text=True, check=True).stdout.split()
    assert files_under(tmp_path / "head") == set(committed)
    assert (tmp_path / "head" / "overlay.py").read_bytes() == subprocess.run(
        ["git", "show", "HEAD:overlay.py"], cwd=PROJECT, capture_output=True,
        check=True).stdout


def test_exports_the_checkout_without_build_products(tmp_path: Path) -> None:
    compare_builds.export(compare_builds.WORKTREE, tmp_path / "checkout")
    exported = files_under(tmp_path / "checkout")
    assert tracked_files() <= exported
    assert not any(name.split("/")[0] in {".git", ".work", "target"} for name in exported)


def test_best_times_names_each_function_and_size() -> None:
    times = bench_worker.best_times(["b64encode", "b64decode"], [32, 300], repeat=2)
    assert set(times) == {"base64/b64encode/32/32", "base64/b64encode/300/300",
                          "base64/b64decode/32/44", "base64/b64decode/300/400"}
    assert all(0 < seconds < 1 for seconds in times.values())
