//! Flattening a point to one vector (column-major W, then column-major H, then b), for the
//! generic solvers and eigen-solvers that see the UFM as a function on R^p.

use super::Point;
use faer::Mat;

/// The shape of a point: K, d, N and whether it has a bias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// K.
    pub classes: usize,
    /// d.
    pub dim: usize,
    /// N.
    pub samples: usize,
    /// Whether b is present.
    pub bias: bool,
}

impl Layout {
    /// The layout of an existing point.
    pub fn of(p: &Point) -> Self {
        Self {
            classes: p.classes(),
            dim: p.dim(),
            samples: p.samples(),
            bias: p.b.is_some(),
        }
    }

    /// Number of scalar parameters: Kd + dN (+ K).
    pub fn len(&self) -> usize {
        self.classes * self.dim + self.dim * self.samples + if self.bias { self.classes } else { 0 }
    }

    /// Never true for a valid UFM.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies a point into a flat vector.
    pub fn flatten(&self, p: &Point) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        for j in 0..p.w.ncols() {
            out.extend_from_slice(p.w.col_as_slice(j));
        }
        for j in 0..p.h.ncols() {
            out.extend_from_slice(p.h.col_as_slice(j));
        }
        if let Some(b) = &p.b {
            out.extend_from_slice(b);
        }
        out
    }

    /// Builds a point from a flat vector of length [`Layout::len`].
    pub fn unflatten(&self, x: &[f64]) -> Point {
        assert_eq!(x.len(), self.len(), "flat vector length");
        let (k, d, n) = (self.classes, self.dim, self.samples);
        let (w_part, rest) = x.split_at(k * d);
        let (h_part, b_part) = rest.split_at(d * n);
        Point {
            w: columns(k, d, w_part),
            h: columns(d, n, h_part),
            b: self.bias.then(|| b_part.to_vec()),
        }
    }
}

/// A rows×cols matrix from column-major values, copied column by column.
fn columns(rows: usize, cols: usize, values: &[f64]) -> Mat<f64> {
    let mut m = Mat::<f64>::zeros(rows, cols);
    for (j, chunk) in values.chunks_exact(rows.max(1)).take(cols).enumerate() {
        m.col_as_slice_mut(j).copy_from_slice(chunk);
    }
    m
}
