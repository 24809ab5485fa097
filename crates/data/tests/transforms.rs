//! Subsets, random labels and normalisation on generated data (crop + flip: backend-spec).

use collapse_data::{
    balanced_random_labels, class_counts, first_per_class, DataError, Dataset, Normalization,
    RawImages, Transform,
};
use proptest::prelude::*;

/// `n` images 3×4×5 with distinct values, labels from `labels`.
fn dataset(labels: Vec<usize>, classes: usize) -> Dataset {
    let n = labels.len();
    let images = (0..n * 60).map(|v| v as f32).collect();
    Dataset::new("generated", images, labels, classes, (3, 4, 5)).unwrap()
}

#[test]
fn subset_takes_first_m_per_class_in_order() {
    let labels = vec![2, 0, 0, 1, 2, 0, 1, 1, 2, 0];
    let ds = dataset(labels, 3);
    let sub = ds.subset_per_class(2).unwrap();
    assert_eq!(sub.labels(), &[2, 0, 0, 1, 2, 1]);
    let picked = [0, 1, 2, 3, 4, 6];
    for (k, &i) in picked.iter().enumerate() {
        assert_eq!(sub.image(k), ds.image(i));
    }
    assert_eq!(sub.class_counts(), [2, 2, 2]);
    // Counts come from the data: a subset of a subset works.
    assert_eq!(sub.subset_per_class(1).unwrap().labels(), &[2, 0, 1]);
    let err = ds.subset_per_class(4).unwrap_err();
    assert!(matches!(
        err,
        DataError::SubsetTooLarge {
            class: 1,
            available: 3,
            wanted: 4,
            ..
        }
    ));
    assert!(
        err.to_string().contains("generated: --subset-per-class 4"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn first_per_class_is_the_first_m_of_each_class(
        labels in proptest::collection::vec(0usize..5, 0..200), m in 0usize..10
    ) {
        let counts = class_counts(&labels, 5);
        match first_per_class(&labels, 5, m, "p") {
            Ok(idx) => {
                prop_assert!(counts.iter().all(|&c| c >= m));
                prop_assert!(idx.windows(2).all(|w| w[0] < w[1]));
                for c in 0..5 {
                    let want: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).take(m).collect();
                    let got: Vec<usize> = idx.iter().copied().filter(|&i| labels[i] == c).collect();
                    prop_assert_eq!(want, got);
                }
            }
            Err(_) => prop_assert!(counts.iter().any(|&c| c < m)),
        }
    }

    #[test]
    fn random_labels_are_balanced_and_seeded(n in 0usize..500, k in 1usize..12, seed: u64) {
        let a = balanced_random_labels(n, k, seed);
        prop_assert_eq!(&a, &balanced_random_labels(n, k, seed));
        let counts = class_counts(&a, k);
        prop_assert!(counts.iter().all(|&c| c == n / k || c == n / k + 1));
        prop_assert_eq!(counts.iter().sum::<usize>(), n);
    }
}

#[test]
fn random_labels_depend_on_the_seed_and_are_shuffled() {
    let a = balanced_random_labels(50_000, 10, 6);
    assert_eq!(class_counts(&a, 10), [5000; 10]);
    assert_ne!(a, balanced_random_labels(50_000, 10, 7));
    // Not the unshuffled pattern i mod K: about 1/K of positions keep it by chance.
    let same = a.iter().enumerate().filter(|(i, &y)| i % 10 == y).count();
    assert!(same > 4000 && same < 6000, "{same}");
    let ds = dataset(vec![0; 20], 4).with_random_labels(3);
    assert_eq!(ds.class_counts(), [5; 4]);
    assert_eq!(ds.labels(), balanced_random_labels(20, 4, 3).as_slice());
}

#[test]
fn normalize_checks_channels_and_refuses_twice() {
    let mut ds = dataset(vec![0, 1], 2);
    let before = ds.images().to_vec();
    let err = ds
        .normalize(Normalization::for_dataset(
            collapse_data::DatasetName::Mnist,
            1,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("1 channels"), "{err}");
    ds.normalize(Normalization::imagenet()).unwrap();
    assert!((ds.images()[0] - (before[0] - 0.485) / 0.229).abs() < 1e-6);
    assert!((ds.images()[20] - (before[20] - 0.456) / 0.224).abs() < 1e-6);
    assert!((ds.images()[60 + 59] - (before[119] - 0.406) / 0.225).abs() < 1e-5);
    assert!(ds
        .normalize(Normalization::imagenet())
        .unwrap_err()
        .to_string()
        .contains("already normalised"));
}

#[test]
fn constructors_reject_inconsistent_input() {
    let err = Dataset::new("d", vec![0.0; 59], vec![0], 2, (3, 4, 5)).unwrap_err();
    assert!(
        err.to_string()
            .contains("d: 59 values for 1 labels of shape 3×4×5"),
        "{err}"
    );
    let err = Dataset::new("d", vec![0.0; 60], vec![2], 2, (3, 4, 5)).unwrap_err();
    assert!(
        err.to_string()
            .contains("d: label 2 at example 0 is not below the number of classes K = 2"),
        "{err}"
    );
    let raw = RawImages::new("r", vec![0; 2 * 27], vec![0, 1], 2, (3, 3, 3), 255).unwrap();
    let err = Dataset::from_raw(
        raw,
        &Transform {
            channels: Some(1),
            resize: None,
            normalization: None,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("single grey channel"), "{err}");
}

#[test]
fn grey_to_three_channels_and_resize_compose() {
    // 1×2×2 → 3×4×4: every output channel equals the resized grey plane.
    let raw = RawImages::new("g", vec![0, 255, 255, 0], vec![0], 1, (1, 2, 2), 255).unwrap();
    let ds = Dataset::from_raw(
        raw,
        &Transform {
            channels: Some(3),
            resize: Some((4, 4)),
            normalization: None,
        },
    )
    .unwrap();
    assert_eq!(ds.shape(), (3, 4, 4));
    let plane = collapse_data::BilinearResize::new(2, 2, 4, 4).apply(&[0, 255, 255, 0]);
    for ch in 0..3 {
        let got: Vec<u8> = ds.image(0)[ch * 16..(ch + 1) * 16]
            .iter()
            .map(|v| (v * 255.0).round() as u8)
            .collect();
        assert_eq!(got, plane);
    }
    // Corners keep the corner value (Pillow clamps the taps at the border).
    assert_eq!((plane[0], plane[3], plane[12], plane[15]), (0, 255, 255, 0));
}
