"""dev/page_faults.py: one table row per function, with numbers (their
values are its own output)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import PROJECT

SCRIPT = PROJECT / "dev" / "page_faults.py"


def test_prints_a_row_per_function() -> None:
    result = subprocess.run([sys.executable, SCRIPT, "--size", "4096", "--calls", "3"],
                            capture_output=True, text=True, check=True)
    rows = re.findall(r"^\| (\w+) \| ([\d.]+) \| ([\d,.]+) \|$", result.stdout, re.MULTILINE)
    assert [name for name, _, _ in rows] == ["memcpy", "b64encode", "b64decode", "encodebytes",
                                            "decodebytes", "b32decode", "b16decode",
                                            "a85decode", "b85decode"]
    assert all(float(micros.replace(",", "")) > 0 for _, _, micros in rows)
