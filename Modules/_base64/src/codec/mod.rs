//! The codecs, on plain slices: nothing here knows about Python, and
//! everything is tested by `cargo test`.
//!
//! Encoders write into `MaybeUninit` storage (a new `bytes` object's) and
//! fill it exactly; decoders get an upper bound and return the length they
//! wrote, or an error whose message is the one the Python code raises.

/// The dispatch of every vector kernel: runs the kernel `name` of the
/// level `level` comes to on this CPU (`level.min(simd::detected())`),
/// with a list of the levels that have one, each naming the module of its
/// kernels, or gives `none` at any other level.  The list defaults to
/// every x86-64 level.  Kernels are `unsafe fn`s whose contract is the
/// CPU features of their level, and detected() reports only a level whose
/// features it found: that is the safety argument of every call.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! dispatch {
    ($level:expr => $name:ident $args:tt else $none:expr) => {
        dispatch!($level => $name $args in {
            #[cfg(has_avx512)] Avx512Vbmi => avx512,
            Avx2 => avx2,
            Sse41 => sse41,
        } else $none)
    };
    ($level:expr => $name:ident $args:tt
     in { $($(#[$cfg:meta])* $at:ident => $module:ident),* $(,)? } else $none:expr) => {
        match $level.min($crate::codec::simd::detected()) {
            $(
                $(#[$cfg])*
                // SAFETY: detected() found the CPU features of this level,
                // the contract of its module's kernels.
                $crate::codec::simd::Level::$at => unsafe { $module::$name $args },
            )*
            #[allow(unreachable_patterns)]
            _ => $none,
        }
    };
}

/// Defines `encode_lines` in a kernel module, for `encodebytes`: each
/// whole 57-byte line is encoded by the module's `encode` and the portable
/// code (for the 9 bytes after its blocks) straight into its place in the
/// output, newline included, in one pass.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! encode_lines_kernel {
    ($features:literal) => {
        /// Encodes the whole 57-byte lines of `input` as `encodebytes`
        /// does; returns (bytes read, bytes written).
        ///
        /// # Safety
        /// The CPU must have the features of this module's kernels.
        #[target_feature(enable = $features)]
        pub unsafe fn encode_lines(input: &[u8], output: &mut [MaybeUninit<u8>]) -> (usize, usize) {
            use crate::codec::base64::{LINE_INPUT, STANDARD, encode_portable};
            const LINE_SYMBOLS: usize = LINE_INPUT / 3 * 4;
            let lines = input.chunks_exact(LINE_INPUT);
            let outputs = output.chunks_exact_mut(LINE_SYMBOLS + 1);
            let mut count = 0;
            for (line, out) in lines.zip(outputs) {
                let (symbols, newline) = out.split_at_mut(LINE_SYMBOLS);
                // SAFETY: the CPU has this module's features (the
                // caller's contract); `symbols` fits the line's encoding.
                let done = unsafe { encode(line, symbols, &STANDARD) };
                encode_portable(&line[done..], &mut symbols[done / 3 * 4..], &STANDARD);
                newline[0].write(b'\n');
                count += 1;
            }
            (count * LINE_INPUT, count * (LINE_SYMBOLS + 1))
        }
    };
}

#[cfg(target_arch = "aarch64")]
mod aarch64;
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
