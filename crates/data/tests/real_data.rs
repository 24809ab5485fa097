//! The readers on the real MNIST, Fashion-MNIST and digits files, against the facts of
//! `docs/datasets.md` (counts, first labels, magic, shapes, checksums).

mod common;

use collapse_data::source::{locate, read_decompressed};
use collapse_data::{
    load, load_raw, sha256_hex, DataError, DatasetName, Normalization, Split, Transform,
};
use common::real_data;

/// sha256 of the decompressed files, copied from `docs/datasets.md`.
const DOC_SHA256: &[(DatasetName, &str, usize, &str)] = &[
    (
        DatasetName::Mnist,
        "train-images-idx3-ubyte",
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        DatasetName::Mnist,
        "train-labels-idx1-ubyte",
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        DatasetName::Mnist,
        "t10k-images-idx3-ubyte",
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        DatasetName::Mnist,
        "t10k-labels-idx1-ubyte",
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
    (
        DatasetName::FashionMnist,
        "train-images-idx3-ubyte",
        47_040_016,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    (
        DatasetName::FashionMnist,
        "train-labels-idx1-ubyte",
        60_008,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    (
        DatasetName::FashionMnist,
        "t10k-images-idx3-ubyte",
        7_840_016,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    (
        DatasetName::FashionMnist,
        "t10k-labels-idx1-ubyte",
        10_008,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
];

#[test]
fn idx_files_have_the_published_checksums_magic_and_sizes() {
    for &(name, file, bytes, sha) in DOC_SHA256 {
        let Some(dir) = real_data(name) else { return };
        let path = locate(&dir.join(name.folder()), file, name.as_str()).unwrap();
        let data = read_decompressed(&path).unwrap();
        assert_eq!(data.len(), bytes, "{file}");
        assert_eq!(sha256_hex(&data), sha, "{name} {file}");
        let be = |i: usize| u32::from_be_bytes(data[i..i + 4].try_into().unwrap());
        let count = if file.starts_with("train") {
            60_000
        } else {
            10_000
        };
        if file.contains("images") {
            assert_eq!(be(0), 0x0000_0803);
            assert_eq!((be(4), be(8), be(12)), (count, 28, 28));
        } else {
            assert_eq!(be(0), 0x0000_0801);
            assert_eq!(be(4), count);
        }
        // The crate's table agrees with the document.
        assert_eq!(collapse_data::known_file(name, file).unwrap().sha256, sha);
    }
}

#[test]
fn mnist_counts_first_labels_and_shapes() {
    let Some(dir) = real_data(DatasetName::Mnist) else {
        return;
    };
    let train = load_raw(DatasetName::Mnist, &dir, Split::Train).unwrap();
    assert_eq!(train.len(), 60_000);
    assert_eq!(train.shape(), (1, 28, 28));
    assert_eq!(train.classes(), 10);
    assert_eq!(
        train.class_counts(),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(&train.labels()[..8], &[5, 0, 4, 1, 9, 2, 1, 3]);
    let test = load_raw(DatasetName::Mnist, &dir, Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(
        test.class_counts(),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
}

#[test]
fn fashion_mnist_is_balanced_with_known_first_labels() {
    let Some(dir) = real_data(DatasetName::FashionMnist) else {
        return;
    };
    let train = load_raw(DatasetName::FashionMnist, &dir, Split::Train).unwrap();
    assert_eq!(train.shape(), (1, 28, 28));
    assert_eq!(train.class_counts(), [6000; 10]);
    assert_eq!(&train.labels()[..8], &[9, 0, 0, 3, 0, 2, 7, 2]);
    let test = load_raw(DatasetName::FashionMnist, &dir, Split::Test).unwrap();
    assert_eq!(test.class_counts(), [1000; 10]);
}

/// Mean and population std of all pixels of a split, scaled to [0, 1], in f64.
fn pixel_stats(raw: &collapse_data::RawImages) -> (f64, f64) {
    let scale = f64::from(raw.max_value());
    let n = raw.pixels().len() as f64;
    let mean = raw
        .pixels()
        .iter()
        .map(|&p| f64::from(p) / scale)
        .sum::<f64>()
        / n;
    let var = raw
        .pixels()
        .iter()
        .map(|&p| (f64::from(p) / scale - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

#[test]
fn normalisation_constants_are_the_training_pixel_statistics() {
    // The constants are given to 4 decimals, so they must lie within half a unit of the
    // 4th decimal of the statistics of the training pixels.
    for name in [
        DatasetName::Mnist,
        DatasetName::FashionMnist,
        DatasetName::Digits,
    ] {
        let Some(dir) = real_data(name) else { return };
        let raw = load_raw(name, &dir, Split::Train).unwrap();
        let (mean, std) = pixel_stats(&raw);
        let n = Normalization::for_dataset(name, 1);
        assert!(
            (f64::from(n.mean[0]) - mean).abs() < 5e-5,
            "{name} mean {mean}"
        );
        assert!((f64::from(n.std[0]) - std).abs() < 5e-5, "{name} std {std}");
    }
}

#[test]
fn paper_transform_of_mnist_matches_pillow_and_normalises() {
    let Some(dir) = real_data(DatasetName::Mnist) else {
        return;
    };
    let raw = load_raw(DatasetName::Mnist, &dir, Split::Train).unwrap();
    let first: Vec<usize> = (0..64).collect();
    let raw64 = raw.select(&first);
    // Unnormalised 3×32×32, compared byte for byte with Pillow's output (the fixture).
    let resized = collapse_data::Dataset::from_raw(
        raw64.clone(),
        &Transform {
            channels: Some(3),
            resize: Some((32, 32)),
            normalization: None,
        },
    )
    .unwrap();
    let pil = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pil_mnist_train_first64.bin"),
    )
    .unwrap();
    assert_eq!(pil.len(), 64 * 1024);
    let mut mismatches = 0;
    for i in 0..64 {
        let img = resized.image(i);
        for ch in 0..3 {
            for (k, &v) in img[ch * 1024..(ch + 1) * 1024].iter().enumerate() {
                let byte = (v * 255.0).round() as u8;
                assert!((v * 255.0 - f32::from(byte)).abs() < 1e-3);
                if byte != pil[i * 1024 + k] {
                    mismatches += 1;
                }
            }
        }
    }
    assert_eq!(mismatches, 0, "bytes differing from Pillow");

    // The paper's transform: same geometry, then (x/255 − 0.1307)/0.3081 on every channel.
    let paper =
        collapse_data::Dataset::from_raw(raw64, &Transform::paper(DatasetName::Mnist)).unwrap();
    assert_eq!(paper.shape(), (3, 32, 32));
    assert_eq!(paper.normalization().unwrap().mean, vec![0.1307; 3]);
    for (a, b) in paper.images().iter().zip(resized.images()) {
        assert!((a - (b - 0.1307) / 0.3081).abs() < 1e-5);
    }
}

#[test]
fn load_gives_the_paper_input_for_the_test_split() {
    let Some(dir) = real_data(DatasetName::FashionMnist) else {
        return;
    };
    let test = load(DatasetName::FashionMnist, &dir, Split::Test).unwrap();
    assert_eq!(
        (test.len(), test.shape(), test.classes()),
        (10_000, (3, 32, 32), 10)
    );
    assert_eq!(test.images().len(), 10_000 * 3 * 32 * 32);
    let zero = (0.0 - 0.2860f32) / 0.3530;
    let max = (1.0 - 0.2860f32) / 0.3530;
    assert!(test
        .images()
        .iter()
        .all(|&v| v >= zero - 1e-6 && v <= max + 1e-6));
    // Grey replicated: the three channels of every image are equal.
    let img = test.image(1234);
    assert_eq!(&img[..1024], &img[1024..2048]);
    assert_eq!(&img[..1024], &img[2048..]);
}

#[test]
fn subset_per_class_takes_the_first_m_of_each_class_of_real_mnist() {
    let Some(dir) = real_data(DatasetName::Mnist) else {
        return;
    };
    let train = load_raw(DatasetName::Mnist, &dir, Split::Train).unwrap();
    let sub = train.subset_per_class(100).unwrap();
    assert_eq!(sub.len(), 1000);
    assert_eq!(sub.class_counts(), [100; 10]);
    // Class by class, the subset's images are the first 100 of that class in file order.
    for class in 0..10 {
        let want: Vec<&[u8]> = (0..train.len())
            .filter(|&i| train.labels()[i] == class)
            .take(100)
            .map(|i| train.image(i))
            .collect();
        let got: Vec<&[u8]> = (0..sub.len())
            .filter(|&i| sub.labels()[i] == class)
            .map(|i| sub.image(i))
            .collect();
        assert_eq!(want, got, "class {class}");
    }
    // Class 5 has 5421 examples: asking for more names it.
    let err = train.subset_per_class(5422).unwrap_err();
    assert!(matches!(
        err,
        DataError::SubsetTooLarge {
            class: 5,
            available: 5421,
            ..
        }
    ));
    assert!(err.to_string().contains("class 5 has (5421)"), "{err}");
}

#[test]
fn digits_csv_reads_with_its_facts() {
    let Some(dir) = real_data(DatasetName::Digits) else {
        return;
    };
    let raw = load_raw(DatasetName::Digits, &dir, Split::Train).unwrap();
    assert_eq!(
        (raw.len(), raw.shape(), raw.max_value()),
        (1797, (1, 8, 8), 16)
    );
    assert_eq!(
        raw.class_counts(),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    assert_eq!(&raw.labels()[..10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // First row of the file: 0,0,5,13,9,1,0,0, ...
    assert_eq!(&raw.image(0)[..8], &[0, 0, 5, 13, 9, 1, 0, 0]);
    let err = load_raw(DatasetName::Digits, &dir, Split::Test).unwrap_err();
    assert!(err.to_string().contains("no test split"), "{err}");
}
