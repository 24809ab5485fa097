//! Conversions between candle tensors and safetensors' raw little-endian bytes.

use candle_core::{DType, Device, Tensor};
use safetensors::Dtype;

use crate::error::{CandleError, Result};

/// An owned tensor ready to serialise: (dtype, shape, bytes).
pub type Owned = (Dtype, Vec<usize>, Vec<u8>);

/// A float tensor as (F32|F64, shape, bytes).
pub fn to_owned(t: &Tensor) -> Result<Owned> {
    let shape = t.dims().to_vec();
    let flat = t.flatten_all()?;
    Ok(match t.dtype() {
        DType::F64 => (
            Dtype::F64,
            shape,
            flat.to_vec1::<f64>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
        _ => (
            Dtype::F32,
            shape,
            flat.to_dtype(DType::F32)?
                .to_vec1::<f32>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
    })
}

/// f64 values with a shape.
pub fn f64_owned(values: &[f64], shape: Vec<usize>) -> Owned {
    (
        Dtype::F64,
        shape,
        values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    )
}

/// An i64 scalar (PyTorch's `num_batches_tracked`, step counters).
pub fn i64_scalar(v: i64) -> Owned {
    (Dtype::I64, Vec::new(), v.to_le_bytes().to_vec())
}

/// Reads an f32/f64 tensor, checking its shape against `expected`.
pub fn read_tensor(
    st: &safetensors::SafeTensors<'_>,
    name: &str,
    expected: &[usize],
    dtype: DType,
    device: &Device,
) -> Result<Tensor> {
    let values = read_f64(st, name, expected)?;
    Ok(Tensor::from_vec(values, expected, device)?.to_dtype(dtype)?)
}

/// Reads an f32/f64 tensor as f64 values, checking its shape.
pub fn read_f64(
    st: &safetensors::SafeTensors<'_>,
    name: &str,
    expected: &[usize],
) -> Result<Vec<f64>> {
    let view = st.tensor(name).map_err(|e| {
        CandleError::BadInput(format!(
            "state tensor {name}: {e} (was the state saved by another model or optimiser?)"
        ))
    })?;
    if view.shape() != expected {
        return Err(CandleError::BadInput(format!(
            "state tensor {name} has shape {:?}, this session needs {expected:?}",
            view.shape()
        )));
    }
    match view.dtype() {
        Dtype::F32 => Ok(view
            .data()
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
            .collect()),
        Dtype::F64 => Ok(view
            .data()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()),
        other => Err(CandleError::BadInput(format!(
            "state tensor {name} has dtype {other:?}, expected F32 or F64"
        ))),
    }
}

/// Reads an i64 scalar.
pub fn read_i64(st: &safetensors::SafeTensors<'_>, name: &str) -> Result<i64> {
    let view = st
        .tensor(name)
        .map_err(|e| CandleError::BadInput(format!("state tensor {name}: {e}")))?;
    if view.dtype() != Dtype::I64 || view.data().len() != 8 {
        return Err(CandleError::BadInput(format!(
            "state tensor {name} must be an i64 scalar"
        )));
    }
    Ok(i64::from_le_bytes(view.data().try_into().expect("8 bytes")))
}

/// Whether the state holds `name`.
pub fn has(st: &safetensors::SafeTensors<'_>, name: &str) -> bool {
    st.names().contains(&name)
}

/// Serialises named tensors (with string metadata).
pub fn serialize(
    tensors: &[(String, Owned)],
    metadata: std::collections::HashMap<String, String>,
) -> Result<Vec<u8>> {
    let views = tensors
        .iter()
        .map(|(n, (dt, shape, bytes))| {
            safetensors::tensor::TensorView::new(*dt, shape.clone(), bytes).map(|v| (n.clone(), v))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| CandleError::State(format!("serialising state: {e}")))?;
    safetensors::serialize(views, Some(metadata))
        .map_err(|e| CandleError::State(format!("serialising state: {e}")))
}

/// A float tensor's values as f64 (for exact comparisons).
pub fn read_back(t: &Tensor) -> Result<Vec<f64>> {
    Ok(t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
}
