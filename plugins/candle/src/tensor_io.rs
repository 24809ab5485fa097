//! Conversions between candle tensors and safetensors' raw little-endian bytes.

use candle_core::{DType, Device, Tensor};
use safetensors::Dtype;

use crate::error::{CandleError, Result};

use collapse_backend_spec::state_bytes::{f32_owned, floats_as_f64, shaped_view};
pub use collapse_backend_spec::state_bytes::{f64_owned, has, i64_scalar, Owned};

/// A float tensor as (F32|F64, shape, bytes).
pub fn to_owned(t: &Tensor) -> Result<Owned> {
    let shape = t.dims().to_vec();
    let flat = t.flatten_all()?;
    Ok(match t.dtype() {
        DType::F64 => f64_owned(&flat.to_vec1::<f64>()?, shape),
        _ => f32_owned(&flat.to_dtype(DType::F32)?.to_vec1::<f32>()?, shape),
    })
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
    let view = shaped_view(st, name, expected)?;
    floats_as_f64(&view).ok_or_else(|| {
        CandleError::BadInput(format!(
            "state tensor {name} has dtype {:?}, expected F32 or F64",
            view.dtype()
        ))
    })
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
