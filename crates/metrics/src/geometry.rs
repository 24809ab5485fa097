//! Small geometric summaries of a set of K vectors given by their Gram matrix: norms,
//! pairwise cosines, and the centred class-mean matrix M̄ they are taken of.

use crate::stats::ClassStats;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef};

/// M̄ᵀ: rows μ_c − μ_G with the count-weighted global mean, K×d.
pub(crate) fn centred_means(stats: &ClassStats) -> Mat<f64> {
    let (k, d) = (stats.classes(), stats.dim());
    let means = MatRef::from_row_major_slice(stats.means(), k, d);
    let g = stats.global_mean();
    Mat::from_fn(k, d, |c, j| means[(c, j)] - g[j])
}

/// X Xᵀ for a K×d matrix X (the Gram matrix of its rows).
pub(crate) fn row_gram(x: MatRef<'_, f64>) -> Mat<f64> {
    let k = x.nrows();
    let mut g = Mat::<f64>::zeros(k, k);
    matmul(
        &mut g,
        Accum::Replace,
        x,
        x.transpose(),
        1.0,
        faer::get_global_parallelism(),
    );
    g
}

/// Norms √G_cc of the vectors behind a Gram matrix.
pub(crate) fn norms(gram: MatRef<'_, f64>) -> Vec<f64> {
    (0..gram.nrows())
        .map(|c| gram[(c, c)].max(0.0).sqrt())
        .collect()
}

/// Coefficient of variation std/mean (population std, ddof = 0).
pub(crate) fn coefficient_of_variation(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    var.sqrt() / mean
}

/// Cosines of the K(K−1)/2 unordered pairs c < c'.
pub(crate) fn pairwise_cosines(gram: MatRef<'_, f64>) -> Vec<f64> {
    let k = gram.nrows();
    let n = norms(gram);
    let mut out = Vec::with_capacity(k * (k - 1) / 2);
    for j in 0..k {
        for i in j + 1..k {
            out.push(gram[(i, j)] / (n[i] * n[j]));
        }
    }
    out
}

/// Population standard deviation (ddof = 0).
pub(crate) fn std_dev(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Mean of |cos + 1/(K−1)| over the pairs: 0 exactly at the simplex angle.
pub(crate) fn mean_abs_etf_angle_gap(cosines: &[f64], classes: usize) -> f64 {
    let target = 1.0 / (classes as f64 - 1.0);
    cosines.iter().map(|c| (c + target).abs()).sum::<f64>() / cosines.len() as f64
}
