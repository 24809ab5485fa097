//! BatchNorm over the channel axis (PyTorch's BatchNorm1d / BatchNorm2d): ε = 1e-5,
//! momentum 0.1, running variance unbiased, γ = 1 and β = 0 at initialisation. On the CPU
//! both modes are one fused op (`batch_norm_cpu.rs`), with the ReLU fused in where one
//! follows; elsewhere, tensor ops.

use candle_core::{DType, Device, Tensor, Var};

use super::batch_norm_cpu::{batch_norm_eval_cpu, batch_norm_train_cpu};
use crate::error::Result;
use crate::params::ParamSet;

const EPS: f64 = 1e-5;
const MOMENTUM: f64 = 0.1;

/// `{name}.weight` (γ), `{name}.bias` (β), `{name}.running_mean`, `{name}.running_var`.
#[derive(Debug, Clone)]
pub struct BatchNorm {
    gamma: Var,
    beta: Var,
    running_mean: Var,
    running_var: Var,
}

impl BatchNorm {
    /// Registers the parameters and buffers of a BatchNorm over `channels`.
    pub fn new(
        ps: &mut ParamSet,
        name: &str,
        channels: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let gamma = ps.trainable(
            format!("{name}.weight"),
            vec![1.0; channels],
            &[channels],
            dtype,
            device,
        )?;
        let beta = ps.trainable(
            format!("{name}.bias"),
            vec![0.0; channels],
            &[channels],
            dtype,
            device,
        )?;
        let running_mean = ps.buffer(
            format!("{name}.running_mean"),
            Tensor::zeros(channels, dtype, device)?,
        )?;
        let running_var = ps.buffer(
            format!("{name}.running_var"),
            Tensor::ones(channels, dtype, device)?,
        )?;
        ps.batch_norms.push(name.to_string());
        Ok(BatchNorm {
            gamma,
            beta,
            running_mean,
            running_var,
        })
    }

    /// Moves the running statistics by `MOMENTUM` towards the batch `mean` and the
    /// unbiased form of the biased batch variance `var` (both of length C) over `n` values.
    fn update_running(&self, mean: &Tensor, var: &Tensor, n: usize) -> Result<()> {
        let unbiased = (var * (n as f64 / (n as f64 - 1.0)))?;
        let rm = (self.running_mean.as_tensor() * (1.0 - MOMENTUM))?.add(&(mean * MOMENTUM)?)?;
        let rv = (self.running_var.as_tensor() * (1.0 - MOMENTUM))?.add(&(unbiased * MOMENTUM)?)?;
        self.running_mean.set(&rm)?;
        self.running_var.set(&rv)?;
        Ok(())
    }

    /// Normalises N×C or N×C×H×W. `train`: batch statistics (and the running statistics
    /// are updated, detached); otherwise the running statistics.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.forward_with(x, train, false)
    }

    /// relu(BN(x)): one fused op on the CPU.
    pub fn forward_relu(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.forward_with(x, train, true)
    }

    fn forward_with(&self, x: &Tensor, train: bool, relu: bool) -> Result<Tensor> {
        let rank = x.rank();
        let c = x.dim(1)?;
        let mut shape = vec![1usize; rank];
        shape[1] = c;
        let dims: Vec<usize> = (0..rank).filter(|&d| d != 1).collect();
        if train && x.device().is_cpu() {
            let (y, mean, var) =
                batch_norm_train_cpu(x, self.gamma.as_tensor(), self.beta.as_tensor(), EPS, relu)?;
            let n = x.elem_count() / c;
            if n > 1 {
                let (dt, dev) = (x.dtype(), x.device());
                let mean = Tensor::from_vec(mean, c, dev)?.to_dtype(dt)?;
                let var = Tensor::from_vec(var, c, dev)?.to_dtype(dt)?;
                self.update_running(&mean, &var, n)?;
            }
            return Ok(y);
        }
        if x.device().is_cpu() {
            let running = (self.running_mean.as_tensor(), self.running_var.as_tensor());
            return Ok(batch_norm_eval_cpu(
                x,
                self.gamma.as_tensor(),
                self.beta.as_tensor(),
                running,
                EPS,
                relu,
            )?);
        }
        let (mean, var) = if train {
            let mean = x.mean_keepdim(dims.as_slice())?;
            let centred = x.broadcast_sub(&mean)?;
            let var = centred.sqr()?.mean_keepdim(dims.as_slice())?;
            let n = x.elem_count() / c;
            if n > 1 {
                self.update_running(
                    &mean.detach().flatten_all()?,
                    &var.detach().flatten_all()?,
                    n,
                )?;
            }
            (mean, var)
        } else {
            (
                self.running_mean.as_tensor().reshape(shape.as_slice())?,
                self.running_var.as_tensor().reshape(shape.as_slice())?,
            )
        };
        let inv = (var + EPS)?.sqrt()?.recip()?;
        let y = x.broadcast_sub(&mean)?.broadcast_mul(&inv)?;
        let g = self.gamma.as_tensor().reshape(shape.as_slice())?;
        let b = self.beta.as_tensor().reshape(shape.as_slice())?;
        let y = y.broadcast_mul(&g)?.broadcast_add(&b)?;
        Ok(if relu { y.relu()? } else { y })
    }
}
