//! The last linear layer h ↦ Wh + b, whose geometry NC2–NC4 compare with the class means.

use crate::element::{check_finite, Element};
use crate::error::{MetricsError, Result};

/// A linear classifier head: W (K×d, row-major, row c = w_c) and an optional bias b (K).
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    classes: usize,
    dim: usize,
    weights: Vec<f64>,
    bias: Option<Vec<f64>>,
}

impl Head {
    /// Builds a head from row-major K×d weights and an optional bias of length K.
    pub fn new<T: Element, U: Element>(
        weights: &[T],
        classes: usize,
        dim: usize,
        bias: Option<&[U]>,
    ) -> Result<Self> {
        if weights.len() != classes * dim {
            return Err(MetricsError::Shape {
                what: "classifier weights W".into(),
                expected: format!("K x d = {classes} x {dim} = {} values", classes * dim),
                got: format!("{} values", weights.len()),
            });
        }
        check_finite("classifier weights W", weights, dim)?;
        let bias = match bias {
            None => None,
            Some(b) => {
                if b.len() != classes {
                    return Err(MetricsError::Shape {
                        what: "classifier bias b".into(),
                        expected: format!("K = {classes} values"),
                        got: format!("{} values", b.len()),
                    });
                }
                check_finite("classifier bias b", b, classes)?;
                Some(b.iter().map(|v| v.to_f64()).collect())
            }
        };
        Ok(Self {
            classes,
            dim,
            weights: weights.iter().map(|v| v.to_f64()).collect(),
            bias,
        })
    }

    /// Number of classes K (rows of W).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Feature dimension d (columns of W).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// W, K×d row-major.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// b, when the head has one.
    pub fn bias(&self) -> Option<&[f64]> {
        self.bias.as_deref()
    }

    /// Checks that the head fits statistics of K classes and dimension d.
    pub(crate) fn check_fits(&self, classes: usize, dim: usize) -> Result<()> {
        if self.classes != classes || self.dim != dim {
            return Err(MetricsError::Shape {
                what: "classifier weights W".into(),
                expected: format!("K x d = {classes} x {dim} (from the features and labels)"),
                got: format!("{} x {}", self.classes, self.dim),
            });
        }
        Ok(())
    }
}
