//! Base32 and base32hex (RFC 4648), as `base64._b32encode`/`_b32decode`.

use core::mem::MaybeUninit;

pub const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const BASE32HEX: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";

/// Length of the padded encoding of `len` bytes.
pub fn encoded_len(len: usize) -> Option<usize> {
    len.div_ceil(5).checked_mul(8)
}

/// Encode into storage of exactly `encoded_len(input.len())` bytes: whole
/// 5-byte groups as one 40-bit word each, then the padded tail.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 32]) {
    assert_eq!(Some(output.len()), encoded_len(input.len()), "output size");
    let symbol = |bits: u64, k: usize| alphabet[((bits >> (35 - 5 * k)) & 0x1f) as usize];
    let groups = input.chunks_exact(5);
    let tail = groups.remainder();
    let mut outputs = output.chunks_exact_mut(8);
    for (group, out) in groups.zip(&mut outputs) {
        let bits = u64::from_be_bytes([0, 0, 0, group[0], group[1], group[2], group[3], group[4]]);
        for (k, slot) in out.iter_mut().enumerate() {
            slot.write(symbol(bits, k));
        }
    }
    if let Some(out) = outputs.next() {
        let mut padded = [0u8; 8];
        padded[3..3 + tail.len()].copy_from_slice(tail);
        let bits = u64::from_be_bytes(padded);
        // Characters that carry input bits; the rest are padding.
        let used = (tail.len() * 8).div_ceil(5);
        for (k, slot) in out.iter_mut().enumerate() {
            slot.write(if k < used { symbol(bits, k) } else { b'=' });
        }
    }
}

/// The errors `_b32decode` raises (binascii.Error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    IncorrectPadding,
    /// With the first byte (after the translation) that is not a digit.
    NonBase32Digit(u8),
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::IncorrectPadding => "Incorrect padding",
            DecodeError::NonBase32Digit(_) => "Non-base32 digit found",
        }
    }
}

/// Upper bound of the decoded length.
pub fn decoded_len_bound(len: usize) -> usize {
    len.div_ceil(8) * 5
}

/// Decode `input.translate(map)` (`map01` and case folding) with the
/// checks in `_b32decode`'s order; returns the length written.
pub fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    map: &[u8; 256],
    alphabet: &[u8; 32],
) -> Result<usize, DecodeError> {
    /// Not a symbol: the high bit, never set in a symbol's value.
    const INVALID: u8 = 0x80;
    if input.len() % 8 != 0 {
        return Err(DecodeError::IncorrectPadding);
    }
    let mut symbol_values = [INVALID; 256];
    for (value, &symbol) in alphabet.iter().enumerate() {
        symbol_values[usize::from(symbol)] = value as u8;
    }
    // The value of each input byte, translation included.
    let values: [u8; 256] = core::array::from_fn(|c| symbol_values[usize::from(map[c])]);
    let data_len = input
        .iter()
        .rposition(|&c| map[usize::from(c)] != b'=')
        .map_or(0, |last| last + 1);
    let padchars = input.len() - data_len;
    // Whole quanta, then a last one that padding shortened; the output
    // bound has room for 5 bytes for each.
    let (whole, short) = input[..data_len].split_at(data_len / 8 * 8);
    let (whole_output, short_output) = output.split_at_mut(whole.len() / 8 * 5);
    // Whether any byte was not a symbol is only checked at the end: the
    // error is the same wherever the byte is.
    let mut invalid = 0u64;
    for (quantum, out) in whole.chunks_exact(8).zip(whole_output.chunks_exact_mut(5)) {
        let quantum_values: [u8; 8] = core::array::from_fn(|k| values[usize::from(quantum[k])]);
        invalid |= u64::from_ne_bytes(quantum_values);
        // Eight independent shifts rather than a chain of eight.
        let acc = (quantum_values.iter().enumerate()).fold(0u64, |acc, (k, &value)| {
            acc | u64::from(value & 0x1f) << (35 - 5 * k)
        });
        for (slot, &byte) in out.iter_mut().zip(&acc.to_be_bytes()[3..]) {
            slot.write(byte);
        }
    }
    let first_invalid = || {
        let mut translated = input.iter().map(|&c| map[usize::from(c)]);
        let bad = translated.find(|&c| symbol_values[usize::from(c)] == INVALID);
        DecodeError::NonBase32Digit(bad.expect("a byte was found invalid"))
    };
    if invalid & u64::from_ne_bytes([INVALID; 8]) != 0 {
        return Err(first_invalid());
    }
    let mut written = whole.len() / 8 * 5;
    let mut last_acc = 0u64;
    if !short.is_empty() {
        let (acc, invalid) = short.iter().fold((0u64, 0u8), |(acc, invalid), &c| {
            let value = values[usize::from(c)];
            (acc << 5 | u64::from(value & 0x1f), invalid | value)
        });
        if invalid & INVALID != 0 {
            return Err(first_invalid());
        }
        for (slot, &byte) in short_output[..5].iter_mut().zip(&acc.to_be_bytes()[3..]) {
            slot.write(byte);
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
    use crate::codec::base64::identity_map;
    use crate::codec::testing::{decode_vec, encode_vec};

    const IDENTITY: [u8; 256] = identity_map();

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
                    i, o, &IDENTITY, BASE32
                )),
                Ok(plain.to_vec())
            );
        }
    }

    #[test]
    fn errors_in_python_order() {
        let run = |input: &[u8]| {
            decode_vec(input, decoded_len_bound(input.len()), |i, o| {
                decode(i, o, &IDENTITY, BASE32)
            })
        };
        assert_eq!(run(b"MY====="), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b"M1======"), Err(DecodeError::NonBase32Digit(b'1')));
        assert_eq!(run(b"MY=A===="), Err(DecodeError::NonBase32Digit(b'=')));
        assert_eq!(run(b"M======="), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b"========"), Err(DecodeError::IncorrectPadding));
        assert_eq!(run(b""), Ok(vec![]));
    }
}
