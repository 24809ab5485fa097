//! The affine layer y = x Wᵀ + b (PyTorch's `nn.Linear`), with W trainable or frozen.

use candle_core::{DType, Device, Tensor};
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::init::uniform;
use crate::params::ParamSet;

/// `{name}.weight` (out×in) and optional `{name}.bias` (out).
#[derive(Debug, Clone)]
pub struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    /// A trainable layer with PyTorch's default initialisation.
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (fan_in, out): (usize, usize),
        bias: bool,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let bound = 1.0 / (fan_in as f64).sqrt();
        let w = uniform(rng, out * fan_in, bound);
        let weight = ps.trainable(format!("{name}.weight"), w, &[out, fan_in], dtype, device)?;
        let bias = Self::bias(ps, rng, name, fan_in, out, bias, dtype, device)?;
        Ok(Linear {
            weight: weight.as_tensor().clone(),
            bias,
        })
    }

    /// A layer whose weight is the given frozen out×in matrix (no gradient, no weight
    /// decay); the bias, if any, is trainable and decayed.
    #[allow(clippy::too_many_arguments)]
    pub fn frozen(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        weight: Vec<f64>,
        (fan_in, out): (usize, usize),
        bias: bool,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let weight = Tensor::from_vec(weight, &[out, fan_in], device)?.to_dtype(dtype)?;
        ps.frozen.push((format!("{name}.weight"), weight.clone()));
        let bias = Self::bias(ps, rng, name, fan_in, out, bias, dtype, device)?;
        Ok(Linear { weight, bias })
    }

    #[allow(clippy::too_many_arguments)]
    fn bias(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        fan_in: usize,
        out: usize,
        bias: bool,
        dtype: DType,
        device: &Device,
    ) -> Result<Option<Tensor>> {
        if !bias {
            return Ok(None);
        }
        let bound = 1.0 / (fan_in as f64).sqrt();
        let b = ps.trainable(
            format!("{name}.bias"),
            uniform(rng, out, bound),
            &[out],
            dtype,
            device,
        )?;
        Ok(Some(b.as_tensor().clone()))
    }

    /// N×in → N×out.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = x.matmul(&self.weight.t()?)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }

    /// The weight tensor (out×in).
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, if the layer has one.
    pub fn bias_tensor(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }
}
