"""Show that base64 runs on the built-in Rust module and how it compares.

Run by the interpreter built --with-rust (dev/demo.py does).  It prints
where base64's functions come from, checks the Rust functions against the
pure-Python fallback (base64 imported with _base64 blocked) on a few
inputs, and times both on a short and a long input.  The numbers are one
quick run on whatever machine this is: an illustration, not a benchmark.
"""

import base64
import sys
import sysconfig
import timeit

from test.support import import_helper

fallback = import_helper.import_fresh_module("base64", blocked=["_base64"])


def per_call(func, data, number):
    return min(timeit.repeat(lambda: func(data), number=number, repeat=5)) / number


def main():
    print(f"Python {sys.version.split()[0]}, WITH_RUST="
          f"{sysconfig.get_config_var('WITH_RUST')}, Rust target "
          f"{sysconfig.get_config_var('RUST_TARGET')}")
    print(f"_base64 is built in: {'_base64' in sys.builtin_module_names}")
    print(f"base64.b64encode is {base64.b64encode!r} from {base64.b64encode.__module__}")

    samples = [b"", b"f", b"fo", b"foo", bytes(range(256)), b"\xfb\xff\xbf" * 7]
    for name in ("b64encode", "b32encode", "b16encode", "a85encode", "b85encode"):
        decode = name.replace("encode", "decode")
        for data in samples:
            encoded = getattr(base64, name)(data)
            assert encoded == getattr(fallback, name)(data)
            assert getattr(base64, decode)(encoded) == data
    print(f"same output as the pure-Python fallback on {len(samples)} samples "
          "for 5 codecs, and round trips")
    try:
        base64.b64decode(b"YWJjZ")
    except ValueError as exc:
        print(f"base64.b64decode(b'YWJjZ') -> {type(exc).__name__}: {exc}")

    print()
    print(f"{'function':>10} {'input':>6} {'fallback':>14} {'Rust':>14} {'speed-up':>9}")
    for name in ("b64encode", "b64decode", "b32encode", "b85encode"):
        for size, number in ((32, 20_000), (1 << 20, 3)):
            raw = (bytes(range(256)) * (size // 256 + 1))[:size]
            data = fallback.b64encode(raw) if name == "b64decode" else raw
            slow = per_call(getattr(fallback, name), data, number)
            fast = per_call(getattr(base64, name), data, number)
            label = f"{size} B" if size < 1024 else f"{size >> 20} MiB"
            cells = ((f"{slow * 1e9:,.0f} ns", f"{fast * 1e9:,.0f} ns") if size < 1024
                     else (f"{size / slow / 1e6:,.0f} MB/s", f"{size / fast / 1e6:,.0f} MB/s"))
            print(f"{name:>10} {label:>6} {cells[0]:>14} {cells[1]:>14} {slow / fast:>8.1f}x")


if __name__ == "__main__":
    main()
