//! Creating `bytes` objects in place.

use core::mem::MaybeUninit;

use cpython_sys as ffi;

use crate::error::{Exception, PyResult};
use crate::object::Bound;
use crate::python::Python;

/// A new `bytes` object that nothing else has seen yet, so it may still be
/// written: the codec writes its output straight into the object's storage
/// and no copy is made.  [`BytesWriter::finish`] hands it out.
pub struct BytesWriter<'py> {
    bytes: Bound<'py>,
    len: usize,
}

impl<'py> Python<'py> {
    /// `PyBytes_FromStringAndSize(NULL, len)`: uninitialized storage for
    /// `len` bytes.
    pub fn new_bytes(self, len: usize) -> PyResult<BytesWriter<'py>> {
        let Ok(size) = ffi::Py_ssize_t::try_from(len) else {
            return Err(self.raise(Exception::MemoryError, ""));
        };
        // SAFETY: attached; a NULL source asks for uninitialized storage;
        // the result is a new reference or NULL with an exception set.
        let bytes = unsafe {
            Bound::from_owned(
                self,
                ffi::PyBytes_FromStringAndSize(core::ptr::null(), size),
            )?
        };
        Ok(BytesWriter { bytes, len })
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

    /// The finished object.  A codec that left bytes unwritten would hand
    /// out unspecified (not undefined) content: C reads them as plain bytes
    /// and Rust never reads them; the tests compare every output.
    pub fn finish(self) -> Bound<'py> {
        self.bytes
    }
}
