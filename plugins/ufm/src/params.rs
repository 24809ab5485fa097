//! The UFM's trainable tensors and their momentum buffers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::config::UfmConfig;

/// Parameters (H, W, b) and SGD momentum buffers, all f64.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// H stored sample-major: `h[j*d..(j+1)*d]` is the feature h_j (column j of the d×N H).
    pub h: Vec<f64>,
    /// W, K×d row-major.
    pub w: Vec<f64>,
    /// b, length K (stays 0 without a bias).
    pub b: Vec<f64>,
    /// Momentum of H (same layout).
    pub vh: Vec<f64>,
    /// Momentum of W.
    pub vw: Vec<f64>,
    /// Momentum of b.
    pub vb: Vec<f64>,
}

impl Params {
    /// Gaussian initialisation (std `init_scale`) of H and W from the seed; b = 0.
    pub fn init(cfg: &UfmConfig) -> Self {
        let (k, d, n) = (cfg.model.classes, cfg.model.dim, cfg.samples());
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let normal = Normal::new(0.0, cfg.model.init_scale).expect("init_scale validated > 0");
        let w: Vec<f64> = (0..k * d).map(|_| normal.sample(&mut rng)).collect();
        let h: Vec<f64> = (0..n * d).map(|_| normal.sample(&mut rng)).collect();
        Params {
            vh: vec![0.0; h.len()],
            vw: vec![0.0; w.len()],
            vb: vec![0.0; k],
            h,
            w,
            b: vec![0.0; k],
        }
    }

    /// Bytes held by the six buffers.
    pub fn bytes(&self) -> u64 {
        let len = self.h.len() + self.w.len() + self.b.len();
        (2 * len * std::mem::size_of::<f64>()) as u64
    }
}
