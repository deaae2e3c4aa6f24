"""Fetch a pristine CPython 3.13 source tree: from Debian or python.org.

Why: the project never ships CPython's source.  On Debian-like machines the
upstream release tarball (``*.orig.tar.xz``) is available, signed and checked
by apt, as part of the ``python3.13`` source package.  Only that tarball is
used; Debian's patches are ignored.  Several listed versions may answer 404,
so versions are tried from the newest down.

Elsewhere (macOS, Windows, Ubuntu: the GitHub Actions runners) the release
tarball comes from python.org and is checked against the SHA-256 pinned
here, which is the digest of Debian's ``orig`` tarball of the same release
(the two are the same file), so both sources give the same tree.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

from prereqs import apt_update

SOURCE_PACKAGE = "python3.13"
SOURCES_FILE = Path("/etc/apt/sources.list.d/cpython-rust-deb-src.sources")
SOURCE_SUITES = "trixie sid"

PYTHON_ORG_URL = "https://www.python.org/ftp/python/{version}/Python-{version}.tar.xz"
# The releases the project is tested with; only these can be fetched from
# python.org, since only their digests are known.
PYTHON_ORG_SHA256 = {
    "3.13.15": "1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76",
    "3.13.5": "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
}
SOURCES = ("debian", "python.org")


def _as_root(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0 or not shutil.which("sudo"):
        return cmd
    return ["sudo", *cmd]


def _debian_mirror() -> str:
    """The first Debian archive URI already configured on this machine."""
    candidates = glob.glob("/etc/apt/sources.list.d/*") + ["/etc/apt/sources.list"]
    for path in candidates:
        if Path(path) == SOURCES_FILE:
            continue
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        # Only live entries: "URIs:" (deb822) or "deb URI" (one-line).
        pattern = r"^(?:URIs:|deb)\s+(?:\[[^]]*\]\s+)?(https?://\S+/debian)/?\s"
        for uri in re.findall(pattern, text, re.MULTILINE):
            return uri
    return "http://deb.debian.org/debian"


def enable_source_index() -> None:
    entry = (f"Types: deb-src\nURIs: {_debian_mirror()}\n"
             f"Suites: {SOURCE_SUITES}\nComponents: main\n"
             "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    if SOURCES_FILE.exists() and SOURCES_FILE.read_text() == entry:
        return
    print(f"enabling Debian source index in {SOURCES_FILE}")
    subprocess.run(_as_root(["tee", str(SOURCES_FILE)]), input=entry,
                   text=True, check=True, stdout=subprocess.DEVNULL)
    apt_update()


def _version_key(version: str) -> tuple[int, ...]:
    upstream = version.split("-")[0]
    return tuple(int(part) for part in re.findall(r"\d+", upstream))


def available_versions() -> list[str]:
    out = subprocess.run(["apt-cache", "showsrc", SOURCE_PACKAGE],
                         capture_output=True, text=True, check=True).stdout
    versions = set(re.findall(r"^Version: (\S+)$", out, re.MULTILINE))
    # Pre-releases (3.13.0~rc1) are not what a user builds.
    versions = {v for v in versions if "~" not in v}
    return sorted(versions, key=_version_key, reverse=True)


def download_tarball(dest: Path, wanted: str | None) -> Path:
    """Download the newest (or the wanted) orig tarball into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    versions = available_versions()
    if wanted:
        versions = [v for v in versions if v.split("-")[0] == wanted]
        if not versions:
            sys.exit(f"python3.13 {wanted} is not in the source index")
    for version in versions:
        upstream = version.split("-")[0]
        tarball = dest / f"{SOURCE_PACKAGE}_{upstream}.orig.tar.xz"
        if tarball.exists():
            return tarball
        print(f"trying {SOURCE_PACKAGE}={version}", flush=True)
        result = subprocess.run(
            ["apt-get", "source", "--download-only", "-q",
             f"{SOURCE_PACKAGE}={version}"], cwd=dest)
        # apt-get source also fetches Debian's own files: keep the
        # pristine upstream tarball only.
        for path in dest.glob(f"{SOURCE_PACKAGE}_{upstream}*"):
            if path != tarball:
                path.unlink()
        if result.returncode == 0 and tarball.exists():
            return tarball
    sys.exit("no python3.13 source tarball could be downloaded")


def extract(tarball: Path, dest: Path, fresh: bool = False) -> Path:
    """Extract tarball into dest/Python-X.Y.Z and return that path; an
    existing tree is kept (so builds from it stay incremental) unless
    `fresh` asks for a new one."""
    with tarfile.open(tarball) as archive:
        top = archive.getnames()[0].split("/")[0]
        tree = dest / top
        if tree.exists():
            if not fresh:
                return tree
            shutil.rmtree(tree)
        if hasattr(tarfile, "tar_filter"):  # Python >= 3.11.4
            archive.extractall(dest, filter="tar")
        else:
            archive.extractall(dest)
    return tree


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_verified(url: str, expected_sha256: str, target: Path) -> Path:
    """Download url to target unless target already has the expected
    digest; a download with another digest is refused and removed."""
    if target.exists() and _sha256(target) == expected_sha256:
        return target
    partial = target.with_name(target.name + ".part")
    print(f"downloading {url}", flush=True)
    with urllib.request.urlopen(url) as response, partial.open("wb") as file:
        shutil.copyfileobj(response, file)
    actual = _sha256(partial)
    if actual != expected_sha256:
        partial.unlink()
        sys.exit(f"{url}: SHA-256 {actual}, expected {expected_sha256}")
    partial.replace(target)
    return target


def download_python_org_tarball(dest: Path, wanted: str | None) -> Path:
    """Download the wanted (default: the newest pinned) release tarball from
    python.org into dest."""
    version = wanted or max(PYTHON_ORG_SHA256, key=_version_key)
    expected = PYTHON_ORG_SHA256.get(version)
    if expected is None:
        sys.exit(f"no SHA-256 is pinned for Python {version}: python.org "
                 f"releases that can be fetched are {', '.join(PYTHON_ORG_SHA256)}")
    dest.mkdir(parents=True, exist_ok=True)
    return download_verified(PYTHON_ORG_URL.format(version=version), expected,
                             dest / f"Python-{version}.tar.xz")


def default_source() -> str:
    return "debian" if shutil.which("apt-get") else "python.org"


def fetch(dest: Path, version: str | None = None, fresh: bool = False,
          source: str | None = None) -> Path:
    if (source or default_source()) == "python.org":
        tarball = download_python_org_tarball(dest, version)
    else:
        enable_source_index()
        tarball = download_tarball(dest, version)
    return extract(tarball, dest, fresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="directory for the tarball and tree")
    parser.add_argument("--version", help="upstream version, e.g. 3.13.5")
    parser.add_argument("--fresh", action="store_true",
                        help="replace an existing extracted tree")
    parser.add_argument("--source", choices=SOURCES, default=default_source(),
                        help="where the release tarball comes from "
                             "(default: %(default)s on this machine)")
    args = parser.parse_args()
    print(fetch(args.dest.resolve(), args.version, args.fresh, args.source))


if __name__ == "__main__":
    main()
