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
    pub(crate) classes: usize,
    pub(crate) dim: usize,
    /// Class means μ_c, K×d row-major (fixed).
    pub(crate) means: Vec<f64>,
    /// G = M̄ᵀM̄, K×K column-major, for nearest-centre distances.
    pub(crate) centred_gram: Vec<f64>,
    /// Rows μ_c − μ_G: M̄ᵀ, K×d row-major (fixed).
    pub(crate) centred_means: Vec<f64>,
    /// Σ_i p_i p_iᵀ with p_i = M̄ᵀ(h_i − μ_{y_i}), K×K column-major, lower triangle only.
    pub(crate) projected: Vec<f64>,
    /// Samples seen per class in this pass.
    pub(crate) class_samples: Vec<u64>,
    pub(crate) ncc: Option<NccCounter>,
}

/// Counts the samples where the classifier and the nearest class centre disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NccCounter {
    pub(crate) weights: Vec<f64>,
    pub(crate) bias: Vec<f64>,
    /// Disagreements per class (by the sample's label).
    pub(crate) mismatches: Vec<u64>,
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
                    mismatches: vec![0; k],
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
            class_samples: vec![0; k],
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
                    ncc.mismatches[y] += 1;
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
        for &y in labels {
            self.class_samples[y] += 1;
        }
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
            add_counts(&mut a.mismatches, &b.mismatches);
        }
        add_counts(&mut self.class_samples, &other.class_samples);
        Ok(())
    }

    /// Number of samples seen in this pass.
    pub fn samples(&self) -> u64 {
        self.class_samples.iter().sum()
    }

    /// Samples seen per class in this pass.
    pub fn class_samples(&self) -> &[u64] {
        &self.class_samples
    }

    /// Whether this pass was built from exactly these class means.
    pub(crate) fn matches(&self, stats: &ClassStats) -> bool {
        self.classes == stats.classes() && self.dim == stats.dim() && self.means == stats.means()
    }

    /// M̄ᵀΣ_W M̄ (K×K, column-major) over the samples of this pass, when there were any.
    pub fn projected_within(&self) -> Option<Mat<f64>> {
        let n = self.samples() as f64;
        if n == 0.0 {
            return None;
        }
        let k = self.classes;
        // Only the lower triangle is accumulated.
        Some(Mat::from_fn(k, k, |i, j| {
            self.projected[i.max(j) + i.min(j) * k] / n
        }))
    }

    /// Fraction of samples whose classifier argmax differs from the nearest class mean
    /// (None without a head or without samples).
    pub fn ncc_mismatch(&self) -> Option<f64> {
        let ncc = self.ncc.as_ref()?;
        let n = self.samples();
        (n > 0).then(|| ncc.mismatches.iter().sum::<u64>() as f64 / n as f64)
    }

    /// Per class (by label), the fraction of its samples in this pass on which the classifier
    /// agrees with the nearest class centre (None without a head; NaN for a class not seen).
    pub fn ncc_agreement_per_class(&self) -> Option<Vec<f64>> {
        let ncc = self.ncc.as_ref()?;
        Some(
            ncc.mismatches
                .iter()
                .zip(&self.class_samples)
                .map(|(&m, &n)| 1.0 - m as f64 / n as f64)
                .collect(),
        )
    }

    /// Class means the pass is centred on (K×d row-major).
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// The head the pass compared with the nearest centre, if it was given one.
    pub fn head(&self) -> Option<Head> {
        let ncc = self.ncc.as_ref()?;
        Head::new(
            &ncc.weights,
            self.classes,
            self.dim,
            Some(ncc.bias.as_slice()),
        )
        .ok()
    }

    /// Whether the pass counted NC4 with exactly this head (a head without bias counts as
    /// b = 0).
    pub fn counted_with(&self, head: &Head) -> bool {
        self.ncc.as_ref().is_some_and(|ncc| {
            ncc.weights == head.weights()
                && head
                    .bias()
                    .map_or(ncc.bias.iter().all(|&b| b == 0.0), |b| ncc.bias == b)
        })
    }
}

/// a += b elementwise (equal lengths: both come from the same K).
fn add_counts(a: &mut [u64], b: &[u64]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x += y;
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
