//! Borrowing the bytes of any object that exports a buffer.
//!
//! # Why the bytes are only shown to `Send` closures
//!
//! A `&[u8]` promises Rust that nobody writes the memory while it lives.
//! [`BufferView::read`] takes a closure that is `Send`, which statically
//! rules out capturing the [`Python`] token or a `Bound`/`Borrowed`
//! reference, so the closure cannot call into Python (it may drop a
//! captured [`crate::Strong`], `Send` because using one takes the token:
//! that releases a reference, or leaks it while detached, and the bytes
//! shown are ones no Python code can change, as follows); and it shows the
//! bytes for the length of that closure only.  What else could write them
//! depends on the exporter ([`Access`]):
//!
//! - A `bytes` object (or a memoryview of one) never changes: the closure
//!   sees the object's own storage.
//! - A mutable exporter (`bytearray`, `array.array`, memoryviews of them,
//!   ...) may be written by another thread at any moment, in a
//!   free-threaded build and in a default build too (`readinto` releases
//!   the GIL while the kernel fills the buffer it exported).  For those,
//!   [`Python::with_buffer`] first copies the buffer into private memory
//!   (see [`snapshot`] for why that copy is defined even while another
//!   thread writes), and every `read` shows the copy: a codec that reads
//!   twice (to size its output, then to fill it) sees one state of the
//!   buffer, and the result encodes some state of the buffer during the
//!   call, as the C code reading the same buffer would.  The copy is
//!   allocated fallibly: a buffer too large to copy raises `MemoryError`,
//!   as the Python code's own copies do.
//! - Except where the GIL alone rules that out: in a default build, an
//!   exact `bytearray` that has no export but this call's (directly or
//!   through one memoryview that has none but this call's either) can only
//!   be written by Python code or by C code holding the GIL, since a
//!   thread without the GIL may only write a bytearray through an export.
//!   Such a buffer is read in place with the thread attached throughout,
//!   as binascii reads every buffer, and is never copied.
//!
//! An exported buffer can never be resized or freed, so its memory stays
//! valid while it is read.
//!
//! # Why long reads release the GIL
//!
//! The same `Send` bound means `f` cannot touch the interpreter at all, so
//! for a buffer of at least [`DETACH_MIN_LEN`] bytes `read` detaches the
//! thread (`PyEval_SaveThread`: the GIL is released in a default build)
//! while `f` runs, and other Python threads run meanwhile.  The bytes `f`
//! sees stay valid: a `bytes` object cannot change, a snapshot is private,
//! and the exported buffer keeps the exporter alive and unresized.  A
//! buffer that only the GIL keeps unchanged is the exception: it is read
//! attached, whatever its length.

use core::marker::PhantomData;
use core::mem::{MaybeUninit, align_of, size_of};

use cpython_sys as ffi;

use crate::error::{PyErr, PyResult};
use crate::object::Borrowed;
use crate::python::Python;

/// How a call reads an exported buffer: by who else may write its bytes
/// while the call runs (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Nobody: read in place, with the thread detached for a long read.
    Immutable,
    /// Only a thread attached to the interpreter: read in place, with
    /// this thread attached throughout.
    GuardedByGil,
    /// Any thread, at any moment: read from a private copy.
    Copied,
}

impl Access {
    /// Whether a long read may detach the thread from the interpreter.
    fn may_detach(self) -> bool {
        self != Access::GuardedByGil
    }
}

/// The bytes a view shows: `len` readable bytes at `data`, valid for
/// `'v`, the life of the export held (or, for a `bytes` object, of the
/// borrowed reference that keeps its inline storage alive).
#[derive(Clone, Copy)]
struct Storage<'v> {
    data: *const u8,
    len: usize,
    _valid: PhantomData<&'v [u8]>,
}

impl<'v> Storage<'v> {
    fn of_export(view: &'v ffi::Py_buffer) -> Self {
        Storage {
            data: view.buf.cast::<u8>().cast_const(),
            // A successful PyObject_GetBuffer never reports a negative
            // length.
            len: usize::try_from(view.len).unwrap_or(0),
            _valid: PhantomData,
        }
    }

    /// The storage of an exact `bytes` object, read without an export:
    /// the export of a `bytes` object only adds a reference and reports
    /// this same storage, which never changes and lives as long as the
    /// object, which the borrowed reference keeps alive for `'v`.
    fn of_bytes(bytes: Borrowed<'v, '_>) -> Self {
        debug_assert!(bytes.is_exact_bytes());
        // SAFETY: a live bytes object: its size and its inline storage.
        let (data, len) = unsafe {
            (
                ffi::PyBytes_AS_STRING(bytes.as_ptr()).cast_const(),
                ffi::Py_SIZE(bytes.as_ptr()),
            )
        };
        Storage {
            data,
            len: usize::try_from(len).unwrap_or(0),
            _valid: PhantomData,
        }
    }
}

/// A buffer's bytes, borrowed for the duration of [`Python::with_buffer`].
pub struct BufferView<'v> {
    storage: Storage<'v>,
    access: Access,
    /// The copy of a buffer read as [`Access::Copied`]; `None` otherwise.
    snapshot: Option<Vec<u8>>,
}

impl BufferView<'_> {
    /// The length of the buffer in bytes.
    pub fn len(&self) -> usize {
        self.storage.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How the bytes are read.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Run `f` on the bytes of the buffer, with the thread detached from
    /// the interpreter if the buffer is long (see the module documentation
    /// for why `f` must be `Send`, and why it may run detached).
    pub fn read<T>(&self, f: impl FnOnce(&[u8]) -> T + Send) -> T {
        if self.len() < DETACH_MIN_LEN || !self.access.may_detach() {
            return f(self.bytes());
        }
        // SAFETY: a BufferView exists only inside `Python::with_buffer`,
        // on the attached thread (it is neither Send nor Sync, so neither
        // it nor a reference to it can reach another thread or a `Send`
        // closure), so the thread is attached here; `f` is `Send`, so it
        // holds no token and makes no C API call while detached.
        let _detached = unsafe { Detached::new() };
        f(self.bytes())
    }

    fn bytes(&self) -> &[u8] {
        if let Some(copy) = &self.snapshot {
            return copy;
        }
        let len = self.len();
        if len == 0 {
            return &[];
        }
        // SAFETY: the storage's `len` bytes stay readable while this view
        // lives (`Storage`); without a snapshot, nobody writes them while
        // `f` runs: the exporter is immutable, or only an attached thread
        // can write it and this one stays attached (`read`).
        unsafe { core::slice::from_raw_parts(self.storage.data, len) }
    }
}

/// A buffer's bytes, borrowed for the duration of
/// [`Python::with_buffer_in_chunks`].
pub struct ChunkedView<'v> {
    storage: Storage<'v>,
    /// In place unless [`Access::Copied`], which copies a stage at a time.
    access: Access,
}

/// The most bytes [`ChunkedView::read_chunks`] copies at a time: room in
/// a core's L1 data cache (32 KiB or more) beside the output being
/// written, a multiple of 3, 4 and 64.
const STAGE: usize = 12 * 1024;

impl ChunkedView<'_> {
    /// The length of the buffer in bytes.
    pub fn len(&self) -> usize {
        self.storage.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run `f(offset, chunk)` on consecutive pieces of the buffer, in
    /// order, each but the last a multiple of `unit` (at most `STAGE`)
    /// long: the whole buffer at once if it is read in place, a copy of
    /// each stage if it is [`Access::Copied`] (each byte is some value it
    /// held during the call, as for a snapshot, but two pieces may come
    /// from different moments).  Detached from the interpreter for a long
    /// buffer, as [`BufferView::read`].
    pub fn read_chunks(&self, unit: usize, mut f: impl FnMut(usize, &[u8]) + Send) {
        assert!((1..=STAGE).contains(&unit), "a unit must fit the stage");
        let len = self.len();
        if len == 0 {
            return;
        }
        let detach = len >= DETACH_MIN_LEN && self.access.may_detach();
        // SAFETY: as in `BufferView::read`: this view exists only on the
        // attached thread inside `with_buffer_in_chunks`, and `f` is `Send`.
        let _detached = detach.then(|| unsafe { Detached::new() });
        let data = self.storage.data;
        if self.access != Access::Copied {
            // SAFETY: the storage's `len` bytes stay readable while this
            // view lives (`Storage`); nobody writes them
            // while `f` runs (the exporter is immutable, or only an
            // attached thread can write it and this one stays attached).
            f(0, unsafe { core::slice::from_raw_parts(data, len) });
            return;
        }
        let mut stage = [MaybeUninit::<u8>::uninit(); STAGE];
        let step = STAGE / unit * unit;
        let mut offset = 0;
        while offset < len {
            let size = step.min(len - offset);
            let piece = &mut stage[..size];
            // SAFETY: `offset + size <= len`, so the bytes are inside the
            // storage, readable while this view lives.
            unsafe { snapshot(data.add(offset), size, piece) };
            // SAFETY: `snapshot` initialized all of `piece`.
            let piece = unsafe { &*(piece as *const [MaybeUninit<u8>] as *const [u8]) };
            f(offset, piece);
            offset += size;
        }
    }
}

/// Buffers at least this long are read with the thread detached.  The
/// GIL's release and retake cost about 0.1 µs uncontended: at 64 KiB that
/// is a few per cent of the fastest codec's time (base64 at tens of GB/s)
/// and nothing for the others, and below it calls pay nothing.
pub const DETACH_MIN_LEN: usize = 64 * 1024;

/// The thread detached from the interpreter (`PyEval_SaveThread`) until
/// dropped (`PyEval_RestoreThread`), on every path including a panic.
/// Tied to the thread that detached (neither `Send` nor `Sync`).
#[must_use = "the thread re-attaches when the guard is dropped"]
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

/// Copy `len` bytes at `data`, which other threads may be writing, into
/// `copy` (of exactly `len` bytes).
///
/// # Why this read is defined
///
/// Nothing orders the writers' stores with these loads: C code (a
/// `bytearray` method, `readinto`, a C extension) writes the buffer with
/// plain stores of any width, without locks.  In the abstract models of
/// C and Rust, a plain or atomic load racing such a store is undefined,
/// and no Rust operation changes that; the C code this module replaces
/// reads the same buffers the same way.  What this copy relies on is the
/// level below, which defines the operation: the loads are *volatile*, and
/// LLVM's memory model gives a volatile load that races a store a
/// target-defined result, the bytes the hardware reads, where a racing
/// non-volatile (or atomic) load may be `undef`.  On every supported
/// target an aligned load of at most a machine word, or of the 16-byte
/// vector register every x86-64 and aarch64 CPU has (SSE2, Advanced
/// SIMD), is one instruction that reads each byte as some value it held,
/// whatever widths the writers used (the bytes of a vector load need not
/// be read at one instant, and nothing here needs them to), and it reads
/// read-only pages too (no atomic read-modify-write is involved, unlike
/// some atomic loads).  A type the target holds in one register is
/// loaded whole: LLVM does not split a volatile access of a legal type.
/// The copy's
/// bytes are therefore ordinary initialized values, possibly a mixture of
/// old and new ones, and all codec logic runs on the copy, which no other
/// thread can reach: the codec's own assumptions (a stable length, stable
/// bytes between two passes) hold.
///
/// # Safety
///
/// `data..data + len` must be readable for the whole call (the buffer is
/// exported), and `copy.len() == len`.
unsafe fn snapshot(data: *const u8, len: usize, copy: &mut [MaybeUninit<u8>]) {
    assert_eq!(copy.len(), len, "the copy must be as long as the buffer");
    let chunk = size_of::<Chunk>();
    let head = data.align_offset(align_of::<Chunk>()).min(len);
    let chunks = (len - head) / chunk;
    let tail = head + chunks * chunk;
    for i in (0..head).chain(tail..len) {
        // SAFETY: one byte inside the buffer (i < len); see above.
        copy[i].write(unsafe { data.add(i).read_volatile() });
    }
    let source = data.wrapping_add(head).cast::<Chunk>();
    let target = copy[head..tail].as_mut_ptr().cast::<Chunk>();
    // Four loads, then four stores: a load need not wait for the store
    // before it.
    let mut k = 0;
    while k + 4 <= chunks {
        // SAFETY: `source` is aligned for `Chunk` (the head skipped to the
        // alignment) and chunks k..k + 4 are inside the buffer (they end
        // at or before `tail`); see above for the racing writers.
        let values = unsafe { [0, 1, 2, 3].map(|j| source.add(k + j).read_volatile()) };
        for (j, value) in values.into_iter().enumerate() {
            // SAFETY: chunk k + j of `copy[head..tail]`, which holds
            // `chunks` of them; the store is unaligned.
            unsafe { target.add(k + j).write_unaligned(value) };
        }
        k += 4;
    }
    while k < chunks {
        // SAFETY: as above, for the one chunk k.
        unsafe { target.add(k).write_unaligned(source.add(k).read_volatile()) };
        k += 1;
    }
}

/// The widest load `snapshot` makes on any CPU of the architecture: a
/// 16-byte vector where every one has them, otherwise a machine word.
/// (64-byte loads, where AVX-512 has them, measured no faster: the copy
/// is bound by the cache, not by the number of loads.)
#[cfg(target_arch = "x86_64")]
type Chunk = core::arch::x86_64::__m128i;
#[cfg(target_arch = "aarch64")]
type Chunk = core::arch::aarch64::uint8x16_t;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
type Chunk = usize;

/// `snapshot` into a new vector, or `None` if it cannot be allocated.
///
/// # Safety
///
/// As for [`snapshot`].
unsafe fn snapshot_vec(data: *const u8, len: usize) -> Option<Vec<u8>> {
    let mut copy: Vec<u8> = Vec::new();
    copy.try_reserve_exact(len).ok()?;
    // SAFETY: forwarded from the caller; the spare capacity holds at least
    // `len` bytes, and exactly `len` are passed.
    unsafe { snapshot(data, len, &mut copy.spare_capacity_mut()[..len]) };
    // SAFETY: `snapshot` initialized the first `len` bytes of the spare
    // capacity, which `try_reserve_exact` made at least `len` long.
    unsafe { copy.set_len(len) };
    Some(copy)
}

/// How a call reads the buffer `obj` has just exported to it
/// (see the module docs).  Only exact types count: their buffers come
/// from CPython's own exporters, and no subclass method can write them.
fn access(obj: Borrowed<'_, '_>) -> Access {
    if obj.is_exact_bytearray() {
        // SAFETY: an exact bytearray, live (its buffer was just exported).
        return alone_with_gil(|| unsafe { bytearray_exports(obj.as_ptr()) } == 1);
    }
    if !obj.is_exact_memoryview() {
        return Access::Copied;
    }
    // SAFETY: an exact memoryview is a PyMemoryViewObject whose managed
    // buffer is set when it is made and lives as long as it does; the
    // export just made keeps both alive, and `master.obj` (the original
    // exporter, or NULL, also set when the managed buffer is made) with
    // them.
    let (memoryview, managed) = unsafe {
        let memoryview = obj.as_ptr().cast::<ffi::PyMemoryViewObject>();
        (memoryview, (*memoryview).mbuf)
    };
    // SAFETY: as above.
    let base = unsafe { (*managed).master.obj };
    if base.is_null() {
        return Access::Copied;
    }
    // SAFETY: a live object (see above); only its type pointer is read.
    let base_type = unsafe { ffi::Py_TYPE(base) };
    if base_type == core::ptr::addr_of_mut!(ffi::PyBytes_Type) {
        return Access::Immutable;
    }
    if base_type != core::ptr::addr_of_mut!(ffi::PyByteArray_Type) {
        return Access::Copied;
    }
    // The bytearray's one export is the managed buffer, which serves this
    // memoryview alone, which serves this call alone.
    // SAFETY: live objects (see above), `base` an exact bytearray.
    alone_with_gil(|| unsafe {
        bytearray_exports(base) == 1 && (*managed).exports == 1 && (*memoryview).exports == 1
    })
}

/// The export count of the live `bytearray` at `bytearray`.
///
/// # Safety
/// `bytearray` must point to a live, exact `bytearray`, and the thread
/// must hold the GIL (a default build), under which alone the count
/// changes.
unsafe fn bytearray_exports(bytearray: *mut ffi::PyObject) -> ffi::Py_ssize_t {
    // SAFETY: an exact bytearray is a PyByteArrayObject (the contract).
    unsafe { (*bytearray.cast::<ffi::PyByteArrayObject>()).ob_exports }
}

/// [`Access::GuardedByGil`] for a `bytearray` whose only export is this
/// call's (`sole`) in a default build, where nothing but an export lets a
/// thread without the GIL write it; [`Access::Copied`] otherwise (in a
/// free-threaded build of 3.13 any thread may write it at any time).
/// `sole` reads export counts, which only the GIL guards, so it is called
/// in a default build only.
fn alone_with_gil(sole: impl FnOnce() -> bool) -> Access {
    if !ffi::GIL_DISABLED && sole() {
        Access::GuardedByGil
    } else {
        Access::Copied
    }
}

impl<'py> Python<'py> {
    /// Borrow the buffer of `obj` (`PyObject_GetBuffer(obj, PyBUF_SIMPLE)`,
    /// the request that binascii and `bytes` methods make, so the errors
    /// are theirs) for the duration of `f`, and release it afterwards on
    /// every path, including a panic in `f`.  An exact `bytes` object's
    /// storage is read without an export, which could not fail and would
    /// show the same bytes (see `Storage::of_bytes`).
    pub fn with_buffer<R>(
        self,
        obj: Borrowed<'_, 'py>,
        f: impl FnOnce(&BufferView<'_>) -> PyResult<'py, R>,
    ) -> PyResult<'py, R> {
        self.with_buffer_or(obj, |err| err, f)
    }

    /// As [`Self::with_buffer`], with the export's error (only that one)
    /// replaced by `export_error`, as binascii's argument converters
    /// replace it.
    pub fn with_buffer_or<R>(
        self,
        obj: Borrowed<'_, 'py>,
        export_error: impl FnOnce(PyErr<'py>) -> PyErr<'py>,
        f: impl FnOnce(&BufferView<'_>) -> PyResult<'py, R>,
    ) -> PyResult<'py, R> {
        if obj.is_exact_bytes() {
            return f(&BufferView {
                storage: Storage::of_bytes(obj),
                access: Access::Immutable,
                snapshot: None,
            });
        }
        let mut slot = MaybeUninit::uninit();
        let guard = self.export(obj, &mut slot).map_err(export_error)?;
        let storage = Storage::of_export(guard.view);
        let access = access(obj);
        let snapshot = if access != Access::Copied || storage.len == 0 {
            None
        } else {
            let (data, len) = (storage.data, storage.len);
            let copy = if len < DETACH_MIN_LEN {
                // SAFETY: the exported buffer's `len` bytes stay readable
                // until `guard` releases them, after the copy.
                unsafe { snapshot_vec(data, len) }
            } else {
                // SAFETY: attached (self); the copy uses no C API.
                let _detached = unsafe { Detached::new() };
                // SAFETY: as above.
                unsafe { snapshot_vec(data, len) }
            };
            Some(copy.ok_or_else(|| self.no_memory())?)
        };
        let buffer = BufferView {
            storage,
            access,
            snapshot,
        };
        f(&buffer)
    }

    /// As [`Self::with_buffer`], for a codec that can take the bytes a
    /// piece at a time ([`ChunkedView::read_chunks`]): a mutable buffer is
    /// then copied a stage at a time, in cache, instead of whole.
    pub fn with_buffer_in_chunks<R>(
        self,
        obj: Borrowed<'_, 'py>,
        f: impl FnOnce(&ChunkedView<'_>) -> PyResult<'py, R>,
    ) -> PyResult<'py, R> {
        if obj.is_exact_bytes() {
            return f(&ChunkedView {
                storage: Storage::of_bytes(obj),
                access: Access::Immutable,
            });
        }
        let mut slot = MaybeUninit::uninit();
        let guard = self.export(obj, &mut slot)?;
        f(&ChunkedView {
            storage: Storage::of_export(guard.view),
            access: access(obj),
        })
    }

    /// `PyObject_GetBuffer(obj, PyBUF_SIMPLE)` into `slot`, released when
    /// the guard is dropped.
    fn export<'v>(
        self,
        obj: Borrowed<'_, 'py>,
        slot: &'v mut MaybeUninit<ffi::Py_buffer>,
    ) -> PyResult<'py, Release<'v, 'py>> {
        // SAFETY: attached (self); `obj` is live; `slot` is writable memory
        // for one Py_buffer, which stays at this address until released
        // (the guard borrows it).
        let status = unsafe {
            ffi::PyObject_GetBuffer(obj.as_ptr(), slot.as_mut_ptr(), ffi::PyBUF_SIMPLE as _)
        };
        if status != 0 {
            // SAFETY: GetBuffer returns -1 only with an exception set.
            return Err(unsafe { self.fetch_set() });
        }
        Ok(Release {
            // SAFETY: GetBuffer succeeded, so it initialized the view.
            view: unsafe { slot.assume_init_mut() },
            _py: self,
        })
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
    use super::snapshot_vec;

    #[test]
    fn snapshot_copies_every_alignment_and_length() {
        let source: Vec<u8> = (0..=255).cycle().take(300).collect();
        for start in 0..9 {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 291 - start] {
                let part = &source[start..start + len];
                // SAFETY: `part` is readable and nobody writes it.
                let copy = unsafe { snapshot_vec(part.as_ptr(), part.len()) };
                assert_eq!(copy.as_deref(), Some(part), "{start} {len}");
            }
        }
    }

    #[test]
    fn snapshot_of_an_impossible_length_fails_instead_of_aborting() {
        let byte = 0u8;
        // SAFETY: nothing is read: the allocation fails first.
        let copy = unsafe { snapshot_vec(&byte, usize::MAX / 2) };
        assert_eq!(copy, None);
    }
}
