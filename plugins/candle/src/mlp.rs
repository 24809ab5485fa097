//! The MLP body: flatten → depth × [Linear(width) + BatchNorm1d + ReLU]; names
//! `layers.{i}.linear.*` and `layers.{i}.bn.*`.

use candle_core::{DType, Device, Tensor};
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::layers::{BatchNorm, Linear};
use crate::params::ParamSet;

/// Hidden layers of the MLP.
#[derive(Debug, Clone)]
pub struct Mlp {
    layers: Vec<(Linear, BatchNorm)>,
}

impl Mlp {
    /// Registers `depth` hidden layers of `width` on inputs of `input` values.
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        input: usize,
        width: usize,
        depth: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let mut layers = Vec::with_capacity(depth);
        let mut fan_in = input;
        for i in 0..depth {
            let lin = Linear::new(
                ps,
                rng,
                &format!("layers.{i}.linear"),
                (fan_in, width),
                true,
                dtype,
                device,
            )?;
            let bn = BatchNorm::new(ps, &format!("layers.{i}.bn"), width, dtype, device)?;
            layers.push((lin, bn));
            fan_in = width;
        }
        Ok(Mlp { layers })
    }

    /// Features N×width from N×C×H×W (or N×D) input.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut y = x.flatten_from(1)?;
        for (lin, bn) in &self.layers {
            y = bn.forward_relu(&lin.forward(&y)?, train)?;
        }
        Ok(y)
    }
}
