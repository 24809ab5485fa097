//! Images as stored: 8-bit pixels N×C×H×W with their labels, read and verified from a data
//! folder. The paper's transforms start from these bytes (Pillow works on 8-bit images).

use crate::catalog::{DatasetName, Split};
use crate::checksum::{known_file, sha256_hex};
use crate::cifar::{self, Cifar100Label, CifarFormat};
use crate::digits;
use crate::error::{DataError, Result};
use crate::idx;
use crate::source::{locate, read_decompressed};
use crate::subset::{class_counts, first_per_class, select_rows};
use std::path::{Path, PathBuf};

/// 8-bit images N×C×H×W (row-major) with labels in `0..classes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawImages {
    pub(crate) source: String,
    pub(crate) pixels: Vec<u8>,
    pub(crate) labels: Vec<usize>,
    pub(crate) classes: usize,
    pub(crate) shape: (usize, usize, usize),
    pub(crate) max_value: u8,
}

impl RawImages {
    /// Checks and wraps pixels (`labels.len() × C×H×W`) and labels. `max_value` is the value of
    /// full intensity (255 for images, 16 for digits); `source` names the data in errors.
    pub fn new(
        source: impl Into<String>,
        pixels: Vec<u8>,
        labels: Vec<usize>,
        classes: usize,
        shape: (usize, usize, usize),
        max_value: u8,
    ) -> Result<Self> {
        let source = source.into();
        let (c, h, w) = shape;
        if pixels.len() != labels.len() * c * h * w {
            return Err(DataError::Shape {
                context: source,
                message: format!(
                    "{} pixel bytes for {} labels of shape {c}×{h}×{w}",
                    pixels.len(),
                    labels.len()
                ),
            });
        }
        check_labels(&source, &labels, classes)?;
        if max_value == 0 {
            return Err(DataError::Invalid(format!(
                "{source}: max_value must be > 0"
            )));
        }
        Ok(RawImages {
            source,
            pixels,
            labels,
            classes,
            shape,
            max_value,
        })
    }

    /// What the data are (data set, split, folder), for messages.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The pixels, N×C×H×W.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
    /// The labels.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }
    /// Number of classes K.
    pub fn classes(&self) -> usize {
        self.classes
    }
    /// (channels, height, width).
    pub fn shape(&self) -> (usize, usize, usize) {
        self.shape
    }
    /// The pixel value of full intensity.
    pub fn max_value(&self) -> u8 {
        self.max_value
    }
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Examples per class.
    pub fn class_counts(&self) -> Vec<usize> {
        class_counts(&self.labels, self.classes)
    }
    /// The pixels of example `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.shape.0 * self.shape.1 * self.shape.2;
        &self.pixels[i * n..(i + 1) * n]
    }

    /// The examples `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> RawImages {
        let (c, h, w) = self.shape;
        RawImages {
            source: self.source.clone(),
            pixels: select_rows(&self.pixels, c * h * w, indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
            shape: self.shape,
            max_value: self.max_value,
        }
    }

    /// The first `m` examples of each class (`--subset-per-class m`).
    pub fn subset_per_class(&self, m: usize) -> Result<RawImages> {
        let idx = first_per_class(&self.labels, self.classes, m, &self.source)?;
        Ok(self.select(&idx))
    }
}

/// Fails on the first label not below `classes`.
pub(crate) fn check_labels(source: &str, labels: &[usize], classes: usize) -> Result<()> {
    match labels.iter().position(|&y| y >= classes) {
        None => Ok(()),
        Some(index) => Err(DataError::LabelOutOfRange {
            source_name: source.to_string(),
            index,
            label: labels[index],
            classes,
        }),
    }
}

/// A sha256 comparison made after the structural and semantic checks, so that a truncated
/// file, a wrong magic, a count mismatch or a bad label is reported as such rather than as a
/// checksum mismatch.
struct PendingChecksum {
    path: PathBuf,
    expected: Option<&'static str>,
    actual: String,
}

impl PendingChecksum {
    fn verify(self) -> Result<()> {
        match self.expected {
            Some(expected) if expected != self.actual => Err(DataError::Checksum {
                path: self.path,
                expected: expected.to_string(),
                actual: self.actual,
            }),
            _ => Ok(()),
        }
    }
}

/// Reads and parses `folder/name` (raw or `.gz`), returning its path, the parsed content and
/// the checksum to verify once the caller's checks pass.
fn read_parsed<T>(
    dataset: DatasetName,
    folder: &Path,
    name: &str,
    read: impl FnOnce(&Path) -> Result<Vec<u8>>,
    parse: impl FnOnce(&Path, Vec<u8>) -> Result<T>,
) -> Result<(T, PendingChecksum)> {
    let path = locate(folder, name, dataset.as_str())?;
    let bytes = read(&path)?;
    let expected = known_file(dataset, name).map(|k| k.sha256);
    let actual = if expected.is_some() {
        sha256_hex(&bytes)
    } else {
        String::new()
    };
    let parsed = parse(&path, bytes)?;
    Ok((
        parsed,
        PendingChecksum {
            path,
            expected,
            actual,
        },
    ))
}

/// Reads a split of a data set from `dir/<folder>` (see [`DatasetName::folder`]), verifying
/// every file: structure, sha256 where published, counts and label range.
pub fn load_raw(name: DatasetName, dir: &Path, split: Split) -> Result<RawImages> {
    let folder = dir.join(name.folder());
    let source = format!("{name} {split} ({})", folder.display());
    match name {
        DatasetName::Mnist | DatasetName::FashionMnist => load_idx(name, &folder, split, source),
        DatasetName::Cifar10 => load_cifar(name, &folder, split, CifarFormat::Cifar10, source),
        DatasetName::Cifar100 => load_cifar(
            name,
            &folder,
            split,
            CifarFormat::Cifar100(Cifar100Label::Fine),
            source,
        ),
        DatasetName::Digits => {
            if split == Split::Test {
                return Err(DataError::Invalid(
                    "digits has no test split (scikit-learn ships one file of 1797 examples); \
                     load the train split and hold out a subset"
                        .to_string(),
                ));
            }
            let ((pixels, labels), checksum) =
                read_parsed(name, &folder, "digits.csv", read_decompressed, |p, b| {
                    digits::parse_csv(p, &b)
                })?;
            checksum.verify()?;
            RawImages::new(
                source,
                pixels,
                labels,
                digits::CLASSES,
                (1, 8, 8),
                digits::MAX_VALUE,
            )
        }
    }
}

fn load_idx(name: DatasetName, folder: &Path, split: Split, source: String) -> Result<RawImages> {
    let files = name.files(split);
    let (images, images_sum) = read_parsed(name, folder, files[0], idx::read, idx::parse_images)?;
    let (labels, labels_sum) = read_parsed(name, folder, files[1], idx::read, idx::parse_labels)?;
    if (images.rows, images.cols) != (28, 28) {
        return Err(DataError::BadShape {
            path: images_sum.path,
            expected_h: 28,
            expected_w: 28,
            found_h: images.rows,
            found_w: images.cols,
        });
    }
    if labels.len() != images.count {
        return Err(DataError::CountMismatch {
            images_path: images_sum.path,
            images: images.count,
            labels_path: labels_sum.path,
            labels: labels.len(),
        });
    }
    let labels: Vec<usize> = labels.into_iter().map(usize::from).collect();
    check_labels(
        &labels_sum.path.display().to_string(),
        &labels,
        name.classes(),
    )?;
    images_sum.verify()?;
    labels_sum.verify()?;
    RawImages::new(
        source,
        images.pixels,
        labels,
        name.classes(),
        (1, 28, 28),
        255,
    )
}

fn load_cifar(
    name: DatasetName,
    folder: &Path,
    split: Split,
    format: CifarFormat,
    source: String,
) -> Result<RawImages> {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for file in name.files(split) {
        let path = locate(folder, file, name.as_str())?;
        let bytes = read_decompressed(&path)?;
        cifar::parse_records(&path, &bytes, format, &mut pixels, &mut labels)?;
    }
    RawImages::new(source, pixels, labels, format.classes(), (3, 32, 32), 255)
}
