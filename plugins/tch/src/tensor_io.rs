//! Conversions between libtorch tensors and safetensors' raw little-endian bytes (the same
//! layout the candle backend writes, so states move between the backends).

use tch::{Device, Kind, Tensor};

use crate::error::Result;

use collapse_backend_spec::state_bytes::{f32_owned, f64_owned, read_f64};
pub use collapse_backend_spec::state_bytes::{has, i64_scalar, Owned};

/// The values of any float tensor as f64 (copied to the CPU).
pub fn to_f64(t: &Tensor) -> Result<Vec<f64>> {
    let flat = t
        .f_detach()?
        .f_to_device(Device::Cpu)?
        .f_to_kind(Kind::Double)?
        .f_contiguous()?
        .f_flatten(0, -1)?;
    let mut out = vec![0.0; flat.numel()];
    let n = out.len();
    flat.f_copy_data(&mut out, n)?;
    Ok(out)
}

/// A float tensor as (F32|F64, shape, bytes).
pub fn to_owned(t: &Tensor) -> Result<Owned> {
    let shape: Vec<usize> = t.size().iter().map(|&s| s as usize).collect();
    let values = to_f64(t)?;
    Ok(match t.kind() {
        Kind::Double => f64_owned(&values, shape),
        _ => {
            let narrow: Vec<f32> = values.iter().map(|&v| v as f32).collect();
            f32_owned(&narrow, shape)
        }
    })
}

/// Overwrites `dst` (in place, no autograd) with the named tensor of the state.
pub fn load_into(st: &safetensors::SafeTensors<'_>, name: &str, dst: &Tensor) -> Result<()> {
    let shape: Vec<usize> = dst.size().iter().map(|&s| s as usize).collect();
    let src = read_tensor(st, name, &shape, dst.kind(), dst.device())?;
    tch::no_grad(|| dst.shallow_clone().f_copy_(&src))?;
    Ok(())
}

/// Reads a tensor of the expected shape into a new tensor of `kind` on `device`.
pub fn read_tensor(
    st: &safetensors::SafeTensors<'_>,
    name: &str,
    expected: &[usize],
    kind: Kind,
    device: Device,
) -> Result<Tensor> {
    let values = read_f64(st, name, expected)?;
    crate::params::tensor_from(&values, expected, kind, device)
}
