//! The proof that the current thread may use the C API.

use core::marker::PhantomData;

/// A token that exists only while the thread is attached to the interpreter
/// (holds the GIL in a default build, has an active thread state in a
/// free-threaded one).
///
/// It is `Copy` but neither `Send` nor `Sync`, so it cannot leave the thread
/// or outlive the call that received it (`'py`).  Code that must not touch
/// the interpreter (for example while reading a borrowed buffer) is written
/// as a `Send` closure, which therefore cannot capture it.
#[derive(Clone, Copy)]
pub struct Python<'py> {
    _not_send: PhantomData<(&'py (), *mut ())>,
}

impl Python<'_> {
    /// # Safety
    ///
    /// The thread must be attached to the interpreter for all of `'py`,
    /// which the caller chooses as narrowly as possible (one C call).
    pub(crate) unsafe fn assume_attached() -> Self {
        Python {
            _not_send: PhantomData,
        }
    }
}
