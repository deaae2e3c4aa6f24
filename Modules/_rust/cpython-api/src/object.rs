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
    pub(crate) unsafe fn from_owned(
        py: Python<'py>,
        ptr: *mut ffi::PyObject,
    ) -> PyResult<'py, Self> {
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

    /// The reference, untied from the call, to be kept in module state or
    /// in an object.
    pub fn unbind(self) -> Strong {
        Strong(NonNull::new(self.into_ptr()).expect("a Bound is never NULL"))
    }
}

/// A strong reference that outlives the call that made it: what module
/// state and objects keep (see [`crate::class`]).  Using it takes the
/// [`Python`] token ([`Strong::bind`]).  It may be shared and sent between
/// threads: reference counts are atomic in a free-threaded build and
/// guarded by the GIL otherwise, and dropping it on a thread that is not
/// attached (a `Send` closure, a thread-local at thread exit) leaks the
/// reference instead of touching the interpreter.
pub struct Strong(NonNull<ffi::PyObject>);

// SAFETY: the only operations are binding, which needs the token of an
// attached thread, and releasing, which checks that the thread is attached
// (see the type's documentation).
unsafe impl Send for Strong {}
// SAFETY: as above; `&Strong` allows only binding.
unsafe impl Sync for Strong {}

impl Strong {
    pub fn bind<'a, 'py>(&'a self, py: Python<'py>) -> Borrowed<'a, 'py> {
        Borrowed {
            ptr: self.0,
            py,
            _lent: PhantomData,
        }
    }

    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }
}

impl Drop for Strong {
    fn drop(&mut self) {
        // SAFETY: asking for the thread state has no precondition; a
        // thread that has one is attached, and may release the reference
        // it owns.
        unsafe {
            if !ffi::PyThreadState_GetUnchecked().is_null() {
                ffi::Py_DECREF(self.0.as_ptr());
            }
        }
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

    /// A new strong reference to the same object.
    pub fn to_owned(self) -> Bound<'py> {
        // SAFETY: attached; the object is live, and the new reference is
        // owned by the returned Bound.
        unsafe {
            ffi::Py_INCREF(self.as_ptr());
            Bound::from_owned(self.py, self.as_ptr()).expect("non-NULL")
        }
    }

    /// `type(self) is bytearray`.
    pub fn is_exact_bytearray(self) -> bool {
        // SAFETY: a live object; only the address of the type is taken.
        unsafe { ffi::Py_TYPE(self.as_ptr()) == core::ptr::addr_of_mut!(ffi::PyByteArray_Type) }
    }

    /// `type(self) is memoryview`.
    pub fn is_exact_memoryview(self) -> bool {
        // SAFETY: a live object; only the address of the type is taken.
        unsafe { ffi::Py_TYPE(self.as_ptr()) == core::ptr::addr_of_mut!(ffi::PyMemoryView_Type) }
    }

    /// Whether `self` is an exact, unreleased `memoryview` of one
    /// dimension of contiguous single bytes: its buffer holds exactly the
    /// bytes `self.tobytes()` copies, and `len(self)` counts them.  Always
    /// false in a free-threaded build, where another thread may release
    /// the memoryview while its state is read.
    pub fn is_byte_memoryview(self) -> bool {
        if ffi::GIL_DISABLED || !self.is_exact_memoryview() {
            return false;
        }
        // SAFETY: an exact memoryview is a PyMemoryViewObject.  Its view's
        // shape is fixed when it is made, and its flags change only under
        // the GIL, which this attached thread of a default build holds.
        let memoryview = unsafe { &*self.as_ptr().cast::<ffi::PyMemoryViewObject>() };
        let flags = memoryview.flags as u32;
        flags & ffi::_Py_MEMORYVIEW_RELEASED == 0
            && flags & ffi::_Py_MEMORYVIEW_C != 0
            && memoryview.view.ndim == 1
            && memoryview.view.itemsize == 1
    }

    /// `type(self) is str`.
    pub fn is_exact_str(self) -> bool {
        self.is_exact(core::ptr::addr_of_mut!(ffi::PyUnicode_Type))
    }

    /// `type(self) is int`.
    pub fn is_exact_int(self) -> bool {
        self.is_exact(core::ptr::addr_of_mut!(ffi::PyLong_Type))
    }

    /// `type(self) is bool`.
    pub fn is_exact_bool(self) -> bool {
        self.is_exact(core::ptr::addr_of_mut!(ffi::PyBool_Type))
    }

    fn is_exact(self, tp: *mut ffi::PyTypeObject) -> bool {
        // SAFETY: a live object; only its type pointer is read.
        unsafe { ffi::Py_TYPE(self.as_ptr()) == tp }
    }

    /// The type's `tp_name` cut to `max` bytes, as C code formats it with
    /// `%.<max>s` (invalid UTF-8 replaced, as PyUnicode_FromFormat does).
    pub fn type_tp_name(self, max: usize) -> PyResult<'py, Bound<'py>> {
        // SAFETY: a live object's type is a live type object, whose tp_name
        // is a NUL-terminated string for the type's whole life.
        let name = unsafe { CStr::from_ptr((*ffi::Py_TYPE(self.as_ptr())).tp_name) };
        let bytes = name.to_bytes();
        let cut = &bytes[..bytes.len().min(max)];
        self.py.new_str(&String::from_utf8_lossy(cut))
    }

    /// `isinstance(self, str)`.
    pub fn is_str(self) -> bool {
        // SAFETY: a live object.
        unsafe { ffi::PyUnicode_Check(self.as_ptr()) }
    }

    /// `isinstance(self, int)`.
    pub fn is_int(self) -> bool {
        // SAFETY: a live object.
        unsafe { ffi::PyLong_Check(self.as_ptr()) }
    }

    /// `isinstance(self, (bytes, bytearray))`.
    pub fn is_bytes_or_bytearray(self) -> bool {
        // SAFETY: a live object; the flag test and PyType_IsSubtype only
        // read type objects.
        unsafe {
            let tp = ffi::Py_TYPE(self.as_ptr());
            ffi::PyType_GetFlags(tp) & ffi::Py_TPFLAGS_BYTES_SUBCLASS as core::ffi::c_ulong != 0
                || ffi::PyType_IsSubtype(tp, core::ptr::addr_of_mut!(ffi::PyByteArray_Type)) != 0
        }
    }

    /// `bool(self)`.
    pub fn is_true(self) -> PyResult<'py, bool> {
        // SAFETY: attached; a live object; -1 means an exception is set.
        unsafe { self.py.bool_result(ffi::PyObject_IsTrue(self.as_ptr())) }
    }

    /// `operator.index(self)` as a non-negative size, saturating at
    /// `usize::MAX` for larger integers and at 0 for negative ones.
    pub fn index_saturating(self) -> PyResult<'py, usize> {
        // SAFETY: attached; a live object; new reference or NULL with an
        // exception set.
        let index = unsafe { Bound::from_owned(self.py, ffi::PyNumber_Index(self.as_ptr()))? };
        let mut overflow: core::ffi::c_int = 0;
        // SAFETY: attached; `index` is an int; overflow is reported in the
        // out-parameter, not as an exception.
        let value = unsafe { ffi::PyLong_AsLongLongAndOverflow(index.as_ptr(), &mut overflow) };
        Ok(match overflow {
            1 => usize::MAX,
            -1 => 0,
            _ => usize::try_from(value).unwrap_or(0),
        })
    }

    /// `self.name`.
    pub fn getattr(self, name: &CStr) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live object and a NUL-terminated name; new
        // reference or NULL with an exception set.
        unsafe {
            Bound::from_owned(
                self.py,
                ffi::PyObject_GetAttrString(self.as_ptr(), name.as_ptr()),
            )
        }
    }

    /// `setattr(self, name, value)`.
    pub fn setattr(self, name: &CStr, value: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
        // SAFETY: attached; live objects and a NUL-terminated name; -1
        // means an exception is set.
        if unsafe { ffi::PyObject_SetAttrString(self.as_ptr(), name.as_ptr(), value.as_ptr()) } < 0
        {
            // SAFETY: as above.
            return Err(unsafe { self.py.fetch_set() });
        }
        Ok(())
    }

    /// `getattr(self, name, None)`, telling a missing attribute from one
    /// that is `None`: only `AttributeError` means missing.
    pub fn getattr_optional(self, name: &CStr) -> PyResult<'py, Option<Bound<'py>>> {
        let mut value = core::ptr::null_mut();
        // SAFETY: attached; a live object and a NUL-terminated name; the
        // result is stored as a new reference (or NULL), -1 means an
        // exception is set.
        let found = unsafe {
            self.py.bool_result(ffi::PyObject_GetOptionalAttrString(
                self.as_ptr(),
                name.as_ptr(),
                &mut value,
            ))?
        };
        if !found {
            return Ok(None);
        }
        // SAFETY: found, so `value` is a new reference.
        Ok(Some(unsafe { Bound::from_owned(self.py, value)? }))
    }

    /// `self[key]`.
    pub fn get_item(self, key: &Bound<'py>) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; live objects; a new reference or NULL with an
        // exception set.
        unsafe { Bound::from_owned(self.py, ffi::PyObject_GetItem(self.as_ptr(), key.as_ptr())) }
    }

    /// `self.get(key)` for a mapping, `None` when the key is missing.
    pub fn get_optional_item(self, key: &CStr) -> PyResult<'py, Option<Bound<'py>>> {
        let mut value = core::ptr::null_mut();
        // SAFETY: attached; a live object and a NUL-terminated key; the
        // value is stored as a new reference (or NULL), -1 means an
        // exception is set.
        let found = unsafe {
            self.py.bool_result(ffi::PyMapping_GetOptionalItemString(
                self.as_ptr(),
                key.as_ptr(),
                &mut value,
            ))?
        };
        if !found {
            return Ok(None);
        }
        // SAFETY: found, so `value` is a new reference.
        Ok(Some(unsafe { Bound::from_owned(self.py, value)? }))
    }

    /// The text of a `str` as UTF-8 (an error for other objects, and for
    /// text with lone surrogates).
    pub fn to_utf8(self) -> PyResult<'py, String> {
        let mut len: ffi::Py_ssize_t = 0;
        // SAFETY: attached; a live object; the result is NULL with an
        // exception set, or `len` bytes of UTF-8 that live as long as the
        // object, copied out at once.
        unsafe {
            let data = ffi::PyUnicode_AsUTF8AndSize(self.as_ptr(), &mut len);
            if data.is_null() {
                return Err(self.py.fetch_set());
            }
            let bytes = core::slice::from_raw_parts(data.cast::<u8>(), len as usize);
            Ok(String::from_utf8_lossy(bytes).into_owned())
        }
    }

    /// `self == text` for a `str` (false for any other type).
    pub fn str_equals(self, text: &str) -> bool {
        // SAFETY: a live object, checked to be a str; the text is valid
        // UTF-8 of the given length; this call never raises.
        self.is_str()
            && unsafe {
                ffi::PyUnicode_EqualToUTF8AndSize(
                    self.as_ptr(),
                    text.as_ptr().cast(),
                    text.len() as ffi::Py_ssize_t,
                ) == 1
            }
    }

    /// `int(self)` for an int that fits `i64`.
    pub fn as_i64(self) -> PyResult<'py, i64> {
        // SAFETY: attached; a live object.
        let value = unsafe { ffi::PyLong_AsLongLong(self.as_ptr()) };
        // SAFETY: attached.
        if value == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
            // SAFETY: PyErr_Occurred just said an exception is set.
            return Err(unsafe { self.py.fetch_set() });
        }
        Ok(value)
    }

    /// The name of the object's type, as `%s % obj.__class__.__name__` or
    /// `type(obj).__name__` print it.
    pub fn type_name(self) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live type object; new reference or NULL with
        // an exception set.
        unsafe { Bound::from_owned(self.py, ffi::PyType_GetName(ffi::Py_TYPE(self.as_ptr()))) }
    }

    /// `self[start:stop]`, through `__getitem__` with a slice, as Python
    /// code's slicing does.
    pub fn get_slice(self, start: usize, stop: usize) -> PyResult<'py, Bound<'py>> {
        let [start, stop] = [start, stop].map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let (start, stop) = (self.py.new_int(start)?, self.py.new_int(stop)?);
        // SAFETY: attached; live ints and NULL for the step; a new slice
        // or NULL with an exception set.
        let slice = unsafe {
            Bound::from_owned(
                self.py,
                ffi::PySlice_New(start.as_ptr(), stop.as_ptr(), core::ptr::null_mut()),
            )?
        };
        self.get_item(&slice)
    }

    /// `self.name()`.
    pub fn call_method0(self, name: &CStr) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live object and a NUL-terminated name; a NULL
        // format means no arguments; new reference or NULL with an
        // exception set.
        unsafe {
            Bound::from_owned(
                self.py,
                ffi::PyObject_CallMethod(self.as_ptr(), name.as_ptr(), core::ptr::null()),
            )
        }
    }

    /// `len(self)` (`PyObject_Size`).
    pub fn size(self) -> PyResult<'py, usize> {
        // SAFETY: attached (self.py); a live object.
        let len = unsafe { ffi::PyObject_Size(self.as_ptr()) };
        // A negative length is the error value (len() never returns one).
        usize::try_from(len).map_err(|_| {
            // SAFETY: PyObject_Size returned -1, so an exception is set.
            unsafe { self.py.fetch_set() }
        })
    }

    /// `str(self)`.
    pub fn str(self) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live object; returns a new reference or NULL
        // with an exception set.
        unsafe { Bound::from_owned(self.py, ffi::PyObject_Str(self.as_ptr())) }
    }

    /// `repr(self)`.
    pub fn repr(self) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live object; returns a new reference or NULL
        // with an exception set.
        unsafe { Bound::from_owned(self.py, ffi::PyObject_Repr(self.as_ptr())) }
    }
}

impl<'py> Python<'py> {
    /// A new `str` from UTF-8 text.
    pub fn new_str(self, text: &str) -> PyResult<'py, Bound<'py>> {
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

    /// `text.encode('ascii')` for an exact `str`, or `ValueError(message)`
    /// raised while handling its `UnicodeEncodeError`, as
    /// `base64._bytes_from_decode_data` does.
    pub fn ascii_bytes(self, text: Borrowed<'_, 'py>, message: &str) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live str; new bytes or NULL with an exception
        // set.
        let encoded =
            unsafe { Bound::from_owned(self, ffi::PyUnicode_AsASCIIString(text.as_ptr())) };
        encoded.map_err(|err| {
            // SAFETY: attached; an exception is set (err proves it).
            let encode_error =
                unsafe { ffi::PyErr_ExceptionMatches(ffi::PyExc_UnicodeEncodeError) } != 0;
            if !encode_error {
                return err;
            }
            let handled = self.take_exception(err);
            self.raise_chained(handled, crate::Chain::Implicit, || {
                self.raise(crate::Exception::ValueError, message)
            })
        })
    }

    /// `except TypeError as e`: the exception `err` proves, taken out of
    /// the thread state if it is a `TypeError`; otherwise `err` itself.
    pub fn catch_type_error(self, err: crate::PyErr<'py>) -> Result<Bound<'py>, crate::PyErr<'py>> {
        // SAFETY: attached; an exception is set (err proves it).
        if unsafe { ffi::PyErr_ExceptionMatches(ffi::PyExc_TypeError) } == 0 {
            return Err(err);
        }
        Ok(self.take_exception(err))
    }

    /// `memoryview(obj)`.
    pub fn memoryview(self, obj: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a live object; new reference or NULL with an
        // exception set.
        unsafe { Bound::from_owned(self, ffi::PyMemoryView_FromObject(obj.as_ptr())) }
    }

    /// A new `int`.
    /// `list(items)`.
    pub fn new_list(self, items: &[Borrowed<'_, 'py>]) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a new list of len(items) NULL items, or NULL
        // with an exception set.
        let list =
            unsafe { Bound::from_owned(self, ffi::PyList_New(items.len() as ffi::Py_ssize_t)) }?;
        for (index, &item) in items.iter().enumerate() {
            // SAFETY: a new list that nothing else sees yet; every index
            // in bounds is filled; SetItem steals the new reference.
            unsafe {
                ffi::PyList_SetItem(
                    list.as_ptr(),
                    index as ffi::Py_ssize_t,
                    item.to_owned().into_ptr(),
                )
            };
        }
        Ok(list)
    }

    /// A new reference to `None`.
    pub fn none(self) -> Bound<'py> {
        // SAFETY: attached; None is a live object; to_owned takes a
        // strong reference.
        unsafe { Borrowed::from_ptr(self, NonNull::new_unchecked(ffi::Py_None())) }.to_owned()
    }

    pub fn new_int(self, value: i64) -> PyResult<'py, Bound<'py>> {
        // SAFETY: attached; a new int or NULL with an exception set.
        unsafe { Bound::from_owned(self, ffi::PyLong_FromLongLong(value)) }
    }

    /// `getattr(importlib.import_module(module), name)`.
    pub fn import_attr(self, module: &CStr, name: &CStr) -> PyResult<'py, Bound<'py>> {
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

    /// Whether `assert` statements run in pure-Python code: false when the
    /// interpreter optimizes (`-O`, `-OO`, PYTHONOPTIMIZE), which compiles
    /// them away.  This is the interpreter's own setting, which the
    /// compiler of `base64.py` used; `sys.flags` only reports it, and
    /// replacing that object changes neither.
    pub fn asserts_enabled(self) -> bool {
        // SAFETY: the interpreter sets Py_OptimizeFlag from its
        // configuration during initialization, before any module is
        // imported, and never writes it afterwards, so this plain read
        // races with no write.  (Deprecated for embedders to *set* since
        // 3.12; 3.13 still keeps it equal to optimization_level.)
        #[allow(deprecated)]
        let level = unsafe { ffi::Py_OptimizeFlag };
        level == 0
    }
}
