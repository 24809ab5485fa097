//! The optimisers, as PyTorch defines them, applied in place without autograd. Coupled L2:
//! g ← ∇ + wd·p for decayed parameters.
//!
//! - SGD with momentum (dampening 0, no Nesterov): buf ← μ·buf + g (buf = g at the first
//!   step), p ← p − lr·buf.
//! - Adam (not AdamW): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
//!   p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).

use tch::Tensor;

use crate::error::Result;
use crate::params::Param;

/// The gradient of `p` plus `wd·p` when `p` is decayed; `None` when `p` got no gradient.
fn decayed_grad(p: &Param, wd: f64) -> Result<Option<Tensor>> {
    let g = p.tensor.grad();
    if !g.defined() {
        return Ok(None);
    }
    if p.decay && wd > 0.0 {
        Ok(Some(g.f_add(&p.tensor.f_mul_scalar(wd)?)?))
    } else {
        Ok(Some(g.f_detach_copy()?))
    }
}

/// SGD state: one momentum buffer per trainable parameter.
#[derive(Debug)]
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
            buffers: (0..n).map(|_| None).collect(),
        }
    }

    /// One step (gradients must have been computed by `backward`).
    pub fn step(&mut self, params: &[Param], lr: f64, wd: f64) -> Result<()> {
        tch::no_grad(|| {
            for (p, buf) in params.iter().zip(&mut self.buffers) {
                let Some(g) = decayed_grad(p, wd)? else {
                    continue;
                };
                let dir = if self.momentum != 0.0 {
                    let b = match buf.take() {
                        None => g,
                        Some(b) => b.f_mul_scalar(self.momentum)?.f_add(&g)?,
                    };
                    let dir = b.shallow_clone();
                    *buf = Some(b);
                    dir
                } else {
                    g
                };
                let _ = p.tensor.shallow_clone().f_sub_(&dir.f_mul_scalar(lr)?)?;
            }
            Ok(())
        })
    }
}

/// Adam state.
#[derive(Debug)]
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
            exp_avg: (0..n).map(|_| None).collect(),
            exp_avg_sq: (0..n).map(|_| None).collect(),
        }
    }

    /// One step.
    pub fn step(&mut self, params: &[Param], lr: f64, wd: f64) -> Result<()> {
        self.step += 1;
        let t = self.step as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2 = 1.0 - self.beta2.powi(t);
        tch::no_grad(|| {
            for ((p, m), v) in params
                .iter()
                .zip(&mut self.exp_avg)
                .zip(&mut self.exp_avg_sq)
            {
                let Some(g) = decayed_grad(p, wd)? else {
                    continue;
                };
                let m0 = match m.take() {
                    Some(m) => m,
                    None => g.f_zeros_like()?,
                };
                let v0 = match v.take() {
                    Some(v) => v,
                    None => g.f_zeros_like()?,
                };
                let m1 = m0
                    .f_mul_scalar(self.beta1)?
                    .f_add(&g.f_mul_scalar(1.0 - self.beta1)?)?;
                let v1 = v0
                    .f_mul_scalar(self.beta2)?
                    .f_add(&g.f_square()?.f_mul_scalar(1.0 - self.beta2)?)?;
                let denom = v1
                    .f_sqrt()?
                    .f_div_scalar(bc2.sqrt())?
                    .f_add_scalar(self.eps)?;
                let update = m1.f_div(&denom)?.f_mul_scalar(lr / bc1)?;
                let _ = p.tensor.shallow_clone().f_sub_(&update)?;
                *m = Some(m1);
                *v = Some(v1);
            }
            Ok(())
        })
    }
}
