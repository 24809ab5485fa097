//! Data sets for the neural-collapse experiments: readers for MNIST and Fashion-MNIST (IDX,
//! raw or gzip), CIFAR-10/100 (binary version) and scikit-learn's digits (CSV), sha256
//! verification of the decompressed bytes, and the paper's input transforms (grey → 3×32×32
//! by Pillow-exact bilinear resize, per-data-set normalisation, the value crop padding takes),
//! per-class subsets and balanced random labels.
//!
//! Layout of a data folder (what `cargo xtask data` writes): `mnist/`, `fashion-mnist/`
//! (IDX files, `.gz` or raw), `digits/digits.csv.gz`, and the folders the official CIFAR
//! tarballs unpack to, `cifar-10-batches-bin/` and `cifar-100-binary/`.
//!
//! ```no_run
//! use collapse_data::{load, DatasetName, Split};
//! let train = load(DatasetName::Mnist, "data".as_ref(), Split::Train)?;
//! assert_eq!(train.shape(), (3, 32, 32));
//! let small = train.subset_per_class(100)?;
//! # Ok::<(), collapse_data::DataError>(())
//! ```

pub mod catalog;
pub mod checksum;
pub mod cifar;
pub mod dataset;
pub mod digits;
pub mod error;
pub mod idx;
pub mod install;
pub mod normalize;
pub mod random_labels;
pub mod raw;
pub mod resize;
pub mod source;
pub mod subset;

pub use catalog::{DatasetName, Split};
pub use checksum::{known_file, sha256_hex, KnownFile, KNOWN_FILES};
pub use cifar::{Cifar100Label, CifarFormat};
pub use dataset::{load, Dataset, Transform};
pub use error::{DataError, Result};
pub use install::{install_known_file, write_atomic};
pub use normalize::Normalization;
pub use random_labels::balanced_random_labels;
pub use raw::{load_raw, RawImages};
pub use resize::BilinearResize;
pub use subset::{class_counts, first_per_class};
