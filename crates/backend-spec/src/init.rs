//! The reference initialisation, drawn from one seeded generator in parameter order:
//! convolutions kaiming-normal (fan-out, ReLU gain), linear layers PyTorch's default
//! (kaiming-uniform with a = √5, i.e. U(±1/√fan_in), and bias U(±1/√fan_in)).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Kaiming normal, mode fan-out, gain √2: N(0, 2/fan_out) with fan_out = out·k·k.
pub fn kaiming_normal_fan_out(rng: &mut ChaCha8Rng, n: usize, fan_out: usize) -> Vec<f64> {
    let std = (2.0 / fan_out as f64).sqrt();
    (0..n)
        .map(|_| std * Distribution::<f64>::sample(&StandardNormal, rng))
        .collect()
}

/// U(−bound, bound): PyTorch's Linear weight (kaiming-uniform, a = √5, bound = 1/√fan_in)
/// and bias (bound = 1/√fan_in) both reduce to this.
pub fn uniform(rng: &mut ChaCha8Rng, n: usize, bound: f64) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-bound..bound)).collect()
}
