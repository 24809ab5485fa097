//! The training-ready data set: f32 images N×C×H×W after the paper's transforms, labels,
//! class count, and the operations the experiments need (subset, random labels, the value
//! the backends' crop padding takes).

use crate::catalog::{DatasetName, Split};
use crate::error::{DataError, Result};
use crate::normalize::Normalization;
use crate::random_labels::balanced_random_labels;
use crate::raw::{check_labels, load_raw, RawImages};
use crate::resize::BilinearResize;
use crate::subset::{class_counts, first_per_class, select_rows};
use std::path::Path;

/// What turns stored 8-bit images into network input, in torchvision's order:
/// grey → C channels, bilinear resize (on the 8-bit image, Pillow-exact), scale to [0, 1]
/// (`ToTensor`), then per-channel normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Transform {
    /// Replicate a single grey channel into this many channels.
    pub channels: Option<usize>,
    /// Resize every plane to (height, width).
    pub resize: Option<(usize, usize)>,
    /// Normalise with these constants (one value per output channel).
    pub normalization: Option<Normalization>,
}

impl Transform {
    /// No change beyond scaling to [0, 1].
    pub fn identity() -> Self {
        Transform {
            channels: None,
            resize: None,
            normalization: None,
        }
    }

    /// The paper's input pipeline: MNIST and Fashion-MNIST become 3×32×32 (grey replicated,
    /// bilinear 28→32); every data set is normalised with its constants
    /// ([`Normalization::for_dataset`]). Digits stay 1×8×8 (the paper did not use them).
    pub fn paper(name: DatasetName) -> Self {
        match name {
            DatasetName::Mnist | DatasetName::FashionMnist => Transform {
                channels: Some(3),
                resize: Some((32, 32)),
                normalization: Some(Normalization::for_dataset(name, 3)),
            },
            DatasetName::Cifar10 | DatasetName::Cifar100 => Transform {
                channels: None,
                resize: None,
                normalization: Some(Normalization::for_dataset(name, 3)),
            },
            DatasetName::Digits => Transform {
                channels: None,
                resize: None,
                normalization: Some(Normalization::for_dataset(name, 1)),
            },
        }
    }
}

/// Images as f32 N×C×H×W (row-major), labels in `0..classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    source: String,
    images: Vec<f32>,
    labels: Vec<usize>,
    classes: usize,
    shape: (usize, usize, usize),
    normalization: Option<Normalization>,
}

/// Reads a split and applies the paper's transforms ([`Transform::paper`]).
pub fn load(name: DatasetName, dir: &Path, split: Split) -> Result<Dataset> {
    Dataset::from_raw(load_raw(name, dir, split)?, &Transform::paper(name))
}

impl Dataset {
    /// Wraps f32 images (not normalised) and labels, checking sizes and label range.
    pub fn new(
        source: impl Into<String>,
        images: Vec<f32>,
        labels: Vec<usize>,
        classes: usize,
        shape: (usize, usize, usize),
    ) -> Result<Self> {
        let source = source.into();
        let (c, h, w) = shape;
        if images.len() != labels.len() * c * h * w {
            return Err(DataError::Shape {
                context: source,
                message: format!(
                    "{} values for {} labels of shape {c}×{h}×{w}",
                    images.len(),
                    labels.len()
                ),
            });
        }
        check_labels(&source, &labels, classes)?;
        Ok(Dataset {
            source,
            images,
            labels,
            classes,
            shape,
            normalization: None,
        })
    }

    /// Applies `transform` to stored 8-bit images.
    pub fn from_raw(raw: RawImages, transform: &Transform) -> Result<Self> {
        let RawImages {
            source,
            pixels,
            labels,
            classes,
            shape: (c, h, w),
            max_value,
        } = raw;
        let out_c = transform.channels.unwrap_or(c);
        if out_c != c && c != 1 {
            return Err(DataError::Invalid(format!(
                "{source}: can only replicate a single grey channel, not {c} channels into {out_c}"
            )));
        }
        let (out_h, out_w) = transform.resize.unwrap_or((h, w));
        if let Some(n) = &transform.normalization {
            if n.channels() != out_c || n.std.iter().any(|&s| s <= 0.0 || !s.is_finite()) {
                return Err(DataError::Invalid(format!(
                    "{source}: normalisation has {} channels (std {:?}) for {out_c}-channel images; \
                     need one positive std per channel",
                    n.channels(),
                    n.std
                )));
            }
        }
        let resizer = ((out_h, out_w) != (h, w)).then(|| BilinearResize::new(h, w, out_h, out_w));
        let in_plane = h * w;
        let out_plane = out_h * out_w;
        let scale = f32::from(max_value);
        let mut images = Vec::with_capacity(labels.len() * out_c * out_plane);
        let mut resized = vec![0u8; out_plane];
        for i in 0..labels.len() {
            let image = &pixels[i * c * in_plane..(i + 1) * c * in_plane];
            for ch in 0..out_c {
                let src_ch = if c == 1 { 0 } else { ch };
                let plane = &image[src_ch * in_plane..(src_ch + 1) * in_plane];
                let plane: &[u8] = match &resizer {
                    Some(r) => {
                        r.apply_into(plane, &mut resized);
                        &resized
                    }
                    None => plane,
                };
                match &transform.normalization {
                    Some(n) => {
                        let (m, s) = (n.mean[ch], n.std[ch]);
                        images.extend(plane.iter().map(|&p| (f32::from(p) / scale - m) / s));
                    }
                    None => images.extend(plane.iter().map(|&p| f32::from(p) / scale)),
                }
            }
        }
        Ok(Dataset {
            source,
            images,
            labels,
            classes,
            shape: (out_c, out_h, out_w),
            normalization: transform.normalization.clone(),
        })
    }

    /// What the data are, for messages.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// All images, N×C×H×W row-major.
    pub fn images(&self) -> &[f32] {
        &self.images
    }
    /// The labels.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }
    /// Number of classes K.
    pub fn classes(&self) -> usize {
        self.classes
    }
    /// Channels C.
    pub fn channels(&self) -> usize {
        self.shape.0
    }
    /// Height H.
    pub fn height(&self) -> usize {
        self.shape.1
    }
    /// Width W.
    pub fn width(&self) -> usize {
        self.shape.2
    }
    /// (C, H, W).
    pub fn shape(&self) -> (usize, usize, usize) {
        self.shape
    }
    /// Values per image, C·H·W.
    pub fn image_len(&self) -> usize {
        self.shape.0 * self.shape.1 * self.shape.2
    }
    /// Number of examples N.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// The constants the images were normalised with, if any.
    pub fn normalization(&self) -> Option<&Normalization> {
        self.normalization.as_ref()
    }
    /// Example `i`, C×H×W.
    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.image_len();
        &self.images[i * n..(i + 1) * n]
    }
    /// Examples per class, counted from the labels.
    pub fn class_counts(&self) -> Vec<usize> {
        class_counts(&self.labels, self.classes)
    }

    /// Normalises un-normalised images in place with `n` (one value per channel).
    pub fn normalize(&mut self, n: Normalization) -> Result<()> {
        if self.normalization.is_some() {
            return Err(DataError::Invalid(format!(
                "{}: already normalised; normalise from the raw images instead",
                self.source
            )));
        }
        let c = self.channels();
        if n.channels() != c || n.std.iter().any(|&s| s <= 0.0 || !s.is_finite()) {
            return Err(DataError::Invalid(format!(
                "{}: normalisation for {} channels (std {:?}) on {c}-channel images",
                self.source,
                n.channels(),
                n.std
            )));
        }
        let plane = self.height() * self.width();
        for image in self.images.chunks_exact_mut(c * plane) {
            for (ch, values) in image.chunks_exact_mut(plane).enumerate() {
                for v in values {
                    *v = (*v - n.mean[ch]) / n.std[ch];
                }
            }
        }
        self.normalization = Some(n);
        Ok(())
    }

    /// The examples `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            source: self.source.clone(),
            images: select_rows(&self.images, self.image_len(), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
            shape: self.shape,
            normalization: self.normalization.clone(),
        }
    }

    /// The first `m` examples of each class, in file order (`--subset-per-class m`).
    pub fn subset_per_class(&self, m: usize) -> Result<Dataset> {
        let idx = first_per_class(&self.labels, self.classes, m, &self.source)?;
        Ok(self.select(&idx))
    }

    /// The same images with balanced random labels fixed by `seed`
    /// ([`balanced_random_labels`]).
    pub fn with_random_labels(mut self, seed: u64) -> Dataset {
        self.labels = balanced_random_labels(self.labels.len(), self.classes, seed);
        self.source = format!("{} with random labels (seed {seed})", self.source);
        self
    }

    /// Per channel, the value a raw 0 pixel has under this data set's normalisation: what
    /// crop padding fills in (torchvision pads before normalising). The backends apply the
    /// crop + flip (`collapse-backend-spec`'s `CropFlip`); the host sends them this.
    pub fn padding_fill(&self) -> Vec<f32> {
        let c = self.channels();
        match &self.normalization {
            Some(n) => (0..c).map(|ch| n.zero_value(ch)).collect(),
            None => vec![0.0; c],
        }
    }
}
