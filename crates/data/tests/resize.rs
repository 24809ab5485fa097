//! Bilinear resize against Pillow's own output (fixtures made by
//! `tests/fixtures/make_resize_fixtures.py` with Pillow 13.0.0).

use collapse_data::BilinearResize;
use proptest::prelude::*;

#[test]
fn matches_pillow_bilinear_byte_for_byte() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pil_bilinear_cases.bin"),
    )
    .unwrap();
    let count = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
    assert_eq!(count, 60);
    let mut at = 4;
    let u16_at = |at: &mut usize| {
        let v = u16::from_le_bytes(bytes[*at..*at + 2].try_into().unwrap()) as usize;
        *at += 2;
        v
    };
    let mut cases = Vec::new();
    for _ in 0..count {
        let (h, w, oh, ow) = (
            u16_at(&mut at),
            u16_at(&mut at),
            u16_at(&mut at),
            u16_at(&mut at),
        );
        cases.push((h, w, oh, ow, at));
        at += h * w + oh * ow;
    }
    assert_eq!(at, bytes.len(), "fixture fully consumed");
    for (h, w, oh, ow, start) in cases {
        let input = &bytes[start..start + h * w];
        let want = &bytes[start + h * w..start + h * w + oh * ow];
        let got = BilinearResize::new(h, w, oh, ow).apply(input);
        let diff = got.iter().zip(want).filter(|(a, b)| a != b).count();
        assert_eq!(
            diff, 0,
            "{h}x{w} -> {oh}x{ow}: {diff} bytes differ from Pillow"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The taps of every output pixel sum to one (up to fixed-point rounding that never
    /// reaches half a grey level), so a flat image stays flat at any size.
    #[test]
    fn flat_images_stay_flat(v in 0u8..=255, h in 1usize..40, w in 1usize..40,
                             oh in 1usize..40, ow in 1usize..40) {
        let out = BilinearResize::new(h, w, oh, ow).apply(&vec![v; h * w]);
        prop_assert!(out.iter().all(|&o| o == v));
    }

    /// Same size in both directions is the identity.
    #[test]
    fn same_size_is_identity(pixels in proptest::collection::vec(any::<u8>(), 28 * 28)) {
        prop_assert_eq!(BilinearResize::new(28, 28, 28, 28).apply(&pixels), pixels);
    }
}
