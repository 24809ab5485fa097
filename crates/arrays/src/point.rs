//! POINT files: safetensors with `W` [K, d], `H` [d, N], optionally `b` [K] and `labels` [N]
//! (a UFM point; `collapse certify` reads them, `collapse ufm solve --out` writes them). This
//! module checks what makes the arrays a point — consistent shapes, counts that make a
//! problem (K >= 2, d >= 1, N >= K), finite values, labels in 0..K — before the large arrays
//! are read; building the point is the caller's.

use crate::array_file::{ArrayFile, Expect};
use crate::error::{ArrayError, Result};
use std::path::Path;

/// The arrays of a POINT file, checked; row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct PointArrays {
    /// K.
    pub classes: usize,
    /// d.
    pub dim: usize,
    /// N.
    pub samples: usize,
    /// W, K×d.
    pub w: Vec<f64>,
    /// H, d×N.
    pub h: Vec<f64>,
    /// b, K, if stored.
    pub b: Option<Vec<f64>>,
    /// One label in 0..K per column of H, if stored.
    pub labels: Option<Vec<usize>>,
}

fn bad(path: &Path, reason: String) -> ArrayError {
    ArrayError::Point {
        path: path.to_path_buf(),
        reason,
    }
}

/// One tensor of the file, naming it in any error.
fn tensor(path: &Path, name: &str, expect: Expect) -> Result<ArrayFile> {
    ArrayFile::open_path(path, Some(name), expect)
        .map_err(|e| bad(path, format!("tensor `{name}`: {e}")))
}

/// An optional tensor: `None` when the file has no tensor of that name.
fn optional_tensor(path: &Path, name: &str, expect: Expect) -> Result<Option<ArrayFile>> {
    match ArrayFile::open_path(path, Some(name), expect) {
        Ok(file) => Ok(Some(file)),
        Err(ArrayError::Tensor { .. }) => Ok(None),
        Err(e) => Err(bad(path, format!("tensor `{name}`: {e}"))),
    }
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

/// Reads and checks a POINT file.
pub fn read_point(path: &Path) -> Result<PointArrays> {
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
    // Before anything is allocated: counts that make no problem (or a huge one from a few
    // header bytes: W of shape [2^40, 0] has no data).
    if k < 2 {
        return Err(bad(
            path,
            format!("W has K = {k} rows: a UFM point needs K >= 2 classes"),
        ));
    }
    if d == 0 {
        return Err(bad(
            path,
            "W and H have d = 0 feature dimensions: a UFM point needs d >= 1".into(),
        ));
    }
    if n < k {
        return Err(bad(
            path,
            format!("H has N = {n} columns but W has K = {k} rows: every class needs at least one sample (N >= K)"),
        ));
    }
    let w = floats(path, &w_file, "W", (k, d))?;
    let h = floats(path, &h_file, "H", (d, n))?;
    let b = match optional_tensor(path, "b", Expect::Vector)? {
        Some(file) => Some(floats(path, &file, "b", (k, 1))?),
        None => None,
    };
    let labels = match optional_tensor(path, "labels", Expect::Vector)? {
        None => None,
        Some(file) => {
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
            Some(raw)
        }
    };
    if labels.is_none() && n % k != 0 {
        return Err(bad(
            path,
            format!("no `labels` tensor and N = {n} is not a multiple of K = {k}: add labels or use class-major balanced columns"),
        ));
    }
    Ok(PointArrays {
        classes: k,
        dim: d,
        samples: n,
        w,
        h,
        b,
        labels,
    })
}
