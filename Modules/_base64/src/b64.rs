//! Glue for the Base64 functions: `b64encode` ... `decodebytes`.

use cpython_api::{Borrowed, Bound, Exception, PY_VERSION, PyResult, Python};

use crate::codec::base64::{self as codec, PaddingRules};
use crate::docs;
use crate::input::{
    assert_len, binascii_error, decode_data, decode_input, encode_buffer, fill_in_chunks, flag,
    input_type_check, plain_data, plain_flag,
};

/// binascii's limit on b2a_base64 input (`BASE64_MAXBIN`): larger inputs
/// raise binascii.Error, reachable on 32-bit platforms.
const BASE64_MAXBIN: usize = (isize::MAX as usize - 3) / 2;

cpython_api::function! {
    #[docstring(docs::B64ENCODE)]
    pub fn b64encode(
        py,
        #[fallback] python: Fallback,
        s: Borrowed<'_, 'py>,
        altchars: Option<Borrowed<'_, 'py>> = None,
    ) -> PyResult<'py, Bound<'py>> {
        let altchars = altchars.filter(|altchars| !altchars.is_none());
        encode(py, s, altchars, &codec::STANDARD)
    }
}

cpython_api::function! {
    #[docstring(docs::STANDARD_B64ENCODE)]
    pub fn standard_b64encode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode(py, s, None, &codec::STANDARD)
    }
}

cpython_api::function! {
    #[docstring(docs::URLSAFE_B64ENCODE)]
    pub fn urlsafe_b64encode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode(py, s, None, &codec::URLSAFE)
    }
}

cpython_api::function! {
    #[docstring(docs::B64DECODE)]
    pub fn b64decode(
        py,
        #[fallback] python: Fallback,
        s: Borrowed<'_, 'py>,
        altchars: Option<Borrowed<'_, 'py>> = None,
        validate: Option<Borrowed<'_, 'py>> = False,
    ) -> PyResult<'py, Bound<'py>> {
        let altchars = altchars.filter(|altchars| !altchars.is_none());
        if !plain_data(s) || !altchars.is_none_or(plain_data) || !plain_flag(validate) {
            return python.call();
        }
        let data = decode_input(py, s)?;
        let Some(altchars) = altchars else {
            return a2b_base64(py, data.as_borrowed(), &codec::NO_TRANSLATION, flag(validate));
        };
        let altchars = decode_data(py, altchars)?;
        let pair = altchars_pair(py, altchars.as_borrowed())?;
        let mut map = codec::identity_map();
        // bytes.maketrans(altchars, b'+/'): the second entry wins.
        map[usize::from(pair[0])] = b'+';
        map[usize::from(pair[1])] = b'/';
        a2b_base64(py, data.as_borrowed(), &map, flag(validate))
    }
}

cpython_api::function! {
    #[docstring(docs::STANDARD_B64DECODE)]
    pub fn standard_b64decode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        if !plain_data(s) {
            return python.call();
        }
        let data = decode_input(py, s)?;
        a2b_base64(py, data.as_borrowed(), &codec::NO_TRANSLATION, false)
    }
}

cpython_api::function! {
    #[docstring(docs::URLSAFE_B64DECODE)]
    pub fn urlsafe_b64decode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        if !plain_data(s) {
            return python.call();
        }
        let data = decode_input(py, s)?;
        a2b_base64(py, data.as_borrowed(), &codec::URLSAFE_TRANSLATION, false)
    }
}

cpython_api::function! {
    #[docstring(docs::ENCODEBYTES)]
    pub fn encodebytes(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode_as_lines(py, s)
    }
}

cpython_api::function! {
    #[docstring(docs::DECODEBYTES)]
    pub fn decodebytes(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        input_type_check(py, s)?;
        a2b_base64(py, s, &codec::NO_TRANSLATION, false)
    }
}

/// `binascii.b2a_base64(s, newline=False)` with `alphabet`, then the
/// `altchars` translation of `b64encode`:
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
fn encode<'py>(
    py: Python<'py>,
    s: Borrowed<'_, 'py>,
    altchars: Option<Borrowed<'_, 'py>>,
    alphabet: &[u8; 64],
) -> PyResult<'py, Bound<'py>> {
    let (final_altchars, translate_after) = match altchars {
        Some(altchars) if altchars.is_exact_bytes() => (Some(altchars), None),
        other => (None, other),
    };
    let encoded = py.with_buffer_in_chunks(s, |input| {
        if input.len() > BASE64_MAXBIN {
            return Err(binascii_error(py, "Too much data for base64 line"));
        }
        let alphabet = match final_altchars {
            Some(altchars) => codec::with_altchars(altchars_pair(py, altchars)?),
            None => *alphabet,
        };
        let Some(len) = codec::encoded_len(input.len()) else {
            return Err(py.no_memory());
        };
        let mut output = py.new_bytes(len)?;
        fill_in_chunks(
            input,
            output.as_uninit_mut(),
            codec::encoded_len,
            3,
            |chunk, out| codec::encode(chunk, out, &alphabet),
        );
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
/// `assert len(altchars) == 2, repr(altchars)` and
/// `bytes.maketrans(..., altchars)`.
fn altchars_pair<'py>(py: Python<'py>, altchars: Borrowed<'_, 'py>) -> PyResult<'py, [u8; 2]> {
    assert_len(py, altchars, 2)?;
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
) -> PyResult<'py, Bound<'py>> {
    let mut table: [u8; 256] = codec::identity_map();
    table[usize::from(b'+')] = alphabet[62];
    table[usize::from(b'/')] = alphabet[63];
    encode_buffer(py, encoded.as_borrowed(), Some, 1, |data, storage| {
        for (out, &byte) in storage.iter_mut().zip(data) {
            out.write(table[usize::from(byte)]);
        }
    })
}

/// `binascii.a2b_base64(data.translate(map), strict_mode=strict)` with the
/// padding rules of this CPython release.  Like binascii's argument
/// converter, it replaces the error of a buffer it cannot export.
fn a2b_base64<'py>(
    py: Python<'py>,
    data: Borrowed<'_, 'py>,
    map: &[u8; 256],
    strict: bool,
) -> PyResult<'py, Bound<'py>> {
    let rules = PaddingRules::for_version(PY_VERSION);
    let export_error = |err| {
        let _replaced = py.take_exception(err);
        py.raise_message(Exception::TypeError, |message| {
            message
                .text("argument should be bytes, buffer or ASCII string, not '")?
                .str(&data.type_tp_name(100)?)?
                .text("'")
        })
    };
    py.with_buffer_or(data, export_error, |input| {
        let bound = input.read(|data| codec::decoded_len_bound(data, map));
        let mut output = py.new_bytes(bound)?;
        let storage = output.as_uninit_mut();
        match input.read(|data| codec::decode(data, storage, map, strict, rules)) {
            Ok(len) => output.finish_with_len(len),
            Err(error) => Err(binascii_error(py, &error.message())),
        }
    })
}

/// `base64.encodebytes(s)`: lines of 76 characters from 57-byte slices
/// `s[i:i + 57]`, each encoded by `binascii.b2a_base64`.
fn encode_as_lines<'py>(py: Python<'py>, s: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    input_type_check(py, s)?;
    // For these types len() and slicing are those of the bytes in the
    // buffer, so one pass over the buffer gives the same lines.
    if s.is_exact_bytes() || s.is_exact_bytearray() || s.is_exact_memoryview() {
        if s.size()? == 0 {
            return Ok(py.new_bytes(0)?.finish());
        }
        return encode_buffer_lines(py, s);
    }
    // Any other exporter: its own len() and slicing, like the Python code.
    let len = s.size()?;
    let mut lines = Vec::new();
    if lines
        .try_reserve_exact(len.div_ceil(codec::LINE_INPUT))
        .is_err()
    {
        return Err(py.no_memory());
    }
    for start in (0..len).step_by(codec::LINE_INPUT) {
        let chunk = s.get_slice(start, start + codec::LINE_INPUT)?;
        lines.push(b2a_base64_line(py, chunk.as_borrowed())?);
    }
    // b"".join(pieces)
    let mut total: usize = 0;
    for line in &lines {
        let sum = total.checked_add(line.as_borrowed().size()?);
        let Some(sum) = sum.filter(|&sum| isize::try_from(sum).is_ok()) else {
            return Err(py.raise(Exception::OverflowError, "join() result is too long"));
        };
        total = sum;
    }
    let mut output = py.new_bytes(total)?;
    let storage = output.as_uninit_mut();
    let mut at = 0;
    for line in &lines {
        py.with_buffer(line.as_borrowed(), |input| {
            let end = at + input.len();
            let slots = &mut storage[at..end];
            input.read(|data| {
                for (slot, &byte) in slots.iter_mut().zip(data) {
                    slot.write(byte);
                }
            });
            at = end;
            Ok(())
        })?;
    }
    Ok(output.finish())
}

/// `binascii.b2a_base64(data)` for each 57 bytes of `data`, joined.
fn encode_buffer_lines<'py>(py: Python<'py>, data: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    encode_buffer(
        py,
        data,
        codec::encoded_lines_len,
        codec::LINE_INPUT,
        codec::encode_lines,
    )
}

/// `binascii.b2a_base64(chunk)`: one line, however long the chunk that a
/// `__getitem__` returned (`b"\n"` for an empty one).
fn b2a_base64_line<'py>(py: Python<'py>, chunk: Borrowed<'_, 'py>) -> PyResult<'py, Bound<'py>> {
    py.with_buffer(chunk, |input| {
        if input.len() > BASE64_MAXBIN {
            return Err(binascii_error(py, "Too much data for base64 line"));
        }
        let Some(len) = codec::encoded_len(input.len()).and_then(|len| len.checked_add(1)) else {
            return Err(py.no_memory());
        };
        let mut output = py.new_bytes(len)?;
        let storage = output.as_uninit_mut();
        let (line, newline) = storage.split_at_mut(len - 1);
        input.read(|data| codec::encode(data, line, &codec::STANDARD));
        newline[0].write(b'\n');
        Ok(output.finish())
    })
}
