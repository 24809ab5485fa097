//! The "SOTA" augmentation: `RandomCrop(size, padding = 4)` then `RandomHorizontalFlip(0.5)`,
//! the seeded draw and its application to a batch. It lives with the backends, which apply it
//! to their training batches (the host only sends `model.augment`), so a plugin needs nothing
//! of the data readers (`collapse-data`, with its gzip, hashing and temporary files).
//!
//! The random draw of each example depends only on (seed, epoch, example index), not on the
//! batch order or size, so a resumed run or a different batch size sees the same images.
//! Padding is the raw value 0 (torchvision pads the PIL image before `ToTensor`), which after
//! normalisation is `-mean/std` per channel: the caller passes that as `fill`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seeded random crop with zero padding followed by a random horizontal flip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropFlip {
    seed: u64,
    padding: usize,
}

/// The random choices for one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropFlipDraw {
    /// Top of the crop window in the padded image, `0..=2·padding`.
    pub top: usize,
    /// Left of the crop window in the padded image, `0..=2·padding`.
    pub left: usize,
    /// Whether the crop is mirrored left–right.
    pub flip: bool,
}

/// SplitMix64's finaliser, to spread (seed, epoch, index) over the ChaCha seed space.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl CropFlip {
    /// The paper's setting: padding 4, crop back to the input size.
    pub fn new(seed: u64) -> Self {
        Self::with_padding(seed, 4)
    }

    /// A different padding (0 makes the crop the identity; only the flip remains).
    pub fn with_padding(seed: u64, padding: usize) -> Self {
        CropFlip { seed, padding }
    }

    /// The draw for example `index` in epoch `epoch`.
    pub fn draw(&self, epoch: u64, index: u64) -> CropFlipDraw {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(self.seed ^ mix(epoch)) ^ index));
        CropFlipDraw {
            top: rng.random_range(0..=2 * self.padding),
            left: rng.random_range(0..=2 * self.padding),
            flip: rng.random_bool(0.5),
        }
    }

    /// The padding on each side.
    pub fn padding(&self) -> usize {
        self.padding
    }

    /// The examples `indices` of the N×C×H×W `images`, augmented for `epoch` and concatenated.
    /// The draw of an example depends on its index in `images`, never on its place in the
    /// batch. `fill[c]` is the value of padding in channel c.
    pub fn batch(
        &self,
        images: &[f32],
        shape: (usize, usize, usize),
        fill: &[f32],
        epoch: u64,
        indices: &[usize],
    ) -> Vec<f32> {
        let len = shape.0 * shape.1 * shape.2;
        let mut out = vec![0f32; indices.len() * len];
        for (slot, &i) in out.chunks_exact_mut(len).zip(indices) {
            let image = &images[i * len..(i + 1) * len];
            self.apply_into(image, shape, fill, epoch, i as u64, slot);
        }
        out
    }

    /// Augments one C×H×W image into `out` (same shape). `fill[c]` is the value of padding in
    /// channel c.
    pub fn apply_into(
        &self,
        image: &[f32],
        shape: (usize, usize, usize),
        fill: &[f32],
        epoch: u64,
        index: u64,
        out: &mut [f32],
    ) {
        let (c, h, w) = shape;
        assert_eq!(image.len(), c * h * w, "image size");
        assert_eq!(out.len(), c * h * w, "output size");
        assert_eq!(fill.len(), c, "one fill value per channel");
        let d = self.draw(epoch, index);
        let p = self.padding as isize;
        for ch in 0..c {
            let plane = &image[ch * h * w..(ch + 1) * h * w];
            for y in 0..h {
                let sy = y as isize + d.top as isize - p;
                for x in 0..w {
                    let xc = if d.flip { w - 1 - x } else { x };
                    let sx = xc as isize + d.left as isize - p;
                    let inside = sy >= 0 && sy < h as isize && sx >= 0 && sx < w as isize;
                    out[ch * h * w + y * w + x] = if inside {
                        plane[sy as usize * w + sx as usize]
                    } else {
                        fill[ch]
                    };
                }
            }
        }
    }
}
