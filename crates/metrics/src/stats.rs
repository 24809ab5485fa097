//! First pass over the features: per-class counts and means, per-class and pooled
//! within-class scatter, and the total scatter, in f64.
//!
//! Every batch is centred on its own class means and merged into the running statistics with
//! the pairwise update of Chan, Golub & LeVeque (1979): for a class seen n_a times with mean
//! μ_a and a batch part of n_b samples with mean μ_b, δ = μ_b − μ_a,
//! S ← S_a + S_b + (n_a n_b / n) δδᵀ. This never forms E[hhᵀ] − μμᵀ (which cancels
//! catastrophically when ‖μ‖ ≫ spread) and the same update merges shards from other workers.

use crate::element::{check_batch, check_dimensions, Element, CHUNK_ROWS};
use crate::error::{MetricsError, Result};
use faer::linalg::matmul::triangular::{matmul, BlockStructure};
use faer::{Accum, MatMut, MatRef};
use serde::{Deserialize, Serialize};

/// Whether the pooled d×d within-class scatter is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScatterMode {
    /// Keep the pooled d×d within-class scatter: one pass over the data gives every
    /// statistic NC1 needs. Memory O(d² + Kd).
    Full,
    /// Keep only counts, means and traces: memory O(Kd). NC1 then needs a second pass
    /// ([`crate::MeanPass`]) that projects the centred features on the K class-mean
    /// directions, so the d×d matrix is never formed.
    TraceOnly,
}

/// Streaming, mergeable, serialisable class statistics (the first pass).
///
/// Memory is independent of the number of samples. Feed row-major N×d batches with
/// [`ClassStats::push`]; combine accumulators from other batches, shards or processes with
/// [`ClassStats::merge`]; save and resume with serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassStats {
    pub(crate) classes: usize,
    pub(crate) dim: usize,
    pub(crate) moments: Moments,
    /// Pooled within-class scatter Σ_c Σ_{i∈c} (h_i − μ_c)(h_i − μ_c)ᵀ, d×d, symmetric.
    pub(crate) scatter: Option<Vec<f64>>,
}

/// Counts, means and scalar second moments of one part of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Moments {
    pub(crate) counts: Vec<u64>,
    /// Class means, K×d row-major (zero for a class not yet seen).
    pub(crate) means: Vec<f64>,
    /// Per-class Σ_{i∈c} ‖h_i − μ_c‖².
    pub(crate) class_m2: Vec<f64>,
    /// Global (count-weighted) mean.
    pub(crate) global_mean: Vec<f64>,
    /// Σ_i ‖h_i − μ_G‖², accumulated independently of the class split so the identity
    /// tr Σ_T = tr Σ_W + Σ_c (N_c/N)‖μ_c − μ_G‖² is a real check.
    pub(crate) total_m2: f64,
}

impl Moments {
    fn zeros(classes: usize, dim: usize) -> Self {
        Self {
            counts: vec![0; classes],
            means: vec![0.0; classes * dim],
            class_m2: vec![0.0; classes],
            global_mean: vec![0.0; dim],
            total_m2: 0.0,
        }
    }

    fn samples(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Chan's update of counts, means and scalar moments with `other`; returns the rows
    /// √(n_a n_b / n)·δ_c (one per class seen on both sides) whose Gram matrix corrects the
    /// pooled scatter.
    fn merge(&mut self, other: &Moments, dim: usize) -> (Vec<f64>, usize) {
        let (na_total, nb_total) = (self.samples(), other.samples());
        let mut correction = Vec::new();
        let mut rows = 0;
        for c in 0..self.counts.len() {
            let (na, nb) = (self.counts[c], other.counts[c]);
            if nb == 0 {
                continue;
            }
            let range = c * dim..(c + 1) * dim;
            if na == 0 {
                self.means[range.clone()].copy_from_slice(&other.means[range]);
                self.class_m2[c] = other.class_m2[c];
                self.counts[c] = nb;
                continue;
            }
            let n = (na + nb) as f64;
            let weight = na as f64 * nb as f64 / n;
            let frac = nb as f64 / n;
            let root = weight.sqrt();
            let mut sq = 0.0;
            for (ma, &mb) in self.means[range.clone()]
                .iter_mut()
                .zip(&other.means[range])
            {
                let delta = mb - *ma;
                sq += delta * delta;
                correction.push(root * delta);
                *ma += delta * frac;
            }
            rows += 1;
            self.class_m2[c] += other.class_m2[c] + weight * sq;
            self.counts[c] = na + nb;
        }
        if nb_total > 0 {
            if na_total == 0 {
                self.global_mean.copy_from_slice(&other.global_mean);
                self.total_m2 = other.total_m2;
            } else {
                let n = (na_total + nb_total) as f64;
                let weight = na_total as f64 * nb_total as f64 / n;
                let frac = nb_total as f64 / n;
                let mut sq = 0.0;
                for (ga, &gb) in self.global_mean.iter_mut().zip(&other.global_mean) {
                    let delta = gb - *ga;
                    sq += delta * delta;
                    *ga += delta * frac;
                }
                self.total_m2 += other.total_m2 + weight * sq;
            }
        }
        (correction, rows)
    }
}

impl ClassStats {
    /// Empty statistics for `classes` classes of `dim`-dimensional features.
    ///
    /// Fails when K < 2 or d < K − 1 (the class means of K classes span K − 1 dimensions).
    pub fn new(classes: usize, dim: usize, mode: ScatterMode) -> Result<Self> {
        check_dimensions(classes, dim)?;
        Ok(Self {
            classes,
            dim,
            moments: Moments::zeros(classes, dim),
            scatter: match mode {
                ScatterMode::Full => Some(vec![0.0; dim * dim]),
                ScatterMode::TraceOnly => None,
            },
        })
    }

    /// Adds a batch: `features` row-major N×d (f32 or f64), `labels` N class indices in 0..K.
    ///
    /// The batch is validated as a whole first (shape, label range, NaN/inf), so an error
    /// leaves the statistics unchanged. Large batches are processed in bounded row chunks.
    pub fn push<T: Element>(&mut self, features: &[T], labels: &[usize]) -> Result<()> {
        check_batch("features", features, labels, self.dim, self.classes)?;
        let d = self.dim;
        for (rows, ys) in features
            .chunks(CHUNK_ROWS * d)
            .zip(labels.chunks(CHUNK_ROWS))
        {
            self.push_chunk(rows, ys);
        }
        self.symmetrize();
        Ok(())
    }

    /// Merges statistics accumulated elsewhere (another batch range, shard or process).
    /// The result equals accumulating both parts' samples into one accumulator, up to
    /// floating-point rounding.
    pub fn merge(&mut self, other: &ClassStats) -> Result<()> {
        if other.classes != self.classes || other.dim != self.dim {
            return Err(MetricsError::Incompatible(format!(
                "shapes differ: K = {}, d = {} here and K = {}, d = {} in the other part",
                self.classes, self.dim, other.classes, other.dim
            )));
        }
        if other.mode() != self.mode() {
            return Err(MetricsError::Incompatible(format!(
                "scatter modes differ ({:?} here, {:?} in the other part): accumulate every part with the same mode",
                self.mode(),
                other.mode()
            )));
        }
        let (correction, rows) = self.moments.merge(&other.moments, self.dim);
        if let (Some(s), Some(t)) = (self.scatter.as_mut(), other.scatter.as_ref()) {
            for (a, &b) in s.iter_mut().zip(t) {
                *a += b;
            }
        }
        self.add_gram_lower(&correction, rows);
        self.symmetrize();
        Ok(())
    }

    fn push_chunk<T: Element>(&mut self, features: &[T], labels: &[usize]) {
        let (d, k, b) = (self.dim, self.classes, labels.len());
        let mut part = Moments::zeros(k, d);
        let mut centred: Vec<f64> = features.iter().map(|v| v.to_f64()).collect();
        for (row, &y) in centred.chunks_exact(d).zip(labels) {
            part.counts[y] += 1;
            for (m, &x) in part.means[y * d..(y + 1) * d].iter_mut().zip(row) {
                *m += x;
            }
            for (g, &x) in part.global_mean.iter_mut().zip(row) {
                *g += x;
            }
        }
        for c in 0..k {
            if part.counts[c] > 0 {
                let inv = 1.0 / part.counts[c] as f64;
                part.means[c * d..(c + 1) * d]
                    .iter_mut()
                    .for_each(|m| *m *= inv);
            }
        }
        let inv_b = 1.0 / b as f64;
        part.global_mean.iter_mut().for_each(|g| *g *= inv_b);
        for (row, &y) in centred.chunks_exact_mut(d).zip(labels) {
            let mean = &part.means[y * d..(y + 1) * d];
            let (mut within, mut total) = (0.0, 0.0);
            for ((x, &m), &g) in row.iter_mut().zip(mean).zip(&part.global_mean) {
                let t = *x - g;
                total += t * t;
                *x -= m;
                within += *x * *x;
            }
            part.class_m2[y] += within;
            part.total_m2 += total;
        }
        self.add_gram_lower(&centred, b);
        let (correction, rows) = self.moments.merge(&part, d);
        self.add_gram_lower(&correction, rows);
    }

    /// scatter (lower triangle) += XᵀX for a row-major `rows`×d matrix X.
    fn add_gram_lower(&mut self, x: &[f64], rows: usize) {
        let d = self.dim;
        let Some(s) = self.scatter.as_mut() else {
            return;
        };
        if rows == 0 {
            return;
        }
        let x = MatRef::from_row_major_slice(x, rows, d);
        let dst = MatMut::from_column_major_slice_mut(s, d, d);
        matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Add,
            x.transpose(),
            BlockStructure::Rectangular,
            x,
            BlockStructure::Rectangular,
            1.0,
            faer::get_global_parallelism(),
        );
    }

    /// Copies the lower triangle onto the upper one, so the stored matrix is symmetric.
    fn symmetrize(&mut self) {
        let d = self.dim;
        if let Some(s) = self.scatter.as_mut() {
            for j in 0..d {
                for i in j + 1..d {
                    s[j + i * d] = s[i + j * d];
                }
            }
        }
    }

    /// Number of classes K.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Feature dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Whether the d×d scatter is kept.
    pub fn mode(&self) -> ScatterMode {
        if self.scatter.is_some() {
            ScatterMode::Full
        } else {
            ScatterMode::TraceOnly
        }
    }

    /// Total number of samples N.
    pub fn samples(&self) -> u64 {
        self.moments.samples()
    }

    /// Samples per class N_c.
    pub fn counts(&self) -> &[u64] {
        &self.moments.counts
    }

    /// Class means μ_c, K×d row-major (a class without samples has a zero row).
    pub fn means(&self) -> &[f64] {
        &self.moments.means
    }

    /// Per-class sums Σ_{i∈c} h_i = N_c μ_c, K×d row-major.
    pub fn sums(&self) -> Vec<f64> {
        let d = self.dim;
        let mut sums = self.moments.means.clone();
        for (c, row) in sums.chunks_exact_mut(d).enumerate() {
            let n = self.moments.counts[c] as f64;
            row.iter_mut().for_each(|v| *v *= n);
        }
        sums
    }

    /// The count-weighted global mean μ_G.
    pub fn global_mean(&self) -> &[f64] {
        &self.moments.global_mean
    }

    /// Per-class Σ_{i∈c} ‖h_i − μ_c‖² (N_c times the class variance σ²_c).
    pub fn class_sq_deviations(&self) -> &[f64] {
        &self.moments.class_m2
    }

    /// tr Σ_W = (1/N) Σ_c Σ_{i∈c} ‖h_i − μ_c‖².
    pub fn within_trace(&self) -> f64 {
        self.moments.class_m2.iter().sum::<f64>() / self.samples() as f64
    }

    /// tr Σ_T = (1/N) Σ_i ‖h_i − μ_G‖², accumulated independently of the class split.
    pub fn total_trace(&self) -> f64 {
        self.moments.total_m2 / self.samples() as f64
    }

    /// The pooled within-class scatter N·Σ_W (d×d, symmetric, column-major), when kept.
    pub fn scatter(&self) -> Option<&[f64]> {
        self.scatter.as_deref()
    }

    /// Fails with [`MetricsError::EmptyClass`] if a class has no sample.
    pub fn check_complete(&self) -> Result<()> {
        match self.moments.counts.iter().position(|&n| n == 0) {
            Some(class) => Err(MetricsError::EmptyClass { class }),
            None => Ok(()),
        }
    }
}
