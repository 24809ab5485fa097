//! The memory a request needs against what the machine has, checked before a large
//! allocation, so that a hostile header or an oversized config gives an error with both
//! numbers instead of an abort ("memory allocation of N bytes failed") or the OOM killer.

use thiserror::Error;

/// Requests below this many bytes are not checked (reading /proc costs more than they do).
pub const CHECK_ABOVE: u64 = 64 << 20;

/// Environment variable that caps the memory the checks allow (bytes), below what the
/// machine reports: for shared machines, containers whose /proc shows the host, and tests.
pub const LIMIT_VAR: &str = "COLLAPSE_MEMORY_LIMIT";

/// A request larger than the memory available.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} needs {} but {source_name} allows {}: use a smaller input, or run on a machine with more memory", human(*.needed), human(*.available))]
pub struct MemoryError {
    /// What the memory is for (names the input).
    pub what: String,
    /// Bytes needed.
    pub needed: u64,
    /// Bytes available.
    pub available: u64,
    /// Where `available` comes from (`MemAvailable in /proc/meminfo` or the variable).
    pub source_name: String,
}

/// `12345678 bytes (11.8 MiB)`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut unit = "";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    if unit.is_empty() {
        format!("{bytes} bytes")
    } else {
        format!("{bytes} bytes ({v:.1} {unit})")
    }
}

/// `MemAvailable` of `/proc/meminfo` in bytes; `None` where there is no such file.
pub fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut words = line.split_whitespace().skip(1);
    let value: u64 = words.next()?.parse().ok()?;
    let scale = match words.next() {
        Some("kB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(scale)
}

/// What the checks allow, and where the figure comes from; `None` when nothing is known
/// (then no check refuses).
pub fn allowance() -> Option<(u64, String)> {
    let limit = std::env::var(LIMIT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    match (mem_available(), limit) {
        (Some(m), Some(l)) if l < m => Some((l, LIMIT_VAR.to_string())),
        (Some(m), _) => Some((m, "MemAvailable in /proc/meminfo".to_string())),
        (None, Some(l)) => Some((l, LIMIT_VAR.to_string())),
        (None, None) => None,
    }
}

/// Refuses a request of `needed` bytes (`None`: its size overflows u64) that the machine
/// cannot hold. `what` names the input and what the memory is for.
pub fn check_allocation(what: &str, needed: Option<u64>) -> Result<(), MemoryError> {
    let needed = needed.unwrap_or(u64::MAX);
    if needed <= CHECK_ABOVE {
        return Ok(());
    }
    match allowance() {
        Some((available, source_name)) if needed > available => Err(MemoryError {
            what: what.to_string(),
            needed,
            available,
            source_name,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_is_parsed_in_bytes() {
        let text = "MemTotal:       24000000 kB\nMemFree:  1 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(parse_meminfo(text), Some(2 << 20));
        assert_eq!(parse_meminfo("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn an_impossible_request_is_refused_with_both_numbers() {
        // 2^62 bytes exceeds every machine's memory.
        let e = check_allocation("the test array", Some(1 << 62)).unwrap_err();
        assert_eq!(e.needed, 1 << 62);
        assert!(e.available < 1 << 62);
        let text = e.to_string();
        assert!(
            text.starts_with("the test array needs 4611686018427387904 bytes (4096.0 PiB)"),
            "{text}"
        );
        assert!(text.contains(&e.available.to_string()), "{text}");
        // An overflowing size is the largest request.
        assert_eq!(check_allocation("x", None).unwrap_err().needed, u64::MAX);
        // Small requests pass without a look at /proc.
        assert!(check_allocation("x", Some(1024)).is_ok());
    }

    #[test]
    fn sizes_are_printed_with_a_unit() {
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(3 << 30), "3221225472 bytes (3.0 GiB)");
    }
}
