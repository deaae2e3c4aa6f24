//! AVX-512 VBMI kernels: 48 input bytes to 64 symbols, 64 symbols to 48
//! bytes.  Byte permutes across the whole vector take any alphabet: the
//! symbol of a sextet is a lookup in the 64-byte alphabet itself, and the
//! value of a byte a lookup in the 128-entry decode table.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::{
    BASE32_MERGE_PAIRS, BASE32_MERGE_WORDS, DecodeTable, ENCODE_SPREAD, HEX_DIGITS, HEX_WEIGHTS,
    MERGE_PAIRS, MERGE_WORDS,
};
use crate::codec::base16;

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

/// The encoder's constant vectors: `SPREAD_48`, `SEXTET_SHIFTS` and the
/// alphabet.
///
/// # Safety
/// The CPU must have AVX-512 F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn encoder(alphabet: &[u8; 64]) -> [__m512i; 3] {
    // SAFETY: AVX-512 F (the caller's contract); the loads read
    // `SPREAD_48` and `alphabet`, 64 bytes each.
    unsafe {
        [
            _mm512_loadu_si512(SPREAD_48.as_ptr().cast()),
            _mm512_set1_epi64(SEXTET_SHIFTS),
            _mm512_loadu_si512(alphabet.as_ptr().cast()),
        ]
    }
}

/// The 64 symbols of the 48 bytes in the low part of `block` (16 groups
/// of 3 bytes, as laid out in `super`).
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
unsafe fn encode_block([spread, shifts, symbols]: [__m512i; 3], block: __m512i) -> __m512i {
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract); no memory
    // access.
    unsafe {
        let groups = _mm512_permutexvar_epi8(spread, block);
        // Each output byte gets the 8 bits at its shift; the symbol
        // lookup uses the low 6.
        let sextets = _mm512_multishift_epi64_epi8(shifts, groups);
        _mm512_permutexvar_epi8(sextets, symbols)
    }
}

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
    // (read + 48) / 3 * 4 bytes.  The last block loads the whole groups
    // left and stores their symbols, both masked, within the slices for
    // the same reasons.
    unsafe {
        let encoder = encoder(alphabet);
        while read + 48 <= input.len() {
            let block = _mm512_maskz_loadu_epi8(LOW_48, input.as_ptr().add(read).cast());
            let encoded = encode_block(encoder, block);
            _mm512_storeu_si512(output.as_mut_ptr().add(written).cast(), encoded);
            read += 48;
            written += 64;
        }
        // Whole groups left (fewer than 16) in one masked block, so that a
        // short input is not encoded byte by byte.
        let groups = (input.len() - read) / 3;
        if groups > 0 {
            let load = (1u64 << (groups * 3)) - 1;
            let block = _mm512_maskz_loadu_epi8(load, input.as_ptr().add(read).cast());
            let encoded = encode_block(encoder, block);
            let store = (1u64 << (groups * 4)) - 1;
            _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), store, encoded);
            read += groups * 3;
        }
    }
    read
}

/// See `super::base64_encode_lines`.  A line (57 bytes) is whole groups,
/// so the whole lines are one stream of 48-byte blocks whose symbols need
/// a newline after every 76th: where one falls among a block's 64
/// symbols, at a lane known from how far the line has got, the symbols
/// from there are stored again one byte further on and the newline is
/// put in the gap.  No block is split at a line's end.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn encode_lines(input: &[u8], output: &mut [MaybeUninit<u8>]) -> (usize, usize) {
    use crate::codec::base64::{LINE_INPUT, STANDARD};
    const LINE_SYMBOLS: usize = LINE_INPUT / 3 * 4;
    let lines = (input.len() / LINE_INPUT).min(output.len() / (LINE_SYMBOLS + 1));
    if lines == 0 {
        return (0, 0);
    }
    let (end_read, end_written) = (lines * LINE_INPUT, lines * (LINE_SYMBOLS + 1));
    let (mut read, mut written) = (0, 0);
    // Symbols of the current line written so far.
    let mut column = 0;
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each block
    // loads 48 bytes at `read` (masked), within the whole lines by the
    // loop condition, and stores its 64 symbols and the newline among
    // them, if any, at `written`: bytes of the encoding of the whole
    // lines, which ends at `end_written`, within `output`.  The rest of
    // the last line (whole groups) is encoded by `encode` into its place,
    // and its newline written after it.
    unsafe {
        let encoder = encoder(&STANDARD);
        while read + 48 <= end_read {
            let block = _mm512_maskz_loadu_epi8(LOW_48, input.as_ptr().add(read).cast());
            let symbols = encode_block(encoder, block);
            let out = output.as_mut_ptr().add(written);
            // Symbols before the line's newline.
            let gap = LINE_SYMBOLS - column;
            if gap >= 64 {
                _mm512_storeu_si512(out.cast(), symbols);
                column += 64;
                written += 64;
            } else {
                // The symbols from the gap on go one byte further, and the
                // newline into the gap.
                _mm512_storeu_si512(out.cast(), symbols);
                _mm512_mask_storeu_epi8(out.add(1).cast(), !0u64 << gap, symbols);
                out.add(gap).write(MaybeUninit::new(b'\n'));
                column = 64 - gap;
                written += 65;
            }
            read += 48;
        }
        let rest = end_read - read;
        written += encode(&input[read..end_read], &mut output[written..], &STANDARD) / 3 * 4;
        debug_assert_eq!(column + rest / 3 * 4, LINE_SYMBOLS);
        output[written].write(b'\n');
        written += 1;
    }
    debug_assert_eq!(written, end_written);
    (end_read, written)
}

/// See `super::base64_decode_lines`.  The lines are one stream of
/// symbols with a newline after every `len`th: each step decodes 64
/// symbols, and where the line's newline falls among them, at a place
/// known from how far the line has got, the lanes from there load one
/// byte further on.  Stops before the first step whose newline is not
/// in its place or whose other bytes are not all in `table`.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn decode_lines(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
    len: usize,
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    if len < 64 {
        return (read, written);
    }
    // Symbols of the current line before `read`.
    let mut column = 0;
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  A step
    // reads at most the 65 bytes at `read`, and the newline's byte inside
    // them, within `input` by the loop condition, and stores 48 bytes
    // (masked) at `written`, within `output` by the loop condition.
    unsafe {
        let decoder = Decoder::new(table);
        while read + 65 <= input.len() && written + 48 <= output.len() {
            let at = input.as_ptr().add(read);
            // Symbols before the line's newline.
            let gap = len - column;
            let chars = _mm512_loadu_si512(at.cast());
            let chars = if gap >= 64 {
                chars
            } else if *at.add(gap) == b'\n' {
                _mm512_mask_loadu_epi8(chars, !0u64 << gap, at.add(1).cast())
            } else {
                break;
            };
            let (values, outside) = look_up(decoder.table, chars);
            if outside != 0 {
                break;
            }
            let bytes = decoder.bytes(values);
            _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), LOW_48, bytes);
            written += 48;
            if gap >= 64 {
                read += 64;
                column += 64;
            } else {
                read += 65;
                column = 64 - gap;
            }
        }
    }
    (read, written)
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
    // loop condition; the last block loads and stores, masked, only the
    // whole groups it decodes, which its condition puts within the slices.
    unsafe {
        let decoder = Decoder::new(table);
        while read + 64 <= input.len() && written + 48 <= output.len() {
            let chars = _mm512_loadu_si512(input.as_ptr().add(read).cast());
            let (values, outside) = look_up(decoder.table, chars);
            if outside != 0 {
                return (read, written);
            }
            let bytes = decoder.bytes(values);
            _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), LOW_48, bytes);
            read += 64;
            written += 48;
        }
        // Fewer than 64 symbols left: their whole groups in one masked
        // block, or, when the last group holds a byte outside the table
        // (padding, most often), the groups before it; so that a short
        // input does not go symbol by symbol.
        let groups = (input.len() - read) / 4;
        if (1..16).contains(&groups) {
            let group_mask = |groups: usize| (1u64 << (groups * 4)) - 1;
            let chars =
                _mm512_maskz_loadu_epi8(group_mask(groups), input.as_ptr().add(read).cast());
            let (values, outside) = look_up(decoder.table, chars);
            let outside = outside & group_mask(groups);
            let valid = if outside == 0 {
                groups
            } else if outside & group_mask(groups - 1) == 0 {
                groups - 1
            } else {
                0
            };
            if written + valid * 3 <= output.len() {
                let bytes = decoder.bytes(values);
                let store = (1u64 << (valid * 3)) - 1;
                _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), store, bytes);
                read += valid * 4;
                written += valid * 3;
            }
        }
    }
    (read, written)
}

/// The base64 decoder's constant vectors: the two halves of the decode
/// table (for `look_up`), the merge weights and `GATHER_48`.
#[derive(Clone, Copy)]
struct Decoder {
    table: (__m512i, __m512i),
    merge_pairs: __m512i,
    merge_words: __m512i,
    gather: __m512i,
}

impl Decoder {
    /// # Safety
    /// The CPU must have AVX-512 F.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn new(table: &DecodeTable) -> Self {
        // SAFETY: AVX-512 F (the caller's contract); the loads read the
        // table's halves and the 64 bytes of `GATHER_48`.
        unsafe {
            Decoder {
                table: table_halves(table),
                merge_pairs: _mm512_set1_epi32(MERGE_PAIRS),
                merge_words: _mm512_set1_epi32(MERGE_WORDS),
                gather: _mm512_loadu_si512(GATHER_48.as_ptr().cast()),
            }
        }
    }

    /// The 48 bytes of 64 symbol values (16 groups, as laid out in
    /// `super`), in the low part of the vector.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VBMI.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    unsafe fn bytes(self, values: __m512i) -> __m512i {
        // SAFETY: AVX-512 F, BW and VBMI (the caller's contract); no
        // memory access.
        unsafe {
            let merged = _mm512_madd_epi16(
                _mm512_maddubs_epi16(values, self.merge_pairs),
                self.merge_words,
            );
            _mm512_permutexvar_epi8(self.gather, merged)
        }
    }
}

/// A 128-entry byte table (the first 128 of `table`) as two vectors, for
/// `look_up`.
///
/// # Safety
/// The CPU must have AVX-512 F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn table_halves(table: &[u8; 256]) -> (__m512i, __m512i) {
    // SAFETY: AVX-512 F (the caller's contract); the loads read bytes
    // 0..64 and 64..128 of the table.
    unsafe {
        (
            _mm512_loadu_si512(table.as_ptr().cast()),
            _mm512_loadu_si512(table.as_ptr().add(64).cast()),
        )
    }
}

/// The table entry of each byte of `chars`, and the mask of the bytes
/// outside the table: from 0x80 up, or with an entry whose high bit is set.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
unsafe fn look_up((low, high): (__m512i, __m512i), chars: __m512i) -> (__m512i, __mmask64) {
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract); no memory
    // access.
    unsafe {
        // The permute uses the low 7 bits of each byte.
        let values = _mm512_permutex2var_epi8(low, chars, high);
        let outside = _mm512_movepi8_mask(_mm512_or_si512(values, chars));
        (values, outside)
    }
}

/// A 64-entry table repeating `symbols`, so that a lookup by the low 6 bits
/// of an index depends on only its low `log2(N)` bits.
const fn repeated<const N: usize>(symbols: &[u8; N]) -> [u8; 64] {
    let mut table = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        table[i] = symbols[i % N];
        i += 1;
    }
    table
}

/// The low 40 bytes of a vector: eight base32 groups of 5.
const LOW_40: __mmask64 = (1 << 40) - 1;

/// Places base32 group g (input bytes 5g..5g + 5) in 64-bit word g,
/// little-endian with its first byte highest: bits 39-0 are the group's
/// 40 bits in order.
const BASE32_SPREAD_40: [u8; 64] = {
    let mut spread = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        let (group, byte) = (i / 8, i % 8);
        if byte < 5 {
            spread[i] = (group * 5 + 4 - byte) as u8;
        }
        i += 1;
    }
    spread
};

/// Bit offsets of the 8 symbols in such a word, first symbol first.
const BASE32_SYMBOL_SHIFTS: i64 = i64::from_le_bytes([35, 30, 25, 20, 15, 10, 5, 0]);

/// The inverse of `BASE32_SPREAD_40`: gathers the 5 bytes of each word,
/// highest first, 40 bytes in all.
const BASE32_GATHER_40: [u8; 64] = {
    let mut gather = [0u8; 64];
    let mut i = 0;
    while i < 40 {
        gather[i] = (i / 5 * 8 + 4 - i % 5) as u8;
        i += 1;
    }
    gather
};

/// See `super::base32_encode`: 40 input bytes to 64 symbols a step.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI, and `output` must hold the
/// encoding of all of `input` (`input.len().div_ceil(5) * 8` bytes).
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn base32_encode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 32],
) -> usize {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each step
    // loads 40 bytes at `read` (masked: nothing beyond), within `input` by
    // the loop condition, and stores 64 symbols at `written` = read / 5 * 8:
    // the output holds the encoding of all of `input`, at least
    // (read + 40) / 5 * 8 bytes.
    unsafe {
        let spread = _mm512_loadu_si512(BASE32_SPREAD_40.as_ptr().cast());
        let shifts = _mm512_set1_epi64(BASE32_SYMBOL_SHIFTS);
        let symbols = _mm512_loadu_si512(repeated(alphabet).as_ptr().cast());
        while read + 40 <= input.len() {
            let block = _mm512_maskz_loadu_epi8(LOW_40, input.as_ptr().add(read).cast());
            let groups = _mm512_permutexvar_epi8(spread, block);
            // Each output byte gets the 8 bits at its symbol's offset; the
            // lookup in the repeated alphabet depends on the low 5.
            let values = _mm512_multishift_epi64_epi8(shifts, groups);
            let encoded = _mm512_permutexvar_epi8(values, symbols);
            _mm512_storeu_si512(output.as_mut_ptr().add(written).cast(), encoded);
            read += 40;
            written += 64;
        }
    }
    read
}

/// See `super::base32_decode`: 64 symbols to 40 bytes a step.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn base32_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each step
    // loads 64 bytes at `read` and stores 40 (masked) at `written`, both
    // within their slices by the loop condition.
    unsafe {
        let table = table_halves(values);
        let merge_pairs = _mm512_set1_epi32(BASE32_MERGE_PAIRS);
        let merge_words = _mm512_set1_epi32(BASE32_MERGE_WORDS);
        let gather = _mm512_loadu_si512(BASE32_GATHER_40.as_ptr().cast());
        while read + 64 <= input.len() && written + 40 <= output.len() {
            let chars = _mm512_loadu_si512(input.as_ptr().add(read).cast());
            let (symbol_values, outside) = look_up(table, chars);
            if outside != 0 {
                break;
            }
            // 20 bits per 32-bit lane: symbols 0-3 of a quantum in the low
            // one, 4-7 in the high one; joined into bits 39-0.
            let halves = _mm512_madd_epi16(
                _mm512_maddubs_epi16(symbol_values, merge_pairs),
                merge_words,
            );
            let joined = _mm512_or_si512(
                _mm512_slli_epi64::<20>(_mm512_and_si512(halves, _mm512_set1_epi64(0xffff_ffff))),
                _mm512_srli_epi64::<32>(halves),
            );
            let bytes = _mm512_permutexvar_epi8(gather, joined);
            _mm512_mask_storeu_epi8(output.as_mut_ptr().add(written).cast(), LOW_40, bytes);
            read += 64;
            written += 40;
        }
    }
    (read, written)
}

/// Places input bytes 4q..4q + 4 of a 32-byte half (`HEX_HALF`) in the
/// low half of 64-bit word q, for `HEX_NIBBLE_SHIFTS`.
const fn hex_spread(half: usize) -> [u8; 64] {
    let mut spread = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        if i % 8 < 4 {
            spread[i] = (32 * half + i / 8 * 4 + i % 8) as u8;
        }
        i += 1;
    }
    spread
}

/// Bit offsets of the high, then the low, nibble of each of a word's 4
/// bytes.
const HEX_NIBBLE_SHIFTS: i64 = i64::from_le_bytes([4, 0, 12, 8, 20, 16, 28, 24]);

/// Picks the even bytes of two vectors: the low byte of each 16-bit word.
const EVEN_BYTES: [u8; 64] = {
    let mut even = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        even[i] = (2 * i) as u8;
        i += 1;
    }
    even
};

/// See `super::base16_encode`: 64 input bytes to 128 digits a step.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn hex_encode(input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    let mut read = 0;
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each step
    // loads 64 bytes at `read` and stores 128 at 2 * `read`, both within
    // their slices by the loop condition.
    unsafe {
        let first_spread = _mm512_loadu_si512(hex_spread(0).as_ptr().cast());
        let second_spread = _mm512_loadu_si512(hex_spread(1).as_ptr().cast());
        let shifts = _mm512_set1_epi64(HEX_NIBBLE_SHIFTS);
        let digits = _mm512_loadu_si512(repeated(&HEX_DIGITS).as_ptr().cast());
        while read + 64 <= input.len() && 2 * read + 128 <= output.len() {
            let bytes = _mm512_loadu_si512(input.as_ptr().add(read).cast());
            let out = output.as_mut_ptr().add(2 * read);
            for (spread, at) in [(first_spread, 0), (second_spread, 64)] {
                let nibbles =
                    _mm512_multishift_epi64_epi8(shifts, _mm512_permutexvar_epi8(spread, bytes));
                let encoded = _mm512_permutexvar_epi8(nibbles, digits);
                _mm512_storeu_si512(out.add(at).cast(), encoded);
            }
            read += 64;
        }
    }
    read
}

/// See `super::base16_decode`: 128 digits to 64 bytes a step, looked up
/// in the table of digit values (high bit set for a byte that is not a
/// digit).
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn hex_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    let values = base16::digit_values(casefold);
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each step
    // loads 128 bytes at `read` and stores 64 at `written`, both within
    // their slices by the loop condition.
    unsafe {
        let table = table_halves(values);
        let weights = _mm512_set1_epi16(HEX_WEIGHTS);
        let even = _mm512_loadu_si512(EVEN_BYTES.as_ptr().cast());
        while read + 128 <= input.len() && written + 64 <= output.len() {
            let at = input.as_ptr().add(read);
            let (first, first_outside) = look_up(table, _mm512_loadu_si512(at.cast()));
            let (second, second_outside) = look_up(table, _mm512_loadu_si512(at.add(64).cast()));
            if first_outside | second_outside != 0 {
                break;
            }
            let bytes = _mm512_permutex2var_epi8(
                _mm512_maddubs_epi16(first, weights),
                even,
                _mm512_maddubs_epi16(second, weights),
            );
            _mm512_storeu_si512(output.as_mut_ptr().add(written).cast(), bytes);
            read += 128;
            written += 64;
        }
    }
    (read, written)
}

/// Reverses the bytes of each 32-bit lane (big-endian words), in every
/// 128-bit lane.
const SWAP_WORD_BYTES: [u8; 64] = {
    let mut swap = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        swap[i] = (i % 16 / 4 * 4 + 3 - i % 4) as u8;
        i += 1;
    }
    swap
};

/// The quotient by 85 of every 32-bit lane: the high bits of a 64-bit
/// product with 2^38 / 85 rounded up, exact below 2^32 (the rounding adds
/// less than 21 * 2^32 / 2^38 / 85 < 1/256 to x / 85, whose fraction is at
/// most 84/85).
///
/// # Safety
/// The CPU must have AVX-512 F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn divide_by_85(x: __m512i) -> __m512i {
    // SAFETY: AVX-512 F (the caller's contract); no memory access.
    unsafe {
        let reciprocal = _mm512_set1_epi64(0xc0c0_c0c1);
        // The products of the even lanes, then of the odd ones.
        let even = _mm512_srli_epi64::<38>(_mm512_mul_epu32(x, reciprocal));
        let odd = _mm512_srli_epi64::<38>(_mm512_mul_epu32(_mm512_srli_epi64::<32>(x), reciprocal));
        _mm512_or_si512(even, _mm512_slli_epi64::<32>(odd))
    }
}

/// Where the 80 digits of 16 base85 groups come from: digit k of group g
/// is byte 4g + k of the vector of the first four digits for k < 4, and
/// byte 4g of the vector of last digits (indices from 64) for k = 4.
const DIGIT_PLACES: [u8; 80] = {
    let mut places = [0u8; 80];
    let mut i = 0;
    while i < 80 {
        let (group, k) = (i / 5, i % 5);
        places[i] = if k < 4 { group * 4 + k } else { 64 + group * 4 } as u8;
        i += 1;
    }
    places
};

/// The low 16 bytes of a vector: the last fifth of 80.
const LOW_16: __mmask64 = (1 << 16) - 1;

/// See `super::base85_encode`: 16 groups, 64 input bytes to 80 digits, a
/// step.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn base85_encode(
    input: &[u8],
    output: &mut [u8],
    digits: &[u8; 85],
    fold_nuls: bool,
    fold_spaces: bool,
) -> usize {
    let (mut read, mut written) = (0, 0);
    // Digit values index the table's first 128 entries, as symbols do
    // the decoders'.
    let mut alphabet = [0u8; 256];
    alphabet[..85].copy_from_slice(digits);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  The table
    // loads read `DIGIT_PLACES` (80 bytes: 64, then 16 masked); each step loads 64 bytes at `read` and stores 64 bytes and
    // 16 (masked) at `written`, within their slices by the loop condition.
    unsafe {
        let swap = _mm512_loadu_si512(SWAP_WORD_BYTES.as_ptr().cast());
        let symbols = table_halves(&alphabet);
        let places = (
            _mm512_loadu_si512(DIGIT_PLACES.as_ptr().cast()),
            _mm512_maskz_loadu_epi8(LOW_16, DIGIT_PLACES.as_ptr().add(64).cast()),
        );
        let base = _mm512_set1_epi32(85);
        let spaces = _mm512_set1_epi32(0x2020_2020);
        while read + 64 <= input.len() && written + 80 <= output.len() {
            let bytes = _mm512_loadu_si512(input.as_ptr().add(read).cast());
            // A block with a group that folds is left to the portable code.
            let mut folds = 0;
            if fold_nuls {
                folds |= _mm512_testn_epi32_mask(bytes, bytes);
            }
            if fold_spaces {
                folds |= _mm512_cmpeq_epi32_mask(bytes, spaces);
            }
            if folds != 0 {
                break;
            }
            // Digits from the last: the remainders of repeated division.
            let mut rest = _mm512_shuffle_epi8(bytes, swap);
            let mut low_digits = [_mm512_setzero_si512(); 4];
            for digit in low_digits.iter_mut().rev() {
                let quotient = divide_by_85(rest);
                *digit = _mm512_sub_epi32(rest, _mm512_mullo_epi32(quotient, base));
                rest = quotient;
            }
            // Digits 0-3 of a group in its 32-bit lane, first digit lowest;
            // digit 4 alone in another vector's lane.
            let [d1, d2, d3, d4] = low_digits;
            let first_four = _mm512_or_si512(
                _mm512_or_si512(rest, _mm512_slli_epi32::<8>(d1)),
                _mm512_or_si512(_mm512_slli_epi32::<16>(d2), _mm512_slli_epi32::<24>(d3)),
            );
            let out = output.as_mut_ptr().add(written);
            let head = _mm512_permutex2var_epi8(first_four, places.0, d4);
            let tail = _mm512_permutex2var_epi8(first_four, places.1, d4);
            let head = _mm512_permutex2var_epi8(symbols.0, head, symbols.1);
            let tail = _mm512_permutex2var_epi8(symbols.0, tail, symbols.1);
            _mm512_storeu_si512(out.cast(), head);
            _mm512_mask_storeu_epi8(out.add(64).cast(), LOW_16, tail);
            read += 64;
            written += 80;
        }
    }
    read
}

/// The inverse of `DIGIT_PLACES`: gathers the first four digits of group g
/// of 80 (digits 80 onwards are in the second vector, indices from 64) in
/// lane g, and, where `LAST_DIGITS` is set, its last digit.
const GROUP_DIGITS: [u8; 64] = {
    let mut gather = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        gather[i] = (i / 4 * 5 + i % 4) as u8;
        i += 1;
    }
    gather
};
const GROUP_LAST_DIGITS: [u8; 64] = {
    let mut gather = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        gather[i] = (i / 4 * 5 + 4) as u8;
        i += 1;
    }
    gather
};
/// The low byte of each 32-bit lane.
const LANE_LOW_BYTES: __mmask64 = 0x1111_1111_1111_1111;

/// Weights merging digits into a*85 + b (multiply-add of bytes by
/// [85, 1]), then ab * 85^2 + cd (multiply-add of words by [7225, 1]).
const BASE85_MERGE_PAIRS: i16 = 0x0155;
const BASE85_MERGE_WORDS: i32 = 0x0001_1c39;
/// The largest value of four digits whose group, ×85 plus the last digit,
/// still fits 32 bits: 85 × 50,529,027 = 2^32 - 1, so with a last digit of
/// 0 only.
const LARGEST_FIRST_FOUR: i32 = 50_529_027;

/// See `super::base85_decode`: 16 groups, 80 digits to 64 bytes, a step.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VBMI.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
pub unsafe fn base85_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    // SAFETY: AVX-512 F, BW and VBMI (the caller's contract).  Each step
    // loads 64 bytes at `read` and 16 (masked) at `read + 64`, and stores
    // 64 at `written`, within their slices by the loop condition.
    unsafe {
        let table = table_halves(values);
        let first_four = _mm512_loadu_si512(GROUP_DIGITS.as_ptr().cast());
        let last = _mm512_loadu_si512(GROUP_LAST_DIGITS.as_ptr().cast());
        let merge_pairs = _mm512_set1_epi16(BASE85_MERGE_PAIRS);
        let merge_words = _mm512_set1_epi32(BASE85_MERGE_WORDS);
        let largest = _mm512_set1_epi32(LARGEST_FIRST_FOUR);
        let swap = _mm512_loadu_si512(SWAP_WORD_BYTES.as_ptr().cast());
        while read + 80 <= input.len() && written + 64 <= output.len() {
            let at = input.as_ptr().add(read);
            let (head, head_outside) = look_up(table, _mm512_loadu_si512(at.cast()));
            let (tail, tail_outside) =
                look_up(table, _mm512_maskz_loadu_epi8(LOW_16, at.add(64).cast()));
            if head_outside | (tail_outside & LOW_16) != 0 {
                break;
            }
            let abcd = _mm512_madd_epi16(
                _mm512_maddubs_epi16(
                    _mm512_permutex2var_epi8(head, first_four, tail),
                    merge_pairs,
                ),
                merge_words,
            );
            let e = _mm512_maskz_permutex2var_epi8(LANE_LOW_BYTES, head, last, tail);
            // Over 2^32 - 1: the four digits too large, or as large as can
            // be with a last digit above 0.
            let overflow = _mm512_cmpgt_epu32_mask(abcd, largest)
                | _mm512_mask_test_epi32_mask(_mm512_cmpeq_epi32_mask(abcd, largest), e, e);
            if overflow != 0 {
                break;
            }
            let words = _mm512_add_epi32(_mm512_mullo_epi32(abcd, _mm512_set1_epi32(85)), e);
            _mm512_storeu_si512(
                output.as_mut_ptr().add(written).cast(),
                _mm512_shuffle_epi8(words, swap),
            );
            read += 80;
            written += 64;
        }
    }
    (read, written)
}
