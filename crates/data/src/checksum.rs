//! sha256 of the decompressed bytes, and the table of published digests
//! (`docs/datasets.md`). The decompressed bytes are what is checked because repackaged `.gz`
//! files (Debian's) carry rewritten gzip headers while the data are identical.

use crate::catalog::DatasetName;
use crate::error::{DataError, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A file whose exact content is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFile {
    /// The data set it belongs to.
    pub dataset: DatasetName,
    /// Its name inside the data set's folder, without `.gz`.
    pub name: &'static str,
    /// Length of the decompressed bytes.
    pub bytes: u64,
    /// sha256 of the decompressed bytes, lower-case hex.
    pub sha256: &'static str,
}

/// The published digests. MNIST and Fashion-MNIST are from `docs/datasets.md`; digits was
/// measured on `sklearn/datasets/data/digits.csv.gz` of the scikit-learn 1.9.1 wheel
/// (the file has not changed since the data set was added). CIFAR has no published sha256 of
/// its unpacked files: its download is verified by the tarball MD5 instead.
pub const KNOWN_FILES: &[KnownFile] = &[
    KnownFile {
        dataset: DatasetName::Mnist,
        name: "train-images-idx3-ubyte",
        bytes: 47_040_016,
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    },
    KnownFile {
        dataset: DatasetName::Mnist,
        name: "train-labels-idx1-ubyte",
        bytes: 60_008,
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    },
    KnownFile {
        dataset: DatasetName::Mnist,
        name: "t10k-images-idx3-ubyte",
        bytes: 7_840_016,
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    },
    KnownFile {
        dataset: DatasetName::Mnist,
        name: "t10k-labels-idx1-ubyte",
        bytes: 10_008,
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    KnownFile {
        dataset: DatasetName::FashionMnist,
        name: "train-images-idx3-ubyte",
        bytes: 47_040_016,
        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    },
    KnownFile {
        dataset: DatasetName::FashionMnist,
        name: "train-labels-idx1-ubyte",
        bytes: 60_008,
        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    },
    KnownFile {
        dataset: DatasetName::FashionMnist,
        name: "t10k-images-idx3-ubyte",
        bytes: 7_840_016,
        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    },
    KnownFile {
        dataset: DatasetName::FashionMnist,
        name: "t10k-labels-idx1-ubyte",
        bytes: 10_008,
        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    KnownFile {
        dataset: DatasetName::Digits,
        name: "digits.csv",
        bytes: 264_712,
        sha256: "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
    },
];

/// The known digest of `name` in `dataset`, if there is one.
pub fn known_file(dataset: DatasetName, name: &str) -> Option<&'static KnownFile> {
    KNOWN_FILES
        .iter()
        .find(|k| k.dataset == dataset && k.name == name)
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Checks `bytes` (read from `path`) against an expected hex digest.
pub fn verify_sha256(path: &Path, bytes: &[u8], expected: &str) -> Result<()> {
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(DataError::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_ascii_lowercase(),
            actual,
        })
    }
}
