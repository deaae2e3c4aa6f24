//! Borrowing the bytes of any object that exports a buffer.
//!
//! # Why the bytes are only shown to `Send` closures
//!
//! A `&[u8]` promises Rust that nobody writes the memory while it lives.
//! For a `bytearray`, an `array.array` or a memoryview of either, that
//! holds only while no Python code runs: any code (a finalizer run by an
//! allocation, a `__len__`, another thread) may write into the buffer.
//! [`BufferView::read`] therefore takes a closure that is `Send`, which
//! statically rules out capturing the [`Python`] token or any object
//! reference, so the closure cannot call back into the interpreter; and the
//! bytes are shown for the length of that closure only.
//!
//! In a default build the thread holds the GIL throughout, so no other
//! thread runs Python code either and the slice is stable.  In a
//! free-threaded build another thread may write a mutable buffer at any
//! moment; there, the content of anything but a `bytes` object is first
//! copied (with relaxed atomic loads, so the copy makes no assumption about
//! concurrent writers) and the closure sees that snapshot.  The result then
//! encodes some state of the buffer during the call, as the C code reading
//! the same buffer would.  A buffer can never be resized or freed while it
//! is exported, so its memory stays valid in both cases.

use core::mem::MaybeUninit;

use cpython_sys as ffi;

use crate::error::PyResult;
use crate::object::Borrowed;
use crate::python::Python;

/// A `Py_buffer` held for the duration of [`Python::with_buffer`].
pub struct BufferView<'v> {
    view: &'v ffi::Py_buffer,
    immutable: bool,
}

impl BufferView<'_> {
    /// The length of the buffer in bytes.
    pub fn len(&self) -> usize {
        // A successful PyObject_GetBuffer never reports a negative length.
        usize::try_from(self.view.len).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run `f` on the bytes of the buffer (see the module documentation for
    /// why `f` must be `Send`).
    pub fn read<T>(&self, f: impl FnOnce(&[u8]) -> T + Send) -> T {
        let len = self.len();
        if len == 0 {
            return f(&[]);
        }
        let data = self.view.buf.cast::<u8>();
        if cfg!(Py_GIL_DISABLED) && !self.immutable {
            return f(&snapshot(data, len));
        }
        // SAFETY: a successful PyBUF_SIMPLE request gives `len` contiguous
        // readable bytes at `buf`, valid until PyBuffer_Release, which runs
        // after `f` returns.  Nobody writes them while `f` runs: `f` is Send
        // so cannot run Python code, and either the object is immutable
        // (bytes) or this is a GIL build and the GIL is held (see above).
        let bytes = unsafe { core::slice::from_raw_parts(data, len) };
        f(bytes)
    }
}

/// A copy of a buffer that other threads may be writing.
fn snapshot(data: *const u8, len: usize) -> Vec<u8> {
    use core::sync::atomic::{AtomicU8, Ordering};
    (0..len)
        .map(|i| {
            // SAFETY: `data..data+len` is readable for the whole call (see
            // BufferView::read); AtomicU8 has the size and alignment of u8,
            // and an atomic load is defined even if another thread writes.
            unsafe { AtomicU8::from_ptr(data.add(i).cast_mut()) }.load(Ordering::Relaxed)
        })
        .collect()
}

impl<'py> Python<'py> {
    /// Borrow the buffer of `obj` (`PyObject_GetBuffer(obj, PyBUF_SIMPLE)`,
    /// the request that binascii and `bytes` methods make, so the errors
    /// are theirs) for the duration of `f`, and release it afterwards on
    /// every path, including a panic in `f`.
    pub fn with_buffer<R>(
        self,
        obj: Borrowed<'_, 'py>,
        f: impl FnOnce(&BufferView<'_>) -> PyResult<R>,
    ) -> PyResult<R> {
        let mut view = MaybeUninit::<ffi::Py_buffer>::uninit();
        // SAFETY: attached (self); `obj` is live; `view` is writable memory
        // for one Py_buffer, which stays at this address until released.
        let status = unsafe {
            ffi::PyObject_GetBuffer(obj.as_ptr(), view.as_mut_ptr(), ffi::PyBUF_SIMPLE as _)
        };
        if status != 0 {
            // SAFETY: GetBuffer returns -1 only with an exception set.
            return Err(unsafe { self.fetch_set() });
        }
        // SAFETY: GetBuffer succeeded, so it initialized the view.
        let view = unsafe { &mut *view.as_mut_ptr() };
        let guard = Release { view, _py: self };
        let buffer = BufferView {
            view: &*guard.view,
            immutable: obj.is_exact_bytes(),
        };
        f(&buffer)
    }
}

/// Releases a held `Py_buffer` when dropped.
struct Release<'v, 'py> {
    view: &'v mut ffi::Py_buffer,
    _py: Python<'py>,
}

impl Drop for Release<'_, '_> {
    fn drop(&mut self) {
        // SAFETY: the view was filled by a successful PyObject_GetBuffer and
        // is released exactly once, here, by the attached thread.
        unsafe { ffi::PyBuffer_Release(self.view) }
    }
}
