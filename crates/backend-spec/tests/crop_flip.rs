//! The crop + flip draws and their application: against an explicit pad/crop/mirror, their
//! coverage and seeding, and on a real `collapse-data` data set (order independence, padding
//! with the normalised raw 0).

use collapse_backend_spec::{CropFlip, CropFlipDraw};
use collapse_data::{Dataset, Normalization, RawImages, Transform};

/// An independent construction of the crop: pad explicitly, cut the window, mirror.
fn reference_crop_flip(
    img: &[f32],
    (c, h, w): (usize, usize, usize),
    fill: &[f32],
    d: CropFlipDraw,
) -> Vec<f32> {
    let (ph, pw) = (h + 8, w + 8);
    let mut out = Vec::new();
    for ch in 0..c {
        let mut padded = vec![fill[ch]; ph * pw];
        for y in 0..h {
            for x in 0..w {
                padded[(y + 4) * pw + x + 4] = img[ch * h * w + y * w + x];
            }
        }
        for y in 0..h {
            let mut row: Vec<f32> = (0..w)
                .map(|x| padded[(d.top + y) * pw + d.left + x])
                .collect();
            if d.flip {
                row.reverse();
            }
            out.extend(row);
        }
    }
    out
}

#[test]
fn crop_flip_matches_an_explicit_pad_crop_mirror() {
    let aug = CropFlip::new(6);
    let img: Vec<f32> = (0..3 * 6 * 7).map(|v| v as f32 + 1.0).collect();
    let fill = [-1.0, -2.0, -3.0];
    let mut flips = 0;
    for index in 0..200u64 {
        let d = aug.draw(2, index);
        let mut out = vec![0.0; img.len()];
        aug.apply_into(&img, (3, 6, 7), &fill, 2, index, &mut out);
        assert_eq!(out, reference_crop_flip(&img, (3, 6, 7), &fill, d));
        flips += d.flip as usize;
    }
    assert!(flips > 70 && flips < 130, "{flips} flips in 200");
}

#[test]
fn crop_flip_draws_cover_the_window_and_depend_on_seed_epoch_index() {
    let aug = CropFlip::new(1);
    let mut seen = [[false; 9]; 2];
    for i in 0..2000 {
        let d = aug.draw(0, i);
        assert!(d.top <= 8 && d.left <= 8);
        seen[0][d.top] = true;
        seen[1][d.left] = true;
    }
    assert!(
        seen.iter().flatten().all(|&s| s),
        "every offset 0..=8 occurs"
    );
    let draws = |aug: CropFlip, epoch| (0..64).map(|i| aug.draw(epoch, i)).collect::<Vec<_>>();
    assert_eq!(draws(aug, 0), draws(CropFlip::new(1), 0));
    assert_ne!(draws(aug, 0), draws(aug, 1));
    assert_ne!(draws(aug, 0), draws(CropFlip::new(2), 0));
    // Padding 0: only the flip remains.
    let plain = CropFlip::with_padding(1, 0);
    assert!((0..64).all(|i| plain.draw(0, i).top == 0 && plain.draw(0, i).left == 0));
}

#[test]
fn augmented_batches_do_not_depend_on_batch_order_and_pad_with_normalised_zero() {
    let raw = RawImages::new(
        "gen",
        vec![255u8; 4 * 3 * 32 * 32],
        vec![0, 1, 2, 3],
        4,
        (3, 32, 32),
        255,
    )
    .unwrap();
    let n = Normalization::for_dataset(collapse_data::DatasetName::Cifar10, 3);
    let ds = Dataset::from_raw(
        raw,
        &Transform {
            channels: None,
            resize: None,
            normalization: Some(n.clone()),
        },
    )
    .unwrap();
    let aug = CropFlip::new(9);
    let fill = ds.padding_fill();
    let ab = aug.batch(ds.images(), ds.shape(), &fill, 5, &[1, 3]);
    let ba = aug.batch(ds.images(), ds.shape(), &fill, 5, &[3, 1]);
    let len = ds.image_len();
    assert_eq!(&ab[..len], &ba[len..]);
    assert_eq!(&ab[len..], &ba[..len]);
    // The image is all white; every value is either white or the padding, and the padding
    // is a raw 0 normalised: −mean/std per channel.
    for (k, &v) in ab.iter().enumerate() {
        let ch = (k % len) / 1024;
        let white = (1.0 - n.mean[ch]) / n.std[ch];
        let pad = -n.mean[ch] / n.std[ch];
        assert!(v == white || v == pad, "{v}");
    }
    let d = aug.draw(5, 1);
    let padded_rows = d.top.abs_diff(4) * 32;
    let padded_cols = d.left.abs_diff(4) * 32;
    let expected_pad = padded_rows + padded_cols - d.top.abs_diff(4) * d.left.abs_diff(4);
    let pad0 = -n.mean[0] / n.std[0];
    assert_eq!(
        ab[..1024].iter().filter(|&&v| v == pad0).count(),
        expected_pad
    );
}
