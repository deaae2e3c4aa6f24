//! How `Lib/base64.py` accepts its inputs, and its shared error helpers.

use core::mem::MaybeUninit;

use cpython_api::{Args, Borrowed, Bound, Exception, PyErr, PyResult, Python};

/// A required argument: the parser has already raised if it was missing.
pub fn required<'a, 'py>(args: &Args<'a, 'py>, index: usize) -> Borrowed<'a, 'py> {
    args.get(index)
        .expect("required argument checked by the parser")
}

/// `bool()` of an optional argument whose default is false.
pub fn flag(args: &Args<'_, '_>, index: usize) -> PyResult<bool> {
    args.get(index).map_or(Ok(false), |value| value.is_true())
}

/// Raise `binascii.Error(message)`.
pub fn binascii_error(py: Python<'_>, message: &str) -> PyErr {
    match py.import_attr(c"binascii", c"Error") {
        Ok(error) => py.raise_type(&error, message),
        Err(err) => err,
    }
}

/// `base64._bytes_from_decode_data(s)`: ASCII `str`, `bytes`/`bytearray`
/// as they are, any other buffer copied by `memoryview(s).tobytes()`.
pub fn decode_data<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<Bound<'py>> {
    if s.is_str() {
        return py.ascii_bytes(s, "string argument should contain only ASCII characters");
    }
    if s.is_bytes_or_bytearray() {
        return Ok(s.to_owned());
    }
    match py.memoryview(s) {
        Ok(view) => view.as_borrowed().call_method0(c"tobytes"),
        Err(err) => {
            py.catch_type_error(err)?;
            let name = class_name(s)?;
            Err(py.raise_format(
                Exception::TypeError,
                c"argument should be a bytes-like object or ASCII string, not %R",
                &name,
            ))
        }
    }
}

/// `s if isinstance(s, bytes_types) else memoryview(s).tobytes()`, what
/// the base32 and base85 encoders start with.
pub fn encode_data<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<Bound<'py>> {
    if s.is_bytes_or_bytearray() {
        return Ok(s.to_owned());
    }
    py.memoryview(s)?.as_borrowed().call_method0(c"tobytes")
}

/// `s.__class__.__name__`, which the Python code puts in its messages.
fn class_name<'py>(s: Borrowed<'_, 'py>) -> PyResult<Bound<'py>> {
    s.getattr(c"__class__")?.as_borrowed().getattr(c"__name__")
}

/// `base64._input_type_check(s)` (encodebytes, decodebytes).
pub fn input_type_check<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<()> {
    let view = match py.memoryview(s) {
        Ok(view) => view,
        Err(err) => {
            py.catch_type_error(err)?;
            let name = class_name(s)?;
            return Err(py.raise_format(
                Exception::TypeError,
                c"expected bytes-like object, not %S",
                &name,
            ));
        }
    };
    let view = view.as_borrowed();
    let format = view.getattr(c"format")?;
    if !["c", "b", "B"]
        .iter()
        .any(|f| format.as_borrowed().str_equals(f))
    {
        let name = class_name(s)?;
        return Err(py.raise_format2(
            Exception::TypeError,
            c"expected single byte elements, not %R from %S",
            &format,
            &name,
        ));
    }
    let ndim = view.getattr(c"ndim")?;
    if ndim.as_borrowed().as_i64()? != 1 {
        let name = class_name(s)?;
        return Err(py.raise_format2(
            Exception::TypeError,
            c"expected 1-D data, not %S-D data from %S",
            &ndim,
            &name,
        ));
    }
    Ok(())
}

/// `assert len(x) == n, repr(x)` (skipped under -O, like the assert).
pub fn assert_len<'py>(py: Python<'py>, x: Borrowed<'_, 'py>, n: usize) -> PyResult<()> {
    if py.asserts_enabled()? && x.size()? != n {
        let message = x.repr()?;
        return Err(py.raise_with(Exception::AssertionError, &message));
    }
    Ok(())
}

/// An encoder's output: a new `bytes` of `size(len(data))` bytes, filled
/// by `fill` from the buffer of `data`.
pub fn encode_buffer<'py>(
    py: Python<'py>,
    data: Borrowed<'_, 'py>,
    size: impl FnOnce(usize) -> Option<usize>,
    fill: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]) + Send,
) -> PyResult<Bound<'py>> {
    py.with_buffer(data, |input| {
        let Some(len) = size(input.len()) else {
            return Err(py.raise(Exception::MemoryError, ""));
        };
        let mut output = py.new_bytes(len)?;
        let storage = output.as_uninit_mut();
        input.read(|data| fill(data, storage));
        Ok(output.finish())
    })
}

/// A decoder's output: `decode` writes at most `bound(len(data))` bytes
/// from the buffer of `data` and says how many; its error becomes the
/// exception `raise` makes of it.
pub fn decode_buffer<'py, E: Send>(
    py: Python<'py>,
    data: Borrowed<'_, 'py>,
    bound: impl FnOnce(usize) -> usize,
    decode: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]) -> Result<usize, E> + Send,
    raise: impl FnOnce(E) -> PyErr,
) -> PyResult<Bound<'py>> {
    py.with_buffer(data, |input| {
        let mut output = py.new_bytes(bound(input.len()))?;
        let storage = output.as_uninit_mut();
        match input.read(|data| decode(data, storage)) {
            Ok(len) => output.finish_with_len(len),
            Err(error) => Err(raise(error)),
        }
    })
}
