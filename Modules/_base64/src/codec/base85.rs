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

fn groups(input: &[u8]) -> impl Iterator<Item = u32> + '_ {
    input.chunks(4).map(|group| {
        let mut word = [0u8; 4];
        word[..group.len()].copy_from_slice(group);
        u32::from_be_bytes(word)
    })
}

/// The characters of one group and how many of them are used (1 when
/// folded to `z` or `y`).
fn group(word: u32, alphabet: &[u8; 85], options: Encoding) -> ([u8; 5], usize) {
    if options.fold_nuls && word == 0 {
        return ([b'z'; 5], 1);
    }
    if options.fold_spaces && word == 0x2020_2020 {
        return ([b'y'; 5], 1);
    }
    let mut digits = [0u8; 5];
    let mut rest = word;
    for digit in digits.iter_mut().rev() {
        *digit = alphabet[(rest % 85) as usize];
        rest /= 85;
    }
    (digits, 5)
}

/// The characters of the encoding, in order (before any line wrapping).
pub fn encode_chars<'a>(
    input: &'a [u8],
    alphabet: &'a [u8; 85],
    options: Encoding,
) -> impl Iterator<Item = u8> + 'a {
    let padding = (4 - input.len() % 4) % 4;
    let last = input.len().div_ceil(4).saturating_sub(1);
    groups(input).enumerate().flat_map(move |(index, word)| {
        let (mut chars, mut len) = group(word, alphabet, options);
        if index == last && padding > 0 && !options.pad {
            if len == 1 {
                // A folded last group is written out in full, then cut,
                // like `chars[0] * 5` in the Python code.
                chars = [alphabet[0]; 5];
            }
            len = 5 - padding;
        }
        chars.into_iter().take(len)
    })
}

/// Length of the encoding of `input`.
pub fn encoded_len(input: &[u8], options: Encoding) -> usize {
    let padding = (4 - input.len() % 4) % 4;
    let lens = groups(input).map(|word| group(word, A85, options).1);
    let full: usize = lens.sum();
    if padding > 0 && !options.pad {
        // The last group (a zero-padded word) keeps 5 - padding characters.
        let last_word = groups(&input[input.len() / 4 * 4..]).next().unwrap_or(1);
        full - group(last_word, A85, options).1 + (5 - padding)
    } else {
        full
    }
}

/// Write `chars` into `output` (exactly as long as what is written).
pub fn write_all(chars: impl Iterator<Item = u8>, output: &mut [MaybeUninit<u8>]) -> usize {
    let mut written = 0;
    for (slot, c) in output.iter_mut().zip(chars) {
        slot.write(c);
        written += 1;
    }
    written
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

    /// Write the framed, wrapped encoding; `output` is `self.len(body)` long.
    pub fn write(
        self,
        body: impl Iterator<Item = u8>,
        body_len: usize,
        output: &mut [MaybeUninit<u8>],
    ) {
        let framed = body_len + if self.adobe { 2 } else { 0 };
        let start: &[u8] = if self.adobe { b"<~" } else { b"" };
        let mut at = 0;
        let mut put = |c: u8| {
            output[at].write(c);
            at += 1;
        };
        for (i, c) in start.iter().copied().chain(body).enumerate() {
            if let Some(width) = self.wrapcol {
                if i > 0 && i % width == 0 {
                    put(b'\n');
                }
            }
            put(c);
        }
        if self.extra_line(framed) {
            put(b'\n');
        }
        if self.adobe {
            put(b'~');
            put(b'>');
        }
        assert_eq!(at, output.len(), "output size");
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
    let mut values = [0xffu8; 256];
    for (value, &c) in alphabet.iter().enumerate() {
        values[usize::from(c)] = value as u8;
    }
    let padding = (5 - input.len() % 5) % 5;
    let mut written = 0;
    for (n, chunk) in input.chunks(5).enumerate() {
        let start = n * 5;
        let mut acc: u64 = 0;
        for k in 0..5 {
            let value = match chunk.get(k) {
                Some(&c) => values[usize::from(c)],
                None => 84,
            };
            if value == 0xff {
                return Err(B85Error::BadCharacter(start + k));
            }
            acc = acc * 85 + u64::from(value);
        }
        let word = u32::try_from(acc).map_err(|_| B85Error::Overflow(start))?;
        let keep = if start + 5 > input.len() {
            4 - padding
        } else {
            4
        };
        for (slot, &byte) in output[written..]
            .iter_mut()
            .zip(&word.to_be_bytes()[..keep])
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

/// `a85decode`'s loop over `input` (frame already removed).
/// `fold_spaces` is asked (once) the first time its answer matters;
/// `ignored` says whether a byte is in `ignorechars`.
pub fn a85_decode<E>(
    input: &[u8],
    output: &mut [MaybeUninit<u8>],
    mut fold_spaces: impl FnMut() -> Result<bool, E>,
    mut ignored: impl FnMut(u8) -> Result<bool, E>,
) -> Result<usize, A85Error<E>> {
    let mut written = 0;
    let mut put = |bytes: [u8; 4], keep: usize, written: &mut usize| {
        for (slot, &byte) in output[*written..].iter_mut().zip(&bytes[..keep]) {
            slot.write(byte);
        }
        *written += keep;
    };
    let mut group = [0u8; 5];
    let mut len = 0;
    let mut folding: Option<bool> = None;
    for &x in input.iter().chain(b"uuuu") {
        if (b'!'..=b'u').contains(&x) {
            group[len] = x;
            len += 1;
            if len == 5 {
                let acc = group
                    .iter()
                    .fold(0u64, |acc, &c| acc * 85 + u64::from(c - b'!'));
                let word = u32::try_from(acc).map_err(|_| A85Error::Overflow)?;
                put(word.to_be_bytes(), 4, &mut written);
                len = 0;
            }
        } else if x == b'z' {
            if len > 0 {
                return Err(A85Error::ZInsideGroup);
            }
            put([0; 4], 4, &mut written);
        } else {
            // Python evaluates `foldspaces` here, before looking at x.
            let fold = match folding {
                Some(fold) => fold,
                None => *folding.insert(fold_spaces().map_err(A85Error::Callback)?),
            };
            if fold && x == b'y' {
                if len > 0 {
                    return Err(A85Error::YInsideGroup);
                }
                put([b' '; 4], 4, &mut written);
            } else if !ignored(x).map_err(A85Error::Callback)? {
                return Err(A85Error::NonDigit(x));
            }
        }
    }
    // The 4 added `u`s complete the last group; `4 - len` bytes of them
    // are thrown away again.
    Ok(written - (4 - len))
}
