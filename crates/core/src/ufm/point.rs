//! A point of the UFM's parameter space: classifier W (K×d), features H (d×N), bias b.

use crate::error::{CoreError, Result};
use faer::Mat;

/// (W, H, b). `b` is `None` for a model without bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Classifier, K×d (row k is w_k).
    pub w: Mat<f64>,
    /// Features, d×N (column j is h_j).
    pub h: Mat<f64>,
    /// Bias, length K, or none.
    pub b: Option<Vec<f64>>,
}

impl Point {
    /// The all-zero point of the given shape.
    pub fn zeros(classes: usize, dim: usize, samples: usize, bias: bool) -> Self {
        Self {
            w: Mat::zeros(classes, dim),
            h: Mat::zeros(dim, samples),
            b: bias.then(|| vec![0.0; classes]),
        }
    }

    /// K.
    pub fn classes(&self) -> usize {
        self.w.nrows()
    }

    /// d.
    pub fn dim(&self) -> usize {
        self.w.ncols()
    }

    /// N.
    pub fn samples(&self) -> usize {
        self.h.ncols()
    }

    /// Checks that W, H and b agree with each other and hold only finite numbers.
    pub fn validate(&self) -> Result<()> {
        if self.h.nrows() != self.w.ncols() {
            return Err(CoreError::shape(
                "H",
                format!("[d = {}, N] (d from W)", self.w.ncols()),
                format!("[{}, {}]", self.h.nrows(), self.h.ncols()),
            ));
        }
        if let Some(b) = &self.b {
            if b.len() != self.w.nrows() {
                return Err(CoreError::shape(
                    "b",
                    format!("[K = {}]", self.w.nrows()),
                    format!("[{}]", b.len()),
                ));
            }
            check_finite("b", b.iter().copied())?;
        }
        check_finite("W", mat_values(&self.w))?;
        check_finite("H", mat_values(&self.h))?;
        Ok(())
    }

    /// Squared Euclidean norm of the whole point.
    pub fn norm_sq(&self) -> f64 {
        let b = self
            .b
            .as_ref()
            .map_or(0.0, |b| b.iter().map(|x| x * x).sum());
        self.w.norm_l2().powi(2) + self.h.norm_l2().powi(2) + b
    }

    /// self + t·other (same shapes).
    pub fn add_scaled(&self, t: f64, other: &Point) -> Point {
        Point {
            w: &self.w + faer::Scale(t) * &other.w,
            h: &self.h + faer::Scale(t) * &other.h,
            b: self.b.as_ref().map(|b| {
                let ob = other.b.as_ref().expect("bias shapes agree");
                b.iter().zip(ob).map(|(x, y)| x + t * y).collect()
            }),
        }
    }

    /// ⟨self, other⟩ over all blocks.
    pub fn dot(&self, other: &Point) -> f64 {
        let mut acc = frob_dot(&self.w, &other.w) + frob_dot(&self.h, &other.h);
        if let (Some(a), Some(b)) = (&self.b, &other.b) {
            acc += a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        }
        acc
    }
}

/// Frobenius inner product of two equally shaped matrices.
pub(crate) fn frob_dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut acc = 0.0;
    for j in 0..a.ncols() {
        for (x, y) in a.col_as_slice(j).iter().zip(b.col_as_slice(j)) {
            acc += x * y;
        }
    }
    acc
}

fn mat_values(m: &Mat<f64>) -> impl Iterator<Item = f64> + '_ {
    (0..m.ncols()).flat_map(move |j| m.col_as_slice(j).iter().copied())
}

fn check_finite(what: &str, values: impl Iterator<Item = f64>) -> Result<()> {
    for (index, v) in values.enumerate() {
        if !v.is_finite() {
            return Err(CoreError::NonFinite {
                what: what.to_string(),
                index,
            });
        }
    }
    Ok(())
}
