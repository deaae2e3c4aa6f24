"""dev/fetch_cpython.py's python.org source, offline: the download is
checked against the pinned SHA-256 and a mismatch leaves nothing behind.

Why: the GitHub Actions jobs fetch CPython from python.org, which these
machines cannot reach; the digest check is what makes that tree the same
pristine tree as Debian's, so it is tested here with a stand-in server.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "dev"))
import fetch_cpython


def release_tarball(version: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
        readme = f"This is Python version {version}\n".encode()
        member = tarfile.TarInfo(f"Python-{version}/README.rst")
        member.size = len(readme)
        archive.addfile(member, io.BytesIO(readme))
    return buffer.getvalue()


class StandInPythonOrg:
    """Answers urlopen from `bodies` (URL -> bytes) and records the URLs."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requested: list[str] = []

    def urlopen(self, url: str) -> io.BytesIO:
        self.requested.append(url)
        return io.BytesIO(self.bodies[url])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> StandInPythonOrg:
    server = StandInPythonOrg()
    monkeypatch.setattr(fetch_cpython.urllib.request, "urlopen", server.urlopen)
    return server


def pin(monkeypatch: pytest.MonkeyPatch, version: str, body: bytes) -> None:
    monkeypatch.setitem(fetch_cpython.PYTHON_ORG_SHA256, version,
                        hashlib.sha256(body).hexdigest())


@pytest.mark.parametrize("version", sorted(fetch_cpython.PYTHON_ORG_SHA256))
def test_pinned_digest_is_debians_orig_tarball(version: str) -> None:
    # dev/run_tests.py fetches both tested releases from Debian into
    # .work/pristine; the pin says python.org's file is that file.
    tarball = PROJECT / ".work" / "pristine" / f"python3.13_{version}.orig.tar.xz"
    if not tarball.exists():
        pytest.skip(f"{tarball} not fetched (dev/run_tests.py fetches it)")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    assert digest == fetch_cpython.PYTHON_ORG_SHA256[version]


def test_tested_releases_are_pinned() -> None:
    import run_tests
    assert run_tests.OLD_RELEASE in fetch_cpython.PYTHON_ORG_SHA256


def test_matching_digest_is_extracted(served: StandInPythonOrg, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    body = release_tarball("3.13.15")
    pin(monkeypatch, "3.13.15", body)
    url = "https://www.python.org/ftp/python/3.13.15/Python-3.13.15.tar.xz"
    served.bodies[url] = body
    tree = fetch_cpython.fetch(tmp_path, "3.13.15", source="python.org")
    assert tree == tmp_path / "Python-3.13.15"
    assert (tree / "README.rst").read_text() == "This is Python version 3.13.15\n"
    assert (tmp_path / "Python-3.13.15.tar.xz").read_bytes() == body
    # A second fetch uses the verified tarball: no download.
    fetch_cpython.fetch(tmp_path, "3.13.15", source="python.org")
    assert served.requested == [url]


def test_default_version_is_the_newest_pinned(served: StandInPythonOrg, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    body = release_tarball("3.13.15")
    pin(monkeypatch, "3.13.15", body)
    served.bodies["https://www.python.org/ftp/python/3.13.15/Python-3.13.15.tar.xz"] = body
    assert fetch_cpython.fetch(tmp_path, source="python.org").name == "Python-3.13.15"


def test_wrong_digest_is_refused_and_removed(served: StandInPythonOrg, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pin(monkeypatch, "3.13.5", release_tarball("3.13.5"))
    served.bodies["https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz"] = (
        release_tarball("3.13.5-tampered"))
    with pytest.raises(SystemExit, match="SHA-256 [0-9a-f]{64}, expected"):
        fetch_cpython.fetch(tmp_path, "3.13.5", source="python.org")
    assert list(tmp_path.iterdir()) == []


def test_stale_tarball_is_downloaded_again(served: StandInPythonOrg, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    body = release_tarball("3.13.5")
    pin(monkeypatch, "3.13.5", body)
    served.bodies["https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz"] = body
    (tmp_path / "Python-3.13.5.tar.xz").write_bytes(b"truncated")
    fetch_cpython.fetch(tmp_path, "3.13.5", source="python.org")
    assert (tmp_path / "Python-3.13.5.tar.xz").read_bytes() == body


def test_unpinned_version_is_refused(served: StandInPythonOrg, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no SHA-256 is pinned for Python 3.13.4"):
        fetch_cpython.fetch(tmp_path, "3.13.4", source="python.org")
    assert served.requested == []


def test_default_source_follows_apt_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_cpython.shutil, "which", lambda name: None)
    assert fetch_cpython.default_source() == "python.org"
    monkeypatch.setattr(fetch_cpython.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert fetch_cpython.default_source() == "debian"
