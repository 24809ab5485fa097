//! The three abstractions the rest of the project builds on. They are deliberately small:
//! a source of features, a classifier head, and a named metric.

use crate::error::Result;
use crate::etf::{simplex_etf, Placement};
use crate::ufm::Point;
use faer::{Mat, MatRef};

/// Penultimate-layer features with their labels: a network's, or the UFM's free H.
pub trait FeatureModel {
    /// K.
    fn classes(&self) -> usize;
    /// Features as a d×N matrix (column j is sample j).
    fn features(&self) -> MatRef<'_, f64>;
    /// The label of every column.
    fn labels(&self) -> &[usize];
}

/// A linear classifier z = W h + b.
pub trait ClassifierHead {
    /// W, K×d.
    fn weights(&self) -> MatRef<'_, f64>;
    /// b, or `None` for a head without bias.
    fn bias(&self) -> Option<&[f64]>;
    /// False for a frozen head (fixed ETF): optimisers must leave W alone and not decay it.
    fn is_trainable(&self) -> bool;
}

/// A scalar diagnostic of features and classifier with a registry name (e.g. `nc2_w`).
pub trait Metric {
    /// The registry name, stable across releases.
    fn name(&self) -> &'static str;
    /// The value; a metric may ignore either argument.
    fn compute(&self, features: &dyn FeatureModel, head: &dyn ClassifierHead) -> f64;
}

/// A learned head: W and b are parameters.
#[derive(Debug, Clone)]
pub struct LearnedHead {
    /// W, K×d.
    pub w: Mat<f64>,
    /// b.
    pub b: Option<Vec<f64>>,
}

/// The paper's fixed classifier: W is a unit-row simplex ETF, frozen; b stays trainable.
#[derive(Debug, Clone)]
pub struct FixedEtfHead {
    w: Mat<f64>,
    /// b (trainable and decayed, as in the paper).
    pub b: Option<Vec<f64>>,
}

impl FixedEtfHead {
    /// A fixed ETF head of K classes in R^d.
    pub fn new(classes: usize, dim: usize, placement: Placement, bias: bool) -> Result<Self> {
        Ok(Self {
            w: simplex_etf(classes, dim, placement)?,
            b: bias.then(|| vec![0.0; classes]),
        })
    }
}

impl ClassifierHead for LearnedHead {
    fn weights(&self) -> MatRef<'_, f64> {
        self.w.as_ref()
    }
    fn bias(&self) -> Option<&[f64]> {
        self.b.as_deref()
    }
    fn is_trainable(&self) -> bool {
        true
    }
}

impl ClassifierHead for FixedEtfHead {
    fn weights(&self) -> MatRef<'_, f64> {
        self.w.as_ref()
    }
    fn bias(&self) -> Option<&[f64]> {
        self.b.as_deref()
    }
    fn is_trainable(&self) -> bool {
        false
    }
}

/// A UFM point with its labels is both a feature model and a (learned) head.
#[derive(Debug, Clone, Copy)]
pub struct UfmView<'a> {
    /// The point.
    pub point: &'a Point,
    /// Its labels.
    pub labels: &'a crate::ufm::Labels,
}

impl FeatureModel for UfmView<'_> {
    fn classes(&self) -> usize {
        self.labels.classes()
    }
    fn features(&self) -> MatRef<'_, f64> {
        self.point.h.as_ref()
    }
    fn labels(&self) -> &[usize] {
        self.labels.as_slice()
    }
}

impl ClassifierHead for UfmView<'_> {
    fn weights(&self) -> MatRef<'_, f64> {
        self.point.w.as_ref()
    }
    fn bias(&self) -> Option<&[f64]> {
        self.point.b.as_deref()
    }
    fn is_trainable(&self) -> bool {
        true
    }
}
