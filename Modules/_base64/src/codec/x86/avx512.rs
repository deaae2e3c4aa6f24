//! AVX-512 VBMI kernels: 48 input bytes to 64 symbols, 64 symbols to 48
//! bytes.  Byte permutes across the whole vector take any alphabet: the
//! symbol of a sextet is a lookup in the 64-byte alphabet itself, and the
//! value of a byte a lookup in the 128-entry decode table.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::{DecodeTable, ENCODE_SPREAD, MERGE_PAIRS, MERGE_WORDS};

/// The low 48 bytes of a vector.
const LOW_48: __mmask64 = (1 << 48) - 1;

/// `ENCODE_SPREAD` over 48 input bytes: slot k holds group k.
const SPREAD_48: [u8; 64] = {
    let mut spread = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        spread[i] = ENCODE_SPREAD[i % 16] + (i / 16 * 12) as u8;
        i += 1;
    }
    spread
};

/// Bit offsets of sextets a, b, c, d in the two slots of each 64-bit word
/// (see `super` for the slot layout), one per output byte.
const SEXTET_SHIFTS: i64 = i64::from_le_bytes([10, 4, 22, 16, 42, 36, 54, 48]);

/// Gathers the 3 output bytes of each of the 16 slots, big-endian.
const GATHER_48: [u8; 64] = {
    let mut gather = [0u8; 64];
    let mut i = 0;
    while i < 48 {
        gather[i] = (i / 3 * 4 + 2 - i % 3) as u8;
        i += 1;
    }
    gather
};

/// See `super::base64_encode`.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI, and `output` must hold the
/// encoding of all of `input` (`input.len().div_ceil(3) * 4` bytes).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn encode(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) -> usize {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each block
    // loads 48 bytes at `read` (masked: nothing beyond), within `input` by
    // the loop condition, and stores 64 bytes at `written` = read / 3 * 4:
    // the output holds the encoding of all of `input`, at least
    // (read + 48) / 3 * 4 bytes.
    unsafe {
        let spread = _mm512_loadu_si512(SPREAD_48.as_ptr().cast());
        let shifts = _mm512_set1_epi64(SEXTET_SHIFTS);
        let symbols = _mm512_loadu_si512(alphabet.as_ptr().cast());
        while read + 48 <= input.len() {
            let block = _mm512_maskz_loadu_epi8(LOW_48, input.as_ptr().add(read).cast());
            let groups = _mm512_permutexvar_epi8(spread, block);
            // Each output byte gets the 8 bits at its shift; the symbol
            // lookup uses the low 6.
            let sextets = _mm512_multishift_epi64_epi8(shifts, groups);
            let encoded = _mm512_permutexvar_epi8(sextets, symbols);
            _mm512_storeu_si512(output.as_mut_ptr().add(written).cast(), encoded);
            read += 48;
            written += 64;
        }
    }
    read
}

/// See `super::base64_decode`.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  The table
    // loads read its two halves; each block loads 64 bytes at `read` and
    // stores 48 (masked) at `written`, both within their slices by the
    // loop condition.
    unsafe {
        let table_low = _mm512_loadu_si512(table.as_ptr().cast());
        let table_high = _mm512_loadu_si512(table.as_ptr().add(64).cast());
        let merge_pairs = _mm512_set1_epi32(MERGE_PAIRS);
        let merge_words = _mm512_set1_epi32(MERGE_WORDS);
        let gather = _mm512_loadu_si512(GATHER_48.as_ptr().cast());
        while read + 64 <= input.len() && written + 48 <= output.len() {
            let chars = _mm512_loadu_si512(input.as_ptr().add(read).cast());
            // The lookup uses the low 7 bits; a byte from 0x80 up, like an
            // INVALID entry, leaves the high bit set.
            let values = _mm512_permutex2var_epi8(table_low, chars, table_high);
            if _mm512_movepi8_mask(_mm512_or_si512(values, chars)) != 0 {
                break;
            }
            let merged = _mm512_madd_epi16(_mm512_maddubs_epi16(values, merge_pairs), merge_words);
            let bytes = _mm512_permutexvar_epi8(gather, merged);
            _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), LOW_48, bytes);
            read += 64;
            written += 48;
        }
    }
    (read, written)
}

encode_lines_kernel!("avx512f,avx512bw,avx512vbmi");
