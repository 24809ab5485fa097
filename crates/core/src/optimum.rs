//! The closed-form global optimum of the balanced UFM (`docs/theory.md` §2).
//!
//! With s = √(nλ_Wλ_H): if K·s < 1 the minimisers are simplex ETFs of margin
//! m* = log(1/s − (K−1)); otherwise the origin is the global minimiser with f* = log K.

use crate::error::{CoreError, Result};
use crate::etf::{simplex_etf, Placement};
use crate::ufm::{Point, Ufm};
use faer::Mat;

/// Which of the two regimes the optimum is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Regime {
    /// K·√(nλ_Wλ_H) < 1: a simplex ETF with positive margin.
    Etf,
    /// K·√(nλ_Wλ_H) ≥ 1: W = 0, H = 0.
    Zero,
}

/// The optimal scale and value, per class and per sample.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClosedForm {
    /// The regime.
    pub regime: Regime,
    /// Logit margin m* between the true class and any other.
    pub margin: f64,
    /// ‖w_k‖² of every classifier row.
    pub w_norm_sq: f64,
    /// ‖h_{k,i}‖² of every feature.
    pub h_norm_sq: f64,
    /// Mean cross-entropy at the optimum.
    pub ce: f64,
    /// f*.
    pub objective: f64,
}

/// The closed form for K classes of n samples each.
pub fn closed_form(
    classes: usize,
    per_class: usize,
    lambda_w: f64,
    lambda_h: f64,
) -> Result<ClosedForm> {
    if classes < 2 {
        return Err(CoreError::parameter("classes", classes, "needs K >= 2"));
    }
    if per_class == 0 {
        return Err(CoreError::parameter("per-class", 0, "needs n >= 1"));
    }
    for (name, v) in [("lambda-w", lambda_w), ("lambda-h", lambda_h)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(CoreError::parameter(name, v, "must be finite and > 0"));
        }
    }
    let (k, n) = (classes as f64, per_class as f64);
    let s = (n * lambda_w * lambda_h).sqrt();
    if k * s >= 1.0 {
        return Ok(ClosedForm {
            regime: Regime::Zero,
            margin: 0.0,
            w_norm_sq: 0.0,
            h_norm_sq: 0.0,
            ce: k.ln(),
            objective: k.ln(),
        });
    }
    let margin = (1.0 / s - (k - 1.0)).ln();
    let w_norm_sq = (k - 1.0) / k * (n * lambda_h / lambda_w).sqrt() * margin;
    let beta_sq = lambda_w / (lambda_h * n);
    let ce = -(1.0 - (k - 1.0) * s).ln();
    Ok(ClosedForm {
        regime: Regime::Etf,
        margin,
        w_norm_sq,
        h_norm_sq: beta_sq * w_norm_sq,
        ce,
        objective: ce + (k - 1.0) * s * margin,
    })
}

impl Ufm {
    /// The closed form of this problem, or `None` when the classes are unbalanced (the
    /// theorem's setting excludes them).
    pub fn closed_form(&self) -> Option<ClosedForm> {
        let n = self.labels().balanced_count()?;
        closed_form(self.classes(), n, self.lambda_w, self.lambda_h).ok()
    }

    /// A global minimiser in R^d: W = ‖w‖·ETF, h_i = β w_{y_i} with β = √(λ_W/(λ_H n)),
    /// b = 0. Needs balanced classes and d ≥ K − 1.
    pub fn optimal_point(&self, dim: usize, placement: Placement) -> Result<Point> {
        let n = self.labels().balanced_count().ok_or_else(|| {
            CoreError::Labels("the closed-form optimum needs balanced classes".into())
        })?;
        let cf = closed_form(self.classes(), n, self.lambda_w, self.lambda_h)?;
        let etf = simplex_etf(self.classes(), dim, placement)?;
        let w = faer::Scale(cf.w_norm_sq.sqrt()) * &etf;
        let beta = (self.lambda_w / (self.lambda_h * n as f64)).sqrt();
        let labels = self.labels().as_slice();
        let h = Mat::from_fn(dim, self.samples(), |i, j| beta * w[(labels[j], i)]);
        Ok(Point {
            w,
            h,
            b: self.has_bias().then(|| vec![0.0; self.classes()]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regimes_meet_continuously() {
        // K s = 1 exactly: margin 0 and f* = log K from both sides.
        let (k, n) = (4usize, 9usize);
        let s = 1.0 / k as f64;
        let lam = s / (n as f64).sqrt();
        let below = closed_form(k, n, lam * 0.999_999, lam).unwrap();
        let at = closed_form(k, n, lam, lam).unwrap();
        assert_eq!(at.regime, Regime::Zero);
        assert!((below.objective - (k as f64).ln()).abs() < 1e-5);
        assert!(below.margin.abs() < 1e-5);
    }
}
