//! A saved state's tensors as safetensors' raw little-endian bytes, without a tensor library:
//! both backends encode and decode through here, so they write the same bytes.

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::error::{Result, SpecError};

/// An owned tensor ready to serialise: (dtype, shape, bytes).
pub type Owned = (Dtype, Vec<usize>, Vec<u8>);

/// f64 values with a shape.
pub fn f64_owned(values: &[f64], shape: Vec<usize>) -> Owned {
    (
        Dtype::F64,
        shape,
        values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    )
}

/// f32 values with a shape.
pub fn f32_owned(values: &[f32], shape: Vec<usize>) -> Owned {
    (
        Dtype::F32,
        shape,
        values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    )
}

/// An i64 scalar (PyTorch's `num_batches_tracked`, step counters).
pub fn i64_scalar(v: i64) -> Owned {
    (Dtype::I64, Vec::new(), v.to_le_bytes().to_vec())
}

/// Whether the state holds `name`.
pub fn has(st: &SafeTensors<'_>, name: &str) -> bool {
    st.names().contains(&name)
}

/// The tensor `name` of the state, checked to have the session's shape `expected`.
pub fn shaped_view<'a>(
    st: &'a SafeTensors<'_>,
    name: &str,
    expected: &[usize],
) -> Result<TensorView<'a>> {
    let view = st.tensor(name).map_err(|e| {
        SpecError::BadInput(format!(
            "state tensor {name}: {e} (was the state saved by another model or optimiser?)"
        ))
    })?;
    if view.shape() != expected {
        return Err(SpecError::BadInput(format!(
            "state tensor {name} has shape {:?}, this session needs {expected:?}",
            view.shape()
        )));
    }
    Ok(view)
}

/// An F32 or F64 tensor's values widened to f64; `None` for any other dtype (the caller
/// names the tensor in its refusal).
pub fn floats_as_f64(view: &TensorView<'_>) -> Option<Vec<f64>> {
    match view.dtype() {
        Dtype::F32 => Some(
            view.data()
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
                .collect(),
        ),
        Dtype::F64 => Some(
            view.data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        ),
        _ => None,
    }
}

/// An F32 or F64 tensor of the state as f64 values, checked to have the shape `expected`.
pub fn read_f64(st: &SafeTensors<'_>, name: &str, expected: &[usize]) -> Result<Vec<f64>> {
    let view = shaped_view(st, name, expected)?;
    floats_as_f64(&view).ok_or_else(|| {
        SpecError::BadInput(format!(
            "state tensor {name} is {:?}; expected F32 or F64",
            view.dtype()
        ))
    })
}

/// An i64 scalar of the state (step counters, `num_batches_tracked`).
pub fn read_i64(st: &SafeTensors<'_>, name: &str) -> Result<i64> {
    let view = st
        .tensor(name)
        .map_err(|e| SpecError::BadInput(format!("state tensor {name}: {e}")))?;
    match (view.dtype(), view.data().len()) {
        (Dtype::I64, 8) => Ok(i64::from_le_bytes(view.data().try_into().expect("8 bytes"))),
        (d, n) => Err(SpecError::BadInput(format!(
            "state tensor {name}: expected one I64, found {d:?} ({n} bytes)"
        ))),
    }
}

/// Serialises named tensors with string metadata into safetensors bytes. The `Err` message
/// names the tensor; it means an [`Owned`] whose bytes do not fit its shape (a bug).
pub fn serialize(
    tensors: &[(String, Owned)],
    metadata: std::collections::HashMap<String, String>,
) -> std::result::Result<Vec<u8>, String> {
    let views = tensors
        .iter()
        .map(|(name, (dtype, shape, bytes))| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| format!("serialising state tensor {name}: {e}"))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    safetensors::serialize(views, Some(metadata)).map_err(|e| format!("serialising the state: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_and_shapes_are_checked() {
        let a = f32_owned(&[1.5, -2.25, 3.0], vec![3]);
        let b = f64_owned(&[0.1, 0.2], vec![1, 2]);
        let c = i64_scalar(7);
        let named = [("a".to_string(), a), ("b".into(), b), ("c".into(), c)];
        let bytes = serialize(&named, Default::default()).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let va = shaped_view(&st, "a", &[3]).unwrap();
        assert_eq!(floats_as_f64(&va).unwrap(), [1.5, -2.25, 3.0]);
        let vb = shaped_view(&st, "b", &[1, 2]).unwrap();
        assert_eq!(floats_as_f64(&vb).unwrap(), [0.1, 0.2]);
        assert_eq!(floats_as_f64(&shaped_view(&st, "c", &[]).unwrap()), None);
        assert_eq!(
            shaped_view(&st, "a", &[4]).unwrap_err().to_string(),
            "state tensor a has shape [3], this session needs [4]"
        );
        assert!(shaped_view(&st, "zz", &[1]).is_err());
        assert!(has(&st, "b") && !has(&st, "zz"));
        let bad = [("d".to_string(), (Dtype::F32, vec![5], vec![0u8; 4]))];
        assert!(serialize(&bad, Default::default())
            .unwrap_err()
            .contains("tensor d"));
        assert_eq!(read_f64(&st, "b", &[1, 2]).unwrap(), [0.1, 0.2]);
        assert_eq!(read_i64(&st, "c").unwrap(), 7);
        assert_eq!(
            read_i64(&st, "a").unwrap_err().to_string(),
            "state tensor a: expected one I64, found F32 (12 bytes)"
        );
        assert_eq!(
            read_f64(&st, "c", &[]).unwrap_err().to_string(),
            "state tensor c is I64; expected F32 or F64"
        );
    }
}
