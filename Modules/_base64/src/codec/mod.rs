//! The codecs, on plain slices: nothing here knows about Python, and
//! everything is tested by `cargo test`.
//!
//! Encoders write into `MaybeUninit` storage (a new `bytes` object's) and
//! fill it exactly; decoders get an upper bound and return the length they
//! wrote, or an error whose message is the one the Python code raises.

pub mod base16;
pub mod base32;
pub mod base64;
pub mod base85;
pub mod simd;
mod vector;
#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
pub mod testing;
