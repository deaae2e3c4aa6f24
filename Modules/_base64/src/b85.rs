//! Glue for Ascii85, base85 and Z85: `a85encode` ... `z85decode`.

use cpython_api::{Borrowed, Bound, Chain, Exception, Fallback, PyErr, PyResult, Python};

use core::convert::Infallible;

use crate::codec::base85::{self, A85Error, Encoding, Layout};
use crate::docs;
use crate::input::{
    decode_buffer, decode_input, encode_buffer, encode_data, flag, plain_data, plain_flag,
};

cpython_api::function! {
    #[docstring(docs::B85ENCODE)]
    pub fn b85encode(
        py,
        #[fallback] python: Fallback,
        b: Borrowed<'_, 'py>,
        pad: Option<Borrowed<'_, 'py>> = False,
    ) -> PyResult<'py, Bound<'py>> {
        encode85(py, &python, b, pad, &base85::B85)
    }
}

cpython_api::function! {
    #[docstring(docs::Z85ENCODE)]
    pub fn z85encode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        encode85(py, &python, s, None, &base85::Z85)
    }
}

cpython_api::function! {
    #[docstring(docs::B85DECODE)]
    pub fn b85decode(py, #[fallback] python: Fallback, b: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        decode85(py, &python, b, &base85::B85, "base85")
    }
}

cpython_api::function! {
    #[docstring(docs::Z85DECODE)]
    pub fn z85decode(py, #[fallback] python: Fallback, s: Borrowed<'_, 'py>)
        -> PyResult<'py, Bound<'py>>
    {
        decode85(py, &python, s, &base85::Z85, "z85")
    }
}

/// `_85encode(b, chars, chars2, pad)` for base85 and Z85 (which has no
/// `pad`).
fn encode85<'py>(
    py: Python<'py>,
    python: &Fallback<'_, '_, 'py>,
    b: Borrowed<'_, 'py>,
    pad: Option<Borrowed<'_, 'py>>,
    alphabet: &base85::Alphabet,
) -> PyResult<'py, Bound<'py>> {
    if !plain_data(b) || !plain_flag(pad) {
        return python.call();
    }
    let pad = flag(pad);
    let data = encode_data(py, b)?;
    let options = Encoding {
        pad,
        ..Encoding::default()
    };
    // `pad` matters only for a partial last group, which only the last
    // piece can hold.
    encode_buffer(
        py,
        data.as_borrowed(),
        |len| Some(base85::unfolded_len(len, pad)),
        4,
        |data, storage| base85::encode(data, alphabet, options, storage),
    )
}

/// `b85decode` and `z85decode` (which reports errors as `z85`).
fn decode85<'py>(
    py: Python<'py>,
    python: &Fallback<'_, '_, 'py>,
    b: Borrowed<'_, 'py>,
    alphabet: &base85::Alphabet,
    codec: &str,
) -> PyResult<'py, Bound<'py>> {
    if !plain_data(b) {
        return python.call();
    }
    let data = decode_input(py, b)?;
    decode_buffer(
        py,
        data.as_borrowed(),
        base85::b85_decoded_len,
        |data, storage| base85::b85_decode(data, storage, alphabet),
        |error| raise_b85_error(py, error, codec),
    )
}

/// The ValueError of `b85decode`, raised `from None` in the handler of the
/// error the Python code caught; `z85decode` raises its own from None in
/// the handler of that one.
fn raise_b85_error<'py>(py: Python<'py>, error: base85::B85Error, codec: &str) -> PyErr<'py> {
    let base85_error = match error {
        // `acc * 85 + _b85dec[c]` with `_b85dec[c]` None.
        base85::B85Error::BadCharacter(_) => raise_replacing(
            py,
            Caught::AddNone,
            Exception::ValueError,
            &error.message("base85"),
        ),
        // `packI(acc)` with acc >= 2**32.
        base85::B85Error::Overflow(_) => raise_replacing(
            py,
            Caught::PackOverflow,
            Exception::ValueError,
            &error.message("base85"),
        ),
    };
    if codec == "base85" {
        return base85_error;
    }
    let handled = py.take_exception(base85_error);
    py.raise_chained(handled, Chain::FromNone, || {
        py.raise(Exception::ValueError, &error.message(codec))
    })
}

/// The exceptions that the Python code's codec loops catch and replace.
enum Caught {
    /// `int + None`.
    AddNone,
    /// `struct.pack('!I', n)` for `n >= 2**32`.
    PackOverflow,
}

/// Raise `exception(message)` from None while handling the error `caught`
/// that the Python code raised and caught there.
fn raise_replacing<'py>(
    py: Python<'py>,
    caught: Caught,
    exception: Exception,
    message: &str,
) -> PyErr<'py> {
    let handled = match caught {
        Caught::AddNone => py
            .new_str("unsupported operand type(s) for +: 'int' and 'NoneType'")
            .and_then(|text| py.new_exception(Exception::TypeError, &text)),
        Caught::PackOverflow => py.import_attr(c"struct", c"error").and_then(|error| {
            let text = py.new_str("'I' format requires 0 <= number <= 4294967295")?;
            py.new_exception_of(&error, &text)
        }),
    };
    match handled {
        Ok(handled) => py.raise_chained(handled, Chain::FromNone, || py.raise(exception, message)),
        Err(err) => err,
    }
}

cpython_api::function! {
    #[docstring(docs::A85ENCODE)]
    pub fn a85encode(
        py,
        #[fallback] python: Fallback,
        b: Borrowed<'_, 'py>,
        *,
        foldspaces: Option<Borrowed<'_, 'py>> = False,
        wrapcol: Option<Borrowed<'_, 'py>> = 0,
        pad: Option<Borrowed<'_, 'py>> = False,
        adobe: Option<Borrowed<'_, 'py>> = False,
    ) -> PyResult<'py, Bound<'py>> {
        let plain_wrapcol =
            wrapcol.is_none_or(|wrapcol| wrapcol.is_exact_int() || wrapcol.is_exact_bool());
        let plain_flags = [foldspaces, pad, adobe].into_iter().all(plain_flag);
        if !plain_data(b) || !plain_wrapcol || !plain_flags {
            return python.call();
        }
        a85encode_plain(py, b, flag(foldspaces), wrapcol, flag(pad), flag(adobe))
    }
}

/// `a85encode` for plain flags and an `int` (or absent) `wrapcol`: then no
/// Python code runs, so the order in which the Python code evaluates them
/// cannot show.
fn a85encode_plain<'py>(
    py: Python<'py>,
    b: Borrowed<'_, 'py>,
    fold_spaces: bool,
    wrapcol: Option<Borrowed<'_, 'py>>,
    pad: bool,
    adobe: bool,
) -> PyResult<'py, Bound<'py>> {
    let wrapcol = match wrapcol {
        Some(wrapcol) if wrapcol.is_true()? => {
            // max(2 if adobe else 1, wrapcol)
            Some(wrapcol.index_saturating()?.max(if adobe { 2 } else { 1 }))
        }
        _ => None,
    };
    let data = encode_data(py, b)?;
    py.with_buffer(data.as_borrowed(), |input| {
        let pad = pad && input.len() % 4 != 0;
        let options = Encoding {
            pad,
            fold_nuls: true,
            fold_spaces,
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

cpython_api::function! {
    #[docstring(docs::A85DECODE)]
    pub fn a85decode(
        py,
        #[fallback] python: Fallback,
        b: Borrowed<'_, 'py>,
        *,
        foldspaces: Option<Borrowed<'_, 'py>> = False,
        adobe: Option<Borrowed<'_, 'py>> = False,
        ignorechars: Option<Borrowed<'_, 'py>> = b" \t\n\r\x0b",
    ) -> PyResult<'py, Bound<'py>> {
        if !plain_data(b)
            || !plain_flag(foldspaces)
            || !plain_flag(adobe)
            || !ignorechars.is_none_or(|chars| chars.is_exact_bytes())
        {
            return python.call();
        }
        a85decode_plain(py, b, flag(foldspaces), flag(adobe), ignorechars)
    }
}

/// `ignorechars`' default in a85decode's declaration.
const DEFAULT_IGNORECHARS: &[u8] = b" \t\n\r\x0b";

/// `a85decode` for plain flags and `ignorechars` of exact type `bytes`
/// (any other `ignorechars` has its `__contains__` called).
fn a85decode_plain<'py>(
    py: Python<'py>,
    b: Borrowed<'_, 'py>,
    fold_spaces: bool,
    adobe: bool,
    ignorechars: Option<Borrowed<'_, 'py>>,
) -> PyResult<'py, Bound<'py>> {
    let ignored = match ignorechars {
        Some(chars) => py.with_buffer(chars, |buffer| Ok(buffer.read(byte_set)))?,
        None => byte_set(DEFAULT_IGNORECHARS),
    };
    let data = decode_input(py, b)?;
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
            // b[2:-2] (empty for b'<~>') or b[:-2]
            range = if starts {
                2..(input.len() - 2).max(2)
            } else {
                0..input.len() - 2
            };
        }
        let bound = input.read(|data| base85::a85_decoded_len_bound(&data[range.clone()]));
        let mut output = py.new_bytes(bound)?;
        let storage = output.as_uninit_mut();
        let decoded = input.read(|data| {
            base85::a85_decode::<Infallible>(
                &data[range],
                storage,
                || Ok(fold_spaces),
                |byte| Ok(ignored[usize::from(byte)]),
            )
        });
        match decoded {
            Ok(len) => output.finish_with_len(len),
            Err(A85Error::Overflow) => Err(raise_replacing(
                py,
                Caught::PackOverflow,
                Exception::ValueError,
                "Ascii85 overflow",
            )),
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
