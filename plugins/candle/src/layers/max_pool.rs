//! torchvision's stem max-pool (3×3, stride 2, padding 1): a custom op on the CPU
//! (`max_pool_cpu.rs`), elsewhere built from differentiable slices because candle's
//! own max-pool has no padding and no backward for kernel ≠ stride.

use candle_core::Tensor;

use super::max_pool_cpu::max_pool_3x3_s2_p1_cpu;
use crate::error::Result;

/// Max over 3×3 windows at stride 2 with one row/column of padding on each side.
///
/// The input must be non-negative (it follows a ReLU): then zero padding equals PyTorch's
/// −∞ padding, because every window holds at least one real, non-negative value.
pub fn max_pool_3x3_s2_p1(x: &Tensor) -> Result<Tensor> {
    if x.device().is_cpu() {
        return Ok(max_pool_3x3_s2_p1_cpu(x)?);
    }
    let (n, c, h, w) = x.dims4()?;
    let (ho, wo) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1);
    // Pad to 2 + 2·out rows/columns so every shifted, strided view exists.
    let x = x
        .pad_with_zeros(2, 1, 2 * ho + 1 - h)?
        .pad_with_zeros(3, 1, 2 * wo + 1 - w)?;
    let mut out: Option<Tensor> = None;
    for di in 0..3 {
        for dj in 0..3 {
            let v = x
                .narrow(2, di, 2 * ho)?
                .narrow(3, dj, 2 * wo)?
                .reshape((n, c, ho, 2, wo, 2))?
                .narrow(3, 0, 1)?
                .narrow(5, 0, 1)?
                .reshape((n, c, ho, wo))?;
            out = Some(match out {
                None => v,
                Some(m) => m.maximum(&v)?,
            });
        }
    }
    Ok(out.expect("nine windows"))
}
