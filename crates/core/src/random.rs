//! Seeded randomness: every random object in the project comes from a ChaCha stream, so a
//! seed recorded in a report reproduces the object bit for bit on any platform.

use faer::Mat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The project's seeded generator.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A rows×cols matrix of independent standard normals, scaled by `scale`.
pub fn gaussian(rows: usize, cols: usize, scale: f64, rng: &mut ChaCha8Rng) -> Mat<f64> {
    let mut m = Mat::<f64>::zeros(rows, cols);
    for j in 0..cols {
        for i in 0..rows {
            let x: f64 = StandardNormal.sample(rng);
            m[(i, j)] = scale * x;
        }
    }
    m
}

/// A Haar-distributed matrix with orthonormal columns (rows ≥ cols): QR of a Gaussian
/// matrix with the signs of R's diagonal folded into Q (without the fold, Q is not Haar).
pub fn haar_orthonormal(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Mat<f64> {
    assert!(rows >= cols, "haar_orthonormal needs rows >= cols");
    let g = gaussian(rows, cols, 1.0, rng);
    let qr = g.qr();
    let mut q = qr.compute_thin_Q();
    let r = qr.thin_R();
    for j in 0..cols {
        if r[(j, j)] < 0.0 {
            for i in 0..rows {
                q[(i, j)] = -q[(i, j)];
            }
        }
    }
    q
}
