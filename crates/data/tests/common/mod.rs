//! Shared helpers of the integration tests: where the real data live, and small files.
#![allow(dead_code)]

use collapse_data::DatasetName;
use std::path::{Path, PathBuf};

/// The data folder holding `name`: `$COLLAPSE_DATA_DIR` or `<repo>/data`. When it is absent
/// the test fails under CI (`$CI` set: the fetch step must have run) and is skipped, with a
/// message, elsewhere.
pub fn real_data(name: DatasetName) -> Option<PathBuf> {
    let dir = std::env::var_os("COLLAPSE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"));
    if dir.join(name.folder()).is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "{name} not found in {} (set COLLAPSE_DATA_DIR or run `cargo xtask data --dataset {name}`)",
        dir.join(name.folder()).display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set, so the real data must be there: {msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// Writes `bytes` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// All paths under `dir`, sorted, relative.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(root).unwrap().display().to_string());
            if p.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}
