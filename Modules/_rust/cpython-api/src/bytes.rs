//! Creating `bytes` objects in place.

use core::mem::MaybeUninit;

use cpython_sys as ffi;

use crate::error::PyResult;
use crate::object::Bound;
use crate::python::Python;

/// A new `bytes` object that nothing else has seen yet, so it may still be
/// written: the codec writes its output straight into the object's storage
/// and no copy is made.  [`BytesWriter::finish`] hands it out.
pub struct BytesWriter<'py> {
    bytes: Bound<'py>,
    len: usize,
    py: Python<'py>,
}

impl<'py> Python<'py> {
    /// `PyBytes_FromStringAndSize(NULL, len)`: uninitialized storage for
    /// `len` bytes.
    pub fn new_bytes(self, len: usize) -> PyResult<'py, BytesWriter<'py>> {
        let Ok(size) = ffi::Py_ssize_t::try_from(len) else {
            return Err(self.no_memory());
        };
        // SAFETY: attached; a NULL source asks for uninitialized storage;
        // the result is a new reference or NULL with an exception set.
        let bytes = unsafe {
            Bound::from_owned(
                self,
                ffi::PyBytes_FromStringAndSize(core::ptr::null(), size),
            )?
        };
        Ok(BytesWriter {
            bytes,
            len,
            py: self,
        })
    }
}

impl<'py> BytesWriter<'py> {
    /// The object's storage, to be filled completely before `finish`.
    ///
    /// The slice is `MaybeUninit` because the storage starts uninitialized;
    /// writing through it is safe, and the slice is `Send` so a codec can
    /// fill it inside [`crate::BufferView::read`].
    pub fn as_uninit_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        // SAFETY: the object is a bytes object of exactly `len` bytes of
        // storage; this writer holds the only reference, so nothing else
        // reads or writes it while the returned borrow of `self` lives.
        unsafe {
            core::slice::from_raw_parts_mut(
                ffi::PyBytes_AS_STRING(self.bytes.as_ptr()).cast::<MaybeUninit<u8>>(),
                self.len,
            )
        }
    }

    /// The finished object, cut to its first `len` bytes (the codec wrote
    /// those; the storage was an upper bound): `_PyBytes_Resize`, which
    /// shrinks in place.
    pub fn finish_with_len(self, len: usize) -> PyResult<'py, Bound<'py>> {
        assert!(len <= self.len, "a bytes object can only be shrunk");
        if len == self.len {
            return Ok(self.bytes);
        }
        let py = self.py;
        let mut ptr = self.bytes.into_ptr();
        // SAFETY: attached; `ptr` is the only reference to a bytes object
        // nobody else has seen, as _PyBytes_Resize requires; it consumes the
        // reference, and sets `ptr` to the resized object or to NULL with an
        // exception set.
        unsafe {
            if ffi::_PyBytes_Resize(&mut ptr, len as ffi::Py_ssize_t) != 0 {
                return Err(py.fetch_set());
            }
            Bound::from_owned(py, ptr)
        }
    }

    /// The finished object.  A codec that left bytes unwritten would hand
    /// out unspecified (not undefined) content: C reads them as plain bytes
    /// and Rust never reads them; the tests compare every output.
    pub fn finish(self) -> Bound<'py> {
        self.bytes
    }
}
