//! The MLP body: flatten → depth × [Linear(width) + BatchNorm1d + ReLU]; names
//! `layers.{i}.linear.*` and `layers.{i}.bn.*`.

use rand_chacha::ChaCha8Rng;
use tch::Tensor;

use crate::error::Result;
use crate::layers::{BatchNorm, Linear, Place};
use crate::params::ParamSet;

/// Hidden layers of the MLP.
#[derive(Debug)]
pub struct Mlp {
    layers: Vec<(Linear, BatchNorm)>,
}

impl Mlp {
    /// Registers `depth` hidden layers of `width` on inputs of `input` values.
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        input: usize,
        (width, depth): (usize, usize),
        at: Place,
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
                at,
            )?;
            let bn = BatchNorm::new(ps, &format!("layers.{i}.bn"), width, at)?;
            layers.push((lin, bn));
            fan_in = width;
        }
        Ok(Mlp { layers })
    }

    /// Features N×width from N×C×H×W (or N×D) input.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut y = x.f_flatten(1, -1)?;
        for (lin, bn) in &self.layers {
            y = bn.forward(&lin.forward(&y)?, train)?.f_relu()?;
        }
        Ok(y)
    }
}
