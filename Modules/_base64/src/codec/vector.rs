//! The vector kernels of the target architecture (see `x86` and
//! `aarch64`), or, where there are none, kernels that do nothing and leave
//! all the work to the portable code.

#[cfg(target_arch = "aarch64")]
pub use super::aarch64::{
    base16_decode, base16_encode, base64_decode, base64_encode, base64_encode_lines,
};
#[cfg(target_arch = "x86_64")]
pub use super::x86::{
    base16_decode, base16_encode, base32_decode, base32_encode, base64_decode, base64_decode_lines,
    base64_encode, base64_encode_lines, base85_decode, base85_encode,
};
#[cfg(not(target_arch = "x86_64"))]
pub use x86_only::{
    base32_decode, base32_encode, base64_decode_lines, base85_decode, base85_encode,
};

/// Base32, base85 and line-broken base64 decoding have kernels on x86-64
/// only.
#[cfg(not(target_arch = "x86_64"))]
mod x86_only {
    use core::mem::MaybeUninit;

    use crate::codec::simd::Level;

    pub fn base32_encode(_: Level, _: &[u8], _: &mut [MaybeUninit<u8>], _: &[u8; 32]) -> usize {
        0
    }

    pub fn base32_decode(
        _: Level,
        _: &[u8],
        _: &mut [MaybeUninit<u8>],
        _: &[u8; 256],
    ) -> (usize, usize) {
        (0, 0)
    }

    pub fn base85_encode(
        _: Level,
        _: &[u8],
        _: &mut [u8],
        _: &[u8; 85],
        _: bool,
        _: bool,
    ) -> usize {
        0
    }

    pub fn base85_decode(
        _: Level,
        _: &[u8],
        _: &mut [MaybeUninit<u8>],
        _: &[u8; 256],
    ) -> (usize, usize) {
        (0, 0)
    }

    pub fn base64_decode_lines(
        _: Level,
        _: &[u8],
        _: &mut [MaybeUninit<u8>],
        _: &crate::codec::base64::DecodeTable,
        _: usize,
    ) -> (usize, usize) {
        (0, 0)
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod none {
    use core::mem::MaybeUninit;

    use crate::codec::base64::DecodeTable;
    use crate::codec::simd::Level;

    pub fn base64_encode(_: Level, _: &[u8], _: &mut [MaybeUninit<u8>], _: &[u8; 64]) -> usize {
        0
    }

    pub fn base64_encode_lines(_: Level, _: &[u8], _: &mut [MaybeUninit<u8>]) -> (usize, usize) {
        (0, 0)
    }

    pub fn base16_encode(_: Level, _: &[u8], _: &mut [MaybeUninit<u8>]) -> usize {
        0
    }

    pub fn base16_decode(_: Level, _: &[u8], _: &mut [MaybeUninit<u8>], _: bool) -> (usize, usize) {
        (0, 0)
    }

    pub fn base64_decode(
        _: Level,
        _: &[u8],
        _: &mut [MaybeUninit<u8>],
        _: &DecodeTable,
    ) -> (usize, usize) {
        (0, 0)
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub use none::{base16_decode, base16_encode, base64_decode, base64_encode, base64_encode_lines};
