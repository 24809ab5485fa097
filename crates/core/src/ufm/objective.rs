//! Objective and gradient (`docs/theory.md` §1), with a stable column-wise log-softmax.

use super::{Point, Ufm};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};

/// Everything computed at a point on the way to f: logits, softmax and G = ∇g(Z).
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// f(W, H, b).
    pub objective: f64,
    /// The mean cross-entropy alone.
    pub loss: f64,
    /// Column-wise softmax of Z = WH + b1ᵀ, K×N.
    pub probs: Mat<f64>,
    /// G = (P − Y)/N, the gradient of the mean loss with respect to Z.
    pub g: Mat<f64>,
}

/// The gradient of f, shaped like the point.
pub type Gradient = Point;

impl Ufm {
    /// Z = WH + b1ᵀ.
    pub fn logits(&self, p: &Point) -> Mat<f64> {
        let mut z = &p.w * &p.h;
        if let Some(b) = &p.b {
            for j in 0..z.ncols() {
                for (k, bk) in b.iter().enumerate() {
                    z[(k, j)] += bk;
                }
            }
        }
        z
    }

    /// f and its ingredients at `p` (shapes must match the problem; see [`Ufm::check_point`]).
    pub fn evaluate(&self, p: &Point) -> Evaluation {
        let z = self.logits(p);
        let (k, n) = (z.nrows(), z.ncols());
        let labels = self.labels().as_slice();
        let mut probs = Mat::<f64>::zeros(k, n);
        let mut loss = 0.0;
        for j in 0..n {
            let col = z.col_as_slice(j);
            let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = col.iter().map(|&x| (x - max).exp()).sum();
            let lse = max + sum.ln();
            loss += lse - col[labels[j]];
            let out = probs.col_as_slice_mut(j);
            for (o, &x) in out.iter_mut().zip(col) {
                *o = (x - lse).exp();
            }
        }
        let inv_n = 1.0 / n as f64;
        loss *= inv_n;
        let mut g = probs.clone();
        for j in 0..n {
            let c = g.col_as_slice_mut(j);
            c[labels[j]] -= 1.0;
            for v in c.iter_mut() {
                *v *= inv_n;
            }
        }
        let reg = 0.5 * self.lambda_w * p.w.norm_l2().powi(2)
            + 0.5 * self.lambda_h * p.h.norm_l2().powi(2)
            + 0.5 * self.lambda_b() * p.b.as_ref().map_or(0.0, |b| b.iter().map(|x| x * x).sum());
        Evaluation {
            objective: loss + reg,
            loss,
            probs,
            g,
        }
    }

    /// f at `p`.
    pub fn objective(&self, p: &Point) -> f64 {
        self.evaluate(p).objective
    }

    /// ∇f at `p` from an evaluation there: ∇_W = G Hᵀ + λ_W W, ∇_H = Wᵀ G + λ_H H,
    /// ∇_b = G 1 + λ_b b. The products accumulate into the scaled copies of W and H, so the
    /// d×N block is allocated once (at N in the thousands it dominates the cost).
    pub fn gradient_at(&self, p: &Point, eval: &Evaluation) -> Gradient {
        let g = &eval.g;
        let par = faer::get_global_parallelism();
        let mut w = faer::Scale(self.lambda_w) * &p.w;
        matmul(w.as_mut(), Accum::Add, g, p.h.transpose(), 1.0, par);
        let mut h = faer::Scale(self.lambda_h) * &p.h;
        matmul(h.as_mut(), Accum::Add, p.w.transpose(), g, 1.0, par);
        let b = p.b.as_ref().map(|b| {
            (0..g.nrows())
                .map(|k| (0..g.ncols()).map(|j| g[(k, j)]).sum::<f64>() + self.lambda_b() * b[k])
                .collect()
        });
        Point { w, h, b }
    }

    /// (evaluation, ∇f) at `p`.
    pub fn gradient(&self, p: &Point) -> (Evaluation, Gradient) {
        let eval = self.evaluate(p);
        let grad = self.gradient_at(p, &eval);
        (eval, grad)
    }
}
