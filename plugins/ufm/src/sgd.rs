//! Mini-batch SGD on the UFM objective
//! f = (1/N) Σ_j CE(W h_j + b, y_j) + (λ_W/2)‖W‖² + (λ_b/2)‖b‖² + (λ_H/2)‖H‖²  (λ_b = λ_W).
//!
//! A batch B of m samples uses the unbiased estimate
//! f_B = (1/m) Σ_{j∈B} [CE_j + N (λ_H/2)‖h_j‖²] + (λ_W/2)‖W‖² + (λ_b/2)‖b‖², so E_B f_B = f
//! and full-batch SGD is gradient descent on f. Only the batch's columns of H get a gradient;
//! their momentum is updated when they are in a batch (lazy momentum), so an epoch costs
//! O(N K d) regardless of the batch size. Updates follow PyTorch's SGD: v ← μ v + g, p ← p − η v.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::config::UfmConfig;
use crate::params::Params;

/// Loss and accuracy over the samples seen by some steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTotals {
    /// Sum of the cross-entropy of the samples seen (before each step's update).
    pub loss_sum: f64,
    /// Samples classified correctly.
    pub correct: u64,
    /// Samples seen.
    pub samples: u64,
    /// Steps taken.
    pub steps: u64,
}

/// The shuffle of pass `pass` of epoch `epoch`: a function of (seed, epoch, pass) only, so a
/// resumed run repeats the uninterrupted one exactly.
pub fn permutation(cfg: &UfmConfig, epoch: u64, pass: u64) -> Vec<usize> {
    let mix = cfg
        .seed
        .wrapping_add(epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(pass.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut rng = ChaCha8Rng::seed_from_u64(mix);
    let mut order: Vec<usize> = (0..cfg.samples()).collect();
    order.shuffle(&mut rng);
    order
}

/// Writes the logits W h + b of one feature into `z`.
pub fn logits(p: &Params, k: usize, d: usize, h: &[f64], z: &mut [f64]) {
    for (c, zc) in z.iter_mut().enumerate().take(k) {
        let row = &p.w[c * d..(c + 1) * d];
        *zc = p.b[c] + row.iter().zip(h).map(|(a, b)| a * b).sum::<f64>();
    }
}

/// Turns logits into softmax probabilities in place; returns (CE for `label`, argmax).
pub fn softmax_ce(z: &mut [f64], label: usize) -> (f64, usize) {
    let (mut arg, mut max) = (0, f64::NEG_INFINITY);
    for (c, &v) in z.iter().enumerate() {
        if v > max {
            (arg, max) = (c, v);
        }
    }
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let ce = sum.ln() - (z[label].ln());
    for v in z.iter_mut() {
        *v /= sum;
    }
    (ce, arg)
}

/// One SGD step on the batch `batch` (sample indices) at learning rate `lr`.
pub fn step(cfg: &UfmConfig, p: &mut Params, batch: &[usize], lr: f64, totals: &mut StepTotals) {
    let (k, d, n) = (cfg.model.classes, cfg.model.dim, cfg.model.per_class);
    let big_n = cfg.samples() as f64;
    let m = batch.len() as f64;
    let (mu, wd, lh) = (cfg.momentum, cfg.weight_decay, cfg.model.lambda_h);
    let mut gw = vec![0.0; k * d];
    let mut gb = vec![0.0; k];
    let mut gh = vec![0.0; batch.len() * d];
    let mut z = vec![0.0; k];
    for (slot, &j) in batch.iter().enumerate() {
        let label = j / n;
        let h = &p.h[j * d..(j + 1) * d];
        logits(p, k, d, h, &mut z);
        let (ce, arg) = softmax_ce(&mut z, label);
        totals.loss_sum += ce;
        totals.correct += u64::from(arg == label);
        z[label] -= 1.0; // z now holds p − e_y
        let ghj = &mut gh[slot * d..(slot + 1) * d];
        for c in 0..k {
            let g = z[c] / m;
            gb[c] += g;
            let row = &p.w[c * d..(c + 1) * d];
            let grow = &mut gw[c * d..(c + 1) * d];
            for t in 0..d {
                grow[t] += g * h[t];
                ghj[t] += g * row[t];
            }
        }
        for t in 0..d {
            ghj[t] += big_n * lh / m * h[t];
        }
    }
    for (slot, &j) in batch.iter().enumerate() {
        for t in 0..d {
            let i = j * d + t;
            p.vh[i] = mu * p.vh[i] + gh[slot * d + t];
            p.h[i] -= lr * p.vh[i];
        }
    }
    for ((w, v), g) in p.w.iter_mut().zip(p.vw.iter_mut()).zip(&gw) {
        *v = mu * *v + g + wd * *w;
        *w -= lr * *v;
    }
    if cfg.model.bias {
        for ((b, v), g) in p.b.iter_mut().zip(p.vb.iter_mut()).zip(&gb) {
            *v = mu * *v + g + wd * *b;
            *b -= lr * *v;
        }
    }
    totals.samples += batch.len() as u64;
    totals.steps += 1;
}

/// Bytes of the per-step temporaries for a batch of `m` (for the peak-memory report).
pub fn step_bytes(cfg: &UfmConfig, m: usize) -> u64 {
    let (k, d) = (cfg.model.classes, cfg.model.dim);
    ((k * d + 2 * k + m * d) * std::mem::size_of::<f64>()) as u64
}

/// Runs `steps` steps (or one full pass when `None`) of epoch `epoch`: batches are consecutive
/// slices of the epoch's shuffles, a further shuffle starting whenever one is used up.
pub fn run(cfg: &UfmConfig, p: &mut Params, epoch: u64, lr: f64, steps: Option<u64>) -> StepTotals {
    let n = cfg.samples();
    let m = cfg.batch_size.min(n);
    let batches_per_pass = n.div_ceil(m) as u64;
    let total = steps.unwrap_or(batches_per_pass);
    let mut totals = StepTotals::default();
    let mut order = Vec::new();
    for s in 0..total {
        let (pass, slot) = (s / batches_per_pass, (s % batches_per_pass) as usize);
        if slot == 0 {
            order = permutation(cfg, epoch, pass);
        }
        let batch = &order[slot * m..((slot + 1) * m).min(n)];
        step(cfg, p, batch, lr, &mut totals);
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::UfmModel;

    fn cfg(batch: usize, momentum: f64) -> UfmConfig {
        UfmConfig {
            model: UfmModel {
                classes: 3,
                per_class: 4,
                dim: 5,
                lambda_h: 1e-2,
                init_scale: 0.5,
                bias: true,
            },
            momentum,
            weight_decay: 2e-2,
            batch_size: batch,
            seed: 11,
        }
    }

    /// The UFM objective f, written independently of `step`.
    fn objective(c: &UfmConfig, p: &Params) -> f64 {
        let (k, d, n) = (c.model.classes, c.model.dim, c.model.per_class);
        let big_n = c.samples();
        let mut ce = 0.0;
        for j in 0..big_n {
            let z: Vec<f64> = (0..k)
                .map(|r| p.b[r] + (0..d).map(|t| p.w[r * d + t] * p.h[j * d + t]).sum::<f64>())
                .collect();
            let lse = z.iter().map(|v| v.exp()).sum::<f64>().ln();
            ce += lse - z[j / n];
        }
        let sq = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
        ce / big_n as f64
            + c.weight_decay / 2.0 * (sq(&p.w) + sq(&p.b))
            + c.model.lambda_h / 2.0 * sq(&p.h)
    }

    #[test]
    fn full_batch_step_is_a_gradient_step_on_f() {
        // With m = N and no momentum, one step moves every parameter by −η ∇f: compare each
        // component of (p0 − p1)/η with a central finite difference of f.
        let c = cfg(12, 0.0);
        let p0 = Params::init(&c);
        let mut p1 = p0.clone();
        let lr = 1e-3;
        let all: Vec<usize> = (0..c.samples()).collect();
        step(&c, &mut p1, &all, lr, &mut StepTotals::default());
        let eps = 1e-6;
        let mut checked = 0;
        for which in 0..3 {
            let len = [p0.h.len(), p0.w.len(), p0.b.len()][which];
            for i in 0..len {
                let at = |delta: f64| {
                    let mut q = p0.clone();
                    [&mut q.h, &mut q.w, &mut q.b][which][i] += delta;
                    objective(&c, &q)
                };
                let fd = (at(eps) - at(-eps)) / (2.0 * eps);
                let (a, b) = (
                    [&p0.h, &p0.w, &p0.b][which][i],
                    [&p1.h, &p1.w, &p1.b][which][i],
                );
                let g = (a - b) / lr;
                assert!(
                    (fd - g).abs() <= 1e-6,
                    "component {which}/{i}: step {g}, fd {fd}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 12 * 5 + 3 * 5 + 3);
    }

    #[test]
    fn an_epoch_visits_every_sample_once() {
        let c = cfg(5, 0.9);
        let mut p = Params::init(&c);
        let t = run(&c, &mut p, 1, 0.1, None);
        assert_eq!(t.samples, 12);
        assert_eq!(t.steps, 3);
        let perm = permutation(&c, 1, 0);
        let mut sorted = perm.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..12).collect::<Vec<_>>());
        assert_ne!(
            perm,
            permutation(&c, 2, 0),
            "epochs must shuffle differently"
        );
    }

    #[test]
    fn sgd_decreases_the_objective() {
        let c = cfg(4, 0.9);
        let mut p = Params::init(&c);
        let f0 = objective(&c, &p);
        for e in 1..=30 {
            run(&c, &mut p, e, 0.1, None);
        }
        let f1 = objective(&c, &p);
        assert!(f1 < 0.5 * f0, "objective {f0} -> {f1}");
    }
}
