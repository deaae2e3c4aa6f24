"""Differential fuzzing of _base64 against base64's pure-Python code, with atheris.

What: for each fuzz input, pick one of the 20 functions of the Rust module
`_base64`, build arguments from the input (bytes, bytearray, memoryviews
that are non-contiguous, multi-dimensional, 0-dimensional, released or of
format 'H', arrays, ASCII and non-ASCII str, bytes/bytearray/str
subclasses with overridden methods, and "probe" objects whose __bool__,
__index__, __len__, __contains__, comparisons, __buffer__ ... return odd
values, raise, record the order in which they are called, or resize a
bytearray argument from inside the call), pass them positionally or by
keyword (plus missing, extra, duplicate and unknown arguments), and call
both `_base64.<name>` and the pure-Python `base64.<name>` (imported with
`_base64` blocked, so it runs on the C `binascii` module, the reference)
on equal but independent copies of the arguments.

Why: `_base64` must be a drop-in accelerator: whatever a program can
observe must be the same with and without it.  The harness compares the
result (type and value), the exception (type, message, __cause__,
__context__, __suppress_context__, recursively), warnings and
unraisable exceptions (sys.unraisablehook), the order of
the callbacks into the arguments, and the final state of every mutable
argument (content, and whether a buffer export is still held).  Coverage
comes from the instrumented pure-Python base64 code and this harness.

Modes:
  (default)          any difference raises `Difference`: libFuzzer stops
                     and saves the input as crash-<sha1>; run that file
                     again with `--print` to see the call.
  --findings DIR     collect differences instead: each new kind (function,
                     and what differs: outcome types, message, which link of
                     the exception chain, callbacks, state) is written to
                     DIR/finding-N.txt with its input DIR/finding-N.input,
                     and fuzzing goes on.  Use it to list every distinct
                     difference in one run.
  --known KIND       (repeatable) set aside a kind of difference already
                     reported, to find others: chaining (__cause__,
                     __context__, __suppress_context__), messages,
                     callbacks, final state, warnings, or subclasses (make
                     no str/bytes subclass arguments).  Never in tests.
  --print            print each call and both outcomes (for replaying
                     saved inputs: `fuzz_base64.py --print crash-...`).
  --make-corpus DIR  write the deterministic seed corpus (dev/fuzz-corpus).

All other arguments go to libFuzzer, e.g.
  ./python dev/fuzz_base64.py -max_total_time=600 -max_len=512 corpus-copy/
(libFuzzer adds new inputs to the first corpus directory: fuzz a copy of
dev/fuzz-corpus).  Needs a CPython built with `configure --with-rust`.
"""

from __future__ import annotations

import argparse
import array
import hashlib
import inspect
import random
import re
import sys
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import atheris

# Instrument only the pure-Python base64 for coverage (and this harness,
# below): the Rust code is not instrumented, so coverage measures how much
# of the reference's logic the inputs reach.
with atheris.instrument_imports(include=["base64"]):
    from test.support import import_helper

    PY = import_helper.import_fresh_module("base64", blocked=["_base64"])

# base64 as a Rust build imports it: the _base64 functions, with the
# Python functions registered for the inputs they hand over.
RUST = import_helper.import_fresh_module("base64", fresh=["_base64"])
if not RUST.b64encode.__module__ == "_base64":
    sys.exit("fuzz_base64.py: no _base64 module: build CPython with configure --with-rust")

FUNCTIONS = [
    "b64encode", "b64decode", "standard_b64encode", "standard_b64decode",
    "urlsafe_b64encode", "urlsafe_b64decode", "encodebytes", "decodebytes",
    "b32encode", "b32decode", "b32hexencode", "b32hexdecode",
    "b16encode", "b16decode", "a85encode", "a85decode",
    "b85encode", "b85decode", "z85encode", "z85decode",
]
PARAMETERS = {name: list(inspect.signature(getattr(PY, name)).parameters.values())
              for name in FUNCTIONS}
# For each decoder, the encoder whose output it takes: valid input gets
# decoders past their first check and into the interesting code.
ENCODER_OF = {
    "b64decode": "b64encode", "standard_b64decode": "b64encode",
    "urlsafe_b64decode": "urlsafe_b64encode", "decodebytes": "encodebytes",
    "b32decode": "b32encode", "b32hexdecode": "b32hexencode", "b16decode": "b16encode",
    "a85decode": "a85encode", "b85decode": "b85encode", "z85decode": "z85encode",
}
MAX_DATA = 48      # bytes of payload per argument: small inputs, many runs per second
MAX_CALLS = 200    # callbacks per call: a runaway loop ends with ProbeError


class Difference(AssertionError):
    """_base64 and the pure-Python base64 behaved differently."""


class ProbeError(Exception):
    """Raised by a probe when told to: a type neither implementation raises itself."""


RAISE = "<raise>"  # a behaviour: raise ProbeError


# ---------------------------------------------------------------- specs
# A spec describes an argument; each side materializes its own objects
# from it, so the two calls get equal but independent arguments.

@dataclass(frozen=True)
class Const:
    value: Any  # immutable (None, bool, int, float, str, bytes): safe to share


@dataclass(frozen=True)
class Data:
    kind: str
    payload: bytes


@dataclass(frozen=True)
class ProbeSpec:
    name: str
    behaviours: tuple[tuple[str, int], ...]   # (method, index into its choices)
    buffer: Data | None                       # what __buffer__ exports
    action: str                               # done to a mutable argument when called
    action_on: str                            # ... by this method ("*": every method)
    target: int


@dataclass(frozen=True)
class SubSpec:
    base: str                                 # "bytes", "bytearray" or "str"
    payload: bytes
    behaviours: tuple[tuple[str, int], ...]   # (method, 0 super / 1 raise / 2 alternative)
    action: str
    target: int


Spec = Const | Data | ProbeSpec | SubSpec


@dataclass(frozen=True)
class CallSpec:
    name: str
    args: tuple[Spec, ...]
    kwargs: tuple[tuple[str, Spec], ...]


class Side:
    """One implementation's call: its log of callbacks and its mutable arguments."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.mutables: list[Any] = []

    def act(self, action: str, target: int) -> None:
        """Change a mutable argument from inside a callback (exceptions such
        as BufferError propagate, as they would in a program)."""
        if action == "none" or not self.mutables:
            return
        obj = self.mutables[target % len(self.mutables)]
        self.log.append(f"act:{action}")
        if isinstance(obj, memoryview):
            if action == "release":
                obj.release()
            elif action == "overwrite" and not obj.readonly and obj.nbytes:
                obj.cast("B")[0] ^= 1
            return
        # The base class's methods: a subclass's overrides must not run here.
        cls = bytearray if isinstance(obj, bytearray) else array.array
        if action == "append":
            cls.append(obj, 1)
        elif action == "clear":
            cls.__delitem__(obj, slice(None))
        elif action == "overwrite" and cls.__len__(obj):
            cls.__setitem__(obj, 0, cls.__getitem__(obj, 0) ^ 1)


def short(value: Any) -> str:
    """A deterministic description of a callback's argument (no addresses,
    no calls into user code)."""
    if type(value) in (bool, int):
        return repr(value) if abs(value) < 2**80 else "<huge int>"
    if type(value) in (bytes, str):
        return repr(value[:16])
    return type(value).__name__


# ---------------------------------------------------------------- probes

PROBE_CHOICES: dict[str, tuple[Any, ...]] = {
    "__bool__": (True, False, RAISE, 1),
    "__index__": (0, 1, 2, 3, 4, 7, 76, -1, -(2**70), 2**70, 2**63, RAISE, "x", True),
    "__len__": (0, 1, 2, 3, -1, 2**70, RAISE),
    "__contains__": (True, False, RAISE),
    "__eq__": (True, False, NotImplemented, RAISE),
    "__ne__": (True, False, NotImplemented, RAISE),
    "__lt__": (True, False, NotImplemented, RAISE),
    "__le__": (True, False, NotImplemented, RAISE),
    "__gt__": (True, False, NotImplemented, RAISE),
    "__ge__": (True, False, NotImplemented, RAISE),
    "__hash__": (0, RAISE),
    "__iter__": (b"+/", b"", b"L", RAISE),
    "__getitem__": (45, b"-", RAISE, IndexError),
    "__buffer__": ("export", RAISE),
    "__release_buffer__": (None,),
}
PROBE_METHODS = list(PROBE_CHOICES)
_probe_classes: dict[frozenset[str], type] = {}


def _probe_method(method: str) -> Callable[..., Any]:
    def call(self: Any, *args: Any) -> Any:
        side: Side = self._side
        side.log.append(f"{self._name}.{method}({', '.join(map(short, args))})")
        if len(side.log) > MAX_CALLS:
            raise ProbeError("too many calls")  # e.g. `in` iterating forever
        if method == "__getitem__" and type(args[0]) is int and args[0] >= 4:
            raise IndexError(args[0])  # end the sequence protocol's iteration
        if self._action_on in ("*", method):
            side.act(self._action, self._target)
        result = self._choices[method]
        if result is RAISE:
            raise ProbeError(f"{self._name}.{method}")
        if result is IndexError:
            raise IndexError(f"{self._name} index")
        if method == "__iter__":
            return iter(result)
        if method == "__buffer__":
            return memoryview(self._export)
        return result
    call.__name__ = method
    return call


def probe_class(methods: frozenset[str]) -> type:
    """A class with exactly `methods` (their presence matters: hasattr,
    slots), whose behaviour each instance sets."""
    cls = _probe_classes.get(methods)
    if cls is None:
        namespace: dict[str, Any] = {m: _probe_method(m) for m in methods}
        namespace["__repr__"] = lambda self: f"<Probe {self._name}>"
        if "__eq__" in methods and "__hash__" not in methods:
            namespace["__hash__"] = None
        cls = _probe_classes[methods] = type("Probe", (), namespace)
    return cls


# ---------------------------------------------------------------- subclasses

def _alt(method: str, base: str) -> Callable[[Any, Any], Any]:
    """The overridden method's "alternative" result: plausible but wrong."""
    if method in ("translate", "upper", "__add__"):
        return lambda self, sup: b"QUJD" if base != "str" else "QUJD"
    if method == "rstrip":
        return lambda self, sup: b"QQ"
    if method in ("endswith", "startswith", "__contains__", "__eq__", "isascii"):
        return lambda self, sup: not sup()
    if method == "__len__":
        return lambda self, sup: sup() + 1
    if method == "__iter__":
        return lambda self, sup: iter(b"AB" if base != "str" else "AB")
    if method == "__getitem__":
        return lambda self, sup: b"A" if base != "str" else "A"
    if method == "__hash__":
        return lambda self, sup: 0
    if method == "__buffer__":
        return lambda self, sup: memoryview(b"QUJD")
    if method == "decode":
        return lambda self, sup: "QUJD"
    if method == "encode":
        return lambda self, sup: "QUJD"  # not bytes
    raise KeyError(method)


SUB_METHODS: dict[str, tuple[str, ...]] = {
    "bytes": ("translate", "upper", "rstrip", "endswith", "startswith", "__len__",
              "__iter__", "__getitem__", "__add__", "__contains__", "__eq__", "__hash__",
              "__buffer__", "decode"),
    "bytearray": ("translate", "upper", "rstrip", "endswith", "startswith", "__len__",
                  "__iter__", "__getitem__", "__add__", "__contains__", "__eq__",
                  "__buffer__", "decode"),
    "str": ("encode", "__len__", "__iter__", "__getitem__", "__eq__", "__hash__",
            "__contains__", "__add__", "isascii", "upper", "translate"),
}
BASES: dict[str, type] = {"bytes": bytes, "bytearray": bytearray, "str": str}
_sub_classes: dict[tuple[str, frozenset[str]], type] = {}


def _sub_method(base: type, method: str) -> Callable[..., Any]:
    alt = _alt(method, base.__name__)

    def call(self: Any, *args: Any) -> Any:
        side: Side = self._side
        side.log.append(f"{type(self).__name__}.{method}({', '.join(map(short, args))})")
        side.act(self._action, self._target)
        def sup() -> Any:
            return getattr(base, method)(self, *args)
        behaviour = self._behaviours[method]
        if behaviour == 1:
            raise ProbeError(f"{type(self).__name__}.{method}")
        return alt(self, sup) if behaviour == 2 else sup()
    call.__name__ = method
    return call


def sub_class(base: str, methods: frozenset[str]) -> type:
    key = (base, methods)
    cls = _sub_classes.get(key)
    if cls is None:
        namespace = {m: _sub_method(BASES[base], m) for m in methods}
        if "__eq__" in methods and "__hash__" not in methods:
            namespace["__hash__"] = BASES[base].__hash__
        name = base.capitalize() + "Sub"
        cls = _sub_classes[key] = type(name, (BASES[base],), namespace)
    return cls


# ---------------------------------------------------------------- materializing

DATA_KINDS = [
    "bytes", "bytearray", "mv-bytes", "mv-bytearray", "mv-readonly", "mv-step2",
    "mv-2d", "mv-0d", "mv-H", "mv-c", "mv-released", "array-B", "array-b", "array-H",
    "array-I", "str-ascii", "str-latin1", "str-wide",
]


def make_data(spec: Data, side: Side) -> Any:
    kind, raw = spec.kind, spec.payload
    if kind == "bytes":
        return bytes(raw)
    if kind == "bytearray":
        obj = bytearray(raw)
        side.mutables.append(obj)
        return obj
    if kind.startswith("mv-"):
        if kind == "mv-2d":
            raw = raw or b"AA"  # a cast shape has no zeros
            rows = 2 if len(raw) >= 2 else 1
            raw = raw[:len(raw) // rows * rows]
        elif kind == "mv-0d":
            raw = raw[:1] or b"a"
        elif kind == "mv-H":
            raw = raw[:len(raw) // 2 * 2]
        base = bytearray(raw)
        side.mutables.append(base)
        view = memoryview(base)
        if kind == "mv-bytes":
            view = memoryview(bytes(raw))
        elif kind == "mv-readonly":
            view = view.toreadonly()
        elif kind == "mv-step2":
            view = view[::2]
        elif kind == "mv-2d":
            view = view.cast("B", (rows, len(raw) // rows))
        elif kind == "mv-0d":
            view = view.cast("B", ())
        elif kind == "mv-H":
            view = view.cast("H")
        elif kind == "mv-c":
            view = view.cast("c")
        elif kind == "mv-released":
            view.release()
        side.mutables.append(view)
        return view
    if kind.startswith("array-"):
        code = kind[-1]
        size = array.array(code).itemsize
        obj = array.array(code, raw[:len(raw) // size * size])
        side.mutables.append(obj)
        return obj
    if kind == "str-ascii":
        return bytes(b & 0x7F for b in raw).decode("ascii")
    if kind == "str-latin1":
        return raw.decode("latin-1")
    if kind == "str-wide":
        text = raw.decode("latin-1")
        return text[:len(text) // 2] + "\u20ac\U0001f600" + text[len(text) // 2:]
    raise ValueError(kind)


def materialize(spec: Spec, side: Side) -> Any:
    if isinstance(spec, Const):
        return spec.value
    if isinstance(spec, Data):
        return make_data(spec, side)
    if isinstance(spec, ProbeSpec):
        behaviours = dict(spec.behaviours)
        obj = probe_class(frozenset(behaviours))()
        obj._side = side
        obj._name = spec.name
        obj._choices = {m: PROBE_CHOICES[m][i] for m, i in behaviours.items()}
        obj._action, obj._action_on, obj._target = spec.action, spec.action_on, spec.target
        obj._export = make_data(spec.buffer, side) if spec.buffer else b""
        return obj
    behaviours = dict(spec.behaviours)
    cls = sub_class(spec.base, frozenset(behaviours))
    if spec.base == "str":
        obj = cls(spec.payload.decode("latin-1"))
    else:
        obj = cls(spec.payload)
    obj._side, obj._behaviours = side, behaviours
    obj._action, obj._target = spec.action, spec.target
    if spec.base == "bytearray":
        side.mutables.append(obj)
    return obj


# ---------------------------------------------------------------- generating

ACTIONS = ["none"] * 5 + ["append", "clear", "overwrite", "release"]
CONSTS: list[Any] = [None, True, False, 0, 1, 2, -1, 76, 2**70, -(2**70), 2**63, 2**31,
                     1.5, "", "x", "-_", "I", b"", b"-_", b"L", b" \n", "\xe9"]


def gen_payload(fdp: atheris.FuzzedDataProvider, name: str) -> bytes:
    raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, MAX_DATA))
    if name in ENCODER_OF and fdp.ConsumeBool():
        # Valid encoded text (of the pure-Python encoder), maybe damaged.
        encoder = ENCODER_OF[name]
        options: dict[str, Any] = {}
        if encoder == "a85encode":
            options = {"foldspaces": fdp.ConsumeBool(), "adobe": fdp.ConsumeBool(),
                       "wrapcol": fdp.ConsumeIntInRange(0, 8), "pad": fdp.ConsumeBool()}
        elif encoder == "b85encode":
            options = {"pad": fdp.ConsumeBool()}
        raw = getattr(PY, encoder)(raw, **options)
        edit = fdp.ConsumeIntInRange(0, 7)
        if raw and edit == 1:
            position = fdp.ConsumeIntInRange(0, len(raw) - 1)
            raw = raw[:position] + bytes([fdp.ConsumeIntInRange(0, 255)]) + raw[position + 1:]
        elif edit == 2:
            raw = raw.lower()
        elif edit == 3:
            raw = raw.rstrip(b"=\n")
        elif edit == 4:
            raw = raw.replace(b"0", b"O").replace(b"1", b"L")
    return raw


def gen_data(fdp: atheris.FuzzedDataProvider, name: str) -> Data:
    return Data(fdp.PickValueInList(DATA_KINDS), gen_payload(fdp, name))


def gen_probe(fdp: atheris.FuzzedDataProvider, name: str, role: str, serial: list[int]
              ) -> ProbeSpec:
    # Likely methods first, so that short inputs make useful probes.
    likely = {"flag": ["__bool__"], "int": ["__index__", "__gt__", "__lt__"],
              "chars": ["__len__", "__buffer__", "__contains__"],
              "data": ["__buffer__"]}[role]
    methods: dict[str, int] = {}
    for method in likely:
        if fdp.ConsumeIntInRange(0, 3):
            methods[method] = fdp.ConsumeIntInRange(0, len(PROBE_CHOICES[method]) - 1)
    for _ in range(fdp.ConsumeIntInRange(0, 2)):
        method = fdp.PickValueInList(PROBE_METHODS)
        methods[method] = fdp.ConsumeIntInRange(0, len(PROBE_CHOICES[method]) - 1)
    buffer = gen_data(fdp, name) if "__buffer__" in methods else None
    if buffer is not None and buffer.kind.startswith("str"):
        buffer = Data("bytes", buffer.payload)
    serial[0] += 1
    return ProbeSpec(f"p{serial[0]}", tuple(methods.items()), buffer,
                     fdp.PickValueInList(ACTIONS),
                     fdp.PickValueInList(["*", *methods]) if methods else "*",
                     fdp.ConsumeIntInRange(0, 3))


def gen_sub(fdp: atheris.FuzzedDataProvider, name: str) -> SubSpec:
    base = fdp.PickValueInList(list(SUB_METHODS))
    behaviours: dict[str, int] = {}
    for _ in range(fdp.ConsumeIntInRange(1, 3)):
        behaviours[fdp.PickValueInList(list(SUB_METHODS[base]))] = fdp.ConsumeIntInRange(0, 2)
    payload = gen_payload(fdp, name)
    if base == "str" and fdp.ConsumeBool():
        payload = bytes(b & 0x7F for b in payload)
    return SubSpec(base, payload, tuple(behaviours.items()), fdp.PickValueInList(ACTIONS),
                   fdp.ConsumeIntInRange(0, 3))


def gen_value(fdp: atheris.FuzzedDataProvider, name: str, role: str, serial: list[int]
              ) -> Spec:
    """An argument for a parameter of `role`: mostly what the role takes,
    sometimes anything."""
    choice = fdp.ConsumeIntInRange(0, 15)
    if choice >= 6:  # the role's usual kind
        if role == "data":
            return gen_data(fdp, name)
        if role == "flag":
            return Const(fdp.PickValueInList([False, True, 0, 1, None, "", b"x", 2**70]))
        if role == "int":
            return Const(fdp.PickValueInList([0, 1, 2, 3, 4, 5, 10, 76, -1, -5, True,
                                              2**31, 2**63, 2**70, -(2**70)]))
        return Const(fdp.PickValueInList([None, b"-_", "-_", b"+/", b"L", "I", b"l",
                                          b"", b"abc", b" \t\n", "\xe9\xe8", b"0", b"O"]))
    if choice >= 4:
        return gen_probe(fdp, name, role, serial)
    if choice == 3 and "subclasses" not in KNOWN_NOW:
        return gen_sub(fdp, name)
    if choice == 2:
        return gen_data(fdp, name)
    return Const(fdp.PickValueInList(CONSTS))


ROLES = {"s": "data", "b": "data", "altchars": "chars", "map01": "chars",
         "ignorechars": "chars", "wrapcol": "int"}


def gen_call(fdp: atheris.FuzzedDataProvider) -> CallSpec:
    name = fdp.PickValueInList(FUNCTIONS)
    serial = [0]
    args: list[Spec] = []
    kwargs: list[tuple[str, Spec]] = []
    positional_open = True
    for param in PARAMETERS[name]:
        required = param.default is inspect.Parameter.empty
        how = fdp.ConsumeIntInRange(0, 9)
        # Omit optional parameters often, required ones rarely (a wrong call).
        if (how < 3 and not required) or (how == 0 and fdp.ConsumeIntInRange(0, 7) == 0):
            positional_open = positional_open and not fdp.ConsumeBool()
            continue
        value = gen_value(fdp, name, ROLES.get(param.name, "flag"), serial)
        if (positional_open and param.kind is param.POSITIONAL_OR_KEYWORD
                and how < 8):
            args.append(value)
        else:
            positional_open = False
            kwargs.append((param.name, value))
    extra = fdp.ConsumeIntInRange(0, 31)
    if extra == 0:
        args.append(Const(b"extra"))
    elif extra == 1:
        kwargs.append(("unknown", Const(1)))
    elif extra == 2 and args:
        kwargs.append((PARAMETERS[name][0].name, Const(b"YQ==")))   # given twice
    elif extra == 3:
        kwargs.append(("S", Const(b"")))
    elif extra == 4:
        kwargs.reverse()
    return CallSpec(name, tuple(args), tuple(kwargs))


# ---------------------------------------------------------------- running

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def normalize(text: str) -> str:
    return ADDRESS.sub("0x?", text)


def safe_str(exc: BaseException) -> str:
    try:
        return normalize(str(exc))
    except Exception as error:  # noqa: BLE001 - any failure is itself the answer
        return f"<str() raised {type(error).__name__}>"


def describe_exception(exc: BaseException | None, depth: int = 0) -> Any:
    """Type, message, and (recursively) cause and context of `exc`."""
    if exc is None:
        return None
    if depth > 4:
        return "..."
    return (type(exc).__qualname__, safe_str(exc), exc.__suppress_context__,
            describe_exception(exc.__cause__, depth + 1),
            describe_exception(exc.__context__, depth + 1))


def drop_frames(exc: BaseException | None, depth: int = 0) -> None:
    """Clear the frames of a finished call's traceback, so that locals of
    the Python code (a memoryview, say) do not keep a buffer exported and
    make the final states look different."""
    while exc is not None and depth < 5:
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
            exc.__traceback__ = None
        drop_frames(exc.__cause__, depth + 1)
        exc, depth = exc.__context__, depth + 1


def final_state(obj: Any) -> Any:
    """Content of a mutable argument and whether it can still be resized
    (an export left held), read without calling overridden methods."""
    if isinstance(obj, memoryview):
        try:
            return ("memoryview", obj.tobytes())
        except ValueError:
            return ("memoryview", "released")
    cls = bytearray if isinstance(obj, bytearray) else array.array
    content = bytes(cls.copy(obj)) if cls is bytearray else array.array.tobytes(obj)
    try:
        cls.append(obj, 0)
        cls.pop(obj)
        resizable = True
    except BufferError:
        resizable = False
    return (cls.__name__, content, resizable)


@dataclass
class Outcome:
    result: Any = None
    error: Any = None
    warned: list[tuple[str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    state: list[Any] = field(default_factory=list)

    def aspects(self) -> dict[str, Any]:
        error = self.error
        if error is not None and error[0] == "MemoryError":
            error = "MemoryError"  # out of memory is equal whatever it says
        return {"result": self.result, "exception": error, "warnings": self.warned,
                "callbacks": self.log, "final state": self.state}


def run(module: types.ModuleType, call: CallSpec) -> Outcome:
    side = Side()
    args = [materialize(spec, side) for spec in call.args]
    kwargs = {key: materialize(spec, side) for key, spec in call.kwargs}
    outcome = Outcome()
    func = getattr(module, call.name)
    unraisable: list[tuple[str, str]] = []
    # An exception that cannot propagate (raised by __release_buffer__, say)
    # is observable too: by sys.unraisablehook.
    def hook(info: Any) -> None:
        unraisable.append((type(info.exc_value).__qualname__, safe_str(info.exc_value)))
    saved_hook, sys.unraisablehook = sys.unraisablehook, hook
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every exception is an outcome
                outcome.error = describe_exception(exc)
                drop_frames(exc)
            else:
                outcome.result = (type(result).__qualname__, normalize(repr(result)))
                del result
        del args, kwargs  # what the arguments' release does belongs to the call
    finally:
        sys.unraisablehook = saved_hook
    outcome.warned = [(w.category.__qualname__, normalize(str(w.message))) for w in caught]
    outcome.warned += [("unraisable " + kind, message) for kind, message in unraisable]
    outcome.log = list(side.log)  # before final_state, which must not add to it
    outcome.state = [final_state(obj) for obj in side.mutables]
    return outcome


def describe_spec(spec: Spec) -> str:
    if isinstance(spec, Const):
        return repr(spec.value) if not isinstance(spec.value, int) or abs(spec.value) < 2**80 \
            else "<huge int>"
    if isinstance(spec, Data):
        return f"{spec.kind}({spec.payload!r})"
    if isinstance(spec, ProbeSpec):
        parts = [f"{m}->{PROBE_CHOICES[m][i]!r}" for m, i in spec.behaviours]
        if spec.buffer:
            parts.append(f"exports {describe_spec(spec.buffer)}")
        if spec.action != "none":
            parts.append(f"{spec.action} mutable#{spec.target} on {spec.action_on}")
        return f"Probe {spec.name}({', '.join(parts)})"
    parts = [f"{m}:{['super', 'raise', 'alt'][b]}" for m, b in spec.behaviours]
    if spec.action != "none":
        parts.append(f"{spec.action} mutable#{spec.target}")
    return f"{spec.base}Sub({spec.payload!r}; {', '.join(parts)})"


def describe_call(call: CallSpec) -> str:
    words = [describe_spec(s) for s in call.args]
    words += [f"{key}={describe_spec(s)}" for key, s in call.kwargs]
    return f"{call.name}({', '.join(words)})"


def type_name(error: Any) -> str:
    return error[0] if isinstance(error, tuple) else repr(error)


def difference_kinds(expected: Outcome, actual: Outcome, known: frozenset[str]) -> list[str]:
    """How the outcomes differ, one short kind per difference (types, not
    values, so that one cause found with many inputs is one kind), less
    the `known` aspects."""
    kinds = []
    ours, theirs = expected.aspects(), actual.aspects()
    py_error, rust_error = ours["exception"], theirs["exception"]
    if (py_error is None) != (rust_error is None):
        kinds.append(f"outcome {kind_of(expected)} vs {kind_of(actual)}")
    elif ours["result"] != theirs["result"]:
        kinds.append("result " + ("value" if ours["result"][0] == theirs["result"][0]
                                  else f"type {ours['result'][0]} vs {theirs['result'][0]}"))
    elif isinstance(py_error, tuple) and py_error != rust_error:
        if py_error[0] != rust_error[0]:
            kinds.append(f"exception {py_error[0]} vs {rust_error[0]}")
        elif py_error[1] != rust_error[1]:
            if "messages" not in known:
                kinds.append(f"message of {py_error[0]}")
        elif "chaining" not in known:
            for index, what in ((2, "__suppress_context__"), (3, "__cause__"),
                                (4, "__context__")):
                if py_error[index] != rust_error[index]:
                    kinds.append(f"{py_error[0]}.{what} {type_name(py_error[index])}"
                                 f" vs {type_name(rust_error[index])}")
    for aspect in ("warnings", "callbacks", "final state"):
        if aspect not in known and ours[aspect] != theirs[aspect]:
            kinds.append(aspect)
    return kinds


def report(call: CallSpec, kinds: list[str], expected: Outcome, actual: Outcome) -> str:
    return (f"{describe_call(call)}: differs: {'; '.join(kinds)}\n"
            f"  base64 (Python): {expected.aspects()}\n"
            f"  _base64 (Rust):  {actual.aspects()}")


def kind_of(outcome: Outcome) -> str:
    return outcome.error[0] if outcome.error else outcome.result[0]


# Kinds of difference --known can set aside, to look for others; for
# "subclasses" the harness makes no str/bytes/bytearray subclass arguments
# (so the same input can make another call than without it).
KNOWN = ("chaining", "messages", "callbacks", "final state", "warnings", "subclasses")
KNOWN_NOW: frozenset[str] = frozenset()


class Harness:
    def __init__(self, findings: Path | None, verbose: bool, known: frozenset[str]) -> None:
        self.findings = findings
        self.verbose = verbose
        self.known = known
        self.seen: set[tuple[str, str]] = set()

    def test_one_input(self, data: bytes) -> None:
        call = gen_call(atheris.FuzzedDataProvider(data))
        expected, actual = run(PY, call), run(RUST, call)
        kinds = difference_kinds(expected, actual, self.known)
        if self.verbose:
            print(report(call, kinds or ["nothing"], expected, actual))
        if not kinds:
            return
        text = report(call, kinds, expected, actual)
        if self.findings is None:
            raise Difference(text)
        for kind in kinds:
            key = (call.name, kind)
            if key in self.seen:
                continue
            self.seen.add(key)
            number = len(self.seen)
            (self.findings / f"finding-{number}.txt").write_text(f"[{kind}]\n{text}\n")
            (self.findings / f"finding-{number}.input").write_bytes(data)
            print(f"#finding-{number} {key}: {describe_call(call)}"[:1000],
                  file=sys.stderr, flush=True)


def make_corpus(directory: Path) -> None:
    """A deterministic seed corpus: random inputs, kept when they bring a
    function/argument-shape combination not yet seen (about 3 per function)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20250101)
    shapes: dict[str, set[str]] = {name: set() for name in FUNCTIONS}
    written = 0
    while min(len(s) for s in shapes.values()) < 3:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 160)))
        call = gen_call(atheris.FuzzedDataProvider(data))
        shape = " ".join(type(s).__name__ for s in call.args) + " " + \
            " ".join(k for k, _ in call.kwargs)
        if len(shapes[call.name]) >= 3 or shape in shapes[call.name]:
            continue
        shapes[call.name].add(shape)
        (directory / f"seed-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)
        written += 1
    print(f"wrote {written} seeds to {directory}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False,
                                     epilog="Other arguments go to libFuzzer (-help=1).")
    parser.add_argument("--findings", type=Path, help="collect differences in this directory")
    parser.add_argument("--print", action="store_true", dest="verbose",
                        help="print each call and its outcome")
    parser.add_argument("--known", action="append", choices=KNOWN, default=[],
                        help="ignore differences of this kind (to look for others)")
    parser.add_argument("--make-corpus", type=Path, help="write the seed corpus and exit")
    parser.add_argument("--help", action="help", help="show this help and exit")
    options, rest = parser.parse_known_args()
    if options.make_corpus:
        make_corpus(options.make_corpus)
        return
    if options.findings:
        options.findings.mkdir(parents=True, exist_ok=True)
    global KNOWN_NOW
    KNOWN_NOW = frozenset(options.known)
    harness = Harness(options.findings, options.verbose, KNOWN_NOW)
    # Instrument this harness too: its branches tell libFuzzer which
    # argument shapes an input makes.
    for obj in list(globals().values()):
        if isinstance(obj, types.FunctionType) and obj.__module__ == __name__:
            atheris.instrument_func(obj)
    atheris.Setup([sys.argv[0], *rest], harness.test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
