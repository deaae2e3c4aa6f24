"""dev/tutorial-rust-module.rst, followed literally in a scratch tree.

Every code block of the tutorial has a caption saying what to do with it:
"file PATH" writes it (", continued" adds to the file the previous block
started), "append to PATH" adds its lines to a file of CPython's, and "run
in the source directory" runs each line.  The test does exactly that, in
order, in a writable copy of the applied tree, and then checks what the
tutorial promises: a built-in module that works, registered by one line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT, copy_tree

TUTORIAL = PROJECT / "dev" / "tutorial-rust-module.rst"

BLOCK = re.compile(r"^\.\. code-block:: \S+\n   :caption: (?P<caption>.+)\n\n"
                   r"(?P<body>(?:(?:   .*)?\n)+)", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    action: str  # "file", "continued", "append" or "run"
    target: str
    text: str


def steps(text: str) -> list[Step]:
    found = []
    for match in BLOCK.finditer(text):
        caption = match["caption"]
        body = "".join(line[3:] + "\n" for line in match["body"].rstrip("\n").split("\n"))
        if caption == "run in the source directory":
            found.append(Step("run", "", body))
        elif m := re.fullmatch(r"append to (\S+)", caption):
            found.append(Step("append", m[1], body))
        elif m := re.fullmatch(r"file (\S+) \(continued\)", caption):
            found.append(Step("continued", m[1], body))
        elif m := re.fullmatch(r"file (\S+)", caption):
            found.append(Step("file", m[1], body))
        else:
            raise AssertionError(f"tutorial block with an unknown caption: {caption!r}")
    return found


def test_every_block_is_a_step() -> None:
    text = TUTORIAL.read_text()
    assert text.count(".. code-block::") == len(steps(text))
    kinds = {step.action for step in steps(text)}
    assert kinds == {"file", "continued", "append", "run"}


def run_steps(tree: Path, env: dict[str, str]) -> list[str]:
    log = []
    for step in steps(TUTORIAL.read_text()):
        if step.action == "run":
            for command in step.text.splitlines():
                result = subprocess.run(command, shell=True, cwd=tree, env=env,
                                        capture_output=True, text=True)
                log.append(f"$ {command}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
                assert result.returncode == 0, "\n".join(log[-1:])
            continue
        path = tree / step.target
        if step.action == "file":
            assert not path.exists(), f"{step.target} exists before the tutorial writes it"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step.text)
        elif step.action == "continued":
            path.write_text(path.read_text() + "\n" + step.text)
        else:
            content = path.read_text()
            path.write_text(content + ("" if content.endswith("\n") else "\n") + step.text)
    return log


def test_tutorial(applied_tree: Path, tmp_path: Path) -> None:
    tree = copy_tree(applied_tree, tmp_path / "cpython")
    subprocess.run(["chmod", "-R", "u+w", str(tree)], check=True)
    env = dict(os.environ)
    # configure's PYTHON_FOR_REGEN is the first python3.X on PATH, which on
    # a machine with pyenv's shims may not run; the regen targets take
    # the variable from the environment.
    env["PYTHON_FOR_REGEN"] = sys.executable
    log = run_steps(tree, env)
    print("\n".join(log[-3:]))
    check = subprocess.run(
        ["./python", "-c", "import sys, _spam, zlib; "
         "print('_spam' in sys.builtin_module_names, "
         "_spam.adler32(b'tutorial') == zlib.adler32(b'tutorial'))"],
        cwd=tree, env=env, capture_output=True, text=True, check=True)
    assert check.stdout.split() == ["True", "True"]
    # What followed from the one registration line.
    assert '_spam = ["dep:_spam"]' in (tree / "Modules/_rust/modules/Cargo.toml").read_text()
    assert 'name = "_spam"' in (tree / "Cargo.lock").read_text()
    assert "MODULE__SPAM_STATE=yes" in (tree / "Makefile").read_text()
    assert '"_spam",' in (tree / "Python/stdlib_module_names.h").read_text()
    regression = next(entry for entry in log if "-m test test__spam" in entry)
    assert re.search(r"Result: SUCCESS", regression), regression
    assert "Total tests: run=3" in regression, regression


@pytest.mark.parametrize("caption", ["file", "run it", "append Modules/Setup"])
def test_unknown_caption_is_refused(caption: str) -> None:
    with pytest.raises(AssertionError, match="unknown caption"):
        steps(f".. code-block:: text\n   :caption: {caption}\n\n   x\n")
