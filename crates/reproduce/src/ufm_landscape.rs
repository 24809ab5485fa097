//! Theorem 3.2 in numbers: the origin and embedded low-dimensional critical points are strict
//! saddles with the predicted negative curvature, confirmed by finite differences, and a step
//! along the certificate's direction lowers f.

use crate::{Check, Options, Profile, Section};
use anyhow::Result;
use collapse_core::{certify, solve, Bias, Certificate, CertifyOptions, Point, SolveOptions, Ufm};
use faer::Mat;
use std::fmt::Write as _;

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.6e}"))
}

/// f(x + tΔ) − f(x) for a step of length 1e-2 along the certificate's direction.
fn escape(ufm: &Ufm, p: &Point, c: &Certificate) -> Option<f64> {
    let dir = c.direction.as_ref()?;
    let t = 1e-2 / dir.norm_sq().sqrt();
    Some(ufm.objective(&p.add_scaled(t, dir)) - c.objective)
}

/// Runs the saddle experiments.
pub fn run(options: &Options) -> Result<Section> {
    let (k, n, d) = match options.profile {
        Profile::Quick => (10, 10, 16),
        Profile::Full => (10, 50, 32),
    };
    let threshold_lambda = 1.0 / (k as f64 * (n as f64).sqrt());
    let mut checks = Vec::new();
    let mut body = String::new();
    writeln!(body, "K = {k}, n = {n}, d = {d} (> K, so Theorem 3.2 applies unless stated), no bias. The origin is critical with σ₁ = 1/(K√n) = {threshold_lambda:.4e}.")?;
    writeln!(body)?;
    writeln!(body, "| point | λ | verdict | σ₁ | √(λ_Wλ_H) | curvature (Hessian form) | predicted 2(√(λ_Wλ_H) − σ₁) | finite difference | f(x + tΔ) − f(x) |")?;
    writeln!(body, "|---|---|---|---|---|---|---|---|---|")?;
    let opts = CertifyOptions::default();
    let row = |label: String,
               lam: f64,
               ufm: &Ufm,
               p: &Point,
               c: &Certificate,
               body: &mut String|
     -> Result<()> {
        writeln!(
            body,
            "| {label} | {lam:.3e} | {} | {:.6e} | {:.6e} | {} | {} | {} | {} |",
            c.verdict.as_str(),
            c.sigma1,
            c.threshold,
            fmt_opt(c.curvature),
            fmt_opt(c.curvature_predicted),
            fmt_opt(c.curvature_fd),
            fmt_opt(escape(ufm, p, c))
        )?;
        Ok(())
    };
    // The origin on both sides of the threshold.
    for (factor, expect) in [(0.5, "strict_saddle"), (2.0, "global_minimizer")] {
        let lam = factor * threshold_lambda;
        let ufm = Ufm::balanced(k, n, lam, lam, Bias::None)?;
        let p = Point::zeros(k, d, k * n, false);
        let c = certify(&ufm, &p, &opts)?;
        row(
            format!("origin, λ = {factor}·1/(K√n)"),
            lam,
            &ufm,
            &p,
            &c,
            &mut body,
        )?;
        checks.push(Check::equal(
            format!("origin at λ = {factor}/(K√n) certifies as {expect}"),
            expect,
            c.verdict.as_str(),
        ));
        if let (Some(cur), Some(pred), Some(fd)) =
            (c.curvature, c.curvature_predicted, c.curvature_fd)
        {
            checks.push(Check::close(
                "origin: curvature equals 2(√(λ_Wλ_H) − 1/(K√n))",
                pred,
                cur,
                1e-10,
            ));
            checks.push(Check::close(
                "origin: finite-difference curvature agrees",
                cur,
                fd,
                1e-5,
            ));
        }
    }
    // Embedded low-dimensional critical points.
    let lam = 0.2 * threshold_lambda;
    let ufm = Ufm::balanced(k, n, lam, lam, Bias::None)?;
    let dims: Vec<usize> = match options.profile {
        Profile::Quick => vec![1, 3, 8],
        Profile::Full => (1..k - 1).collect(),
    };
    let solve_options = SolveOptions {
        tol: 1e-10,
        max_iters: 20_000,
        ..SolveOptions::default()
    };
    let mut all_escape = true;
    for dl in dims {
        let low = solve(
            &ufm,
            ufm.random_point(dl, 0.1, options.seed),
            &solve_options,
            |_| {},
        )?;
        let p = Point {
            w: Mat::from_fn(k, d, |i, j| if j < dl { low.point.w[(i, j)] } else { 0.0 }),
            h: Mat::from_fn(d, ufm.samples(), |i, j| {
                if i < dl {
                    low.point.h[(i, j)]
                } else {
                    0.0
                }
            }),
            b: None,
        };
        let c = certify(&ufm, &p, &opts)?;
        row(
            format!("solved at d′ = {dl}, zero-padded"),
            lam,
            &ufm,
            &p,
            &c,
            &mut body,
        )?;
        checks.push(Check::equal(
            format!("embedded d′ = {dl} critical point certifies as strict_saddle"),
            "strict_saddle",
            c.verdict.as_str(),
        ));
        if let (Some(cur), Some(pred), Some(fd)) =
            (c.curvature, c.curvature_predicted, c.curvature_fd)
        {
            checks.push(Check::close(
                format!("embedded d′ = {dl}: Hessian-form curvature equals the prediction"),
                pred,
                cur,
                1e-6 * pred.abs().max(1e-3),
            ));
            checks.push(Check::close(
                format!("embedded d′ = {dl}: finite difference agrees"),
                cur,
                fd,
                1e-4 * cur.abs().max(1e-2),
            ));
        }
        all_escape &= escape(&ufm, &p, &c).is_some_and(|e| e < 0.0);
    }
    checks.push(Check::equal(
        "every saddle's direction lowers f (escape)",
        "yes",
        if all_escape { "yes" } else { "no" },
    ));
    // Outside the theorem: d = K, where the smallest Hessian eigenvalue decides.
    let lam0 = 0.5 * threshold_lambda;
    let ufm = Ufm::balanced(k, n, lam0, lam0, Bias::None)?;
    let p = Point::zeros(k, k, k * n, false);
    let c = certify(&ufm, &p, &opts)?;
    row(
        "origin at d = K (outside Theorem 3.2)".into(),
        lam0,
        &ufm,
        &p,
        &c,
        &mut body,
    )?;
    let expected = lam0 - threshold_lambda;
    checks.push(Check::close(
        "origin at d = K: smallest Hessian eigenvalue equals λ − σ₁",
        expected,
        c.curvature.unwrap_or(f64::NAN),
        1e-10,
    ));
    writeln!(body)?;
    writeln!(body, "At d = K the certificate reports the smallest Hessian eigenvalue (unit direction) instead of the theorem's direction; at the origin with λ_W = λ_H = λ it is λ − σ₁.")?;
    Ok(Section {
        title: "Theorem 3.2: strict saddles and their escape directions".into(),
        body,
        checks,
    })
}
