//! Base32 and base32hex (RFC 4648), as `base64._b32encode`/`_b32decode`.

use core::mem::MaybeUninit;

pub const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const BASE32HEX: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";

/// Length of the padded encoding of `len` bytes.
pub fn encoded_len(len: usize) -> Option<usize> {
    len.div_ceil(5).checked_mul(8)
}

/// Encode into storage of exactly `encoded_len(input.len())` bytes.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 32]) {
    assert_eq!(Some(output.len()), encoded_len(input.len()), "output size");
    for (group, out) in input.chunks(5).zip(output.chunks_exact_mut(8)) {
        let mut padded = [0u8; 8];
        padded[3..3 + group.len()].copy_from_slice(group);
        let bits = u64::from_be_bytes(padded);
        // Characters that carry input bits; the rest are padding.
        let used = (group.len() * 8).div_ceil(5);
        for (k, slot) in out.iter_mut().enumerate() {
            let symbol = alphabet[((bits >> (35 - 5 * k)) & 0x1f) as usize];
            slot.write(if k < used { symbol } else { b'=' });
        }
    }
}

/// The errors `_b32decode` raises (binascii.Error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    IncorrectPadding,
    NonBase32Digit,
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::IncorrectPadding => "Incorrect padding",
            DecodeError::NonBase32Digit => "Non-base32 digit found",
        }
    }
}

/// Upper bound of the decoded length.
pub fn decoded_len_bound(len: usize) -> usize {
    len.div_ceil(8) * 5
}

/// Decode input already translated for `map01` and case-folded, with the
/// checks in `_b32decode`'s order; returns the length written.
pub fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 32],
) -> Result<usize, DecodeError> {
    if input.len() % 8 != 0 {
        return Err(DecodeError::IncorrectPadding);
    }
    let mut values = [0xffu8; 256];
    for (value, &symbol) in alphabet.iter().enumerate() {
        values[usize::from(symbol)] = value as u8;
    }
    let data_len = input
        .iter()
        .rposition(|&c| c != b'=')
        .map_or(0, |last| last + 1);
    let padchars = input.len() - data_len;
    let mut written = 0;
    let mut last_acc = 0u64;
    for quantum in input[..data_len].chunks(8) {
        let mut acc = 0u64;
        for &c in quantum {
            let value = values[usize::from(c)];
            if value == 0xff {
                return Err(DecodeError::NonBase32Digit);
            }
            acc = acc << 5 | u64::from(value);
        }
        for (k, slot) in output[written..written + 5].iter_mut().enumerate() {
            slot.write((acc >> (32 - 8 * k)) as u8);
        }
        written += 5;
        last_acc = acc;
    }
    if ![0, 1, 3, 4, 6].contains(&padchars) {
        return Err(DecodeError::IncorrectPadding);
    }
    if padchars > 0 && written > 0 {
        let acc = last_acc << (5 * padchars);
        let leftover = (43 - 5 * padchars) / 8;
        written -= 5;
        for (k, slot) in output[written..written + leftover].iter_mut().enumerate() {
            slot.write((acc >> (32 - 8 * k)) as u8);
        }
        written += leftover;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode_vec, encode_vec};

    #[test]
    fn rfc4648_vectors() {
        let cases: [(&[u8], &[u8], &[u8]); 6] = [
            (b"f", b"MY======", b"CO======"),
            (b"fo", b"MZXQ====", b"CPNG===="),
            (b"foo", b"MZXW6===", b"CPNMU==="),
            (b"foob", b"MZXW6YQ=", b"CPNMUOG="),
            (b"fooba", b"MZXW6YTB", b"CPNMUOJ1"),
            (b"foobar", b"MZXW6YTBOI======", b"CPNMUOJ1E8======"),
        ];
        for (plain, b32, b32hex) in cases {
            assert_eq!(
                encode_vec(plain, encoded_len(plain.len()).unwrap(), |i, o| encode(
                    i, o, BASE32
                )),
                b32
            );
            assert_eq!(
                encode_vec(plain, encoded_len(plain.len()).unwrap(), |i, o| encode(
                    i, o, BASE32HEX
                )),
                b32hex
            );
            assert_eq!(
                decode_vec(b32, decoded_len_bound(b32.len()), |i, o| decode(
                    i, o, BASE32
                )),
                Ok(plain.to_vec())
            );
        }
    }

    #[test]
    fn errors_in_python_order() {
        let run = |input: &[u8]| {
            decode_vec(input, decoded_len_bound(input.len()), |i, o| {
                decode(i, o, BASE32)
            })
        };
        assert_eq!(run(b"MY====="), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b"M1======"), Err(DecodeError::NonBase32Digit));
        assert_eq!(run(b"MY=A===="), Err(DecodeError::NonBase32Digit));
        assert_eq!(run(b"M======="), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b"========"), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b""), Ok(vec![]));
    }
}
