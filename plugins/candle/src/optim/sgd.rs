//! SGD with momentum (dampening 0, no Nesterov): buf ← μ·buf + g (buf = g at the first
//! step), p ← p − lr·buf, with g the coupled-decayed gradient.

use candle_core::{backprop::GradStore, Tensor};

use super::decayed_grad;
use super::sgd_cpu::sgd_step_cpu;
use crate::error::Result;
use crate::params::Param;

/// SGD state: one momentum buffer per trainable parameter.
#[derive(Debug, Clone)]
pub struct Sgd {
    /// μ.
    pub momentum: f64,
    /// Momentum buffers (None until the parameter's first step).
    pub buffers: Vec<Option<Tensor>>,
}

impl Sgd {
    /// Fresh state for `n` parameters.
    pub fn new(momentum: f64, n: usize) -> Self {
        Sgd {
            momentum,
            buffers: vec![None; n],
        }
    }

    /// One step.
    pub fn step(&mut self, params: &[Param], grads: &GradStore, lr: f64, wd: f64) -> Result<()> {
        for (p, buf) in params.iter().zip(&mut self.buffers) {
            let t = p.var.as_tensor();
            if let (Some(b), Some(g)) = (buf.as_ref(), grads.get(t)) {
                if self.momentum != 0.0 && t.device().is_cpu() && t.is_contiguous() {
                    let wd = (p.decay && wd > 0.0).then_some(wd);
                    sgd_step_cpu(t, g, b, self.momentum, wd, lr)?;
                    continue;
                }
            }
            let Some(g) = decayed_grad(p, grads, wd)? else {
                continue;
            };
            let dir = if self.momentum != 0.0 {
                let b = match buf.take() {
                    // A copy: later steps may update the buffer in place.
                    None => g.copy()?,
                    Some(b) => ((b * self.momentum)? + g)?,
                };
                *buf = Some(b.clone());
                b
            } else {
                g
            };
            p.var.set(&(p.var.as_tensor() - (dir * lr)?)?)?;
        }
        Ok(())
    }
}
