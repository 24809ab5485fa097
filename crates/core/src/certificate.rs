//! The critical-point certificate (`docs/theory.md` §3): for any UFM point, decide whether it
//! is not critical, a global minimiser, or a strict saddle, with evidence a reader can check.
//!
//! At a critical point let G = ∇g(Z) and σ₁ = ‖G‖₂. If σ₁ ≤ √(λ_Wλ_H) the point solves the
//! convex nuclear-norm surrogate, hence is a global minimiser (and f must equal f*). Otherwise,
//! when d > K and classes are balanced (Theorem 3.2), a null vector a of W and the top singular
//! pair (u, v) of G give the explicit escape direction ΔW = (λ_H/λ_W)^{1/4} u aᵀ,
//! ΔH = −(λ_W/λ_H)^{1/4} a vᵀ with curvature 2(√(λ_Wλ_H) − σ₁) < 0. Elsewhere the theorem is
//! silent and we measure the smallest Hessian eigenvalue instead.

use crate::error::{CoreError, Result};
use crate::lanczos::smallest_eigenpair;
use crate::ufm::{dense_hessian, hessian_quadratic_form, hessian_vector_product};
use crate::ufm::{Evaluation, Layout, Point, Ufm, DENSE_HESSIAN_MAX_PARAMS};
use faer::Side;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// ‖∇f‖ above tolerance.
    NotCritical,
    /// σ₁ ≤ √(λ_Wλ_H) at a critical point, and f = f* where f* is known.
    GlobalMinimizer,
    /// A direction of negative curvature was exhibited.
    StrictSaddle,
    /// Critical, σ₁ above the threshold, yet no negative curvature found (possible only
    /// outside the theorem's assumptions), or σ₁ small but f ≠ f*.
    Inconclusive,
}

impl Verdict {
    /// The name used in JSON and reports (`not_critical`, `global_minimizer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotCritical => "not_critical",
            Verdict::GlobalMinimizer => "global_minimizer",
            Verdict::StrictSaddle => "strict_saddle",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// How the curvature evidence was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurvatureMethod {
    /// The explicit direction of Theorem 3.2.
    Theorem,
    /// Smallest eigenvalue of the dense Hessian.
    DenseEigen,
    /// Smallest Ritz value of Lanczos on Hessian-vector products.
    Lanczos,
}

/// Tolerances of the certificate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CertifyOptions {
    /// A point is critical when ‖∇f‖₂ ≤ grad_tol.
    pub grad_tol: f64,
    /// σ₁ ≤ √(λ_Wλ_H)·(1 + sigma_rel_tol) counts as "at most the threshold".
    pub sigma_rel_tol: f64,
    /// |f − f*| ≤ objective_rel_tol·max(1, |f*|) counts as "f equals f*".
    pub objective_rel_tol: f64,
    /// Curvature below −curvature_tol counts as negative.
    pub curvature_tol: f64,
    /// Step length ε‖Δ‖ of the central finite difference of the curvature.
    pub fd_step: f64,
    /// Lanczos steps where the Hessian is too large to form.
    pub lanczos_steps: usize,
    /// Seed of the Lanczos start vector.
    pub seed: u64,
}

impl CertifyOptions {
    /// Checks every tolerance: a NaN or negative one would silently change the verdict.
    pub fn validate(&self) -> Result<()> {
        use collapse_guard::{number, Range};
        number::check("grad-tol", self.grad_tol, Range::POSITIVE)?;
        number::check("sigma-rel-tol", self.sigma_rel_tol, Range::NON_NEGATIVE)?;
        number::check(
            "objective-rel-tol",
            self.objective_rel_tol,
            Range::NON_NEGATIVE,
        )?;
        number::check("curvature-tol", self.curvature_tol, Range::NON_NEGATIVE)?;
        number::check("fd-step", self.fd_step, Range::POSITIVE)?;
        number::check_count("lanczos-steps", self.lanczos_steps as u64, 1, u64::MAX)?;
        Ok(())
    }
}

impl Default for CertifyOptions {
    fn default() -> Self {
        Self {
            grad_tol: 1e-6,
            sigma_rel_tol: 1e-4,
            objective_rel_tol: 1e-6,
            curvature_tol: 1e-9,
            fd_step: 1e-4,
            lanczos_steps: 300,
            seed: 0,
        }
    }
}

/// The certificate and its evidence.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The verdict.
    pub verdict: Verdict,
    /// ‖∇f‖₂.
    pub grad_norm: f64,
    /// σ₁ = ‖∇g(Z)‖₂.
    pub sigma1: f64,
    /// √(λ_Wλ_H).
    pub threshold: f64,
    /// f at the point.
    pub objective: f64,
    /// f* of the closed form (balanced classes only).
    pub closed_form_objective: Option<f64>,
    /// Whether Theorem 3.2 (d > K, balanced) covers this point.
    pub theorem_applies: bool,
    /// Curvature ∇²f[Δ,Δ] along the exhibited direction (analytic, from the Hessian form).
    pub curvature: Option<f64>,
    /// The theorem's prediction 2(√(λ_Wλ_H) − σ₁), where the theorem's direction was used.
    pub curvature_predicted: Option<f64>,
    /// The same curvature by a central finite difference of f.
    pub curvature_fd: Option<f64>,
    /// How the curvature was obtained.
    pub method: Option<CurvatureMethod>,
    /// The direction of negative curvature (or of smallest curvature).
    pub direction: Option<Point>,
    /// Why the verdict is what it is, in a sentence.
    pub note: String,
}

/// The certificate's evidence as numbers and words, without the direction: the one record
/// every front end prints (`collapse certify --json`, `ufm solve`, the Python package), in
/// this field order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CertificateSummary {
    /// The verdict.
    pub verdict: Verdict,
    /// ‖∇f‖₂.
    pub grad_norm: f64,
    /// σ₁ = ‖∇g(Z)‖₂.
    pub sigma1: f64,
    /// √(λ_Wλ_H).
    pub threshold: f64,
    /// Curvature along the exhibited direction.
    pub curvature: Option<f64>,
    /// The theorem's prediction of that curvature.
    pub curvature_predicted: Option<f64>,
    /// The curvature by finite differences.
    pub curvature_fd: Option<f64>,
    /// How the curvature was obtained.
    pub curvature_method: Option<CurvatureMethod>,
    /// Whether Theorem 3.2 covers this point.
    pub theorem_applies: bool,
    /// f at the point.
    pub objective: f64,
    /// f* of the closed form, where known.
    pub closed_form_objective: Option<f64>,
    /// Why the verdict is what it is.
    pub note: String,
}

impl Certificate {
    /// Every field except the direction, as [`CertificateSummary`].
    pub fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            verdict: self.verdict,
            grad_norm: self.grad_norm,
            sigma1: self.sigma1,
            threshold: self.threshold,
            curvature: self.curvature,
            curvature_predicted: self.curvature_predicted,
            curvature_fd: self.curvature_fd,
            curvature_method: self.method,
            theorem_applies: self.theorem_applies,
            objective: self.objective,
            closed_form_objective: self.closed_form_objective,
            note: self.note.clone(),
        }
    }
}

/// Certifies `point` for `ufm`.
pub fn certify(ufm: &Ufm, point: &Point, options: &CertifyOptions) -> Result<Certificate> {
    options.validate()?;
    ufm.check_point(point)?;
    let (eval, grad) = ufm.gradient(point);
    let grad_norm = grad.norm_sq().sqrt();
    let threshold = (ufm.lambda_w * ufm.lambda_h).sqrt();
    let sigma1 = spectral_norm(&eval)?;
    let closed_form_objective = ufm.closed_form().map(|cf| cf.objective);
    let balanced = ufm.labels().balanced_count().is_some();
    let theorem_applies = balanced && point.dim() > ufm.classes();
    let mut cert = Certificate {
        verdict: Verdict::NotCritical,
        grad_norm,
        sigma1,
        threshold,
        objective: eval.objective,
        closed_form_objective,
        theorem_applies,
        curvature: None,
        curvature_predicted: None,
        curvature_fd: None,
        method: None,
        direction: None,
        note: String::new(),
    };
    if grad_norm.is_nan() || grad_norm > options.grad_tol {
        cert.note = format!(
            "gradient norm {grad_norm:.3e} exceeds the tolerance {:.1e}: not a critical point",
            options.grad_tol
        );
        return Ok(cert);
    }
    if sigma1 <= threshold * (1.0 + options.sigma_rel_tol) {
        return Ok(global_verdict(cert, options));
    }
    let (direction, method) = if theorem_applies {
        (
            theorem_direction(ufm, point, &eval)?,
            CurvatureMethod::Theorem,
        )
    } else {
        smallest_curvature_direction(ufm, point, &eval, options)?
    };
    let curvature = hessian_quadratic_form(ufm, point, &eval, &direction);
    cert.curvature = Some(curvature);
    cert.curvature_fd = Some(finite_difference_curvature(
        ufm,
        point,
        &direction,
        options.fd_step,
    ));
    cert.method = Some(method);
    if method == CurvatureMethod::Theorem {
        cert.curvature_predicted = Some(2.0 * (threshold - sigma1));
    }
    cert.direction = Some(direction);
    let scope = if theorem_applies {
        "Theorem 3.2's direction"
    } else if balanced {
        "d <= K, outside Theorem 3.2 (which needs d > K); the smallest Hessian eigenvector"
    } else {
        "unbalanced classes, outside Theorem 3.2; the smallest Hessian eigenvector"
    };
    if curvature < -options.curvature_tol {
        cert.verdict = Verdict::StrictSaddle;
        cert.note = format!(
            "critical with sigma1 {sigma1:.6e} > sqrt(lambda_w lambda_h) {threshold:.6e}; {scope} has curvature {curvature:.6e} < 0"
        );
    } else {
        cert.verdict = Verdict::Inconclusive;
        cert.note = format!(
            "critical with sigma1 {sigma1:.6e} > threshold {threshold:.6e}, but {scope} shows no negative curvature ({curvature:.3e})"
        );
    }
    Ok(cert)
}

fn global_verdict(mut cert: Certificate, options: &CertifyOptions) -> Certificate {
    match cert.closed_form_objective {
        Some(fstar)
            if (cert.objective - fstar).abs()
                > options.objective_rel_tol * fstar.abs().max(1.0) =>
        {
            cert.verdict = Verdict::Inconclusive;
            cert.note = format!(
                "sigma1 {:.6e} <= threshold {:.6e}, but f = {:.12} differs from f* = {fstar:.12}",
                cert.sigma1, cert.threshold, cert.objective
            );
        }
        Some(fstar) => {
            cert.verdict = Verdict::GlobalMinimizer;
            cert.note = format!(
                "critical, sigma1 {:.6e} <= sqrt(lambda_w lambda_h) {:.6e}, and f = f* = {fstar:.12}",
                cert.sigma1, cert.threshold
            );
        }
        None => {
            cert.verdict = Verdict::GlobalMinimizer;
            cert.note = format!(
                "critical and sigma1 {:.6e} <= threshold {:.6e}: optimal for the convex surrogate (no closed-form f* for unbalanced classes)",
                cert.sigma1, cert.threshold
            );
        }
    }
    cert
}

/// σ₁(G) by a thin SVD of the K×N matrix G.
fn spectral_norm(eval: &Evaluation) -> Result<f64> {
    let s = eval
        .g
        .singular_values()
        .map_err(|e| CoreError::Numerical(format!("singular values of G: {e:?}")))?;
    Ok(s.first().copied().unwrap_or(0.0))
}

/// Theorem 3.2's direction: ΔW = (λ_H/λ_W)^{1/4} u aᵀ, ΔH = −(λ_W/λ_H)^{1/4} a vᵀ, Δb = 0.
fn theorem_direction(ufm: &Ufm, point: &Point, eval: &Evaluation) -> Result<Point> {
    let svd_w = point
        .w
        .svd()
        .map_err(|e| CoreError::Numerical(format!("SVD of W: {e:?}")))?;
    let a = svd_w.V().col(point.dim() - 1);
    let svd_g = eval
        .g
        .thin_svd()
        .map_err(|e| CoreError::Numerical(format!("SVD of G: {e:?}")))?;
    let u = svd_g.U().col(0);
    let v = svd_g.V().col(0);
    let cw = (ufm.lambda_h / ufm.lambda_w).powf(0.25);
    let ch = -(ufm.lambda_w / ufm.lambda_h).powf(0.25);
    Ok(Point {
        w: faer::Mat::from_fn(point.classes(), point.dim(), |i, j| cw * u[i] * a[j]),
        h: faer::Mat::from_fn(point.dim(), point.samples(), |i, j| ch * a[i] * v[j]),
        b: point.b.as_ref().map(|b| vec![0.0; b.len()]),
    })
}

/// The unit eigenvector of the smallest Hessian eigenvalue: dense when small, else Lanczos.
fn smallest_curvature_direction(
    ufm: &Ufm,
    point: &Point,
    eval: &Evaluation,
    options: &CertifyOptions,
) -> Result<(Point, CurvatureMethod)> {
    let layout = Layout::of(point);
    if layout.len() <= DENSE_HESSIAN_MAX_PARAMS {
        let raw = dense_hessian(ufm, point, eval)?;
        let hess = faer::Mat::from_fn(raw.nrows(), raw.ncols(), |i, j| {
            0.5 * (raw[(i, j)] + raw[(j, i)])
        });
        let evd = hess
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| CoreError::Numerical(format!("Hessian eigen-solve: {e:?}")))?;
        let v: Vec<f64> = evd.U().col(0).iter().copied().collect();
        return Ok((layout.unflatten(&v), CurvatureMethod::DenseEigen));
    }
    let pair = smallest_eigenpair(layout.len(), options.lanczos_steps, options.seed, |x| {
        layout.flatten(&hessian_vector_product(
            ufm,
            point,
            eval,
            &layout.unflatten(x),
        ))
    })?;
    Ok((layout.unflatten(&pair.vector), CurvatureMethod::Lanczos))
}

/// (f(x + εΔ) − 2f(x) + f(x − εΔ)) / ε², with ε‖Δ‖ = `step`.
pub fn finite_difference_curvature(ufm: &Ufm, point: &Point, dir: &Point, step: f64) -> f64 {
    let eps = step / dir.norm_sq().sqrt().max(1e-300);
    let f0 = ufm.objective(point);
    let fp = ufm.objective(&point.add_scaled(eps, dir));
    let fm = ufm.objective(&point.add_scaled(-eps, dir));
    (fp - 2.0 * f0 + fm) / (eps * eps)
}
