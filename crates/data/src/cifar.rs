//! The CIFAR binary format: fixed-size records of label byte(s) then 3072 pixel bytes
//! (1024 red, 1024 green, 1024 blue; each plane 32×32 row-major) — already C×H×W.

use crate::error::{DataError, Result};
use std::path::Path;

/// Bytes of one image: 3 planes of 32×32.
pub const IMAGE_BYTES: usize = 3 * 32 * 32;

/// Which label of a CIFAR-100 record to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cifar100Label {
    /// The 20 super-classes (first label byte).
    Coarse,
    /// The 100 classes (second label byte).
    Fine,
}

/// The layout of one variant's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CifarFormat {
    /// 1 label byte (0–9) + 3072 pixel bytes.
    Cifar10,
    /// 2 label bytes (coarse 0–19, fine 0–99) + 3072 pixel bytes.
    Cifar100(Cifar100Label),
}

impl CifarFormat {
    /// Label bytes per record.
    pub fn label_bytes(self) -> usize {
        match self {
            CifarFormat::Cifar10 => 1,
            CifarFormat::Cifar100(_) => 2,
        }
    }

    /// Bytes per record.
    pub fn record_bytes(self) -> usize {
        self.label_bytes() + IMAGE_BYTES
    }

    /// Number of classes of the label used.
    pub fn classes(self) -> usize {
        match self {
            CifarFormat::Cifar10 => 10,
            CifarFormat::Cifar100(Cifar100Label::Coarse) => 20,
            CifarFormat::Cifar100(Cifar100Label::Fine) => 100,
        }
    }

    fn label_offset(self) -> usize {
        match self {
            CifarFormat::Cifar100(Cifar100Label::Fine) => 1,
            _ => 0,
        }
    }
}

/// Parses one CIFAR binary file (decompressed bytes read from `path`), appending its pixels
/// (C×H×W per image) and labels. Every label is checked against its class count (CIFAR-100's
/// unused label byte too); errors give the record index within this file.
pub fn parse_records(
    path: &Path,
    bytes: &[u8],
    format: CifarFormat,
    pixels: &mut Vec<u8>,
    labels: &mut Vec<usize>,
) -> Result<()> {
    let record = format.record_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(record) {
        let whole = bytes.len() / record;
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            what: format!("{} whole {record}-byte records", whole + 1),
            expected: ((whole + 1) * record) as u64,
            actual: bytes.len() as u64,
        });
    }
    pixels.reserve(bytes.len() / record * IMAGE_BYTES);
    for (i, rec) in bytes.chunks_exact(record).enumerate() {
        if let CifarFormat::Cifar100(_) = format {
            check_label(path, i, rec[0] as usize, 20)?;
            check_label(path, i, rec[1] as usize, 100)?;
        }
        let label = rec[format.label_offset()] as usize;
        check_label(path, i, label, format.classes())?;
        labels.push(label);
        pixels.extend_from_slice(&rec[format.label_bytes()..]);
    }
    Ok(())
}

fn check_label(path: &Path, index: usize, label: usize, classes: usize) -> Result<()> {
    if label < classes {
        Ok(())
    } else {
        Err(DataError::LabelOutOfRange {
            source_name: path.display().to_string(),
            index,
            label,
            classes,
        })
    }
}

/// Writes records in the binary format (for tests and tools that make small CIFAR files).
/// `labels` holds one entry per record: `[label]` for CIFAR-10, `[coarse, fine]` for CIFAR-100.
pub fn encode_records(labels: &[Vec<u8>], pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pixels.len() + labels.len() * 2);
    for (label, image) in labels.iter().zip(pixels.chunks_exact(IMAGE_BYTES)) {
        out.extend_from_slice(label);
        out.extend_from_slice(image);
    }
    out
}
