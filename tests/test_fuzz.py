"""Differential fuzzing of _base64 against the pure-Python base64, for a fixed time.

dev/fuzz_base64.py (atheris, coverage-guided) calls each `_base64`
function and its pure-Python twin on generated arguments and raises on
any observable difference; here it runs for FUZZ_SECONDS on a copy of
the committed seed corpus in the `--with-rust` build and must exit 0
having run inputs.  No difference is tolerated: there is no ignore list.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import PROJECT, Build

FUZZ_SECONDS = 120
HARNESS = PROJECT / "dev" / "fuzz_base64.py"
CORPUS = PROJECT / "dev" / "fuzz-corpus"


@pytest.mark.extended
def test_fuzz_base64(rust_build: Build, tmp_path: Path) -> None:
    site = rust_build.path / "atheris-site"
    if not site.is_dir():
        rust_build.pip_install(site, "atheris")
    # libFuzzer adds the inputs it finds to the first corpus directory:
    # a copy keeps the committed corpus as it is.
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    result = rust_build.python(
        str(HARNESS), f"-max_total_time={FUZZ_SECONDS}", "-max_len=512",
        "-print_final_stats=1", f"-artifact_prefix={artifacts}/", str(corpus),
        env=dict(rust_build.env, PYTHONPATH=str(site)), check=False)
    output = result.stdout + result.stderr
    done = re.search(r"^Done (\d+) runs in (\d+) second", output, re.MULTILINE)
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", output)
    print(done.group(0) if done else "no 'Done' line",
          f"(last cov/ft: {coverage[-1]})" if coverage else "")
    assert result.returncode == 0, output[-6000:]
    assert done and int(done.group(1)) > 0, output[-3000:]
