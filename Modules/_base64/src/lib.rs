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

/// Declares a function type: name, docstring, parameters, body (which
/// sees the `Python` token and the parsed `Args`).
macro_rules! function {
    ($type:ident, $name:literal, $doc:expr, [$($param:expr),*], |$py:ident, $args:ident| $body:expr) => {
        pub struct $type;
        impl ::cpython_api::Function for $type {
            const NAME: &'static ::core::ffi::CStr = $name;
            const DOC: &'static ::core::ffi::CStr = $doc;
            const PARAMS: &'static [::cpython_api::Param] = &[$($param),*];
            fn call<'py>(
                $py: ::cpython_api::Python<'py>,
                $args: &::cpython_api::Args<'_, 'py>,
            ) -> ::cpython_api::PyResult<'py, ::cpython_api::Bound<'py>> {
                $body
            }
        }
    };
}

mod b32;
mod b64;
mod b85;
mod codec;
mod docs;
mod input;

#[cfg(debug_assertions)]
use cpython_api::Param;
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
    MethodDef::function::<b64::B64Encode>(),
    MethodDef::function::<b64::B64Decode>(),
    MethodDef::function::<b64::StandardB64Encode>(),
    MethodDef::function::<b64::StandardB64Decode>(),
    MethodDef::function::<b64::UrlsafeB64Encode>(),
    MethodDef::function::<b64::UrlsafeB64Decode>(),
    MethodDef::function::<b64::EncodeBytes>(),
    MethodDef::function::<b64::DecodeBytes>(),
    MethodDef::function::<b32::B32Encode>(),
    MethodDef::function::<b32::B32Decode>(),
    MethodDef::function::<b32::B32HexEncode>(),
    MethodDef::function::<b32::B32HexDecode>(),
    MethodDef::function::<b32::B16Encode>(),
    MethodDef::function::<b32::B16Decode>(),
    MethodDef::function::<b85::A85Encode>(),
    MethodDef::function::<b85::A85Decode>(),
    MethodDef::function::<b85::B85Encode>(),
    MethodDef::function::<b85::B85Decode>(),
    MethodDef::function::<b85::Z85Encode>(),
    MethodDef::function::<b85::Z85Decode>(),
    #[cfg(debug_assertions)]
    MethodDef::function::<TestPanic>(),
    MethodDef::END,
];

// In builds with debug assertions only (--with-pydebug): a function that
// panics, so that the regression tests can check what a bug in a Rust
// function does to the interpreter: a SystemError, not an abort.
#[cfg(debug_assertions)]
function!(
    TestPanic,
    c"_test_panic",
    c"_test_panic(message)\n--\n\nPanic with message (a test of the panic handling).",
    [Param::required("message")],
    |_py, args| {
        let message = input::required(args, 0).to_utf8()?;
        panic!("{message}")
    }
);
