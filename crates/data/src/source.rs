//! Finding a data file as stored (raw or gzip) and reading its decompressed bytes.

use crate::error::{DataError, Result};
use flate2::read::MultiGzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// The stored path of `folder/name`: the raw file if present, else `name.gz`.
/// `dataset` only serves the error message's fix.
pub fn locate(folder: &Path, name: &str, dataset: &str) -> Result<PathBuf> {
    let raw = folder.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = folder.join(format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(DataError::Missing {
        path: raw,
        dataset: dataset.to_string(),
    })
}

/// Reads `path` and, when its content is gzip (by magic, whatever the extension),
/// decompresses it.
pub fn read_decompressed(path: &Path) -> Result<Vec<u8>> {
    let stored = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    decompress_if_gzip(path, stored)
}

/// Decompresses `stored` (read from `path`) if it is gzip, else returns it unchanged.
pub fn decompress_if_gzip(path: &Path, stored: Vec<u8>) -> Result<Vec<u8>> {
    if !is_gzip(&stored) {
        return Ok(stored);
    }
    let mut out = Vec::with_capacity(stored.len() * 4);
    MultiGzDecoder::new(stored.as_slice())
        .read_to_end(&mut out)
        .map_err(|source| DataError::Gzip {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(out)
}
