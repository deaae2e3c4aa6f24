//! Base64 (RFC 4648): binascii's `b2a_base64` and `a2b_base64`.
//!
//! The vector kernels (`super::vector`) do whole blocks; the portable code
//! here does the rest and is the reference the kernels are tested against.

use core::mem::MaybeUninit;
use std::borrow::Cow;

use super::simd::{self, Level};
use super::vector;

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
    encode_at(simd::active(), input, output, alphabet);
}

/// `encode` with the kernels of `level` (or of the best level this CPU
/// has, if lower).
pub fn encode_at(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) {
    assert_eq!(Some(output.len()), encoded_len(input.len()), "output size");
    let done = vector::base64_encode(level, input, output, alphabet);
    encode_portable(&input[done..], &mut output[done / 3 * 4..], alphabet);
}

/// Whole groups one at a time (no dependency from one to the next), then
/// the padded tail.
pub(crate) fn encode_portable(input: &[u8], output: &mut [MaybeUninit<u8>], alphabet: &[u8; 64]) {
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

/// The URL- and filesystem-safe alphabet (RFC 4648, table 2).
pub const URLSAFE: [u8; 64] = *b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `encodebytes` reads 57 bytes per line of 76 characters.
pub const LINE_INPUT: usize = 57;

/// Length of `encodebytes(input)`: every 57 bytes (and the rest) become a
/// line ending with a newline.
pub fn encoded_lines_len(len: usize) -> Option<usize> {
    let full = len / LINE_INPUT;
    let rest = len % LINE_INPUT;
    let last = if rest > 0 { encoded_len(rest)? + 1 } else { 0 };
    full.checked_mul(77)?.checked_add(last)
}

/// `encodebytes(input)` into storage of `encoded_lines_len(input.len())`.
pub fn encode_lines(input: &[u8], output: &mut [MaybeUninit<u8>]) {
    encode_lines_at(simd::active(), input, output);
}

/// `encode_lines` with the kernels of `level` (or of the best level this
/// CPU has, if lower).
pub fn encode_lines_at(level: Level, input: &[u8], output: &mut [MaybeUninit<u8>]) {
    assert_eq!(
        Some(output.len()),
        encoded_lines_len(input.len()),
        "output size"
    );
    let (read, mut at) = vector::base64_encode_lines(level, input, output);
    for line in input[read..].chunks(LINE_INPUT) {
        let len = encoded_len(line.len()).expect("small");
        encode_at(level, line, &mut output[at..at + len], &STANDARD);
        output[at + len].write(b'\n');
        at += len + 1;
    }
}

/// Which `a2b_base64` to mirror: CPython 3.13.13 changed how padding in
/// the middle of the data is treated (RFC 4648 section 3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaddingRules {
    /// Up to 3.13.12: a complete pad sequence ends the data.
    StopAtPadding,
    /// From 3.13.13: non-strict decoding skips padding anywhere.
    SkipPadding,
}

impl PaddingRules {
    pub fn for_version(version: (u32, u32, u32)) -> Self {
        if version >= (3, 13, 13) {
            PaddingRules::SkipPadding
        } else {
            PaddingRules::StopAtPadding
        }
    }
}

/// The `binascii.Error` messages of `a2b_base64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    IncorrectPadding,
    OnlyBase64,
    LeadingPadding,
    ExcessPadding,
    ExcessDataAfterPadding,
    DiscontinuousPadding,
    /// One character more than a multiple of 4; the count of data
    /// characters as binascii reports it.
    DataCharacters(usize),
}

impl DecodeError {
    pub fn message(self) -> String {
        match self {
            DecodeError::IncorrectPadding => "Incorrect padding".into(),
            DecodeError::OnlyBase64 => "Only base64 data is allowed".into(),
            DecodeError::LeadingPadding => "Leading padding not allowed".into(),
            DecodeError::ExcessPadding => "Excess padding not allowed".into(),
            DecodeError::ExcessDataAfterPadding => "Excess data after padding".into(),
            DecodeError::DiscontinuousPadding => "Discontinuous padding not allowed".into(),
            DecodeError::DataCharacters(count) => format!(
                "Invalid base64-encoded string: number of data characters ({count}) \
                 cannot be 1 more than a multiple of 4"
            ),
        }
    }
}

/// The value of each byte in the standard alphabet; 0xff elsewhere.
const DECODE: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        table[STANDARD[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The block decoders' table: the value of each ASCII byte after the
/// translation, or `INVALID` where the byte is not a symbol (padding
/// included).  Every byte from 0x80 up is `INVALID`, even if the map makes
/// it a symbol: the vector kernels look up 7 bits, so such bytes are left
/// to the state machine.
pub type DecodeTable = [u8; 256];

/// A byte the block decoders do not decode (its high bit is set).
pub const INVALID: u8 = 0x80;

const fn decode_table(map: &[u8; 256]) -> DecodeTable {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 128 {
        let value = DECODE[map[i] as usize];
        if value < 64 {
            table[i] = value;
        }
        i += 1;
    }
    table
}

/// `urlsafe_b64decode`'s translation: `-` and `_` to `+` and `/`.
pub const fn urlsafe_map() -> [u8; 256] {
    let mut map = identity_map();
    map[b'-' as usize] = b'+';
    map[b'_' as usize] = b'/';
    map
}

const IDENTITY_MAP: [u8; 256] = identity_map();
const URLSAFE_MAP: [u8; 256] = urlsafe_map();
const IDENTITY_TABLE: DecodeTable = decode_table(&IDENTITY_MAP);
const URLSAFE_TABLE: DecodeTable = decode_table(&URLSAFE_MAP);

/// No translation, at one address: `block_table` knows it by its address
/// without comparing 256 bytes, and a call need not build a map.
pub static NO_TRANSLATION: [u8; 256] = IDENTITY_MAP;

/// `urlsafe_map()` at one address (see `NO_TRANSLATION`).
pub static URLSAFE_TRANSLATION: [u8; 256] = URLSAFE_MAP;

/// The block decoders' table for `map`: the two common ones are built
/// in; another is worth building only for an input long enough.
fn block_table(map: &[u8; 256], input_len: usize) -> Option<Cow<'static, DecodeTable>> {
    /// Below this length a table built for one call costs more than the
    /// block decoders save.
    const MIN_INPUT_FOR_NEW_TABLE: usize = 256;
    if core::ptr::eq(map, &NO_TRANSLATION) || *map == IDENTITY_MAP {
        Some(Cow::Borrowed(&IDENTITY_TABLE))
    } else if core::ptr::eq(map, &URLSAFE_TRANSLATION) || *map == URLSAFE_MAP {
        Some(Cow::Borrowed(&URLSAFE_TABLE))
    } else if input_len >= MIN_INPUT_FOR_NEW_TABLE {
        Some(Cow::Owned(decode_table(map)))
    } else {
        None
    }
}

/// Upper bound of the length of `decode(input, _, map, ..)`.  Every
/// output byte holds 8 of the 6 bits of each symbol, and the bytes at the
/// end that `map` makes padding are no symbols, so `s` symbols give at
/// most `s * 3 / 4` bytes: the exact length of a valid encoding, padded or
/// not, which then needs no resizing.  (binascii allocates
/// `len.div_ceil(4) * 3` and resizes.)
pub fn decoded_len_bound(input: &[u8], map: &[u8; 256]) -> usize {
    let padding = input
        .iter()
        .rev()
        .take_while(|&&c| map[usize::from(c)] == b'=')
        .count();
    let symbols = input.len() - padding;
    symbols / 4 * 3 + symbols % 4 * 3 / 4
}

/// Each byte's own value: no translation.
pub const fn identity_map() -> [u8; 256] {
    let mut map = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        map[i] = i as u8;
        i += 1;
    }
    map
}

/// Decodes whole blocks of symbols from the start of `input` (a kernel's,
/// then 8 bytes at a time), up to the first block holding a byte `table`
/// does not decode; returns (bytes read, bytes written).
fn decode_blocks(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
) -> (usize, usize) {
    let (mut read, mut written) = vector::base64_decode(level, input, output, table);
    let blocks = input[read..].chunks_exact(8);
    let outputs = output[written..].chunks_exact_mut(6);
    for (block, out) in blocks.zip(outputs) {
        let values: [u8; 8] = core::array::from_fn(|k| table[usize::from(block[k])]);
        if values.iter().fold(0, |any, &value| any | value) & INVALID != 0 {
            break;
        }
        let bits = values
            .iter()
            .fold(0u64, |bits, &value| bits << 6 | u64::from(value));
        for (slot, byte) in out.iter_mut().zip(&bits.to_be_bytes()[2..]) {
            slot.write(*byte);
        }
        read += 8;
        written += 6;
    }
    (read, written)
}

/// The bytes of `group` if it is a last group of two or three symbols
/// and its padding (`xx==`, `xxx=`, after `map`), and how many there are.
/// The state machine, entering such a group between groups with no
/// padding seen, decodes it to these bytes and succeeds under either
/// padding rule, strict or not; the block decoders leave it to the state
/// machine, whose padding branches took a 44-symbol input from 71 to 82
/// ns a call (timeit; 78 with this).
fn padded_last_group(group: &[u8], map: &[u8; 256]) -> Option<([u8; 2], usize)> {
    let &[a, b, c, d] = group else {
        return None;
    };
    let [a, b, c, d] = [a, b, c, d].map(|byte| map[usize::from(byte)]);
    let (a, b) = (DECODE[usize::from(a)], DECODE[usize::from(b)]);
    if d != b'=' || a >= 64 || b >= 64 {
        return None;
    }
    let first = a << 2 | b >> 4;
    if c == b'=' {
        return Some(([first, 0], 1));
    }
    let c = DECODE[usize::from(c)];
    if c >= 64 {
        return None;
    }
    Some(([first, (b & 0x0f) << 4 | c >> 2], 2))
}

/// Lines of symbols decoded at a time by `decode_lines`, at most.
const LINE_STAGE: usize = 2048;

/// The most symbols a kernel decodes a step (AVX-512's 64; the others'
/// divide it).
const KERNEL_BLOCK: usize = 64;

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Lines longer than this are not looked for: the search for a line's end
/// is bounded so that it costs little where there are no lines.
const MAX_LINE: usize = 1024;

/// Decodes whole lines of symbols from the start of `input`: lines of the
/// same length as the first, a multiple of 4, each ending with a newline,
/// as `encodebytes` (76) and PEM (64) write them.  A kernel that skips the
/// newlines in place takes them where there is one; otherwise each batch
/// of lines is copied without its newlines into `stage` and decoded there
/// by the block decoders, so a line's end is not a kernel's end.  Stops before the
/// first line of another shape and at the first block the block decoders
/// refuse; returns (bytes read, bytes written), the bytes read ending
/// between groups.
///
/// Only where newlines are skipped (not strict) and `map` keeps them.
fn decode_lines(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    table: &DecodeTable,
    stage: &mut [u8; LINE_STAGE],
) -> (usize, usize) {
    let Some(len) = input.iter().take(MAX_LINE + 1).position(|&c| c == b'\n') else {
        return (0, 0);
    };
    if len == 0 || len % 4 != 0 {
        return (0, 0);
    }
    // Where a kernel takes the lines in place, no stage is needed.
    let (read, written) = vector::base64_decode_lines(level, input, output, table, len);
    if read > 0 {
        return (read, written);
    }
    // A batch of lines is a whole number of the widest kernel's blocks
    // where the stage holds enough lines, so that no block of a batch is
    // left to the portable code.
    let lines_per_block = KERNEL_BLOCK / gcd(len, KERNEL_BLOCK);
    let fit = LINE_STAGE / len;
    let batch = if fit >= lines_per_block {
        fit - fit % lines_per_block
    } else {
        fit
    };
    let stage = &mut stage[..batch * len];
    let (mut read, mut written) = (0, 0);
    loop {
        let staged = match len {
            76 => stage_lines::<76>(&input[read..], stage),
            64 => stage_lines::<64>(&input[read..], stage),
            _ => stage_lines_of(len, &input[read..], stage),
        };
        if staged == 0 {
            break;
        }
        let (decoded, wrote) =
            decode_blocks(level, &stage[..staged], &mut output[written..], table);
        // Back from symbols to input bytes: each whole line had a newline.
        read += decoded / len * (len + 1) + decoded % len;
        written += wrote;
        if decoded < staged {
            break;
        }
    }
    (read, written)
}

/// `stage_lines_of` for lines of a length fixed at compile time, so that
/// each copy is a few vector moves.
fn stage_lines<const L: usize>(input: &[u8], stage: &mut [u8]) -> usize {
    stage_lines_of(L, input, stage)
}

/// Copies the symbols of as many `len`-symbol lines (each followed by a
/// newline) as `stage` holds from the start of `input`; returns how many
/// symbols it copied (whole lines).  Always inlined, so that `stage_lines` gets a copy
/// of its own with the length a constant.
#[inline(always)]
fn stage_lines_of(len: usize, input: &[u8], stage: &mut [u8]) -> usize {
    let mut staged = 0;
    for (line, out) in input.chunks_exact(len + 1).zip(stage.chunks_exact_mut(len)) {
        if line[len] != b'\n' {
            break;
        }
        out.copy_from_slice(&line[..len]);
        staged += len;
    }
    staged
}

/// `binascii.a2b_base64(input.translate(map), strict_mode=strict)`,
/// written into `output` (at least `decoded_len_bound(input, map)` long);
/// returns the length.
pub fn decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    map: &[u8; 256],
    strict: bool,
    rules: PaddingRules,
) -> Result<usize, DecodeError> {
    decode_at(simd::active(), input, output, map, strict, rules)
}

/// `decode` with the kernels of `level` (or of the best level this CPU
/// has, if lower).
///
/// binascii's state machine, one byte at a time, except that whenever it
/// is between groups with no padding seen, a kernel decodes as many whole
/// blocks of symbols as follow (at the start of a line, when newlines are
/// skipped, as many whole lines: `decode_lines`).  After a block the kernel
/// refused (it holds some other byte), the state machine goes on at least
/// until it has passed such a byte.
pub fn decode_at(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    map: &[u8; 256],
    strict: bool,
    rules: PaddingRules,
) -> Result<usize, DecodeError> {
    decode_with(Some(level), input, output, map, strict, rules)
}

/// The decoder; with `blocks` None, the state machine alone: the
/// reference the block decoders are tested against.
fn decode_with(
    blocks: Option<Level>,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    map: &[u8; 256],
    strict: bool,
    rules: PaddingRules,
) -> Result<usize, DecodeError> {
    let table = blocks.and_then(|level| Some((level, block_table(map, input.len())?)));
    // Newlines are skipped as the state machine would skip them: not
    // strict, and not translated into a symbol.
    let lines = !strict && map[usize::from(b'\n')] == b'\n';
    let mut stage: Option<[u8; LINE_STAGE]> = None;
    if rules == PaddingRules::StopAtPadding
        && strict
        && input.first().map(|&c| map[usize::from(c)]) == Some(b'=')
    {
        return Err(DecodeError::LeadingPadding);
    }
    let mut written = 0;
    let mut quad_pos = 0;
    let mut left: u8 = 0;
    let mut pads = 0;
    let mut padding_started = false;
    // Whether the state machine may hand over to the block decoders at
    // the next group boundary.
    let mut blocks_ready = table.is_some();
    let mut i = 0;
    while i < input.len() {
        if let Some((level, table)) = table.as_ref().filter(|_| blocks_ready) {
            if quad_pos == 0 && pads == 0 && !padding_started {
                if lines && i > 0 && input[i - 1] == b'\n' {
                    let stage = stage.get_or_insert([0; LINE_STAGE]);
                    let (read, wrote) =
                        decode_lines(*level, &input[i..], &mut output[written..], table, stage);
                    i += read;
                    written += wrote;
                }
                // What follows the lines (or a run without them).
                let (read, wrote) =
                    decode_blocks(*level, &input[i..], &mut output[written..], table);
                i += read;
                written += wrote;
                blocks_ready = false;
                if i == input.len() {
                    break;
                }
                if let Some((bytes, count)) = padded_last_group(&input[i..], map) {
                    for (slot, byte) in output[written..written + count].iter_mut().zip(bytes) {
                        slot.write(byte);
                    }
                    return Ok(written + count);
                }
            }
        }
        let index = i;
        i += 1;
        let byte = map[usize::from(input[index])];
        if DECODE[usize::from(byte)] >= 64 {
            blocks_ready = table.is_some();
        }
        if byte == b'=' {
            match rules {
                PaddingRules::SkipPadding => {
                    pads += 1;
                    if quad_pos >= 2 && quad_pos + pads <= 4 {
                        continue;
                    }
                    if !strict {
                        continue;
                    }
                    if quad_pos == 1 {
                        break;
                    }
                    return Err(if quad_pos == 0 && index == 0 {
                        DecodeError::LeadingPadding
                    } else {
                        DecodeError::ExcessPadding
                    });
                }
                PaddingRules::StopAtPadding => {
                    padding_started = true;
                    if strict && quad_pos == 0 {
                        return Err(DecodeError::ExcessPadding);
                    }
                    if quad_pos >= 2 {
                        pads += 1;
                        if quad_pos + pads >= 4 {
                            if strict && index + 1 < input.len() {
                                return Err(DecodeError::ExcessDataAfterPadding);
                            }
                            return Ok(written);
                        }
                    }
                    continue;
                }
            }
        }
        let value = DECODE[usize::from(byte)];
        if value >= 64 {
            if strict {
                return Err(DecodeError::OnlyBase64);
            }
            continue;
        }
        match rules {
            PaddingRules::SkipPadding if pads > 0 && strict => {
                return Err(if quad_pos + pads == 4 {
                    DecodeError::ExcessDataAfterPadding
                } else {
                    DecodeError::DiscontinuousPadding
                });
            }
            PaddingRules::StopAtPadding if strict && padding_started => {
                return Err(DecodeError::DiscontinuousPadding);
            }
            _ => {}
        }
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = value;
            }
            1 => {
                quad_pos = 2;
                output[written].write(left << 2 | value >> 4);
                written += 1;
                left = value & 0x0f;
            }
            2 => {
                quad_pos = 3;
                output[written].write(left << 4 | value >> 2);
                written += 1;
                left = value & 0x03;
            }
            _ => {
                quad_pos = 0;
                output[written].write(left << 6 | value);
                written += 1;
                left = 0;
            }
        }
    }
    if quad_pos == 1 {
        return Err(DecodeError::DataCharacters(written / 3 * 4 + 1));
    }
    let complete = match rules {
        PaddingRules::SkipPadding => quad_pos == 0 || quad_pos + pads >= 4,
        PaddingRules::StopAtPadding => quad_pos == 0,
    };
    if complete {
        Ok(written)
    } else {
        Err(DecodeError::IncorrectPadding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode_vec, encode_vec, noise};

    const IDENTITY: [u8; 256] = identity_map();

    fn encode_std(input: &[u8], alphabet: &[u8; 64]) -> Vec<u8> {
        encode_vec(input, encoded_len(input.len()).unwrap(), |i, o| {
            encode(i, o, alphabet)
        })
    }

    fn decode_std(input: &[u8], strict: bool, rules: PaddingRules) -> Result<Vec<u8>, DecodeError> {
        decode_vec(input, decoded_len_bound(input, &IDENTITY), |i, o| {
            decode(i, o, &IDENTITY, strict, rules)
        })
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
            assert_eq!(encode_std(input, &STANDARD), expected);
            for rules in [PaddingRules::StopAtPadding, PaddingRules::SkipPadding] {
                assert_eq!(decode_std(expected, true, rules), Ok(input.to_vec()));
            }
        }
    }

    #[test]
    fn altchars_replace_only_the_last_two_symbols() {
        let input = [0xfb, 0xff, 0xbf];
        assert_eq!(encode_std(&input, &STANDARD), b"+/+/");
        assert_eq!(encode_std(&input, &with_altchars(*b"-_")), b"-_-_");
    }

    #[test]
    fn every_byte_value_round_trips_through_the_bit_layout() {
        // Decode with a reference table and compare with the input.
        let input: Vec<u8> = (0..=255).collect();
        let encoded = encode_std(&input, &STANDARD);
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

    #[test]
    fn padding_rules_differ_as_in_cpython() {
        use PaddingRules::*;
        // Data after a complete pad sequence: dropped before 3.13.13,
        // decoded since (as binascii of 3.13.5 and 3.13.15 do).
        assert_eq!(
            decode_std(b"YQ==YQ==", false, StopAtPadding),
            Ok(b"a".to_vec())
        );
        assert_eq!(
            decode_std(b"YQ==YQ==", false, SkipPadding),
            Ok(b"a\x06\x10".to_vec())
        );
        assert_eq!(
            decode_std(b"YQ==YQ==", true, StopAtPadding),
            Err(DecodeError::ExcessDataAfterPadding)
        );
        assert_eq!(
            decode_std(b"YQ==YQ==", true, SkipPadding),
            Err(DecodeError::ExcessDataAfterPadding)
        );
        assert_eq!(
            decode_std(b"=YQ==", true, StopAtPadding),
            Err(DecodeError::LeadingPadding)
        );
        assert_eq!(
            decode_std(b"=YQ==", true, SkipPadding),
            Err(DecodeError::LeadingPadding)
        );
        assert_eq!(
            decode_std(b"YQ=a", true, SkipPadding),
            Err(DecodeError::DiscontinuousPadding)
        );
        assert_eq!(
            decode_std(b"YQ", false, SkipPadding),
            Err(DecodeError::IncorrectPadding)
        );
        assert_eq!(
            decode_std(b"YWJjZ", false, SkipPadding),
            Err(DecodeError::DataCharacters(5))
        );
        assert_eq!(
            decode_std(b"Y!Q=*=", false, StopAtPadding),
            Ok(b"a".to_vec())
        );
        assert_eq!(
            decode_std(b"Y!Q==", true, StopAtPadding),
            Err(DecodeError::OnlyBase64)
        );
    }

    fn encode_with(level: Level, input: &[u8], alphabet: &[u8; 64]) -> Vec<u8> {
        encode_vec(input, encoded_len(input.len()).unwrap(), |i, o| {
            encode_at(level, i, o, alphabet)
        })
    }

    /// Decodes with the block decoders of `level`, or (None) with the
    /// state machine alone.
    fn decode_using(
        blocks: Option<Level>,
        input: &[u8],
        map: &[u8; 256],
        strict: bool,
        rules: PaddingRules,
    ) -> Result<Vec<u8>, DecodeError> {
        // The tightest storage: a decoder that needed more would panic.
        decode_vec(input, decoded_len_bound(input, map), |i, o| {
            decode_with(blocks, i, o, map, strict, rules)
        })
    }

    /// Lengths around every kernel's block sizes and loop bounds.
    fn lengths() -> impl Iterator<Item = usize> {
        (0..=200).chain([255, 256, 257, 1000, 4096, 4097, 65_536 + 5])
    }

    #[test]
    fn every_level_encodes_like_the_portable_code() {
        let alphabets = [STANDARD, URLSAFE, with_altchars(*b"*\xff"), {
            // Not the standard layout: only the AVX-512 kernel takes it.
            let mut reversed = STANDARD;
            reversed.reverse();
            reversed
        }];
        for len in lengths() {
            let input = noise(len, len as u64);
            for alphabet in &alphabets {
                let expected = encode_with(Level::Scalar, &input, alphabet);
                for level in simd::supported() {
                    assert_eq!(
                        encode_with(level, &input, alphabet),
                        expected,
                        "{level:?}, {len} bytes"
                    );
                }
            }
        }
    }

    #[test]
    fn every_level_encodes_lines_like_the_portable_code() {
        for len in lengths().chain([57 * 3, 57 * 40 + 56]) {
            let input = noise(len, len as u64 + 3);
            let size = encoded_lines_len(len).unwrap();
            let expected = encode_vec(&input, size, |i, o| encode_lines_at(Level::Scalar, i, o));
            for level in simd::supported() {
                let actual = encode_vec(&input, size, |i, o| encode_lines_at(level, i, o));
                assert_eq!(actual, expected, "{level:?}, {len} bytes");
            }
        }
    }

    #[test]
    fn every_level_decodes_like_the_state_machine() {
        let mut swapped = IDENTITY;
        swapped[usize::from(b'+')] = b'/';
        swapped[usize::from(b'/')] = b'+';
        let mut non_ascii = IDENTITY;
        non_ascii[0xfe] = b'+';
        // A newline that is a symbol: not a line's end.
        let mut newline_symbol = IDENTITY;
        newline_symbol[usize::from(b'\n')] = b'+';
        let maps = [IDENTITY, URLSAFE_MAP, swapped, non_ascii, newline_symbol];
        let mut inputs = Vec::new();
        for len in lengths() {
            let data = noise(len, len as u64 + 7);
            let valid = encode_with(Level::Scalar, &data, &STANDARD);
            inputs.push(valid.clone());
            if valid.is_empty() {
                continue;
            }
            // One odd byte in each position class, and a MIME-like layout.
            let noise_bytes = noise(valid.len(), len as u64);
            for odd in [b'\n', b'=', b'-', b'_', b'!', 0xfe, 0x80, 0] {
                for at in [
                    0,
                    valid.len() / 2,
                    valid.len() - 1,
                    (noise_bytes[0] as usize) % valid.len(),
                ] {
                    let mut bad = valid.clone();
                    bad[at] = odd;
                    inputs.push(bad.clone());
                    bad.insert(at, odd);
                    inputs.push(bad);
                }
            }
            inputs.extend(line_layouts(&valid, len));
            inputs.push(noise_bytes);
        }
        for input in &inputs {
            for map in &maps {
                for strict in [false, true] {
                    for rules in [PaddingRules::StopAtPadding, PaddingRules::SkipPadding] {
                        let expected = decode_using(None, input, map, strict, rules);
                        for level in simd::supported() {
                            assert_eq!(
                                decode_using(Some(level), input, map, strict, rules),
                                expected,
                                "{level:?}, strict={strict}, {rules:?}, input {input:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_last_group_decodes_like_the_state_machine() {
        // Every group of four from symbols, padding and other bytes, alone
        // and after a whole group, under maps that make a byte padding.
        let mut dash_pads = IDENTITY;
        dash_pads[usize::from(b'-')] = b'=';
        let mut pad_is_symbol = IDENTITY;
        pad_is_symbol[usize::from(b'=')] = b'A';
        let bytes = [b'A', b'Q', b'/', b'=', b'-', b'!', b'\n', 0x80];
        for group in 0..bytes.len().pow(4) {
            let last: Vec<u8> = (0..4)
                .map(|k| bytes[group / bytes.len().pow(k) % bytes.len()])
                .collect();
            for prefix in [&b""[..], b"QUJD"] {
                let input = [prefix, &last].concat();
                for map in [&IDENTITY, &dash_pads, &pad_is_symbol] {
                    for strict in [false, true] {
                        for rules in [PaddingRules::StopAtPadding, PaddingRules::SkipPadding] {
                            let expected = decode_using(None, &input, map, strict, rules);
                            for level in simd::supported() {
                                assert_eq!(
                                    decode_using(Some(level), &input, map, strict, rules),
                                    expected,
                                    "{level:?}, strict={strict}, {rules:?}, input {input:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// `valid` broken into lines as `encodebytes`, PEM and others write
    /// them, and those layouts with one line changed.
    fn line_layouts(valid: &[u8], seed: usize) -> Vec<Vec<u8>> {
        let lines = |len: usize, end: &[u8]| -> Vec<u8> {
            valid
                .chunks(len)
                .flat_map(|line| [line, end])
                .flatten()
                .copied()
                .collect()
        };
        let mut layouts = Vec::new();
        for (len, end) in [
            (76, &b"\n"[..]),
            (64, b"\n"),
            (4, b"\n"),
            (16, b"\n"),
            (1024, b"\n"),
            (1028, b"\n"),
            (75, b"\n"),
            (76, b"\r\n"),
            (76, b"\n\n"),
        ] {
            let layout = lines(len, end);
            // One line one symbol shorter, a symbol replaced by padding or
            // by a newline, somewhere past the first lines.
            let at = (len + 1) * (2 + seed % 40) + seed % len;
            if at < layout.len() {
                let mut shorter = layout.clone();
                shorter.remove(at);
                layouts.push(shorter);
                for odd in [b'=', b'\n', b'!'] {
                    let mut changed = layout.clone();
                    changed[at] = odd;
                    layouts.push(changed);
                }
            }
            layouts.push(layout);
        }
        layouts
    }

    #[test]
    fn long_line_layouts_decode_like_the_state_machine() {
        // Many batches of staged lines, and a bad symbol in a late one.
        let data = noise(200_000, 11);
        let valid = encode_with(Level::Scalar, &data, &STANDARD);
        for layout in line_layouts(&valid, 1234) {
            let expected = decode_using(None, &layout, &IDENTITY, false, PaddingRules::SkipPadding);
            for level in simd::supported() {
                let actual = decode_using(
                    Some(level),
                    &layout,
                    &IDENTITY,
                    false,
                    PaddingRules::SkipPadding,
                );
                assert_eq!(actual, expected, "{level:?}, {} bytes", layout.len());
            }
        }
    }

    #[test]
    fn decode_lines_takes_whole_lines_of_one_shape() {
        let data = noise(57 * 100, 5);
        let valid = encode_with(Level::Scalar, &data, &STANDARD);
        for len in [76, 64, 100, 8] {
            let layout: Vec<u8> = valid
                .chunks(len)
                .flat_map(|line| [line, b"\n"])
                .flatten()
                .copied()
                .collect();
            let lines = valid.len() / len;
            let mut output = vec![MaybeUninit::uninit(); layout.len()];
            let mut stage = [0; LINE_STAGE];
            for level in simd::supported() {
                let mut read = 0;
                let decoded = decode_vec(&layout, layout.len(), |input, output| {
                    let (taken, written) =
                        decode_lines(level, input, output, &IDENTITY_TABLE, &mut stage);
                    read = taken;
                    Ok::<_, ()>(written)
                })
                .unwrap();
                // Staged: every whole line.  In place (lines of 64 symbols
                // or more): up to a step (at most 65 bytes) short of the
                // end, wherever a step ends.
                let symbols = layout[..read].iter().filter(|&&c| c != b'\n').count();
                assert_eq!(symbols % 4, 0, "{level:?} {len}");
                assert_eq!(decoded, data[..symbols / 4 * 3], "{level:?} {len}");
                let whole_lines = lines * (len + 1);
                if read != whole_lines {
                    assert!(len >= 64 && read + 2 * 65 > layout.len(), "{level:?} {len}");
                }
            }
            // A line of another length ends the run.
            let mut shorter = layout.clone();
            shorter.remove(5 * (len + 1) + 1);
            let (read, _) = decode_lines(
                Level::Scalar,
                &shorter,
                &mut output,
                &IDENTITY_TABLE,
                &mut stage,
            );
            // Scalar: 8 symbols at a time, up to the end of line 5.
            let decoded = 5 * len / 8 * 8;
            assert_eq!(read, decoded / len * (len + 1) + decoded % len, "{len}");
        }
    }

    #[test]
    fn block_tables_match_the_maps() {
        assert_eq!(*block_table(&IDENTITY, 0).unwrap(), decode_table(&IDENTITY));
        assert_eq!(
            *block_table(&URLSAFE_MAP, 0).unwrap(),
            decode_table(&URLSAFE_MAP)
        );
        let mut swapped = IDENTITY;
        swapped.swap(usize::from(b'+'), usize::from(b'/'));
        assert_eq!(block_table(&swapped, 10), None);
        assert_eq!(
            *block_table(&swapped, 1000).unwrap(),
            decode_table(&swapped)
        );
        assert_eq!(IDENTITY_TABLE[0xff], INVALID);
        assert_eq!(IDENTITY_TABLE[usize::from(b'/')], 63);
        assert_eq!(URLSAFE_TABLE[usize::from(b'_')], 63);
        assert_eq!(URLSAFE_TABLE[usize::from(b'/')], 63);
        assert_eq!(IDENTITY_TABLE[usize::from(b'=')], INVALID);
    }

    #[test]
    fn encode_lines_wraps_every_57_bytes() {
        let input = vec![0u8; 58];
        let out = encode_vec(&input, encoded_lines_len(58).unwrap(), encode_lines);
        assert_eq!(out.len(), 77 + 5);
        assert_eq!(out[76], b'\n');
        assert_eq!(&out[77..], b"AA==\n");
        assert_eq!(encoded_lines_len(0), Some(0));
    }
}
