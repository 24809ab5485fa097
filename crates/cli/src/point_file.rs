//! POINT files: safetensors with `W` [K, d], `H` [d, N], optionally `b` [K] and `labels` [N].
//! W, H, b are f64 (f32 is accepted and widened); labels any integer type. Absent labels mean
//! the class-major layout (column j has label j / n).

use crate::exit::BadInput;
use anyhow::{Context, Result};
use collapse_core::{Labels, Point};
use faer::Mat;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
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

fn floats(path: &Path, st: &SafeTensors<'_>, name: &str, shape: &[usize]) -> Result<Vec<f64>> {
    let t = st.tensor(name).map_err(|_| {
        bad(
            path,
            format!("tensor `{name}` is missing; a POINT file needs W [K, d] and H [d, N]"),
        )
    })?;
    if t.shape() != shape {
        return Err(bad(
            path,
            format!(
                "tensor `{name}` has shape {:?}, expected {shape:?}",
                t.shape()
            ),
        ));
    }
    let data = t.data();
    let values: Vec<f64> = match t.dtype() {
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
            .collect(),
        other => {
            return Err(bad(
                path,
                format!("tensor `{name}` has dtype {other:?}; store it as f64 (or f32)"),
            ))
        }
    };
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            path,
            format!("tensor `{name}` holds a non-finite value at flat index {i}"),
        ));
    }
    Ok(values)
}

fn integers(path: &Path, t: &TensorView<'_>) -> Result<Vec<i64>> {
    let d = t.data();
    macro_rules! read {
        ($ty:ty, $n:expr) => {
            d.chunks_exact($n)
                .map(|c| <$ty>::from_le_bytes(c.try_into().expect("width")) as i64)
                .collect()
        };
    }
    Ok(match t.dtype() {
        Dtype::I64 => read!(i64, 8),
        Dtype::I32 => read!(i32, 4),
        Dtype::I16 => read!(i16, 2),
        Dtype::I8 => read!(i8, 1),
        Dtype::U64 => d
            .chunks_exact(8)
            .map(|c| i64::try_from(u64::from_le_bytes(c.try_into().expect("8"))).unwrap_or(-1))
            .collect(),
        Dtype::U32 => read!(u32, 4),
        Dtype::U16 => read!(u16, 2),
        Dtype::U8 => read!(u8, 1),
        other => {
            return Err(bad(
                path,
                format!("tensor `labels` has dtype {other:?}; store labels as integers"),
            ))
        }
    })
}

/// Reads and validates a POINT file.
pub fn read(path: &Path) -> Result<PointFile> {
    let bytes =
        std::fs::read(path).map_err(|e| bad(path, format!("cannot read the POINT file: {e}")))?;
    let st = SafeTensors::deserialize(&bytes)
        .map_err(|e| bad(path, format!("not a safetensors file: {e}")))?;
    let w_shape = st
        .tensor("W")
        .map_err(|_| bad(path, "tensor `W` [K, d] is missing".into()))?
        .shape()
        .to_vec();
    let h_shape = st
        .tensor("H")
        .map_err(|_| bad(path, "tensor `H` [d, N] is missing".into()))?
        .shape()
        .to_vec();
    if w_shape.len() != 2 || h_shape.len() != 2 || w_shape[1] != h_shape[0] {
        return Err(bad(
            path,
            format!("W has shape {w_shape:?} and H {h_shape:?}: expected W [K, d] and H [d, N] with the same d"),
        ));
    }
    let (k, d, n) = (w_shape[0], w_shape[1], h_shape[1]);
    let w = floats(path, &st, "W", &[k, d])?;
    let h = floats(path, &st, "H", &[d, n])?;
    let b = match st.tensor("b") {
        Ok(_) => Some(floats(path, &st, "b", &[k])?),
        Err(_) => None,
    };
    let labels = match st.tensor("labels") {
        Ok(t) => {
            if t.shape() != [n] {
                return Err(bad(
                    path,
                    format!(
                        "tensor `labels` has shape {:?}, expected [{n}] (one per column of H)",
                        t.shape()
                    ),
                ));
            }
            let raw = integers(path, &t)?;
            if let Some(i) = raw.iter().position(|&y| y < 0 || y as usize >= k) {
                return Err(bad(
                    path,
                    format!("label {} at sample {i} is outside 0..{k}", raw[i]),
                ));
            }
            Labels::new(k, raw.into_iter().map(|y| y as usize).collect())
                .map_err(|e| bad(path, e.to_string()))?
        }
        Err(_) => {
            if k == 0 || n % k != 0 {
                return Err(bad(
                    path,
                    format!("no `labels` tensor and N = {n} is not a multiple of K = {k}: add labels or use class-major balanced columns"),
                ));
            }
            Labels::balanced(k, n / k).map_err(|e| bad(path, e.to_string()))?
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
