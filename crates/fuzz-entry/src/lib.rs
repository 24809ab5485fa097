//! The parsers of untrusted input, each fed one byte string, for the cargo-fuzz targets in
//! `fuzz/` (nightly) and for this crate's replay test (stable), which runs every kept input
//! of `fuzz/regressions/<target>/` and `fuzz/seeds/<target>/` through the same function.
//!
//! A parser may refuse its input with an error; it must not panic, abort, or allocate more
//! than the input's own size justifies. Inputs are written to a scratch file first where the
//! parser reads files (their size is part of what is checked).

use collapse_arrays::{read_point, ArrayFile, Expect};
use collapse_data::{cifar, idx, source, Cifar100Label, CifarFormat};
use collapse_train::{Experiment, RunDir};
use std::io::Write;
use std::path::PathBuf;

/// A fuzz target: a parser entry point that must never panic, whatever the bytes.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: the folder names under `fuzz/seeds` and `fuzz/regressions`
/// and the binaries of `fuzz/Cargo.toml`.
pub const TARGETS: &[(&str, Target)] = &[
    ("npy", npy),
    ("safetensors", safetensors),
    ("point", point),
    ("idx", idx_file),
    ("cifar", cifar_file),
    ("experiment_toml", experiment_toml),
    ("manifest", manifest),
];

/// A scratch folder of this process (fuzzing runs one input at a time per process).
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("collapse-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, data).expect("scratch file");
    path
}

/// Every way the host reads an array file: rank 1 and 2, floats and labels, whole and
/// chunked.
fn arrays(path: &std::path::Path) {
    for expect in [Expect::Matrix, Expect::Vector] {
        if let Ok(file) = ArrayFile::open_path(path, None, expect) {
            let _ = file.read_floats();
            let _ = file.read_labels();
            if let Ok(chunks) = file.float_chunks(3) {
                chunks.for_each(drop);
            }
        }
    }
}

/// `.npy` header and data.
pub fn npy(data: &[u8]) {
    arrays(&write("input.npy", data));
}

/// safetensors header and data (any tensor of rank 1 or 2).
pub fn safetensors(data: &[u8]) {
    arrays(&write("input.safetensors", data));
}

/// A POINT file (safetensors with W, H, b, labels).
pub fn point(data: &[u8]) {
    let _ = read_point(&write("point.safetensors", data));
}

/// An IDX file, raw and gzip-compressed, as image and as label file.
pub fn idx_file(data: &[u8]) {
    let raw = write("input-idx", data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("in-memory gzip");
    let gz = write("input-idx.gz", &gz.finish().expect("in-memory gzip"));
    for path in [raw, gz] {
        if let Ok(bytes) = idx::read(&path) {
            let _ = idx::parse_images(&path, bytes.clone());
            let _ = idx::parse_labels(&path, bytes);
        }
    }
}

/// CIFAR-10 and CIFAR-100 binary records.
pub fn cifar_file(data: &[u8]) {
    let path = write("data_batch.bin", data);
    if let Ok(bytes) = source::read_decompressed(&path) {
        for format in [
            CifarFormat::Cifar10,
            CifarFormat::Cifar100(Cifar100Label::Fine),
            CifarFormat::Cifar100(Cifar100Label::Coarse),
        ] {
            let (mut pixels, mut labels) = (Vec::new(), Vec::new());
            let _ = cifar::parse_records(&path, &bytes, format, &mut pixels, &mut labels);
        }
    }
}

/// A TOML experiment file, parsed and validated.
pub fn experiment_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(e) = Experiment::from_toml_str(text) {
            let _ = e.validate();
        }
    }
}

/// A run directory's `manifest.json`, read as a resume reads it, with the experiment it
/// records validated.
pub fn manifest(data: &[u8]) {
    let dir = scratch().join("run");
    std::fs::create_dir_all(&dir).expect("scratch run folder");
    std::fs::write(dir.join("manifest.json"), data).expect("scratch manifest");
    if let Ok(run) = RunDir::open(&dir) {
        if let Ok(m) = run.read_manifest() {
            let _ = m.experiment.validate();
        }
    }
}
