//! `collapse.simplex_etf`: the frame of `collapse_core::etf`.

use crate::errors;
use collapse_core::etf::{simplex_etf as frame, Placement};
use numpy::{PyArray2, PyArrayMethods};
use pyo3::prelude::*;

/// The K×d simplex ETF (unit-norm rows, pairwise cosine −1/(K−1)) as a float64 array:
/// canonical placement without a seed, a seeded Haar rotation into R^d with one.
#[pyfunction]
#[pyo3(signature = (num_classes, dim, seed = None))]
pub fn simplex_etf(
    py: Python<'_>,
    num_classes: usize,
    dim: usize,
    seed: Option<u64>,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let placement = seed.map_or(Placement::Canonical, |seed| Placement::Rotated { seed });
    let m = py
        .detach(|| frame(num_classes, dim, placement))
        .map_err(errors::core)?;
    Ok(matrix(py, m.as_ref()))
}

/// A faer matrix as a new row-major float64 NumPy array.
pub fn matrix<'py>(py: Python<'py>, m: faer::MatRef<'_, f64>) -> Bound<'py, PyArray2<f64>> {
    let (r, c) = (m.nrows(), m.ncols());
    let flat: Vec<f64> = (0..r)
        .flat_map(|i| (0..c).map(move |j| m[(i, j)]))
        .collect();
    numpy::PyArray1::from_vec(py, flat)
        .reshape([r, c])
        .expect("r x c values reshape to r x c")
}
