//! Base64 (RFC 4648) encoding, on plain slices.
//!
//! Nothing here knows about Python: the functions take the input bytes and
//! the output storage and are tested by `cargo test`.

use core::mem::MaybeUninit;

/// The standard alphabet (RFC 4648, table 1).
pub const STANDARD: [u8; 64] = *b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The standard alphabet with its last two characters replaced.
pub fn with_altchars(altchars: [u8; 2]) -> [u8; 64] {
    let mut alphabet = STANDARD;
    alphabet[62] = altchars[0];
    alphabet[63] = altchars[1];
    alphabet
}

/// Length of the padded encoding of `len` bytes, if it fits in memory.
pub fn encoded_len(len: usize) -> Option<usize> {
    len.div_ceil(3).checked_mul(4)
}

/// Encode `input` into `output`, which must be exactly
/// `encoded_len(input.len())` long, padding the last group with `=`.
pub fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) {
    assert_eq!(Some(output.len()), encoded_len(input.len()), "output size");
    let symbol = |bits: u32| alphabet[(bits & 0x3f) as usize];
    let groups = input.chunks_exact(3);
    let tail = groups.remainder();
    let mut out = output.chunks_exact_mut(4);
    for (group, out) in groups.zip(&mut out) {
        let bits = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        out[0].write(symbol(bits >> 18));
        out[1].write(symbol(bits >> 12));
        out[2].write(symbol(bits >> 6));
        out[3].write(symbol(bits));
    }
    if let Some(out) = out.next() {
        let second = tail.get(1).copied().unwrap_or(0);
        let bits = u32::from(tail[0]) << 16 | u32::from(second) << 8;
        out[0].write(symbol(bits >> 18));
        out[1].write(symbol(bits >> 12));
        out[2].write(if tail.len() == 2 {
            symbol(bits >> 6)
        } else {
            b'='
        });
        out[3].write(b'=');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_vec(input: &[u8], alphabet: &[u8; 64]) -> Vec<u8> {
        let len = encoded_len(input.len()).unwrap();
        let mut out = vec![MaybeUninit::new(0u8); len];
        encode(input, &mut out, alphabet);
        #[allow(unsafe_code)]
        // SAFETY: every element was initialized by `vec!` above.
        out.into_iter()
            .map(|byte| unsafe { byte.assume_init() })
            .collect()
    }

    #[test]
    fn rfc4648_vectors() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"fooba", b"Zm9vYmE="),
            (b"foobar", b"Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(encode_vec(input, &STANDARD), expected);
        }
    }

    #[test]
    fn altchars_replace_only_the_last_two_symbols() {
        let input = [0xfb, 0xff, 0xbf];
        assert_eq!(encode_vec(&input, &STANDARD), b"+/+/");
        assert_eq!(encode_vec(&input, &with_altchars(*b"-_")), b"-_-_");
    }

    #[test]
    fn every_byte_value_round_trips_through_the_bit_layout() {
        // Decode with a reference table and compare with the input.
        let input: Vec<u8> = (0..=255).collect();
        let encoded = encode_vec(&input, &STANDARD);
        let value = |c: u8| STANDARD.iter().position(|&s| s == c).unwrap() as u32;
        let mut decoded = Vec::new();
        for group in encoded.chunks(4) {
            let pads = group.iter().filter(|&&c| c == b'=').count();
            let bits = group.iter().fold(0u32, |acc, &c| {
                acc << 6 | if c == b'=' { 0 } else { value(c) }
            });
            decoded.extend_from_slice(&bits.to_be_bytes()[1..4 - pads]);
        }
        assert_eq!(decoded, input);
    }

    #[test]
    fn encoded_len_overflow() {
        assert_eq!(encoded_len(usize::MAX), None);
        assert_eq!(encoded_len(3), Some(4));
        assert_eq!(encoded_len(4), Some(8));
    }
}
