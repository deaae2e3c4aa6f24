"""Tests for the _base64 module, the Rust implementation of base64 codecs.

In a build configured --with-rust, _base64 is a built-in module, base64
uses it, and each of its functions must behave exactly like the pure-Python
function it replaces: the same result for every input, the same exception
type and message (and warnings) for every bad input, the same errors for a
wrong call.  test_base64's own tests run against both implementations, and
property tests compare them on generated inputs, bad ones included.  In a
build without Rust modules the tests are skipped.
"""

import array
import inspect
import platform
import random
import sys
import sysconfig
import threading
import unittest
import warnings
from unittest import mock
from test import test_base64
from test import support
from test.support import import_helper, script_helper, threading_helper
from test.support.hypothesis_helper import hypothesis


if sys.platform == "win32":
    # PCbuild records no build variables for sysconfig: the table of
    # built-in modules says whether the Rust modules were built.
    WITH_RUST = "_base64" in sys.builtin_module_names
else:
    WITH_RUST = sysconfig.get_config_var("WITH_RUST") == "yes"
if not WITH_RUST:
    raise unittest.SkipTest(
        "CPython was built without Rust modules (configure --with-rust, "
        "or PCbuild's IncludeRust)")

_base64 = import_helper.import_module("_base64")
py_base64 = import_helper.import_fresh_module("base64", blocked=["_base64"])
rust_base64 = import_helper.import_fresh_module("base64", fresh=["_base64"])

# The functions _base64 implements, by name.
FUNCTIONS = [
    "b64encode", "b64decode", "standard_b64encode", "standard_b64decode",
    "urlsafe_b64encode", "urlsafe_b64decode", "encodebytes", "decodebytes",
    "b32encode", "b32decode", "b32hexencode", "b32hexdecode",
    "b16encode", "b16decode", "a85encode", "a85decode",
    "b85encode", "b85decode", "z85encode", "z85decode",
]
ENCODERS = [name for name in FUNCTIONS if "encode" in name]
DECODERS = [name for name in FUNCTIONS if "decode" in name]


def chaining(exc, depth=0):
    """The exceptions chained to exc (__cause__, __context__, and whether
    the context is shown), by type and message, two levels deep."""
    if exc is None or depth == 2:
        return None
    return (type(exc), str(exc), exc.__suppress_context__,
            chaining(exc.__cause__, depth + 1),
            chaining(exc.__context__, depth + 1))


def call_outcome(func, *args, **kwargs):
    """What a call does: ("ok", type, value) or ("raise", type, message,
    chaining)."""
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        return ("raise", type(exc), str(exc),
                (chaining(exc.__cause__), chaining(exc.__context__),
                 exc.__suppress_context__))
    return ("ok", type(result), result)


def outcome(func, *args, **kwargs):
    """call_outcome() and the warnings the call issued (not thread-safe:
    warnings.catch_warnings changes process-wide state)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call_outcome(func, *args, **kwargs)
    return (*result, [(w.category, str(w.message)) for w in caught])


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

    def test_base64_uses_the_rust_functions(self):
        import base64
        for name in FUNCTIONS:
            with self.subTest(name=name):
                for module in (base64, rust_base64):
                    func = getattr(module, name)
                    self.assertIsInstance(func, type(len))
                    self.assertEqual(func.__module__, "_base64")
                self.assertNotIsInstance(getattr(py_base64, name), type(len))

    @unittest.skipUnless(support.Py_GIL_DISABLED, "needs a free-threaded build")
    def test_import_leaves_the_gil_disabled(self):
        # Importing a module that does not declare Py_MOD_GIL_NOT_USED
        # enables the GIL with a RuntimeWarning (an error under -W error).
        # An empty PYTHON_GIL counts as unset, so the child has the build's
        # default; the rest of the environment stays (an uninstalled
        # --enable-shared build finds libpython through it).
        script_helper.assert_python_ok(
            "-W", "error", "-c",
            "import sys, _base64; assert not sys._is_gil_enabled()",
            PYTHON_GIL="")

    # The signatures are in the docstrings, which a build without
    # docstrings leaves empty, as for C functions.
    @support.requires_docstrings
    def test_signatures(self):
        for name in FUNCTIONS:
            with self.subTest(name=name):
                self.assertEqual(
                    inspect.signature(getattr(_base64, name)),
                    inspect.signature(getattr(py_base64, name)))

    @support.requires_docstrings
    def test_docstrings(self):
        for name in FUNCTIONS:
            with self.subTest(name=name):
                expected = getattr(py_base64, name).__doc__
                # A C docstring cannot hold NUL (b85encode's says b'\0'
                # with a real NUL since 3.13.15): it is written as \0.
                expected = expected.replace("\0", "\\0")
                self.assertEqual(getattr(_base64, name).__doc__, expected)


class EncodeTests(_SameBehaviour):

    def test_every_length(self):
        data = bytes(range(256)) * 2
        for name in ENCODERS:
            for length in range(65):
                for start in (0, 1, 100, 255):
                    with self.subTest(name=name, length=length, start=start):
                        chunk = data[start:start + length]
                        kind, rtype, *_ = self.assertSame(name, chunk)
                        self.assertEqual((kind, rtype), ("ok", bytes))

    def test_every_byte_value_in_every_position(self):
        for value in range(256):
            for prefix in (b"", b"x", b"xy"):
                self.assertSame("b64encode", prefix + bytes([value]))

    def test_decode_every_length(self):
        for name in DECODERS:
            encoder = getattr(py_base64, name.replace("decode", "encode"))
            for length in range(65):
                with self.subTest(name=name, length=length):
                    encoded = encoder(bytes(range(length)))
                    kind, rtype, *_ = self.assertSame(name, encoded)
                    self.assertEqual((kind, rtype), ("ok", bytes))
                    self.assertSame(name, encoded[:-1])
                    self.assertSame(name, encoded + b"=")

    def test_large(self):
        rng = random.Random(5)
        for name in ENCODERS:
            # 3.13's base32 and base85 codecs are pure Python: slow.  Their
            # inputs are still longer than a thread detaches for (64 KiB)
            # and than a stage of a mutable buffer (12 KiB).
            base = 1 << 17 if "32" in name or "85" in name else 1 << 20
            for size in (3 * base, base + 1, base + 2):
                with self.subTest(name=name, size=size):
                    data = rng.randbytes(size)
                    encoded = self.assertSame(name, data)[2]
                    self.assertSame(name.replace("encode", "decode"), encoded)
                    # Mutable buffers are copied a stage at a time, from
                    # any alignment: the same result as for bytes.
                    encode = getattr(_base64, name)
                    self.assertEqual(encode(bytearray(data)), encoded)
                    unaligned = memoryview(bytearray(b"x" + data))[1:]
                    self.assertEqual(encode(unaligned), encoded)

    def test_buffer_kinds(self):
        raw = bytes(range(256)) * 3
        released = memoryview(raw)
        released.release()
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
            b" \n=~<>zy" * 8,
            memoryview(raw)[::2],                      # not contiguous
            memoryview(raw).cast("B", (32, 24))[::2],  # not contiguous
            memoryview(b"abcd").cast("c"),
            released,
        ]
        for name in FUNCTIONS:
            for data in inputs:
                with self.subTest(name=name, data=data):
                    self.assertSame(name, data)

    def test_bad_input(self):
        for name in ENCODERS:
            for data in ("abc", "", 1, None, 3.5, [1, 2], object(),
                         {b"a": 1}, bytes):
                with self.subTest(name=name, data=data):
                    kind, *_ = self.assertSame(name, data)
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
                kind, *_ = self.assertSame("b64encode", self.DATA, altchars)
                self.assertEqual(kind, "raise")

    def test_input_errors_come_first(self):
        released = memoryview(b"abcd")
        released.release()
        for data in ("abc", 1, memoryview(b"abcd")[::2], released):
            for altchars in (b"-", "x", 1):
                with self.subTest(data=data, altchars=altchars):
                    self.assertSame("b64encode", data, altchars)
                    self.assertSame("b64decode", data, altchars)

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


class EdgeCaseTests(_SameBehaviour):
    """The bad inputs the codecs must reject exactly as Python does."""

    def test_base64_padding_in_every_position(self):
        for name in ("b64decode", "urlsafe_b64decode", "decodebytes"):
            for encoded in (b"YWJj", b"YWI=", b"YQ=="):
                for at in range(len(encoded) + 1):
                    for pad in (b"=", b"==", b"==="):
                        data = encoded[:at] + pad + encoded[at:]
                        with self.subTest(name=name, data=data):
                            self.assertSame(name, data)
                            if name == "b64decode":
                                self.assertSame(name, data, validate=True)
                                self.assertSame(name, data + b"YQ==", validate=True)

    def test_non_alphabet_and_truncated(self):
        for name, data in [("b64decode", b"YW!J j\n"), ("b64decode", b"YWJjZ"),
                           ("b32decode", b"MZXW6==="[:-1]), ("b32decode", b"MZ1W6==="),
                           ("b32decode", b"mzxw6==="), ("b16decode", b"0G"),
                           ("b16decode", b"abc"), ("b85decode", b"ab\""),
                           ("z85decode", b"ab~"), ("a85decode", b"ab\x80"),
                           ("a85decode", b"a")]:
            with self.subTest(name=name, data=data):
                self.assertSame(name, data)

    def test_overflow_groups(self):
        for name, data in [("a85decode", b"s8W-!"), ("a85decode", b's8W-"'),
                           ("a85decode", b"uuuuu"), ("b85decode", b"|NsC0"),
                           ("b85decode", b"|NsC1"), ("b85decode", b"~~~~~"),
                           ("z85decode", b"%nSc0"), ("z85decode", b"#####"),
                           ("b85decode", b"0000~~~~~")]:
            with self.subTest(name=name, data=data):
                self.assertSame(name, data)

    def test_short_groups(self):
        for data in (b"az", b"zz", b"!!z!!!", b"ay", b"yy", b"!y"):
            for foldspaces in (False, True):
                with self.subTest(data=data, foldspaces=foldspaces):
                    self.assertSame("a85decode", data, foldspaces=foldspaces)

    def test_adobe_frame(self):
        for data in (b"<~87cURD]i,\"Ebo80~>", b"87cURD]i,\"Ebo80~>", b"<~87cURD]i",
                     b"<~", b"~>", b"<~>", b"<~~>", b""):
            with self.subTest(data=data):
                self.assertSame("a85decode", data, adobe=True)

    def test_wrapcol(self):
        data = bytes(range(50))
        for wrapcol in (0, 1, 2, 3, 62, 63, 64, 65, 1000):
            for adobe in (False, True):
                with self.subTest(wrapcol=wrapcol, adobe=adobe):
                    self.assertSame("a85encode", data, wrapcol=wrapcol, adobe=adobe)
                    self.assertSame("a85encode", b"", wrapcol=wrapcol, adobe=adobe)

    def test_wrapcol_with_folds(self):
        # Folded groups make the output shorter than the storage allocated
        # for it; every length of the last line, framed and not.
        pattern = b"\0\0\0\0abc     \0\0\0\0\0"
        for size in range(len(pattern) * 2 + 1):
            data = (pattern * 2)[:size]
            for wrapcol in range(1, 9):
                for adobe in (False, True):
                    for foldspaces in (False, True):
                        with self.subTest(size=size, wrapcol=wrapcol,
                                          adobe=adobe, foldspaces=foldspaces):
                            self.assertSame("a85encode", data, wrapcol=wrapcol,
                                            adobe=adobe, foldspaces=foldspaces)

    def test_map01_and_casefold(self):
        for map01 in (None, b"L", b"I", b"", b"LI", "L", 1, bytearray(b"L")):
            for casefold in (False, True):
                for data in (b"ME======", b"M1======", b"m0======", b"M0======"):
                    with self.subTest(map01=map01, casefold=casefold, data=data):
                        self.assertSame("b32decode", data, casefold, map01)

    @unittest.skipUnless(sys.maxsize < 2**32, "needs a 32-bit build")
    def test_output_past_the_address_space(self):
        # On a 32-bit build, a 1 GiB input reaches lengths that do not fit
        # in Py_ssize_t or in size_t; the output cannot be made.
        data = b"z" * (1 << 30)
        # 2 GiB of digits: binascii raises MemoryError before any work.
        self.assertSame("b16encode", data)
        # 4 GiB of zero bytes.  The Python code builds a list of 2**30
        # pieces first, which cannot fit either (and takes minutes), so
        # only the error is checked.
        with self.assertRaises(MemoryError):
            _base64.a85decode(data)
        del data
        # One byte over binascii's BASE64_MAXBIN: "Too much data for
        # base64 line".
        self.assertSame("b64encode", bytes((sys.maxsize - 3) // 2 + 1))


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
        # Built at run time, so not the interned literal (one-character
        # strings are cached, hence a longer name).
        name = "".join(["alt", "chars"])
        self.assertIsNot(name, "altchars")
        self.assertEqual(_base64.b64encode(b"\xff\xff", **{name: b"-_"}), b"__8=")

    def test_keyword_name_subclasses_are_compared_with_their_eq(self):
        # The interpreter binds a keyword that is not the parameter's name
        # object with ==, so a str subclass's __eq__ is called.
        calls = []

        class Name(str):
            __hash__ = str.__hash__

            def __eq__(self, other):
                calls.append(other)
                return str.__eq__(self, other)

        for module in (py_base64, _base64):
            with self.subTest(module=module.__name__):
                calls.clear()
                self.assertEqual(module.b64encode(**{Name("s"): b"ab"}), b"YWI=")
                self.assertEqual(calls, ["s"])


class ReliabilityTests(unittest.TestCase):

    # Every function on a large input of each buffer kind, with the address
    # space limited so that the copy of a mutable input or the output
    # cannot be allocated: MemoryError, not an abort.
    MEMORY_SCRIPT = """if 1:
        import base64, resource, sys
        kind = sys.argv[1]
        data = {"bytes": bytes, "bytearray": bytearray,
                "memoryview": lambda b: memoryview(bytearray(b))}[kind](
            b"A" * (128 << 20))
        used = int(open("/proc/self/statm").read().split()[0])
        limit = used * resource.getpagesize() + (48 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            bytearray(96 << 20)
        except MemoryError:
            pass
        else:
            # Address space reserved ahead (an emulator, an allocator's
            # arenas): the limit bounds no allocation.
            sys.exit("unbounded")
        for name in sys.argv[2:]:
            try:
                getattr(base64, name)(data)
            except MemoryError as exc:
                print(name, type(exc).__name__, repr(str(exc)), flush=True)
            else:
                print(name, "no error", flush=True)
    """

    @unittest.skipUnless(sys.platform == "linux", "needs /proc and RLIMIT_AS")
    @unittest.skipIf(support.check_sanitizer(address=True),
                     "AddressSanitizer reserves more address space")
    @unittest.skipIf(support.Py_GIL_DISABLED,
                     "mimalloc reserves address space ahead, so a limit "
                     "relative to the current size bounds nothing")
    def test_memory_error_instead_of_abort(self):
        for kind in ("bytes", "bytearray", "memoryview"):
            with self.subTest(kind=kind):
                result = script_helper.run_python_until_end(
                    "-c", self.MEMORY_SCRIPT, kind, *FUNCTIONS)[0]
                if result.err.strip().endswith(b"unbounded"):
                    self.skipTest("RLIMIT_AS bounds no allocation here")
                self.assertEqual(result.rc, 0, result.err)
                lines = result.out.decode().splitlines()
                self.assertEqual(
                    lines, [f"{name} MemoryError ''" for name in FUNCTIONS])

    @unittest.skipUnless(hasattr(_base64, "_test_panic"),
                         "needs Rust debug assertions (--with-pydebug)")
    def test_panic_is_system_error(self):
        with self.assertRaises(SystemError) as caught:
            _base64._test_panic("index out of bounds")
        self.assertEqual(str(caught.exception),
                         "_test_panic() panicked: index out of bounds")
        # The interpreter goes on.
        self.assertEqual(_base64.b64encode(b"a"), b"YQ==")

    def test_replacing_sys_flags_changes_nothing(self):
        # The Python code's assert was decided when base64.py was compiled.
        for flags in (object(), mock.Mock(optimize=1)):
            with self.subTest(flags=flags), mock.patch.object(sys, "flags", flags):
                for func in (py_base64.b64encode, _base64.b64encode):
                    with self.assertRaises(AssertionError):
                        func(b"a", altchars=b"-_-")

    def test_the_python_functions_must_be_registered(self):
        fresh = import_helper.import_fresh_module("_base64")
        self.assertFalse(hasattr(fresh, "_fallbacks"))
        self.assertEqual(fresh.b64encode(b"a"), b"YQ==")
        with self.assertRaisesRegex(RuntimeError, r"_base64\._fallbacks"):
            fresh.b64encode(b"a", x=1)

    @threading_helper.requires_working_threading()
    def test_interpreter_state_changing_under_calls(self):
        # Threads replace what the module reads or might read (sys.flags,
        # os.environ, base64's globals) while others call every function
        # with inputs the Rust code handles and inputs it hands over.
        import os
        calls = []
        for name in FUNCTIONS:
            encoded = getattr(py_base64, name.replace("decode", "encode"))(b"ab")
            arg = encoded if "decode" in name else b"ab"
            calls.append((getattr(rust_base64, name), (arg,), {},
                          call_outcome(getattr(py_base64, name), arg)))
            calls.append((getattr(rust_base64, name), (bytearray(arg),), {},
                          call_outcome(getattr(py_base64, name), bytearray(arg))))
        calls.append((rust_base64.b64encode, (b"a",), {"altchars": b"-_-"},
                      call_outcome(py_base64.b64encode, b"a", altchars=b"-_-")))
        calls.append((rust_base64.a85encode, (b"ab",), {"pad": BadBool()},
                      call_outcome(py_base64.a85encode, b"ab", pad=BadBool())))
        done = threading.Event()
        failures = []

        def mutate():
            flags = sys.flags
            while not done.is_set():
                sys.flags = object()
                os.environ["_PYTHON_BASE64_SIMD"] = "scalar"
                rust_base64.binascii = rust_base64.binascii
                sys.flags = flags
                os.environ.pop("_PYTHON_BASE64_SIMD", None)

        def call():
            for _ in range(200):
                for func, args, kwargs, expected in calls:
                    actual = call_outcome(func, *args, **kwargs)
                    if actual != expected:
                        failures.append((func.__name__, actual, expected))

        saved_flags = sys.flags
        saved_level = os.environ.get("_PYTHON_BASE64_SIMD")
        try:
            workers = [threading.Thread(target=call) for _ in range(4)]
            with threading_helper.start_threads([threading.Thread(target=mutate)]):
                with threading_helper.start_threads(workers):
                    pass
                done.set()
        finally:
            sys.flags = saved_flags
            if saved_level is None:
                os.environ.pop("_PYTHON_BASE64_SIMD", None)
            else:
                os.environ["_PYTHON_BASE64_SIMD"] = saved_level
        self.assertEqual(failures, [])


class VectorLevelTests(unittest.TestCase):
    """Every codec with vector kernels through each level of them.

    _PYTHON_BASE64_SIMD caps the level (a level the CPU lacks runs as the
    best one it has), so a subprocess per level compares the functions
    with the pure-Python ones on lengths around every kernel's block sizes
    and on inputs with a byte that no kernel decodes.
    """

    SCRIPT = """if 1:
        import random
        from test.support import import_helper
        import _base64
        py = import_helper.import_fresh_module("base64", blocked=["_base64"])

        def outcome(func, arg, **kwargs):
            try:
                return func(arg, **kwargs)
            except Exception as exc:
                return type(exc), str(exc)

        def check(name, arg, **kwargs):
            expected = outcome(getattr(py, name), arg, **kwargs)
            actual = outcome(getattr(_base64, name), arg, **kwargs)
            assert actual == expected, (name, len(arg), kwargs)

        rng = random.Random(3)
        for size in [*range(200), 1000, 4096, 65536 + 7]:
            data = rng.randbytes(size)
            for name in ("b64encode", "urlsafe_b64encode", "encodebytes"):
                check(name, data)
            for name in ("b64decode", "urlsafe_b64decode", "decodebytes"):
                encoded = getattr(py, name.replace("decode", "encode"))(data)
                check(name, encoded)
                if encoded:
                    for odd in (ord("!"), ord("="), ord("\\n")):
                        bad = bytearray(encoded)
                        bad[rng.randrange(len(bad))] = odd
                        check(name, bytes(bad))
            check("b64decode", py.b64encode(data), validate=True)
            check("b16encode", data)
            hexed = py.b16encode(data)
            for casefold in (False, True):
                check("b16decode", hexed, casefold=casefold)
                check("b16decode", hexed.lower(), casefold=casefold)
                if hexed:
                    for odd in (ord("G"), ord("g"), ord("/"), ord(":"), 0xff):
                        bad = bytearray(hexed)
                        bad[rng.randrange(len(bad))] = odd
                        check("b16decode", bytes(bad), casefold=casefold)
            if 100 < size <= 4096:
                # Lines of other lengths than encodebytes', and one line
                # that differs.
                encoded = py.b64encode(data)
                for width in (64, 72):
                    lines = b"\\n".join(encoded[i:i + width]
                                       for i in range(0, len(encoded), width))
                    check("decodebytes", lines)
                    check("b64decode", lines)
                    odd = bytearray(lines)
                    del odd[rng.randrange(width + 1, len(odd))]
                    check("decodebytes", bytes(odd))
            # The pure-Python base32 and base85 are slow (emulated, they
            # would be the slowest part): every third length below 200
            # meets each residue of the kernels' steps (base32 20 to 40
            # bytes, base85 64), and 1000 bytes a whole stage of base85
            # blocks (512).
            if size != 1000 and (size >= 200 or size % 3):
                continue
            folded = bytearray(data)
            folded[64:68] = bytes(4)
            folded[132:136] = b"    "
            for data85 in (data, bytes(folded)):
                for name, options in (("b85encode", ({}, {"pad": True})),
                                      ("z85encode", ({},)),
                                      ("a85encode", ({}, {"foldspaces": True},
                                                     {"wrapcol": 76, "adobe": True}))):
                    for kwargs in options:
                        check(name, data85, **kwargs)
            for name in ("b85decode", "z85decode", "a85decode"):
                encoded = getattr(py, name.replace("decode", "encode"))(data)
                check(name, encoded)
                if encoded:
                    for odd in (ord('"'), ord("~"), ord("z"), ord(" "), 0xff):
                        bad = bytearray(encoded)
                        bad[rng.randrange(len(bad))] = odd
                        check(name, bytes(bad))
                    # The largest group, then one over 2**32 - 1.
                    group = 5 * rng.randrange(len(encoded) // 5 or 1)
                    largest = getattr(py, name.replace("decode", "encode"))(bytes([255]) * 4)
                    for last in (largest, largest[:4] + bytes([largest[4] + 1])):
                        bad = bytearray(encoded)
                        bad[group:group + 5] = last
                        check(name, bytes(bad))
            if size == 1000:
                continue
            for name in ("b32encode", "b32hexencode"):
                check(name, data)
            for name, options in (("b32decode", ({}, {"casefold": True},
                                                 {"casefold": True, "map01": b"L"})),
                                  ("b32hexdecode", ({}, {"casefold": True}))):
                encoded = getattr(py, name.replace("decode", "encode"))(data)
                for kwargs in options:
                    check(name, encoded, **kwargs)
                    check(name, encoded.lower(), **kwargs)
                    if encoded:
                        for odd in (ord("0"), ord("1"), ord("="), ord("@"), 0xff):
                            bad = bytearray(encoded)
                            bad[rng.randrange(len(bad))] = odd
                            check(name, bytes(bad), **kwargs)
    """

    # The levels of the architectures with vector kernels (the machine a
    # 64-bit process runs on); elsewhere, the portable code only.
    X86_64_LEVELS = ("scalar", "sse4.1", "avx2", "avx512vbmi")
    AARCH64_LEVELS = ("scalar", "neon")
    LEVELS = {"x86_64": X86_64_LEVELS, "amd64": X86_64_LEVELS,
              "aarch64": AARCH64_LEVELS, "arm64": AARCH64_LEVELS}

    def test_each_level(self):
        machine = platform.machine().lower() if sys.maxsize > 2**32 else None
        for level in self.LEVELS.get(machine, ("scalar",)):
            with self.subTest(level=level):
                script_helper.assert_python_ok(
                    "-c", self.SCRIPT, _PYTHON_BASE64_SIMD=level)


# In the free-threaded build of 3.13, bytearray itself is not thread-safe:
# its export count is not atomic and its methods take no lock (gh-129107,
# fixed in 3.14), so a resize racing with any buffer export, from any
# module, can free the memory being read.  There the shared bytearray is
# only overwritten, never resized.
RESIZE_WHILE_EXPORTED_IS_SAFE = (not support.Py_GIL_DISABLED
                                 or sys.version_info >= (3, 14))


@threading_helper.requires_working_threading()
class ThreadingTests(unittest.TestCase):
    """Many threads calling _base64 at once.

    Threads encode and decode shared bytes objects: every result must be
    exact.  Other threads encode a shared bytearray while more threads
    overwrite it in place and try to resize it.  The documented outcome
    for that bytearray: its result encodes exactly as many bytes as the
    bytearray had at the call, each of them a value that byte held during
    the call; a resize attempted while the buffer is exported raises
    BufferError in the resizing thread, as with any exporter.  In a
    default build a bytearray exported to the call alone is read in place
    with the GIL held, so every other round holds a second export (a
    memoryview): the call then reads a copy, with the GIL released, while
    the other threads write.
    """

    CODEC_THREADS = 4
    ROUNDS = 100
    # Long enough that _base64 releases the GIL while it encodes a copy
    # (64 KiB and more), so that in a default build too the other threads
    # write and resize the bytearray during the call.
    SIZE = (64 << 10) + 3
    FILLS = b"AB"   # the values the overwriting thread writes

    def test_shared_inputs(self):
        rng = random.Random(11)
        data = rng.randbytes(20_000)
        cases = []
        for name in ENCODERS:
            encoded = getattr(py_base64, name)(data)
            cases.append((name, data, encoded))
            decoder = name.replace("encode", "decode")
            cases.append((decoder, encoded, data))
        shared = bytearray(self.FILLS[:1] * self.SIZE)
        done = threading.Event()
        failures = []
        resize_errors = set()

        def codec_worker(offset):
            for i in range(self.ROUNDS):
                name, arg, expected = cases[(offset + i) % len(cases)]
                result = getattr(_base64, name)(arg)
                if result != expected:
                    failures.append(f"{name} on shared bytes: wrong result")

        def bytearray_encoder(offset):
            for i in range(self.ROUNDS):
                name = ENCODERS[(offset + i) % len(ENCODERS)]
                if i % 2:
                    encoded = getattr(_base64, name)(shared)
                else:
                    with memoryview(shared):
                        encoded = getattr(_base64, name)(shared)
                # The decoders are checked against base64's elsewhere.
                decoder = getattr(_base64, name.replace("encode", "decode"))
                decoded = decoder(encoded)
                if len(decoded) not in (self.SIZE, self.SIZE + 1):
                    failures.append(f"{name}: {len(decoded)} bytes encoded")
                if not set(decoded) <= set(self.FILLS):
                    failures.append(f"{name}: bytes never written were read")

        def overwriter():
            while not done.is_set():
                for value in self.FILLS:
                    shared[:self.SIZE] = bytes([value]) * self.SIZE

        def resizer():
            while not done.is_set():
                try:
                    shared.append(self.FILLS[0])
                except BufferError as exc:
                    resize_errors.add(str(exc))
                    continue
                while True:
                    try:
                        del shared[self.SIZE:]
                        break
                    except BufferError as exc:
                        resize_errors.add(str(exc))

        def stopping(worker):
            def run(*args):
                try:
                    worker(*args)
                except BaseException as exc:
                    failures.append(f"{worker.__name__}: {exc!r}")
            return run

        workers = [threading.Thread(target=stopping(codec_worker), args=(i,))
                   for i in range(self.CODEC_THREADS)]
        workers += [threading.Thread(target=stopping(bytearray_encoder),
                                     args=(i,)) for i in range(2)]
        helpers = [threading.Thread(target=stopping(overwriter))]
        if RESIZE_WHILE_EXPORTED_IS_SAFE:
            helpers.append(threading.Thread(target=stopping(resizer)))
        with threading_helper.start_threads(workers + helpers):
            for thread in workers:
                thread.join(support.SHORT_TIMEOUT)
            done.set()
        self.assertFalse(any(t.is_alive() for t in workers + helpers))
        self.assertEqual(failures, [])
        self.assertLessEqual(resize_errors, {
            "Existing exports of data: object cannot be re-sized"})


def _run_with(module):
    """A mixin that runs test_base64's tests against `module`."""
    class Mixin:
        def setUp(self):
            patcher = mock.patch.object(test_base64, "base64", module)
            patcher.start()
            self.addCleanup(patcher.stop)
            super().setUp()
    return Mixin


# test_base64's tests, both ways (TestMain runs "python -m base64", which
# uses whatever the interpreter imports).
for _prefix, _module in (("Py", py_base64), ("Rust", rust_base64)):
    for _case in (test_base64.LegacyBase64TestCase, test_base64.BaseXYTestCase):
        _name = f"{_prefix}{_case.__name__}"
        globals()[_name] = type(_name, (_run_with(_module), _case), {})
del _prefix, _module, _case, _name


class BadBool:
    def __bool__(self):
        raise ZeroDivisionError("bool")

    def __repr__(self):
        return "BadBool()"


class BadLen:
    def __len__(self):
        raise ZeroDivisionError("len")

    def __repr__(self):
        return "BadLen()"


class BadContains:
    def __contains__(self, item):
        raise ZeroDivisionError("contains")


st = hypothesis.strategies
# Generated calls per function; ten times more with "-u cpu".
EXAMPLES = 10_000 if support.is_resource_enabled("cpu") else 1000

_raw = st.binary(max_size=300)
_encoded_text = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
             "+/=-_!#$%&()*;<>?@^`{|}~.:[]zyu \t\n\r\x0b\x00\x7f\xe9",
    max_size=120)
DATA = st.one_of(
    _raw,
    _raw.map(bytearray),
    _raw.map(memoryview),
    _raw.map(lambda b: array.array("B", b)),
    _raw.map(lambda b: memoryview(b)[::2]),
    _raw.map(lambda b: memoryview(b[:len(b) // 4 * 4]).cast("I")),
    st.binary(min_size=2, max_size=300).map(
        lambda b: memoryview(b[:len(b) // 2 * 2]).cast("B", (2, len(b) // 2))),
    _encoded_text,
    _encoded_text.map(lambda t: t.encode("utf-8")),
    st.text(max_size=20),
    st.sampled_from([None, 0, 1.5, [1, 2], BadLen()]),
)
FLAGS = st.sampled_from([False, True, 0, 1, None, "", "x", BadBool()])
ALTCHARS = st.sampled_from([
    None, b"-_", b"+/", b"/+", b"--", b"", b"-", b"abc", "-_", "\xe9\xe9", "-",
    1, bytearray(b"*!"), memoryview(b"-_"), array.array("B", b"ab"),
    array.array("i", [1, 2]), [1, 2], BadLen()])
MAP01 = st.sampled_from([
    None, b"L", b"I", b"l", b"", b"LI", "L", "\xe9", 1, bytearray(b"I"), BadLen()])
WRAPCOL = st.sampled_from([0, 1, 2, 3, 4, 5, 7, 76, 10**30, -5, 2.5, True, "x",
                           None, BadBool()])
IGNORECHARS = st.sampled_from([
    b" \t\n\r\v", b"", b"abc", bytearray(b" \n"), " ", [32, 10], {32}, None, 1,
    BadContains()])


def _options(**strategies):
    return st.fixed_dictionaries({}, optional=strategies)


class PropertyTests(_SameBehaviour):
    """_base64 against the pure-Python base64 on generated calls."""

    def check(self, name, data, options):
        self.assertSame(name, data, **options)


def _property_test(name, options):
    @hypothesis.settings(max_examples=EXAMPLES)
    @hypothesis.given(data=DATA, options=options)
    @hypothesis.example(data=b"", options={})
    @hypothesis.example(data=b"\x00\x00\x00\x00 \xff", options={})
    @hypothesis.example(data="YWJj\nZGVm=", options={})
    @hypothesis.example(data=b"<~@:E_~>", options={})
    @hypothesis.example(data=memoryview(b"abcdef")[::2], options={})
    def test(self, data, options):
        self.check(name, data, options)
    test.__name__ = f"test_{name}"
    return test


_OPTIONS = {
    "b64encode": _options(altchars=ALTCHARS),
    "b64decode": _options(altchars=ALTCHARS, validate=FLAGS),
    "b32decode": _options(casefold=FLAGS, map01=MAP01),
    "b32hexdecode": _options(casefold=FLAGS),
    "b16decode": _options(casefold=FLAGS),
    "a85encode": _options(foldspaces=FLAGS, wrapcol=WRAPCOL, pad=FLAGS,
                          adobe=FLAGS),
    "a85decode": _options(foldspaces=FLAGS, adobe=FLAGS,
                          ignorechars=IGNORECHARS),
    "b85encode": _options(pad=FLAGS),
}
for _name in FUNCTIONS:
    setattr(PropertyTests, f"test_{_name}",
            _property_test(_name, _OPTIONS.get(_name, st.just({}))))
del _name


class Recorder:
    """A flag whose __bool__ records its name in a log, may change the
    input it was built for, and answers in turn from a list of values."""

    def __init__(self, log, name, data, values, action):
        self.log, self.name, self.data = log, name, data
        self.values, self.action = list(values), action

    def __bool__(self):
        self.log.append(self.name)
        if self.action == "raise":
            raise ZeroDivisionError(self.name)
        if self.action == "clear":
            self.data.clear()
        elif self.action == "append":
            self.data.extend(b"AAAA")
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]

    def __index__(self):
        self.log.append(f"{self.name}.__index__")
        return 3

    def __gt__(self, other):
        self.log.append(f"{self.name}.__gt__")
        return True


# The flags of each function, for CallbackOrderTests.
FLAG_PARAMETERS = {
    "b64decode": ["validate"],
    "b32decode": ["casefold"],
    "b32hexdecode": ["casefold"],
    "b16decode": ["casefold"],
    "a85encode": ["foldspaces", "wrapcol", "pad", "adobe"],
    "a85decode": ["foldspaces", "adobe"],
    "b85encode": ["pad"],
}
_RECORDER = st.tuples(st.lists(st.booleans(), min_size=1, max_size=3),
                      st.sampled_from(["none", "raise", "clear", "append"]))


class CallbackOrderTests(unittest.TestCase):
    """Flags whose __bool__ records the calls (and may resize the input):
    the same calls, in the same order, with the same outcome, and the
    same final input, as the Python code."""

    @hypothesis.settings(max_examples=EXAMPLES)
    @hypothesis.given(name=st.sampled_from(sorted(FLAG_PARAMETERS)),
                      data=st.sampled_from([b"", b"ab", b"YWJj", b"  yz!!", b"MFRGG===",
                                            b"<~@:E_~>", b"abcdefgh", b"AAAA"]),
                      plans=st.lists(st.none() | _RECORDER, min_size=4, max_size=4))
    def test(self, name, data, plans):
        def run(module):
            log, buffer = [], bytearray(data)
            kwargs = {}
            for param, plan in zip(FLAG_PARAMETERS[name], plans, strict=False):
                if plan is not None:
                    kwargs[param] = Recorder(log, param, buffer, *plan)
            return outcome(getattr(module, name), buffer, **kwargs), log, bytes(buffer)
        self.assertEqual(run(_base64), run(py_base64), (name, data, plans))


if __name__ == "__main__":
    unittest.main()
