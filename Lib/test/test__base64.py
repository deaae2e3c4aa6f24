"""Tests for the _base64 module, the Rust implementation of base64 codecs.

In a build configured --with-rust, _base64 is a built-in module and each of
its functions must behave exactly like the base64 function it mirrors: the
same result for every input, the same exception type and message for every
bad input, the same errors for a wrong call.  In a build without Rust
modules the tests are skipped.
"""

import array
import random
import sys
import sysconfig
import unittest
from test.support import import_helper, script_helper


if sysconfig.get_config_var("WITH_RUST") != "yes":
    raise unittest.SkipTest(
        "CPython was built without Rust modules (configure --with-rust)")

_base64 = import_helper.import_module("_base64")
py_base64 = import_helper.import_fresh_module("base64", blocked=["_base64"])

# The functions _base64 implements, by name.
FUNCTIONS = ["b64encode", "standard_b64encode"]


def outcome(func, *args, **kwargs):
    """What a call does: ("ok", type, value) or ("raise", type, message)."""
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        return ("raise", type(exc), str(exc))
    return ("ok", type(result), result)


def describe_call(name, args, kwargs):
    def describe(value):
        try:
            return repr(value)
        except Exception:
            return f"<{type(value).__name__} with a failing repr>"
    words = [describe(arg) for arg in args]
    words += [f"{key}={describe(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(words)})"


class _SameBehaviour(unittest.TestCase):

    def assertSame(self, name, *args, **kwargs):
        expected = outcome(getattr(py_base64, name), *args, **kwargs)
        actual = outcome(getattr(_base64, name), *args, **kwargs)
        self.assertEqual(actual, expected, describe_call(name, args, kwargs))
        return actual


class ModuleTests(unittest.TestCase):

    def test_builtin(self):
        self.assertIn("_base64", sys.builtin_module_names)

    def test_functions(self):
        for name in FUNCTIONS:
            with self.subTest(name=name):
                func = getattr(_base64, name)
                self.assertEqual(func.__name__, name)
                self.assertIsInstance(func, type(len))

    def test_signatures(self):
        import inspect
        for name in FUNCTIONS:
            with self.subTest(name=name):
                self.assertEqual(
                    inspect.signature(getattr(_base64, name)),
                    inspect.signature(getattr(py_base64, name)))


class EncodeTests(_SameBehaviour):

    def test_every_length(self):
        data = bytes(range(256)) * 2
        for name in FUNCTIONS:
            for length in range(65):
                for start in (0, 1, 100, 255):
                    with self.subTest(name=name, length=length, start=start):
                        chunk = data[start:start + length]
                        kind, rtype, _ = self.assertSame(name, chunk)
                        self.assertEqual((kind, rtype), ("ok", bytes))

    def test_every_byte_value_in_every_position(self):
        for value in range(256):
            for prefix in (b"", b"x", b"xy"):
                self.assertSame("b64encode", prefix + bytes([value]))

    def test_large(self):
        rng = random.Random(5)
        for size in (3 << 20, (1 << 20) + 1, (1 << 20) + 2):
            data = rng.randbytes(size)
            self.assertSame("b64encode", data)
            self.assertSame("standard_b64encode", data)

    def test_buffer_kinds(self):
        raw = bytes(range(256)) * 3
        inputs = [
            bytearray(raw),
            memoryview(raw),
            memoryview(bytearray(raw)),
            memoryview(raw).toreadonly(),
            array.array("i", range(40)),
            array.array("d", [1.5, -2.25]),
            memoryview(raw).cast("B", (32, 24)),       # 2-D, contiguous
            memoryview(array.array("I", range(12))).cast("B"),
            memoryview(raw)[10:20],
            memoryview(raw)[::2],                      # not contiguous
            memoryview(raw).cast("B", (32, 24))[::2],  # not contiguous
        ]
        for name in FUNCTIONS:
            for data in inputs:
                with self.subTest(name=name, data=data):
                    self.assertSame(name, data)

    def test_bad_input(self):
        for name in FUNCTIONS:
            for data in ("abc", "", 1, None, 3.5, [1, 2], object(),
                         {b"a": 1}, bytes):
                with self.subTest(name=name, data=data):
                    kind, _, _ = self.assertSame(name, data)
                    self.assertEqual(kind, "raise")


class AltcharsTests(_SameBehaviour):

    DATA = bytes(range(256))

    def test_altchars(self):
        for altchars in (b"-_", b"+/", b"/+", b"ab", b"\x00\xff",
                         bytearray(b"-_"), memoryview(b"-_"),
                         array.array("B", b"*!"), None):
            with self.subTest(altchars=altchars):
                self.assertSame("b64encode", self.DATA, altchars)
                self.assertSame("b64encode", self.DATA, altchars=altchars)
                self.assertSame("b64encode", s=self.DATA, altchars=altchars)

    def test_bad_altchars(self):
        class BadLen:
            def __len__(self):
                raise ZeroDivisionError("len")

        class BadRepr:
            def __len__(self):
                return 3

            def __repr__(self):
                raise KeyError("repr")

        for altchars in (b"", b"-", b"-_=", "-_", "-", 1, 1.5, [1, 2],
                         [b"-", b"_"], bytearray(b"abc"),
                         array.array("i", [1, 2]),
                         memoryview(b"-_!")[::2],
                         memoryview(b"-_-_").cast("B", (2, 2)),
                         BadLen(), BadRepr(), object()):
            with self.subTest(altchars_type=type(altchars).__name__):
                kind, _, _ = self.assertSame("b64encode", self.DATA, altchars)
                self.assertEqual(kind, "raise")

    def test_input_errors_come_first(self):
        for data in ("abc", 1, memoryview(b"abcd")[::2]):
            for altchars in (b"-", "x", 1):
                with self.subTest(data=data, altchars=altchars):
                    self.assertSame("b64encode", data, altchars)

    def test_optimized_mode(self):
        # Under -O the assert in base64.b64encode is compiled away, and a
        # wrong length reaches bytes.maketrans() (ValueError) instead.
        code = """if 1:
            import sys
            from test.support import import_helper
            import _base64
            py = import_helper.import_fresh_module("base64", blocked=["_base64"])
            for altchars in (b"-", b"-_=", 1, [1, 2], "-_"):
                results = []
                for func in (_base64.b64encode, py.b64encode):
                    try:
                        func(b"abc", altchars)
                    except Exception as exc:
                        results.append((type(exc), str(exc)))
                assert results[0] == results[1], (altchars, results)
                print(results[0][0].__name__)
            """
        for flag in ("-O", "-OO"):
            with self.subTest(flag=flag):
                res = script_helper.assert_python_ok(flag, "-c", code)
                self.assertEqual(res.out.split(),
                                 [b"ValueError", b"ValueError", b"TypeError",
                                  b"TypeError", b"TypeError"])


class CallTests(_SameBehaviour):

    def test_wrong_calls(self):
        calls = [
            ((), {}),
            ((b"a", None, None), {}),
            ((b"a", None, None, None), {}),
            ((), {"altchars": b"-_"}),
            ((b"a",), {"s": b"b"}),
            ((b"a", b"-_"), {"altchars": b"-_"}),
            ((b"a", b"-_", 3), {"altchars": b"-_"}),
            ((b"a",), {"altchar": b"-_"}),
            ((b"a",), {"S": b"-_"}),
            ((b"a",), {"validate": True}),
            ((b"a",), {"\udc80": 1}),
            ((), {"s": b"a", "x": 1}),
        ]
        for name in FUNCTIONS:
            for args, kwargs in calls:
                with self.subTest(name=name, args=args, kwargs=kwargs):
                    self.assertSame(name, *args, **kwargs)

    def test_keyword_names_are_compared_by_value(self):
        name = "".join(["s"])  # not the interned literal
        self.assertEqual(_base64.b64encode(**{name: b"ab"}), b"YWI=")


if __name__ == "__main__":
    unittest.main()
