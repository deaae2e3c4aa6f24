//! AVX2 kernels: 24 input bytes to 32 symbols, 32 symbols to 24 bytes.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::{
    DECODE_GATHER, DecodeTable, ENCODE_SPREAD, INVALID, MERGE_PAIRS, MERGE_WORDS, SEXTETS_AC,
    SEXTETS_AC_MULTIPLIERS, SEXTETS_BD, SEXTETS_BD_MULTIPLIERS, encode_offsets,
};

/// The same 16 bytes in both 128-bit lanes.
///
/// # Safety
/// The CPU must have AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn both_lanes(bytes: &[u8; 16]) -> __m256i {
    // SAFETY: AVX2 (the caller's contract); the load reads the 16 bytes.
    unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(bytes.as_ptr().cast())) }
}

/// See `super::base64_encode`.
///
/// # Safety
/// The CPU must have AVX2, and `output` must hold the
/// encoding of all of `input` (`input.len().div_ceil(3) * 4` bytes).
#[inline]
#[target_feature(enable = "avx2")]
pub unsafe fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) -> usize {
    let Some(offsets) = encode_offsets(alphabet) else {
        return 0;
    };
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX2 (the caller's contract).  Each block loads 16 bytes at
    // `read` and at `read + 12`, within `input` by the loop condition, and
    // stores 32 bytes at `written` = read / 3 * 4: the output holds the
    // encoding of all of `input`, at least (read + 28) / 3 * 4 bytes.
    unsafe {
        let spread = both_lanes(&ENCODE_SPREAD);
        let offsets = both_lanes(&offsets);
        let ac = _mm256_set1_epi32(SEXTETS_AC);
        let ac_multipliers = _mm256_set1_epi32(SEXTETS_AC_MULTIPLIERS);
        let bd = _mm256_set1_epi32(SEXTETS_BD);
        let bd_multipliers = _mm256_set1_epi32(SEXTETS_BD_MULTIPLIERS);
        let (last_digit, last_upper, upper_class) = (
            _mm256_set1_epi8(51),
            _mm256_set1_epi8(26),
            _mm256_set1_epi8(13),
        );
        while read + 28 <= input.len() {
            let at = input.as_ptr().add(read);
            let block = _mm256_inserti128_si256::<1>(
                _mm256_castsi128_si256(_mm_loadu_si128(at.cast())),
                _mm_loadu_si128(at.add(12).cast()),
            );
            let groups = _mm256_shuffle_epi8(block, spread);
            let sextets = _mm256_or_si256(
                _mm256_mulhi_epu16(_mm256_and_si256(groups, ac), ac_multipliers),
                _mm256_mullo_epi16(_mm256_and_si256(groups, bd), bd_multipliers),
            );
            let upper = _mm256_and_si256(_mm256_cmpgt_epi8(last_upper, sextets), upper_class);
            let classes = _mm256_or_si256(_mm256_subs_epu8(sextets, last_digit), upper);
            let symbols = _mm256_add_epi8(sextets, _mm256_shuffle_epi8(offsets, classes));
            _mm256_storeu_si256(output.as_mut_ptr().add(written).cast(), symbols);
            read += 24;
            written += 32;
        }
    }
    read
}

/// See `super::base64_decode`.
///
/// # Safety
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX2 (the caller's contract).  The table loads read 16 of
    // its 128 bytes each; each block loads 32 bytes at `read` and stores
    // 32 at `written`, both within their slices by the loop condition.
    unsafe {
        // One 16-entry table per high nibble of an ASCII byte.
        let mut rows = [_mm256_setzero_si256(); 8];
        for (row, chunk) in rows.iter_mut().zip(table.chunks_exact(16)) {
            *row = _mm256_broadcastsi128_si256(_mm_loadu_si128(chunk.as_ptr().cast()));
        }
        let nibble = _mm256_set1_epi8(0x0f);
        let merge_pairs = _mm256_set1_epi32(MERGE_PAIRS);
        let merge_words = _mm256_set1_epi32(MERGE_WORDS);
        let gather = both_lanes(&DECODE_GATHER);
        let join_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
        while read + 32 <= input.len() && written + 32 <= output.len() {
            let chars = _mm256_loadu_si256(input.as_ptr().add(read).cast());
            let high = _mm256_and_si256(_mm256_srli_epi16::<4>(chars), nibble);
            let low = _mm256_and_si256(chars, nibble);
            // Bytes from 0x80 up match no row and keep INVALID.
            let mut values = _mm256_set1_epi8(INVALID as i8);
            for (nibble_value, row) in (0i8..).zip(rows.iter()) {
                let in_row = _mm256_cmpeq_epi8(high, _mm256_set1_epi8(nibble_value));
                values = _mm256_blendv_epi8(values, _mm256_shuffle_epi8(*row, low), in_row);
            }
            if _mm256_movemask_epi8(values) != 0 {
                break;
            }
            let merged = _mm256_madd_epi16(_mm256_maddubs_epi16(values, merge_pairs), merge_words);
            let bytes =
                _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(merged, gather), join_lanes);
            _mm256_storeu_si256(output.as_mut_ptr().add(written).cast(), bytes);
            read += 32;
            written += 24;
        }
    }
    (read, written)
}

encode_lines_kernel!("avx2");
