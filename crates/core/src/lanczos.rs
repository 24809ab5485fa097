//! The smallest eigenvalue of a symmetric operator given only its products, by Lanczos with
//! full re-orthogonalisation. Used where the strict-saddle theorem does not apply and the
//! Hessian is too large to form.

use crate::error::{CoreError, Result};
use crate::random::{gaussian, rng};
use faer::{Mat, Side};

/// The extreme (smallest) eigenpair found, and how well it is resolved.
#[derive(Debug, Clone)]
pub struct Eigenpair {
    /// The eigenvalue estimate (a Ritz value).
    pub value: f64,
    /// Its unit-norm Ritz vector.
    pub vector: Vec<f64>,
    /// ‖A x − θ x‖₂: an eigenvalue of A lies within this distance of `value`.
    pub residual: f64,
    /// Lanczos steps taken.
    pub steps: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Runs up to `max_steps` Lanczos steps on the dim-dimensional operator `apply` from a
/// seeded random start, and returns the smallest Ritz pair.
pub fn smallest_eigenpair(
    dim: usize,
    max_steps: usize,
    seed: u64,
    mut apply: impl FnMut(&[f64]) -> Vec<f64>,
) -> Result<Eigenpair> {
    if dim == 0 || max_steps == 0 {
        return Err(CoreError::parameter(
            "lanczos steps",
            max_steps,
            "needs dim and steps >= 1",
        ));
    }
    let steps = max_steps.min(dim);
    let start = gaussian(dim, 1, 1.0, &mut rng(seed));
    let mut q: Vec<f64> = start.col_as_slice(0).to_vec();
    let n0 = dot(&q, &q).sqrt();
    q.iter_mut().for_each(|v| *v /= n0);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(steps);
    let mut alpha = Vec::with_capacity(steps);
    let mut beta: Vec<f64> = Vec::with_capacity(steps);
    for _ in 0..steps {
        let mut w = apply(&q);
        let a = dot(&w, &q);
        alpha.push(a);
        basis.push(q.clone());
        // Full re-orthogonalisation, twice ("twice is enough"), against every basis vector.
        for _ in 0..2 {
            for b in &basis {
                let c = dot(&w, b);
                w.iter_mut().zip(b).for_each(|(wi, bi)| *wi -= c * bi);
            }
        }
        let bnorm = dot(&w, &w).sqrt();
        if basis.len() == steps || bnorm <= 1e-12 * a.abs().max(1.0) {
            break;
        }
        beta.push(bnorm);
        q = w.iter().map(|v| v / bnorm).collect();
    }
    let m = alpha.len();
    let t = Mat::from_fn(m, m, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j {
            beta[i]
        } else if j + 1 == i {
            beta[j]
        } else {
            0.0
        }
    });
    let evd = t
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| CoreError::Numerical(format!("tridiagonal eigen-solve: {e:?}")))?;
    let value = evd.S().column_vector()[0];
    let y = evd.U().col(0);
    let mut vector = vec![0.0; dim];
    for (i, b) in basis.iter().enumerate() {
        vector.iter_mut().zip(b).for_each(|(v, bi)| *v += y[i] * bi);
    }
    let vn = dot(&vector, &vector).sqrt();
    vector.iter_mut().for_each(|v| *v /= vn);
    let av = apply(&vector);
    let residual = av
        .iter()
        .zip(&vector)
        .map(|(a, v)| (a - value * v).powi(2))
        .sum::<f64>()
        .sqrt();
    Ok(Eigenpair {
        value,
        vector,
        residual,
        steps: m,
    })
}
