//! Borrowing the bytes of any object that exports a buffer.
//!
//! # Why the bytes are only shown to `Send` closures
//!
//! A `&[u8]` promises Rust that nobody writes the memory while it lives.
//! [`BufferView::read`] takes a closure that is `Send`, which statically
//! rules out capturing the [`Python`] token or any object reference, so the
//! closure cannot run Python code; and it shows the bytes for the length of
//! that closure only.
//!
//! That is enough for a `bytes` object, whose content never changes, and
//! the closure then sees the object's own storage.  It is not enough for a
//! mutable exporter (`bytearray`, `array.array`, memoryviews of them, ...):
//! another thread may write it at any moment, in a free-threaded build and
//! in a default build too (`readinto` releases the GIL while the kernel
//! fills the buffer).  For those, the closure sees a private snapshot,
//! copied with relaxed atomic loads, which are defined even while another
//! thread writes.  It is taken at the first `read` and shared by every
//! later `read` of the same borrow, so a codec that reads twice (to size
//! its output, then to fill it) sees one state of the buffer; the result
//! encodes some state of the buffer during the call, as the C code reading
//! the same buffer would, and the codec's own assumptions hold.  An exported
//! buffer can never be resized or freed, so its memory stays valid.
//!
//! # Why long reads release the GIL
//!
//! The same `Send` bound means `f` cannot touch the interpreter at all, so
//! for a buffer of at least [`DETACH_MIN_LEN`] bytes `read` detaches the
//! thread (`PyEval_SaveThread`: the GIL is released in a default build)
//! while `f` runs, and other Python threads run meanwhile.  The bytes `f`
//! sees stay valid: a `bytes` object cannot change, a snapshot is private,
//! and the exported buffer keeps the exporter alive and unresized.

use core::cell::OnceCell;
use core::mem::{MaybeUninit, align_of, size_of};
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU8, AtomicUsize};

use cpython_sys as ffi;

use crate::error::PyResult;
use crate::object::Borrowed;
use crate::python::Python;

/// A `Py_buffer` held for the duration of [`Python::with_buffer`].
pub struct BufferView<'v> {
    view: &'v ffi::Py_buffer,
    immutable: bool,
    /// The copy of a mutable buffer, made once (see the module docs).
    snapshot: OnceCell<Vec<u8>>,
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

    /// Run `f` on the bytes of the buffer, with the thread detached from
    /// the interpreter if the buffer is long (see the module documentation
    /// for why `f` must be `Send`, and why it may run detached).
    pub fn read<T>(&self, f: impl FnOnce(&[u8]) -> T + Send) -> T {
        if self.len() < DETACH_MIN_LEN {
            return self.read_attached(f);
        }
        // SAFETY: a BufferView exists only inside `Python::with_buffer`,
        // on the attached thread (it is neither Send nor Sync, so neither
        // it nor a reference to it can reach another thread or a `Send`
        // closure), so the thread is attached here; `f` is `Send`, so it
        // holds no token and makes no C API call while detached.
        let _detached = unsafe { Detached::new() };
        self.read_attached(f)
    }

    fn read_attached<T>(&self, f: impl FnOnce(&[u8]) -> T + Send) -> T {
        let len = self.len();
        if len == 0 {
            return f(&[]);
        }
        let data = self.view.buf.cast::<u8>();
        if !self.immutable {
            return f(self.snapshot.get_or_init(|| snapshot(data, len)));
        }
        // SAFETY: a successful PyBUF_SIMPLE request gives `len` contiguous
        // readable bytes at `buf`, valid until PyBuffer_Release, which runs
        // after `f` returns; the exporter is a bytes object, whose content
        // nobody writes.
        let bytes = unsafe { core::slice::from_raw_parts(data, len) };
        f(bytes)
    }
}

/// Buffers at least this long are read with the thread detached.  The
/// GIL's release and retake cost about 0.1 µs uncontended: at 64 KiB that
/// is a few per cent of the fastest codec's time (base64 at tens of GB/s)
/// and nothing for the others, and below it calls pay nothing.
pub const DETACH_MIN_LEN: usize = 64 * 1024;

/// The thread detached from the interpreter (`PyEval_SaveThread`) until
/// dropped (`PyEval_RestoreThread`), on every path including a panic.
struct Detached {
    state: *mut ffi::PyThreadState,
}

impl Detached {
    /// # Safety
    /// The thread must be attached, and nothing may use the C API until the
    /// guard is dropped.
    unsafe fn new() -> Self {
        // SAFETY: attached (the caller's contract).
        let state = unsafe { ffi::PyEval_SaveThread() };
        Detached { state }
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        // SAFETY: `state` is what PyEval_SaveThread returned on this
        // thread, which has been detached since.
        unsafe { ffi::PyEval_RestoreThread(self.state) }
    }
}

/// A copy of `len` bytes at `data`, which other threads may be writing,
/// read a word at a time where aligned.  `data..data + len` must be
/// readable for the whole call (as in [`BufferView::read`]).
fn snapshot(data: *const u8, len: usize) -> Vec<u8> {
    let word = size_of::<usize>();
    let aligned = data.align_offset(align_of::<AtomicUsize>()).min(len);
    let mut copy = Vec::with_capacity(len);
    let mut i = 0;
    while i < len {
        // SAFETY: i < len, so `data + i` is inside the readable buffer.
        let at = unsafe { data.add(i) };
        if i >= aligned && len - i >= word {
            // SAFETY: `data + aligned` is word-aligned and i advances by
            // whole words past it, so `at` is aligned; the word is inside
            // the buffer; an atomic load is defined under concurrent writes.
            let value = unsafe { AtomicUsize::from_ptr(at.cast::<usize>().cast_mut()) };
            copy.extend_from_slice(&value.load(Relaxed).to_ne_bytes());
            i += word;
        } else {
            // SAFETY: one byte inside the buffer, loaded atomically.
            let value = unsafe { AtomicU8::from_ptr(at.cast_mut()) };
            copy.push(value.load(Relaxed));
            i += 1;
        }
    }
    copy
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
            snapshot: OnceCell::new(),
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

#[cfg(test)]
mod tests {
    use super::snapshot;

    #[test]
    fn snapshot_copies_every_alignment_and_length() {
        let source: Vec<u8> = (0..=255).cycle().take(300).collect();
        for start in 0..9 {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 291 - start] {
                let part = &source[start..start + len];
                assert_eq!(snapshot(part.as_ptr(), part.len()), part, "{start} {len}");
            }
        }
    }
}
