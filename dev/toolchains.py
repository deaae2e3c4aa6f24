"""Set up the toolchains for the builds that are not native x86_64 Linux.

Why: the aarch64 and i686 Linux builds (PEP 11 tier 1, and the 32-bit
build that checks length arithmetic) and the build with the workspace's
oldest supported Rust (its rust-version) need compilers that rustup cannot
download on these machines.  They come from Debian's packages instead:

- the C cross compilers, the target's C library and qemu-user (for
  aarch64) are installed with apt-get;
- the Rust compiler and the standard library of each target come from
  Debian's ``rustc-web`` and ``libstd-rust-web-dev:ARCH`` packages, which
  are downloaded and unpacked under ``.work/`` rather than installed, so
  they never shadow rustup's toolchain.  ``rustc`` there is called through
  a wrapper script that finds its shared libraries.

Nothing here changes machine-wide settings beyond apt's list of foreign
architectures; in particular no binfmt_misc entry is registered, so
aarch64 programs are run explicitly under ``qemu-aarch64-static``, on
Debian's arm64 C library (multiarch ``libc6:arm64``).

Usage: ``toolchains.py [--rust VERSION] [TARGET ...]`` prints the rustc
wrapper's path (TARGET: aarch64, i686).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from prereqs import apt_update

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / ".work"

# Debian's Rust of the current security update, for the cross builds (the
# MSRV build takes the workspace's rust-version: msrv()).
CROSS_RUST = "1.96"


@dataclass(frozen=True)
class Target:
    """A Linux target that these x86_64 machines build for."""

    name: str
    # The GNU triple: configure --host, and the cross tools' prefix.
    host: str
    rust_target: str
    debian_arch: str
    # Debian's directory name for the target's libraries.
    multiarch: str
    packages: tuple[str, ...]
    # How to run one of its programs here: a command prefix (empty when
    # the CPU runs them natively).
    emulator: tuple[str, ...]


TARGETS = {
    target.name: target for target in [
        # zlib: hypothesis imports it, and test_binascii tests crc32 with it.
        # The programs run on Debian's arm64 C library (libc6:arm64, which
        # zlib needs anyway), where the loader they name is: qemu's -L
        # with the cross compiler's copy would mix two builds of glibc
        # once libc6:arm64 is there, and Rust's threads hang in that mix.
        Target("aarch64", "aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "arm64",
               "aarch64-linux-gnu",
               ("gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "libc6:arm64",
                "zlib1g-dev:arm64", "qemu-user-static"),
               ("qemu-aarch64-static",)),
        # libc6:i386 puts the 32-bit loader where the programs look for it,
        # so they run natively.
        Target("i686", "i686-linux-gnu", "i686-unknown-linux-gnu", "i386",
               "i386-linux-gnu",
               ("gcc-i686-linux-gnu", "libc6-dev-i386-cross", "libc6:i386",
                "zlib1g-dev:i386"), ()),
    ]
}
# The targets whose builds CI runs (the others run with --extended): only
# their architectures are added to apt, since each added architecture is
# one more set of package lists that apt-get update must fetch whole, and
# apt keeps none of a repository's new lists when one of them fails.
CI_TARGETS = ["aarch64"]

# The answers configure cannot find by running programs when cross
# compiling, for a Linux target (as CPython's cross-build documentation
# gives them).
CONFIG_SITE = """\
ac_cv_file__dev_ptmx=yes
ac_cv_file__dev_ptc=no
ac_cv_buggy_getaddrinfo=no
"""


def cross_environment(target: Target, rustc: Path, config_site: Path) -> dict[str, str]:
    """The environment of configure and make for a build for `target`:
    the cross config.site, the target's pkg-config files only (so no
    library of this machine leaks in), Debian's rustc with the target's
    std, and cargo's runner for the target's test programs."""
    config_site.write_text(CONFIG_SITE)
    env = {
        "CONFIG_SITE": str(config_site),
        "PKG_CONFIG_LIBDIR": f"/usr/lib/{target.multiarch}/pkgconfig",
        "RUSTC": str(rustc),
    }
    if target.emulator:
        variable = re.sub(r"[-.]", "_", target.rust_target.upper())
        env[f"CARGO_TARGET_{variable}_RUNNER"] = " ".join(target.emulator)
    return env


def write_launcher(target: Target, program: Path) -> Path:
    """A script next to `program` that runs it under the target's emulator
    and tells it (qemu's -0) that it was started as the script: then
    sys.executable is the script, and the subprocesses that tests start
    with it run under the emulator too.  `program` itself when the target
    runs natively."""
    if not target.emulator:
        return program
    launcher = program.with_name(f"{program.name}-{target.name}")
    emulator = " ".join(target.emulator)
    launcher.write_text(f'#!/bin/sh\nexec {emulator} -0 "$0" "{program}" "$@"\n')
    launcher.chmod(0o755)
    return launcher


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # type: ignore[call-overload]


def _as_root(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0 or not shutil.which("sudo"):
        return cmd
    return ["sudo", *cmd]


def _installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                            capture_output=True, text=True)
    return "install ok installed" in result.stdout


def _apt_env() -> dict[str, str]:
    return dict(os.environ, DEBIAN_FRONTEND="noninteractive")


def add_architectures(arches: list[str]) -> None:
    """Let apt see the packages of `arches` (from its next update)."""
    known = subprocess.run(["dpkg", "--print-foreign-architectures"],
                           capture_output=True, text=True, check=True).stdout.split()
    for arch in arches:
        if arch not in known:
            _run(_as_root(["dpkg", "--add-architecture", arch]))


def install_packages(packages: list[str]) -> None:
    """Install what is missing of `packages`, from package lists updated
    just before (so also after an earlier update that failed part-way,
    which leaves one architecture's lists older than another's)."""
    missing = [package for package in packages if not _installed(package)]
    if missing:
        apt_update()
        _run(_as_root(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                       *missing]), env=_apt_env())


def install_targets(names: list[str]) -> list[Target]:
    """Install the C toolchains (and qemu) of the named targets."""
    targets = [TARGETS[name] for name in names]
    add_architectures(sorted({target.debian_arch for target in targets}))
    install_packages([package for target in targets for package in target.packages])
    for target in targets:
        if target.emulator and not shutil.which(target.emulator[0]):
            sys.exit(f"{target.emulator[0]} not found after installing qemu-user-static")
    return targets


def _debian_version(package: str, upstream: str) -> str:
    """The newest Debian version of `package` whose upstream version is
    `upstream` (e.g. 1.85 -> 1.85.0+dfsg3-1~deb12u3)."""
    out = subprocess.run(["apt-cache", "madison", package], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        version = line.split("|")[1].strip()
        if re.match(rf"{re.escape(upstream)}(\.|$)", version):
            return version
    sys.exit(f"Debian has no {package} {upstream} (apt-cache madison {package})")


def _depends(package: str, version: str, prefix: str) -> list[str]:
    """The dependencies of package=version whose names start with `prefix`."""
    out = subprocess.run(["apt-cache", "show", f"{package}={version}"],
                         capture_output=True, text=True, check=True).stdout
    depends = re.search(r"^Depends: (.*)$", out, re.MULTILINE)
    names = re.findall(r"(?:^|, )([a-z0-9.+-]+)", depends.group(1) if depends else "")
    return [name for name in names if name.startswith(prefix)]


def _runtime_libraries(package: str) -> list[str]:
    """The packages `package` (its newest version) depends on."""
    out = subprocess.run(["apt-cache", "depends", "--no-recommends", "--no-suggests",
                          package], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\s+Depends: ([a-z0-9][a-z0-9.+-]+)$", out, re.MULTILINE)


def debian_rust(upstream: str, targets: list[Target]) -> Path:
    """Unpack Debian's rustc `upstream` (e.g. "1.96") with the standard
    library of this machine and of `targets` under .work/; return the
    rustc wrapper."""
    prefix = WORK / f"rust-debian-{upstream}"
    wrapper = prefix / "bin" / "rustc"
    host_arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                               text=True, check=True).stdout.strip()
    arches = sorted({host_arch, *(target.debian_arch for target in targets)})
    root = prefix / "root"
    stamp = prefix / f"unpacked-{'-'.join(arches)}"
    if stamp.exists() and wrapper.exists():
        return wrapper
    add_architectures([arch for arch in arches if arch != host_arch])
    version = _debian_version("rustc-web", upstream)
    runtime = _depends("libstd-rust-web-dev", version, "libstd-rust-web-")
    llvm = _depends(runtime[0], version, "libllvm")
    # The compiler itself loads LLVM; what LLVM needs is ordinary system
    # libraries, installed with apt like any build dependency.
    install_packages(_runtime_libraries(llvm[0]))
    wanted = [f"rustc-web={version}", *llvm]
    for arch in arches:
        wanted += [f"libstd-rust-web-dev:{arch}={version}", f"{runtime[0]}:{arch}={version}"]
    debs = prefix / "debs"
    shutil.rmtree(prefix, ignore_errors=True)
    debs.mkdir(parents=True)
    _run(["apt-get", "download", "-q", *wanted], cwd=debs)
    for deb in sorted(debs.glob("*.deb")):
        _run(["dpkg-deb", "-x", str(deb), str(root)])
    libdir = root / "usr" / "lib" / subprocess.run(
        ["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True,
        check=True).stdout.strip()
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text("#!/bin/sh\n"
                       f"# Debian's rustc {upstream}, unpacked by dev/toolchains.py.\n"
                       f'LD_LIBRARY_PATH="{libdir}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}"'
                       f' exec "{root}/usr/bin/rustc" "$@"\n')
    wrapper.chmod(0o755)
    _run([str(wrapper), "--version"])
    stamp.touch()
    return wrapper


def msrv() -> str:
    """The workspace's rust-version (the oldest Rust it supports)."""
    text = (PROJECT / "Cargo.toml").read_text()
    match = re.search(r'^rust-version = "([0-9.]+)"$', text, re.MULTILINE)
    assert match, "Cargo.toml has no rust-version"
    return match.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rust", default=CROSS_RUST,
                        help=f"Debian's rustc version to unpack (default {CROSS_RUST}; "
                             f"the workspace's rust-version is {msrv()})")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"targets whose C toolchain and Rust std to set up: "
                             f"{', '.join(TARGETS)}")
    args = parser.parse_args()
    if unknown := set(args.targets) - set(TARGETS):
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    targets = install_targets(args.targets)
    print(debian_rust(args.rust, targets))


if __name__ == "__main__":
    main()
