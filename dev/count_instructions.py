"""Count the instructions the Rust codecs execute per byte, under qemu-user.

Why: an emulator's timings say nothing about a real CPU, so the NEON
kernels of an aarch64 build cannot be timed here; the number of
instructions they execute can be counted.  qemu runs the build's python
one instruction per translation block (-singlestep) and logs each block
executed in the address range of the Rust object's hot code (everything
the partial link put next to PyInit__base64); each call is made twice,
with an input of N and of 2N bytes, and the difference divided by N is
the cost per input byte, without the fixed cost of starting python and
parsing the call.  The inputs are made with binascii, which is outside
the range.  Inputs stay below 64 KiB, so the GIL is never released.

Usage: count_instructions.py BUILD_DIR (an aarch64 build with Rust).
Prints a markdown table: instructions per byte at each vector level.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

EMULATOR = "qemu-aarch64-static"
NM = "aarch64-linux-gnu-nm"
LEVELS = ("scalar", "neon")

# name -> (call, input made from `data` by binascii)
CALLS = {
    "b64encode": ("_base64.b64encode(x)", "data"),
    "b64decode": ("_base64.b64decode(x)", "binascii.b2a_base64(data, newline=False)"),
    "b64decode(validate=True)": ("_base64.b64decode(x, validate=True)",
                                 "binascii.b2a_base64(data, newline=False)"),
    "urlsafe_b64encode": ("_base64.urlsafe_b64encode(x)", "data"),
    "encodebytes": ("_base64.encodebytes(x)", "data"),
    "decodebytes": ("_base64.decodebytes(x)",
                    "b''.join(binascii.b2a_base64(data[i:i + 57])"
                    " for i in range(0, len(data), 57))"),
    "b16encode": ("_base64.b16encode(x)", "data"),
    "b16decode": ("_base64.b16decode(x)", "binascii.hexlify(data).upper()"),
}


def text_symbols(path: Path) -> list[tuple[int, int, str]]:
    """(address, size, name) of the defined code symbols, by address."""
    out = subprocess.run([NM, "-S", "--defined-only", str(path)], capture_output=True,
                         text=True, check=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tT":
            symbols.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
    return sorted(symbols)


def rust_range(build: Path) -> tuple[int, int]:
    """The addresses in python of the run of Rust functions around
    PyInit__base64 (Rust's cold code is placed elsewhere)."""
    rust = {name for _, _, name in text_symbols(build / "Modules" / "_rust_modules.o")}
    symbols = text_symbols(build / "python")
    names = [name for _, _, name in symbols]
    first = last = names.index("PyInit__base64")
    while first > 0 and names[first - 1] in rust:
        first -= 1
    while last + 1 < len(names) and names[last + 1] in rust:
        last += 1
    return symbols[first][0], symbols[last][0] + symbols[last][1]


def load_base(build: Path) -> int:
    """Where qemu maps the (position-independent) python."""
    maps = subprocess.run([EMULATOR, str(build / "python"), "-S", "-c",
                           "print(open('/proc/self/maps').read())"],
                          capture_output=True, text=True, check=True).stdout
    python = str((build / "python").resolve())
    starts = [int(line.split("-")[0], 16) for line in maps.splitlines()
              if line.endswith(python)]
    return min(starts)


def count(build: Path, span: str, level: str, call: str, make: str, size: int) -> int:
    script = (f"import binascii, _base64; data = bytes(range(256)) * {size // 256}; "
              f"x = {make}; {call}")
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch, "exec.log")
        subprocess.run([EMULATOR, "-singlestep", "-d", "exec,nochain", "-dfilter", span,
                        "-D", str(log), str(build / "python"), "-S", "-c", script],
                       env=dict(os.environ, _PYTHON_BASE64_SIMD=level), check=True)
        with log.open() as lines:
            return sum(line.startswith("Trace") for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="an aarch64 build directory with Rust")
    parser.add_argument("--size", type=int, default=16384,
                        help="N: the inputs are N and 2N bytes (default 16384)")
    args = parser.parse_args()
    start, end = rust_range(args.build)
    base = load_base(args.build)
    span = f"{base + start:#x}..{base + end - 1:#x}"
    print(f"Rust code at {start:#x}..{end:#x} ({end - start:,} bytes), mapped at {base:#x}\n")
    print("| function | " + " | ".join(f"{level} (instructions/byte)" for level in LEVELS)
          + " | scalar/neon |")
    print("|---" * (len(LEVELS) + 2) + "|")
    for name, (call, make) in CALLS.items():
        per_byte = []
        for level in LEVELS:
            small, large = (count(args.build, span, level, call, make, n)
                            for n in (args.size, 2 * args.size))
            per_byte.append((large - small) / args.size)
        print(f"| {name} | " + " | ".join(f"{value:.2f}" for value in per_byte)
              + f" | {per_byte[0] / per_byte[1]:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
