//! aarch64 Advanced SIMD (NEON) kernels.
//!
//! The same contract as the x86-64 kernels (`codec::x86`): a kernel
//! handles whole blocks from the start of its input and returns how far
//! it got, and the portable code does the rest.  NEON's interleaving
//! loads and stores (`vld3q`/`vst4q` and the like) take the bytes of 16
//! groups apart by position within the group, so the arithmetic is the
//! plain one of the scalar code, 16 groups at a time, and its table
//! lookups (`vqtbl4q`) reach 64 bytes: the whole base64 alphabet, so any
//! alphabet works.
//!
//! The kernels are `unsafe fn`s with `#[target_feature(enable = "neon")]`;
//! the dispatch functions call one, through `dispatch!`, only at a level
//! `simd::detected()` found, which is what makes them safe to call with
//! any level.
#![allow(unsafe_code, unused_unsafe)]

use core::mem::MaybeUninit;

use super::base64::DecodeTable;
use super::simd::Level;

/// Encodes whole blocks of `input` into `output` (sized for all of
/// `input`, as `base64::encode` requires); returns the number of input
/// bytes encoded, a multiple of 3.
pub fn base64_encode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 64],
) -> usize {
    // The kernel's contract: the memory it writes is in `output`.
    assert!(output.len() >= input.len().div_ceil(3) * 4, "output size");
    dispatch!(level => encode(input, output, alphabet) in { Neon => neon } else 0)
}

/// Encodes the whole lines of `input` as `encodebytes` does, into
/// `output` sized for all of it; returns (bytes read, bytes written).
pub fn base64_encode_lines(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
) -> (usize, usize) {
    dispatch!(level => encode_lines(input, output) in { Neon => neon } else (0, 0))
}

/// Decodes whole blocks of `input` while every byte is in `table`;
/// returns (bytes read, bytes written), the first a multiple of 4.
pub fn base64_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    dispatch!(level => decode(input, output, table) in { Neon => neon } else (0, 0))
}

/// Encodes whole blocks of `input` in base16 into `output` (twice as long
/// as `input`); returns the number of input bytes encoded.
pub fn base16_encode(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    dispatch!(level => hex_encode(input, output) in { Neon => neon } else 0)
}

/// Decodes whole blocks of base16 `input` while every byte is a digit
/// (`a`-`f` too if `casefold`); returns (bytes read, bytes written).
pub fn base16_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    dispatch!(level => hex_decode(input, output, casefold) in { Neon => neon } else (0, 0))
}

mod neon {
    use core::arch::aarch64::*;
    use core::mem::MaybeUninit;

    use crate::codec::base64::{DecodeTable, INVALID};

    /// The base16 digits, by value.
    const HEX_DIGITS: [u8; 16] = *b"0123456789ABCDEF";

    /// 48 input bytes (16 groups) to 64 symbols per step.
    ///
    /// # Safety
    /// The CPU must have NEON, and `output` must hold the encoding of all
    /// of `input` (`input.len().div_ceil(3) * 4` bytes).
    #[inline]
    #[target_feature(enable = "neon")]
    pub unsafe fn encode(
        input: &[u8],
        output: &mut [MaybeUninit<u8>],
        alphabet: &[u8; 64],
    ) -> usize {
        let (mut read, mut written) = (0, 0);
        // SAFETY: NEON (the caller's contract).  The alphabet load reads
        // its 64 bytes; each step loads 48 bytes at `read`, within `input`
        // by the loop condition, and stores 64 at `written` = read / 3 * 4,
        // within `output`, which holds at least (read + 48) / 3 * 4 bytes.
        unsafe {
            let symbols = vld1q_u8_x4(alphabet.as_ptr());
            let sextet = vdupq_n_u8(0x3f);
            while read + 48 <= input.len() {
                // The first, second and third bytes of the 16 groups.
                let bytes = vld3q_u8(input.as_ptr().add(read));
                let a = vshrq_n_u8::<2>(bytes.0);
                let b = vandq_u8(
                    vorrq_u8(vshlq_n_u8::<4>(bytes.0), vshrq_n_u8::<4>(bytes.1)),
                    sextet,
                );
                let c = vandq_u8(
                    vorrq_u8(vshlq_n_u8::<2>(bytes.1), vshrq_n_u8::<6>(bytes.2)),
                    sextet,
                );
                let d = vandq_u8(bytes.2, sextet);
                let out = uint8x16x4_t(
                    vqtbl4q_u8(symbols, a),
                    vqtbl4q_u8(symbols, b),
                    vqtbl4q_u8(symbols, c),
                    vqtbl4q_u8(symbols, d),
                );
                vst4q_u8(output.as_mut_ptr().add(written).cast(), out);
                read += 48;
                written += 64;
            }
        }
        read
    }

    encode_lines_kernel!("neon");

    /// The values of 16 symbols: `table`'s first 64 entries, then its next
    /// 64, and `INVALID` (the high bit) for bytes from 0x80 up, as the
    /// table has them.
    ///
    /// # Safety
    /// The CPU must have NEON.
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn values(chars: uint8x16_t, low: uint8x16x4_t, high: uint8x16x4_t) -> uint8x16_t {
        // SAFETY: NEON (the caller's contract); no memory access.
        unsafe {
            // An index past 63 gives 0 in vqtbl4q and keeps the first
            // value in vqtbx4q; chars below 64 wrap past 63 in the second.
            let in_low = vqtbl4q_u8(low, chars);
            let both = vqtbx4q_u8(in_low, high, vsubq_u8(chars, vdupq_n_u8(64)));
            vorrq_u8(both, vandq_u8(chars, vdupq_n_u8(INVALID)))
        }
    }

    /// 64 symbols to 48 bytes per step, while every symbol is in `table`.
    ///
    /// # Safety
    /// The CPU must have NEON.
    #[target_feature(enable = "neon")]
    pub unsafe fn decode(
        input: &[u8],
        output: &mut [MaybeUninit<u8>],
        table: &DecodeTable,
    ) -> (usize, usize) {
        let (mut read, mut written) = (0, 0);
        // SAFETY: NEON (the caller's contract).  The table loads read its
        // first 128 bytes; each step loads 64 bytes at `read` and stores
        // 48 at `written`, both within their slices by the loop condition.
        unsafe {
            let low = vld1q_u8_x4(table.as_ptr());
            let high = vld1q_u8_x4(table.as_ptr().add(64));
            while read + 64 <= input.len() && written + 48 <= output.len() {
                // The first, second, third and fourth symbols of 16 groups.
                let chars = vld4q_u8(input.as_ptr().add(read));
                let a = values(chars.0, low, high);
                let b = values(chars.1, low, high);
                let c = values(chars.2, low, high);
                let d = values(chars.3, low, high);
                let any = vorrq_u8(vorrq_u8(a, b), vorrq_u8(c, d));
                if vmaxvq_u8(any) & INVALID != 0 {
                    break;
                }
                let bytes = uint8x16x3_t(
                    vorrq_u8(vshlq_n_u8::<2>(a), vshrq_n_u8::<4>(b)),
                    vorrq_u8(vshlq_n_u8::<4>(b), vshrq_n_u8::<2>(c)),
                    vorrq_u8(vshlq_n_u8::<6>(c), d),
                );
                vst3q_u8(output.as_mut_ptr().add(written).cast(), bytes);
                read += 64;
                written += 48;
            }
        }
        (read, written)
    }

    /// 16 bytes to 32 digits per step.
    ///
    /// # Safety
    /// The CPU must have NEON.
    #[target_feature(enable = "neon")]
    pub unsafe fn hex_encode(input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
        let mut read = 0;
        // SAFETY: NEON (the caller's contract).  Each step loads 16 bytes
        // at `read` and stores 32 at 2 * `read`, both within their slices
        // by the loop condition.
        unsafe {
            let digits = vld1q_u8(HEX_DIGITS.as_ptr());
            let nibble = vdupq_n_u8(0x0f);
            while read + 16 <= input.len() && 2 * read + 32 <= output.len() {
                let bytes = vld1q_u8(input.as_ptr().add(read));
                let pairs = uint8x16x2_t(
                    vqtbl1q_u8(digits, vshrq_n_u8::<4>(bytes)),
                    vqtbl1q_u8(digits, vandq_u8(bytes, nibble)),
                );
                vst2q_u8(output.as_mut_ptr().add(2 * read).cast(), pairs);
                read += 16;
            }
        }
        read
    }

    /// The value of each hex digit of `chars`, and a mask of the bytes
    /// that are digits (`a`-`f` only if `lower` is all ones).
    ///
    /// # Safety
    /// The CPU must have NEON.
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn hex_values(chars: uint8x16_t, lower: uint8x16_t) -> (uint8x16_t, uint8x16_t) {
        // SAFETY: NEON (the caller's contract); no memory access.
        unsafe {
            // x - base is at most `last` (unsigned) exactly when x is in
            // base..=base + last.
            let offset = |base: u8| vsubq_u8(chars, vdupq_n_u8(base));
            let within = |x: uint8x16_t, last: u8| vcleq_u8(x, vdupq_n_u8(last));
            let (digit, upper, small) = (offset(b'0'), offset(b'A'), offset(b'a'));
            let (is_digit, is_upper) = (within(digit, 9), within(upper, 5));
            let is_small = vandq_u8(within(small, 5), lower);
            let letter = vaddq_u8(vbslq_u8(is_upper, upper, small), vdupq_n_u8(10));
            let values = vbslq_u8(is_digit, digit, letter);
            (values, vorrq_u8(is_digit, vorrq_u8(is_upper, is_small)))
        }
    }

    /// 32 digits to 16 bytes per step, while every byte is a digit.
    ///
    /// # Safety
    /// The CPU must have NEON.
    #[target_feature(enable = "neon")]
    pub unsafe fn hex_decode(
        input: &[u8],
        output: &mut [MaybeUninit<u8>],
        casefold: bool,
    ) -> (usize, usize) {
        let (mut read, mut written) = (0, 0);
        // SAFETY: NEON (the caller's contract).  Each step loads 32 bytes
        // at `read` and stores 16 at `written`, both within their slices
        // by the loop condition.
        unsafe {
            let lower = vdupq_n_u8(if casefold { 0xff } else { 0 });
            while read + 32 <= input.len() && written + 16 <= output.len() {
                // The high and the low digits of 16 bytes.
                let digits = vld2q_u8(input.as_ptr().add(read));
                let (high, high_valid) = hex_values(digits.0, lower);
                let (low, low_valid) = hex_values(digits.1, lower);
                if vminvq_u8(vandq_u8(high_valid, low_valid)) != 0xff {
                    break;
                }
                let bytes = vorrq_u8(vshlq_n_u8::<4>(high), low);
                vst1q_u8(output.as_mut_ptr().add(written).cast(), bytes);
                read += 32;
                written += 16;
            }
        }
        (read, written)
    }
}
