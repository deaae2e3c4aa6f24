//! The safe layer that CPython's Rust modules are written against.
//!
//! Every `unsafe` operation a module needs lives here, behind types whose
//! constructors establish the invariant the operation relies on:
//!
//! - [`Python`] proves that the thread is attached to the interpreter; only
//!   the call trampolines in [`module`] create one.
//! - [`Bound`] and [`Borrowed`] are strong and borrowed object references
//!   tied to that proof.
//! - [`PyErr`] proves that a Python exception is set.
//! - [`Python::with_buffer`] holds a `Py_buffer` for exactly the length of a
//!   closure and releases it on every path; its bytes are only shown to
//!   code that cannot reach the interpreter (see [`buffer`]).
//! - [`BytesWriter`] fills a fresh `bytes` object in place, without a copy.
//! - [`function!`] declares a function once: named, converted parameters,
//!   its `__text_signature__` and docstring (see [`function`](mod@function)).
//! - [`class`] makes heap types whose instances hold a Rust value, with
//!   methods, properties and garbage-collector support; [`ModuleState`]
//!   is a module's per-interpreter state, and [`Strong`] the reference
//!   both keep.
//! - [`module`] builds multi-phase module definitions, binds
//!   `METH_FASTCALL | METH_KEYWORDS` arguments (handing every call it does
//!   not model to the Python function the Rust one replaces), and stops
//!   panics at the C boundary.
//! - [`error`] raises exceptions with messages built from Rust text and
//!   Python objects (never a C format string), chained as `raise` in an
//!   `except` block chains them.

pub mod args;
pub mod buffer;
pub mod bytes;
pub mod class;
pub mod error;
pub mod function;
pub mod module;
pub mod object;
pub mod python;

/// The version of the CPython this is built into, from its headers, for
/// behaviour that changed between releases.
pub const PY_VERSION: (u32, u32, u32) = (
    cpython_sys::PY_MAJOR_VERSION,
    cpython_sys::PY_MINOR_VERSION,
    cpython_sys::PY_MICRO_VERSION,
);

/// Whether [`PY_VERSION`] is at least `major.minor.micro` (usable in
/// constants, where tuple comparison is not).
pub const fn py_version_at_least(major: u32, minor: u32, micro: u32) -> bool {
    let (have_major, have_minor, have_micro) = PY_VERSION;
    if have_major != major {
        return have_major > major;
    }
    if have_minor != minor {
        return have_minor > minor;
    }
    have_micro >= micro
}

pub use args::{Args, Param, ParamKind};
pub use buffer::{Access, BufferView, ChunkedView};
pub use bytes::BytesWriter;
pub use class::{
    Class, ClassMethodDef, GetSetDef, Getter, Instance, Method, Setter, TypeObject, Visit, Visited,
};
pub use error::{Chain, Exception, Message, PyErr, PyResult};
pub use function::Fallback;
pub use module::{
    ExecFn, Function, MethodDef, ModuleDef, ModuleInit, ModuleState, state as module_state,
};
pub use object::Strong;
pub use object::{Borrowed, Bound};
pub use python::Python;
