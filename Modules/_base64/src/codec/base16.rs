//! Base16 (RFC 4648): `binascii.hexlify(s).upper()` and `b16decode`.

use core::mem::MaybeUninit;

use super::simd::{self, Level};
use super::vector;

/// The two digits of every byte value, as one little-endian u16 each.
const PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut pairs = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [DIGITS[i >> 4], DIGITS[i & 0xf]];
        i += 1;
    }
    pairs
};

/// Encode into storage of exactly `2 * input.len()` bytes.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>]) {
    encode_at(simd::active(), input, output);
}

/// `encode` with the kernel of `level` (or of the best level this CPU
/// has, if lower), then one table lookup per byte.
pub fn encode_at(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>]) {
    assert_eq!(output.len(), input.len() * 2, "output size");
    let done = vector::base16_encode(level, input, output);
    let rest = output[2 * done..].chunks_exact_mut(2);
    for (&byte, out) in input[done..].iter().zip(rest) {
        let [high, low] = PAIRS[usize::from(byte)];
        out[0].write(high);
        out[1].write(low);
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

/// Not a digit: the high bit, never set in a digit's value.
const INVALID: u8 = 0x80;

const fn values(casefold: bool) -> [u8; 256] {
    let mut values = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        values[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        values[b'A' as usize + i] = 10 + i as u8;
        if casefold {
            values[b'a' as usize + i] = 10 + i as u8;
        }
        i += 1;
    }
    values
}

const UPPER: [u8; 256] = values(false);
const EITHER_CASE: [u8; 256] = values(true);

/// The value of every byte as a digit, `INVALID` for a non-digit.
pub fn digit_values(casefold: bool) -> &'static [u8; 256] {
    if casefold { &EITHER_CASE } else { &UPPER }
}

/// Decode into storage of `input.len() / 2` bytes, in one pass (the
/// errors' order is `b16decode`'s: a non-digit anywhere, then an odd
/// length).
pub fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> Result<(), DecodeError> {
    decode_at(simd::active(), input, output, casefold)
}

/// `decode` with the kernel of `level` (or of the best level this CPU
/// has, if lower) up to the first block holding a non-digit, then digits
/// looked up and combined pair by pair; whether any was not a digit is
/// only checked at the end.
pub fn decode_at(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> Result<(), DecodeError> {
    let (read, written) = vector::base16_decode(level, input, output, casefold);
    let (input, output) = (&input[read..], &mut output[written..]);
    let values = digit_values(casefold);
    let pairs = input.chunks_exact(2);
    let odd = pairs.remainder();
    let mut invalid = odd.iter().fold(0, |any, &c| any | values[usize::from(c)]);
    for (pair, out) in pairs.zip(output.iter_mut()) {
        let (high, low) = (values[usize::from(pair[0])], values[usize::from(pair[1])]);
        invalid |= high | low;
        out.write(high << 4 | low & 0xf);
    }
    if invalid & INVALID != 0 {
        return Err(DecodeError::NonBase16Digit);
    }
    if !odd.is_empty() {
        return Err(DecodeError::OddLength);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode_vec, encode_vec, noise};

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

    fn decode_using(level: Level, input: &[u8], casefold: bool) -> Result<Vec<u8>, DecodeError> {
        decode_vec(input, input.len() / 2, |i, o| {
            decode_at(level, i, o, casefold).map(|()| i.len() / 2)
        })
    }

    #[test]
    fn every_level_encodes_like_the_table() {
        for len in (0..100).chain(4090..4100) {
            let input = noise(len, len as u64);
            let expected = encode_vec(&input, 2 * len, |i, o| encode_at(Level::Scalar, i, o));
            for level in simd::supported() {
                let actual = encode_vec(&input, 2 * len, |i, o| encode_at(level, i, o));
                assert_eq!(actual, expected, "{level:?}, {len} bytes");
            }
        }
    }

    #[test]
    fn every_level_decodes_like_the_table() {
        // Bytes next to each range of digits, and outside ASCII.
        let odd_bytes = [
            b'/', b':', b'@', b'G', b'`', b'g', b'a', b'f', 0, 0x80, 0xc1, 0xff,
        ];
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 200] {
            let upper = encode_vec(&noise(len, 16), 2 * len, encode);
            let lower = upper.to_ascii_lowercase();
            let mut inputs = vec![
                upper.clone(),
                lower,
                upper[..upper.len().saturating_sub(1)].to_vec(),
            ];
            for at in [
                0,
                7,
                15,
                16,
                17,
                31,
                32,
                63,
                64,
                65,
                100,
                127,
                128,
                191,
                255,
                256,
                (2 * len).saturating_sub(1),
            ]
            .into_iter()
            .filter(|&at| at < 2 * len)
            {
                for byte in odd_bytes {
                    let mut input = upper.clone();
                    input[at] = byte;
                    inputs.push(input);
                }
            }
            for input in &inputs {
                for casefold in [false, true] {
                    let expected = decode_using(Level::Scalar, input, casefold);
                    for level in simd::supported() {
                        assert_eq!(
                            decode_using(level, input, casefold),
                            expected,
                            "{level:?}, {input:?}, casefold {casefold}"
                        );
                    }
                }
            }
        }
    }

    /// The kernels of each vector level do all but the last few blocks, so
    /// the comparisons with the table above test them and not it.
    #[test]
    fn the_kernels_do_the_whole_blocks() {
        let input = noise(1000, 5);
        let encoded = encode_vec(&input, 2000, |i, o| encode_at(Level::Scalar, i, o));
        for level in simd::supported().filter(|&level| level != Level::Scalar) {
            let mut output = vec![MaybeUninit::uninit(); 2000];
            let done = vector::base16_encode(level, &input, &mut output);
            assert!(done + 64 > 1000, "{level:?}: {done}");
            for casefold in [false, true] {
                let mut decoded = vec![MaybeUninit::uninit(); 1000];
                let (read, wrote) = vector::base16_decode(level, &encoded, &mut decoded, casefold);
                assert!(
                    read + 128 > 2000 && wrote == read / 2,
                    "{level:?}: {read} {wrote}"
                );
            }
        }
    }
}
