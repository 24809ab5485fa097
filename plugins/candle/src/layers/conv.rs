//! 2-D convolution without bias (every convolution of ResNet18 is followed by BatchNorm).

use candle_core::{DType, Device, Tensor, Var};
use rand_chacha::ChaCha8Rng;

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

    /// N×C×H×W → N×out×H'×W'.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.conv2d(self.weight.as_tensor(), self.padding, self.stride, 1, 1)?)
    }
}
