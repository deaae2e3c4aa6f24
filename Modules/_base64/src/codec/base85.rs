//! Base85 (`b85encode`), Z85 and Ascii85 (`a85encode`), as the pure-Python
//! `base64._85encode`, `b85decode`, `z85decode` and `a85decode` do them.

use core::mem::MaybeUninit;

pub const B85: &[u8; 85] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
pub const Z85: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
/// Ascii85 digits are `!` (33) to `u` (117).
pub const A85: &[u8; 85] = &{
    let mut table = [0u8; 85];
    let mut i = 0;
    while i < 85 {
        table[i] = b'!' + i as u8;
        i += 1;
    }
    table
};

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

/// The 5 digits of a word, most significant first.  Splitting at 85^2
/// gives two short chains of divisions (by constants, so multiplications)
/// instead of one long one.
fn digits(word: u32, alphabet: &[u8; 85]) -> [u8; 5] {
    let (high, low) = (word / 7225, word % 7225);
    [
        alphabet[(high / 7225) as usize],
        alphabet[(high / 85 % 85) as usize],
        alphabet[(high % 85) as usize],
        alphabet[(low / 85) as usize],
        alphabet[(low % 85) as usize],
    ]
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
    fn put(&mut self, chars: &[u8]) {
        for c in chars {
            if self.column == self.width {
                self.plain.put(b"\n");
                self.column = 0;
            }
            self.plain.put(core::slice::from_ref(c));
            self.column += 1;
        }
    }
}

/// `_85encode`: every group of `input` (the last one zero-padded) into
/// `sink`, as one pass.
pub fn encode_into(input: &[u8], alphabet: &[u8; 85], options: Encoding, sink: &mut impl Sink) {
    let groups = input.chunks_exact(4);
    let tail = groups.remainder();
    for group in groups {
        let word = word(group);
        match folded(word, options) {
            Some(c) => sink.put(&[c]),
            None => sink.put(&digits(word, alphabet)),
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
        Some(_) => sink.put(&[alphabet[0]; 5][..tail.len() + 1]),
        None if options.pad => sink.put(&digits(word, alphabet)),
        None => sink.put(&digits(word, alphabet)[..tail.len() + 1]),
    }
}

/// `_85encode` into storage of `encoded_len(input, options)`.
pub fn encode(
    input: &[u8],
    alphabet: &[u8; 85],
    options: Encoding,
    output: &mut [MaybeUninit<u8>],
) {
    let mut sink = Plain::new(output);
    encode_into(input, alphabet, options, &mut sink);
    assert_eq!(sink.written(), sink.output.len(), "output size");
}

/// Length of the encoding of `input`.
pub fn encoded_len(input: &[u8], options: Encoding) -> usize {
    let groups = input.chunks_exact(4);
    let tail = groups.remainder();
    let folds = if options.fold_nuls || options.fold_spaces {
        groups
            .clone()
            .filter(|group| folded(word(group), options).is_some())
            .count()
    } else {
        0
    };
    let whole = (groups.len() - folds) * 5 + folds;
    let last = if tail.is_empty() {
        0
    } else if !options.pad {
        tail.len() + 1
    } else if folded(padded_word(tail), options).is_some() {
        1
    } else {
        5
    };
    whole + last
}

/// Ascii85 layout of `a85encode`: optional `<~ ~>` frame and line breaks
/// every `wrapcol` characters (already `max(2 if adobe else 1, wrapcol)`).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub adobe: bool,
    pub wrapcol: Option<usize>,
}

impl Layout {
    /// Total output length for `body` characters of encoding.
    pub fn len(self, body: usize) -> usize {
        let framed = body + if self.adobe { 2 } else { 0 };
        let mut len = framed + self.newlines(framed);
        if self.adobe {
            len += 2;
        }
        len
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

    /// Write `a85encode`'s output for `input` (whose encoding is `body`
    /// characters long) into `output`, `self.len(body)` long: the frame,
    /// and the line breaks as the characters are written.
    pub fn write(
        self,
        input: &[u8],
        options: Encoding,
        body: usize,
        output: &mut [MaybeUninit<u8>],
    ) {
        let framed = body + if self.adobe { 2 } else { 0 };
        let total = output.len();
        let start: &[u8] = if self.adobe { b"<~" } else { b"" };
        let mut plain = Plain::new(output);
        if let Some(width) = self.wrapcol {
            let mut lines = Lines {
                plain,
                width,
                column: 0,
            };
            lines.put(start);
            encode_into(input, A85, options, &mut lines);
            plain = lines.plain;
            if self.extra_line(framed) {
                plain.put(b"\n");
            }
        } else {
            plain.put(start);
            encode_into(input, A85, options, &mut plain);
        }
        if self.adobe {
            plain.put(b"~>");
        }
        assert_eq!(plain.written(), total, "output size");
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

/// `b85decode` (with `B85`) or `z85decode` (with `Z85`): the input is padded
/// with the alphabet's last digit to whole groups, which are cut again.
pub fn b85_decode(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    alphabet: &[u8; 85],
) -> Result<usize, B85Error> {
    /// Not a digit: the high bit, never set in a digit's value.
    const INVALID: u8 = 0x80;
    let mut values = [INVALID; 256];
    for (value, &c) in alphabet.iter().enumerate() {
        values[usize::from(c)] = value as u8;
    }
    let groups = input.chunks_exact(5);
    let tail = groups.remainder();
    let mut padded = [alphabet[84]; 5];
    padded[..tail.len()].copy_from_slice(tail);
    let last = Some((&padded[..], tail.len().saturating_sub(1))).filter(|_| !tail.is_empty());
    let mut written = 0;
    for (n, (group, keep)) in groups.map(|group| (group, 4)).chain(last).enumerate() {
        let (acc, invalid) = group.iter().fold((0u64, 0u8), |(acc, invalid), &c| {
            let value = values[usize::from(c)];
            (acc * 85 + u64::from(value & !INVALID), invalid | value)
        });
        if invalid & INVALID != 0 {
            let at = group
                .iter()
                .position(|&c| values[usize::from(c)] & INVALID != 0);
            return Err(B85Error::BadCharacter(n * 5 + at.unwrap_or(0)));
        }
        let word = u32::try_from(acc).map_err(|_| B85Error::Overflow(n * 5))?;
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
    let short = input.iter().filter(|&&c| c == b'z' || c == b'y').count();
    input.len() / 5 * 4 + 4 + short * 4
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
            put(group_word(&self.digits)?, output, written);
            self.len = 0;
        }
        Ok(())
    }
}

/// The word of 5 Ascii85 digits.
fn group_word<E>(digits: &[u8]) -> Result<[u8; 4], A85Error<E>> {
    let acc = digits
        .iter()
        .fold(0u64, |acc, &c| acc * 85 + u64::from(c - b'!'));
    Ok(u32::try_from(acc)
        .map_err(|_| A85Error::Overflow)?
        .to_be_bytes())
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
    mut fold_spaces: impl FnMut() -> Result<bool, E>,
    mut ignored: impl FnMut(u8) -> Result<bool, E>,
) -> Result<usize, A85Error<E>> {
    let is_digit = |c: &u8| (b'!'..=b'u').contains(c);
    let mut written = 0;
    let mut group = Digits::default();
    let mut folding: Option<bool> = None;
    let mut i = 0;
    while i < input.len() {
        if group.len == 0 {
            while let Some(digits) = input.get(i..i + 5).filter(|d| d.iter().all(is_digit)) {
                put(group_word(digits)?, output, &mut written);
                i += 5;
            }
            if i == input.len() {
                break;
            }
        }
        let x = input[i];
        i += 1;
        if is_digit(&x) {
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
