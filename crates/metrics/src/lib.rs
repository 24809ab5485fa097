//! `collapse-metrics`: neural-collapse metrics from streaming, mergeable f64 statistics,
//! as a registry of named variants (definitions and sources: `docs/metrics.md`).
//!
//! # Use from a training loop (per epoch)
//!
//! ```
//! use collapse_metrics::{evaluate, ClassStats, Evaluation, Head, MeanPass, PinvPolicy, ScatterMode};
//! # fn main() -> Result<(), collapse_metrics::MetricsError> {
//! let (k, d) = (3, 4);
//! // A batch: row-major N×d features (f32 or f64) and N labels in 0..K.
//! let feats: Vec<f32> = vec![
//!     1.0, 0.0, 0.0, 0.1,   0.9, 0.1, 0.0, 0.0,
//!     0.0, 1.0, 0.0, 0.0,   0.1, 0.9, 0.0, 0.1,
//!     0.0, 0.0, 1.0, 0.0,   0.0, 0.1, 0.9, 0.0,
//! ];
//! let labels = vec![0, 0, 1, 1, 2, 2];
//! let w: Vec<f32> = vec![1.0, 0.0, 0.0, 0.0,  0.0, 1.0, 0.0, 0.0,  0.0, 0.0, 1.0, 0.0];
//! let head = Head::new(&w, k, d, None::<&[f32]>)?;
//!
//! // Pass 1: call push once per batch (any batch sizes; merge() combines workers).
//! let mut stats = ClassStats::new(k, d, ScatterMode::Full)?;
//! stats.push(&feats, &labels)?;
//!
//! // Pass 2 (optional): only NC4 needs it (and NC1 under ScatterMode::TraceOnly).
//! let mut pass = MeanPass::new(&stats, Some(&head))?;
//! pass.push(&feats, &labels)?;
//!
//! let report = evaluate(
//!     &Evaluation { train: &stats, train_pass: Some(&pass), test_pass: None,
//!                   head: Some(&head), pinv: PinvPolicy::RankTruncated },
//!     &[], // empty: every variant the inputs allow; or e.g. &[Variant::Nc1]
//! )?;
//! assert!(report.metrics["nc1"] >= 0.0);
//! # Ok(()) }
//! ```
//!
//! Memory: [`ScatterMode::Full`] keeps the d×d scatter (O(d² + Kd)) and gives NC1 in one
//! pass; [`ScatterMode::TraceOnly`] keeps O(Kd) and computes NC1 from the second pass in
//! O(K² + Kd), never forming a d×d matrix. Neither depends on the number of samples.
//!
//! Numerics: everything in f64; batches are centred on their own class means and merged
//! with Chan et al.'s update; the pseudo-inverse of Σ_B follows an explicit
//! [`PinvPolicy`] and its rank, eigengap and condition number are reported in
//! [`Diagnostics`], together with the check tr Σ_T = tr Σ_W + Σ_c (N_c/N)‖μ_c − μ_G‖².

mod element;
mod error;
mod geometry;
mod head;
mod mean_pass;
mod nc1;
mod pinv;
mod report;
mod stats;
mod stats_file;
mod variant;

pub use element::Element;
pub use error::{MetricsError, Result};
pub use head::Head;
pub use mean_pass::MeanPass;
pub use nc1::nc1_full;
pub use pinv::PinvPolicy;
pub use report::{evaluate, Diagnostics, Evaluation, Report};
pub use stats::{ClassStats, ScatterMode};
pub use stats_file::{
    decode, encode, means_hash, merge_named, PassKind, SourceDtype, Statistics, StatsFile,
    FORMAT_VERSION,
};
pub use variant::{Needs, Variant};
