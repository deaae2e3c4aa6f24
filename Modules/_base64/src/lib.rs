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
            ) -> ::cpython_api::PyResult<::cpython_api::Bound<'py>> {
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

use cpython_api::{MethodDef, ModuleDef};

pub static MODULE: ModuleDef = ModuleDef::new(
    c"_base64",
    c"Rust implementation of the base64 module's codecs.",
    &METHODS,
);

static METHODS: [MethodDef; 21] = [
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
    MethodDef::END,
];
