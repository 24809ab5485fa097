//! The peak memory a session reports on the CPU: the process's high-water mark, since a
//! plugin shares its process with the host.

/// Peak resident memory of the process (Linux `VmHWM`), or 0 where unavailable.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
