//! Base16 (RFC 4648): `binascii.hexlify(s).upper()` and `b16decode`.

use core::mem::MaybeUninit;

const DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// Encode into storage of exactly `2 * input.len()` bytes.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>]) {
    assert_eq!(output.len(), input.len() * 2, "output size");
    for (&byte, out) in input.iter().zip(output.chunks_exact_mut(2)) {
        out[0].write(DIGITS[usize::from(byte >> 4)]);
        out[1].write(DIGITS[usize::from(byte & 0xf)]);
    }
}

/// The errors `b16decode` raises (binascii.Error), in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    NonBase16Digit,
    OddLength,
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::NonBase16Digit => "Non-base16 digit found",
            DecodeError::OddLength => "Odd-length string",
        }
    }
}

fn value(digit: u8, casefold: bool) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' if casefold => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// Decode into storage of `input.len() / 2` bytes.
pub fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> Result<(), DecodeError> {
    if input.iter().any(|&c| value(c, casefold).is_none()) {
        return Err(DecodeError::NonBase16Digit);
    }
    if input.len() % 2 != 0 {
        return Err(DecodeError::OddLength);
    }
    for (pair, out) in input.chunks_exact(2).zip(output.iter_mut()) {
        let high = value(pair[0], casefold).unwrap_or(0);
        let low = value(pair[1], casefold).unwrap_or(0);
        out.write(high << 4 | low);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode_vec, encode_vec};

    #[test]
    fn round_trip_every_byte() {
        let input: Vec<u8> = (0..=255).collect();
        let encoded = encode_vec(&input, 512, encode);
        assert_eq!(&encoded[..6], b"000102");
        let decoded = decode_vec(&encoded, 256, |i, o| decode(i, o, false).map(|()| 256));
        assert_eq!(decoded, Ok(input));
    }

    #[test]
    fn errors() {
        let run = |input: &[u8], casefold| {
            decode_vec(input, input.len() / 2, |i, o| {
                decode(i, o, casefold).map(|()| i.len() / 2)
            })
        };
        assert_eq!(run(b"0g", false), Err(DecodeError::NonBase16Digit));
        assert_eq!(run(b"0a", false), Err(DecodeError::NonBase16Digit));
        assert_eq!(run(b"0a", true), Ok(vec![10]));
        assert_eq!(run(b"0A0", false), Err(DecodeError::OddLength));
        assert_eq!(run(b"0Ag", false), Err(DecodeError::NonBase16Digit));
    }
}
