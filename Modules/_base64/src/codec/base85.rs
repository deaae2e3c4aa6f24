//! Base85 (`b85encode`), Z85 and Ascii85 (`a85encode`), as the pure-Python
//! `base64._85encode`, `b85decode`, `z85decode` and `a85decode` do them.

use core::mem::MaybeUninit;

use super::simd::{self, Level};
use super::vector;

/// A base85 alphabet, with the tables its encoder and decoders use.
pub struct Alphabet {
    /// The digits, by value.
    digits: [u8; 85],
    /// The two digits of every number below 85², most significant first:
    /// the encoder looks digits up two at a time.
    pairs: [[u8; 2]; 7225],
    /// Each byte's digit value, or `INVALID`.
    values: [u8; 256],
}

/// Not a digit: the high bit, never set in a digit's value.
const INVALID: u8 = 0x80;

impl Alphabet {
    const fn new(digits: &[u8; 85]) -> Alphabet {
        let mut pairs = [[0u8; 2]; 7225];
        let mut i = 0;
        while i < 7225 {
            pairs[i] = [digits[i / 85], digits[i % 85]];
            i += 1;
        }
        let mut values = [INVALID; 256];
        let mut i = 0;
        while i < 85 {
            values[digits[i] as usize] = i as u8;
            i += 1;
        }
        Alphabet {
            digits: *digits,
            pairs,
            values,
        }
    }

    /// The 5 digits of `word`, most significant first.
    ///
    /// `word / 85^5` is kept as a 64-bit binary fraction; multiplying it
    /// by 85 (or 85²) moves the next digit (or pair) into the high half of
    /// the product, and leaves the fraction of the rest in the low half.
    /// The fraction starts rounded up, by `word * (FRACTION - 2^64 /
    /// 85^5) < 0.0845 * 2^32` units of 2^-64; the digits multiply that
    /// error by 85^5 in all, to under 0.088 of a unit of the last digit.
    /// As the exact fraction of each remainder is at least a whole unit of
    /// the last digit below the next digit, no digit can be too high.
    fn digits(&self, word: u32) -> [u8; 5] {
        /// ⌈2^64 / 85^5⌉
        const FRACTION: u64 = 4_157_431_420;
        let first = u128::from(u64::from(word) * FRACTION) * 85;
        let middle = u128::from(first as u64) * 7225;
        let last = u128::from(middle as u64) * 7225;
        let [b, c] = self.pairs[(middle >> 64) as usize];
        let [d, e] = self.pairs[(last >> 64) as usize];
        [self.digits[(first >> 64) as usize], b, c, d, e]
    }

    fn zero(&self) -> u8 {
        self.digits[0]
    }

    fn last(&self) -> u8 {
        self.digits[84]
    }
}

pub static B85: Alphabet = Alphabet::new(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~",
);
pub static Z85: Alphabet = Alphabet::new(
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#",
);
/// Ascii85 digits are `!` (33) to `u` (117).
pub static A85: Alphabet = Alphabet::new(&{
    let mut digits = [0u8; 85];
    let mut i = 0;
    while i < 85 {
        digits[i] = b'!' + i as u8;
        i += 1;
    }
    digits
});

/// `_85encode`'s options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Encoding {
    /// Keep all 5 characters of the zero-padded last group.
    pub pad: bool,
    /// `z` for a zero group (Ascii85).
    pub fold_nuls: bool,
    /// `y` for a group of four spaces (btoa).
    pub fold_spaces: bool,
}

/// The big-endian word of a 4-byte group.
fn word(group: &[u8]) -> u32 {
    u32::from_be_bytes([group[0], group[1], group[2], group[3]])
}

/// The word of a last group of 1 to 3 bytes, padded with zeros.
fn padded_word(tail: &[u8]) -> u32 {
    let mut padded = [0u8; 4];
    padded[..tail.len()].copy_from_slice(tail);
    word(&padded)
}

/// The character a group folds to (`z` or `y`), if it does.
fn folded(word: u32, options: Encoding) -> Option<u8> {
    if options.fold_nuls && word == 0 {
        Some(b'z')
    } else if options.fold_spaces && word == 0x2020_2020 {
        Some(b'y')
    } else {
        None
    }
}

/// Where encoded characters go.
pub trait Sink {
    fn put(&mut self, chars: &[u8]);
}

/// Characters written one after another into storage.
pub struct Plain<'a> {
    output: &'a mut [MaybeUninit<u8>],
    at: usize,
}

impl<'a> Plain<'a> {
    pub fn new(output: &'a mut [MaybeUninit<u8>]) -> Self {
        Plain { output, at: 0 }
    }

    /// How many characters were written.
    pub fn written(&self) -> usize {
        self.at
    }
}

impl Sink for Plain<'_> {
    #[inline]
    fn put(&mut self, chars: &[u8]) {
        let end = self.at + chars.len();
        for (slot, &c) in self.output[self.at..end].iter_mut().zip(chars) {
            slot.write(c);
        }
        self.at = end;
    }
}

/// Characters wrapped into lines of `width` as they are written: a newline
/// goes before every character that would start a line after the first.
struct Lines<'a> {
    plain: Plain<'a>,
    width: usize,
    column: usize,
}

impl Sink for Lines<'_> {
    #[inline]
    fn put(&mut self, mut chars: &[u8]) {
        if self.column + chars.len() <= self.width {
            self.plain.put(chars);
            self.column += chars.len();
            return;
        }
        while !chars.is_empty() {
            if self.column == self.width {
                self.plain.put(b"\n");
                self.column = 0;
            }
            let (line, rest) = chars.split_at(chars.len().min(self.width - self.column));
            self.plain.put(line);
            self.column += line.len();
            chars = rest;
        }
    }
}

/// Groups encoded together when none of them folds: their characters
/// have fixed places, so the digits of one group do not wait for the
/// length of the one before.
const BLOCK_GROUPS: usize = 16;

/// Blocks the vector kernel encodes into a stage, which then goes to the
/// sink (that may break it into lines) in one piece.
const STAGE_BLOCKS: usize = 8;

/// `_85encode`: every group of `input` (the last one zero-padded) into
/// `sink`, as one pass: whole blocks by the kernel of `level` (or of the
/// best level this CPU has, if lower) while none folds, a block with a
/// group that folds group by group, and the rest after the last block.
fn encode_into(
    level: Level,
    input: &[u8],
    alphabet: &Alphabet,
    options: Encoding,
    sink: &mut impl Sink,
) {
    let mut rest = input;
    let mut chars = [0u8; 5 * BLOCK_GROUPS];
    let mut stage = [0u8; 5 * BLOCK_GROUPS * STAGE_BLOCKS];
    let (fold_nuls, fold_spaces) = (options.fold_nuls, options.fold_spaces);
    let folding = fold_nuls || fold_spaces;
    while rest.len() >= 4 * BLOCK_GROUPS {
        let kernel_input = &rest[..rest.len().min(4 * BLOCK_GROUPS * STAGE_BLOCKS)];
        let done = vector::base85_encode(
            level,
            kernel_input,
            &mut stage,
            &alphabet.digits,
            fold_nuls,
            fold_spaces,
        );
        if done > 0 {
            sink.put(&stage[..done / 4 * 5]);
            rest = &rest[done..];
            continue;
        }
        // No kernel at this level, or a group of this block folds.
        let (block, after) = rest.split_at(4 * BLOCK_GROUPS);
        rest = after;
        if folding
            && block
                .chunks_exact(4)
                .any(|group| folded(word(group), options).is_some())
        {
            encode_groups(block, alphabet, options, sink);
        } else {
            for (group, slot) in block.chunks_exact(4).zip(chars.chunks_exact_mut(5)) {
                slot.copy_from_slice(&alphabet.digits(word(group)));
            }
            sink.put(&chars);
        }
    }
    encode_groups(rest, alphabet, options, sink);
}

/// The groups of `input` one by one, the last one zero-padded.
fn encode_groups(input: &[u8], alphabet: &Alphabet, options: Encoding, sink: &mut impl Sink) {
    let groups = input.chunks_exact(4);
    let tail = groups.remainder();
    for group in groups {
        let word = word(group);
        match folded(word, options) {
            Some(c) => sink.put(&[c]),
            None => sink.put(&alphabet.digits(word)),
        }
    }
    if tail.is_empty() {
        return;
    }
    let word = padded_word(tail);
    match folded(word, options) {
        Some(c) if options.pad => sink.put(&[c]),
        // A folded last group is written out in full, then cut, like
        // `chars[0] * 5` in the Python code.
        Some(_) => sink.put(&[alphabet.zero(); 5][..tail.len() + 1]),
        None if options.pad => sink.put(&alphabet.digits(word)),
        None => sink.put(&alphabet.digits(word)[..tail.len() + 1]),
    }
}

/// `_85encode` without folding (base85 and Z85) into storage of
/// `unfolded_len(input.len(), options.pad)`.
pub fn encode(
    input: &[u8],
    alphabet: &Alphabet,
    options: Encoding,
    output: &mut [MaybeUninit<u8>],
) {
    encode_at(simd::active(), input, alphabet, options, output);
}

/// `encode` with the kernel of `level`, or of the best level this CPU
/// has, if lower.
pub fn encode_at(
    level: Level,
    input: &[u8],
    alphabet: &Alphabet,
    options: Encoding,
    output: &mut [MaybeUninit<u8>],
) {
    let mut sink = Plain::new(output);
    encode_into(level, input, alphabet, options, &mut sink);
    assert_eq!(sink.written(), sink.output.len(), "output size");
}

/// Length of the encoding of `len` bytes if no group folds: the length
/// for base85 and Z85, and the most Ascii85 can take (every fold makes
/// it shorter).  Cheaper than counting Ascii85's folds first, which would
/// read the input twice.
///
/// It cannot overflow: `len` is a slice's, at most `isize::MAX`, and 5/4
/// of that plus 5 is below `usize::MAX`.
pub fn unfolded_len(len: usize, pad: bool) -> usize {
    let last = match len % 4 {
        0 => 0,
        _ if pad => 5,
        tail => tail + 1,
    };
    len / 4 * 5 + last
}

/// Ascii85 layout of `a85encode`: optional `<~ ~>` frame and line breaks
/// every `wrapcol` characters (already `max(2 if adobe else 1, wrapcol)`).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub adobe: bool,
    pub wrapcol: Option<usize>,
}

impl Layout {
    /// Total output length for `body` characters of encoding; it grows
    /// with `body`, so an upper bound of `body` gives one of the output.
    /// A length past `usize::MAX` (a newline per character can double the
    /// body, 32-bit targets reach it) is `usize::MAX`, which no allocation
    /// gets: the caller raises `MemoryError`, as the Python code would.
    pub fn len(self, body: usize) -> usize {
        let frame = if self.adobe { 2 } else { 0 };
        let framed = body.saturating_add(frame);
        framed
            .saturating_add(self.newlines(framed))
            .saturating_add(frame)
    }

    fn newlines(self, framed: usize) -> usize {
        let Some(width) = self.wrapcol else { return 0 };
        if framed == 0 {
            return 0;
        }
        let chunks = framed.div_ceil(width);
        chunks - 1 + usize::from(self.extra_line(framed))
    }

    /// `if len(chunks[-1]) + 2 > wrapcol: chunks.append(b'')`
    fn extra_line(self, framed: usize) -> bool {
        match self.wrapcol {
            Some(width) if self.adobe && framed > 0 => {
                let last = framed - (framed - 1) / width * width;
                last + 2 > width
            }
            _ => false,
        }
    }

    /// Write `a85encode`'s output for `input` into `output`, at least
    /// `self.len(unfolded_len(input.len(), options.pad))` long: the frame,
    /// and the line breaks as the characters are written.  Returns the
    /// length written.
    pub fn write(self, input: &[u8], options: Encoding, output: &mut [MaybeUninit<u8>]) -> usize {
        self.write_at(simd::active(), input, options, output)
    }

    /// `write` with the kernel of `level`, or of the best level this CPU
    /// has, if lower.
    pub fn write_at(
        self,
        level: Level,
        input: &[u8],
        options: Encoding,
        output: &mut [MaybeUninit<u8>],
    ) -> usize {
        let start: &[u8] = if self.adobe { b"<~" } else { b"" };
        let mut plain = Plain::new(output);
        if let Some(width) = self.wrapcol {
            let mut lines = Lines {
                plain,
                width,
                column: 0,
            };
            lines.put(start);
            encode_into(level, input, &A85, options, &mut lines);
            plain = lines.plain;
            // The column is the length of the last line, as `extra_line`
            // computes it from the whole length.
            if self.adobe && lines.column + 2 > width {
                plain.put(b"\n");
            }
        } else {
            plain.put(start);
            encode_into(level, input, &A85, options, &mut plain);
        }
        if self.adobe {
            plain.put(b"~>");
        }
        plain.written()
    }
}

/// Errors of `b85decode`/`z85decode` (ValueError), with positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum B85Error {
    BadCharacter(usize),
    Overflow(usize),
}

impl B85Error {
    /// The message, naming the codec (`base85` or `z85`).
    pub fn message(self, codec: &str) -> String {
        match self {
            B85Error::BadCharacter(at) => format!("bad {codec} character at position {at}"),
            B85Error::Overflow(at) => format!("{codec} overflow in hunk starting at byte {at}"),
        }
    }
}

/// Upper bound (exact length, in fact) of a base85/Z85 decoding.
pub fn b85_decoded_len(len: usize) -> usize {
    len - len.div_ceil(5)
}

/// What is wrong with a group of 5 characters.
enum GroupError {
    /// The character at this offset is not a digit (the first such).
    NotDigit(usize),
    /// The number is 2^32 or more.
    Overflow,
}

/// The number 5 characters stand for, in the alphabet of `values`.
fn group_word(group: &[u8], values: &[u8; 256]) -> Result<u32, GroupError> {
    let mut acc = 0u64;
    for (at, &c) in group.iter().enumerate() {
        let value = values[usize::from(c)];
        if value & INVALID != 0 {
            return Err(GroupError::NotDigit(at));
        }
        acc = acc * 85 + u64::from(value);
    }
    u32::try_from(acc).map_err(|_| GroupError::Overflow)
}

/// Decode the whole groups at the start of `input`, up to the first that
/// `group_word` rejects (left to the caller, which knows what to say) or
/// that `output` has no room for; returns how much was read and written.
/// Whole blocks go to the kernel of `level` (or of the best level this
/// CPU has, if lower), then groups one by one.  The digits of a group are
/// weighted independently, not one after another, so that the
/// multiplications overlap.
fn decode_groups(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    values: &[u8; 256],
) -> (usize, usize) {
    let (read, written) = vector::base85_decode(level, input, output, values);
    let (input, output) = (&input[read..], &mut output[written..]);
    let mut done = 0;
    for (group, out) in input.chunks_exact(5).zip(output.chunks_exact_mut(4)) {
        let value = |k: usize| values[usize::from(group[k])];
        let (a, b, c, d, e) = (value(0), value(1), value(2), value(3), value(4));
        if (a | b | c | d | e) & INVALID != 0 {
            break;
        }
        let acc = u64::from(a) * 52_200_625
            + u64::from(b) * 614_125
            + u64::from(c) * 7225
            + u64::from(d) * 85
            + u64::from(e);
        let Ok(word) = u32::try_from(acc) else {
            break;
        };
        for (slot, byte) in out.iter_mut().zip(word.to_be_bytes()) {
            slot.write(byte);
        }
        done += 1;
    }
    (read + done * 5, written + done * 4)
}

/// `b85decode` (with `B85`) or `z85decode` (with `Z85`): the input is padded
/// with the alphabet's last digit to whole groups, which are cut again.
pub fn b85_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &Alphabet,
) -> Result<usize, B85Error> {
    b85_decode_at(simd::active(), input, output, alphabet)
}

/// `b85_decode` with the kernel of `level`, or of the best level this CPU
/// has, if lower.
pub fn b85_decode_at(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &Alphabet,
) -> Result<usize, B85Error> {
    let (read, mut written) = decode_groups(level, input, output, &alphabet.values);
    // What is left: a group with an error, or the last group.
    let groups = input[read..].chunks_exact(5);
    let tail = groups.remainder();
    let mut padded = [alphabet.last(); 5];
    padded[..tail.len()].copy_from_slice(tail);
    let last = Some((&padded[..], tail.len().saturating_sub(1))).filter(|_| !tail.is_empty());
    for (n, (group, keep)) in groups.map(|group| (group, 4)).chain(last).enumerate() {
        let start = read + n * 5;
        let word = group_word(group, &alphabet.values).map_err(|error| match error {
            GroupError::NotDigit(at) => B85Error::BadCharacter(start + at),
            GroupError::Overflow => B85Error::Overflow(start),
        })?;
        for (slot, &byte) in output[written..written + keep]
            .iter_mut()
            .zip(&word.to_be_bytes())
        {
            slot.write(byte);
        }
        written += keep;
    }
    Ok(written)
}

/// Errors of `a85decode` (ValueError).
#[derive(Debug, PartialEq, Eq)]
pub enum A85Error<E> {
    Overflow,
    ZInsideGroup,
    YInsideGroup,
    NonDigit(u8),
    /// An error from a callback (a Python exception).
    Callback(E),
}

impl<E> A85Error<E> {
    pub fn message(&self) -> Option<String> {
        match self {
            A85Error::Overflow => Some("Ascii85 overflow".into()),
            A85Error::ZInsideGroup => Some("z inside Ascii85 5-tuple".into()),
            A85Error::YInsideGroup => Some("y inside Ascii85 5-tuple".into()),
            A85Error::NonDigit(c) => Some(format!("Non-Ascii85 digit found: {}", char::from(*c))),
            A85Error::Callback(_) => None,
        }
    }
}

/// Upper bound of an Ascii85 decoding: 4 bytes per 5 digits, and per `z`
/// or `y` (each may stand for 4 bytes).
pub fn a85_decoded_len_bound(input: &[u8]) -> usize {
    // Counted in byte lanes, 240 bytes at a time (a count that fits a
    // byte, and a whole number of 16-byte vectors, so that no byte of a
    // piece is left to scalar code), which the compiler turns into vector
    // compares and adds; a `usize` count per byte would use a lane of 8
    // bytes per input byte.
    let short: usize = input
        .chunks(240)
        .map(|chunk| {
            let count: u8 = chunk
                .iter()
                .map(|&c| u8::from(c == b'z' || c == b'y'))
                .sum();
            usize::from(count)
        })
        .sum();
    decoded_len_bound(input.len(), short)
}

/// The bound for `len` characters of which `short` are `z` or `y`; past
/// `usize::MAX` (a gigabyte of `z` on a 32-bit target), `usize::MAX`, which
/// no allocation gets: the caller raises `MemoryError`, as the Python code
/// would.
fn decoded_len_bound(len: usize, short: usize) -> usize {
    (len / 5 * 4 + 4).saturating_add(short.saturating_mul(4))
}

/// A group of Ascii85 digits being collected.
#[derive(Default)]
struct Digits {
    digits: [u8; 5],
    len: usize,
}

impl Digits {
    /// Add a digit (`!` to `u`); a completed group is decoded into
    /// `output` at `written`.
    fn push<E>(
        &mut self,
        digit: u8,
        output: &mut [MaybeUninit<u8>],
        written: &mut usize,
    ) -> Result<(), A85Error<E>> {
        self.digits[self.len] = digit;
        self.len += 1;
        if self.len == 5 {
            let word = group_word(&self.digits, &A85.values).map_err(|_| A85Error::Overflow)?;
            put(word.to_be_bytes(), output, written);
            self.len = 0;
        }
        Ok(())
    }
}

fn put(bytes: [u8; 4], output: &mut [MaybeUninit<u8>], written: &mut usize) {
    for (slot, &byte) in output[*written..*written + 4].iter_mut().zip(&bytes) {
        slot.write(byte);
    }
    *written += 4;
}

/// `a85decode`'s loop over `input` (frame already removed).
/// `fold_spaces` is asked (once) the first time its answer matters;
/// `ignored` says whether a byte is in `ignorechars`.  Between groups,
/// runs of whole groups of digits are decoded without the per-character
/// dispatch.
pub fn a85_decode<E>(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    fold_spaces: impl FnMut() -> Result<bool, E>,
    ignored: impl FnMut(u8) -> Result<bool, E>,
) -> Result<usize, A85Error<E>> {
    a85_decode_at(simd::active(), input, output, fold_spaces, ignored)
}

/// `a85_decode` with the kernel of `level`, or of the best level this CPU
/// has, if lower.
pub fn a85_decode_at<E>(
    level: Level,
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    mut fold_spaces: impl FnMut() -> Result<bool, E>,
    mut ignored: impl FnMut(u8) -> Result<bool, E>,
) -> Result<usize, A85Error<E>> {
    let mut written = 0;
    let mut group = Digits::default();
    let mut folding: Option<bool> = None;
    let mut i = 0;
    while i < input.len() {
        if group.len == 0 {
            let (read, wrote) =
                decode_groups(level, &input[i..], &mut output[written..], &A85.values);
            i += read;
            written += wrote;
            if i == input.len() {
                break;
            }
        }
        let x = input[i];
        i += 1;
        if (b'!'..=b'u').contains(&x) {
            group.push(x, output, &mut written)?;
        } else if x == b'z' {
            if group.len > 0 {
                return Err(A85Error::ZInsideGroup);
            }
            put([0; 4], output, &mut written);
        } else {
            // Python evaluates `foldspaces` here, before looking at x.
            let fold = match folding {
                Some(fold) => fold,
                None => *folding.insert(fold_spaces().map_err(A85Error::Callback)?),
            };
            if fold && x == b'y' {
                if group.len > 0 {
                    return Err(A85Error::YInsideGroup);
                }
                put([b' '; 4], output, &mut written);
            } else if !ignored(x).map_err(A85Error::Callback)? {
                return Err(A85Error::NonDigit(x));
            }
        }
    }
    // Python appends four `u`s, which complete a partial last group, then
    // throws away the bytes they stand for: 4 - (digits left over).
    for _ in 0..4 {
        group.push(b'u', output, &mut written)?;
    }
    Ok(written - (4 - group.len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::testing::{decode_vec, encode_vec, noise};

    /// The digits of `word` by repeated division: the definition.
    fn divided(mut word: u32, alphabet: &Alphabet) -> [u8; 5] {
        let mut digits = [0; 5];
        for digit in digits.iter_mut().rev() {
            *digit = alphabet.digits[(word % 85) as usize];
            word /= 85;
        }
        digits
    }

    #[test]
    fn digits_match_division() {
        // Both ends, both sides of every multiple of 85^2 (where the pair
        // lookups change), and a spread of everything else.
        let mut words: Vec<u32> = (0..100_000).chain(u32::MAX - 100_000..=u32::MAX).collect();
        for multiple in (7225..=u32::MAX).step_by(7225) {
            words.extend([multiple - 1, multiple, multiple + 1]);
        }
        words.extend((0..=u32::MAX).step_by(65521));
        for &word in &words {
            assert_eq!(B85.digits(word), divided(word, &B85), "{word}");
        }
        // The other alphabets share the arithmetic, not the tables.
        for alphabet in [&Z85, &A85] {
            for word in (0..=u32::MAX).step_by(7919) {
                assert_eq!(alphabet.digits(word), divided(word, alphabet), "{word}");
            }
        }
    }

    fn b85_encoded(input: &[u8], alphabet: &Alphabet) -> Vec<u8> {
        let options = Encoding::default();
        encode_vec(input, unfolded_len(input.len(), false), |i, o| {
            encode(i, alphabet, options, o)
        })
    }

    fn b85_decoded(input: &[u8], alphabet: &Alphabet) -> Result<Vec<u8>, B85Error> {
        decode_vec(input, b85_decoded_len(input.len()), |i, o| {
            b85_decode(i, o, alphabet)
        })
    }

    #[test]
    fn lengths_saturate_instead_of_overflowing() {
        assert_eq!(decoded_len_bound(usize::MAX, usize::MAX), usize::MAX);
        assert_eq!(
            decoded_len_bound(usize::MAX / 2, usize::MAX / 4 + 1),
            usize::MAX
        );
        assert_eq!(decoded_len_bound(10, 2), 20);
        for adobe in [false, true] {
            let layout = Layout {
                adobe,
                wrapcol: Some(1 + usize::from(adobe)),
            };
            assert_eq!(layout.len(usize::MAX - 1), usize::MAX);
        }
        // A newline between every two characters: 2 * body - 1.
        let narrowest = Layout {
            adobe: false,
            wrapcol: Some(1),
        };
        assert_eq!(narrowest.len(usize::MAX / 2 + 1), usize::MAX);
        assert_eq!(narrowest.len(usize::MAX / 2), usize::MAX - 2);
        // The longest slice: no overflow (the test profile checks).
        let longest = isize::MAX as usize;
        assert_eq!(unfolded_len(longest, true), (longest / 4 + 1) * 5);
    }

    #[test]
    fn b85_round_trip() {
        for len in 0..200 {
            let input = noise(len, 85);
            for alphabet in [&B85, &Z85] {
                let encoded = b85_encoded(&input, alphabet);
                assert_eq!(
                    encoded.len(),
                    len / 4 * 5 + (len % 4 + 1) % 5 * usize::from(len % 4 != 0)
                );
                assert_eq!(b85_decoded(&encoded, alphabet), Ok(input.clone()));
            }
        }
        assert_eq!(b85_encoded(b"\xff\xff\xff\xff", &B85), b"|NsC0");
    }

    #[test]
    fn b85_errors_after_whole_groups() {
        let mut encoded = b85_encoded(&noise(400, 85), &B85);
        // A bad character inside the 26th group, after 25 the fast loop
        // decodes.
        encoded[127] = b'"';
        assert_eq!(
            b85_decoded(&encoded, &B85),
            Err(B85Error::BadCharacter(127))
        );
        // A group over 2^32 - 1 ("|NsC0" is 2^32 - 1).
        let mut encoded = b85_encoded(&noise(400, 85), &B85);
        encoded[35..40].copy_from_slice(b"|NsC1");
        assert_eq!(b85_decoded(&encoded, &B85), Err(B85Error::Overflow(35)));
        // In a short last group, after the padding is added.
        let mut encoded = b85_encoded(&noise(42, 85), &B85);
        let last = encoded.len() - 1;
        encoded[last] = b' ';
        assert_eq!(
            b85_decoded(&encoded, &B85),
            Err(B85Error::BadCharacter(last))
        );
    }

    fn a85_decoded(input: &[u8]) -> Result<Vec<u8>, A85Error<()>> {
        decode_vec(input, a85_decoded_len_bound(input), |i, o| {
            a85_decode(i, o, || Ok(true), |c| Ok(c.is_ascii_whitespace()))
        })
    }

    #[test]
    fn a85_round_trip_wrapped() {
        let options = Encoding {
            pad: false,
            fold_nuls: true,
            fold_spaces: true,
        };
        for len in [0, 4, 64, 332] {
            let mut input = noise(len, 85);
            // Whole groups that fold to z and y, and a short last group.
            input.extend([0, 0, 0, 0, b' ', b' ', b' ', b' ', 1]);
            for wrapcol in [None, Some(1), Some(7), Some(76)] {
                let layout = Layout {
                    adobe: false,
                    wrapcol,
                };
                let bound = layout.len(unfolded_len(input.len(), options.pad));
                let encoded = decode_vec(&input, bound, |i, o| {
                    Ok::<_, ()>(layout.write(i, options, o))
                })
                .unwrap();
                let body: Vec<u8> = encoded.iter().copied().filter(|&c| c != b'\n').collect();
                assert!(body.windows(2).any(|pair| pair == b"zy"), "{encoded:?}");
                assert_eq!(a85_decoded(&encoded), Ok(input.clone()));
            }
        }
    }

    #[test]
    fn a85_errors() {
        assert_eq!(a85_decoded(b"s8W-!"), Ok(vec![0xff; 4]));
        assert_eq!(a85_decoded(b"!!!!!s8W-\""), Err(A85Error::Overflow));
        assert_eq!(a85_decoded(b"!!!!!s8\nW-\""), Err(A85Error::Overflow));
        assert_eq!(a85_decoded(b"!!!!!!z"), Err(A85Error::ZInsideGroup));
        assert_eq!(a85_decoded(b"!!!!!!y"), Err(A85Error::YInsideGroup));
        assert_eq!(a85_decoded(b"!!!!!!v"), Err(A85Error::NonDigit(b'v')));
    }

    /// Inputs for the level comparisons: noise of each length, and the
    /// same with groups that fold (zeros, spaces) at block edges.
    fn inputs_with_folds() -> Vec<Vec<u8>> {
        let mut inputs = Vec::new();
        for len in (0..200).chain([1000, 1027, 4099]) {
            let data = noise(len, len as u64 + 85);
            for group in [0, 15, 16, 17, 40, 200] {
                for fold in [[0u8; 4], [b' '; 4]] {
                    if 4 * group + 4 <= len {
                        let mut input = data.clone();
                        input[4 * group..4 * group + 4].copy_from_slice(&fold);
                        inputs.push(input);
                    }
                }
            }
            inputs.push(data);
        }
        inputs
    }

    #[test]
    fn every_level_encodes_like_the_portable_code() {
        let a85_options = [false, true].map(|fold_spaces| Encoding {
            pad: false,
            fold_nuls: true,
            fold_spaces,
        });
        for input in &inputs_with_folds() {
            for pad in [false, true] {
                let options = Encoding {
                    pad,
                    ..Encoding::default()
                };
                let len = unfolded_len(input.len(), pad);
                for alphabet in [&B85, &Z85] {
                    let run = |level| {
                        encode_vec(input, len, |i, o| encode_at(level, i, alphabet, options, o))
                    };
                    let expected = run(Level::Scalar);
                    for level in simd::supported() {
                        assert_eq!(run(level), expected, "{level:?}, {input:?}");
                    }
                }
            }
            for options in a85_options {
                for wrapcol in [None, Some(7), Some(76)] {
                    let layout = Layout {
                        adobe: wrapcol.is_some(),
                        wrapcol,
                    };
                    let bound = layout.len(unfolded_len(input.len(), false));
                    let run = |level| {
                        decode_vec(input, bound, |i, o| {
                            Ok::<_, ()>(layout.write_at(level, i, options, o))
                        })
                    };
                    let expected = run(Level::Scalar);
                    for level in simd::supported() {
                        assert_eq!(run(level), expected, "{level:?}, {input:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_level_decodes_like_the_portable_code() {
        let odd_bytes = [b'"', b' ', b'\n', b'z', b'y', b'~', b'v', 0, 0x80, 0xff];
        for len in [0, 3, 64, 100, 127, 128, 129, 300, 1000] {
            let data = noise(len, len as u64 + 7);
            for alphabet in [&B85, &Z85, &A85] {
                let valid = encode_vec(&data, unfolded_len(len, false), |i, o| {
                    encode_at(Level::Scalar, i, alphabet, Encoding::default(), o)
                });
                let mut inputs = vec![valid.clone()];
                for at in [
                    0,
                    4,
                    5,
                    79,
                    80,
                    81,
                    159,
                    160,
                    300,
                    valid.len().saturating_sub(1),
                ] {
                    if at < valid.len() {
                        for byte in odd_bytes {
                            let mut input = valid.clone();
                            input[at] = byte;
                            inputs.push(input);
                        }
                    }
                }
                // The largest group, and the smallest ones over 2^32 - 1.
                let largest = encode_vec(&[0xff; 4], 5, |i, o| {
                    encode_at(Level::Scalar, i, alphabet, Encoding::default(), o)
                });
                let mut over = largest.clone();
                over[4] += 1;
                let mut first_four_over = largest.clone();
                first_four_over[3] += 1;
                first_four_over[4] = alphabet.zero();
                for group in [0, 15, 16, 31, 40] {
                    for replacement in [&largest, &over, &first_four_over] {
                        if 5 * group + 5 <= valid.len() {
                            let mut input = valid.clone();
                            input[5 * group..5 * group + 5].copy_from_slice(replacement);
                            inputs.push(input);
                        }
                    }
                }
                for input in &inputs {
                    let run = |level| {
                        if core::ptr::eq(alphabet, &A85) {
                            decode_vec(input, a85_decoded_len_bound(input), |i, o| {
                                a85_decode_at(level, i, o, || Ok(true), |c| Ok(c == b' '))
                            })
                            .map_err(|error: A85Error<()>| format!("{error:?}"))
                        } else {
                            decode_vec(input, b85_decoded_len(input.len()), |i, o| {
                                b85_decode_at(level, i, o, alphabet)
                            })
                            .map_err(|error| format!("{error:?}"))
                        }
                    };
                    let expected = run(Level::Scalar);
                    for level in simd::supported() {
                        assert_eq!(run(level), expected, "{level:?}, {input:?}");
                    }
                }
            }
        }
    }

    /// The kernels of each vector level do all but the last few blocks, so
    /// the comparisons above test them and not the portable code.
    #[cfg(all(target_arch = "x86_64", has_avx512))]
    #[test]
    fn the_kernels_do_the_whole_blocks() {
        if !simd::supported().any(|level| level == Level::Avx512Vbmi) {
            return;
        }
        let input = noise(1000, 9);
        let mut stage = vec![0u8; 1250];
        let done = vector::base85_encode(
            Level::Avx512Vbmi,
            &input,
            &mut stage,
            &B85.digits,
            true,
            true,
        );
        assert!(done + 64 > 1000, "{done}");
        let encoded = b85_encoded(&input, &B85);
        let mut decoded = vec![MaybeUninit::uninit(); 1000];
        let (read, wrote) =
            vector::base85_decode(Level::Avx512Vbmi, &encoded, &mut decoded, &B85.values);
        assert!(read + 80 > 1250 && wrote == read / 5 * 4, "{read} {wrote}");
    }
}
