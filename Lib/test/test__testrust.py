"""Tests of the safe layer for Rust modules, through the _testrust module."""

import gc
import array
import inspect
import pickle
import sys
import threading
import unittest
import weakref
from test import support
from test.support import import_helper, threading_helper

_testrust = import_helper.import_module('_testrust')


class ModuleTests(unittest.TestCase):

    def test_built_in_test_module(self):
        self.assertIn('_testrust', sys.builtin_module_names)
        # A test module, as for _testcapi.
        self.assertNotIn('_testrust', sys.stdlib_module_names)

    @support.requires_docstrings
    def test_module_doc(self):
        self.assertEqual(_testrust.__doc__,
                         'Tests of the safe layer for Rust modules.')


class FunctionTests(unittest.TestCase):

    def test_named_parameters(self):
        greet = _testrust.greet
        self.assertEqual(greet('World'), 'Hello, World!')
        self.assertEqual(greet('World', 'Hi'), 'Hi, World!')
        self.assertEqual(greet('World', greeting='Hi'), 'Hi, World!')
        self.assertEqual(greet('World', punctuation='?'), 'Hello, World?')
        self.assertEqual(greet('é', 'Grüß', punctuation='\U0001f600'),
                         'Grüß, é\U0001f600')
        self.assertEqual(_testrust.sum(2), 3)
        self.assertEqual(_testrust.sum(2, 5), 7)
        self.assertEqual(_testrust.sum(b=5, a=2), 7)

    @support.requires_docstrings
    def test_signature(self):
        self.assertEqual(
            str(inspect.signature(_testrust.greet)),
            "(name, /, greeting='Hello', *, punctuation='!')")
        self.assertEqual(str(inspect.signature(_testrust.sum)), '(a, b=1)')
        # Argument Clinic's form: "/" right after the receiver when no
        # parameter is positional-only, as in gc.collect and int.bit_length.
        self.assertEqual(_testrust.sum.__text_signature__,
                         '($module, /, a, b=1)')
        self.assertEqual(_testrust.tally('t').items.__text_signature__,
                         int.bit_length.__text_signature__)

    @support.requires_docstrings
    def test_docstring(self):
        self.assertEqual(_testrust.greet.__doc__,
                         'Return greeting, a comma, name and punctuation.')
        self.assertEqual(
            _testrust.panic_with.__doc__,
            'Panic with message: a bug in a Rust function, which the caller sees\n'
            'as SystemError.')

    @unittest.skipUnless(support.MISSING_C_DOCSTRINGS,
                         'needs a build without docstrings')
    def test_without_docstrings(self):
        # What PyDoc_STR leaves of a C module's docstrings: empty ones,
        # and so no signatures.
        binascii = import_helper.import_module('binascii')
        self.assertEqual(_testrust.greet.__doc__, binascii.b2a_base64.__doc__)
        self.assertIsNone(_testrust.greet.__text_signature__)
        self.assertEqual(_testrust.__doc__, binascii.__doc__)
        self.assertEqual(_testrust.Tally.add.__doc__, binascii.b2a_base64.__doc__)
        self.assertEqual(_testrust.Tally.total.__doc__, '')

    def test_binding_errors(self):
        # The messages of Argument Clinic's parser for a C function with
        # the same signature.
        greet, sum_ = _testrust.greet, _testrust.sum
        cases = [
            (lambda: greet(),
             'greet() takes at least 1 positional argument (0 given)'),
            (lambda: greet(name='x'),
             'greet() takes at least 1 positional argument (0 given)'),
            (lambda: greet('a', 'b', 'c'),
             'greet() takes at most 2 positional arguments (3 given)'),
            (lambda: greet('a', 'b', 'c', punctuation='.'),
             'greet() takes at most 3 arguments (4 given)'),
            (lambda: greet('a', x=1),
             "greet() got an unexpected keyword argument 'x'"),
            (lambda: greet('a', punctuation='.', x=1, y=2),
             'greet() takes at most 3 arguments (4 given)'),
            (lambda: sum_(),
             "sum() missing required argument 'a' (pos 1)"),
            (lambda: sum_(b=2),
             "sum() missing required argument 'a' (pos 1)"),
            (lambda: sum_(1, a=2),
             "argument for sum() given by name ('a') and position (1)"),
            (lambda: sum_(a=1, b=2, c=3),
             'sum() takes at most 2 keyword arguments (3 given)'),
            (lambda: _testrust.panic_with(),
             "panic_with() missing required argument 'message' (pos 1)"),
        ]
        for call, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(TypeError) as cm:
                    call()
                self.assertEqual(str(cm.exception), message)

    def test_conversion_errors(self):
        cases = [
            (lambda: _testrust.greet(1),
             TypeError, 'greet() argument 1 must be str, not int'),
            (lambda: _testrust.greet('a', greeting=b'Hi'),
             TypeError, "greet() argument 'greeting' must be str, not bytes"),
            (lambda: _testrust.sum('1'),
             TypeError, "sum() argument 'a' must be int, not str"),
            (lambda: _testrust.sum(2**63),
             OverflowError, 'int too big to convert'),
            (lambda: _testrust.sum(2**62, 2**62),
             OverflowError, 'sum does not fit 64 bits'),
        ]
        for call, exception, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(exception) as cm:
                    call()
                self.assertEqual(str(cm.exception), message)
        with self.assertRaises(UnicodeEncodeError):
            _testrust.greet('\udc80')

    def test_subclasses_convert(self):
        class Str(str):
            pass

        class Int(int):
            pass

        self.assertEqual(_testrust.greet(Str('x')), 'Hello, x!')
        self.assertEqual(_testrust.sum(Int(1), True), 2)

    def test_keywords_must_be_strings(self):
        # Only a C caller can pass a keyword that is not a str.
        _testcapi = import_helper.import_module('_testcapi')
        with self.assertRaisesRegex(TypeError, '^keywords must be strings$'):
            _testcapi.pyobject_vectorcall(_testrust.sum, (1,), (2,))

    def test_panic_is_system_error(self):
        # Rust's panic hook also reports the panic on the C stderr.
        with self.assertRaises(SystemError) as cm:
            _testrust.panic_with('boom')
        self.assertEqual(str(cm.exception), 'panic_with() panicked: boom')
        # The interpreter goes on.
        self.assertEqual(_testrust.sum(1), 2)


class BufferAccessTests(unittest.TestCase):
    """How a Rust function reads a buffer: in place when nothing else can
    write it during the call, from a private copy otherwise."""

    # In a default build only an export lets a thread without the GIL
    # write a bytearray; in the free-threaded build of 3.13 any thread may.
    ALONE = 'Copied' if support.Py_GIL_DISABLED else 'GuardedByGil'

    def test_bytes_are_read_in_place(self):
        access = _testrust.buffer_access
        self.assertEqual(access(b'abc'), 'Immutable')
        self.assertEqual(access(memoryview(b'abc')), 'Immutable')
        self.assertEqual(access(memoryview(b'abcd')[1:3]), 'Immutable')

    def test_bytearray_exported_to_the_call_alone(self):
        access = _testrust.buffer_access
        data = bytearray(b'abc')
        self.assertEqual(access(data), self.ALONE)
        with memoryview(data) as view:
            self.assertEqual(access(view), self.ALONE)
            self.assertEqual(access(view[1:]), 'Copied')

    def test_other_exports_make_a_copy(self):
        access = _testrust.buffer_access
        data = bytearray(b'abc')
        with memoryview(data) as view:
            self.assertEqual(access(data), 'Copied')
            with memoryview(view) as second_view:
                self.assertEqual(access(view), 'Copied')
                self.assertEqual(access(second_view), 'Copied')
        # A PickleBuffer holds an export until released.
        held = pickle.PickleBuffer(data)
        self.assertEqual(access(data), 'Copied')
        held.release()
        with memoryview(data) as view:
            held = pickle.PickleBuffer(view)
            self.assertEqual(access(view), 'Copied')
            held.release()
            self.assertEqual(access(view), self.ALONE)
        self.assertEqual(access(data), self.ALONE)

    def test_other_exporters_are_copied(self):
        access = _testrust.buffer_access

        class ByteArray(bytearray):
            pass

        self.assertEqual(access(ByteArray(b'abc')), 'Copied')
        self.assertEqual(access(array.array('B', b'abc')), 'Copied')
        self.assertEqual(access(pickle.PickleBuffer(b'abc')), 'Copied')
        self.assertEqual(access(memoryview(ByteArray(b'abc'))), 'Copied')


class TallyTests(unittest.TestCase):

    def test_type(self):
        Tally = _testrust.Tally
        self.assertIs(type(_testrust.tally('a')), Tally)
        self.assertEqual(Tally.__module__, '_testrust')
        self.assertEqual(Tally.__qualname__, 'Tally')
        with self.assertRaisesRegex(TypeError,
                                    "cannot create '_testrust.Tally' instances"):
            Tally()
        with self.assertRaisesRegex(TypeError, 'not an acceptable base type'):
            type('Sub', (Tally,), {})
        with self.assertRaises(TypeError):
            Tally.spam = 1  # immutable type

    def test_methods_and_properties(self):
        t = _testrust.tally('apples')
        self.assertEqual(t.name, 'apples')
        self.assertEqual(t.total, 0)
        self.assertEqual(t.items(), [])
        item = object()
        self.assertEqual(t.add(item), 1)
        self.assertEqual(t.add('x', weight=5), 6)
        self.assertEqual(t.add(None, weight=-2), 4)
        self.assertEqual(t.total, 4)
        items = t.items()
        self.assertEqual(items, [item, 'x', None])
        self.assertIs(items[0], item)
        items.clear()  # a new list each time
        self.assertEqual(len(t.items()), 3)
        t.name = 'pears'
        self.assertEqual(t.name, 'pears')

    def test_method_errors(self):
        t = _testrust.tally('t')
        t.add(1)
        cases = [
            (lambda: t.add(), TypeError,
             'add() takes exactly 1 positional argument (0 given)'),
            (lambda: t.add(1, 2), TypeError,
             'add() takes exactly 1 positional argument (2 given)'),
            (lambda: t.add(item=1), TypeError,
             'add() takes exactly 1 positional argument (0 given)'),
            (lambda: t.add(1, weight='2'), TypeError,
             "add() argument 'weight' must be int, not str"),
            (lambda: t.add(1, weight=2**63 - 1), OverflowError,
             'total does not fit 64 bits'),
            (lambda: _testrust.Tally.add(object(), 1), TypeError, None),
            (lambda: setattr(t, 'name', 1), TypeError,
             'name must be a str, not int'),
            (lambda: delattr(t, 'name'), TypeError,
             "cannot delete attribute 'name'"),
            (lambda: setattr(t, 'total', 1), AttributeError, None),
        ]
        for call, exception, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(exception) as cm:
                    call()
                if message is not None:
                    self.assertEqual(str(cm.exception), message)
        # A failed call changed nothing.
        self.assertEqual((t.total, t.items(), t.name), (1, [1], 't'))

    def test_raising_method(self):
        t = _testrust.tally('t')
        self.assertTrue(issubclass(_testrust.Error, Exception))
        self.assertEqual(_testrust.Error.__module__, '_testrust')
        with self.assertRaises(_testrust.Error) as cm:
            t.fail('boom')
        self.assertEqual(str(cm.exception), 't: boom')

    def test_module_state(self):
        before = _testrust.created()
        _testrust.tally('a'), _testrust.tally('b')
        self.assertEqual(_testrust.created(), before + 2)

    @support.requires_docstrings
    def test_signatures(self):
        self.assertEqual(str(inspect.signature(_testrust.Tally.add)),
                         '(self, item, /, *, weight=1)')
        self.assertEqual(str(inspect.signature(_testrust.tally)), '(name)')

    @support.requires_docstrings
    def test_docstrings(self):
        Tally = _testrust.Tally
        self.assertEqual(Tally.__doc__, 'A named running total of weighted items.')
        self.assertEqual(Tally.total.__doc__, 'The sum of the weights added.')
        self.assertEqual(
            Tally.add.__doc__,
            'Add item, counting weight towards the total; return the new total.')

    def test_garbage_collector_breaks_cycles(self):
        class Item:
            pass

        t = _testrust.tally('cycle')
        item = Item()
        t.add(t)
        t.add(item)
        self.assertIn(t, gc.get_referents(t))
        self.assertTrue(gc.is_tracked(t))
        alive = weakref.ref(item)
        del t, item
        gc.collect()
        # Only collecting the cycle frees the item it holds.
        self.assertIsNone(alive())

    def test_threads(self):
        # Per-object locking: concurrent updates of one object all count
        # (in a free-threaded build, threads run at the same time).
        t = _testrust.tally('shared')
        threads, per_thread = 8, 2000
        seen = []

        def work():
            for i in range(per_thread):
                t.add(i)
            seen.append(t.total)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        with threading_helper.start_threads(workers):
            pass
        self.assertEqual(t.total, threads * per_thread)
        self.assertEqual(len(t.items()), threads * per_thread)
        # Each thread saw at least its own additions, and at most all.
        self.assertEqual(len(seen), threads)
        self.assertTrue(all(per_thread <= total <= threads * per_thread
                            for total in seen), seen)


if __name__ == '__main__':
    unittest.main()
