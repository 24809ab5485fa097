//! scikit-learn's digits CSV: one example per line, 64 pixel values 0–16 (8×8 row-major)
//! then the label 0–9, comma-separated integers.

use crate::error::{DataError, Result};
use std::path::Path;

/// Pixels per example.
pub const PIXELS: usize = 64;
/// Largest pixel value (the images count set bits in 4×4 blocks of a 32×32 bitmap).
pub const MAX_VALUE: u8 = 16;
/// Number of classes.
pub const CLASSES: usize = 10;

/// Parses the decompressed CSV text read from `path` into pixels (N×64) and labels.
pub fn parse_csv(path: &Path, bytes: &[u8]) -> Result<(Vec<u8>, Vec<usize>)> {
    let text = std::str::from_utf8(bytes).map_err(|e| DataError::Parse {
        path: path.to_path_buf(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        message: "not UTF-8 text".to_string(),
    })?;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let bad = |message: String| DataError::Parse {
            path: path.to_path_buf(),
            line: line_no,
            message,
        };
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != PIXELS + 1 {
            return Err(bad(format!(
                "{} fields, expected {} (64 pixels then the label)",
                fields.len(),
                PIXELS + 1
            )));
        }
        for f in &fields[..PIXELS] {
            let v = parse_int(f).ok_or_else(|| bad(format!("pixel `{f}` is not an integer")))?;
            if v > MAX_VALUE as u64 {
                return Err(bad(format!("pixel {v} is above {MAX_VALUE}")));
            }
            pixels.push(v as u8);
        }
        let f = fields[PIXELS];
        let label = parse_int(f).ok_or_else(|| bad(format!("label `{f}` is not an integer")))?;
        if label >= CLASSES as u64 {
            return Err(DataError::LabelOutOfRange {
                source_name: format!("{} line {line_no}", path.display()),
                index: labels.len(),
                label: label as usize,
                classes: CLASSES,
            });
        }
        labels.push(label as usize);
    }
    if labels.is_empty() {
        return Err(bad_empty(path));
    }
    Ok((pixels, labels))
}

fn bad_empty(path: &Path) -> DataError {
    DataError::Parse {
        path: path.to_path_buf(),
        line: 1,
        message: "no examples (empty file)".to_string(),
    }
}

/// Integers, also written as `3.0` (older releases of the file used floats).
fn parse_int(field: &str) -> Option<u64> {
    if let Ok(v) = field.parse::<u64>() {
        return Some(v);
    }
    let v: f64 = field.parse().ok()?;
    (v >= 0.0 && v.fract() == 0.0 && v < 1e9).then_some(v as u64)
}
