//! Object references tied to the [`Python`] token.

use core::ffi::CStr;
use core::marker::PhantomData;
use core::ptr::NonNull;

use cpython_sys as ffi;

use crate::error::PyResult;
use crate::python::Python;

/// A strong reference, released when dropped.
pub struct Bound<'py> {
    ptr: NonNull<ffi::PyObject>,
    py: Python<'py>,
}

/// A borrowed reference, valid for `'a` (at most the call that lent it).
#[derive(Clone, Copy)]
pub struct Borrowed<'a, 'py> {
    ptr: NonNull<ffi::PyObject>,
    py: Python<'py>,
    _lent: PhantomData<&'a ffi::PyObject>,
}

impl<'py> Bound<'py> {
    /// Take ownership of the new reference a C API call returned, or of the
    /// exception it raised when it returned NULL.
    ///
    /// # Safety
    ///
    /// `ptr` must be a new (owned) reference or NULL with an exception set.
    pub(crate) unsafe fn from_owned(py: Python<'py>, ptr: *mut ffi::PyObject) -> PyResult<Self> {
        match NonNull::new(ptr) {
            Some(ptr) => Ok(Bound { ptr, py }),
            // SAFETY: by contract, NULL means an exception is set.
            None => Err(unsafe { py.fetch_set() }),
        }
    }

    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }

    pub fn as_borrowed<'a>(&'a self) -> Borrowed<'a, 'py> {
        Borrowed {
            ptr: self.ptr,
            py: self.py,
            _lent: PhantomData,
        }
    }

    /// Give the reference to C (a function's return value).
    pub(crate) fn into_ptr(self) -> *mut ffi::PyObject {
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        ptr
    }
}

impl Drop for Bound<'_> {
    fn drop(&mut self) {
        // SAFETY: we own one reference; `py` proves the thread is attached.
        unsafe { ffi::Py_DECREF(self.ptr.as_ptr()) }
    }
}

impl<'a, 'py> Borrowed<'a, 'py> {
    /// # Safety
    ///
    /// `ptr` must be a live object that stays alive for `'a`.
    pub(crate) unsafe fn from_ptr(py: Python<'py>, ptr: NonNull<ffi::PyObject>) -> Self {
        Borrowed {
            ptr,
            py,
            _lent: PhantomData,
        }
    }

    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }

    pub fn py(self) -> Python<'py> {
        self.py
    }

    pub fn is_none(self) -> bool {
        self.as_ptr() == ffi::Py_None()
    }

    /// `type(self) is bytes`: an immutable buffer whose length and content
    /// no Python code can change.
    pub fn is_exact_bytes(self) -> bool {
        // SAFETY: a live object; only the address of PyBytes_Type is taken.
        unsafe { ffi::Py_TYPE(self.as_ptr()) == core::ptr::addr_of_mut!(ffi::PyBytes_Type) }
    }

    /// `len(self)` (`PyObject_Size`).
    pub fn size(self) -> PyResult<usize> {
        // SAFETY: attached (self.py); a live object.
        let len = unsafe { ffi::PyObject_Size(self.as_ptr()) };
        // A negative length is the error value (len() never returns one).
        usize::try_from(len).map_err(|_| {
            // SAFETY: PyObject_Size returned -1, so an exception is set.
            unsafe { self.py.fetch_set() }
        })
    }

    /// `repr(self)`.
    pub fn repr(self) -> PyResult<Bound<'py>> {
        // SAFETY: attached; a live object; returns a new reference or NULL
        // with an exception set.
        unsafe { Bound::from_owned(self.py, ffi::PyObject_Repr(self.as_ptr())) }
    }
}

impl<'py> Python<'py> {
    /// A new `str` from UTF-8 text.
    pub fn new_str(self, text: &str) -> PyResult<Bound<'py>> {
        // A &str is never longer than isize::MAX, which fits Py_ssize_t.
        let len = text.len() as ffi::Py_ssize_t;
        // SAFETY: attached; `text` is `len` valid UTF-8 bytes; the result
        // is a new reference or NULL with an exception set.
        unsafe {
            Bound::from_owned(
                self,
                ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), len),
            )
        }
    }

    /// `getattr(importlib.import_module(module), name)`.
    pub fn import_attr(self, module: &CStr, name: &CStr) -> PyResult<Bound<'py>> {
        // SAFETY: attached; NUL-terminated names; new references or NULL
        // with an exception set.
        unsafe {
            let module = Bound::from_owned(self, ffi::PyImport_ImportModule(module.as_ptr()))?;
            Bound::from_owned(
                self,
                ffi::PyObject_GetAttrString(module.as_ptr(), name.as_ptr()),
            )
        }
    }

    /// Whether `assert` statements run in pure-Python code: false when
    /// `sys.flags.optimize` is set (`-O`, `-OO`, PYTHONOPTIMIZE), which
    /// compiles them away.
    pub fn asserts_enabled(self) -> PyResult<bool> {
        // SAFETY: attached; PySys_GetObject returns a borrowed reference or
        // NULL *without* an exception when the name is missing.
        let flags = unsafe { ffi::PySys_GetObject(c"flags".as_ptr()) };
        let Some(flags) = NonNull::new(flags) else {
            return Err(self.raise(crate::Exception::SystemError, "lost sys.flags"));
        };
        // SAFETY: attached; `flags` is live (sys holds it); a new reference
        // or NULL with an exception set.
        let level = unsafe {
            Bound::from_owned(
                self,
                ffi::PyObject_GetAttrString(flags.as_ptr(), c"optimize".as_ptr()),
            )?
        };
        // SAFETY: attached; a live object.
        let value = unsafe { ffi::PyLong_AsLong(level.as_ptr()) };
        // SAFETY: attached.
        if value == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
            // SAFETY: PyErr_Occurred just said an exception is set.
            return Err(unsafe { self.fetch_set() });
        }
        Ok(value == 0)
    }
}
