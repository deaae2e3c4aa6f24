//! x86-64 vector kernels.
//!
//! A kernel handles whole blocks from the start of its input and returns
//! how far it got; the portable code does the rest (the tail, and for
//! decoders every block holding a byte the kernel does not decode:
//! padding, whitespace, anything outside the alphabet).  Kernels are
//! `unsafe fn`s with `#[target_feature]`; the dispatch functions here call
//! one, through `dispatch!`, only at a level `simd::detected()` found on
//! this CPU, which is what makes them safe to call with any level.  Built
//! without the AVX-512 kernels (`has_avx512`), `detected()` never reports
//! that level, and a level without a kernel does nothing.
//!
//! Rust before 1.87 makes every intrinsic call unsafe; since 1.87 the
//! value-only ones are safe inside a `#[target_feature]` function.  The
//! `unsafe` blocks are written for the older compilers the workspace
//! supports, so newer ones may find some of them unnecessary.
#![allow(unsafe_code, unused_unsafe)]

// Compiled only by Rust 1.89 or later (build.rs sets `has_avx512`).
#[cfg(has_avx512)]
#[clippy::msrv = "1.89"]
mod avx512;
#[macro_use]
mod lane_kernels;
mod lanes;

/// SSSE3/SSE4.1 kernels: vectors of one 128-bit lane.
mod sse41 {
    lane_entry_points!(Sse41, "ssse3,sse4.1");
}

/// AVX2 kernels: vectors of two 128-bit lanes.
mod avx2 {
    lane_entry_points!(Avx2, "avx2");
}

use core::mem::MaybeUninit;

use super::base64::{DecodeTable, INVALID, STANDARD};
use super::simd::Level;

// Encoding, as laid out in a 4-byte slot per group of 3 input bytes
// b0 b1 b2: the bytes [b1, b0, b2, b1].  Read as a little-endian u32, its
// low half is b0:b1, holding sextets a (bits 15..10) and b (bits 9..4),
// and its high half is b1:b2, holding c (bits 11..6) and d (bits 5..0).
// Multiplying the masked halves moves each sextet to the bottom of its own
// output byte: a and c with the high half of a 16-bit product (by 2^6 and
// 2^10), b and d with the low half (by 2^4 and 2^8).

/// Spreads 12 input bytes over 16 as [b1, b0, b2, b1] per group.
const ENCODE_SPREAD: [u8; 16] = [1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10];
const SEXTETS_AC: i32 = 0x0fc0_fc00;
const SEXTETS_AC_MULTIPLIERS: i32 = 0x0400_0040;
const SEXTETS_BD: i32 = 0x003f_03f0;
const SEXTETS_BD_MULTIPLIERS: i32 = 0x0100_0010;

/// The SSE/AVX2 encoders turn a sextet into its symbol by adding an offset
/// chosen by its class: 13 for 0..=25, 0 for 26..=51, then 1..=12 for
/// 52..=63 (a saturating subtraction of 51).  That needs the alphabet's
/// first 62 symbols to be the standard ones, which every base64 alphabet
/// here has; the last two are free.
fn encode_offsets(alphabet: &[u8; 64]) -> Option<[u8; 16]> {
    if alphabet[..62] != STANDARD[..62] {
        return None;
    }
    let mut offsets = [0u8; 16];
    offsets[0] = b'a'.wrapping_sub(26);
    offsets[1..11].fill(b'0'.wrapping_sub(52));
    offsets[11] = alphabet[62].wrapping_sub(62);
    offsets[12] = alphabet[63].wrapping_sub(63);
    offsets[13] = b'A';
    Some(offsets)
}

// Decoding merges the four 6-bit values [a, b, c, d] of a 4-byte slot:
// pairs of bytes as a*64 + b (multiply-add of unsigned bytes by signed
// weights [64, 1]), then pairs of 16-bit words as ab*4096 + cd, leaving
// the 24 bits little-endian in the slot; the output wants them big-endian.
const MERGE_PAIRS: i32 = 0x0140_0140;
const MERGE_WORDS: i32 = 0x0001_1000;
/// Gathers each slot's 3 bytes in output order, 12 bytes per 16.
const DECODE_GATHER: [u8; 16] = [
    2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0x80, 0x80, 0x80, 0x80,
];

/// Weights merging two 5-bit values (multiply-add of bytes by [32, 1]) and
/// two 10-bit ones (multiply-add of words by [1024, 1]).
const BASE32_MERGE_PAIRS: i32 = 0x0120_0120;
const BASE32_MERGE_WORDS: i32 = 0x0001_0400;

/// The base16 digits, by value.
const HEX_DIGITS: [u8; 16] = *b"0123456789ABCDEF";
/// Weights that merge two digit values into a byte (multiply-add of
/// unsigned bytes by signed weights [16, 1]).
const HEX_WEIGHTS: i16 = 0x0110;

/// Encodes whole blocks of `input` into `output` (sized for all of
/// `input`, as `base64::encode` requires); returns the number of input
/// bytes encoded, a multiple of 3.
pub fn base64_encode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 64],
) -> usize {
    // The kernels' contract: the memory they write is in `output`.
    assert!(output.len() >= input.len().div_ceil(3) * 4, "output size");
    dispatch!(level => encode(input, output, alphabet) else 0)
}

/// Encodes the whole lines of `input` as `encodebytes` does, into
/// `output` sized for all of it; returns (bytes read, bytes written).
pub fn base64_encode_lines(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
) -> (usize, usize) {
    dispatch!(level => encode_lines(input, output) else (0, 0))
}

/// Decodes whole blocks of `input` while every byte is in `table`;
/// returns (bytes read, bytes written), the first a multiple of 4.
pub fn base64_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    dispatch!(level => decode(input, output, table) else (0, 0))
}

/// Encodes whole blocks of `input` in base16 into `output` (twice as long
/// as `input`); returns the number of input bytes encoded.
pub fn base16_encode(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    dispatch!(level => hex_encode(input, output) else 0)
}

/// Decodes lines of `len` symbols, each followed by a newline, from the
/// start of `input` (at a line's start), while every other byte is in
/// `table`; returns (bytes read, bytes written), the first ending between
/// groups.  Only AVX-512 has this kernel (lines of 64 symbols or more);
/// elsewhere (0, 0).
pub fn base64_decode_lines(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
    len: usize,
) -> (usize, usize) {
    dispatch!(level => decode_lines(input, output, table, len) in {
        #[cfg(has_avx512)] Avx512Vbmi => avx512,
    } else (0, 0))
}

/// Decodes whole blocks of base16 `input` while every byte is a digit
/// (`a`-`f` too if `casefold`); returns (bytes read, bytes written).
pub fn base16_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    dispatch!(level => hex_decode(input, output, casefold) else (0, 0))
}

/// Encodes whole 5-byte groups of `input` in base32 into `output` (sized
/// for all of `input`, as `base32::encode` requires); returns the number
/// of input bytes encoded.
pub fn base32_encode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 32],
) -> usize {
    // The kernel's contract: the memory it writes is in `output`.
    assert!(output.len() >= input.len().div_ceil(5) * 8, "output size");
    dispatch!(level => base32_encode(input, output, alphabet) else 0)
}

/// Decodes whole quanta of base32 `input` while every byte has a value in
/// `values` (high bit set where it has none); returns (bytes read, bytes
/// written).
pub fn base32_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    dispatch!(level => base32_decode(input, output, values) else (0, 0))
}

/// Encodes whole blocks of 16 base85 groups (64 bytes) of `input` into
/// `output` with `digits`, up to the first block with a group that folds
/// (a zero group where `fold_nuls`, four spaces where `fold_spaces`);
/// returns the number of input bytes encoded.  AVX-512 kernels only (a
/// compiler without them leaves the arguments unused).
#[cfg_attr(not(has_avx512), allow(unused_variables))]
pub fn base85_encode(
    level: Level,
    input: &[u8],
    output: &mut [u8],
    digits: &[u8; 85],
    fold_nuls: bool,
    fold_spaces: bool,
) -> usize {
    dispatch!(level => base85_encode(input, output, digits, fold_nuls, fold_spaces) in {
        #[cfg(has_avx512)] Avx512Vbmi => avx512,
    } else 0)
}

/// Decodes whole blocks of 16 base85 groups (80 digits) of `input` while
/// every byte has a value in `values` (high bit set where it has none) and
/// no group is over 2^32 - 1; returns (bytes read, bytes written).
/// AVX-512 kernels only (a compiler without them leaves the arguments
/// unused).
#[cfg_attr(not(has_avx512), allow(unused_variables))]
pub fn base85_decode(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    dispatch!(level => base85_decode(input, output, values) in {
        #[cfg(has_avx512)] Avx512Vbmi => avx512,
    } else (0, 0))
}
