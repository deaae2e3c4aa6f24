"""Show that _base64 is a built-in Rust module and how it compares.

Run by the interpreter built --with-rust (dev/demo.py does).  It prints
where _base64 comes from, checks its output against the base64 module on
a few inputs, and times both on a short and a long input.  The numbers are
one quick run on whatever machine this is: an illustration, not a
benchmark.
"""

import base64
import sys
import sysconfig
import timeit

import _base64


def rate(func, data, number):
    seconds = min(timeit.repeat(lambda: func(data), number=number, repeat=5))
    return seconds / number


def main():
    print(f"Python {sys.version.split()[0]} built with "
          f"WITH_RUST={sysconfig.get_config_var('WITH_RUST')}, "
          f"Rust target {sysconfig.get_config_var('RUST_TARGET')}")
    print(f"_base64 is built in: {'_base64' in sys.builtin_module_names}")
    print(f"_base64 functions: {', '.join(n for n in dir(_base64) if not n.startswith('_'))}")

    samples = [b"", b"f", b"fo", b"foo", bytes(range(256)), b"\xfb\xff\xbf" * 7]
    for data in samples:
        assert _base64.b64encode(data) == base64.b64encode(data)
        assert _base64.b64encode(data, b"-_") == base64.b64encode(data, b"-_")
    print(f"same output as base64.b64encode on {len(samples)} samples, "
          "with and without altchars")
    try:
        _base64.b64encode("text")
    except TypeError as exc:
        print(f"_base64.b64encode('text') -> TypeError: {exc}")

    print()
    print(f"{'input':>8}  {'base64.b64encode':>18}  {'_base64.b64encode':>18}  speed-up")
    for size, number in ((32, 200_000), (1 << 20, 50)):
        data = bytes(range(256)) * (size // 256) or bytes(range(size))
        stock = rate(base64.b64encode, data, number)
        rust = rate(_base64.b64encode, data, number)
        unit = (f"{stock * 1e9:.0f} ns", f"{rust * 1e9:.0f} ns") if size < 4096 else \
            (f"{size / stock / 1e6:,.0f} MB/s", f"{size / rust / 1e6:,.0f} MB/s")
        label = f"{size} B" if size < 1024 else f"{size >> 20} MiB"
        print(f"{label:>8}  {unit[0]:>18}  {unit[1]:>18}  {stock / rust:.2f}x")


if __name__ == "__main__":
    main()
