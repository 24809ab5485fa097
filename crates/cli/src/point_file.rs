//! POINT files: safetensors (`.safetensors`) with `W` [K, d], `H` [d, N], optionally `b` [K]
//! and `labels` [N]. W, H, b are f64 (f32 is widened); labels any integer type. Absent labels
//! mean the class-major layout (column j has label j / n). Decoding and checking the arrays is
//! collapse-arrays' (`read_point`); this module builds the point and writes one.

use crate::exit::BadInput;
use anyhow::{Context, Result};
use collapse_arrays::{read_point, ArrayError, PointArrays};
use collapse_core::{Labels, Point};
use faer::Mat;
use safetensors::tensor::{Dtype, TensorView};
use std::path::Path;

/// A point with its labels, as stored.
pub struct PointFile {
    /// (W, H, b).
    pub point: Point,
    /// The labels (class-major when the file has none).
    pub labels: Labels,
}

/// Reads and validates a POINT file: collapse-arrays checks the arrays (shapes, counts,
/// finite values, labels in 0..K, before anything large is read); this builds the point.
pub fn read(path: &Path) -> Result<PointFile> {
    let bad =
        |msg: String| -> anyhow::Error { BadInput(format!("{}: {msg}", path.display())).into() };
    let arrays = read_point(path).map_err(|e| match e {
        ArrayError::Point { reason, .. } => bad(reason),
        other => bad(other.to_string()),
    })?;
    let PointArrays {
        classes: k,
        dim: d,
        samples: n,
        w,
        h,
        b,
        labels,
    } = arrays;
    let labels = match labels {
        Some(raw) => Labels::new(k, raw).map_err(|e| bad(e.to_string()))?,
        None => {
            if n % k != 0 {
                return Err(bad(format!(
                    "no `labels` tensor and N = {n} is not a multiple of K = {k}: add labels or use class-major balanced columns"
                )));
            }
            Labels::balanced(k, n / k).map_err(|e| bad(e.to_string()))?
        }
    };
    let point = Point {
        w: Mat::from_fn(k, d, |i, j| w[i * d + j]),
        h: Mat::from_fn(d, n, |i, j| h[i * n + j]),
        b,
    };
    Ok(PointFile { point, labels })
}

/// Writes a POINT file atomically (a temporary file in the same folder, then a rename).
pub fn write(path: &Path, point: &Point, labels: &Labels) -> Result<()> {
    let (k, d, n) = (point.classes(), point.dim(), point.samples());
    let w: Vec<u8> = (0..k)
        .flat_map(|i| (0..d).map(move |j| (i, j)))
        .flat_map(|(i, j)| point.w[(i, j)].to_le_bytes())
        .collect();
    let h: Vec<u8> = (0..d)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .flat_map(|(i, j)| point.h[(i, j)].to_le_bytes())
        .collect();
    let y: Vec<u8> = labels
        .as_slice()
        .iter()
        .flat_map(|&l| (l as i64).to_le_bytes())
        .collect();
    let mut tensors = vec![
        (
            "W".to_string(),
            TensorView::new(Dtype::F64, vec![k, d], &w)?,
        ),
        (
            "H".to_string(),
            TensorView::new(Dtype::F64, vec![d, n], &h)?,
        ),
        (
            "labels".to_string(),
            TensorView::new(Dtype::I64, vec![n], &y)?,
        ),
    ];
    let b: Vec<u8> = point
        .b
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    if point.b.is_some() {
        tensors.push(("b".to_string(), TensorView::new(Dtype::F64, vec![k], &b)?));
    }
    let bytes = safetensors::serialize(tensors, None)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|s| s.to_str()).unwrap_or("point"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}
