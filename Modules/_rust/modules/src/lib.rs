//! The static library that links every Rust module into the interpreter.
//!
//! One archive means one copy of Rust's standard library however many
//! modules there are.  Each module's `PyInit_<name>` is defined here, the
//! only symbols the build keeps global (Tools/cargo/rust.mk); makesetup
//! registers them as built-in modules from Modules/Setup.stdlib.

use cpython_sys::PyObject;

/// Entry point of the built-in module `_base64`.
#[unsafe(no_mangle)]
pub extern "C" fn PyInit__base64() -> *mut PyObject {
    // SAFETY: only the import system calls PyInit functions, with the
    // thread attached.
    unsafe { _base64::MODULE.init() }
}
