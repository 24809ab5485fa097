//! The pseudo-inverse of the between-class covariance Σ_B, with an explicit policy.
//!
//! Σ_B = M̄M̄ᵀ/K has rank at most K − 1 (the count-weighted centred means satisfy
//! Σ_c N_c(μ_c − μ_G) = 0). Its non-zero spectrum is that of the K×K Gram matrix
//! G = M̄ᵀM̄ divided by K, and with G = VΛVᵀ,
//! tr(Σ_W Σ_B^†) = K Σ_{i kept} v_iᵀ (M̄ᵀΣ_W M̄) v_i / λ_i²,
//! so NC1 needs only K×K matrices. Which eigenvalues count as "kept" is the policy, and it
//! is reported beside every NC1 value, never applied silently.

use crate::error::{MetricsError, Result};
use faer::{Mat, MatRef, Side};
use serde::{Deserialize, Serialize};

/// Which eigenvalues of Σ_B the pseudo-inverse inverts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum PinvPolicy {
    /// The K − 1 largest (the rank Σ_B has for distinct class means): the robust default.
    #[default]
    RankTruncated,
    /// Every eigenvalue above `rcond`·λ_max, the rule of numpy/scipy/torch `pinv`.
    RelativeCutoff {
        /// Relative threshold.
        rcond: f64,
    },
}

impl PinvPolicy {
    /// The cutoff of the paper's reference code: a float32 `pinv` of the d×d Σ_B, which
    /// keeps singular values above d·ε_f32·σ_max. Provided for comparison with published
    /// numbers; the reference applied it to float32 rounding noise, we apply it in f64.
    pub fn reference(dim: usize) -> Self {
        Self::RelativeCutoff {
            rcond: dim as f64 * f64::from(f32::EPSILON),
        }
    }

    /// A short human-readable description, recorded in the diagnostics.
    pub fn describe(&self) -> String {
        match self {
            Self::RankTruncated => "rank-(K-1) truncation".into(),
            Self::RelativeCutoff { rcond } => format!("relative cutoff rcond = {rcond:e}"),
        }
    }

    /// How many of the descending eigenvalues `values` to invert.
    pub(crate) fn kept(&self, values: &[f64]) -> usize {
        match *self {
            Self::RankTruncated => values.len().saturating_sub(1),
            Self::RelativeCutoff { rcond } => {
                let cut = rcond * values.first().copied().unwrap_or(0.0).max(0.0);
                values.iter().take_while(|&&v| v > cut).count()
            }
        }
    }
}

/// The spectrum of Σ_B obtained from the K×K Gram matrix of the centred class means.
#[derive(Debug, Clone)]
pub struct BetweenSpectrum {
    /// Eigenvalues of Σ_B, descending (K of them; the rest of its d are zero).
    pub eigenvalues: Vec<f64>,
    /// Eigenvectors of G, K×K, column i for eigenvalue i.
    vectors: Mat<f64>,
    /// Number of eigenvalues inverted.
    pub rank_used: usize,
}

impl BetweenSpectrum {
    /// Decomposes G = M̄ᵀM̄ (K×K) and applies `policy`; `variant` names the metric for errors.
    pub(crate) fn new(gram: MatRef<'_, f64>, policy: PinvPolicy, variant: &str) -> Result<Self> {
        let k = gram.nrows();
        let evd = gram
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| MetricsError::Numerical(format!("eigendecomposition of Σ_B: {e:?}")))?;
        // faer returns ascending order; reverse to descending.
        let order: Vec<usize> = (0..k).rev().collect();
        let eigenvalues: Vec<f64> = order.iter().map(|&i| evd.S()[i] / k as f64).collect();
        let vectors = Mat::from_fn(k, k, |r, c| evd.U()[(r, order[c])]);
        let rank_used = policy.kept(&eigenvalues);
        if let Some(bad) = eigenvalues[..rank_used].iter().position(|&v| v <= 0.0) {
            return Err(MetricsError::Undefined {
                variant: variant.to_string(),
                reason: format!(
                    "Σ_B has only {bad} positive eigenvalues but the policy ({}) inverts {rank_used}: the class means are affinely dependent; use the relative-cutoff policy",
                    policy.describe()
                ),
            });
        }
        Ok(Self {
            eigenvalues,
            vectors,
            rank_used,
        })
    }

    /// tr(Σ_W Σ_B^†) from A = M̄ᵀΣ_W M̄ (K×K).
    pub(crate) fn trace_within_pinv(&self, a: MatRef<'_, f64>) -> f64 {
        let k = self.eigenvalues.len();
        let kept = self.vectors.subcols(0, self.rank_used);
        let av = a * kept;
        let mut acc = 0.0;
        for i in 0..self.rank_used {
            let quad: f64 = (0..k).map(|r| kept[(r, i)] * av[(r, i)]).sum();
            let lambda_g = self.eigenvalues[i] * k as f64;
            acc += quad / (lambda_g * lambda_g);
        }
        k as f64 * acc
    }

    /// (λ_r − λ_{r+1}) / λ_1 with r the rank used (λ_{K+1} = 0): how well separated the
    /// inverted eigenvalues are from the discarded ones.
    pub fn eigengap(&self) -> f64 {
        let r = self.rank_used;
        let top = self.eigenvalues[0];
        if r == 0 || top <= 0.0 {
            return 0.0;
        }
        let next = self.eigenvalues.get(r).copied().unwrap_or(0.0);
        (self.eigenvalues[r - 1] - next) / top
    }

    /// λ_1 / λ_r over the inverted eigenvalues.
    pub fn condition_number(&self) -> f64 {
        match self.rank_used {
            0 => f64::NAN,
            r => self.eigenvalues[0] / self.eigenvalues[r - 1],
        }
    }
}
