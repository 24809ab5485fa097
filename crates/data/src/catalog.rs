//! The data sets this crate knows: their names, splits, folder layout and class counts.

use crate::error::DataError;
use std::fmt;
use std::str::FromStr;

/// A data set this crate can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetName {
    /// MNIST handwritten digits, 28×28 grey, 60k/10k.
    Mnist,
    /// Zalando's Fashion-MNIST, same format as MNIST.
    FashionMnist,
    /// CIFAR-10, binary version, 32×32 RGB, 50k/10k.
    Cifar10,
    /// CIFAR-100, binary version, fine labels (100 classes).
    Cifar100,
    /// scikit-learn's 8×8 digits (1797 examples, no official split).
    Digits,
}

/// Which part of a data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training split.
    Train,
    /// The test split.
    Test,
}

impl DatasetName {
    /// Every known data set, in registry-name order.
    pub const ALL: [DatasetName; 5] = [
        DatasetName::Mnist,
        DatasetName::FashionMnist,
        DatasetName::Cifar10,
        DatasetName::Cifar100,
        DatasetName::Digits,
    ];

    /// The name used on the command line and in file layouts.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetName::Mnist => "mnist",
            DatasetName::FashionMnist => "fashion-mnist",
            DatasetName::Cifar10 => "cifar10",
            DatasetName::Cifar100 => "cifar100",
            DatasetName::Digits => "digits",
        }
    }

    /// The folder under the data directory that holds the files. For CIFAR it is the folder
    /// that the official tarball unpacks to, so unpacking in the data directory is enough.
    pub fn folder(self) -> &'static str {
        match self {
            DatasetName::Mnist => "mnist",
            DatasetName::FashionMnist => "fashion-mnist",
            DatasetName::Cifar10 => "cifar-10-batches-bin",
            DatasetName::Cifar100 => "cifar-100-binary",
            DatasetName::Digits => "digits",
        }
    }

    /// Number of classes K.
    pub fn classes(self) -> usize {
        match self {
            DatasetName::Cifar100 => 100,
            _ => 10,
        }
    }

    /// The files (names inside [`folder`](Self::folder), without `.gz`) that make up a split.
    /// IDX data sets list images then labels. Digits has no official split: both splits name
    /// the one file, and [`crate::load_raw`] refuses the test split.
    pub fn files(self, split: Split) -> &'static [&'static str] {
        use DatasetName::*;
        use Split::*;
        match (self, split) {
            (Mnist | FashionMnist, Train) => {
                &["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
            }
            (Mnist | FashionMnist, Test) => &["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
            (Cifar10, Train) => &[
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
            ],
            (Cifar10, Test) => &["test_batch.bin"],
            (Cifar100, Train) => &["train.bin"],
            (Cifar100, Test) => &["test.bin"],
            (Digits, _) => &["digits.csv"],
        }
    }
}

impl fmt::Display for DatasetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DatasetName {
    type Err = DataError;

    /// Accepts the registry names and a few common spellings (`fashion`, `cifar-10`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "mnist" => Ok(DatasetName::Mnist),
            "fashion-mnist" | "fashion" | "fashionmnist" => Ok(DatasetName::FashionMnist),
            "cifar10" | "cifar-10" => Ok(DatasetName::Cifar10),
            "cifar100" | "cifar-100" => Ok(DatasetName::Cifar100),
            "digits" | "sklearn-digits" => Ok(DatasetName::Digits),
            _ => Err(DataError::UnknownDataset(s.to_string())),
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
        })
    }
}
