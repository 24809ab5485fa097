//! The training-time crop+flip augmentation the host asks for with `model.augment`
//! (`collapse train --augment`): `{"padding": 4, "fill": [one value per channel]}`. The
//! backends apply it to each training batch on the host before upload, with the seeded draws
//! of [`crate::crop_flip`], so candle and tch see the same images; features and accuracy for
//! the metrics use the un-augmented data.

use crate::crop_flip::CropFlip;
use serde::Deserialize;

use crate::error::{Result, SpecError};

/// `model.augment` as given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAugment {
    #[serde(default = "default_padding")]
    padding: usize,
    #[serde(default)]
    fill: Option<Vec<f32>>,
}

fn default_padding() -> usize {
    4
}

/// Random crop (zero-padded by `padding`, i.e. padded with `fill`) then random horizontal
/// flip, torchvision's `RandomCrop(size, padding)` + `RandomHorizontalFlip()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Augment {
    /// Padding on each side, in pixels.
    pub padding: usize,
    /// Per channel, the normalised value of a raw 0 pixel (what padding shows).
    pub fill: Vec<f32>,
}

impl RawAugment {
    /// Checks it against the input shape C×H×W.
    pub(crate) fn check(self, [c, h, w]: [usize; 3]) -> Result<Augment> {
        let fill = self.fill.unwrap_or_else(|| vec![0.0; c]);
        if fill.len() != c || fill.iter().any(|v| !v.is_finite()) {
            return Err(SpecError::BadInput(format!(
                "model.augment.fill {fill:?}: give {c} finite values, one per input channel"
            )));
        }
        if self.padding >= h.min(w) {
            return Err(SpecError::BadInput(format!(
                "model.augment.padding = {}: must be smaller than the {h}×{w} input",
                self.padding
            )));
        }
        Ok(Augment {
            padding: self.padding,
            fill,
        })
    }
}

impl Augment {
    /// The training examples `indices` of the N×C×H×W `images`, augmented for `epoch` with
    /// the session's `seed`: each example's draw depends on (seed, epoch, index) only.
    pub fn batch(
        &self,
        images: &[f32],
        shape: [usize; 3],
        seed: u64,
        epoch: u64,
        indices: &[usize],
    ) -> Vec<f32> {
        let [c, h, w] = shape;
        CropFlip::with_padding(seed, self.padding).batch(
            images,
            (c, h, w),
            &self.fill,
            epoch,
            indices,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_key_and_batches_follow_the_draws() {
        let raw = |v: serde_json::Value| serde_json::from_value::<RawAugment>(v).unwrap();
        let a = raw(serde_json::json!({})).check([3, 8, 8]).unwrap();
        assert_eq!((a.padding, a.fill.clone()), (4, vec![0.0; 3]));
        let e = raw(serde_json::json!({"fill": [0.5]}))
            .check([3, 8, 8])
            .unwrap_err();
        assert!(e.to_string().contains("model.augment.fill"), "{e}");
        let e = raw(serde_json::json!({"padding": 8}))
            .check([1, 8, 8])
            .unwrap_err();
        assert!(e.to_string().contains("model.augment.padding = 8"), "{e}");

        let images: Vec<f32> = (0..3 * 2 * 4 * 4).map(|v| v as f32).collect();
        let aug = raw(serde_json::json!({"padding": 1, "fill": [-1.0, -2.0]}))
            .check([2, 4, 4])
            .unwrap();
        let batch = aug.batch(&images, [2, 4, 4], 5, 3, &[2, 0]);
        let crop = CropFlip::with_padding(5, 1);
        let mut want = vec![0f32; 32];
        crop.apply_into(&images[64..96], (2, 4, 4), &[-1.0, -2.0], 3, 2, &mut want);
        assert_eq!(&batch[..32], &want[..]);
        crop.apply_into(&images[..32], (2, 4, 4), &[-1.0, -2.0], 3, 0, &mut want);
        assert_eq!(&batch[32..], &want[..]);
    }
}
