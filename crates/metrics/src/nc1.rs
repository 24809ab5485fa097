//! Within-class variability collapse (NC1) in its variants, all from K×K matrices, and an
//! independent d×d computation used to cross-check them.

use crate::error::{MetricsError, Result};
use crate::geometry::centred_means;
use crate::pinv::{BetweenSpectrum, PinvPolicy};
use crate::stats::ClassStats;
use faer::{Mat, MatRef, Side};

/// A = M̄ᵀΣ_W M̄ (K×K) from the full d×d scatter of a one-pass accumulator.
pub(crate) fn projected_from_scatter(stats: &ClassStats, scatter: &[f64]) -> Mat<f64> {
    let d = stats.dim();
    let s = MatRef::from_column_major_slice(scatter, d, d);
    let mbar_t = centred_means(stats);
    let n = stats.samples() as f64;
    let sm = s * mbar_t.transpose();
    let a = &mbar_t * sm;
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)] / n)
}

/// `nc1` = tr(Σ_W Σ_B^†)/K from A = M̄ᵀΣ_W M̄ and the spectrum of G = M̄ᵀM̄.
pub(crate) fn nc1(a: MatRef<'_, f64>, spectrum: &BetweenSpectrum) -> f64 {
    spectrum.trace_within_pinv(a) / a.nrows() as f64
}

/// `nc1_papyan` = tr(Σ_W Σ̃_B^†), Σ̃_B around the unweighted mean of the class means.
///
/// The columns of M̃ are μ_c − (1/K)Σμ_c = M̄P with P = I − 11ᵀ/K, so Ã = PAP and G̃ = PGP.
pub(crate) fn nc1_papyan(
    a: MatRef<'_, f64>,
    gram: MatRef<'_, f64>,
    policy: PinvPolicy,
) -> Result<f64> {
    let k = a.nrows();
    let p = Mat::from_fn(k, k, |i, j| {
        if i == j {
            1.0 - 1.0 / k as f64
        } else {
            -1.0 / k as f64
        }
    });
    let a_tilde = &p * a * &p;
    let g_tilde = &p * gram * &p;
    let spectrum = BetweenSpectrum::new(g_tilde.as_ref(), policy, "nc1_papyan")?;
    Ok(spectrum.trace_within_pinv(a_tilde.as_ref()))
}

/// `nc1_quotient` = tr Σ_W / tr Σ_B.
pub(crate) fn nc1_quotient(stats: &ClassStats, gram: MatRef<'_, f64>) -> Result<f64> {
    let k = gram.nrows();
    let between = (0..k).map(|c| gram[(c, c)]).sum::<f64>() / k as f64;
    if between <= 0.0 {
        return Err(MetricsError::Undefined {
            variant: "nc1_quotient".into(),
            reason: "tr Σ_B = 0: every class has the same mean".into(),
        });
    }
    Ok(stats.within_trace() / between)
}

/// `cdnv` = mean over pairs c ≠ c' of (σ²_c + σ²_{c'}) / (2‖μ_c − μ_{c'}‖²).
pub(crate) fn cdnv(stats: &ClassStats, gram: MatRef<'_, f64>) -> Result<f64> {
    let k = gram.nrows();
    let var: Vec<f64> = stats
        .class_sq_deviations()
        .iter()
        .zip(stats.counts())
        .map(|(&m2, &n)| m2 / n as f64)
        .collect();
    let mut acc = 0.0;
    for j in 0..k {
        for i in j + 1..k {
            let dist2 = gram[(i, i)] + gram[(j, j)] - 2.0 * gram[(i, j)];
            if dist2 <= 0.0 {
                return Err(MetricsError::Undefined {
                    variant: "cdnv".into(),
                    reason: format!("classes {j} and {i} have the same mean"),
                });
            }
            acc += (var[i] + var[j]) / (2.0 * dist2);
        }
    }
    Ok(acc / (k * (k - 1) / 2) as f64)
}

/// tr(Σ_W Σ_B^†)/K computed the slow, direct way: Σ_B formed as a d×d matrix, its full
/// eigendecomposition, the pseudo-inverse by `policy`, and the trace of the d×d product.
/// O(d³); needs the one-pass scatter. It shares no code with the K×K path and exists to
/// check it.
pub fn nc1_full(stats: &ClassStats, policy: PinvPolicy) -> Result<f64> {
    stats.check_complete()?;
    let scatter = stats.scatter().ok_or_else(|| MetricsError::MissingInput {
        variant: "nc1 (full d x d path)".into(),
        needs: "the d x d within-class scatter".into(),
        fix: "accumulate with ScatterMode::Full".into(),
    })?;
    let (k, d) = (stats.classes(), stats.dim());
    let n = stats.samples() as f64;
    let means = stats.means();
    let g = stats.global_mean();
    let mut sigma_b = Mat::<f64>::zeros(d, d);
    for c in 0..k {
        let dev: Vec<f64> = (0..d).map(|j| means[c * d + j] - g[j]).collect();
        for j in 0..d {
            for i in 0..d {
                sigma_b[(i, j)] += dev[i] * dev[j] / k as f64;
            }
        }
    }
    let evd = sigma_b
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| MetricsError::Numerical(format!("eigendecomposition of d x d Σ_B: {e:?}")))?;
    let values: Vec<f64> = (0..d).rev().map(|i| evd.S()[i]).collect();
    let kept = match policy {
        PinvPolicy::RankTruncated => k - 1,
        PinvPolicy::RelativeCutoff { .. } => policy.kept(&values),
    };
    let mut pinv = Mat::<f64>::zeros(d, d);
    for (idx, &lambda) in values.iter().take(kept).enumerate() {
        let u = evd.U().col(d - 1 - idx);
        for j in 0..d {
            for i in 0..d {
                pinv[(i, j)] += u[i] * u[j] / lambda;
            }
        }
    }
    let sw = MatRef::from_column_major_slice(scatter, d, d);
    let product = sw * &pinv;
    let trace: f64 = (0..d).map(|i| product[(i, i)]).sum::<f64>() / n;
    Ok(trace / k as f64)
}
