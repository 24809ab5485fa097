//! Process-wide settings for CPU training that must be made before any thread or plugin
//! exists, so only a binary's `main` calls [`apply`] (the `collapse` CLI does; so does the
//! candle throughput benchmark, to measure what users get). A user's own setting wins.
//!
//! - `CANDLE_BARRIER_POOL_SPIN_LIMIT=0`: candle's CPU worker pool otherwise spins 25 000
//!   rounds after every operation before it sleeps, on the core the candle backend's own
//!   matrix products and fused kernels need (2 cores: +10–40 % ResNet18 images/s).
//! - glibc malloc keeps freed memory: a training step frees and re-allocates the same large
//!   activation buffers, which glibc otherwise returns to the kernel (`mmap`/trim) and faults
//!   in again on the next step (5–8 % of a CPU step). Memory then stays at its peak, which
//!   training reaches every step anyway.

/// Applies the settings (see the module doc). Call first thing in `main`.
pub fn apply() {
    const SPIN: &str = "CANDLE_BARRIER_POOL_SPIN_LIMIT";
    if std::env::var_os(SPIN).is_none() {
        // Sound: called while the process has a single thread.
        std::env::set_var(SPIN, "0");
    }
    keep_freed_memory();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // one FFI call; the workspace otherwise denies unsafe outside the ABI
fn keep_freed_memory() {
    // The user tuned malloc through glibc's own variable: leave it alone.
    if std::env::var_os("GLIBC_TUNABLES").is_some() {
        return;
    }
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
