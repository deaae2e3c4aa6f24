//! Raising Python exceptions.
//!
//! Messages are built from Rust text and Python objects by this module
//! ([`Message`]); no format string ever reaches the C API's varargs
//! formatters, so safe code cannot pass a `%` conversion without its
//! argument.

use core::ffi::CStr;
use core::marker::PhantomData;
use core::ptr;

use cpython_sys as ffi;

use crate::object::Bound;
use crate::python::Python;

/// Proof that a Python exception is set in the current thread.
///
/// Only this crate creates one, right after an exception was raised or a C
/// API call reported one, so returning `Err(PyErr)` to C (as `NULL`) is
/// always correct.  It is tied to the thread whose exception it proves
/// (neither `Send` nor `Sync`) and to the call that raised it (`'py`), and
/// dropping one unused is almost always a bug (the exception would stay
/// set), hence `#[must_use]`.
#[derive(Debug)]
#[must_use = "the exception stays set: return the PyErr or consume it"]
pub struct PyErr<'py> {
    _thread: PhantomData<Python<'py>>,
}

/// The result of an operation that may raise.
pub type PyResult<'py, T> = Result<T, PyErr<'py>>;

impl PyErr<'_> {
    /// # Safety
    ///
    /// An exception must be set in the current thread (typically: a C API
    /// call just returned its error value).
    pub(crate) unsafe fn already_set() -> Self {
        PyErr {
            _thread: PhantomData,
        }
    }
}

/// The built-in exception types the modules raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    AssertionError,
    KeyError,
    OverflowError,
    RuntimeError,
    SystemError,
    TypeError,
    ValueError,
}

impl Exception {
    fn type_object(self) -> *mut ffi::PyObject {
        // SAFETY: the PyExc_* variables are initialized before any module
        // can be imported and never reassigned; only their value is read.
        unsafe {
            match self {
                Exception::AssertionError => ffi::PyExc_AssertionError,
                Exception::KeyError => ffi::PyExc_KeyError,
                Exception::OverflowError => ffi::PyExc_OverflowError,
                Exception::RuntimeError => ffi::PyExc_RuntimeError,
                Exception::SystemError => ffi::PyExc_SystemError,
                Exception::TypeError => ffi::PyExc_TypeError,
                Exception::ValueError => ffi::PyExc_ValueError,
            }
        }
    }
}

/// How an exception raised while another is handled refers to it, as the
/// three forms of `raise` in an `except` block do (PEP 3134).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    /// `raise X`: `__context__` is the handled exception.
    Implicit,
    /// `raise X from None`: `__context__` is kept but not shown.
    FromNone,
    /// `raise X from err`: `__cause__` is the handled exception too.
    FromHandled,
}

/// A message made of Rust text and the `str()` or `repr()` of objects,
/// joined by Python (so any `str` content survives, lone surrogates
/// included).
pub struct Message<'py> {
    py: Python<'py>,
    parts: Bound<'py>,
}

impl<'py> Message<'py> {
    /// Append text.
    pub fn text(self, text: &str) -> PyResult<'py, Self> {
        let part = self.py.new_str(text)?;
        self.push(part)
    }

    /// Append `str(object)`.
    pub fn str(self, object: &Bound<'py>) -> PyResult<'py, Self> {
        let part = object.as_borrowed().str()?;
        self.push(part)
    }

    /// Append `repr(object)`.
    pub fn repr(self, object: &Bound<'py>) -> PyResult<'py, Self> {
        let part = object.as_borrowed().repr()?;
        self.push(part)
    }

    fn push(self, part: Bound<'py>) -> PyResult<'py, Self> {
        // SAFETY: attached; `parts` is a list and `part` a live object; the
        // list takes its own reference; -1 means an exception is set.
        if unsafe { ffi::PyList_Append(self.parts.as_ptr(), part.as_ptr()) } != 0 {
            // SAFETY: PyList_Append failed, so an exception is set.
            return Err(unsafe { self.py.fetch_set() });
        }
        Ok(self)
    }

    /// The message as one `str`.
    pub fn build(self) -> PyResult<'py, Bound<'py>> {
        let empty = self.py.new_str("")?;
        // SAFETY: attached; a str separator and a list of str; a new
        // reference or NULL with an exception set.
        unsafe {
            Bound::from_owned(
                self.py,
                ffi::PyUnicode_Join(empty.as_ptr(), self.parts.as_ptr()),
            )
        }
    }
}

impl<'py> Python<'py> {
    /// An empty [`Message`].
    pub fn message(self) -> PyResult<'py, Message<'py>> {
        // SAFETY: attached; a new list or NULL with an exception set.
        let parts = unsafe { Bound::from_owned(self, ffi::PyList_New(0))? };
        Ok(Message { py: self, parts })
    }

    /// Raise `exception(message)` and return the proof that it is set.
    pub fn raise(self, exception: Exception, message: &str) -> PyErr<'py> {
        match self.new_str(message) {
            Ok(text) => self.raise_with(exception, &text),
            Err(err) => err,
        }
    }

    /// Raise `exception(value)`: `value` becomes the exception's argument.
    pub fn raise_with(self, exception: Exception, value: &Bound<'py>) -> PyErr<'py> {
        self.set_error(exception.type_object(), value.as_ptr())
    }

    /// Raise `exception(message)`, the message built by `build` (whose own
    /// error wins if it fails, as in Python's `raise X(f"...")`).
    pub fn raise_message(
        self,
        exception: Exception,
        build: impl FnOnce(Message<'py>) -> PyResult<'py, Message<'py>>,
    ) -> PyErr<'py> {
        match self.message().and_then(build).and_then(Message::build) {
            Ok(text) => self.raise_with(exception, &text),
            Err(err) => err,
        }
    }

    /// Raise `exception_type(message)` for an exception class obtained at
    /// run time (such as `binascii.Error`).
    pub fn raise_type(self, exception_type: &Bound<'py>, message: &str) -> PyErr<'py> {
        match self.new_str(message) {
            Ok(text) => self.set_error(exception_type.as_ptr(), text.as_ptr()),
            Err(err) => err,
        }
    }

    /// `MemoryError`, raised as the interpreter raises it when an
    /// allocation fails (`PyErr_NoMemory`: the preallocated instance, no
    /// message).
    pub fn no_memory(self) -> PyErr<'py> {
        // SAFETY: attached; PyErr_NoMemory always sets MemoryError.
        unsafe {
            ffi::PyErr_NoMemory();
            PyErr::already_set()
        }
    }

    /// A new exception class `module.Name` (`name`), a subclass of
    /// `Exception`, as a module defines its own `error`.
    pub fn new_exception_type(self, name: &CStr, doc: &'static CStr) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; NUL-terminated strings; a new class or NULL
        // with an exception set.
        unsafe {
            Bound::from_owned(
                self,
                ffi::PyErr_NewExceptionWithDoc(
                    name.as_ptr(),
                    crate::module::docstring(doc).as_ptr(),
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
            )
        }
    }

    /// A new `exception(value)` instance, not raised: the context of an
    /// exception raised later (what Python code that caught it would
    /// hold).
    pub fn new_exception(
        self,
        exception: Exception,
        value: &Bound<'py>,
    ) -> PyResult<'py, Bound<'py>> {
        self.call_exception_type(exception.type_object(), value)
    }

    /// As [`Self::new_exception`] for a class obtained at run time.
    pub fn new_exception_of(
        self,
        exception_type: &Bound<'py>,
        value: &Bound<'py>,
    ) -> PyResult<'py, Bound<'py>> {
        self.call_exception_type(exception_type.as_ptr(), value)
    }

    fn call_exception_type(
        self,
        exception_type: *mut ffi::PyObject,
        value: &Bound<'py>,
    ) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live class and argument; a new reference or
        // NULL with an exception set.
        unsafe {
            Bound::from_owned(
                self,
                ffi::PyObject_CallOneArg(exception_type, value.as_ptr()),
            )
        }
    }

    /// Take the exception `err` proves out of the thread state (clearing
    /// it), as `except ... as e` binds it.
    pub fn take_exception(self, err: PyErr<'py>) -> Bound<'py> {
        let _consumed = err;
        // SAFETY: attached; an exception is set (err proves it), so the
        // result is a new reference to it, never NULL.
        let exception = unsafe { ffi::PyErr_GetRaisedException() };
        // SAFETY: a new reference, non-NULL as argued above.
        unsafe { Bound::from_owned(self, exception) }
            .unwrap_or_else(|_| unreachable!("an exception was set"))
    }

    /// Raise `raised` (the error `raise_new` returns) as code in an
    /// `except` block that handles `handled` would, chained by `chain`.
    pub fn raise_chained(
        self,
        handled: Bound<'py>,
        chain: Chain,
        raise_new: impl FnOnce() -> PyErr<'py>,
    ) -> PyErr<'py> {
        let raised = self.take_exception(raise_new());
        // SAFETY: attached; both are live exception instances; SetContext
        // and SetCause steal the reference they are given (so each gets
        // one of its own); SetCause(NULL) only sets __suppress_context__;
        // SetRaisedException steals `raised`.
        unsafe {
            if chain == Chain::FromHandled {
                ffi::PyException_SetCause(
                    raised.as_ptr(),
                    handled.as_borrowed().to_owned().into_ptr(),
                );
            } else if chain == Chain::FromNone {
                ffi::PyException_SetCause(raised.as_ptr(), core::ptr::null_mut());
            }
            ffi::PyException_SetContext(raised.as_ptr(), handled.into_ptr());
            ffi::PyErr_SetRaisedException(raised.into_ptr());
            PyErr::already_set()
        }
    }

    fn set_error(
        self,
        exception_type: *mut ffi::PyObject,
        value: *mut ffi::PyObject,
    ) -> PyErr<'py> {
        // SAFETY: attached (self); both pointers are live objects (callers
        // pass exception classes and values they hold); PyErr_SetObject
        // takes its own references.
        unsafe {
            ffi::PyErr_SetObject(exception_type, value);
            PyErr::already_set()
        }
    }

    /// The result of a C API predicate: 1 true, 0 false, -1 error.
    ///
    /// # Safety
    ///
    /// `status` must come from a call that sets an exception when it
    /// returns -1.
    pub(crate) unsafe fn bool_result(self, status: core::ffi::c_int) -> PyResult<'py, bool> {
        match status {
            // SAFETY: by contract, -1 means an exception is set.
            -1 => Err(unsafe { self.fetch_set() }),
            value => Ok(value != 0),
        }
    }

    /// The error a C API call reported by returning its error value.
    ///
    /// # Safety
    ///
    /// The call must set an exception whenever it fails, and must have
    /// failed.
    pub(crate) unsafe fn fetch_set(self) -> PyErr<'py> {
        // SAFETY: forwarded from the caller.
        unsafe { PyErr::already_set() }
    }
}
