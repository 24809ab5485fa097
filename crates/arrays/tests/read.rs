//! The readers against files written by numpy and the official safetensors package
//! (`tests/data/make_fixtures.py`), and the golden data of collapse-metrics.

use collapse_arrays::{ArrayError, ArrayFile, ElementType, Expect};

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The matrix the fixtures hold: (i·3 + j − 7)/4, 5×3.
fn expected() -> Vec<f64> {
    (0..15).map(|i| (i as f64 - 7.0) / 4.0).collect()
}

#[test]
fn float_matrices_in_every_supported_encoding() {
    for name in ["m_f64.npy", "m_f32.npy", "m_f64_big_endian.npy"] {
        let a = ArrayFile::open(&data(name), Expect::Matrix).unwrap();
        assert_eq!((a.rows(), a.cols()), (5, 3), "{name}");
        assert_eq!(a.read_floats().unwrap(), expected(), "{name}");
    }
    let a = ArrayFile::open(&data("m_f32.npy"), Expect::Matrix).unwrap();
    assert_eq!(a.element(), ElementType::F32);
}

#[test]
fn row_chunks_cover_the_file_in_order() {
    let a = ArrayFile::open(&data("m_f64.npy"), Expect::Matrix).unwrap();
    for rows in 1..7 {
        let chunks: Vec<Vec<f64>> = a.float_chunks(rows).unwrap().map(Result::unwrap).collect();
        assert_eq!(chunks.len(), 5usize.div_ceil(rows));
        assert!(chunks
            .iter()
            .all(|c| c.len() % 3 == 0 && c.len() <= 3 * rows));
        assert_eq!(chunks.concat(), expected());
    }
}

#[test]
fn labels_of_any_integer_width() {
    for name in [
        "labels_u1.npy",
        "labels_le_i2.npy",
        "labels_be_u2.npy",
        "labels_le_i4.npy",
        "labels_u4.npy",
        "labels_le_i8.npy",
        "labels_u8.npy",
        "labels_column.npy",
    ] {
        let a = ArrayFile::open(&data(name), Expect::Vector).unwrap();
        assert_eq!(a.read_labels().unwrap(), vec![0, 2, 1, 255, 7], "{name}");
    }
    let a = ArrayFile::open(&data("labels_i1.npy"), Expect::Vector).unwrap();
    assert_eq!(a.read_labels().unwrap(), vec![0, 2, 1, 127, 7]);
    let chunks: Vec<Vec<usize>> = ArrayFile::open(&data("labels_le_i8.npy"), Expect::Vector)
        .unwrap()
        .label_chunks(2)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(chunks, vec![vec![0, 2], vec![1, 255], vec![7]]);
}

#[test]
fn bad_files_are_refused_with_the_fix() {
    let err = |name: &str, expect| ArrayFile::open(&data(name), expect).unwrap_err();
    let e = err("m_fortran.npy", Expect::Matrix);
    assert!(matches!(e, ArrayError::FortranOrder { .. }), "{e}");
    assert!(e.to_string().contains("np.ascontiguousarray"), "{e}");
    let e = err("m_f16.npy", Expect::Matrix);
    assert!(matches!(e, ArrayError::UnsupportedDtype { .. }), "{e}");
    assert!(e.to_string().contains("m_f16.npy"), "{e}");
    let e = err("truncated.npy", Expect::Matrix);
    assert!(e.to_string().contains("truncated"), "{e}");
    let e = err("v_f64.npy", Expect::Matrix);
    assert!(matches!(e, ArrayError::Rank { .. }), "{e}");
    let e = err("m_f64.npy", Expect::Vector);
    assert!(matches!(e, ArrayError::Rank { .. }), "{e}");
    let e = err("half.safetensors", Expect::Matrix);
    assert!(e.to_string().contains("F16"), "{e}");
    let e = err("no_such_file.npy", Expect::Matrix);
    assert!(matches!(e, ArrayError::Io { .. }), "{e}");
    let negative = ArrayFile::open(&data("labels_negative.npy"), Expect::Vector).unwrap();
    let e = negative.read_labels().unwrap_err();
    assert!(e.to_string().contains("position 2 is -3"), "{e}");
    let floats = ArrayFile::open(&data("v_f64.npy"), Expect::Vector).unwrap();
    assert!(floats
        .read_labels()
        .unwrap_err()
        .to_string()
        .contains("astype"));
    let ints = ArrayFile::open(&data("labels_u1.npy"), Expect::Vector).unwrap();
    assert!(ints.read_floats().is_err());
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("features.csv");
    std::fs::write(&txt, "1,2,3\n").unwrap();
    let e = ArrayFile::open(txt.to_str().unwrap(), Expect::Matrix).unwrap_err();
    assert!(matches!(e, ArrayError::UnknownFormat { .. }), "{e}");
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"\x93NUMPY\x01\x00garbage").unwrap();
    let e = ArrayFile::open(bad.to_str().unwrap(), Expect::Matrix).unwrap_err();
    assert!(matches!(e, ArrayError::Format { .. }), "{e}");
}

#[test]
fn safetensors_tensors_are_chosen_by_rank_or_name() {
    let head = data("head.safetensors");
    let w = ArrayFile::open(&head, Expect::Matrix).unwrap();
    assert_eq!((w.rows(), w.cols()), (5, 3));
    assert_eq!(w.read_floats().unwrap(), expected());
    let b = ArrayFile::open(&head, Expect::Vector).unwrap();
    let col1: Vec<f64> = expected().chunks(3).map(|r| r[1]).collect();
    assert_eq!(b.read_floats().unwrap(), col1);
    let named = ArrayFile::open(&format!("{head}:fc.bias"), Expect::Vector).unwrap();
    assert_eq!(named.read_floats().unwrap(), col1);

    let two = data("two_matrices.safetensors");
    let e = ArrayFile::open(&two, Expect::Matrix).unwrap_err();
    assert!(
        e.to_string().contains("ambiguous") && e.to_string().contains("PATH:NAME"),
        "{e}"
    );
    let b = ArrayFile::open(&format!("{two}:b"), Expect::Matrix).unwrap();
    let plus_one: Vec<f64> = expected().iter().map(|v| v + 1.0).collect();
    assert_eq!(b.read_floats().unwrap(), plus_one);
    let chunks: Vec<f64> = b
        .float_chunks(2)
        .unwrap()
        .flat_map(Result::unwrap)
        .collect();
    assert_eq!(chunks, plus_one);
    let e = ArrayFile::open(&format!("{two}:c"), Expect::Matrix).unwrap_err();
    assert!(e.to_string().contains("no tensor named `c`"), "{e}");
}

#[test]
fn golden_features_agree_between_npy_and_safetensors() {
    let dir = format!(
        "{}/../metrics/golden/unbalanced_f64",
        env!("CARGO_MANIFEST_DIR")
    );
    let npy = ArrayFile::open(&format!("{dir}/features.npy"), Expect::Matrix).unwrap();
    let st = ArrayFile::open(&format!("{dir}/features.safetensors"), Expect::Matrix).unwrap();
    assert_eq!((npy.rows(), npy.cols()), (180, 12));
    assert_eq!(npy.read_floats().unwrap(), st.read_floats().unwrap());
}
