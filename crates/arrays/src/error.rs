//! The one error type of the arrays crate: each message names the file and the fix.

use std::path::PathBuf;
use thiserror::Error;

/// Errors raised while opening or reading an array file.
#[derive(Debug, Error)]
pub enum ArrayError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a well-formed .npy or safetensors file.
    #[error("{} is not a valid {format} file: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// "npy" or "safetensors".
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The file's extension is neither `.npy` nor `.safetensors`.
    #[error("{}: unknown array format, expected a .npy or .safetensors file", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The element type is not one this reader supports for this input.
    #[error("{}: unsupported element type {dtype} for {what}: {fix}", path.display())]
    UnsupportedDtype {
        /// The file.
        path: PathBuf,
        /// The dtype found, as the file spells it.
        dtype: String,
        /// Which input.
        what: String,
        /// What to do instead.
        fix: String,
    },
    /// A .npy array stored in Fortran (column-major) order.
    #[error("{}: the array is stored in Fortran order; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))", path.display())]
    FortranOrder {
        /// The file.
        path: PathBuf,
    },
    /// The array has the wrong number of dimensions.
    #[error("{}: expected {expected}, got shape {shape:?}", path.display())]
    Rank {
        /// The file.
        path: PathBuf,
        /// What was expected.
        expected: String,
        /// Shape found.
        shape: Vec<usize>,
    },
    /// A safetensors file whose tensor to use is ambiguous or missing.
    #[error("{}: {reason}; tensors in the file: {available} (select one with PATH:NAME)", path.display())]
    Tensor {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
        /// Names, shapes and dtypes of the tensors present.
        available: String,
    },
    /// The file ended before the bytes its header announces.
    #[error("{}: truncated: the header announces at least {expected} bytes but the file has {actual}", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces (at least).
        expected: u64,
        /// Bytes the file has.
        actual: u64,
    },
    /// Reading the array whole needs more memory than the machine has.
    #[error("{}: {source}", path.display())]
    Memory {
        /// The file.
        path: PathBuf,
        /// Both numbers.
        #[source]
        source: collapse_guard::MemoryError,
    },
    /// The arrays of a POINT file do not make a UFM point.
    #[error("{}: {reason}", path.display())]
    Point {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A label that cannot be a class index.
    #[error("{}: label at position {index} is {value}; labels must be non-negative integers", path.display())]
    NegativeLabel {
        /// The file.
        path: PathBuf,
        /// Position of the label.
        index: u64,
        /// The value found.
        value: i64,
    },
}

/// Result alias of the arrays crate.
pub type Result<T, E = ArrayError> = std::result::Result<T, E>;
