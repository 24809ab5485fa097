//! The one error type of this crate. Every variant names the file (or data set) it is about
//! and, where there is one, the fix.

use std::path::PathBuf;

/// Why a data set could not be read, verified, transformed or installed.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file is not there (neither raw nor `.gz`).
    #[error("{}: not found (also looked for `.gz`); fetch it with `cargo xtask data --dataset {dataset}` or pass the folder that holds it", path.display())]
    Missing {
        /// The path looked for (without `.gz`).
        path: PathBuf,
        /// The data set's registry name, for the fix.
        dataset: String,
    },
    /// An operating-system error while reading or writing.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The gzip stream is cut short or damaged.
    #[error("{}: damaged or truncated gzip stream ({source}); delete it and fetch it again", path.display())]
    Gzip {
        /// The compressed file.
        path: PathBuf,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// Fewer bytes than the header (or the record size) promises.
    #[error("{}: truncated: {what} needs {expected} bytes but the (decompressed) file has {actual}; delete it and fetch it again", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What was being read (header, records).
        what: String,
        /// Bytes required.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// More bytes than the header promises: not the file it claims to be.
    #[error("{}: {actual} bytes but the header describes {expected}; the file is not a valid {what}", path.display())]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// What the file should be.
        what: String,
        /// Bytes the header describes.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// The (decompressed) content is longer than its header or its format allows: refused
    /// before the excess is decompressed (a gzip bomb, or a damaged header).
    #[error("{}: the (decompressed) content exceeds {limit} bytes ({what}); the file is damaged or not what it claims to be: delete it and fetch it again", path.display())]
    Oversized {
        /// The file.
        path: PathBuf,
        /// Where the bound comes from.
        what: String,
        /// Bytes allowed.
        limit: u64,
    },
    /// The content would need more memory than the machine has.
    #[error(transparent)]
    Memory {
        /// Both numbers.
        #[from]
        source: collapse_guard::MemoryError,
    },
    /// The IDX magic number is not the expected one.
    #[error("{}: wrong magic number {found:#010x}, expected {expected:#010x} ({what}); is this the right file?", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// What the file should be.
        what: String,
        /// Expected magic.
        expected: u32,
        /// Magic found.
        found: u32,
    },
    /// An IDX image file with the wrong image size for its data set.
    #[error("{}: images are {found_h}x{found_w}, expected {expected_h}x{expected_w}", path.display())]
    BadShape {
        /// The file.
        path: PathBuf,
        /// Expected height.
        expected_h: usize,
        /// Expected width.
        expected_w: usize,
        /// Height in the header.
        found_h: usize,
        /// Width in the header.
        found_w: usize,
    },
    /// The image and label files disagree on the number of examples.
    #[error("{} has {images} images but {} has {labels} labels; the two files belong to different splits or one is damaged", images_path.display(), labels_path.display())]
    CountMismatch {
        /// The image file.
        images_path: PathBuf,
        /// Number of images.
        images: usize,
        /// The label file.
        labels_path: PathBuf,
        /// Number of labels.
        labels: usize,
    },
    /// The sha256 of the (decompressed) bytes is not the published one.
    #[error("{}: sha256 mismatch: expected {expected}, got {actual}; the file is damaged or a different version — delete it and fetch it again", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
        /// Expected digest (hex).
        expected: String,
        /// Digest of the bytes read (hex).
        actual: String,
    },
    /// A label is not below the number of classes.
    #[error("{source_name}: label {label} at example {index} is not below the number of classes K = {classes}")]
    LabelOutOfRange {
        /// The file or data set holding the label.
        source_name: String,
        /// Example index.
        index: usize,
        /// The label.
        label: usize,
        /// Number of classes.
        classes: usize,
    },
    /// A CSV line that does not parse.
    #[error("{}: line {line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A buffer whose length does not match the shape it is given with.
    #[error("{context}: {message}")]
    Shape {
        /// The operation or data set.
        context: String,
        /// What is inconsistent.
        message: String,
    },
    /// `subset_per_class(m)` asked for more examples than a class has.
    #[error("{source_name}: --subset-per-class {wanted} asks for more examples than class {class} has ({available}); use m <= {available}")]
    SubsetTooLarge {
        /// The data set.
        source_name: String,
        /// The class short of examples.
        class: usize,
        /// Its number of examples.
        available: usize,
        /// The m asked for.
        wanted: usize,
    },
    /// An unknown data-set name.
    #[error("unknown data set `{0}`; known: mnist, fashion-mnist, cifar10, cifar100, digits")]
    UnknownDataset(String),
    /// A request that makes no sense for this data set or these arguments.
    #[error("{0}")]
    Invalid(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, DataError>;

impl DataError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}
