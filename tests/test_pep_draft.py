"""PEP-draft.rst: valid reStructuredText in PEP 12's form.

Why: the draft is what a steering council reads; docutils (what the PEP
tooling renders with) must report nothing about it, and it must keep
PEP 12's header fields and sections, with the rejected ideas the project
has to answer for.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docutils.core
import docutils.nodes

PEP = Path(__file__).resolve().parent.parent / "PEP-draft.rst"

HEADER_FIELDS = ["PEP", "Title", "Author", "Status", "Type", "Created", "Python-Version"]
SECTIONS = ["Abstract", "Motivation", "Rationale", "Specification",
            "Backwards Compatibility", "Security Implications", "How to Teach This",
            "Reference Implementation", "Rejected Ideas", "Open Issues", "Copyright"]
REJECTED = ["PyO3 in the standard library", "The bindgen crate in ``build.rs``",
            "One static library per module", "Rust as a required dependency"]


def test_docutils_reports_nothing() -> None:
    messages = io.StringIO()
    doctree = docutils.core.publish_doctree(
        PEP.read_text(), source_path=str(PEP),
        settings_overrides={"warning_stream": messages, "report_level": 1})
    assert messages.getvalue() == ""
    assert not list(doctree.findall(docutils.nodes.system_message))


def test_pep_12_form() -> None:
    text = PEP.read_text()
    header = text.split("\n\n", 1)[0]
    assert [line.split(":", 1)[0] for line in header.splitlines()][:len(HEADER_FIELDS)] \
        == HEADER_FIELDS
    titles = re.findall(r"^(.+)\n=+$", text, re.MULTILINE)
    assert titles == SECTIONS
    for idea in REJECTED:
        assert re.search(rf"^{re.escape(idea)}$", text, re.MULTILINE), idea


def test_no_placeholder_is_left() -> None:
    assert not re.search(r"\b[A-Z]+-TABLE\b|\bTODO\b|\bXXX\b", PEP.read_text())
