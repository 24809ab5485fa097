//! The IDX format of MNIST and Fashion-MNIST: a big-endian magic (`0x0000_08NN`: unsigned
//! bytes, NN dimensions), NN big-endian u32 sizes, then the bytes.

use crate::error::{DataError, Result};
use crate::source::read_bounded;
use std::path::Path;

/// Magic of an image file: unsigned bytes, 3 dimensions (count, rows, columns).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic of a label file: unsigned bytes, 1 dimension (count).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// The content of an IDX image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count × rows × cols` bytes, row-major.
    pub pixels: Vec<u8>,
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Checks the magic and the header length, returning the dimension sizes.
fn header(path: &Path, bytes: &[u8], magic: u32, what: &str) -> Result<Vec<usize>> {
    let dims = (magic & 0xff) as usize;
    let header_len = 4 + 4 * dims;
    if bytes.len() < 4 {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            what: format!("the {what} magic number"),
            expected: 4,
            actual: bytes.len() as u64,
        });
    }
    let found = be_u32(bytes, 0);
    if found != magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            what: what.to_string(),
            expected: magic,
            found,
        });
    }
    if bytes.len() < header_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            what: format!("the {what} header"),
            expected: header_len as u64,
            actual: bytes.len() as u64,
        });
    }
    Ok((0..dims)
        .map(|d| be_u32(bytes, 4 + 4 * d) as usize)
        .collect())
}

/// Checks that the body is exactly as long as the header says.
fn check_len(path: &Path, actual: usize, expected: u64, what: &str) -> Result<()> {
    let actual = actual as u64;
    if actual < expected {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            what: what.to_string(),
            expected,
            actual,
        });
    }
    if actual > expected {
        return Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            what: what.to_string(),
            expected,
            actual,
        });
    }
    Ok(())
}

/// The total length (header and data) that the IDX header at the start of `bytes`
/// announces (`u64::MAX` when that overflows); `None` when `bytes` holds no complete header.
pub fn announced_len(bytes: &[u8]) -> Option<u64> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return None;
    }
    let dims = bytes[3] as usize;
    let header_len = 4 + 4 * dims;
    if dims == 0 || dims > 3 || bytes.len() < header_len {
        return None;
    }
    let sizes: Vec<u64> = (0..dims)
        .map(|d| u64::from(be_u32(bytes, 4 + 4 * d)))
        .collect();
    Some(
        collapse_guard::size::elements(&sizes)
            .and_then(|n| n.checked_add(header_len as u64))
            .unwrap_or(u64::MAX),
    )
}

/// Reads an IDX file (raw or gzip), decompressing no more than its header announces (plus
/// one byte, to tell a longer stream), so a small gzip that inflates far past its header is
/// refused after the header check rather than decompressed.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    // Without a complete header the parser reports the header itself.
    read_bounded(path, 16, "the size its IDX header announces", announced_len)
}

/// Parses the decompressed bytes of an IDX image file read from `path`.
pub fn parse_images(path: &Path, mut bytes: Vec<u8>) -> Result<IdxImages> {
    let what = "IDX image file";
    let dims = header(path, &bytes, IMAGES_MAGIC, what)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    // Saturating: a damaged header must give a clear error, not an overflow.
    let expected = (count as u64)
        .saturating_mul(rows as u64)
        .saturating_mul(cols as u64)
        .saturating_add(16);
    check_len(path, bytes.len(), expected, what)?;
    bytes.drain(..16);
    Ok(IdxImages {
        count,
        rows,
        cols,
        pixels: bytes,
    })
}

/// Parses the decompressed bytes of an IDX label file read from `path`.
pub fn parse_labels(path: &Path, mut bytes: Vec<u8>) -> Result<Vec<u8>> {
    let what = "IDX label file";
    let dims = header(path, &bytes, LABELS_MAGIC, what)?;
    check_len(path, bytes.len(), 8 + dims[0] as u64, what)?;
    bytes.drain(..8);
    Ok(bytes)
}

/// Writes an IDX image file's bytes (used by tests and tools that make small IDX files).
pub fn encode_images(count: usize, rows: usize, cols: usize, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + pixels.len());
    for v in [IMAGES_MAGIC, count as u32, rows as u32, cols as u32] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

/// Writes an IDX label file's bytes.
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}
