"""pyperf worker of dev/benchmark.py: runs inside the interpreter measured.

Times one implementation's functions with pyperf, each on inputs made from
the same seeded random data:

- ``base64``: the interpreter's own base64 module (with or without Rust);
- ``pybase64``: pybase64's functions of the same names;
- ``memcpy``: ``bytes(bytearray)``, a plain copy, as the physical limit;
- ``reference``: what the Rust build's ``b64encode`` and ``b64decode`` are
  held to: ``binascii.b2a_base64`` and ``binascii.a2b_base64`` (the C
  functions doing the same work, one positional argument each), and the
  two on ``bytearray`` and ``memoryview`` inputs instead of ``bytes``;
- ``threads``: N threads each calling ``base64.b64encode`` on its own
  1 MiB input, for N = 1 and 2; and the same with ``hashlib.sha256``,
  CPython's own C that releases the GIL and does not stream memory, as
  the reference for what two threads get from this machine at the time.

Benchmark names are ``impl/function/size/input``: a decoder's input is the
encoding of ``size`` random bytes, ``input`` bytes long.
"""

from __future__ import annotations

import array
import base64
import binascii
import functools
import hashlib
import random
import threading
import time
from collections.abc import Callable

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
# reference/<name>: the function, whether its input is the encoding, the
# input's kind, and the Rust build's function it is compared with.
REFERENCES: dict[str, tuple[Callable[[bytes], object], bool, Callable[[bytes], object], str]] = {
    "binascii.b2a_base64": (binascii.b2a_base64, False, bytes, "b64encode"),
    "binascii.a2b_base64": (binascii.a2b_base64, True, bytes, "b64decode"),
    "b64encode(bytearray)": (base64.b64encode, False, bytearray, "b64encode"),
    "b64decode(bytearray)": (base64.b64decode, True, bytearray, "b64decode"),
    "b64encode(memoryview)": (base64.b64encode, False,
                              lambda data: memoryview(bytearray(data)), "b64encode"),
    "b64decode(memoryview)": (base64.b64decode, True,
                              lambda data: memoryview(bytearray(data)), "b64decode"),
}
# What the threads call, by name.
THREAD_FUNCTIONS: dict[str, Callable[[bytes], object]] = {
    "b64encode": base64.b64encode,
    "sha256": lambda data: hashlib.sha256(data).digest(),
}


@functools.cache
def payload(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def encoder_of(decoder: str) -> str:
    """The function whose output is `decoder`'s input."""
    return "b64encode" if decoder == VALIDATING else decoder.replace("decode", "encode")


def case(module: object, name: str,
         size: int) -> tuple[Callable[[bytes], object], Callable[[], bytes]]:
    """The function to time, and a function that makes its input once.

    The input is made on demand because pyperf runs every benchmark in
    processes of its own, each running this script: a decoder's input
    is encoded by this interpreter's base64, which without Rust takes
    seconds at 64 MiB, and should be made only for the benchmark run.
    """
    @functools.cache
    def make_input() -> bytes:
        data = payload(size)
        if "decode" in name:
            return getattr(base64, encoder_of(name))(data)
        return data

    if name == VALIDATING:
        return (lambda s: module.b64decode(s, validate=True)), make_input
    return getattr(module, name), make_input


def input_len(name: str, size: int) -> int:
    """Length of the input of `name` for `payload(size)`, without encoding
    it (`time_calls` checks it when the input is made)."""
    if "decode" not in name:
        return size
    encoder = encoder_of(name)
    groups, rest = divmod(size, 4)
    base85_len = 5 * groups + (rest + 1 if rest else 0)
    if encoder == "encodebytes":
        return 4 * -(-size // 3) + -(-size // 57)
    if "b64" in encoder:
        return 4 * -(-size // 3)
    if encoder.startswith("b32"):
        return 8 * -(-size // 5)
    if encoder == "b16encode":
        return 2 * size
    if encoder == "a85encode":
        # Each group of four zero bytes becomes one "z".
        return base85_len - 4 * array.array("I", payload(size)[:4 * groups]).count(0)
    return base85_len


def time_calls(loops: int, func: Callable[[bytes], object],
               make_input: Callable[[], bytes], expected_len: int) -> float:
    data = make_input()
    if len(data) != expected_len:
        raise ValueError(f"input of {len(data)} bytes, expected {expected_len}")
    start = time.perf_counter()
    for _ in range(loops):
        func(data)
    return time.perf_counter() - start


def best_times(names: list[str], sizes: list[int], repeat: int) -> dict[str, float]:
    """``base64/name/size/input`` -> the lowest seconds per call of
    `repeat` timings of each function, each timing long enough to be
    measured (timeit's way, in this one process): the quick measurement
    of dev/compare_builds.py, whose alternating rounds stand in for
    pyperf's processes."""
    import timeit

    times = {}
    for name in names:
        for size in sizes:
            func, make_input = case(base64, name, size)
            data = make_input()
            timer = timeit.Timer(functools.partial(func, data))
            loops, _ = timer.autorange()
            best = min(timer.repeat(repeat, loops)) / loops
            times[f"base64/{name}/{size}/{input_len(name, size)}"] = best
    return times


def time_threads(loops: int, func: Callable[[bytes], object], threads: int) -> float:
    # Copies: each thread reads its own object.
    inputs = [bytes(bytearray(payload(THREAD_INPUT))) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def work(data: bytes) -> None:
        barrier.wait()
        for _ in range(loops):
            func(data)

    workers = [threading.Thread(target=work, args=(data,)) for data in inputs]
    for worker in workers:
        worker.start()
    start = time.perf_counter()
    barrier.wait()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def add_cmdline_args(cmd: list[str], args: object) -> None:
    cmd.extend(["--impl", args.impl, "--sizes", args.sizes])
    if args.functions:
        cmd.extend(["--functions", args.functions])


def main() -> None:
    # Imported here, not at the top: dev/benchmark.py imports the names
    # above into an interpreter that need not have pyperf.
    import pyperf

    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--impl", required=True,
                                  choices=["base64", "pybase64", "memcpy", "threads",
                                           "reference"])
    runner.argparser.add_argument("--sizes", required=True,
                                  help="comma-separated input sizes in bytes")
    runner.argparser.add_argument("--functions", default="",
                                  help="comma-separated subset of the functions")
    args = runner.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.impl == "threads":
        for name, func in THREAD_FUNCTIONS.items():
            for threads in (1, 2):
                runner.bench_time_func(f"threads/{name}/{threads}/{THREAD_INPUT}",
                                       time_threads, func, threads, inner_loops=threads)
        return
    if args.impl == "memcpy":
        for size in sizes:
            make_input = functools.cache(lambda size=size: bytearray(payload(size)))
            runner.bench_time_func(f"memcpy/bytes/{size}/{size}", time_calls, bytes,
                                   make_input, size)
        return
    if args.impl == "reference":
        for name, (func, decodes, kind, _) in REFERENCES.items():
            for size in sizes:
                def make_input(size: int = size, decodes: bool = decodes,
                               kind: Callable[[bytes], object] = kind) -> object:
                    data = payload(size)
                    return kind(base64.b64encode(data) if decodes else data)
                length = 4 * -(-size // 3) if decodes else size
                runner.bench_time_func(f"reference/{name}/{size}/{length}", time_calls,
                                       func, functools.cache(make_input), length)
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
            func, make_input = case(module, name, size)
            length = input_len(name, size)
            runner.bench_time_func(f"{args.impl}/{name}/{size}/{length}",
                                   time_calls, func, make_input, length)


if __name__ == "__main__":
    main()
