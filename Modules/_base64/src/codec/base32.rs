//! Base32 and base32hex (RFC 4648), as `base64._b32encode`/`_b32decode`.

use core::mem::MaybeUninit;

use super::simd::{self, Level};
use super::vector;

pub const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const BASE32HEX: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";

/// Length of the padded encoding of `len` bytes.
pub fn encoded_len(len: usize) -> Option<usize> {
    len.div_ceil(5).checked_mul(8)
}

/// Encode into storage of exactly `encoded_len(input.len())` bytes.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 32]) {
    encode_at(simd::active(), input, output, alphabet);
}

/// `encode` with the kernels of `level` (or of the best level this CPU
/// has, if lower): whole groups by the kernel, then the rest as one
/// 40-bit word per 5-byte group, then the padded tail.
pub fn encode_at(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 32]) {
    assert_eq!(Some(output.len()), encoded_len(input.len()), "output size");
    let done = vector::base32_encode(level, input, output, alphabet);
    let (input, output) = (&input[done..], &mut output[done / 5 * 8..]);
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
    decode_at(simd::active(), input, output, map, alphabet)
}

/// `decode` with the kernels of `level` (or of the best level this CPU
/// has, if lower): they decode whole quanta, translation included, up to
/// the first quantum holding a byte that is not a symbol; the portable
/// code does the rest, and every error.
pub fn decode_at(
    level: Level,
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
    let (read, wrote) = vector::base32_decode(level, whole, output, &values);
    let (whole_output, short_output) = output.split_at_mut(whole.len() / 8 * 5);
    // Whether any byte was not a symbol is only checked at the end: the
    // error is the same wherever the byte is.
    let mut invalid = 0u64;
    let rest = whole[read..].chunks_exact(8);
    for (quantum, out) in rest.zip(whole_output[wrote..].chunks_exact_mut(5)) {
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
    use crate::codec::testing::{decode_vec, encode_vec, noise};

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

    /// What the translations of b32decode make of the input: case folding
    /// and map01, as `b32.rs` builds them.
    fn maps() -> Vec<[u8; 256]> {
        let mut casefold = IDENTITY;
        for c in b'a'..=b'z' {
            casefold[usize::from(c)] = c.to_ascii_uppercase();
        }
        let mut map01 = casefold;
        map01[usize::from(b'0')] = b'O';
        map01[usize::from(b'1')] = b'L';
        vec![IDENTITY, casefold, map01]
    }

    #[test]
    fn every_level_encodes_like_the_portable_code() {
        for len in (0..200).chain([1000, 4096, 4097, 65_541]) {
            let input = noise(len, len as u64);
            for alphabet in [BASE32, BASE32HEX] {
                let size = encoded_len(len).unwrap();
                let expected = encode_vec(&input, size, |i, o| {
                    encode_at(Level::Scalar, i, o, alphabet)
                });
                for level in simd::supported() {
                    let actual = encode_vec(&input, size, |i, o| encode_at(level, i, o, alphabet));
                    assert_eq!(actual, expected, "{level:?}, {len} bytes");
                }
            }
        }
    }

    #[test]
    fn every_level_decodes_like_the_portable_code() {
        let odd_bytes = [
            b'=', b'0', b'1', b'8', b'a', b'w', b'z', b'@', b'[', 0, 0x80, 0xc1, 0xff,
        ];
        for len in (0..100).chain([255, 1000, 4096]) {
            let data = noise(len, len as u64 + 1);
            for alphabet in [BASE32, BASE32HEX] {
                let valid = encode_vec(&data, encoded_len(len).unwrap(), |i, o| {
                    encode(i, o, alphabet)
                });
                let mut inputs = vec![valid.clone(), valid.to_ascii_lowercase()];
                for at in [
                    0,
                    7,
                    8,
                    31,
                    32,
                    33,
                    63,
                    64,
                    100,
                    valid.len().saturating_sub(9),
                ] {
                    if at < valid.len() {
                        for byte in odd_bytes {
                            let mut input = valid.clone();
                            input[at] = byte;
                            inputs.push(input);
                        }
                    }
                }
                for input in &inputs {
                    for map in &maps() {
                        let bound = decoded_len_bound(input.len());
                        let expected = decode_vec(input, bound, |i, o| {
                            decode_at(Level::Scalar, i, o, map, alphabet)
                        });
                        for level in simd::supported() {
                            let actual = decode_vec(input, bound, |i, o| {
                                decode_at(level, i, o, map, alphabet)
                            });
                            assert_eq!(actual, expected, "{level:?}, {input:?}");
                        }
                    }
                }
            }
        }
    }

    /// The kernels of each vector level do all but the last few groups, so
    /// the comparisons with the portable code above test them and not it.
    #[test]
    fn the_kernels_do_the_whole_groups() {
        let input = noise(1000, 3);
        let encoded = encode_vec(&input, encoded_len(1000).unwrap(), |i, o| {
            encode_at(Level::Scalar, i, o, BASE32)
        });
        let values: [u8; 256] = core::array::from_fn(|c| {
            BASE32
                .iter()
                .position(|&s| usize::from(s) == c)
                .map_or(0x80, |v| v as u8)
        });
        #[cfg(target_arch = "x86_64")]
        let vector_levels = simd::supported().filter(|&level| level != Level::Scalar);
        #[cfg(not(target_arch = "x86_64"))]
        let vector_levels = core::iter::empty::<Level>();
        for level in vector_levels {
            let mut output = vec![MaybeUninit::uninit(); encoded.len()];
            let done = vector::base32_encode(level, &input, &mut output, BASE32);
            // A step reads at most 40 bytes and may look 6 further.
            assert!(done % 5 == 0 && done + 46 > 1000, "{level:?}: {done}");
            let mut decoded = vec![MaybeUninit::uninit(); decoded_len_bound(encoded.len())];
            let (read, wrote) = vector::base32_decode(level, &encoded, &mut decoded, &values);
            assert!(
                read + 64 > encoded.len() && read % 8 == 0 && wrote == read / 8 * 5,
                "{level:?}: {read} {wrote}"
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
