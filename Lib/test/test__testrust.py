"""Tests of the safe layer for Rust modules, through the _testrust module."""

import inspect
import sys
import unittest
from test import support
from test.support import import_helper

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
        self.assertEqual(_testrust.add(2), 3)
        self.assertEqual(_testrust.add(2, 5), 7)
        self.assertEqual(_testrust.add(b=5, a=2), 7)

    def test_signature(self):
        self.assertEqual(
            str(inspect.signature(_testrust.greet)),
            "(name, /, greeting='Hello', *, punctuation='!')")
        self.assertEqual(str(inspect.signature(_testrust.add)), '(a, b=1)')

    @support.requires_docstrings
    def test_docstring(self):
        self.assertEqual(_testrust.greet.__doc__,
                         'Return greeting, a comma, name and punctuation.')
        self.assertEqual(
            _testrust.panic_with.__doc__,
            'Panic with message: a bug in a Rust function, which the caller sees\n'
            'as SystemError.')

    def test_binding_errors(self):
        # The messages of Argument Clinic's parser for a C function with
        # the same signature.
        greet, add = _testrust.greet, _testrust.add
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
            (lambda: add(),
             "add() missing required argument 'a' (pos 1)"),
            (lambda: add(b=2),
             "add() missing required argument 'a' (pos 1)"),
            (lambda: add(1, a=2),
             "argument for add() given by name ('a') and position (1)"),
            (lambda: add(a=1, b=2, c=3),
             'add() takes at most 2 keyword arguments (3 given)'),
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
            (lambda: _testrust.add('1'),
             TypeError, "add() argument 'a' must be int, not str"),
            (lambda: _testrust.add(2**63),
             OverflowError, 'int too big to convert'),
            (lambda: _testrust.add(2**62, 2**62),
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
        self.assertEqual(_testrust.add(Int(1), True), 2)

    def test_keywords_must_be_strings(self):
        # Only a C caller can pass a keyword that is not a str.
        _testcapi = import_helper.import_module('_testcapi')
        with self.assertRaisesRegex(TypeError, '^keywords must be strings$'):
            _testcapi.pyobject_vectorcall(_testrust.add, (1,), (2,))

    def test_panic_is_system_error(self):
        # Rust's panic hook also reports the panic on the C stderr.
        with self.assertRaises(SystemError) as cm:
            _testrust.panic_with('boom')
        self.assertEqual(str(cm.exception), 'panic_with() panicked: boom')
        # The interpreter goes on.
        self.assertEqual(_testrust.add(1), 2)


if __name__ == '__main__':
    unittest.main()
