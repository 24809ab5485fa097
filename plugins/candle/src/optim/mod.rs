//! The optimisers, as PyTorch defines them (coupled L2: the decay is added to the gradient).

pub mod adam;
pub mod sgd;
mod sgd_cpu;

use candle_core::{backprop::GradStore, Tensor};

use crate::error::Result;
use crate::params::Param;

/// The gradient of `p` plus `wd·p` when `p` is decayed (PyTorch's coupled weight decay).
/// `None` when `p` got no gradient.
pub(crate) fn decayed_grad(p: &Param, grads: &GradStore, wd: f64) -> Result<Option<Tensor>> {
    let Some(g) = grads.get(p.var.as_tensor()) else {
        return Ok(None);
    };
    if p.decay && wd > 0.0 {
        Ok(Some((g + (p.var.as_tensor() * wd)?)?))
    } else {
        Ok(Some(g.clone()))
    }
}
