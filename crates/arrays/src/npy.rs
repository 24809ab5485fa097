//! The .npy header, parsed by the `npyz` crate (the Python-literal header is the fiddly
//! part); the data that follows is read by [`crate::ArrayFile`] in row chunks.

use crate::dtype::{ByteOrder, ElementType};
use crate::error::{ArrayError, Result};
use crate::layout::Layout;
use npyz::{DType, Endianness, NpyHeader, Order, TypeChar};
use std::io::{Read, Seek};
use std::path::Path;

/// Reads the header of an .npy file and returns where and how its data are stored.
pub(crate) fn read_layout(path: &Path, mut file: impl Read + Seek) -> Result<Layout> {
    let header = NpyHeader::from_reader(&mut file).map_err(|e| ArrayError::Format {
        path: path.to_path_buf(),
        format: "npy",
        reason: if e.kind() == std::io::ErrorKind::UnexpectedEof {
            let len = std::fs::metadata(path).map_or(0, |m| m.len());
            format!("truncated: the file ends inside its header ({len} bytes)")
        } else {
            e.to_string()
        },
    })?;
    let offset = file.stream_position().map_err(|source| ArrayError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if header.order() == Order::Fortran && header.shape().iter().filter(|&&n| n > 1).count() > 1 {
        return Err(ArrayError::FortranOrder {
            path: path.to_path_buf(),
        });
    }
    let dtype = header.dtype();
    let unsupported = |what: String| ArrayError::UnsupportedDtype {
        path: path.to_path_buf(),
        dtype: what,
        what: "an .npy array".into(),
        fix: "store float32/float64 features or integer labels".into(),
    };
    let DType::Plain(ts) = &dtype else {
        return Err(unsupported(format!("{dtype:?}")));
    };
    let size = ts.num_bytes().unwrap_or(0);
    let element = match (ts.type_char(), size) {
        (TypeChar::Float, 4) => ElementType::F32,
        (TypeChar::Float, 8) => ElementType::F64,
        (TypeChar::Int, 1 | 2 | 4 | 8) => ElementType::Int(size),
        (TypeChar::Uint, 1 | 2 | 4 | 8) => ElementType::Uint(size),
        _ => return Err(unsupported(ts.to_string())),
    };
    let order = match ts.endianness() {
        Endianness::Big => ByteOrder::Big,
        Endianness::Little | Endianness::Irrelevant => ByteOrder::Little,
    };
    Ok(Layout {
        element,
        order,
        shape: header.shape().iter().map(|&n| n as usize).collect(),
        offset,
    })
}
