//! SSSE3/SSE4.1 kernels: base64 12 input bytes to 16 symbols, 16 symbols
//! to 12 bytes; base16 8 bytes to 16 digits, 16 digits to 8 bytes.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::{
    DECODE_GATHER, DecodeTable, ENCODE_SPREAD, HEX_DIGITS, HEX_WEIGHTS, INVALID, MERGE_PAIRS,
    MERGE_WORDS, SEXTETS_AC, SEXTETS_AC_MULTIPLIERS, SEXTETS_BD, SEXTETS_BD_MULTIPLIERS,
    encode_offsets,
};

/// See `super::base64_encode`.
///
/// # Safety
/// The CPU must have SSSE3 and SSE4.1, and `output` must hold the
/// encoding of all of `input` (`input.len().div_ceil(3) * 4` bytes).
#[inline]
#[target_feature(enable = "ssse3,sse4.1")]
pub unsafe fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) -> usize {
    let Some(offsets) = encode_offsets(alphabet) else {
        return 0;
    };
    let (mut read, mut written) = (0, 0);
    // SAFETY: SSSE3 and SSE4.1 (the caller's contract).  Each block loads
    // 16 bytes at `read`, within `input` by the loop condition, and stores
    // 16 bytes at `written` = read / 3 * 4: the output holds the encoding
    // of all of `input`, at least (read + 16) / 3 * 4 bytes.
    unsafe {
        let spread = _mm_loadu_si128(ENCODE_SPREAD.as_ptr().cast());
        let offsets = _mm_loadu_si128(offsets.as_ptr().cast());
        let ac = _mm_set1_epi32(SEXTETS_AC);
        let ac_multipliers = _mm_set1_epi32(SEXTETS_AC_MULTIPLIERS);
        let bd = _mm_set1_epi32(SEXTETS_BD);
        let bd_multipliers = _mm_set1_epi32(SEXTETS_BD_MULTIPLIERS);
        let (last_digit, last_upper, upper_class) =
            (_mm_set1_epi8(51), _mm_set1_epi8(26), _mm_set1_epi8(13));
        while read + 16 <= input.len() {
            let block = _mm_loadu_si128(input.as_ptr().add(read).cast());
            let groups = _mm_shuffle_epi8(block, spread);
            let sextets = _mm_or_si128(
                _mm_mulhi_epu16(_mm_and_si128(groups, ac), ac_multipliers),
                _mm_mullo_epi16(_mm_and_si128(groups, bd), bd_multipliers),
            );
            let upper = _mm_and_si128(_mm_cmpgt_epi8(last_upper, sextets), upper_class);
            let classes = _mm_or_si128(_mm_subs_epu8(sextets, last_digit), upper);
            let symbols = _mm_add_epi8(sextets, _mm_shuffle_epi8(offsets, classes));
            _mm_storeu_si128(output.as_mut_ptr().add(written).cast(), symbols);
            read += 12;
            written += 16;
        }
    }
    read
}

/// See `super::base64_decode`.
///
/// # Safety
/// The CPU must have SSSE3 and SSE4.1.
#[target_feature(enable = "ssse3,sse4.1")]
pub unsafe fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: SSSE3 and SSE4.1 (the caller's contract).  The table loads
    // read 16 of its 128 bytes each; each block loads 16 bytes at `read`
    // and stores 16 at `written`, both within their slices by the loop
    // condition.
    unsafe {
        // One 16-entry table per high nibble of an ASCII byte.
        let mut rows = [_mm_setzero_si128(); 8];
        for (row, chunk) in rows.iter_mut().zip(table.chunks_exact(16)) {
            *row = _mm_loadu_si128(chunk.as_ptr().cast());
        }
        let nibble = _mm_set1_epi8(0x0f);
        let merge_pairs = _mm_set1_epi32(MERGE_PAIRS);
        let merge_words = _mm_set1_epi32(MERGE_WORDS);
        let gather = _mm_loadu_si128(DECODE_GATHER.as_ptr().cast());
        while read + 16 <= input.len() && written + 16 <= output.len() {
            let chars = _mm_loadu_si128(input.as_ptr().add(read).cast());
            let high = _mm_and_si128(_mm_srli_epi16::<4>(chars), nibble);
            let low = _mm_and_si128(chars, nibble);
            // Bytes from 0x80 up match no row and keep INVALID.
            let mut values = _mm_set1_epi8(INVALID as i8);
            for (nibble_value, row) in (0i8..).zip(rows.iter()) {
                let in_row = _mm_cmpeq_epi8(high, _mm_set1_epi8(nibble_value));
                values = _mm_blendv_epi8(values, _mm_shuffle_epi8(*row, low), in_row);
            }
            if _mm_movemask_epi8(values) != 0 {
                break;
            }
            let merged = _mm_madd_epi16(_mm_maddubs_epi16(values, merge_pairs), merge_words);
            let bytes = _mm_shuffle_epi8(merged, gather);
            _mm_storeu_si128(output.as_mut_ptr().add(written).cast(), bytes);
            read += 16;
            written += 12;
        }
    }
    (read, written)
}

encode_lines_kernel!("ssse3,sse4.1");

/// See `super::base16_encode`.
///
/// # Safety
/// The CPU must have SSSE3 and SSE4.1.
#[target_feature(enable = "ssse3,sse4.1")]
pub unsafe fn hex_encode(input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    let mut read = 0;
    // SAFETY: SSSE3 and SSE4.1 (the caller's contract).  Each step loads 8
    // bytes at `read` and stores 16 at 2 * `read`, both within their
    // slices by the loop condition.
    unsafe {
        let digits = _mm_loadu_si128(HEX_DIGITS.as_ptr().cast());
        let low_nibble = _mm_set1_epi16(0x0f);
        while read + 8 <= input.len() && 2 * read + 16 <= output.len() {
            let bytes = _mm_cvtepu8_epi16(_mm_loadl_epi64(input.as_ptr().add(read).cast()));
            // Per 16-bit lane: the high nibble in the first byte, the low
            // nibble in the second.
            let nibbles = _mm_or_si128(
                _mm_srli_epi16::<4>(bytes),
                _mm_slli_epi16::<8>(_mm_and_si128(bytes, low_nibble)),
            );
            let chars = _mm_shuffle_epi8(digits, nibbles);
            _mm_storeu_si128(output.as_mut_ptr().add(2 * read).cast(), chars);
            read += 8;
        }
    }
    read
}

/// The value of each hex digit of `chars`, and a mask of the bytes that
/// are digits (`a`-`f` too where `fold` is `0xdf`, which maps them to
/// `A`-`F`; `0xff` keeps them apart).
///
/// # Safety
/// The CPU must have SSSE3 and SSE4.1.
#[inline]
#[target_feature(enable = "ssse3,sse4.1")]
unsafe fn hex_values(chars: __m128i, fold: __m128i) -> (__m128i, __m128i) {
    // SAFETY: SSSE3 and SSE4.1 (the caller's contract); no memory access.
    unsafe {
        // Whether x, unsigned, is at most `last`: after the wrapping
        // subtraction of a base, whether the byte is in base..=base + last.
        let within = |x: __m128i, last: i8| _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(last)), x);
        let digit = _mm_sub_epi8(chars, _mm_set1_epi8(b'0' as i8));
        // Only bytes that are `A`-`F` (or `a`-`f` folded) land in 0..=5.
        let letter = _mm_sub_epi8(_mm_and_si128(chars, fold), _mm_set1_epi8(b'A' as i8));
        let (is_digit, is_letter) = (within(digit, 9), within(letter, 5));
        let values = _mm_blendv_epi8(_mm_add_epi8(letter, _mm_set1_epi8(10)), digit, is_digit);
        (values, _mm_or_si128(is_digit, is_letter))
    }
}

/// See `super::base16_decode`.
///
/// # Safety
/// The CPU must have SSSE3 and SSE4.1.
#[target_feature(enable = "ssse3,sse4.1")]
pub unsafe fn hex_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: SSSE3 and SSE4.1 (the caller's contract).  Each step loads 16
    // bytes at `read` and stores 8 at `written`, both within their slices
    // by the loop condition.
    unsafe {
        let fold = _mm_set1_epi8(if casefold { 0xdfu8 as i8 } else { -1 });
        let weights = _mm_set1_epi16(HEX_WEIGHTS);
        while read + 16 <= input.len() && written + 8 <= output.len() {
            let chars = _mm_loadu_si128(input.as_ptr().add(read).cast());
            let (values, valid) = hex_values(chars, fold);
            if _mm_movemask_epi8(valid) != 0xffff {
                break;
            }
            let bytes = _mm_maddubs_epi16(values, weights);
            _mm_storel_epi64(
                output.as_mut_ptr().add(written).cast(),
                _mm_packus_epi16(bytes, bytes),
            );
            read += 16;
            written += 8;
        }
    }
    (read, written)
}
