//! Vectors of 128-bit lanes: what the SSE4.1 and AVX2 kernels are written
//! against, so that each of them is defined once (`lane_kernels`).
//!
//! An SSE4.1 vector is one 128-bit lane and an AVX2 vector two, and AVX2's
//! byte shuffles, packs, unpacks, shifts and multiplies act within each
//! lane exactly as SSE's act on the whole vector.  A kernel written with
//! the operations of [`Lanes`] is therefore the same algorithm at either
//! width.  The few steps that cross lanes (loading or storing each lane's
//! 16 bytes at a stride, putting two vectors' lanes in order) are
//! operations of the trait too, each level doing them its own way.
//!
//! A value of a level's type ([`Sse41`], [`Avx2`]) is the proof that the
//! CPU has that level's features: its only constructor is an `unsafe fn`
//! whose caller has checked them.  That is why the operations on values
//! are safe methods, each calling intrinsics of those features; the loads
//! and stores, which also need valid memory, stay `unsafe`.
//!
//! The methods are `#[inline(always)]` without `#[target_feature]`: they
//! (and the generic kernels calling them) are inlined into the kernels'
//! `#[target_feature]` entry points, where the intrinsics are inlined in
//! turn and become single instructions.

use core::arch::x86_64::*;

/// The operations of the kernels on a vector of `LANES` 128-bit lanes.
/// Methods named after an instruction do what it does in each lane.
pub trait Lanes: Copy {
    /// The vector type.
    type V: Copy;
    /// The number of 128-bit lanes.
    const LANES: usize;
    /// The bytes in a vector.
    const BYTES: usize = 16 * Self::LANES;

    /// The bytes read by `load_lanes(_, stride)` or written by
    /// `store_lanes(_, stride, _)`, from the pointer on.
    fn lanes_span(stride: usize) -> usize {
        (Self::LANES - 1) * stride + 16
    }

    fn splat8(self, value: i8) -> Self::V;
    fn splat16(self, value: i16) -> Self::V;
    fn splat32(self, value: i32) -> Self::V;
    fn splat64(self, value: i64) -> Self::V;
    /// The same 16 bytes in every lane.
    fn rows(self, bytes: &[u8; 16]) -> Self::V;

    /// # Safety
    /// `BYTES` bytes from `at` must be readable.
    unsafe fn load(self, at: *const u8) -> Self::V;
    /// Lane k holds the 16 bytes at `at + k * stride`.
    ///
    /// # Safety
    /// `lanes_span(stride)` bytes from `at` must be readable.
    unsafe fn load_lanes(self, at: *const u8, stride: usize) -> Self::V;
    /// # Safety
    /// `BYTES` bytes from `at` must be writable.
    unsafe fn store(self, at: *mut u8, vector: Self::V);
    /// Stores lane k at `at + k * stride`, lane after lane (so a lane's
    /// bytes beyond `stride` are overwritten by the next lane's).
    ///
    /// # Safety
    /// `lanes_span(stride)` bytes from `at` must be writable.
    unsafe fn store_lanes(self, at: *mut u8, stride: usize, vector: Self::V);
    /// Stores `first`'s and `second`'s lanes alternately, `first`'s first:
    /// what each lane of `unpacklo8` and `unpackhi8` holds, in order.
    ///
    /// # Safety
    /// `2 * BYTES` bytes from `at` must be writable.
    unsafe fn store_alternate_lanes(self, at: *mut u8, first: Self::V, second: Self::V);

    fn and(self, a: Self::V, b: Self::V) -> Self::V;
    fn or(self, a: Self::V, b: Self::V) -> Self::V;
    fn add8(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub8(self, a: Self::V, b: Self::V) -> Self::V;
    fn subs_u8(self, a: Self::V, b: Self::V) -> Self::V;
    fn min_u8(self, a: Self::V, b: Self::V) -> Self::V;
    fn cmpeq8(self, a: Self::V, b: Self::V) -> Self::V;
    fn cmpgt8(self, a: Self::V, b: Self::V) -> Self::V;
    /// Each byte from `b` where `mask`'s byte has its high bit set, else
    /// from `a`.
    fn blendv8(self, a: Self::V, b: Self::V, mask: Self::V) -> Self::V;
    /// The 16-bit words of `b` where bit k of `MASK` is set (word k of
    /// each lane), else of `a`.
    fn blend16<const MASK: i32>(self, a: Self::V, b: Self::V) -> Self::V;
    /// Each lane's bytes of `table` at the indices in `indices` (0 where
    /// an index has its high bit set).
    fn shuffle8(self, table: Self::V, indices: Self::V) -> Self::V;
    fn mulhi_u16(self, a: Self::V, b: Self::V) -> Self::V;
    fn mullo16(self, a: Self::V, b: Self::V) -> Self::V;
    /// Unsigned bytes of `a` times signed bytes of `b`, pairs added.
    fn maddubs16(self, a: Self::V, b: Self::V) -> Self::V;
    /// Signed words times signed words, pairs added.
    fn madd16(self, a: Self::V, b: Self::V) -> Self::V;
    fn srli16<const SHIFT: i32>(self, a: Self::V) -> Self::V;
    fn slli16<const SHIFT: i32>(self, a: Self::V) -> Self::V;
    fn srli64<const SHIFT: i32>(self, a: Self::V) -> Self::V;
    fn slli64<const SHIFT: i32>(self, a: Self::V) -> Self::V;
    fn unpacklo8(self, a: Self::V, b: Self::V) -> Self::V;
    fn unpackhi8(self, a: Self::V, b: Self::V) -> Self::V;
    /// The words of `a`, then those of `b`, saturated to unsigned bytes,
    /// in that order across the whole vector.
    fn pack_u16(self, a: Self::V, b: Self::V) -> Self::V;
    /// Whether any byte has its high bit set.
    fn any_high(self, a: Self::V) -> bool;
    /// Whether every byte has its high bit set.
    fn all_high(self, a: Self::V) -> bool;
}

/// SSSE3 and SSE4.1: one lane.
#[derive(Clone, Copy)]
pub struct Sse41(());

impl Sse41 {
    /// # Safety
    /// The CPU must have SSSE3 and SSE4.1.
    #[inline(always)]
    pub unsafe fn new_unchecked() -> Self {
        Sse41(())
    }
}

/// AVX2: two lanes.
#[derive(Clone, Copy)]
pub struct Avx2(());

impl Avx2 {
    /// # Safety
    /// The CPU must have AVX2.
    #[inline(always)]
    pub unsafe fn new_unchecked() -> Self {
        Avx2(())
    }
}

/// The methods of one level whose body is one intrinsic call on values,
/// which is safe: `self` proves the CPU has the intrinsic's features.
macro_rules! value_operations {
    ($($name:ident($($arg:ident),*) => $intrinsic:ident;)*) => {$(
        #[inline(always)]
        fn $name(self, $($arg: Self::V),*) -> Self::V {
            // SAFETY: the level's features (a value of `Self` proves
            // them); no memory access.
            unsafe { $intrinsic($($arg),*) }
        }
    )*};
}

impl Lanes for Sse41 {
    type V = __m128i;
    const LANES: usize = 1;

    #[inline(always)]
    fn splat8(self, value: i8) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_set1_epi8(value) }
    }
    #[inline(always)]
    fn splat16(self, value: i16) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_set1_epi16(value) }
    }
    #[inline(always)]
    fn splat32(self, value: i32) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_set1_epi32(value) }
    }
    #[inline(always)]
    fn splat64(self, value: i64) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_set1_epi64x(value) }
    }
    #[inline(always)]
    fn rows(self, bytes: &[u8; 16]) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); the load reads `bytes`.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    #[inline(always)]
    unsafe fn load(self, at: *const u8) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); 16 bytes from `at` are
        // readable (the caller's contract).
        unsafe { _mm_loadu_si128(at.cast()) }
    }
    #[inline(always)]
    unsafe fn load_lanes(self, at: *const u8, _stride: usize) -> __m128i {
        // SAFETY: one lane: as `load`.
        unsafe { self.load(at) }
    }
    #[inline(always)]
    unsafe fn store(self, at: *mut u8, vector: __m128i) {
        // SAFETY: SSE2 (implied by `self`); 16 bytes from `at` are
        // writable (the caller's contract).
        unsafe { _mm_storeu_si128(at.cast(), vector) }
    }
    #[inline(always)]
    unsafe fn store_lanes(self, at: *mut u8, _stride: usize, vector: __m128i) {
        // SAFETY: one lane: as `store`.
        unsafe { self.store(at, vector) }
    }
    #[inline(always)]
    unsafe fn store_alternate_lanes(self, at: *mut u8, first: __m128i, second: __m128i) {
        // SAFETY: 32 bytes from `at` are writable (the caller's contract).
        unsafe {
            self.store(at, first);
            self.store(at.add(16), second);
        }
    }

    value_operations! {
        and(a, b) => _mm_and_si128;
        or(a, b) => _mm_or_si128;
        add8(a, b) => _mm_add_epi8;
        sub8(a, b) => _mm_sub_epi8;
        subs_u8(a, b) => _mm_subs_epu8;
        min_u8(a, b) => _mm_min_epu8;
        cmpeq8(a, b) => _mm_cmpeq_epi8;
        cmpgt8(a, b) => _mm_cmpgt_epi8;
        blendv8(a, b, mask) => _mm_blendv_epi8;
        shuffle8(table, indices) => _mm_shuffle_epi8;
        mulhi_u16(a, b) => _mm_mulhi_epu16;
        mullo16(a, b) => _mm_mullo_epi16;
        maddubs16(a, b) => _mm_maddubs_epi16;
        madd16(a, b) => _mm_madd_epi16;
        unpacklo8(a, b) => _mm_unpacklo_epi8;
        unpackhi8(a, b) => _mm_unpackhi_epi8;
        pack_u16(a, b) => _mm_packus_epi16;
    }

    #[inline(always)]
    fn blend16<const MASK: i32>(self, a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE4.1 (implied by `self`); no memory access.
        unsafe { _mm_blend_epi16::<MASK>(a, b) }
    }
    #[inline(always)]
    fn srli16<const SHIFT: i32>(self, a: __m128i) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_srli_epi16::<SHIFT>(a) }
    }
    #[inline(always)]
    fn slli16<const SHIFT: i32>(self, a: __m128i) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_slli_epi16::<SHIFT>(a) }
    }
    #[inline(always)]
    fn srli64<const SHIFT: i32>(self, a: __m128i) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_srli_epi64::<SHIFT>(a) }
    }
    #[inline(always)]
    fn slli64<const SHIFT: i32>(self, a: __m128i) -> __m128i {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_slli_epi64::<SHIFT>(a) }
    }
    #[inline(always)]
    fn any_high(self, a: __m128i) -> bool {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_movemask_epi8(a) != 0 }
    }
    #[inline(always)]
    fn all_high(self, a: __m128i) -> bool {
        // SAFETY: SSE2 (implied by `self`); no memory access.
        unsafe { _mm_movemask_epi8(a) == 0xffff }
    }
}

impl Lanes for Avx2 {
    type V = __m256i;
    const LANES: usize = 2;

    #[inline(always)]
    fn splat8(self, value: i8) -> __m256i {
        // SAFETY: AVX (implied by `self`); no memory access.
        unsafe { _mm256_set1_epi8(value) }
    }
    #[inline(always)]
    fn splat16(self, value: i16) -> __m256i {
        // SAFETY: AVX (implied by `self`); no memory access.
        unsafe { _mm256_set1_epi16(value) }
    }
    #[inline(always)]
    fn splat32(self, value: i32) -> __m256i {
        // SAFETY: AVX (implied by `self`); no memory access.
        unsafe { _mm256_set1_epi32(value) }
    }
    #[inline(always)]
    fn splat64(self, value: i64) -> __m256i {
        // SAFETY: AVX (implied by `self`); no memory access.
        unsafe { _mm256_set1_epi64x(value) }
    }
    #[inline(always)]
    fn rows(self, bytes: &[u8; 16]) -> __m256i {
        // SAFETY: AVX2 (`self`); the load reads `bytes`.
        unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(bytes.as_ptr().cast())) }
    }

    #[inline(always)]
    unsafe fn load(self, at: *const u8) -> __m256i {
        // SAFETY: AVX (implied by `self`); 32 bytes from `at` are
        // readable (the caller's contract).
        unsafe { _mm256_loadu_si256(at.cast()) }
    }
    #[inline(always)]
    unsafe fn load_lanes(self, at: *const u8, stride: usize) -> __m256i {
        // SAFETY: AVX (implied by `self`); the 16 bytes at `at` and at
        // `at + stride` are readable (the caller's contract).
        unsafe { _mm256_loadu2_m128i(at.add(stride).cast(), at.cast()) }
    }
    #[inline(always)]
    unsafe fn store(self, at: *mut u8, vector: __m256i) {
        // SAFETY: AVX (implied by `self`); 32 bytes from `at` are
        // writable (the caller's contract).
        unsafe { _mm256_storeu_si256(at.cast(), vector) }
    }
    #[inline(always)]
    unsafe fn store_lanes(self, at: *mut u8, stride: usize, vector: __m256i) {
        // SAFETY: AVX2 (`self`); the 16 bytes at `at` and at `at + stride`
        // are writable (the caller's contract).
        unsafe {
            _mm_storeu_si128(at.cast(), _mm256_castsi256_si128(vector));
            _mm_storeu_si128(at.add(stride).cast(), _mm256_extracti128_si256::<1>(vector));
        }
    }
    #[inline(always)]
    unsafe fn store_alternate_lanes(self, at: *mut u8, first: __m256i, second: __m256i) {
        // SAFETY: AVX2 (`self`); 64 bytes from `at` are writable (the
        // caller's contract).
        unsafe {
            self.store(at, _mm256_permute2x128_si256::<0x20>(first, second));
            self.store(at.add(32), _mm256_permute2x128_si256::<0x31>(first, second));
        }
    }

    value_operations! {
        and(a, b) => _mm256_and_si256;
        or(a, b) => _mm256_or_si256;
        add8(a, b) => _mm256_add_epi8;
        sub8(a, b) => _mm256_sub_epi8;
        subs_u8(a, b) => _mm256_subs_epu8;
        min_u8(a, b) => _mm256_min_epu8;
        cmpeq8(a, b) => _mm256_cmpeq_epi8;
        cmpgt8(a, b) => _mm256_cmpgt_epi8;
        blendv8(a, b, mask) => _mm256_blendv_epi8;
        shuffle8(table, indices) => _mm256_shuffle_epi8;
        mulhi_u16(a, b) => _mm256_mulhi_epu16;
        mullo16(a, b) => _mm256_mullo_epi16;
        maddubs16(a, b) => _mm256_maddubs_epi16;
        madd16(a, b) => _mm256_madd_epi16;
        unpacklo8(a, b) => _mm256_unpacklo_epi8;
        unpackhi8(a, b) => _mm256_unpackhi_epi8;
    }

    #[inline(always)]
    fn pack_u16(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.  Packing works within
        // lanes, giving the quarters a.low, b.low, a.high, b.high.
        unsafe { _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_packus_epi16(a, b)) }
    }
    #[inline(always)]
    fn blend16<const MASK: i32>(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_blend_epi16::<MASK>(a, b) }
    }
    #[inline(always)]
    fn srli16<const SHIFT: i32>(self, a: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_srli_epi16::<SHIFT>(a) }
    }
    #[inline(always)]
    fn slli16<const SHIFT: i32>(self, a: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_slli_epi16::<SHIFT>(a) }
    }
    #[inline(always)]
    fn srli64<const SHIFT: i32>(self, a: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_srli_epi64::<SHIFT>(a) }
    }
    #[inline(always)]
    fn slli64<const SHIFT: i32>(self, a: __m256i) -> __m256i {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_slli_epi64::<SHIFT>(a) }
    }
    #[inline(always)]
    fn any_high(self, a: __m256i) -> bool {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_movemask_epi8(a) != 0 }
    }
    #[inline(always)]
    fn all_high(self, a: __m256i) -> bool {
        // SAFETY: AVX2 (`self`); no memory access.
        unsafe { _mm256_movemask_epi8(a) == -1 }
    }
}
