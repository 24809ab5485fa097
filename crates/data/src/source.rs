//! Finding a data file as stored (raw or gzip) and reading its decompressed bytes.

use crate::error::{DataError, Result};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
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

/// The most decompressed bytes a file without a size in its header may have (CIFAR's largest
/// file is 153 MB, digits' 0.3 MB): far above any real file, far below a gzip bomb.
pub const MAX_UNHEADED: u64 = 256 << 20;

/// Reads `path` and, when its content is gzip (by magic, whatever the extension),
/// decompresses it, refusing more than [`MAX_UNHEADED`] bytes.
pub fn read_decompressed(path: &Path) -> Result<Vec<u8>> {
    read_bounded(path, 0, "a file of this data set", |_| Some(MAX_UNHEADED))
}

/// Reads the (decompressed) content of `path`. A gzip stream is inflated to at most
/// `limit(header)` bytes in all, where `header` is its first `header_len` decompressed bytes
/// (fewer if it is shorter): a stream that inflates
/// past what its own header announces is refused before the excess is decompressed. The
/// bound is also checked against the memory available. `limit` returns `None` when the
/// header is incomplete or damaged: then only the header is returned, for the parser to
/// report. `what` says where the bound comes
/// from, for the message.
pub fn read_bounded(
    path: &Path,
    header_len: usize,
    what: &str,
    limit: impl FnOnce(&[u8]) -> Option<u64>,
) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut magic = Vec::with_capacity(2);
    (&mut file)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(|e| DataError::io(path, e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| DataError::io(path, e))?;
    let gzip = is_gzip(&magic);
    if !gzip {
        // A raw file's size is real: read it whole and let the parser compare it with the
        // header (truncated, trailing bytes) with both numbers.
        let len = file.metadata().map_err(|e| DataError::io(path, e))?.len();
        collapse_guard::check_allocation(&format!("reading {}", path.display()), Some(len))?;
        return std::fs::read(path).map_err(|e| DataError::io(path, e));
    }
    let mut stream = MultiGzDecoder::new(BufReader::new(file));
    let read_err = |source: std::io::Error| DataError::Gzip {
        path: path.to_path_buf(),
        source,
    };
    let mut out = Vec::with_capacity(header_len);
    (&mut stream)
        .take(header_len as u64)
        .read_to_end(&mut out)
        .map_err(read_err)?;
    let Some(limit) = limit(&out) else {
        return Ok(out);
    };
    let limit = limit.max(out.len() as u64);
    collapse_guard::check_allocation(
        &format!("reading {} ({what}: {limit} bytes)", path.display()),
        Some(limit),
    )
    .map_err(|source| DataError::Memory { source })?;
    // One byte past the limit tells "too long" from "exactly right" without inflating more.
    (&mut stream)
        .take((limit - out.len() as u64).saturating_add(1))
        .read_to_end(&mut out)
        .map_err(read_err)?;
    if out.len() as u64 > limit {
        return Err(DataError::Oversized {
            path: path.to_path_buf(),
            what: what.to_string(),
            limit,
        });
    }
    Ok(out)
}

/// Decompresses `stored` (read from `path`) if it is gzip, else returns it unchanged;
/// more than `limit` decompressed bytes are refused.
pub fn decompress_if_gzip(path: &Path, stored: Vec<u8>, limit: u64) -> Result<Vec<u8>> {
    if !is_gzip(&stored) {
        return Ok(stored);
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(stored.as_slice())
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|source| DataError::Gzip {
            path: path.to_path_buf(),
            source,
        })?;
    if out.len() as u64 > limit {
        return Err(DataError::Oversized {
            path: path.to_path_buf(),
            what: "the size of the known file".to_string(),
            limit,
        });
    }
    Ok(out)
}
