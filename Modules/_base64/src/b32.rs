//! Glue for Base32 and Base16: `b32encode` ... `b16decode`.

use cpython_api::{Borrowed, Bound, Chain, Exception, Fallback, PyResult, Python};

use crate::codec::{base16, base32};
use crate::docs;
use crate::input::{
    assert_len, binascii_error, decode_buffer, decode_data, decode_input, encode_buffer,
    encode_data, flag, plain_data, plain_flag,
};

cpython_api::function! {
    #[docstring(docs::B32ENCODE)]
    pub fn b32encode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode(py, &python, s, base32::BASE32)
    }
}

cpython_api::function! {
    #[docstring(docs::B32HEXENCODE)]
    pub fn b32hexencode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode(py, &python, s, base32::BASE32HEX)
    }
}

cpython_api::function! {
    #[docstring(docs::B32DECODE)]
    pub fn b32decode(
        py,
        #[fallback] python: Fallback,
        s: Borrowed<'_, 'py>,
        casefold: Option<Borrowed<'_, 'py>> = False,
        map01: Option<Borrowed<'_, 'py>> = None,
    ) -> PyResult<'py, Bound<'py>> {
        decode(py, &python, s, casefold, map01, base32::BASE32)
    }
}

cpython_api::function! {
    #[docstring(docs::B32HEXDECODE)]
    pub fn b32hexdecode(
        py,
        #[fallback] python: Fallback,
        s: Borrowed<'_, 'py>,
        casefold: Option<Borrowed<'_, 'py>> = False,
    ) -> PyResult<'py, Bound<'py>> {
        decode(py, &python, s, casefold, None, base32::BASE32HEX)
    }
}

/// `_b32encode`: `s` itself if it is `bytes` or `bytearray` (a subclass's
/// `__len__`, `__add__` and `__getitem__` would be called: the Python
/// code handles those).
fn encode<'py>(
    py: Python<'py>,
    python: &Fallback<'_, '_, 'py>,
    s: Borrowed<'_, 'py>,
    alphabet: &[u8; 32],
) -> PyResult<'py, Bound<'py>> {
    if !plain_data(s) {
        return python.call();
    }
    let data = encode_data(py, s)?;
    encode_buffer(
        py,
        data.as_borrowed(),
        base32::encoded_len,
        5,
        |data, storage| base32::encode(data, storage, alphabet),
    )
}

/// `base64._b32decode`: the length check, then `map01`, then `casefold`,
/// then the digits and the padding.
fn decode<'py>(
    py: Python<'py>,
    python: &Fallback<'_, '_, 'py>,
    s: Borrowed<'_, 'py>,
    casefold: Option<Borrowed<'_, 'py>>,
    map01: Option<Borrowed<'_, 'py>>,
    alphabet: &[u8; 32],
) -> PyResult<'py, Bound<'py>> {
    let map01 = map01.filter(|map01| !map01.is_none());
    if !plain_data(s) || !map01.is_none_or(plain_data) || !plain_flag(casefold) {
        return python.call();
    }
    let data = decode_input(py, s)?;
    let data = data.as_borrowed();
    if data.size()? % 8 != 0 {
        return Err(binascii_error(
            py,
            base32::DecodeError::IncorrectPadding.message(),
        ));
    }
    let mut map: [u8; 256] = crate::codec::base64::identity_map();
    if let Some(map01) = map01 {
        let map01 = decode_data(py, map01)?;
        assert_len(py, map01.as_borrowed(), 1)?;
        let one = py.with_buffer(map01.as_borrowed(), |buffer| {
            if buffer.len() != 1 {
                return Err(py.raise(
                    Exception::ValueError,
                    "maketrans arguments must have same length",
                ));
            }
            Ok(buffer.read(|data| data[0]))
        })?;
        map[usize::from(b'0')] = b'O';
        map[usize::from(b'1')] = one;
    }
    if flag(casefold) {
        for entry in map.iter_mut() {
            *entry = entry.to_ascii_uppercase();
        }
    }
    decode_buffer(
        py,
        data,
        base32::decoded_len_bound,
        |data, storage| base32::decode(data, storage, &map, alphabet),
        |error| match error {
            // `b32rev[c]` raised KeyError(c), which the Python code
            // replaced: raise binascii.Error(...) from None.
            base32::DecodeError::NonBase32Digit(c) => match py.new_int(i64::from(c)) {
                Ok(key) => match py.new_exception(Exception::KeyError, &key) {
                    Ok(handled) => py.raise_chained(handled, Chain::FromNone, || {
                        binascii_error(py, error.message())
                    }),
                    Err(err) => err,
                },
                Err(err) => err,
            },
            base32::DecodeError::IncorrectPadding => binascii_error(py, error.message()),
        },
    )
}

cpython_api::function! {
    #[docstring(docs::B16ENCODE)]
    pub fn b16encode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode_buffer(py, s, |len| len.checked_mul(2), 1, base16::encode)
    }
}

cpython_api::function! {
    #[docstring(docs::B16DECODE)]
    pub fn b16decode(
        py,
        #[fallback] python: Fallback,
        s: Borrowed<'_, 'py>,
        casefold: Option<Borrowed<'_, 'py>> = False,
    ) -> PyResult<'py, Bound<'py>> {
        if !plain_data(s) || !plain_flag(casefold) {
            return python.call();
        }
        let data = decode_input(py, s)?;
        let casefold = flag(casefold);
        decode_buffer(
            py,
            data.as_borrowed(),
            |len| len / 2,
            |data, storage| base16::decode(data, storage, casefold).map(|()| data.len() / 2),
            |error| binascii_error(py, error.message()),
        )
    }
}
