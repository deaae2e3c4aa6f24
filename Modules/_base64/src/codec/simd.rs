//! Which vector instructions the codecs use: the widest this CPU has,
//! detected once per process.
//!
//! `_PYTHON_BASE64_SIMD=scalar|sse4.1|avx2|avx512vbmi` in the environment
//! caps the level (for tests and benchmarks of each path); a level the CPU
//! lacks is never used, whatever the environment says.  Every kernel also
//! takes its level as an argument, so tests can run each one directly.
//!
//! x86-64 has kernels for each level below.  On aarch64 the dispatch is in
//! place but no NEON kernel is written yet (none can be compiled or run on
//! the machines this was developed on), so it detects `Scalar`.

use std::sync::atomic::{AtomicU8, Ordering};

/// The environment variable that caps the level.
pub const LEVEL_VARIABLE: &str = "_PYTHON_BASE64_SIMD";

/// Instruction set levels, in increasing order of capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Portable code, no vector instructions beyond what the compiler
    /// chooses for the baseline target.
    Scalar = 1,
    /// x86-64 SSSE3 and SSE4.1: 16-byte vectors with byte shuffles.
    Sse41 = 2,
    /// x86-64 AVX2: 32-byte vectors.
    Avx2 = 3,
    /// x86-64 AVX-512 F, BW and VBMI: 64-byte vectors and byte permutes
    /// across the whole vector.
    Avx512Vbmi = 4,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Scalar, Level::Sse41, Level::Avx2, Level::Avx512Vbmi];

    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Sse41 => "sse4.1",
            Level::Avx2 => "avx2",
            Level::Avx512Vbmi => "avx512vbmi",
        }
    }

    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.name() == name)
    }

    fn from_u8(value: u8) -> Option<Level> {
        Level::ALL.into_iter().find(|&level| level as u8 == value)
    }
}

/// The widest level this CPU (and this compiler) supports.
pub fn detected() -> Level {
    static DETECTED: AtomicU8 = AtomicU8::new(0);
    cached(&DETECTED, detect)
}

/// The level the codecs use: `detected()`, capped by `LEVEL_VARIABLE`.
pub fn active() -> Level {
    static ACTIVE: AtomicU8 = AtomicU8::new(0);
    cached(&ACTIVE, || {
        let requested = std::env::var(LEVEL_VARIABLE).ok();
        let cap = requested.as_deref().and_then(Level::from_name);
        cap.map_or(detected(), |cap| cap.min(detected()))
    })
}

/// Every level this CPU supports, from `Scalar` up.
#[cfg(test)]
pub fn supported() -> impl Iterator<Item = Level> {
    Level::ALL.into_iter().filter(|&level| level <= detected())
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

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Level {
    Level::Scalar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for level in Level::ALL {
            assert_eq!(Level::from_name(level.name()), Some(level));
        }
        assert_eq!(Level::from_name("avx3"), None);
    }

    #[test]
    fn active_never_exceeds_detected() {
        assert!(active() <= detected());
        assert!(supported().any(|level| level == Level::Scalar));
        assert_eq!(supported().last(), Some(detected()));
    }
}
