//! The SSE4.1 and AVX2 kernels, each defined once over [`Lanes`] (see
//! `lanes`): base64, base16 and base32, encoding and decoding.  A step
//! handles one vector, one or two 128-bit lanes; each kernel says what a
//! lane of it reads and writes.
//!
//! Every load and store is bounded by its loop's condition, so these
//! functions are safe for any slices; `lane_entry_points!` instantiates
//! them in a `#[target_feature]` function per level, which is where the
//! compiler turns them into that level's instructions.

use core::mem::MaybeUninit;

use super::lanes::Lanes;
use super::{
    BASE32_MERGE_PAIRS, BASE32_MERGE_WORDS, DECODE_GATHER, DecodeTable, ENCODE_SPREAD, HEX_DIGITS,
    HEX_WEIGHTS, INVALID, MERGE_PAIRS, MERGE_WORDS, SEXTETS_AC, SEXTETS_AC_MULTIPLIERS, SEXTETS_BD,
    SEXTETS_BD_MULTIPLIERS, encode_offsets,
};

/// See `super::base64_encode`: 12 input bytes to 16 symbols per lane.
#[inline(always)]
pub fn base64_encode<L: Lanes>(
    lanes: L,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 64],
) -> usize {
    let Some(offsets) = encode_offsets(alphabet) else {
        return 0;
    };
    let spread = lanes.rows(&ENCODE_SPREAD);
    let offsets = lanes.rows(&offsets);
    let ac = lanes.splat32(SEXTETS_AC);
    let ac_multipliers = lanes.splat32(SEXTETS_AC_MULTIPLIERS);
    let bd = lanes.splat32(SEXTETS_BD);
    let bd_multipliers = lanes.splat32(SEXTETS_BD_MULTIPLIERS);
    let (last_digit, last_upper, upper_class) =
        (lanes.splat8(51), lanes.splat8(26), lanes.splat8(13));
    let (mut read, mut written) = (0, 0);
    while read + L::lanes_span(12) <= input.len() && written + L::BYTES <= output.len() {
        // SAFETY: lane k loads the 16 bytes at read + 12k, within `input`
        // by the loop condition.
        let block = unsafe { lanes.load_lanes(input.as_ptr().add(read), 12) };
        let groups = lanes.shuffle8(block, spread);
        let sextets = lanes.or(
            lanes.mulhi_u16(lanes.and(groups, ac), ac_multipliers),
            lanes.mullo16(lanes.and(groups, bd), bd_multipliers),
        );
        let upper = lanes.and(lanes.cmpgt8(last_upper, sextets), upper_class);
        let classes = lanes.or(lanes.subs_u8(sextets, last_digit), upper);
        let symbols = lanes.add8(sextets, lanes.shuffle8(offsets, classes));
        // SAFETY: within `output` by the loop condition.
        unsafe { lanes.store(output.as_mut_ptr().add(written).cast(), symbols) };
        read += 12 * L::LANES;
        written += L::BYTES;
    }
    read
}

/// A 128-entry byte table (the first 128 of `table`) as eight 16-entry
/// rows, one per high nibble of an ASCII byte, in every lane.
#[inline(always)]
fn table_rows<L: Lanes>(lanes: L, table: &[u8; 256]) -> [L::V; 8] {
    core::array::from_fn(|row| {
        let entries = table[16 * row..16 * row + 16].try_into();
        lanes.rows(entries.expect("16 entries"))
    })
}

/// The table entry of each byte of `chars` (see `table_rows`); bytes from
/// 0x80 up match no row and get `INVALID`.
#[inline(always)]
fn look_up<L: Lanes>(lanes: L, rows: &[L::V; 8], chars: L::V) -> L::V {
    let nibble = lanes.splat8(0x0f);
    let high = lanes.and(lanes.srli16::<4>(chars), nibble);
    let low = lanes.and(chars, nibble);
    let mut values = lanes.splat8(INVALID as i8);
    for (nibble_value, row) in (0i8..).zip(rows.iter()) {
        let in_row = lanes.cmpeq8(high, lanes.splat8(nibble_value));
        values = lanes.blendv8(values, lanes.shuffle8(*row, low), in_row);
    }
    values
}

/// See `super::base64_decode`: 16 symbols to 12 bytes per lane.
#[inline(always)]
pub fn base64_decode<L: Lanes>(
    lanes: L,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    let rows = table_rows(lanes, table);
    let merge_pairs = lanes.splat32(MERGE_PAIRS);
    let merge_words = lanes.splat32(MERGE_WORDS);
    let gather = lanes.rows(&DECODE_GATHER);
    let (mut read, mut written) = (0, 0);
    while read + L::BYTES <= input.len() && written + L::lanes_span(12) <= output.len() {
        // SAFETY: within `input` by the loop condition.
        let chars = unsafe { lanes.load(input.as_ptr().add(read)) };
        let values = look_up(lanes, &rows, chars);
        if lanes.any_high(values) {
            break;
        }
        let merged = lanes.madd16(lanes.maddubs16(values, merge_pairs), merge_words);
        let bytes = lanes.shuffle8(merged, gather);
        // SAFETY: lane k stores 16 bytes at written + 12k, within `output`
        // by the loop condition.
        unsafe { lanes.store_lanes(output.as_mut_ptr().add(written).cast(), 12, bytes) };
        read += L::BYTES;
        written += 12 * L::LANES;
    }
    (read, written)
}

/// See `super::base16_encode`: 16 input bytes to 32 digits per lane.
#[inline(always)]
pub fn base16_encode<L: Lanes>(lanes: L, input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
    let digits = lanes.rows(&HEX_DIGITS);
    let low_nibble = lanes.splat8(0x0f);
    let mut read = 0;
    while read + L::BYTES <= input.len() && 2 * (read + L::BYTES) <= output.len() {
        // SAFETY: within `input` by the loop condition.
        let bytes = unsafe { lanes.load(input.as_ptr().add(read)) };
        let high = lanes.shuffle8(digits, lanes.and(lanes.srli16::<4>(bytes), low_nibble));
        let low = lanes.shuffle8(digits, lanes.and(bytes, low_nibble));
        let (first, second) = (lanes.unpacklo8(high, low), lanes.unpackhi8(high, low));
        // SAFETY: 2 * BYTES at 2 * read, within `output` by the loop
        // condition.
        unsafe {
            let at = output.as_mut_ptr().add(2 * read).cast();
            lanes.store_alternate_lanes(at, first, second);
        }
        read += L::BYTES;
    }
    read
}

/// The value of each hex digit of `chars`, and a mask of the bytes that
/// are digits (`a`-`f` too where `fold` is `0xdf`, which maps them to
/// `A`-`F`; `0xff` keeps them apart).
#[inline(always)]
fn hex_values<L: Lanes>(lanes: L, chars: L::V, fold: L::V) -> (L::V, L::V) {
    // Whether x, unsigned, is at most `last`: after the wrapping
    // subtraction of a base, whether the byte is in base..=base + last.
    let within = |x: L::V, last: i8| lanes.cmpeq8(lanes.min_u8(x, lanes.splat8(last)), x);
    let digit = lanes.sub8(chars, lanes.splat8(b'0' as i8));
    // Only bytes that are `A`-`F` (or `a`-`f` folded) land in 0..=5.
    let letter = lanes.sub8(lanes.and(chars, fold), lanes.splat8(b'A' as i8));
    let (is_digit, is_letter) = (within(digit, 9), within(letter, 5));
    let values = lanes.blendv8(lanes.add8(letter, lanes.splat8(10)), digit, is_digit);
    (values, lanes.or(is_digit, is_letter))
}

/// See `super::base16_decode`: 32 digits to 16 bytes per lane.
#[inline(always)]
pub fn base16_decode<L: Lanes>(
    lanes: L,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    casefold: bool,
) -> (usize, usize) {
    let fold = lanes.splat8(if casefold { 0xdfu8 as i8 } else { -1 });
    let weights = lanes.splat16(HEX_WEIGHTS);
    let (mut read, mut written) = (0, 0);
    while read + 2 * L::BYTES <= input.len() && written + L::BYTES <= output.len() {
        // SAFETY: 2 * BYTES at `read`, within `input` by the loop condition.
        let (first, second) = unsafe {
            let at = input.as_ptr().add(read);
            (lanes.load(at), lanes.load(at.add(L::BYTES)))
        };
        let (first, first_valid) = hex_values(lanes, first, fold);
        let (second, second_valid) = hex_values(lanes, second, fold);
        if !lanes.all_high(lanes.and(first_valid, second_valid)) {
            break;
        }
        let bytes = lanes.pack_u16(
            lanes.maddubs16(first, weights),
            lanes.maddubs16(second, weights),
        );
        // SAFETY: within `output` by the loop condition.
        unsafe { lanes.store(output.as_mut_ptr().add(written).cast(), bytes) };
        read += 2 * L::BYTES;
        written += L::BYTES;
    }
    (read, written)
}

/// Places the 5 bytes b0..b4 of each of two base32 groups (at 0 and 5 of a
/// lane) as the 16-bit words [b0 b1, b1 b2, b2 b3, b3 b4], high byte
/// first: word k then holds symbols 2k and 2k + 1 in bits 15 - 2k down
/// to 6 - 2k (see `base32_encode`).
const BASE32_SPREAD: [u8; 16] = [1, 0, 2, 1, 3, 2, 4, 3, 6, 5, 7, 6, 8, 7, 9, 8];
/// Multipliers (16-bit, little-endian) whose high half shifts words 0, 1
/// and 2 of a group right by 6, 4 and 2; word 3 needs no shift and is
/// blended in unchanged.
const BASE32_SHIFTS: [u8; 16] = {
    let words: [u16; 8] = [1 << 10, 1 << 12, 1 << 14, 0, 1 << 10, 1 << 12, 1 << 14, 0];
    let mut bytes = [0u8; 16];
    let mut i = 0;
    while i < 8 {
        let [low, high] = words[i].to_le_bytes();
        (bytes[2 * i], bytes[2 * i + 1]) = (low, high);
        i += 1;
    }
    bytes
};

/// See `super::base32_encode`: two 5-byte groups to 16 symbols per lane,
/// reading 10 of the 16 bytes each lane loads.
#[inline(always)]
pub fn base32_encode<L: Lanes>(
    lanes: L,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 32],
) -> usize {
    let spread = lanes.rows(&BASE32_SPREAD);
    let shifts = lanes.rows(&BASE32_SHIFTS);
    let ten_bits = lanes.splat16(0x03ff);
    let five_bits = lanes.splat8(0x1f);
    let (low_half, high_half) = alphabet.split_at(16);
    let low_symbols = lanes.rows(low_half.try_into().expect("16 symbols"));
    let high_symbols = lanes.rows(high_half.try_into().expect("16 symbols"));
    let (mut read, mut written) = (0, 0);
    while read + L::lanes_span(10) <= input.len() && written + L::BYTES <= output.len() {
        // SAFETY: lane k loads the 16 bytes at read + 10k, within `input`
        // by the loop condition.
        let groups = unsafe { lanes.load_lanes(input.as_ptr().add(read), 10) };
        let words = lanes.shuffle8(groups, spread);
        // Word k of a group, shifted right by 6 - 2k, holds symbols 2k and
        // 2k + 1 in its low 10 bits.
        let shifted = lanes.blend16::<0b1000_1000>(lanes.mulhi_u16(words, shifts), words);
        let pairs = lanes.and(shifted, ten_bits);
        // Symbol 2k to the word's low byte, 2k + 1 to its high byte.
        let values = lanes.and(
            lanes.or(lanes.srli16::<5>(pairs), lanes.slli16::<8>(pairs)),
            five_bits,
        );
        // Values 16..32 (bit 4 set) take the alphabet's second half.
        let high = lanes.slli16::<3>(values);
        let symbols = lanes.blendv8(
            lanes.shuffle8(low_symbols, values),
            lanes.shuffle8(high_symbols, values),
            high,
        );
        // SAFETY: within `output` by the loop condition.
        unsafe { lanes.store(output.as_mut_ptr().add(written).cast(), symbols) };
        read += 10 * L::LANES;
        written += L::BYTES;
    }
    read
}

/// Gathers the 5 output bytes of each 40-bit quantum (bits 39-0 of a
/// 64-bit lane), big-endian, 10 bytes per 128-bit lane.
const BASE32_GATHER: [u8; 16] = [
    4, 3, 2, 1, 0, 12, 11, 10, 9, 8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
];

/// See `super::base32_decode`: 16 symbols to 10 bytes per lane (storing
/// 16).
#[inline(always)]
pub fn base32_decode<L: Lanes>(
    lanes: L,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    let rows = table_rows(lanes, values);
    let merge_pairs = lanes.splat32(BASE32_MERGE_PAIRS);
    let merge_words = lanes.splat32(BASE32_MERGE_WORDS);
    let low_dword = lanes.splat64(0xffff_ffff);
    let gather = lanes.rows(&BASE32_GATHER);
    let (mut read, mut written) = (0, 0);
    while read + L::BYTES <= input.len() && written + L::lanes_span(10) <= output.len() {
        // SAFETY: within `input` by the loop condition.
        let chars = unsafe { lanes.load(input.as_ptr().add(read)) };
        let quantum_values = look_up(lanes, &rows, chars);
        if lanes.any_high(quantum_values) {
            break;
        }
        // 20 bits per 32-bit lane: symbols 0-3 of a quantum in the low
        // one, 4-7 in the high one; joined into 40 bits.
        let halves = lanes.madd16(lanes.maddubs16(quantum_values, merge_pairs), merge_words);
        let joined = lanes.or(
            lanes.slli64::<20>(lanes.and(halves, low_dword)),
            lanes.srli64::<32>(halves),
        );
        let bytes = lanes.shuffle8(joined, gather);
        // SAFETY: lane k stores 16 bytes at written + 10k, within `output`
        // by the loop condition.
        unsafe { lanes.store_lanes(output.as_mut_ptr().add(written).cast(), 10, bytes) };
        read += L::BYTES;
        written += 10 * L::LANES;
    }
    (read, written)
}

/// Defines, in a module of one level, the `#[target_feature]` entry
/// points of that level's kernels: each makes the level's value (the
/// caller has checked the CPU) and runs the generic kernel, which the
/// compiler inlines there.
macro_rules! lane_entry_points {
    ($level:ident, $features:literal) => {
        use core::mem::MaybeUninit;

        use super::lane_kernels;
        use super::lanes::$level;
        use crate::codec::base64::DecodeTable;

        /// See `super::base64_encode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn encode(
            input: &[u8],
            output: &mut [MaybeUninit<u8>],
            alphabet: &[u8; 64],
        ) -> usize {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base64_encode(lanes, input, output, alphabet)
        }

        /// See `super::base64_decode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[target_feature(enable = $features)]
        pub unsafe fn decode(
            input: &[u8],
            output: &mut [MaybeUninit<u8>],
            table: &DecodeTable,
        ) -> (usize, usize) {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base64_decode(lanes, input, output, table)
        }

        encode_lines_kernel!($features);

        /// See `super::base16_encode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[target_feature(enable = $features)]
        pub unsafe fn hex_encode(input: &[u8], output: &mut [MaybeUninit<u8>]) -> usize {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base16_encode(lanes, input, output)
        }

        /// See `super::base16_decode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[target_feature(enable = $features)]
        pub unsafe fn hex_decode(
            input: &[u8],
            output: &mut [MaybeUninit<u8>],
            casefold: bool,
        ) -> (usize, usize) {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base16_decode(lanes, input, output, casefold)
        }

        /// See `super::base32_encode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[target_feature(enable = $features)]
        pub unsafe fn base32_encode(
            input: &[u8],
            output: &mut [MaybeUninit<u8>],
            alphabet: &[u8; 32],
        ) -> usize {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base32_encode(lanes, input, output, alphabet)
        }

        /// See `super::base32_decode`.
        ///
        /// # Safety
        /// The CPU must have this level's features.
        #[target_feature(enable = $features)]
        pub unsafe fn base32_decode(
            input: &[u8],
            output: &mut [MaybeUninit<u8>],
            values: &[u8; 256],
        ) -> (usize, usize) {
            // SAFETY: the CPU has the level's features (the contract).
            let lanes = unsafe { $level::new_unchecked() };
            lane_kernels::base32_decode(lanes, input, output, values)
        }
    };
}
