//! How `Lib/base64.py` accepts its inputs, and its shared error helpers.
//!
//! The functions here model the inputs whose handling by the Python code
//! runs no Python code of the caller's: exact `bytes`, `bytearray`, `str`
//! and `memoryview`, other buffer exporters (whose `__buffer__` is called
//! as often and when the Python code calls it), and flags that are
//! `None`, `bool` or `int`.  For anything else (subclasses whose methods
//! the Python code calls, flags whose `__bool__` it calls), the glue hands
//! the call to the Python function (`#[fallback]` in
//! [`cpython_api::function!`]).

use core::mem::MaybeUninit;

use cpython_api::{Borrowed, Bound, Chain, ChunkedView, Exception, PyErr, PyResult, Python};

/// Whether the Python code's use of data argument `s` runs no Python code
/// of the caller's beyond `__buffer__`: anything but a subclass of `str`,
/// `bytes` or `bytearray` (whose `encode`, `translate`, `__len__`,
/// `__getitem__`, `__add__`, ... the Python code would call).
pub fn plain_data(s: Borrowed<'_, '_>) -> bool {
    // The common case first: one comparison of type pointers.
    if s.is_exact_bytes() {
        return true;
    }
    if s.is_str() {
        return s.is_exact_str();
    }
    !s.is_bytes_or_bytearray() || s.is_exact_bytes() || s.is_exact_bytearray()
}

/// Whether `bool(value)` runs no Python code: `None`, `bool` or `int`
/// (not subclasses, which may define `__bool__`).
pub fn plain_flag(value: Option<Borrowed<'_, '_>>) -> bool {
    value.is_none_or(|value| value.is_none() || value.is_exact_bool() || value.is_exact_int())
}

/// `bool()` of an optional argument whose default is false.  Call it only
/// for a [`plain_flag`]: it runs no Python code and cannot fail.
pub fn flag(value: Option<Borrowed<'_, '_>>) -> bool {
    value.is_some_and(|value| {
        value
            .is_true()
            .expect("bool() of a plain flag does not fail")
    })
}

/// Raise `binascii.Error(message)`.
pub fn binascii_error<'py>(py: Python<'py>, message: &str) -> PyErr<'py> {
    match py.import_attr(c"binascii", c"Error") {
        Ok(error) => py.raise_type(&error, message),
        Err(err) => err,
    }
}

/// `base64._bytes_from_decode_data(s)` for a [`plain_data`] `s`: ASCII
/// `str`, `bytes`/`bytearray` as they are, any other buffer copied by
/// `memoryview(s).tobytes()`.
pub fn decode_data<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    if s.is_exact_bytes() {
        return Ok(s.to_owned());
    }
    if s.is_str() {
        return py.ascii_bytes(s, "string argument should contain only ASCII characters");
    }
    if s.is_bytes_or_bytearray() {
        return Ok(s.to_owned());
    }
    match py.memoryview(s) {
        Ok(view) => view.as_borrowed().call_method0(c"tobytes"),
        Err(err) => {
            let handled = py.catch_type_error(err)?;
            let name = class_name(s)?;
            // raise TypeError(...) from None
            Err(py.raise_chained(handled, Chain::FromNone, || {
                py.raise_message(Exception::TypeError, |message| {
                    message
                        .text("argument should be a bytes-like object or ASCII string, not ")?
                        .repr(&name)
                })
            }))
        }
    }
}

/// [`decode_data`] for a data argument that is only read as a buffer: a
/// byte memoryview is taken as it is, since its buffer holds exactly the
/// bytes `tobytes()` would copy and nothing can tell the two apart
/// (`altchars` and `map01` keep the copy: its repr is in the Python
/// code's assertion message).
pub fn decode_input<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    if s.is_byte_memoryview() {
        return Ok(s.to_owned());
    }
    decode_data(py, s)
}

/// `s if isinstance(s, bytes_types) else memoryview(s).tobytes()`, what
/// the base32 and base85 encoders start with; a byte memoryview is taken
/// as it is (see [`decode_input`]), since the result is only read as a
/// buffer.
pub fn encode_data<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    if s.is_bytes_or_bytearray() || s.is_byte_memoryview() {
        return Ok(s.to_owned());
    }
    py.memoryview(s)?.as_borrowed().call_method0(c"tobytes")
}

/// `s.__class__.__name__`, which the Python code puts in its messages.
fn class_name<'py>(s: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    s.getattr(c"__class__")?.as_borrowed().getattr(c"__name__")
}

/// `base64._input_type_check(s)` (encodebytes, decodebytes).
pub fn input_type_check<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
    // Their memoryview is always 1-D of format "B", and making it runs no
    // code of the caller's: the check passes without it.
    if s.is_exact_bytes() || s.is_exact_bytearray() {
        return Ok(());
    }
    let view = match py.memoryview(s) {
        Ok(view) => view,
        Err(err) => {
            let handled = py.catch_type_error(err)?;
            let name = class_name(s)?;
            // raise TypeError(msg) from err
            return Err(py.raise_chained(handled, Chain::FromHandled, || {
                py.raise_message(Exception::TypeError, |message| {
                    message.text("expected bytes-like object, not ")?.str(&name)
                })
            }));
        }
    };
    let view = view.as_borrowed();
    let format = view.getattr(c"format")?;
    if !["c", "b", "B"]
        .iter()
        .any(|f| format.as_borrowed().str_equals(f))
    {
        let name = class_name(s)?;
        return Err(py.raise_message(Exception::TypeError, |message| {
            message
                .text("expected single byte elements, not ")?
                .repr(&format)?
                .text(" from ")?
                .str(&name)
        }));
    }
    let ndim = view.getattr(c"ndim")?;
    if ndim.as_borrowed().as_i64()? != 1 {
        let name = class_name(s)?;
        return Err(py.raise_message(Exception::TypeError, |message| {
            message
                .text("expected 1-D data, not ")?
                .str(&ndim)?
                .text("-D data from ")?
                .str(&name)
        }));
    }
    Ok(())
}

/// `assert len(x) == n, repr(x)` (skipped under -O, like the assert).
pub fn assert_len<'py>(py: Python<'py>, x: Borrowed<'_, 'py>, n: usize) -> PyResult<'py, ()> {
    if py.asserts_enabled() && x.size()? != n {
        let message = x.repr()?;
        return Err(py.raise_with(Exception::AssertionError, &message));
    }
    Ok(())
}

/// An encoder's output: a new `bytes` of `size(len(data))` bytes, filled
/// by `fill` from the buffer of `data`, a piece at a time (see
/// `ChunkedView::read_chunks`): every piece but the last is a multiple of
/// `unit` bytes, whose encoding is `size` of its length and starts at
/// `size` of its offset, as for codecs that encode groups of `unit` bytes
/// independently.
pub fn encode_buffer<'py>(
    py: Python<'py>,
    data: Borrowed<'_, 'py>,
    size: impl Fn(usize) -> Option<usize> + Sync,
    unit: usize,
    fill: impl FnMut(&[u8], &mut [MaybeUninit<u8>]) + Send,
) -> PyResult<'py, Bound<'py>> {
    py.with_buffer_in_chunks(data, |input| {
        let Some(len) = size(input.len()) else {
            return Err(py.no_memory());
        };
        let mut output = py.new_bytes(len)?;
        fill_in_chunks(input, output.as_uninit_mut(), size, unit, fill);
        Ok(output.finish())
    })
}

/// `fill` each piece of `input` (`ChunkedView::read_chunks` by `unit`)
/// into its place in `storage`, which holds `size(input.len())` bytes:
/// `size` of the piece's length, at `size` of its offset (see
/// `encode_buffer`).
pub fn fill_in_chunks(
    input: &ChunkedView<'_>,
    storage: &mut [MaybeUninit<u8>],
    size: impl Fn(usize) -> Option<usize> + Sync,
    unit: usize,
    mut fill: impl FnMut(&[u8], &mut [MaybeUninit<u8>]) + Send,
) {
    input.read_chunks(unit, |offset, piece| {
        // Both fit: they are at most the whole output's length.
        let start = size(offset).expect("within the output");
        let end = start + size(piece.len()).expect("within the output");
        fill(piece, &mut storage[start..end]);
    });
}

/// A decoder's output: `decode` writes at most `bound(len(data))` bytes
/// from the buffer of `data` and says how many; its error becomes the
/// exception `raise` makes of it.
pub fn decode_buffer<'py, E: Send>(
    py: Python<'py>,
    data: Borrowed<'_, 'py>,
    bound: impl FnOnce(usize) -> usize,
    decode: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]) -> Result<usize, E> + Send,
    raise: impl FnOnce(E) -> PyErr<'py>,
) -> PyResult<'py, Bound<'py>> {
    py.with_buffer(data, |input| {
        let mut output = py.new_bytes(bound(input.len()))?;
        let storage = output.as_uninit_mut();
        match input.read(|data| decode(data, storage)) {
            Ok(len) => output.finish_with_len(len),
            Err(error) => Err(raise(error)),
        }
    })
}
