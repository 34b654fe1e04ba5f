//! A hint to the processor: fetch the cache line holding a value before it is read. Used where a
//! loop knows which memory its next step reads and the hardware cannot guess it (the binomial
//! tables of the next member in a Monte-Carlo block). Only a hint: nothing is read, on other
//! architectures it does nothing.

/// Start fetching the cache line holding `value` into every cache level.
#[inline]
#[allow(unsafe_code)]
pub fn read<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 (SSE, part of every x86-64 processor) is a hint that never faults and
    // reads nothing into the program; the pointer comes from a live reference besides.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (value as *const T).cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
