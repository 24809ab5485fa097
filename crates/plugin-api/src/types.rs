//! Safe counterparts of the ABI's data: what a plugin author and the host actually handle.

use serde::{Deserialize, Serialize};

use crate::PluginError;

/// What a backend says about itself (sent as JSON by `describe`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// Short name, as used with `--backend`.
    pub name: String,
    /// The backend's own version.
    pub version: String,
    /// Devices it can run on, e.g. `["cpu", "cuda:0"]`.
    pub devices: Vec<String>,
}

/// Optimiser settings every backend understands; unknown keys are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizerConfig {
    /// `sgd`, `adam` or `lbfgs`.
    pub name: String,
    /// SGD momentum (ignored by other optimisers).
    #[serde(default)]
    pub momentum: f64,
    /// Coupled L2 weight decay on the trainable parameters (λ_W and λ_b for the UFM).
    #[serde(default)]
    pub weight_decay: f64,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Backend-specific options.
    #[serde(default, flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Everything a session is created from (sent as JSON, so new knobs do not change the ABI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// Backend-specific model description (architecture, dimensions, ...).
    pub model: serde_json::Value,
    /// The optimiser.
    pub optimizer: OptimizerConfig,
    /// Seed of every random choice the backend makes.
    pub seed: u64,
    /// `cpu` or `cuda[:i]`.
    pub device: String,
}

/// A split of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// The training set.
    Train,
    /// The test set.
    Test,
}

impl Split {
    /// The ABI code.
    pub fn code(self) -> u32 {
        match self {
            Split::Train => crate::abi::SPLIT_TRAIN,
            Split::Test => crate::abi::SPLIT_TEST,
        }
    }

    /// Parses an ABI code.
    pub fn from_code(code: u32) -> Result<Self, PluginError> {
        match code {
            crate::abi::SPLIT_TRAIN => Ok(Split::Train),
            crate::abi::SPLIT_TEST => Ok(Split::Test),
            other => Err(PluginError::BadInput(format!(
                "unknown split code {other} (0 = train, 1 = test)"
            ))),
        }
    }
}

/// Shape of one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataShape {
    /// An image, channel-major.
    Images {
        /// Channels.
        channels: usize,
        /// Height.
        height: usize,
        /// Width.
        width: usize,
    },
    /// A free feature vector.
    Features {
        /// Dimension.
        dim: usize,
    },
}

impl DataShape {
    /// Values per sample.
    pub fn values_per_sample(self) -> usize {
        match self {
            DataShape::Images {
                channels,
                height,
                width,
            } => channels * height * width,
            DataShape::Features { dim } => dim,
        }
    }
}

/// A labelled data set, borrowed: sample-major `values`, one label per sample.
#[derive(Debug, Clone, Copy)]
pub struct DataSet<'a> {
    /// Which split.
    pub split: Split,
    /// Shape of one sample.
    pub shape: DataShape,
    /// Number of classes; labels lie in `0..classes`.
    pub classes: usize,
    /// `labels.len() × shape.values_per_sample()` values.
    pub values: &'a [f32],
    /// Labels.
    pub labels: &'a [u32],
}

impl DataSet<'_> {
    /// Checks sizes and label range, so neither side indexes out of bounds.
    pub fn validate(&self) -> Result<(), PluginError> {
        let per = self.shape.values_per_sample();
        if per == 0 {
            return Err(PluginError::BadInput(format!(
                "{:?} data set has an empty sample shape {:?}",
                self.split, self.shape
            )));
        }
        if self.values.len() != self.labels.len() * per {
            return Err(PluginError::BadInput(format!(
                "{:?} data set: {} values for {} labels of {} values each (expected {})",
                self.split,
                self.values.len(),
                self.labels.len(),
                per,
                self.labels.len() * per
            )));
        }
        if let Some((i, &l)) = self
            .labels
            .iter()
            .enumerate()
            .find(|(_, &l)| l as usize >= self.classes)
        {
            return Err(PluginError::BadInput(format!(
                "{:?} data set: label {l} of sample {i} is not below the class count {}",
                self.split, self.classes
            )));
        }
        Ok(())
    }
}

/// What one `train` call should do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainRequest {
    /// 1-based epoch number; backends derive this epoch's shuffling from it and the seed.
    pub epoch: u64,
    /// Learning rate.
    pub lr: f64,
    /// `None`: one full pass; `Some(s)`: exactly `s` optimiser steps.
    pub steps: Option<u64>,
}

/// What one `train` call did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrainReport {
    /// Mean loss over the samples seen during the call.
    pub loss: f64,
    /// Fraction of the samples seen that were classified correctly.
    pub accuracy: f64,
    /// Samples seen.
    pub samples: u64,
    /// Optimiser steps taken.
    pub steps: u64,
}

/// Shapes and resource use of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionInfo {
    /// Feature dimension d.
    pub dim: usize,
    /// Number of classes K.
    pub classes: usize,
    /// Samples in the training split.
    pub train_samples: usize,
    /// Samples in the test split (0 when there is none).
    pub test_samples: usize,
    /// Trainable scalar parameters.
    pub trainable_parameters: u64,
    /// Peak memory held by the session in bytes, as the backend measures it.
    pub peak_memory_bytes: u64,
}

impl SessionInfo {
    /// Samples in a split.
    pub fn samples(&self, split: Split) -> usize {
        match split {
            Split::Train => self.train_samples,
            Split::Test => self.test_samples,
        }
    }
}

/// The final linear layer: logits = W h + b.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    /// Number of classes K.
    pub classes: usize,
    /// Feature dimension d.
    pub dim: usize,
    /// W, K×d row-major (row k is w_k).
    pub weights: Vec<f64>,
    /// b, length K.
    pub bias: Vec<f64>,
}
