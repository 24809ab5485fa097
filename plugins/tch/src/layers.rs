//! The layers, as libtorch calls with the parameters of a [`ParamSet`]: Conv2d (no bias,
//! kaiming-normal fan-out init), BatchNorm (γ = 1, β = 0, momentum 0.1, ε = 1e-5, running
//! statistics updated in place in train mode), Linear (PyTorch's default init).

use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::error::Result;
use crate::init::{kaiming_normal_fan_out, uniform};
use crate::params::{tensor_from, ParamSet};

const BN_EPS: f64 = 1e-5;
const BN_MOMENTUM: f64 = 0.1;

/// Where tensors are made: dtype and device.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Float kind of every parameter.
    pub kind: Kind,
    /// Device of every tensor.
    pub device: Device,
}

/// A 2-D convolution without bias.
#[derive(Debug)]
pub struct Conv2d {
    weight: Tensor,
    stride: i64,
    padding: i64,
}

impl Conv2d {
    /// Registers `{name}.weight` (cout×cin×k×k).
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (cin, cout, k): (usize, usize, usize),
        (stride, padding): (usize, usize),
        at: Place,
    ) -> Result<Self> {
        let values = kaiming_normal_fan_out(rng, cout * cin * k * k, cout * k * k);
        let weight = ps.trainable(
            format!("{name}.weight"),
            &values,
            &[cout, cin, k, k],
            at.kind,
            at.device,
        )?;
        Ok(Conv2d {
            weight,
            stride: stride as i64,
            padding: padding as i64,
        })
    }

    /// N×C×H×W → N×C'×H'×W'.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_conv2d(
            &self.weight,
            None::<&Tensor>,
            [self.stride, self.stride],
            [self.padding, self.padding],
            [1, 1],
            1,
        )?)
    }
}

/// BatchNorm over the channel dimension (dim 1) of N×C or N×C×H×W.
#[derive(Debug)]
pub struct BatchNorm {
    gamma: Tensor,
    beta: Tensor,
    running_mean: Tensor,
    running_var: Tensor,
}

impl BatchNorm {
    /// Registers `{name}.weight`, `.bias`, `.running_mean`, `.running_var`.
    pub fn new(ps: &mut ParamSet, name: &str, channels: usize, at: Place) -> Result<Self> {
        let gamma = ps.trainable(
            format!("{name}.weight"),
            &vec![1.0; channels],
            &[channels],
            at.kind,
            at.device,
        )?;
        let beta = ps.trainable(
            format!("{name}.bias"),
            &vec![0.0; channels],
            &[channels],
            at.kind,
            at.device,
        )?;
        let zeros = tensor_from(&vec![0.0; channels], &[channels], at.kind, at.device)?;
        let ones = tensor_from(&vec![1.0; channels], &[channels], at.kind, at.device)?;
        let running_mean = ps.buffer(format!("{name}.running_mean"), zeros);
        let running_var = ps.buffer(format!("{name}.running_var"), ones);
        ps.batch_norms.push(name.to_string());
        Ok(BatchNorm {
            gamma,
            beta,
            running_mean,
            running_var,
        })
    }

    /// Train mode: batch statistics, running statistics updated (unbiased variance, as
    /// PyTorch). Eval mode: running statistics.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        Ok(x.f_batch_norm(
            Some(&self.gamma),
            Some(&self.beta),
            Some(&self.running_mean),
            Some(&self.running_var),
            train,
            BN_MOMENTUM,
            BN_EPS,
            true,
        )?)
    }
}

/// y = x Wᵀ + b, W out×in.
#[derive(Debug)]
pub struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    /// Registers a trained `{name}.weight` and (with `bias`) `{name}.bias`, both
    /// U(±1/√fan_in), weight drawn first.
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (fan_in, out): (usize, usize),
        bias: bool,
        at: Place,
    ) -> Result<Self> {
        let bound = 1.0 / (fan_in as f64).sqrt();
        let w = uniform(rng, out * fan_in, bound);
        let weight = ps.trainable(
            format!("{name}.weight"),
            &w,
            &[out, fan_in],
            at.kind,
            at.device,
        )?;
        let bias = Self::bias(ps, rng, name, (fan_in, out), bias, at)?;
        Ok(Linear { weight, bias })
    }

    /// A frozen weight (row-major out×in values: the fixed ETF head) with a trained bias.
    pub fn frozen(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        weight: &[f64],
        (fan_in, out): (usize, usize),
        bias: bool,
        at: Place,
    ) -> Result<Self> {
        let w = tensor_from(weight, &[out, fan_in], at.kind, at.device)?;
        ps.frozen
            .push((format!("{name}.weight"), w.shallow_clone()));
        let bias = Self::bias(ps, rng, name, (fan_in, out), bias, at)?;
        Ok(Linear { weight: w, bias })
    }

    fn bias(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (fan_in, out): (usize, usize),
        bias: bool,
        at: Place,
    ) -> Result<Option<Tensor>> {
        if !bias {
            return Ok(None);
        }
        let bound = 1.0 / (fan_in as f64).sqrt();
        let b = ps.trainable(
            format!("{name}.bias"),
            &uniform(rng, out, bound),
            &[out],
            at.kind,
            at.device,
        )?;
        Ok(Some(b))
    }

    /// N×in → N×out.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_linear(&self.weight, self.bias.as_ref())?)
    }

    /// W (out×in).
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// b, if the layer has one.
    pub fn bias_tensor(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }
}
