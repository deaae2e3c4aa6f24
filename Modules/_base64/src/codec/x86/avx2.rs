//! AVX2 kernels: base64 24 input bytes to 32 symbols and 32 symbols to 24
//! bytes; base16 32 bytes to 64 digits and back.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::{
    BASE32_MERGE_PAIRS, BASE32_MERGE_WORDS, DECODE_GATHER, DecodeTable, ENCODE_SPREAD, HEX_DIGITS,
    HEX_WEIGHTS, INVALID, MERGE_PAIRS, MERGE_WORDS, SEXTETS_AC, SEXTETS_AC_MULTIPLIERS, SEXTETS_BD,
    SEXTETS_BD_MULTIPLIERS, encode_offsets,
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

/// A 128-entry byte table (the first 128 of `table`) as eight 16-entry
/// rows, one per high nibble of an ASCII byte, in both lanes.
///
/// # Safety
/// The CPU must have AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn table_rows(table: &[u8; 256]) -> [__m256i; 8] {
    // SAFETY: AVX2 (the caller's contract); each load reads one 16-byte
    // chunk of the table.
    unsafe {
        let mut rows = [_mm256_setzero_si256(); 8];
        for (row, chunk) in rows.iter_mut().zip(table.chunks_exact(16)) {
            *row = _mm256_broadcastsi128_si256(_mm_loadu_si128(chunk.as_ptr().cast()));
        }
        rows
    }
}

/// The table entry of each byte of `chars` (see `table_rows`); bytes from
/// 0x80 up match no row and get `INVALID`.
///
/// # Safety
/// The CPU must have AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn look_up(rows: &[__m256i; 8], chars: __m256i) -> __m256i {
    // SAFETY: AVX2 (the caller's contract); no memory access.
    unsafe {
        let nibble = _mm256_set1_epi8(0x0f);
        let high = _mm256_and_si256(_mm256_srli_epi16::<4>(chars), nibble);
        let low = _mm256_and_si256(chars, nibble);
        let mut values = _mm256_set1_epi8(INVALID as i8);
        for (nibble_value, row) in (0i8..).zip(rows.iter()) {
            let in_row = _mm256_cmpeq_epi8(high, _mm256_set1_epi8(nibble_value));
            values = _mm256_blendv_epi8(values, _mm256_shuffle_epi8(*row, low), in_row);
        }
        values
    }
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
    // SAFETY: AVX2 (the caller's contract).  Each block loads 32 bytes at
    // `read` and stores 32 at `written`, both within their slices by the
    // loop condition.
    unsafe {
        let rows = table_rows(table);
        let merge_pairs = _mm256_set1_epi32(MERGE_PAIRS);
        let merge_words = _mm256_set1_epi32(MERGE_WORDS);
        let gather = both_lanes(&DECODE_GATHER);
        let join_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
        while read + 32 <= input.len() && written + 32 <= output.len() {
            let chars = _mm256_loadu_si256(input.as_ptr().add(read).cast());
            let values = look_up(&rows, chars);
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

/// See `super::base16_encode`: 32 input bytes to 64 digits a step.
///
/// # Safety
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn hex_encode(input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    let mut read = 0;
    // SAFETY: AVX2 (the caller's contract).  Each step loads 32 bytes at
    // `read` and stores 64 at 2 * `read`, both within their slices by the
    // loop condition.
    unsafe {
        let digits = both_lanes(&HEX_DIGITS);
        let low_nibble = _mm256_set1_epi8(0x0f);
        while read + 32 <= input.len() && 2 * read + 64 <= output.len() {
            let bytes = _mm256_loadu_si256(input.as_ptr().add(read).cast());
            let high = _mm256_shuffle_epi8(
                digits,
                _mm256_and_si256(_mm256_srli_epi16::<4>(bytes), low_nibble),
            );
            let low = _mm256_shuffle_epi8(digits, _mm256_and_si256(bytes, low_nibble));
            // Interleaving works within 128-bit lanes: `first` holds the
            // digits of bytes 0..8 and 16..24, `second` of 8..16 and 24..32.
            let first = _mm256_unpacklo_epi8(high, low);
            let second = _mm256_unpackhi_epi8(high, low);
            let out = output.as_mut_ptr().add(2 * read);
            _mm256_storeu_si256(out.cast(), _mm256_permute2x128_si256::<0x20>(first, second));
            _mm256_storeu_si256(
                out.add(32).cast(),
                _mm256_permute2x128_si256::<0x31>(first, second),
            );
            read += 32;
        }
    }
    read
}

/// The value of each hex digit of `chars`, and a mask of the bytes that
/// are digits (`a`-`f` too where `fold` is `0xdf`, which maps them to
/// `A`-`F`; `0xff` keeps them apart).
///
/// # Safety
/// The CPU must have AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn hex_values(chars: __m256i, fold: __m256i) -> (__m256i, __m256i) {
    // SAFETY: AVX2 (the caller's contract); no memory access.
    unsafe {
        // Whether x, unsigned, is at most `last`: after the wrapping
        // subtraction of a base, whether the byte is in base..=base + last.
        let within =
            |x: __m256i, last: i8| _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(last)), x);
        let digit = _mm256_sub_epi8(chars, _mm256_set1_epi8(b'0' as i8));
        // Only bytes that are `A`-`F` (or `a`-`f` folded) land in 0..=5.
        let letter = _mm256_sub_epi8(_mm256_and_si256(chars, fold), _mm256_set1_epi8(b'A' as i8));
        let (is_digit, is_letter) = (within(digit, 9), within(letter, 5));
        let values = _mm256_blendv_epi8(
            _mm256_add_epi8(letter, _mm256_set1_epi8(10)),
            digit,
            is_digit,
        );
        (values, _mm256_or_si256(is_digit, is_letter))
    }
}

/// See `super::base16_decode`: 64 digits to 32 bytes a step.
///
/// # Safety
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn hex_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX2 (the caller's contract).  Each step loads 64 bytes at
    // `read` and stores 32 at `written`, both within their slices by the
    // loop condition.
    unsafe {
        let fold = _mm256_set1_epi8(if casefold { 0xdfu8 as i8 } else { -1 });
        let weights = _mm256_set1_epi16(HEX_WEIGHTS);
        while read + 64 <= input.len() && written + 32 <= output.len() {
            let at = input.as_ptr().add(read);
            let (first, first_valid) = hex_values(_mm256_loadu_si256(at.cast()), fold);
            let (second, second_valid) = hex_values(_mm256_loadu_si256(at.add(32).cast()), fold);
            if _mm256_movemask_epi8(_mm256_and_si256(first_valid, second_valid)) != -1 {
                break;
            }
            // Packing works within 128-bit lanes: the 64-bit quarters come
            // out as first's low, second's low, first's high, second's high.
            let packed = _mm256_packus_epi16(
                _mm256_maddubs_epi16(first, weights),
                _mm256_maddubs_epi16(second, weights),
            );
            let bytes = _mm256_permute4x64_epi64::<0b11_01_10_00>(packed);
            _mm256_storeu_si256(output.as_mut_ptr().add(written).cast(), bytes);
            read += 64;
            written += 32;
        }
    }
    (read, written)
}

/// Places the 5 bytes b0..b4 of each of two base32 groups (at 0 and 5 of a
/// lane) as the 16-bit words [b0 b1, b1 b2, b2 b3, b3 b4], high byte
/// first: word k then holds symbol 2k in bits 15-6+2k... (see
/// `base32_encode`).
const BASE32_SPREAD: [u8; 16] = [1, 0, 2, 1, 3, 2, 4, 3, 6, 5, 7, 6, 8, 7, 9, 8];
/// Multipliers whose high half shifts words 0, 1 and 2 of a group right by
/// 6, 4 and 2 (word 3 needs no shift and is blended in unchanged).
const BASE32_SHIFTS: [u16; 8] = [1 << 10, 1 << 12, 1 << 14, 0, 1 << 10, 1 << 12, 1 << 14, 0];

/// Encodes whole 5-byte groups of `input` in base32 with `alphabet`;
/// returns the number of input bytes encoded, a multiple of 5.  Each step
/// reads 20 bytes (loading 26) and writes 32 symbols.
///
/// # Safety
/// The CPU must have AVX2, and `output` must hold the encoding of all of
/// `input` (`input.len().div_ceil(5) * 8` bytes).
#[target_feature(enable = "avx2")]
pub unsafe fn base32_encode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 32],
) -> usize {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX2 (the caller's contract).  Each step loads 16 bytes at
    // `read` and at `read + 10`, within `input` by the loop condition
    // (read + 26 <= len), and stores 32 symbols at `written` = read / 5 * 8,
    // which the output holds since it holds the encoding of all of input.
    unsafe {
        let spread = both_lanes(&BASE32_SPREAD);
        let shifts = _mm256_loadu_si256([BASE32_SHIFTS, BASE32_SHIFTS].as_ptr().cast());
        let ten_bits = _mm256_set1_epi16(0x03ff);
        let five_bits = _mm256_set1_epi8(0x1f);
        let low_symbols = both_lanes(alphabet[..16].try_into().expect("16 bytes"));
        let high_symbols = both_lanes(alphabet[16..].try_into().expect("16 bytes"));
        while read + 26 <= input.len() {
            let at = input.as_ptr().add(read);
            let groups = _mm256_loadu2_m128i(at.add(10).cast(), at.cast());
            let words = _mm256_shuffle_epi8(groups, spread);
            // Word k of a group, shifted right by 6 - 2k, holds symbols 2k
            // and 2k + 1 in its low 10 bits.
            let shifted =
                _mm256_blend_epi16::<0b1000_1000>(_mm256_mulhi_epu16(words, shifts), words);
            let pairs = _mm256_and_si256(shifted, ten_bits);
            // Symbol 2k to the word's low byte, 2k + 1 to its high byte.
            let values = _mm256_and_si256(
                _mm256_or_si256(_mm256_srli_epi16::<5>(pairs), _mm256_slli_epi16::<8>(pairs)),
                five_bits,
            );
            // Values 16..32 (bit 4 set) take the alphabet's second half.
            let high = _mm256_slli_epi16::<3>(values);
            let symbols = _mm256_blendv_epi8(
                _mm256_shuffle_epi8(low_symbols, values),
                _mm256_shuffle_epi8(high_symbols, values),
                high,
            );
            _mm256_storeu_si256(output.as_mut_ptr().add(written).cast(), symbols);
            read += 20;
            written += 32;
        }
    }
    read
}

/// Gathers the 5 output bytes of each 40-bit quantum (bits 39-0 of a
/// 64-bit lane), big-endian, 10 bytes per 128-bit lane.
const BASE32_GATHER: [u8; 16] = [
    4, 3, 2, 1, 0, 12, 11, 10, 9, 8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
];

/// Decodes whole quanta of `input` while every byte has a value in
/// `values` (the translation's: high bit set for a byte that is not a
/// symbol); returns (bytes read, bytes written), a multiple of 8 and of 5.
/// Each step reads 32 symbols and writes 20 bytes (storing 26).
///
/// # Safety
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn base32_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX2 (the caller's contract).  Each step loads 32 bytes at
    // `read` and stores 16 at `written` and at `written + 10`, all within
    // their slices by the loop condition.
    unsafe {
        let rows = table_rows(values);
        let merge_pairs = _mm256_set1_epi32(BASE32_MERGE_PAIRS);
        let merge_words = _mm256_set1_epi32(BASE32_MERGE_WORDS);
        let low_dword = _mm256_set1_epi64x(0xffff_ffff);
        let gather = both_lanes(&BASE32_GATHER);
        while read + 32 <= input.len() && written + 26 <= output.len() {
            let chars = _mm256_loadu_si256(input.as_ptr().add(read).cast());
            let quantum_values = look_up(&rows, chars);
            if _mm256_movemask_epi8(quantum_values) != 0 {
                break;
            }
            // 20 bits per 32-bit lane: symbols 0-3 of a quantum in the low
            // one, 4-7 in the high one; joined into 40 bits.
            let halves = _mm256_madd_epi16(
                _mm256_maddubs_epi16(quantum_values, merge_pairs),
                merge_words,
            );
            let joined = _mm256_or_si256(
                _mm256_slli_epi64::<20>(_mm256_and_si256(halves, low_dword)),
                _mm256_srli_epi64::<32>(halves),
            );
            let bytes = _mm256_shuffle_epi8(joined, gather);
            let out = output.as_mut_ptr().add(written);
            _mm_storeu_si128(out.cast(), _mm256_castsi256_si128(bytes));
            _mm_storeu_si128(out.add(10).cast(), _mm256_extracti128_si256::<1>(bytes));
            read += 32;
            written += 20;
        }
    }
    (read, written)
}
