//! `_base64`: the codecs of `Lib/base64.py`, in Rust.
//!
//! Each function returns what the `base64` function of the same name
//! returns, and raises the same exception with the same message, for every
//! input; it also examines its arguments in the same order, so that the
//! same error wins.  The codec work is in [`codec`], on plain slices; this
//! crate's other modules are the glue to the interpreter, written against
//! the safe `cpython_api` layer.  `unsafe` code is allowed only in the
//! vector kernels (`codec::x86`, whose intrinsics need it) and in tests.

#![deny(unsafe_code)]

mod b32;
mod b64;
mod b85;
mod codec;
mod docs;
mod input;

use cpython_api::{Borrowed, MethodDef, PyResult, Python};

cpython_api::module! {
    name: "_base64",
    doc: c"Rust implementation of the base64 module's codecs.",
    methods: &METHODS,
    exec: exec,
}

/// At import: the vector instruction level, capped by the environment
/// variable if it is set (see `codec::simd`).
fn exec<'py>(py: Python<'py>, _module: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
    let environ = py.import_attr(c"os", c"environ")?;
    let requested = match environ
        .as_borrowed()
        .get_optional_item(codec::simd::LEVEL_VARIABLE)?
    {
        // A value that is not UTF-8 names no level.
        Some(value) => value
            .as_borrowed()
            .to_utf8()
            .map_err(|err| py.take_exception(err))
            .ok(),
        None => None,
    };
    codec::simd::set_active(requested.as_deref());
    Ok(())
}

#[cfg(not(debug_assertions))]
const TEST_HOOKS: usize = 0;
#[cfg(debug_assertions)]
const TEST_HOOKS: usize = 1;

static METHODS: [MethodDef; 21 + TEST_HOOKS] = [
    MethodDef::function::<b64::b64encode>(),
    MethodDef::function::<b64::b64decode>(),
    MethodDef::function::<b64::standard_b64encode>(),
    MethodDef::function::<b64::standard_b64decode>(),
    MethodDef::function::<b64::urlsafe_b64encode>(),
    MethodDef::function::<b64::urlsafe_b64decode>(),
    MethodDef::function::<b64::encodebytes>(),
    MethodDef::function::<b64::decodebytes>(),
    MethodDef::function::<b32::b32encode>(),
    MethodDef::function::<b32::b32decode>(),
    MethodDef::function::<b32::b32hexencode>(),
    MethodDef::function::<b32::b32hexdecode>(),
    MethodDef::function::<b32::b16encode>(),
    MethodDef::function::<b32::b16decode>(),
    MethodDef::function::<b85::a85encode>(),
    MethodDef::function::<b85::a85decode>(),
    MethodDef::function::<b85::b85encode>(),
    MethodDef::function::<b85::b85decode>(),
    MethodDef::function::<b85::z85encode>(),
    MethodDef::function::<b85::z85decode>(),
    #[cfg(debug_assertions)]
    MethodDef::function::<_test_panic>(),
    MethodDef::END,
];

// In builds with debug assertions only (--with-pydebug): a function that
// panics, so that the regression tests can check what a bug in a Rust
// function does to the interpreter: a SystemError, not an abort.
#[cfg(debug_assertions)]
cpython_api::function! {
    /// Panic with message (a test of the panic handling).
    fn _test_panic(py, message: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
        let message = message.to_utf8()?;
        panic!("{message}")
    }
}
