//! The safetensors header (8-byte little-endian length, then JSON), parsed by the
//! `safetensors` crate's own metadata type, read without loading the tensors themselves.

use crate::dtype::{ByteOrder, ElementType};
use crate::error::{ArrayError, Result};
use crate::layout::Layout;
use safetensors::tensor::{Metadata, TensorInfo};
use safetensors::Dtype;
use std::io::Read;
use std::path::Path;

/// Headers larger than this are refused (the safetensors crate's own limit is 100 MB).
const MAX_HEADER: u64 = 100_000_000;

/// Reads the header and returns the layout of the chosen tensor: `name` if given, else the
/// only tensor of rank `rank`.
pub(crate) fn read_layout(
    path: &Path,
    mut file: impl Read,
    file_len: u64,
    name: Option<&str>,
    rank: usize,
) -> Result<Layout> {
    let format_err = |reason: String| ArrayError::Format {
        path: path.to_path_buf(),
        format: "safetensors",
        reason,
    };
    let io_err = |source| ArrayError::Io {
        path: path.to_path_buf(),
        source,
    };
    if file_len < 8 {
        return Err(format_err(format!(
            "truncated: a safetensors file starts with an 8-byte header length, but the file has {file_len} bytes"
        )));
    }
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(io_err)?;
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER || n.saturating_add(8) > file_len {
        return Err(format_err(format!(
            "header length {n} does not fit a file of {file_len} bytes"
        )));
    }
    let mut header = vec![0u8; n as usize];
    file.read_exact(&mut header).map_err(io_err)?;
    let metadata: Metadata =
        serde_json::from_slice(&header).map_err(|e| format_err(format!("header: {e}")))?;
    if (metadata.data_len() as u64).checked_add(8 + n) != Some(file_len) {
        return Err(format_err(format!(
            "the header describes {} data bytes but the file holds {} (truncated or padded file)",
            metadata.data_len(),
            file_len - 8 - n
        )));
    }
    let tensors = metadata.tensors();
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let available = names
        .iter()
        .map(|k| format!("{k} {:?} {:?}", tensors[*k].dtype, tensors[*k].shape))
        .collect::<Vec<_>>()
        .join(", ");
    let choice_err = |reason: String| ArrayError::Tensor {
        path: path.to_path_buf(),
        reason,
        available: available.clone(),
    };
    let (chosen, info): (&str, &TensorInfo) = match name {
        Some(name) => (
            name,
            metadata
                .info(name)
                .ok_or_else(|| choice_err(format!("no tensor named `{name}`")))?,
        ),
        None => {
            let candidates: Vec<&&String> = names
                .iter()
                .filter(|k| tensors[**k].shape.len() == rank || tensors.len() == 1)
                .collect();
            match candidates.as_slice() {
                [one] => (one.as_str(), tensors[one.as_str()]),
                [] => return Err(choice_err(format!("no tensor of rank {rank}"))),
                _ => {
                    return Err(choice_err(format!(
                        "{} tensors of rank {rank}, which one is meant is ambiguous",
                        candidates.len()
                    )))
                }
            }
        }
    };
    let element = match info.dtype {
        Dtype::F32 => ElementType::F32,
        Dtype::F64 => ElementType::F64,
        Dtype::I8 => ElementType::Int(1),
        Dtype::I16 => ElementType::Int(2),
        Dtype::I32 => ElementType::Int(4),
        Dtype::I64 => ElementType::Int(8),
        Dtype::U8 => ElementType::Uint(1),
        Dtype::U16 => ElementType::Uint(2),
        Dtype::U32 => ElementType::Uint(4),
        Dtype::U64 => ElementType::Uint(8),
        other => {
            return Err(ArrayError::UnsupportedDtype {
                path: path.to_path_buf(),
                dtype: format!("{other:?}"),
                what: format!("tensor `{chosen}`"),
                fix: "store it as F32 or F64 (features, weights) or as an integer type (labels)"
                    .into(),
            })
        }
    };
    let (start, stop) = info.data_offsets;
    let announced = collapse_guard::size::bytes(
        &collapse_guard::size::widen(&info.shape),
        element.size() as u64,
    );
    if stop < start || announced != Some((stop - start) as u64) {
        return Err(format_err(format!(
            "tensor `{chosen}` has shape {:?} of {} ({} bytes) but its data offsets [{start}, {stop}) span {} bytes",
            info.shape,
            element.name(),
            announced.map_or_else(|| "more than 2^64".to_string(), |b| b.to_string()),
            stop.saturating_sub(start)
        )));
    }
    Ok(Layout {
        element,
        order: ByteOrder::Little,
        shape: info.shape.clone(),
        offset: 8 + n + info.data_offsets.0 as u64,
    })
}
