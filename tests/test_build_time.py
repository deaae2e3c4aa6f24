"""dev/build_time.py: what it refuses (its timings are its own output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

SCRIPT = PROJECT / "dev" / "build_time.py"


def test_refuses_tree_configured_in_tree(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("all:\n")
    result = subprocess.run([sys.executable, SCRIPT, "--tree", tmp_path],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "is configured in-tree" in result.stderr


def test_reports_a_failed_configure(tmp_path: Path) -> None:
    configure = tmp_path / "configure"
    configure.write_text("#!/bin/sh\nexit 3\n")
    configure.chmod(0o755)
    result = subprocess.run([sys.executable, SCRIPT, "--tree", tmp_path,
                             "--work", tmp_path / "work"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "returned non-zero exit status 3" in result.stderr
