//! POINT files: safetensors (`.safetensors`) with `W` [K, d], `H` [d, N], optionally `b` [K]
//! and `labels` [N]. W, H, b are f64 (f32 is widened); labels any integer type. Absent labels
//! mean the class-major layout (column j has label j / n). Decoding is collapse-arrays'; this
//! module adds what a point needs: consistent shapes, finite values, labels in 0..K.

use crate::exit::BadInput;
use anyhow::{Context, Result};
use collapse_arrays::{ArrayError, ArrayFile, Expect};
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

fn bad(path: &Path, msg: String) -> anyhow::Error {
    BadInput(format!("{}: {msg}", path.display())).into()
}

/// Reads one tensor of the POINT file through collapse-arrays (which decodes every float
/// and integer dtype), naming the tensor in any error.
fn tensor(path: &Path, name: &str, expect: Expect) -> Result<ArrayFile> {
    ArrayFile::open_path(path, Some(name), expect)
        .map_err(|e| bad(path, format!("tensor `{name}`: {e}")))
}

/// The values of a float tensor of the given shape, all finite.
fn floats(path: &Path, file: &ArrayFile, name: &str, shape: (usize, usize)) -> Result<Vec<f64>> {
    if (file.rows(), file.cols()) != shape {
        return Err(bad(
            path,
            format!(
                "tensor `{name}` has shape [{}, {}], expected [{}, {}]",
                file.rows(),
                file.cols(),
                shape.0,
                shape.1
            ),
        ));
    }
    let values = file
        .read_floats()
        .map_err(|e| bad(path, format!("tensor `{name}`: {e}")))?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            path,
            format!("tensor `{name}` holds a non-finite value at flat index {i}"),
        ));
    }
    Ok(values)
}

/// An optional tensor: `None` when the file has no tensor of that name (with a name given,
/// collapse-arrays reports a missing tensor, and only that, as `ArrayError::Tensor`).
fn optional_tensor(path: &Path, name: &str, expect: Expect) -> Result<Option<ArrayFile>> {
    match ArrayFile::open_path(path, Some(name), expect) {
        Ok(file) => Ok(Some(file)),
        Err(ArrayError::Tensor { .. }) => Ok(None),
        Err(e) => Err(bad(path, format!("tensor `{name}`: {e}"))),
    }
}

/// Reads and validates a POINT file.
pub fn read(path: &Path) -> Result<PointFile> {
    let w_file = tensor(path, "W", Expect::Matrix)?;
    let h_file = tensor(path, "H", Expect::Matrix)?;
    let (k, d, n) = (w_file.rows(), w_file.cols(), h_file.cols());
    if h_file.rows() != d {
        return Err(bad(
            path,
            format!(
                "W has shape [{k}, {d}] and H [{}, {n}]: expected W [K, d] and H [d, N] with the same d",
                h_file.rows()
            ),
        ));
    }
    let w = floats(path, &w_file, "W", (k, d))?;
    let h = floats(path, &h_file, "H", (d, n))?;
    let b = match optional_tensor(path, "b", Expect::Vector)? {
        Some(file) => Some(floats(path, &file, "b", (k, 1))?),
        None => None,
    };
    let labels = if let Some(file) = optional_tensor(path, "labels", Expect::Vector)? {
        if file.rows() != n {
            return Err(bad(
                path,
                format!(
                    "tensor `labels` has {} entries, expected {n} (one per column of H)",
                    file.rows()
                ),
            ));
        }
        let raw = file
            .read_labels()
            .map_err(|e| bad(path, format!("tensor `labels`: {e}")))?;
        if let Some(i) = raw.iter().position(|&y| y >= k) {
            return Err(bad(
                path,
                format!("label {} at sample {i} is outside 0..{k}", raw[i]),
            ));
        }
        Labels::new(k, raw).map_err(|e| bad(path, e.to_string()))?
    } else {
        if k == 0 || n % k != 0 {
            return Err(bad(
                path,
                format!("no `labels` tensor and N = {n} is not a multiple of K = {k}: add labels or use class-major balanced columns"),
            ));
        }
        Labels::balanced(k, n / k).map_err(|e| bad(path, e.to_string()))?
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
