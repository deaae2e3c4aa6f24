//! `_base64`: the codecs of `Lib/base64.py`, in Rust.
//!
//! Each function returns what the `base64` function of the same name
//! returns, and raises the same exception with the same message, for every
//! input; it also checks its arguments in the same order, so that which
//! error wins is the same too.  The codec work is in [`codec`], on plain
//! slices; this file is the glue to the interpreter, written against the
//! safe `cpython_api` layer (this crate has no `unsafe` code outside tests).

#![deny(unsafe_code)]

mod codec;

use cpython_api::{
    Args, Borrowed, Bound, Exception, Function, MethodDef, ModuleDef, Param, PyResult, Python,
};

pub static MODULE: ModuleDef = ModuleDef::new(
    c"_base64",
    c"Rust implementation of the base64 module's codecs.",
    &METHODS,
);

static METHODS: [MethodDef; 3] = [
    MethodDef::function::<B64Encode>(),
    MethodDef::function::<StandardB64Encode>(),
    MethodDef::END,
];

/// binascii's limit on b2a_base64 input (`BASE64_MAXBIN`): larger inputs
/// raise binascii.Error, reachable on 32-bit platforms.
const BASE64_MAXBIN: usize = (isize::MAX as usize - 3) / 2;

struct B64Encode;

impl Function for B64Encode {
    const NAME: &'static core::ffi::CStr = c"b64encode";
    const DOC: &'static core::ffi::CStr = c"b64encode($module, /, s, altchars=None)
--

Encode the bytes-like object s using Base64 and return a bytes object.

Optional altchars should be a byte string of length 2 which specifies an
alternative alphabet for the '+' and '/' characters.  This allows an
application to e.g. generate url or filesystem safe Base64 strings.";
    const PARAMS: &'static [Param] = &[Param::required("s"), Param::optional("altchars")];

    fn call<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<Bound<'py>> {
        let altchars = args.get(1).filter(|altchars| !altchars.is_none());
        b64encode(py, required(args, 0), altchars)
    }
}

struct StandardB64Encode;

impl Function for StandardB64Encode {
    const NAME: &'static core::ffi::CStr = c"standard_b64encode";
    const DOC: &'static core::ffi::CStr = c"standard_b64encode($module, /, s)
--

Encode bytes-like object s using the standard Base64 alphabet.

The result is returned as a bytes object.";
    const PARAMS: &'static [Param] = &[Param::required("s")];

    fn call<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<Bound<'py>> {
        b64encode(py, required(args, 0), None)
    }
}

/// A required argument: the parser has already raised if it was missing.
fn required<'a, 'py>(args: &Args<'a, 'py>, index: usize) -> Borrowed<'a, 'py> {
    args.get(index)
        .expect("required argument checked by the parser")
}

/// `base64.b64encode(s, altchars)`:
///
/// ```python
/// encoded = binascii.b2a_base64(s, newline=False)
/// if altchars is not None:
///     assert len(altchars) == 2, repr(altchars)
///     return encoded.translate(bytes.maketrans(b'+/', altchars))
/// return encoded
/// ```
///
/// With `altchars` of exact type `bytes`, checking it runs no Python code,
/// so it is checked before encoding and the output is written with the
/// final alphabet in one pass.  Any other `altchars` may run Python code
/// (`__len__`, `__repr__`, buffer export) and is therefore only examined
/// after the input's buffer was released, as in the Python code.
fn b64encode<'py>(
    py: Python<'py>,
    s: Borrowed<'_, 'py>,
    altchars: Option<Borrowed<'_, 'py>>,
) -> PyResult<Bound<'py>> {
    let (final_altchars, translate_after) = match altchars {
        Some(altchars) if altchars.is_exact_bytes() => (Some(altchars), None),
        other => (None, other),
    };
    let encoded = py.with_buffer(s, |input| {
        if input.len() > BASE64_MAXBIN {
            let error = py.import_attr(c"binascii", c"Error")?;
            return Err(py.raise_type(&error, "Too much data for base64 line"));
        }
        let alphabet = match final_altchars {
            Some(altchars) => codec::with_altchars(altchars_pair(py, altchars)?),
            None => codec::STANDARD,
        };
        let Some(len) = codec::encoded_len(input.len()) else {
            return Err(py.raise(Exception::MemoryError, ""));
        };
        let mut output = py.new_bytes(len)?;
        let storage = output.as_uninit_mut();
        input.read(|data| codec::encode(data, storage, &alphabet));
        Ok(output.finish())
    })?;
    match translate_after {
        None => Ok(encoded),
        Some(altchars) => {
            let alphabet = codec::with_altchars(altchars_pair(py, altchars)?);
            translate_standard_alphabet(py, &encoded, &alphabet)
        }
    }
}

/// The two replacement characters, with the checks
/// `assert len(altchars) == 2, repr(altchars)` (skipped under `-O`, like
/// the assert) and `bytes.maketrans(b'+/', altchars)`.
fn altchars_pair<'py>(py: Python<'py>, altchars: Borrowed<'_, 'py>) -> PyResult<[u8; 2]> {
    if py.asserts_enabled()? && altchars.size()? != 2 {
        let message = altchars.repr()?;
        return Err(py.raise_with(Exception::AssertionError, &message));
    }
    py.with_buffer(altchars, |buffer| {
        if buffer.len() != 2 {
            return Err(py.raise(
                Exception::ValueError,
                "maketrans arguments must have same length",
            ));
        }
        Ok(buffer.read(|data| [data[0], data[1]]))
    })
}

/// `encoded.translate(bytes.maketrans(b'+/', altchars))` for standard
/// Base64 output: a new object, as `translate` makes one.
fn translate_standard_alphabet<'py>(
    py: Python<'py>,
    encoded: &Bound<'py>,
    alphabet: &[u8; 64],
) -> PyResult<Bound<'py>> {
    let mut table: [u8; 256] = core::array::from_fn(|byte| byte as u8);
    table[usize::from(b'+')] = alphabet[62];
    table[usize::from(b'/')] = alphabet[63];
    py.with_buffer(encoded.as_borrowed(), |input| {
        let mut output = py.new_bytes(input.len())?;
        let storage = output.as_uninit_mut();
        input.read(|data| {
            for (out, &byte) in storage.iter_mut().zip(data) {
                out.write(table[usize::from(byte)]);
            }
        });
        Ok(output.finish())
    })
}
