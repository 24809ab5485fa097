//! 2-D convolution without bias (every convolution of ResNet18 is followed by BatchNorm).
//!
//! On the CPU it is one custom op (`conv_cpu.rs`), im2col + one matrix product, in training
//! and evaluation alike: candle's CPU backward of `conv2d` goes through a direct-loop
//! `conv_transpose2d`, and its forward was 3–4× slower than the custom op on ResNet18's
//! feature passes (docs/benchmarks.md, end-to-end epoch). On other devices training
//! builds it from differentiable tensor operations (strided copies, then two matrix
//! products in backward) and evaluation uses candle's `conv2d`.

use candle_core::{DType, Device, Tensor, Var};
use rand_chacha::ChaCha8Rng;

use super::conv_cpu::conv2d_cpu;
use crate::error::Result;
use crate::init::kaiming_normal_fan_out;
use crate::params::ParamSet;

/// A bias-free convolution `{name}.weight` of shape out×in×k×k.
#[derive(Debug, Clone)]
pub struct Conv2d {
    weight: Var,
    stride: usize,
    padding: usize,
}

impl Conv2d {
    /// Registers `{name}.weight`, initialised kaiming-normal (fan-out, ReLU).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (cin, cout, k): (usize, usize, usize),
        stride: usize,
        padding: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let values = kaiming_normal_fan_out(rng, cout * cin * k * k, cout * k * k);
        let weight = ps.trainable(
            format!("{name}.weight"),
            values,
            &[cout, cin, k, k],
            dtype,
            device,
        )?;
        Ok(Conv2d {
            weight,
            stride,
            padding,
        })
    }

    /// N×C×H×W → N×out×H'×W'. On the CPU the custom op; elsewhere, when `train` (a
    /// backward pass follows) the tensor-op im2col, whose backward is fast, otherwise
    /// candle's own `conv2d`.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if x.device().is_cpu() {
            Ok(conv2d_cpu(
                x,
                self.weight.as_tensor(),
                self.stride,
                self.padding,
            )?)
        } else if train {
            conv2d_im2col(x, self.weight.as_tensor(), self.stride, self.padding)
        } else {
            Ok(x.conv2d(self.weight.as_tensor(), self.padding, self.stride, 1, 1)?)
        }
    }
}

/// Rows `start, start + stride, …` (`count` of them) of axis `dim` (2 or 3) of a 4-D tensor.
fn strided(x: &Tensor, dim: usize, start: usize, count: usize, stride: usize) -> Result<Tensor> {
    let v = x.narrow(dim, start, count * stride)?;
    if stride == 1 {
        return Ok(v);
    }
    let mut shape = v.dims().to_vec();
    shape[dim] = count;
    shape.insert(dim + 1, stride);
    let picked = v.reshape(shape.as_slice())?.narrow(dim + 1, 0, 1)?;
    Ok(picked.squeeze(dim + 1)?)
}

/// Cross-correlation of x (N×C×H×W) with w (O×C×k×k) at `stride` with zero `padding`,
/// as PyTorch's `conv2d` (no bias).
pub fn conv2d_im2col(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    let (n, c, h, wd) = x.dims4()?;
    let (o, ci, k, k2) = w.dims4()?;
    if ci != c || k != k2 {
        return Err(crate::error::CandleError::BadInput(format!(
            "conv: input has {c} channels, kernel {ci}×{k}×{k2}"
        )));
    }
    let ho = (h + 2 * padding - k) / stride + 1;
    let wo = (wd + 2 * padding - k) / stride + 1;
    // C×N×H×W, so that the patches stack into (C·k·k)×(N·Ho·Wo) without another copy.
    let xt = x.transpose(0, 1)?;
    let need_h = k - 1 + stride * ho;
    let need_w = k - 1 + stride * wo;
    let xp = if padding > 0 || need_h > h || need_w > wd {
        xt.pad_with_zeros(2, padding, need_h.saturating_sub(h + padding))?
            .pad_with_zeros(3, padding, need_w.saturating_sub(wd + padding))?
    } else {
        xt
    };
    let mut patches = Vec::with_capacity(k * k);
    for di in 0..k {
        let rows = strided(&xp, 2, di, ho, stride)?;
        for dj in 0..k {
            patches.push(strided(&rows, 3, dj, wo, stride)?);
        }
    }
    // (C, k·k, N, Ho, Wo) → (C·k·k) × (N·Ho·Wo); row index c·k·k + di·k + dj matches w.
    let cols = Tensor::stack(&patches, 1)?.reshape((c * k * k, n * ho * wo))?;
    let y = w.reshape((o, c * k * k))?.matmul(&cols)?;
    Ok(y.reshape((o, n, ho, wo))?.transpose(0, 1)?)
}
