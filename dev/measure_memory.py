"""Measure the peak memory of each base64 codec on a large input.

Run with an interpreter built --with-rust (it needs nothing but the
stdlib).  For each function it writes a suitable input (raw bytes for an
encoder, that encoder's output for a decoder) to a temporary file, then in
a fresh process reads it back with one allocation and calls the function
once; the peak resident set size (ru_maxrss) before and after the call
gives the extra memory the call needed.  Prints a markdown table: the
extra peak as a multiple of the input size, and the whole process's peak
(input included) as a multiple.  --pure measures the pure-Python base64
module instead (use a smaller --size: it needs far more memory).
"""

import argparse
import base64
import os
import subprocess
import sys
import tempfile

FUNCTIONS = [
    "b64encode", "b64decode", "urlsafe_b64encode", "urlsafe_b64decode",
    "encodebytes", "decodebytes", "b32encode", "b32decode", "b32hexencode",
    "b32hexdecode", "b16encode", "b16decode", "a85encode", "a85decode",
    "b85encode", "b85decode", "z85encode", "z85decode",
]

CHILD = """
import resource, sys
from test.support import import_helper
name, path, pure = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if pure:
    module = import_helper.import_fresh_module("base64", blocked=["_base64"])
else:
    import base64 as module
func = getattr(module, name)
with open(path, "rb") as f:
    data = f.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = func(data)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, len(result))
"""


def make_input(name, size, path):
    """Write about `size` bytes of input for `name` to `path`: random bytes
    for an encoder; for a decoder, whole encoded pieces (each a multiple of
    every codec's group), so the input stays valid."""
    seed = os.urandom(3 * 5 * 4 * 4096)
    piece = seed
    if "decode" in name:
        piece = getattr(base64, name.replace("decode", "encode"))(seed)
    with open(path, "wb") as f:
        written = 0
        while written < size:
            f.write(piece[:size - written] if "encode" in name else piece)
            written += len(piece)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="input size in MiB")
    parser.add_argument("--pure", action="store_true",
                        help="measure the pure-Python base64 module")
    parser.add_argument("functions", nargs="*", default=FUNCTIONS)
    args = parser.parse_args()
    size = args.size << 20
    print("| function | input MiB | extra peak MiB | extra / input | "
          "process peak / input |")
    print("|---|---|---|---|---|")
    for name in args.functions:
        with tempfile.NamedTemporaryFile() as tmp:
            make_input(name, size, tmp.name)
            length = os.path.getsize(tmp.name)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, name, tmp.name, "1" if args.pure else "0"],
                capture_output=True, text=True, check=True).stdout.split()
        before, after = int(out[0]) * 1024, int(out[1]) * 1024
        extra = after - before
        print(f"| {name} | {length / 2**20:.0f} | {extra / 2**20:.0f} | "
              f"{extra / length:.2f} | {after / length:.2f} |", flush=True)


if __name__ == "__main__":
    main()
