//! `collapse-guard`: the checks every reader of untrusted input shares, so that a flag, a
//! config value, a file header and a plugin's config obey the same rule and give the same
//! message.
//!
//! - [`number`]: a numeric parameter is finite and in its range ([`Range`]), integers too;
//!   `parse_f64` for command-line text.
//! - [`size`]: element and byte counts of a shape by checked arithmetic (a hostile header
//!   must give an error, never an overflow or a wrapped small number).
//! - [`memory`]: the bytes a request needs against what the machine has (`MemAvailable` of
//!   `/proc/meminfo`, or `COLLAPSE_MEMORY_LIMIT`), checked before a large allocation.
//!
//! ```
//! use collapse_guard::{number, Range};
//! assert!(number::check("--grad-tol", f64::NAN, Range::POSITIVE).is_err());
//! assert_eq!(number::parse_f64("1e-6", Range::POSITIVE), Ok(1e-6));
//! ```

pub mod memory;
pub mod number;
pub mod size;

pub use memory::{check_allocation, MemoryError};
pub use number::{NumberError, Range};
