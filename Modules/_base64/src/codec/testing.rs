//! Helpers for the codec tests: run a codec into a vector.

use core::mem::MaybeUninit;

/// Run an encoder into storage of `len` bytes.
pub fn encode_vec(
    input: &[u8],
    len: usize,
    encode: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]),
) -> Vec<u8> {
    let mut out = vec![MaybeUninit::new(0u8); len];
    encode(input, &mut out);
    initialized(out)
}

/// Run a decoder into storage of `bound` bytes; keep what it wrote.
pub fn decode_vec<E>(
    input: &[u8],
    bound: usize,
    decode: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]) -> Result<usize, E>,
) -> Result<Vec<u8>, E> {
    let mut out = vec![MaybeUninit::new(0u8); bound];
    let len = decode(input, &mut out)?;
    out.truncate(len);
    Ok(initialized(out))
}

fn initialized(out: Vec<MaybeUninit<u8>>) -> Vec<u8> {
    #[allow(unsafe_code)]
    // SAFETY: every element was initialized by `vec!` above.
    out.into_iter()
        .map(|byte| unsafe { byte.assume_init() })
        .collect()
}

/// `len` bytes of xorshift noise from `seed`: inputs that are not all
/// alike, the same on every run.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}
