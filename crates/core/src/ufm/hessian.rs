//! Second derivatives of the UFM (`docs/theory.md` §1): the quadratic form ∇²f[Δ,Δ], the
//! Hessian-vector product, and a dense Hessian for small problems.

use super::point::frob_dot;
use super::{Evaluation, Layout, Point, Ufm};
use crate::error::{CoreError, Result};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};

/// ΔZ = ΔW H + W ΔH + Δb 1ᵀ: the first-order change of the logits.
fn logit_change(p: &Point, dir: &Point) -> Mat<f64> {
    let mut dz = &dir.w * &p.h + &p.w * &dir.h;
    if let Some(db) = &dir.b {
        for j in 0..dz.ncols() {
            for (k, v) in db.iter().enumerate() {
                dz[(k, j)] += v;
            }
        }
    }
    dz
}

/// R = (1/N)(P ⊙ ΔZ − P diag(1ᵀ(P ⊙ ΔZ))): the softmax Jacobian applied to ΔZ, column by column.
fn softmax_jacobian_apply(eval: &Evaluation, dz: &Mat<f64>) -> Mat<f64> {
    let (k, n) = (dz.nrows(), dz.ncols());
    let inv_n = 1.0 / n as f64;
    let mut r = Mat::<f64>::zeros(k, n);
    for j in 0..n {
        let p = eval.probs.col_as_slice(j);
        let d = dz.col_as_slice(j);
        let mean: f64 = p.iter().zip(d).map(|(a, b)| a * b).sum();
        for (i, out) in r.col_as_slice_mut(j).iter_mut().enumerate() {
            *out = inv_n * p[i] * (d[i] - mean);
        }
    }
    r
}

/// ∇²f[Δ,Δ] = (1/N)Σ_j(Σ_k p_jk δ_jk² − (Σ_k p_jk δ_jk)²) + 2⟨G, ΔW ΔH⟩ + λ_W‖ΔW‖²
/// + λ_H‖ΔH‖² + λ_b‖Δb‖².
///
/// Written directly from the formula, not via the Hessian-vector product, so that the two
/// can check each other.
pub fn hessian_quadratic_form(ufm: &Ufm, p: &Point, eval: &Evaluation, dir: &Point) -> f64 {
    let dz = logit_change(p, dir);
    let n = dz.ncols();
    let mut curv = 0.0;
    for j in 0..n {
        let pj = eval.probs.col_as_slice(j);
        let dj = dz.col_as_slice(j);
        let m1: f64 = pj.iter().zip(dj).map(|(a, b)| a * b).sum();
        let m2: f64 = pj.iter().zip(dj).map(|(a, b)| a * b * b).sum();
        curv += m2 - m1 * m1;
    }
    curv /= n as f64;
    let cross = frob_dot(&eval.g, &(&dir.w * &dir.h));
    let db = dir
        .b
        .as_ref()
        .map_or(0.0, |b| b.iter().map(|x| x * x).sum());
    curv + 2.0 * cross
        + ufm.lambda_w * dir.w.norm_l2().powi(2)
        + ufm.lambda_h * dir.h.norm_l2().powi(2)
        + ufm.lambda_b() * db
}

/// ∇²f Δ: (R Hᵀ + G ΔHᵀ + λ_W ΔW, Wᵀ R + ΔWᵀ G + λ_H ΔH, R1 + λ_b Δb).
pub fn hessian_vector_product(ufm: &Ufm, p: &Point, eval: &Evaluation, dir: &Point) -> Point {
    let dz = logit_change(p, dir);
    let r = softmax_jacobian_apply(eval, &dz);
    let g = &eval.g;
    let par = faer::get_global_parallelism();
    // Accumulate into the scaled copies: one allocation per block (see `gradient_at`).
    let mut w = faer::Scale(ufm.lambda_w) * &dir.w;
    matmul(w.as_mut(), Accum::Add, &r, p.h.transpose(), 1.0, par);
    matmul(w.as_mut(), Accum::Add, g, dir.h.transpose(), 1.0, par);
    let mut h = faer::Scale(ufm.lambda_h) * &dir.h;
    matmul(h.as_mut(), Accum::Add, p.w.transpose(), &r, 1.0, par);
    matmul(h.as_mut(), Accum::Add, dir.w.transpose(), g, 1.0, par);
    let b = dir.b.as_ref().map(|db| {
        (0..r.nrows())
            .map(|k| (0..r.ncols()).map(|j| r[(k, j)]).sum::<f64>() + ufm.lambda_b() * db[k])
            .collect()
    });
    Point { w, h, b }
}

/// Largest parameter count for which [`dense_hessian`] agrees to build the matrix.
pub const DENSE_HESSIAN_MAX_PARAMS: usize = 3000;

/// The full Hessian in the [`Layout`] order, one Hessian-vector product per column.
/// Symmetrised as (A + Aᵀ)/2 only after the caller could check the asymmetry: this returns
/// the raw columns.
pub fn dense_hessian(ufm: &Ufm, p: &Point, eval: &Evaluation) -> Result<Mat<f64>> {
    let layout = Layout::of(p);
    let dim = layout.len();
    if dim > DENSE_HESSIAN_MAX_PARAMS {
        return Err(CoreError::parameter(
            "problem size",
            dim,
            &format!(
                "a dense Hessian is built only up to {DENSE_HESSIAN_MAX_PARAMS} parameters; use Hessian-vector products (Lanczos) instead"
            ),
        ));
    }
    let mut hess = Mat::<f64>::zeros(dim, dim);
    let mut e = vec![0.0; dim];
    for col in 0..dim {
        e[col] = 1.0;
        let hv = layout.flatten(&hessian_vector_product(ufm, p, eval, &layout.unflatten(&e)));
        e[col] = 0.0;
        hess.col_as_slice_mut(col).copy_from_slice(&hv);
    }
    Ok(hess)
}
