"""Measure what releasing the GIL costs a codec call, at the threshold.

cpython-api's BufferView::read detaches the thread for buffers of at
least DETACH_MIN_LEN (64 KiB).  Run with an interpreter built with Rust,
this times calls with inputs 4 bytes under the threshold and at it, so
that the step between the two columns is the cost of the release:
alone, and while another thread runs Python code (then a call that lasts
longer than that thread takes to wake up waits for it to give the GIL
back, at its switch interval).  Prints a markdown table.

    ./python ../dev/gil_threshold.py
"""

from __future__ import annotations

import base64
import random
import sys
import threading
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager

THRESHOLD = 64 * 1024
FUNCTIONS = ["b64encode", "b64decode", "b16encode", "b85encode"]


def inputs(name: str) -> list[bytes]:
    """Inputs of THRESHOLD - 4 and THRESHOLD bytes (encodings for a decoder)."""
    sizes = [THRESHOLD - 4, THRESHOLD]
    if "decode" in name:
        return [base64.b64encode(random.Random(n).randbytes(n // 4 * 3)) for n in sizes]
    return [random.Random(n).randbytes(n) for n in sizes]


def microseconds(func: Callable[[bytes], object], data: bytes, number: int) -> float:
    """Best of 7 runs of `number` calls, per call."""
    return min(timeit.repeat(lambda: func(data), number=number, repeat=7)) / number * 1e6


@contextmanager
def busy_thread() -> Iterator[None]:
    """Another thread running Python code (and wanting the GIL) meanwhile."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def rows(label: str, number: int) -> list[str]:
    lines = []
    for name in FUNCTIONS:
        below, at = (microseconds(getattr(base64, name), data, number)
                     for data in inputs(name))
        lines.append(f"| {label} | {name} | {below:,.2f} | {at:,.2f} | {at - below:+,.2f} |")
    return lines


def main() -> None:
    if getattr(base64.b64encode, "__module__", None) != "_base64":
        sys.exit("this interpreter's base64 is not the Rust one")
    table = [
        f"| other thread | function | {THRESHOLD - 4} B (µs) | {THRESHOLD} B (µs) | step (µs) |",
        "|---|---|---:|---:|---:|",
        *rows("none", 2000),
    ]
    with busy_thread():
        table += rows("running Python", 20)
    print(f"switch interval: {sys.getswitchinterval() * 1e3:g} ms")
    print("\n".join(table))


if __name__ == "__main__":
    main()
