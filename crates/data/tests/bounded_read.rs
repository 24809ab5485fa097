//! Compressed data files are decompressed no further than their header announces (issue 10):
//! a small gzip that inflates far past its IDX header is refused after the header check, and
//! a header announcing more than the machine holds is refused with both numbers.

use collapse_data::{idx, load_raw, DataError, DatasetName, Split};
use flate2::write::GzEncoder;
use std::io::Write;

fn gzip_of(parts: &[&[u8]], zeros: usize) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    for p in parts {
        gz.write_all(p).unwrap();
    }
    let block = vec![0u8; 1 << 20];
    for _ in 0..zeros / block.len() {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap()
}

fn header(count: u32, rows: u32, cols: u32) -> Vec<u8> {
    [idx::IMAGES_MAGIC, count, rows, cols]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect()
}

#[test]
fn a_gzip_that_inflates_past_its_header_is_refused_without_inflating_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("mnist");
    std::fs::create_dir_all(&folder).unwrap();
    // Two 28x28 images announced (1584 bytes), then 256 MiB of zeros (about 250 KiB packed).
    let bomb = gzip_of(&[&header(2, 28, 28), &[7u8; 1568]], 256 << 20);
    assert!(bomb.len() < 1 << 20);
    let path = folder.join("train-images-idx3-ubyte.gz");
    std::fs::write(&path, &bomb).unwrap();
    let err = idx::read(&path).unwrap_err();
    assert!(
        matches!(err, DataError::Oversized { limit: 1584, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("train-images-idx3-ubyte.gz") && msg.contains("exceeds 1584 bytes"),
        "{msg}"
    );
    // Through the loader too.
    std::fs::write(
        folder.join("train-labels-idx1-ubyte"),
        idx::encode_labels(&[1, 2]),
    )
    .unwrap();
    let err = load_raw(DatasetName::Mnist, dir.path(), Split::Train).unwrap_err();
    assert!(matches!(err, DataError::Oversized { .. }), "{err}");
}

#[test]
fn a_header_announcing_more_than_memory_is_refused_with_both_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("images.gz");
    std::fs::write(&path, gzip_of(&[&header(u32::MAX, u32::MAX, u32::MAX)], 0)).unwrap();
    let err = idx::read(&path).unwrap_err();
    let DataError::Memory { source } = &err else {
        panic!("expected a memory refusal, got {err}");
    };
    assert_eq!(source.needed, u64::MAX);
    let msg = err.to_string();
    assert!(
        msg.contains(&source.available.to_string()) && msg.contains("images.gz"),
        "{msg}"
    );
}

#[test]
fn an_exact_file_reads_whole_raw_and_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let pixels: Vec<u8> = (0..2 * 28 * 28).map(|i| (i % 251) as u8).collect();
    let bytes = idx::encode_images(2, 28, 28, &pixels);
    let raw = dir.path().join("raw");
    std::fs::write(&raw, &bytes).unwrap();
    let gz = dir.path().join("raw.gz");
    std::fs::write(&gz, gzip_of(&[&bytes], 0)).unwrap();
    for p in [raw, gz] {
        let parsed = idx::parse_images(&p, idx::read(&p).unwrap()).unwrap();
        assert_eq!(parsed.pixels, pixels);
    }
}
