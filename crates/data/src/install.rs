//! Putting a downloaded or unpacked file into the data folder: all checks first (gzip
//! stream, structure, length, sha256 of the decompressed bytes), then a write to a temporary
//! file in the destination folder and an atomic rename. A file that fails a check leaves
//! nothing behind — no partial file, no temporary, not even a new folder.

use crate::catalog::DatasetName;
use crate::checksum::{known_file, verify_sha256};
use crate::digits;
use crate::error::{DataError, Result};
use crate::idx;
use crate::source::{decompress_if_gzip, is_gzip};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Checks the bytes of a known file the way its reader would.
fn check_structure(dataset: DatasetName, name: &str, path: &Path, bytes: &[u8]) -> Result<()> {
    if dataset == DatasetName::Digits {
        digits::parse_csv(path, bytes)?;
    } else if name.contains("images") {
        idx::parse_images(path, bytes.to_vec())?;
    } else if name.contains("labels") {
        idx::parse_labels(path, bytes.to_vec())?;
    }
    Ok(())
}

/// Installs `source` (raw or gzip) as file `name` of `dataset` into `dataset_folder`, stored
/// as `name.gz` (small enough to travel with a working tree). Only files with a published
/// checksum ([`crate::KNOWN_FILES`]) can be installed. A stale raw `name` next to it is
/// removed, since readers prefer the raw file. Returns the installed path.
pub fn install_known_file(
    dataset: DatasetName,
    name: &str,
    source: &Path,
    dataset_folder: &Path,
) -> Result<PathBuf> {
    let known = known_file(dataset, name).ok_or_else(|| {
        DataError::Invalid(format!(
            "{}: no published checksum for `{name}` of {dataset}; refusing to install an unverifiable file",
            source.display()
        ))
    })?;
    let stored = std::fs::read(source).map_err(|e| DataError::io(source, e))?;
    let was_gzip = is_gzip(&stored);
    let bytes = decompress_if_gzip(source, stored.clone(), known.bytes)?;
    check_structure(dataset, name, source, &bytes)?;
    if bytes.len() as u64 != known.bytes {
        let what = format!("{dataset} {name}");
        return Err(if (bytes.len() as u64) < known.bytes {
            DataError::Truncated {
                path: source.to_path_buf(),
                what,
                expected: known.bytes,
                actual: bytes.len() as u64,
            }
        } else {
            DataError::TrailingBytes {
                path: source.to_path_buf(),
                what,
                expected: known.bytes,
                actual: bytes.len() as u64,
            }
        });
    }
    verify_sha256(source, &bytes, known.sha256)?;

    let gz = if was_gzip {
        stored
    } else {
        let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::default());
        enc.write_all(&bytes)
            .and_then(|_| enc.finish())
            .map_err(|e| DataError::io(source, e))?
    };
    let dest = dataset_folder.join(format!("{name}.gz"));
    write_atomic(&dest, &gz)?;
    let raw = dataset_folder.join(name);
    if raw.is_file() {
        std::fs::remove_file(&raw).map_err(|e| DataError::io(&raw, e))?;
    }
    Ok(dest)
}

/// Writes `bytes` to `dest` through a temporary file in the same folder and a rename, so
/// `dest` is either absent, its old content, or complete. Creates the folder if needed.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let folder = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| DataError::io(folder, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(folder)
        .map_err(|e| DataError::io(folder, e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| DataError::io(tmp.path(), e))?;
    // Temporary files are private (0600); a data file should be readable like any other.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| DataError::io(tmp.path(), e))?;
    }
    tmp.persist(dest)
        .map_err(|e| DataError::io(dest, e.error))?;
    Ok(())
}
