//! Computing the requested variants from finished accumulators into one report.

use crate::error::{MetricsError, Result};
use crate::geometry::{
    centred_means, coefficient_of_variation, mean_abs_etf_angle_gap, norms, pairwise_cosines,
    row_gram, std_dev,
};
use crate::head::Head;
use crate::mean_pass::MeanPass;
use crate::nc1;
use crate::pinv::{BetweenSpectrum, PinvPolicy};
use crate::stats::ClassStats;
use crate::variant::Variant;
use collapse_core::etf::normalized_distance_to_etf;
use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the metrics are computed from. Only `train` is required; each variant says
/// what else it needs ([`Variant::needs`]).
#[derive(Debug, Clone, Copy)]
pub struct Evaluation<'a> {
    /// First-pass statistics of the training features.
    pub train: &'a ClassStats,
    /// Second pass over the training samples, started from `train` (for `nc4`, and for NC1
    /// when `train` was accumulated without the d×d scatter).
    pub train_pass: Option<&'a MeanPass>,
    /// Pass over test samples, started from `train` (for `nc4_test`).
    pub test_pass: Option<&'a MeanPass>,
    /// The classifier head.
    pub head: Option<&'a Head>,
    /// Pseudo-inverse policy for Σ_B.
    pub pinv: PinvPolicy,
}

/// Numbers reported beside the metrics, to judge how far the NC1 values can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// The pseudo-inverse policy applied to Σ_B.
    pub pinv_policy: String,
    /// Where M̄ᵀΣ_W M̄ came from: the one-pass d×d scatter or the second-pass projection.
    pub nc1_source: Option<String>,
    /// Number of eigenvalues of Σ_B inverted.
    pub sigma_b_rank_used: usize,
    /// The K largest eigenvalues of Σ_B (count-weighted μ_G), descending.
    pub sigma_b_eigenvalues: Vec<f64>,
    /// (λ_r − λ_{r+1})/λ_1 for the rank r used.
    pub sigma_b_eigengap: f64,
    /// λ_1/λ_r over the inverted eigenvalues.
    pub sigma_b_condition_number: f64,
    /// Samples per class N_c.
    pub class_counts: Vec<u64>,
    /// tr Σ_T, accumulated on its own.
    pub trace_total: f64,
    /// tr Σ_W.
    pub trace_within: f64,
    /// Σ_c (N_c/N)‖μ_c − μ_G‖².
    pub trace_between_weighted: f64,
    /// |tr Σ_T − tr Σ_W − Σ_c (N_c/N)‖μ_c − μ_G‖²| / tr Σ_T: should be ~1e-12 or less.
    pub trace_identity_relative_error: f64,
    /// Number of test samples, when a test pass was given.
    pub test_samples: Option<u64>,
}

/// The result: sizes, metric values keyed by variant name, diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Number of classes K.
    pub classes: usize,
    /// Number of training samples N.
    pub samples: u64,
    /// Feature dimension d.
    pub dim: usize,
    /// Metric values keyed by [`Variant::name`].
    pub metrics: BTreeMap<String, f64>,
    /// Spectral and consistency diagnostics.
    pub diagnostics: Diagnostics,
}

impl Report {
    /// The value of one variant, if it was computed.
    pub fn get(&self, variant: Variant) -> Option<f64> {
        self.metrics.get(variant.name()).copied()
    }
}

/// Computes `variants` (all that the given inputs allow, when empty) into a [`Report`].
///
/// An explicitly requested variant whose inputs are missing is an error naming the fix.
pub fn evaluate(input: &Evaluation<'_>, variants: &[Variant]) -> Result<Report> {
    let stats = input.train;
    stats.check_complete()?;
    let (k, d) = (stats.classes(), stats.dim());
    if let Some(h) = input.head {
        h.check_fits(k, d)?;
    }
    for (pass, what) in [(input.train_pass, "train"), (input.test_pass, "test")] {
        if pass.is_some_and(|p| !p.matches(stats)) {
            return Err(MetricsError::Incompatible(format!(
                "the {what} pass was not started from these training statistics: build it with MeanPass::new(&train_stats, head)"
            )));
        }
    }
    let explicit = !variants.is_empty();
    let wanted: Vec<Variant> = if explicit {
        variants.to_vec()
    } else {
        Variant::ALL.to_vec()
    };

    let mbar_t = centred_means(stats);
    let gram = row_gram(mbar_t.as_ref());
    let spectrum = BetweenSpectrum::new(gram.as_ref(), input.pinv, "nc1")?;
    let projected: Option<(Mat<f64>, &str)> = match (stats.scatter(), input.train_pass) {
        (Some(s), _) => Some((
            nc1::projected_from_scatter(stats, s),
            "d x d within-class scatter (one pass)",
        )),
        (None, Some(p)) => p
            .projected_within()
            .map(|a| (a, "K x K projection of the centred features (second pass)")),
        (None, None) => None,
    };
    let w_gram = input
        .head
        .map(|h| row_gram(MatRef::from_row_major_slice(h.weights(), k, d)));

    let mut metrics = BTreeMap::new();
    for v in wanted {
        let missing = missing_input(v, input, projected.is_some());
        if let Some(err) = missing {
            if explicit {
                return Err(err);
            }
            continue;
        }
        let value = match v {
            Variant::Nc1 => nc1::nc1(projected.as_ref().unwrap().0.as_ref(), &spectrum),
            Variant::Nc1Papyan => nc1::nc1_papyan(
                projected.as_ref().unwrap().0.as_ref(),
                gram.as_ref(),
                input.pinv,
            )?,
            Variant::Nc1Quotient => nc1::nc1_quotient(stats, gram.as_ref())?,
            Variant::Cdnv => nc1::cdnv(stats, gram.as_ref())?,
            Variant::Nc2M => normalized_distance_to_etf(gram.as_ref()),
            Variant::EquinormM => coefficient_of_variation(&norms(gram.as_ref())),
            Variant::EquiangleM => std_dev(&pairwise_cosines(gram.as_ref())),
            Variant::MaxangleM => mean_abs_etf_angle_gap(&pairwise_cosines(gram.as_ref()), k),
            Variant::Nc2W => normalized_distance_to_etf(w_gram.as_ref().unwrap().as_ref()),
            Variant::EquinormW => {
                coefficient_of_variation(&norms(w_gram.as_ref().unwrap().as_ref()))
            }
            Variant::EquiangleW => std_dev(&pairwise_cosines(w_gram.as_ref().unwrap().as_ref())),
            Variant::MaxangleW => {
                mean_abs_etf_angle_gap(&pairwise_cosines(w_gram.as_ref().unwrap().as_ref()), k)
            }
            Variant::Nc3 => {
                let w = MatRef::from_row_major_slice(input.head.unwrap().weights(), k, d);
                normalized_distance_to_etf((w * mbar_t.transpose()).as_ref())
            }
            Variant::Nc3Papyan => nc3_papyan(input.head.unwrap(), mbar_t.as_ref()),
            Variant::Nc4 => input.train_pass.and_then(MeanPass::ncc_mismatch).unwrap(),
            Variant::Nc4Test => input.test_pass.and_then(MeanPass::ncc_mismatch).unwrap(),
            Variant::Bias => bias_norm(input.head.unwrap(), stats.global_mean()),
        };
        metrics.insert(v.name().to_string(), value);
    }

    let n = stats.samples() as f64;
    let between_weighted: f64 = (0..k)
        .map(|c| stats.counts()[c] as f64 / n * gram[(c, c)])
        .sum();
    let (total, within) = (stats.total_trace(), stats.within_trace());
    let diagnostics = Diagnostics {
        pinv_policy: input.pinv.describe(),
        nc1_source: projected.as_ref().map(|p| p.1.to_string()),
        sigma_b_rank_used: spectrum.rank_used,
        sigma_b_eigenvalues: spectrum.eigenvalues.clone(),
        sigma_b_eigengap: spectrum.eigengap(),
        sigma_b_condition_number: spectrum.condition_number(),
        class_counts: stats.counts().to_vec(),
        trace_total: total,
        trace_within: within,
        trace_between_weighted: between_weighted,
        trace_identity_relative_error: if total > 0.0 {
            (total - within - between_weighted).abs() / total
        } else {
            0.0
        },
        test_samples: input.test_pass.map(MeanPass::samples),
    };
    Ok(Report {
        classes: k,
        samples: stats.samples(),
        dim: d,
        metrics,
        diagnostics,
    })
}

/// The error for a variant whose inputs are absent, if any.
fn missing_input(
    v: Variant,
    input: &Evaluation<'_>,
    have_projection: bool,
) -> Option<MetricsError> {
    let needs = v.needs();
    let err = |needs: &str, fix: &str| {
        Some(MetricsError::MissingInput {
            variant: v.name().into(),
            needs: needs.into(),
            fix: fix.into(),
        })
    };
    if needs.head && input.head.is_none() {
        return err("the classifier head W", "pass the weights (--weights)");
    }
    if matches!(v, Variant::Nc1 | Variant::Nc1Papyan) && !have_projection {
        return err(
            "the within-class scatter",
            "accumulate with ScatterMode::Full, or run a second pass (MeanPass) over the training samples",
        );
    }
    if needs.train_pass && input.train_pass.and_then(MeanPass::ncc_mismatch).is_none() {
        return err(
            "a second pass over the training samples with the head",
            "run MeanPass::new(&train_stats, Some(&head)) over the training samples",
        );
    }
    if needs.test_pass && input.test_pass.and_then(MeanPass::ncc_mismatch).is_none() {
        return err(
            "test features and labels, with the head",
            "pass --test-features and --test-labels (and --weights)",
        );
    }
    None
}

/// ‖W/‖W‖_F − M̄ᵀ/‖M̄‖_F‖²_F.
fn nc3_papyan(head: &Head, mbar_t: MatRef<'_, f64>) -> f64 {
    let w = head.weights();
    let (k, d) = (mbar_t.nrows(), mbar_t.ncols());
    let wn = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mn = mbar_t.norm_l2();
    let mut acc = 0.0;
    for c in 0..k {
        for j in 0..d {
            let t = w[c * d + j] / wn - mbar_t[(c, j)] / mn;
            acc += t * t;
        }
    }
    acc
}

/// ‖Wμ_G + b‖₂ (b = 0 when the head has none).
fn bias_norm(head: &Head, global_mean: &[f64]) -> f64 {
    let d = head.dim();
    head.weights()
        .chunks_exact(d)
        .enumerate()
        .map(|(c, row)| {
            let v = row.iter().zip(global_mean).map(|(a, b)| a * b).sum::<f64>()
                + head.bias().map_or(0.0, |b| b[c]);
            v * v
        })
        .sum::<f64>()
        .sqrt()
}
