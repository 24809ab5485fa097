//! Specification: both solvers, from random starts, end at f* and their end points certify
//! as global minimisers with ETF residuals ≈ 0.

mod common;

use collapse_core::etf::gram_distance;
use collapse_core::residuals::WithinClassVariation;
use collapse_core::traits::{Metric, UfmView};
use collapse_core::{certify, solve, CertifyOptions, Method, Regime, SolveOptions, Ufm, Verdict};
use common::{bias, config};
use proptest::prelude::*;

/// λ's away from the regime boundary K·s = 1, where the optimum degenerates, with
/// λ_W/λ_H within [0.1, 10] (larger ratios make f too ill-conditioned to resolve 1e-9).
pub fn problem() -> impl Strategy<Value = Ufm> {
    (
        2usize..=5,
        1usize..=3,
        -1.0f64..1.0,
        bias(),
        prop_oneof![0.02f64..0.6, 1.4f64..4.0],
    )
        .prop_map(|(k, n, log_ratio, b, ks)| {
            // K·√(nλ_Wλ_H) = ks and λ_W/λ_H = 10^log_ratio.
            let product = (ks / k as f64).powi(2) / n as f64;
            let ratio = 10f64.powf(log_ratio);
            let (lw, lh) = ((product * ratio).sqrt(), (product / ratio).sqrt());
            Ufm::balanced(k, n, lw, lh, b).unwrap()
        })
}

fn check(
    ufm: &Ufm,
    method: Method,
    tol: f64,
    extra: usize,
    seed: u64,
) -> Result<(), TestCaseError> {
    let d = ufm.classes() + 1 + extra;
    let start = ufm.random_point(d, 0.5, seed);
    let options = SolveOptions {
        method,
        tol,
        max_iters: 50_000,
        ..SolveOptions::default()
    };
    let mut last_iteration = 0;
    let report = solve(ufm, start, &options, |p| last_iteration = p.iteration).unwrap();
    prop_assert!(
        report.converged,
        "{method:?} stopped at ‖∇f‖ = {:.3e} after {} iterations",
        report.grad_norm,
        report.iterations
    );
    prop_assert_eq!(last_iteration, report.iterations);
    let cf = ufm.closed_form().unwrap();
    prop_assert!(
        (report.objective - cf.objective).abs() <= 1e-8 * cf.objective.max(1.0),
        "f = {} vs f* = {}",
        report.objective,
        cf.objective
    );
    let cert = certify(
        ufm,
        &report.point,
        &CertifyOptions {
            grad_tol: 10.0 * tol,
            ..CertifyOptions::default()
        },
    )
    .unwrap();
    prop_assert_eq!(cert.verdict, Verdict::GlobalMinimizer, "{}", cert.note);
    if cf.regime == Regime::Etf {
        prop_assert!(gram_distance(report.point.w.as_ref()) < 1e-4);
        let view = UfmView {
            point: &report.point,
            labels: ufm.labels(),
        };
        prop_assert!(WithinClassVariation.compute(&view, &view) < 1e-6);
    } else {
        // W = 0 and H = 0; b is only pinned to 0 when it is decayed (with λ_b = 0 any
        // constant shift is optimal, since cross-entropy ignores it).
        prop_assert!(report.point.w.norm_l2() < 1e-4 && report.point.h.norm_l2() < 1e-4);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn lbfgs_reaches_the_global_minimum(ufm in problem(), extra in 0usize..3, seed in any::<u64>()) {
        check(&ufm, Method::Lbfgs, 1e-9, extra, seed)?;
    }
}

proptest! {
    #![proptest_config(config(8))]

    #[test]
    fn gradient_descent_reaches_the_global_minimum(ufm in problem(), seed in any::<u64>()) {
        check(&ufm, Method::Gd, 1e-7, 0, seed)?;
    }
}

#[test]
fn solver_rejects_a_point_of_the_wrong_shape() {
    let ufm = Ufm::balanced(3, 2, 1e-3, 1e-3, collapse_core::Bias::None).unwrap();
    let mut p = ufm.random_point(4, 1.0, 1);
    p.h = faer::Mat::zeros(4, 5);
    let err = solve(&ufm, p, &SolveOptions::default(), |_| {}).unwrap_err();
    assert!(err.to_string().contains("H"), "{err}");
}

/// A case CI once drew: in the zero regime f is flat to rounding near the optimum (f* = log 2)
/// while ∇f is still 5e-9, so the line search must go by slopes, not values.
#[test]
fn lbfgs_resolves_the_gradient_where_f_is_flat_to_rounding() {
    let ufm = Ufm::balanced(
        2,
        1,
        0.41406374068227053,
        3.9994939202667186,
        collapse_core::Bias::None,
    )
    .unwrap();
    check(&ufm, Method::Lbfgs, 1e-9, 0, 8227291336643272923).unwrap();
}
