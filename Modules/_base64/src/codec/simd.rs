//! Which vector instructions the codecs use: the widest this CPU has,
//! detected once per process.
//!
//! `_PYTHON_BASE64_SIMD=scalar|sse4.1|avx2|avx512vbmi` (x86-64) or
//! `scalar|neon` (aarch64) in the environment caps the level (for tests
//! and benchmarks of each path); a level the CPU lacks is never used,
//! whatever the environment says, and a name this architecture does not
//! have is ignored.  The module reads the variable from `os.environ` when
//! it is first imported, attached to the interpreter (the C library's
//! `getenv` is not safe while other threads change the environment), and
//! passes it to [`set_active`].  Every kernel also takes its level as an argument, so
//! tests can run each one directly.
//!
//! x86-64 and aarch64 have kernels for each of their levels; on other
//! architectures the only level is `Scalar`.

use std::sync::atomic::{AtomicU8, Ordering};

/// The environment variable that caps the level.
pub const LEVEL_VARIABLE: &core::ffi::CStr = c"_PYTHON_BASE64_SIMD";

/// Instruction set levels of this architecture, in increasing order of
/// capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Portable code, no vector instructions beyond what the compiler
    /// chooses for the baseline target.
    Scalar = 1,
    /// x86-64 SSSE3 and SSE4.1: 16-byte vectors with byte shuffles.
    #[cfg(target_arch = "x86_64")]
    Sse41 = 2,
    /// x86-64 AVX2: 32-byte vectors.
    #[cfg(target_arch = "x86_64")]
    Avx2 = 3,
    /// x86-64 AVX-512 F, BW and VBMI: 64-byte vectors and byte permutes
    /// across the whole vector.
    #[cfg(target_arch = "x86_64")]
    Avx512Vbmi = 4,
    /// aarch64 Advanced SIMD: 16-byte vectors, table lookups over up to
    /// 64 bytes, and (de)interleaving loads and stores.
    #[cfg(target_arch = "aarch64")]
    Neon = 2,
}

impl Level {
    #[cfg(target_arch = "x86_64")]
    pub const ALL: &[Level] = &[Level::Scalar, Level::Sse41, Level::Avx2, Level::Avx512Vbmi];
    #[cfg(target_arch = "aarch64")]
    pub const ALL: &[Level] = &[Level::Scalar, Level::Neon];
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    pub const ALL: &[Level] = &[Level::Scalar];

    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Level::Sse41 => "sse4.1",
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Level::Avx512Vbmi => "avx512vbmi",
            #[cfg(target_arch = "aarch64")]
            Level::Neon => "neon",
        }
    }

    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL
            .iter()
            .copied()
            .find(|level| level.name() == name)
    }

    fn from_u8(value: u8) -> Option<Level> {
        Level::ALL
            .iter()
            .copied()
            .find(|&level| level as u8 == value)
    }
}

/// The widest level this CPU (and this compiler) supports.
pub fn detected() -> Level {
    static DETECTED: AtomicU8 = AtomicU8::new(0);
    cached(&DETECTED, detect)
}

static ACTIVE: AtomicU8 = AtomicU8::new(0);

/// The level the codecs use: the one [`set_active`] chose, or
/// `detected()` before it ran (in `cargo test`).
pub fn active() -> Level {
    Level::from_u8(ACTIVE.load(Ordering::Relaxed)).unwrap_or_else(detected)
}

/// Choose the level from the value of `LEVEL_VARIABLE` (`None` if unset);
/// the first choice in the process stays, as the environment is read at
/// the first import only.
pub fn set_active(requested: Option<&str>) {
    let level = capped(requested, detected());
    // A later import keeps the first choice, so the kernels in use never
    // change under running calls.
    let _ = ACTIVE.compare_exchange(0, level as u8, Ordering::Relaxed, Ordering::Relaxed);
}

/// `detected`, capped by the level `requested` names, if it names one.
fn capped(requested: Option<&str>, detected: Level) -> Level {
    requested
        .and_then(Level::from_name)
        .map_or(detected, |cap| cap.min(detected))
}

/// Every level this CPU supports, from `Scalar` up.
#[cfg(test)]
pub fn supported() -> impl Iterator<Item = Level> {
    Level::ALL
        .iter()
        .copied()
        .filter(|&level| level <= detected())
}

/// The value `slot` caches, computed by `compute` the first time (threads
/// racing there compute the same value).
fn cached(slot: &AtomicU8, compute: impl FnOnce() -> Level) -> Level {
    if let Some(level) = Level::from_u8(slot.load(Ordering::Relaxed)) {
        return level;
    }
    let level = compute();
    slot.store(level as u8, Ordering::Relaxed);
    level
}

/// Each level's features include the lower levels' (a kernel may be used
/// at any level above its own).
#[cfg(target_arch = "x86_64")]
fn detect() -> Level {
    use std::is_x86_feature_detected as has;
    if !(has!("ssse3") && has!("sse4.1")) {
        return Level::Scalar;
    }
    if !has!("avx2") {
        return Level::Sse41;
    }
    #[cfg(has_avx512)]
    if has!("avx512f") && has!("avx512bw") && has!("avx512vbmi") {
        return Level::Avx512Vbmi;
    }
    Level::Avx2
}

/// Advanced SIMD is part of every aarch64 target Rust has; the check
/// keeps the kernels' contract explicit all the same.
#[cfg(target_arch = "aarch64")]
fn detect() -> Level {
    if std::arch::is_aarch64_feature_detected!("neon") {
        Level::Neon
    } else {
        Level::Scalar
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn detect() -> Level {
    Level::Scalar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &level in Level::ALL {
            assert_eq!(Level::from_name(level.name()), Some(level));
        }
        assert_eq!(Level::from_name("avx3"), None);
    }

    /// Advanced SIMD is mandatory on aarch64: the NEON kernels are what
    /// the codecs use there, and what the level tests compare.
    #[cfg(target_arch = "aarch64")]
    #[test]
    fn aarch64_has_neon() {
        assert_eq!(detected(), Level::Neon);
    }

    #[test]
    fn a_request_caps_the_level_but_never_raises_it() {
        let top = *Level::ALL.last().unwrap();
        for &cpu in Level::ALL {
            assert_eq!(capped(None, cpu), cpu);
            assert_eq!(capped(Some("no-such-level"), cpu), cpu);
            assert_eq!(capped(Some("scalar"), cpu), Level::Scalar);
            assert_eq!(capped(Some(top.name()), cpu), cpu);
            for &request in Level::ALL {
                assert_eq!(capped(Some(request.name()), cpu), request.min(cpu));
            }
        }
    }
}
