//! Conversions between candle tensors and safetensors' raw little-endian bytes.

use candle_core::{DType, Device, Tensor};

use crate::error::Result;

use collapse_backend_spec::state_bytes::{f32_owned, read_f64};
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

/// A float tensor's values as f64 (for exact comparisons).
pub fn read_back(t: &Tensor) -> Result<Vec<f64>> {
    Ok(t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
}
