//! Glue for Base32 and Base16: `b32encode` ... `b16decode`.

use cpython_api::{Args, Borrowed, Bound, Chain, Exception, Param, PyResult, Python};

use crate::codec::{base16, base32};
use crate::docs;
use crate::input::{
    assert_len, binascii_error, decode_buffer, decode_data, encode_buffer, encode_data, flag,
    plain_data, plain_flag, required,
};

function!(
    B32Encode,
    c"b32encode",
    docs::B32ENCODE,
    [Param::required("s")],
    |py, args| b32encode(py, args, base32::BASE32)
);

function!(
    B32HexEncode,
    c"b32hexencode",
    docs::B32HEXENCODE,
    [Param::required("s")],
    |py, args| b32encode(py, args, base32::BASE32HEX)
);

function!(
    B32Decode,
    c"b32decode",
    docs::B32DECODE,
    [
        Param::required("s"),
        Param::optional("casefold"),
        Param::optional("map01")
    ],
    |py, args| b32decode(py, args, args.get(2), base32::BASE32)
);

function!(
    B32HexDecode,
    c"b32hexdecode",
    docs::B32HEXDECODE,
    [Param::required("s"), Param::optional("casefold")],
    |py, args| b32decode(py, args, None, base32::BASE32HEX)
);

/// `_b32encode`: `s` itself if it is `bytes` or `bytearray` (a subclass's
/// `__len__`, `__add__` and `__getitem__` would be called: the Python
/// code handles those).
fn b32encode<'py>(
    py: Python<'py>,
    args: &Args<'_, 'py>,
    alphabet: &[u8; 32],
) -> PyResult<'py, Bound<'py>> {
    let s = required(args, 0);
    if !plain_data(s) {
        return args.call_python();
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
fn b32decode<'py>(
    py: Python<'py>,
    args: &Args<'_, 'py>,
    map01: Option<Borrowed<'_, 'py>>,
    alphabet: &[u8; 32],
) -> PyResult<'py, Bound<'py>> {
    let s = required(args, 0);
    let map01 = map01.filter(|map01| !map01.is_none());
    if !plain_data(s) || !map01.is_none_or(plain_data) || !plain_flag(args.get(1)) {
        return args.call_python();
    }
    let data = decode_data(py, s)?;
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
    if flag(args, 1) {
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

function!(
    B16Encode,
    c"b16encode",
    docs::B16ENCODE,
    [Param::required("s")],
    |py, args| {
        encode_buffer(
            py,
            required(args, 0),
            |len| len.checked_mul(2),
            1,
            base16::encode,
        )
    }
);

function!(
    B16Decode,
    c"b16decode",
    docs::B16DECODE,
    [Param::required("s"), Param::optional("casefold")],
    |py, args| {
        let s = required(args, 0);
        if !plain_data(s) || !plain_flag(args.get(1)) {
            return args.call_python();
        }
        let data = decode_data(py, s)?;
        let casefold = flag(args, 1);
        decode_buffer(
            py,
            data.as_borrowed(),
            |len| len / 2,
            |data, storage| base16::decode(data, storage, casefold).map(|()| data.len() / 2),
            |error| binascii_error(py, error.message()),
        )
    }
);
