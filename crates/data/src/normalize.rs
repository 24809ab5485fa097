//! Per-channel normalisation constants, `x ← (x − mean) / std` on values in [0, 1]
//! (torchvision's `Normalize` after `ToTensor`).

use crate::catalog::DatasetName;

/// Per-channel mean and standard deviation.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalization {
    /// Mean per channel.
    pub mean: Vec<f32>,
    /// Standard deviation per channel (all > 0).
    pub std: Vec<f32>,
}

impl Normalization {
    /// The constants the paper's code uses (MNIST, CIFAR-10: `docs/reference.md` §1) or,
    /// for the data sets the paper did not use, the statistics of the training split's pixels
    /// (Fashion-MNIST, digits: asserted against the real data by the tests; CIFAR-100: the
    /// widely used values, which cannot be checked here since no registry carries CIFAR).
    /// A one-value constant is repeated over `channels`.
    pub fn for_dataset(name: DatasetName, channels: usize) -> Self {
        let (mean, std): (&[f32], &[f32]) = match name {
            DatasetName::Mnist => (&[0.1307], &[0.3081]),
            DatasetName::FashionMnist => (&[0.2860], &[0.3530]),
            DatasetName::Cifar10 => (&[0.4914, 0.4822, 0.4465], &[0.2023, 0.1994, 0.2010]),
            DatasetName::Cifar100 => (&[0.5071, 0.4865, 0.4409], &[0.2673, 0.2564, 0.2762]),
            DatasetName::Digits => (&[0.3053], &[0.3760]),
        };
        Self::broadcast(mean, std, channels)
    }

    /// ImageNet's constants, which the paper uses for its CIFAR-10 random-label runs.
    pub fn imagenet() -> Self {
        Normalization {
            mean: vec![0.485, 0.456, 0.406],
            std: vec![0.229, 0.224, 0.225],
        }
    }

    /// Repeats one-value constants over `channels`; several values are kept as given.
    fn broadcast(mean: &[f32], std: &[f32], channels: usize) -> Self {
        let expand = |v: &[f32]| {
            if v.len() == 1 {
                vec![v[0]; channels]
            } else {
                v.to_vec()
            }
        };
        Normalization {
            mean: expand(mean),
            std: expand(std),
        }
    }

    /// Number of channels described.
    pub fn channels(&self) -> usize {
        self.mean.len()
    }

    /// The normalised value of a raw 0 (what zero padding becomes after normalisation).
    pub fn zero_value(&self, channel: usize) -> f32 {
        -self.mean[channel] / self.std[channel]
    }
}
