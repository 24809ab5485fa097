//! Class labels of the N columns of H, with the per-class counts the theory needs.

use crate::error::{CoreError, Result};

/// Labels in 0..K with every class present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    classes: usize,
    per_sample: Vec<usize>,
    counts: Vec<usize>,
}

impl Labels {
    /// The class-major balanced layout: column j has label j / n.
    pub fn balanced(classes: usize, per_class: usize) -> Result<Self> {
        if per_class == 0 {
            return Err(CoreError::parameter(
                "per-class",
                0,
                "needs at least one sample per class",
            ));
        }
        Self::new(
            classes,
            (0..classes * per_class).map(|j| j / per_class).collect(),
        )
    }

    /// Arbitrary labels; every class in 0..K must occur at least once.
    pub fn new(classes: usize, per_sample: Vec<usize>) -> Result<Self> {
        if classes < 2 {
            return Err(CoreError::parameter("classes", classes, "needs K >= 2"));
        }
        let mut counts = vec![0usize; classes];
        for (i, &y) in per_sample.iter().enumerate() {
            if y >= classes {
                return Err(CoreError::Labels(format!(
                    "label {y} at sample {i} is not below the number of classes K = {classes}"
                )));
            }
            counts[y] += 1;
        }
        if let Some(empty) = counts.iter().position(|&c| c == 0) {
            return Err(CoreError::Labels(format!(
                "class {empty} has no sample; every class in 0..{classes} must occur"
            )));
        }
        Ok(Self {
            classes,
            per_sample,
            counts,
        })
    }

    /// K.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// N.
    pub fn len(&self) -> usize {
        self.per_sample.len()
    }

    /// Always false: every class has a sample.
    pub fn is_empty(&self) -> bool {
        self.per_sample.is_empty()
    }

    /// The label of every sample.
    pub fn as_slice(&self) -> &[usize] {
        &self.per_sample
    }

    /// Samples per class.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// `Some(n)` when every class has exactly n samples: the theorems' setting.
    pub fn balanced_count(&self) -> Option<usize> {
        let n = self.counts[0];
        self.counts.iter().all(|&c| c == n).then_some(n)
    }
}
