//! CIFAR-10/100 readers on small files written here in the real binary format (no registry
//! carries CIFAR, so the real files cannot be fetched on these machines).

mod common;

use collapse_data::cifar::{encode_records, parse_records, IMAGE_BYTES};
use collapse_data::{load, load_raw, Cifar100Label, CifarFormat, DataError, DatasetName, Split};
use common::{gzip, listing, write};

/// A recognisable image: red plane = index, green = pixel position mod 256, blue = 255 − index.
fn image(index: usize) -> Vec<u8> {
    let mut px = vec![index as u8; 1024];
    px.extend((0..1024).map(|k| (k % 256) as u8));
    px.extend(vec![255 - index as u8; 1024]);
    px
}

fn images(n: usize, offset: usize) -> Vec<u8> {
    (0..n).flat_map(|i| image(offset + i)).collect()
}

#[test]
fn cifar10_reads_all_train_batches_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    for b in 0..5 {
        let labels: Vec<Vec<u8>> = (0..3).map(|i| vec![((b * 3 + i) % 10) as u8]).collect();
        let bytes = encode_records(&labels, &images(3, b * 3));
        assert_eq!(bytes.len(), 3 * 3073);
        // One batch gzipped: readers take either.
        if b == 2 {
            write(
                tmp.path(),
                &format!("cifar-10-batches-bin/data_batch_{}.bin.gz", b + 1),
                &gzip(&bytes),
            );
        } else {
            write(
                tmp.path(),
                &format!("cifar-10-batches-bin/data_batch_{}.bin", b + 1),
                &bytes,
            );
        }
    }
    let raw = load_raw(DatasetName::Cifar10, tmp.path(), Split::Train).unwrap();
    assert_eq!(
        (raw.len(), raw.shape(), raw.classes()),
        (15, (3, 32, 32), 10)
    );
    assert_eq!(raw.labels(), (0..15).map(|i| i % 10).collect::<Vec<_>>());
    for i in 0..15 {
        assert_eq!(raw.image(i), image(i).as_slice(), "image {i}");
    }
    // The paper's transform: C×H×W kept, (x/255 − mean_c)/std_c per plane.
    let ds = load(DatasetName::Cifar10, tmp.path(), Split::Train).unwrap();
    let img = ds.image(7);
    assert!((img[0] - (7.0 / 255.0 - 0.4914) / 0.2023).abs() < 1e-6);
    assert!((img[1024 + 300] - ((300 % 256) as f32 / 255.0 - 0.4822) / 0.1994).abs() < 1e-6);
    assert!((img[2048] - ((255.0 - 7.0) / 255.0 - 0.4465) / 0.2010).abs() < 1e-6);
}

#[test]
fn cifar100_uses_the_fine_label_and_checks_both() {
    let tmp = tempfile::tempdir().unwrap();
    let labels = vec![vec![3u8, 77], vec![19, 99], vec![0, 0]];
    write(
        tmp.path(),
        "cifar-100-binary/test.bin",
        &encode_records(&labels, &images(3, 0)),
    );
    let raw = load_raw(DatasetName::Cifar100, tmp.path(), Split::Test).unwrap();
    assert_eq!(raw.labels(), &[77, 99, 0]);
    assert_eq!(raw.classes(), 100);
    assert_eq!(raw.image(1), image(1).as_slice());

    let bytes = encode_records(&labels, &images(3, 0));
    let (mut px, mut ys) = (Vec::new(), Vec::new());
    let path = std::path::Path::new("x.bin");
    parse_records(
        path,
        &bytes,
        CifarFormat::Cifar100(Cifar100Label::Coarse),
        &mut px,
        &mut ys,
    )
    .unwrap();
    assert_eq!(ys, [3, 19, 0]);
    assert_eq!(px.len(), 3 * IMAGE_BYTES);

    // A coarse label of 20 is out of range even when reading fine labels.
    let bad = encode_records(&[vec![20u8, 5]], &images(1, 0));
    let err = parse_records(
        path,
        &bad,
        CifarFormat::Cifar100(Cifar100Label::Fine),
        &mut px,
        &mut ys,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("x.bin: label 20 at example 0 is not below the number of classes K = 20"),
        "{err}"
    );
}

#[test]
fn cifar_truncated_record_and_bad_label_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let good = encode_records(&[vec![1u8], vec![2]], &images(2, 0));
    write(
        tmp.path(),
        "cifar-10-batches-bin/test_batch.bin",
        &good[..good.len() - 1],
    );
    let before = listing(tmp.path());
    let err = load_raw(DatasetName::Cifar10, tmp.path(), Split::Test).unwrap_err();
    assert_eq!(listing(tmp.path()), before);
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 6146,
                actual: 6145,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("test_batch.bin: truncated: 2 whole 3073-byte records"),
        "{msg}"
    );

    let bad = encode_records(&[vec![1u8], vec![10]], &images(2, 0));
    write(tmp.path(), "cifar-10-batches-bin/test_batch.bin", &bad);
    let err = load_raw(DatasetName::Cifar10, tmp.path(), Split::Test).unwrap_err();
    assert!(
        err.to_string().contains(
            "test_batch.bin: label 10 at example 1 is not below the number of classes K = 10"
        ),
        "{err}"
    );

    // A missing batch says which and how to fetch it.
    let err = load_raw(DatasetName::Cifar10, tmp.path(), Split::Train).unwrap_err();
    assert!(
        err.to_string().contains("data_batch_1.bin: not found"),
        "{err}"
    );
}
