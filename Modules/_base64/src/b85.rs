//! Glue for Ascii85, base85 and Z85: `a85encode` ... `z85decode`.

use cpython_api::{Args, Borrowed, Bound, Exception, Param, PyResult, Python};

use crate::codec::base85::{self, A85Error, Encoding, Layout};
use crate::docs;
use crate::input::{decode_buffer, decode_data, encode_data, flag, required};

function!(
    B85Encode,
    c"b85encode",
    docs::B85ENCODE,
    [Param::required("b"), Param::optional("pad")],
    |py, args| encode85(py, required(args, 0), args.get(1), &base85::B85)
);

function!(
    Z85Encode,
    c"z85encode",
    docs::Z85ENCODE,
    [Param::required("s")],
    |py, args| encode85(py, required(args, 0), None, &base85::Z85)
);

function!(
    B85Decode,
    c"b85decode",
    docs::B85DECODE,
    [Param::required("b")],
    |py, args| decode85(py, required(args, 0), &base85::B85, "base85")
);

function!(
    Z85Decode,
    c"z85decode",
    docs::Z85DECODE,
    [Param::required("s")],
    |py, args| decode85(py, required(args, 0), &base85::Z85, "z85")
);

/// `_85encode(b, chars, chars2, pad)` for base85 and Z85: `pad` is only
/// looked at when the input is not a whole number of groups.
fn encode85<'py>(
    py: Python<'py>,
    b: Borrowed<'_, 'py>,
    pad: Option<Borrowed<'_, 'py>>,
    alphabet: &base85::Alphabet,
) -> PyResult<Bound<'py>> {
    let data = encode_data(py, b)?;
    py.with_buffer(data.as_borrowed(), |input| {
        let pad = match pad {
            Some(pad) if input.len() % 4 != 0 => pad.is_true()?,
            _ => false,
        };
        let options = Encoding {
            pad,
            ..Encoding::default()
        };
        let len = base85::unfolded_len(input.len(), pad);
        let mut output = py.new_bytes(len)?;
        let storage = output.as_uninit_mut();
        input.read(|data| base85::encode(data, alphabet, options, storage));
        Ok(output.finish())
    })
}

/// `b85decode` and `z85decode` (which reports errors as `z85`).
fn decode85<'py>(
    py: Python<'py>,
    b: Borrowed<'_, 'py>,
    alphabet: &base85::Alphabet,
    codec: &str,
) -> PyResult<Bound<'py>> {
    let data = decode_data(py, b)?;
    decode_buffer(
        py,
        data.as_borrowed(),
        base85::b85_decoded_len,
        |data, storage| base85::b85_decode(data, storage, alphabet),
        |error| py.raise(Exception::ValueError, &error.message(codec)),
    )
}

function!(
    A85Encode,
    c"a85encode",
    docs::A85ENCODE,
    [
        Param::required("b"),
        Param::keyword_only("foldspaces"),
        Param::keyword_only("wrapcol"),
        Param::keyword_only("pad"),
        Param::keyword_only("adobe")
    ],
    |py, args| a85encode(py, args)
);

/// `a85encode`: the Python code evaluates `pad` only for a partial last
/// group, `foldspaces` only for non-zero groups, then `adobe`, `wrapcol`.
fn a85encode<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<Bound<'py>> {
    let data = encode_data(py, required(args, 0))?;
    py.with_buffer(data.as_borrowed(), |input| {
        let pad = if input.len() % 4 != 0 {
            flag(args, 3)?
        } else {
            false
        };
        let any_nonzero = input.read(|data| data.iter().any(|&byte| byte != 0));
        let fold_spaces = if any_nonzero { flag(args, 1)? } else { false };
        let options = Encoding {
            pad,
            fold_nuls: true,
            fold_spaces,
        };
        let adobe = flag(args, 4)?;
        let wrapcol = match args.get(2) {
            Some(wrapcol) if wrapcol.is_true()? => {
                let low = py.new_int(if adobe { 2 } else { 1 })?;
                // max(low, wrapcol): wrapcol if it compares greater.
                let width = if wrapcol.gt(low.as_borrowed())? {
                    wrapcol
                } else {
                    low.as_borrowed()
                };
                Some(width.index_saturating()?.max(1))
            }
            _ => None,
        };
        let layout = Layout { adobe, wrapcol };
        // Allocated for no folds and shrunk after: finding the length first
        // would read the input twice.
        let bound = layout.len(base85::unfolded_len(input.len(), pad));
        let mut output = py.new_bytes(bound)?;
        let storage = output.as_uninit_mut();
        let len = input.read(|data| layout.write(data, options, storage));
        output.finish_with_len(len)
    })
}

function!(
    A85Decode,
    c"a85decode",
    docs::A85DECODE,
    [
        Param::required("b"),
        Param::keyword_only("foldspaces"),
        Param::keyword_only("adobe"),
        Param::keyword_only("ignorechars")
    ],
    |py, args| a85decode(py, args)
);

const DEFAULT_IGNORECHARS: &[u8] = b" \t\n\r\x0b";

fn a85decode<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<Bound<'py>> {
    let data = decode_data(py, required(args, 0))?;
    let adobe = flag(args, 2)?;
    let ignorechars = args.get(3);
    let fixed_ignored: Option<[bool; 256]> = match ignorechars {
        None => Some(byte_set(DEFAULT_IGNORECHARS)),
        Some(chars) if chars.is_exact_bytes() => {
            Some(py.with_buffer(chars, |buffer| Ok(buffer.read(byte_set)))?)
        }
        Some(_) => None,
    };
    py.with_buffer(data.as_borrowed(), |input| {
        let mut range = 0..input.len();
        if adobe {
            let (starts, ends) =
                input.read(|data| (data.starts_with(b"<~"), data.ends_with(b"~>")));
            if !ends {
                return Err(py.raise(
                    Exception::ValueError,
                    "Ascii85 encoded byte sequences must end with b'~>'",
                ));
            }
            range = if starts && input.len() >= 4 {
                2..input.len() - 2
            } else {
                0..input.len() - 2
            };
            if starts && input.len() < 4 {
                // b'<~>': b[2:-2] is empty.
                range = 0..0;
            }
        }
        let bound = input.read(|data| base85::a85_decoded_len_bound(&data[range.clone()]));
        let mut output = py.new_bytes(bound)?;
        let storage = output.as_uninit_mut();
        // The callbacks may run Python code, so the input is copied first.
        let body = input.read(|data| data[range.clone()].to_vec());
        let fold_spaces = || flag(args, 1);
        let ignored = |byte: u8| match (&fixed_ignored, ignorechars) {
            (Some(set), _) => Ok(set[usize::from(byte)]),
            (None, Some(chars)) => chars.contains_int(i64::from(byte)),
            (None, None) => Ok(false),
        };
        match base85::a85_decode(&body, storage, fold_spaces, ignored) {
            Ok(len) => output.finish_with_len(len),
            Err(A85Error::Callback(err)) => Err(err),
            Err(error) => {
                Err(py.raise(Exception::ValueError, &error.message().unwrap_or_default()))
            }
        }
    })
}

fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    for &byte in bytes {
        set[usize::from(byte)] = true;
    }
    set
}
