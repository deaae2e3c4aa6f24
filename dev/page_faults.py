"""Page faults and time per call of each base64 function called in a loop.

Why: a function whose output is allocated larger than it ends and then
shrunk can make glibc's malloc map fresh memory on every call of the same
size (its mmap threshold follows the size of the last block freed), and
the page faults then cost more than the codec itself.  A benchmark whose
earlier rows freed larger blocks hides that; this script shows it: each
function runs alone, in a process of its own that has freed no large
block before (its input comes from os.urandom, with no temporary copy),
on one input, as a program decoding one attachment after another would.

Run it with the interpreter to measure (it uses that interpreter's base64):

    BUILD/python dev/page_faults.py [--size BYTES] [--calls N]

Prints a markdown table: minor page faults per call (getrusage) and
microseconds per call.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

# memcpy, `bytes(bytearray)`, is the reference: one new page per 4 KiB of
# input, as any function whose output is as long as its input.
FUNCTIONS = ["memcpy", "b64encode", "b64decode", "encodebytes", "decodebytes", "b32decode",
             "b16decode", "a85decode", "b85decode"]

MEASURE = """
import base64, os, resource, sys, time
name, size, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = os.urandom(size)
if name == "memcpy":
    data, func = bytearray(data), bytes
else:
    if "decode" in name:
        data = getattr(base64, name.replace("decode", "encode"))(data)
    func = getattr(base64, name)
func(data)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
start = time.perf_counter()
for _ in range(calls):
    func(data)
elapsed = time.perf_counter() - start
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
print(faults / calls, elapsed / calls * 1e6)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 20,
                        help="bytes to encode, or whose encoding to decode (default 1 MiB)")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    print(f"{sys.version.split()[0]}, {args.size:,} bytes, {args.calls} calls per function\n")
    print("| function | page faults per call | µs per call |")
    print("|---|---:|---:|")
    for name in FUNCTIONS:
        output = subprocess.run([sys.executable, "-c", MEASURE, name, str(args.size),
                                 str(args.calls)], capture_output=True, text=True,
                                check=True).stdout
        faults, micros = map(float, output.split())
        print(f"| {name} | {faults:.1f} | {micros:,.1f} |")


if __name__ == "__main__":
    main()
