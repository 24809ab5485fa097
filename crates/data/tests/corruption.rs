//! Bad input: truncated files, wrong magic, count mismatch, label ≥ K, checksum mismatch,
//! damaged gzip. Each gives an error that names the file, and nothing is written.

mod common;

use collapse_data::idx::{encode_images, encode_labels};
use collapse_data::{install_known_file, load_raw, DataError, DatasetName, Split};
use common::{gzip, listing, write};
use std::path::Path;

/// A small but well-formed MNIST-shaped test split: `n` images 28×28, labels `i mod 10`.
fn small_split(n: usize) -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..n * 784).map(|i| (i * 7 % 256) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    (encode_images(n, 28, 28, &pixels), encode_labels(&labels))
}

/// Writes a split into `dir/mnist/` and loads it, asserting the folder is unchanged after.
fn load_err(dir: &Path, images: &[u8], labels: &[u8]) -> DataError {
    write(dir, "mnist/t10k-images-idx3-ubyte", images);
    write(dir, "mnist/t10k-labels-idx1-ubyte.gz", &gzip(labels));
    let before = listing(dir);
    let err = load_raw(DatasetName::Mnist, dir, Split::Test).unwrap_err();
    assert_eq!(listing(dir), before, "reading must not write");
    err
}

#[test]
fn truncated_image_file_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, labels) = small_split(5);
    let err = load_err(tmp.path(), &images[..images.len() - 100], &labels);
    assert!(matches!(err, DataError::Truncated { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("t10k-images-idx3-ubyte: truncated"), "{msg}");
    assert!(
        msg.contains("needs 3936 bytes") && msg.contains("has 3836"),
        "{msg}"
    );
    // A header cut short too.
    let err = load_err(tmp.path(), &images[..10], &labels);
    assert!(err.to_string().contains("IDX image file header"), "{err}");
}

#[test]
fn extra_bytes_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut images, labels) = small_split(5);
    images.push(0);
    let err = load_err(tmp.path(), &images, &labels);
    assert!(matches!(err, DataError::TrailingBytes { .. }), "{err:?}");
}

#[test]
fn wrong_magic_names_the_file_and_both_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, labels) = small_split(5);
    // Label file where the image file should be.
    let err = load_err(tmp.path(), &labels, &labels);
    let msg = err.to_string();
    assert!(matches!(
        err,
        DataError::BadMagic {
            found: 0x801,
            expected: 0x803,
            ..
        }
    ));
    assert!(
        msg.contains("t10k-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803"),
        "{msg}"
    );
    // And the other way round: the gzip label file holds images.
    let err = load_err(tmp.path(), &images, &images);
    assert!(
        err.to_string()
            .contains("t10k-labels-idx1-ubyte.gz: wrong magic"),
        "{err}"
    );
}

#[test]
fn count_mismatch_names_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, _) = small_split(5);
    let (_, labels) = small_split(4);
    let err = load_err(tmp.path(), &images, &labels);
    let msg = err.to_string();
    assert!(matches!(
        err,
        DataError::CountMismatch {
            images: 5,
            labels: 4,
            ..
        }
    ));
    assert!(
        msg.contains("t10k-images-idx3-ubyte has 5 images but"),
        "{msg}"
    );
    assert!(
        msg.contains("t10k-labels-idx1-ubyte.gz has 4 labels"),
        "{msg}"
    );
}

#[test]
fn label_not_below_k_names_the_file_and_example() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, _) = small_split(5);
    let labels = encode_labels(&[0, 1, 2, 10, 4]);
    let err = load_err(tmp.path(), &images, &labels);
    let msg = err.to_string();
    assert!(matches!(
        err,
        DataError::LabelOutOfRange {
            index: 3,
            label: 10,
            classes: 10,
            ..
        }
    ));
    assert!(
        msg.contains("t10k-labels-idx1-ubyte.gz: label 10 at example 3"),
        "{msg}"
    );
}

#[test]
fn well_formed_files_with_the_wrong_content_fail_the_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, labels) = small_split(5);
    let err = load_err(tmp.path(), &images, &labels);
    let msg = err.to_string();
    assert!(matches!(err, DataError::Checksum { .. }), "{err:?}");
    assert!(
        msg.contains("t10k-images-idx3-ubyte: sha256 mismatch: expected 0fa7898d"),
        "{msg}"
    );
    assert!(msg.contains(&collapse_data::sha256_hex(&images)), "{msg}");
}

#[test]
fn missing_file_says_how_to_fetch_it() {
    let tmp = tempfile::tempdir().unwrap();
    let err = load_raw(DatasetName::FashionMnist, tmp.path(), Split::Train).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("fashion-mnist/train-images-idx3-ubyte: not found"),
        "{msg}"
    );
    assert!(
        msg.contains("cargo xtask data --dataset fashion-mnist"),
        "{msg}"
    );
    assert!(listing(tmp.path()).is_empty());
}

#[test]
fn damaged_gzip_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (images, labels) = small_split(5);
    write(tmp.path(), "mnist/t10k-images-idx3-ubyte", &images);
    let gz = gzip(&labels);
    write(
        tmp.path(),
        "mnist/t10k-labels-idx1-ubyte.gz",
        &gz[..gz.len() / 2],
    );
    let err = load_raw(DatasetName::Mnist, tmp.path(), Split::Test).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("t10k-labels-idx1-ubyte.gz: damaged or truncated gzip"),
        "{err}"
    );
}

/// Installs `source_bytes` as MNIST's t10k labels into `<tmp>/out/mnist` and returns the
/// error, asserting that nothing at all was written under `<tmp>/out`.
fn install_err(source_bytes: &[u8]) -> DataError {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "download/t10k-labels-idx1-ubyte.gz",
        source_bytes,
    );
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let err = install_known_file(
        DatasetName::Mnist,
        "t10k-labels-idx1-ubyte",
        &src,
        &out.join("mnist"),
    )
    .unwrap_err();
    assert!(listing(&out).is_empty(), "left behind: {:?}", listing(&out));
    assert!(
        err.to_string().contains(&src.display().to_string()),
        "{err}"
    );
    err
}

#[test]
fn install_refuses_a_truncated_download_and_writes_nothing() {
    let labels = encode_labels(&[7u8; 10_000]);
    let err = install_err(&gzip(&labels[..5000]));
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 10_008,
                actual: 5000,
                ..
            }
        ),
        "{err:?}"
    );
    let gz = gzip(&labels);
    let err = install_err(&gz[..gz.len() - 10]);
    assert!(matches!(err, DataError::Gzip { .. }), "{err:?}");
}

#[test]
fn install_refuses_wrong_magic_and_writes_nothing() {
    let err = install_err(&encode_images(1, 28, 28, &[0; 784]));
    assert!(
        err.to_string()
            .contains("wrong magic number 0x00000803, expected 0x00000801"),
        "{err}"
    );
}

#[test]
fn install_refuses_a_count_mismatch_with_the_published_file() {
    // Well-formed, but 9999 labels where the published file has 10000.
    let err = install_err(&gzip(&encode_labels(&[1u8; 9_999])));
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 10_008,
                actual: 10_007,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn install_refuses_a_bad_checksum_and_writes_nothing() {
    // Right length and structure, wrong content.
    let err = install_err(&gzip(&encode_labels(&[3u8; 10_000])));
    assert!(matches!(err, DataError::Checksum { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("sha256 mismatch: expected ff7bcfd4"),
        "{err}"
    );
}

#[test]
fn install_writes_a_verified_file_atomically_and_replaces_a_stale_raw_copy() {
    // The real t10k labels when present; else the check is of the refusal path above only.
    let Some(dir) = common::real_data(DatasetName::Mnist) else {
        return;
    };
    let src_folder = dir.join("mnist");
    let src =
        collapse_data::source::locate(&src_folder, "t10k-labels-idx1-ubyte", "mnist").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("mnist");
    write(tmp.path(), "mnist/t10k-labels-idx1-ubyte", b"stale");
    let dest =
        install_known_file(DatasetName::Mnist, "t10k-labels-idx1-ubyte", &src, &folder).unwrap();
    assert_eq!(dest, folder.join("t10k-labels-idx1-ubyte.gz"));
    assert_eq!(
        listing(tmp.path()),
        ["mnist", "mnist/t10k-labels-idx1-ubyte.gz"]
    );
    let bytes = collapse_data::source::read_decompressed(&dest).unwrap();
    assert_eq!(
        collapse_data::sha256_hex(&bytes),
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    );
}

#[test]
fn absurd_header_sizes_are_a_truncation_not_an_overflow() {
    let tmp = tempfile::tempdir().unwrap();
    let mut images = encode_images(1, 28, 28, &[0; 784]);
    images[4..16].copy_from_slice(&[0xff; 12]);
    let (_, labels) = small_split(1);
    let err = load_err(tmp.path(), &images, &labels);
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: u64::MAX,
                ..
            }
        ),
        "{err:?}"
    );
}
