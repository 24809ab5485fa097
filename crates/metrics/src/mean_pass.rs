//! Second pass over the samples, once the class means are final. It gives what one pass
//! cannot: the nearest-class-centre agreement (NC4, which compares each sample with the
//! final means) and NC1 in O(K² + Kd) memory, by accumulating only the K×K matrix
//! Σ_i (M̄ᵀ(h_i − μ_{y_i}))(M̄ᵀ(h_i − μ_{y_i}))ᵀ = N·M̄ᵀΣ_W M̄ — all NC1 needs, since Σ_B^†
//! lives in the span of the centred class means M̄ (reference.md §4).

use crate::element::{check_batch, Element, CHUNK_ROWS};
use crate::error::{MetricsError, Result};
use crate::geometry::row_gram;
use crate::head::Head;
use crate::stats::ClassStats;
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, Mat, MatMut, MatRef};
use serde::{Deserialize, Serialize};

/// Second-pass accumulator, built from finished first-pass [`ClassStats`] (the training
/// set's). Feed it the training samples again for NC4 on train and the O(K² + Kd) NC1, or a
/// test set for NC4 on test. Mergeable and serialisable like the first pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanPass {
    classes: usize,
    dim: usize,
    /// Class means μ_c, K×d row-major (fixed).
    means: Vec<f64>,
    /// G = M̄ᵀM̄, K×K column-major, for nearest-centre distances.
    centred_gram: Vec<f64>,
    /// Rows μ_c − μ_G: M̄ᵀ, K×d row-major (fixed).
    centred_means: Vec<f64>,
    /// Σ_i p_i p_iᵀ with p_i = M̄ᵀ(h_i − μ_{y_i}), K×K column-major, lower triangle only.
    projected: Vec<f64>,
    samples: u64,
    ncc: Option<NccCounter>,
}

/// Counts the samples where the classifier and the nearest class centre disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NccCounter {
    weights: Vec<f64>,
    bias: Vec<f64>,
    mismatches: u64,
}

impl MeanPass {
    /// Starts a second pass against the (complete) statistics `stats`; with a `head`, it also
    /// counts nearest-class-centre mismatches.
    pub fn new(stats: &ClassStats, head: Option<&Head>) -> Result<Self> {
        stats.check_complete()?;
        let (k, d) = (stats.classes(), stats.dim());
        let means = stats.means().to_vec();
        let mut centred_means = means.clone();
        for row in centred_means.chunks_exact_mut(d) {
            for (m, &g) in row.iter_mut().zip(stats.global_mean()) {
                *m -= g;
            }
        }
        let g = row_gram(MatRef::from_row_major_slice(&centred_means, k, d));
        let centred_gram = (0..k * k).map(|i| g[(i % k, i / k)]).collect();
        let ncc = match head {
            None => None,
            Some(h) => {
                h.check_fits(k, d)?;
                Some(NccCounter {
                    weights: h.weights().to_vec(),
                    bias: h.bias().map_or_else(|| vec![0.0; k], <[f64]>::to_vec),
                    mismatches: 0,
                })
            }
        };
        Ok(Self {
            classes: k,
            dim: d,
            means,
            centred_gram,
            centred_means,
            projected: vec![0.0; k * k],
            samples: 0,
            ncc,
        })
    }

    /// Adds a batch (row-major N×d features, N labels); validated as a whole first.
    pub fn push<T: Element>(&mut self, features: &[T], labels: &[usize]) -> Result<()> {
        check_batch("features", features, labels, self.dim, self.classes)?;
        let d = self.dim;
        for (rows, ys) in features
            .chunks(CHUNK_ROWS * d)
            .zip(labels.chunks(CHUNK_ROWS))
        {
            self.push_chunk(rows, ys);
        }
        Ok(())
    }

    fn push_chunk<T: Element>(&mut self, features: &[T], labels: &[usize]) {
        let (k, d, b) = (self.classes, self.dim, labels.len());
        let par = faer::get_global_parallelism();
        let mut h: Vec<f64> = features.iter().map(|v| v.to_f64()).collect();
        let logits = self.ncc.as_ref().map(|ncc| {
            let mut logits = Mat::<f64>::zeros(b, k);
            let w = MatRef::from_row_major_slice(&ncc.weights, k, d);
            let hm = MatRef::from_row_major_slice(&h, b, d);
            matmul(&mut logits, Accum::Replace, hm, w.transpose(), 1.0, par);
            logits
        });
        for (row, &y) in h.chunks_exact_mut(d).zip(labels) {
            for (x, &m) in row.iter_mut().zip(&self.means[y * d..(y + 1) * d]) {
                *x -= m;
            }
        }
        let centred = MatRef::from_row_major_slice(&h, b, d);
        let basis = MatRef::from_row_major_slice(&self.centred_means, k, d);
        let mut p = Mat::<f64>::zeros(b, k);
        matmul(&mut p, Accum::Replace, centred, basis.transpose(), 1.0, par);
        if let (Some(ncc), Some(logits)) = (self.ncc.as_mut(), logits) {
            // ‖h − μ_c‖² = ‖h − μ_G‖² − 2(h − μ_G)ᵀμ̄_c + ‖μ̄_c‖² with μ̄_c = μ_c − μ_G, and
            // (h − μ_G)ᵀμ̄_c = p_c + G[y, c]: the nearest centre from the same product as
            // the projection, without the offset ‖μ_G‖ entering the comparison.
            let g = &self.centred_gram;
            for (i, &y) in labels.iter().enumerate() {
                let nearest =
                    argmin((0..k).map(|c| g[c + c * k] - 2.0 * (p[(i, c)] + g[y + c * k])));
                let predicted = argmax((0..k).map(|c| logits[(i, c)] + ncc.bias[c]));
                if nearest != predicted {
                    ncc.mismatches += 1;
                }
            }
        }
        let dst = MatMut::from_column_major_slice_mut(&mut self.projected, k, k);
        triangular::matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Add,
            p.transpose(),
            BlockStructure::Rectangular,
            &p,
            BlockStructure::Rectangular,
            1.0,
            par,
        );
        self.samples += b as u64;
    }

    /// Merges a pass over other samples started from the same statistics and head.
    pub fn merge(&mut self, other: &MeanPass) -> Result<()> {
        let same_head = match (&self.ncc, &other.ncc) {
            (None, None) => true,
            (Some(a), Some(b)) => a.weights == b.weights && a.bias == b.bias,
            _ => false,
        };
        if self.means != other.means || self.centred_means != other.centred_means || !same_head {
            return Err(MetricsError::Incompatible(
                "second passes started from different class means or heads: start every part from the same merged first-pass statistics and head".into(),
            ));
        }
        for (a, &b) in self.projected.iter_mut().zip(&other.projected) {
            *a += b;
        }
        if let (Some(a), Some(b)) = (self.ncc.as_mut(), other.ncc.as_ref()) {
            a.mismatches += b.mismatches;
        }
        self.samples += other.samples;
        Ok(())
    }

    /// Number of samples seen in this pass.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Whether this pass was built from exactly these class means.
    pub(crate) fn matches(&self, stats: &ClassStats) -> bool {
        self.classes == stats.classes() && self.dim == stats.dim() && self.means == stats.means()
    }

    /// M̄ᵀΣ_W M̄ (K×K, column-major) over the samples of this pass, when there were any.
    pub fn projected_within(&self) -> Option<Mat<f64>> {
        if self.samples == 0 {
            return None;
        }
        let k = self.classes;
        let n = self.samples as f64;
        // Only the lower triangle is accumulated.
        Some(Mat::from_fn(k, k, |i, j| {
            self.projected[i.max(j) + i.min(j) * k] / n
        }))
    }

    /// Fraction of samples whose classifier argmax differs from the nearest class mean
    /// (None without a head or without samples).
    pub fn ncc_mismatch(&self) -> Option<f64> {
        let ncc = self.ncc.as_ref()?;
        (self.samples > 0).then(|| ncc.mismatches as f64 / self.samples as f64)
    }
}

/// Index of the first smallest value.
fn argmin(values: impl Iterator<Item = f64>) -> usize {
    let mut best = (0, f64::INFINITY);
    for (i, v) in values.enumerate() {
        if v < best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Index of the first largest value.
fn argmax(values: impl Iterator<Item = f64>) -> usize {
    argmin(values.map(|v| -v))
}
