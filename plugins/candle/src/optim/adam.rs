//! Adam with coupled L2 (PyTorch's `Adam(weight_decay=…)`, not AdamW):
//! m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).

use candle_core::{backprop::GradStore, Tensor};

use super::decayed_grad;
use crate::error::Result;
use crate::params::Param;

/// Adam state.
#[derive(Debug, Clone)]
pub struct Adam {
    /// β₁.
    pub beta1: f64,
    /// β₂.
    pub beta2: f64,
    /// ε.
    pub eps: f64,
    /// Steps taken.
    pub step: u64,
    /// First moments (None before the first step).
    pub exp_avg: Vec<Option<Tensor>>,
    /// Second moments.
    pub exp_avg_sq: Vec<Option<Tensor>>,
}

impl Adam {
    /// Fresh state for `n` parameters.
    pub fn new(beta1: f64, beta2: f64, eps: f64, n: usize) -> Self {
        Adam {
            beta1,
            beta2,
            eps,
            step: 0,
            exp_avg: vec![None; n],
            exp_avg_sq: vec![None; n],
        }
    }

    /// One step.
    pub fn step(&mut self, params: &[Param], grads: &GradStore, lr: f64, wd: f64) -> Result<()> {
        self.step += 1;
        let t = self.step as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2 = 1.0 - self.beta2.powi(t);
        for ((p, m), v) in params
            .iter()
            .zip(&mut self.exp_avg)
            .zip(&mut self.exp_avg_sq)
        {
            let Some(g) = decayed_grad(p, grads, wd)? else {
                continue;
            };
            let m0 = match m.take() {
                Some(m) => m,
                None => g.zeros_like()?,
            };
            let v0 = match v.take() {
                Some(v) => v,
                None => g.zeros_like()?,
            };
            let m1 = ((m0 * self.beta1)? + (&g * (1.0 - self.beta1))?)?;
            let v1 = ((v0 * self.beta2)? + (g.sqr()? * (1.0 - self.beta2))?)?;
            let denom = ((v1.sqrt()? / bc2.sqrt())? + self.eps)?;
            let update = ((&m1 / denom)? * (lr / bc1))?;
            p.var.set(&(p.var.as_tensor() - update)?)?;
            *m = Some(m1);
            *v = Some(v1);
        }
        Ok(())
    }
}
