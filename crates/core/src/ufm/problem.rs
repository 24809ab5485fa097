//! The UFM problem: labels and regularisation strengths.

use super::{Labels, Point};
use crate::error::{CoreError, Result};
use collapse_guard::{number, Range};

/// Whether the classifier has a bias, and how strongly it is decayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bias {
    /// No bias at all (b is absent from the point).
    None,
    /// A bias with weight decay λ_b ≥ 0.
    Decayed(f64),
}

/// A UFM instance: labels, λ_W, λ_H and the bias policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Ufm {
    labels: Labels,
    /// Weight decay on W.
    pub lambda_w: f64,
    /// Weight decay on H.
    pub lambda_h: f64,
    /// Bias policy.
    pub bias: Bias,
}

impl Ufm {
    /// A UFM over the given labels; λ_W, λ_H > 0 and λ_b ≥ 0, all finite.
    pub fn new(labels: Labels, lambda_w: f64, lambda_h: f64, bias: Bias) -> Result<Self> {
        number::check("lambda-w", lambda_w, Range::POSITIVE)?;
        number::check("lambda-h", lambda_h, Range::POSITIVE)?;
        if let Bias::Decayed(lb) = bias {
            number::check("lambda-b", lb, Range::NON_NEGATIVE)?;
        }
        Ok(Self {
            labels,
            lambda_w,
            lambda_h,
            bias,
        })
    }

    /// The balanced, class-major problem of the theorems: K classes, n samples each.
    pub fn balanced(
        classes: usize,
        per_class: usize,
        lambda_w: f64,
        lambda_h: f64,
        bias: Bias,
    ) -> Result<Self> {
        Self::new(
            Labels::balanced(classes, per_class)?,
            lambda_w,
            lambda_h,
            bias,
        )
    }

    /// The labels.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// K.
    pub fn classes(&self) -> usize {
        self.labels.classes()
    }

    /// N.
    pub fn samples(&self) -> usize {
        self.labels.len()
    }

    /// Whether the model has a bias.
    pub fn has_bias(&self) -> bool {
        !matches!(self.bias, Bias::None)
    }

    /// λ_b (0 when there is no bias).
    pub fn lambda_b(&self) -> f64 {
        match self.bias {
            Bias::None => 0.0,
            Bias::Decayed(lb) => lb,
        }
    }

    /// Checks a point against this problem: K, N, bias presence, finiteness.
    pub fn check_point(&self, p: &Point) -> Result<()> {
        p.validate()?;
        if p.classes() != self.classes() {
            return Err(CoreError::shape(
                "W",
                format!("{} rows (K from the labels)", self.classes()),
                format!("{} rows", p.classes()),
            ));
        }
        if p.samples() != self.samples() {
            return Err(CoreError::shape(
                "H",
                format!("{} columns (N from the labels)", self.samples()),
                format!("{} columns", p.samples()),
            ));
        }
        if p.b.is_some() != self.has_bias() {
            return Err(CoreError::parameter(
                "b",
                if p.b.is_some() { "present" } else { "absent" },
                "must be present exactly when the problem has a bias",
            ));
        }
        Ok(())
    }

    /// A random point of the given dimension: entries N(0, scale²), seeded.
    pub fn random_point(&self, dim: usize, scale: f64, seed: u64) -> Point {
        let mut rng = crate::random::rng(seed);
        let k = self.classes();
        let w = crate::random::gaussian(k, dim, scale, &mut rng);
        let h = crate::random::gaussian(dim, self.samples(), scale, &mut rng);
        let b = self.has_bias().then(|| {
            crate::random::gaussian(k, 1, scale, &mut rng)
                .col_as_slice(0)
                .to_vec()
        });
        Point { w, h, b }
    }
}
