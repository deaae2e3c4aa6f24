//! Raising Python exceptions.

use core::ffi::CStr;

use cpython_sys as ffi;

use crate::object::Bound;
use crate::python::Python;

/// Proof that a Python exception is set in the current thread.
///
/// Only this crate creates one, right after an exception was raised or a C
/// API call reported one, so returning `Err(PyErr)` to C (as `NULL`) is
/// always correct.
#[derive(Debug)]
pub struct PyErr {
    _set: (),
}

/// The result of an operation that may raise.
pub type PyResult<T> = Result<T, PyErr>;

impl PyErr {
    /// # Safety
    ///
    /// An exception must be set in the current thread (typically: a C API
    /// call just returned its error value).
    pub(crate) unsafe fn already_set() -> Self {
        PyErr { _set: () }
    }
}

/// The built-in exception types the modules raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    AssertionError,
    MemoryError,
    OverflowError,
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
                Exception::MemoryError => ffi::PyExc_MemoryError,
                Exception::OverflowError => ffi::PyExc_OverflowError,
                Exception::SystemError => ffi::PyExc_SystemError,
                Exception::TypeError => ffi::PyExc_TypeError,
                Exception::ValueError => ffi::PyExc_ValueError,
            }
        }
    }
}

impl<'py> Python<'py> {
    /// Raise `exception(message)` and return the proof that it is set.
    pub fn raise(self, exception: Exception, message: &str) -> PyErr {
        match self.new_str(message) {
            Ok(text) => self.raise_with(exception, &text),
            Err(err) => err,
        }
    }

    /// Raise `exception(value)`: `value` becomes the exception's argument.
    pub fn raise_with(self, exception: Exception, value: &Bound<'py>) -> PyErr {
        self.set_error(exception.type_object(), value.as_ptr())
    }

    /// Raise `exception(message)` with a message formatted by Python:
    /// `format` is a `PyUnicode_FromFormat` format with one `%U` or `%S`
    /// for `arg`.
    pub fn raise_format(self, exception: Exception, format: &CStr, arg: &Bound<'py>) -> PyErr {
        // SAFETY: attached; the format has exactly one object conversion,
        // given a live object.
        unsafe {
            ffi::PyErr_Format(exception.type_object(), format.as_ptr(), arg.as_ptr());
            PyErr::already_set()
        }
    }

    /// As [`Self::raise_format`], with two object conversions.
    pub fn raise_format2(
        self,
        exception: Exception,
        format: &CStr,
        first: &Bound<'py>,
        second: &Bound<'py>,
    ) -> PyErr {
        // SAFETY: attached; the format has exactly two object conversions,
        // given live objects.
        unsafe {
            ffi::PyErr_Format(
                exception.type_object(),
                format.as_ptr(),
                first.as_ptr(),
                second.as_ptr(),
            );
            PyErr::already_set()
        }
    }

    /// Raise `exception_type(message)` for an exception class obtained at
    /// run time (such as `binascii.Error`).
    pub fn raise_type(self, exception_type: &Bound<'py>, message: &str) -> PyErr {
        match self.new_str(message) {
            Ok(text) => self.set_error(exception_type.as_ptr(), text.as_ptr()),
            Err(err) => err,
        }
    }

    fn set_error(self, exception_type: *mut ffi::PyObject, value: *mut ffi::PyObject) -> PyErr {
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
    pub(crate) unsafe fn bool_result(self, status: core::ffi::c_int) -> PyResult<bool> {
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
    pub(crate) unsafe fn fetch_set(self) -> PyErr {
        // SAFETY: forwarded from the caller.
        unsafe { PyErr::already_set() }
    }
}
