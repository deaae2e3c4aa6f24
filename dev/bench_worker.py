"""pyperf worker of dev/benchmark.py: runs inside the interpreter measured.

Times one implementation's functions with pyperf, each on inputs made from
the same seeded random data:

- ``base64``: the interpreter's own base64 module (with or without Rust);
- ``pybase64``: pybase64's functions of the same names;
- ``memcpy``: ``bytes(bytearray)``, a plain copy, as the physical limit;
- ``threads``: N threads each calling ``base64.b64encode`` on its own
  1 MiB input, for N = 1 and 2.

Benchmark names are ``impl/function/size/input``: a decoder's input is the
encoding of ``size`` random bytes, ``input`` bytes long.
"""

from __future__ import annotations

import base64
import random
import threading
from collections.abc import Callable

import pyperf

FUNCTIONS = [
    "b64encode", "b64decode", "standard_b64encode", "standard_b64decode",
    "urlsafe_b64encode", "urlsafe_b64decode", "encodebytes", "decodebytes",
    "b32encode", "b32decode", "b32hexencode", "b32hexdecode",
    "b16encode", "b16decode", "a85encode", "a85decode",
    "b85encode", "b85decode", "z85encode", "z85decode",
]
# b64decode(validate=True) is timed too, under this name.
VALIDATING = "b64decode_validate"
THREAD_INPUT = 1 << 20


def payload(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def case(module: object, name: str, size: int) -> tuple[Callable[[bytes], object], bytes]:
    """The function to time and its input."""
    data = payload(size)
    if name == VALIDATING:
        return (lambda s: module.b64decode(s, validate=True)), base64.b64encode(data)
    func = getattr(module, name)
    if "decode" in name:
        return func, getattr(base64, name.replace("decode", "encode"))(data)
    return func, data


def time_calls(loops: int, func: Callable[[bytes], object], data: bytes) -> float:
    start = pyperf.perf_counter()
    for _ in range(loops):
        func(data)
    return pyperf.perf_counter() - start


def time_threads(loops: int, threads: int) -> float:
    inputs = [payload(THREAD_INPUT) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def work(data: bytes) -> None:
        barrier.wait()
        for _ in range(loops):
            base64.b64encode(data)

    workers = [threading.Thread(target=work, args=(data,)) for data in inputs]
    for worker in workers:
        worker.start()
    start = pyperf.perf_counter()
    barrier.wait()
    for worker in workers:
        worker.join()
    return pyperf.perf_counter() - start


def add_cmdline_args(cmd: list[str], args: object) -> None:
    cmd.extend(["--impl", args.impl, "--sizes", args.sizes])
    if args.functions:
        cmd.extend(["--functions", args.functions])


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--impl", required=True,
                                  choices=["base64", "pybase64", "memcpy", "threads"])
    runner.argparser.add_argument("--sizes", required=True,
                                  help="comma-separated input sizes in bytes")
    runner.argparser.add_argument("--functions", default="",
                                  help="comma-separated subset of the functions")
    args = runner.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.impl == "threads":
        for threads in (1, 2):
            runner.bench_time_func(f"threads/b64encode/{threads}/{THREAD_INPUT}",
                                   time_threads, threads, inner_loops=threads)
        return
    if args.impl == "memcpy":
        for size in sizes:
            runner.bench_time_func(f"memcpy/bytes/{size}/{size}", time_calls, bytes,
                                   bytearray(payload(size)))
        return
    module = base64
    if args.impl == "pybase64":
        import pybase64
        module = pybase64
    names = args.functions.split(",") if args.functions else FUNCTIONS + [VALIDATING]
    for name in names:
        if name != VALIDATING and not hasattr(module, name):
            continue
        for size in sizes:
            func, data = case(module, name, size)
            runner.bench_time_func(f"{args.impl}/{name}/{size}/{len(data)}",
                                   time_calls, func, data)


if __name__ == "__main__":
    main()
