//! Specification: the certificate. The origin is a strict saddle exactly when
//! K√(nλ_Wλ_H) < 1, with curvature 2(√(λ_Wλ_H) − 1/(K√n)); embedded low-dimensional critical
//! points are strict saddles whose direction escapes; outside the theorem the smallest
//! Hessian eigenvalue decides.

mod common;

use collapse_core::certificate::CurvatureMethod;
use collapse_core::lanczos::smallest_eigenpair;
use collapse_core::ufm::{dense_hessian, hessian_vector_product, Layout};
use collapse_core::{
    certify, solve, Bias, CertifyOptions, Labels, Point, SolveOptions, Ufm, Verdict,
};
use common::{bias, config, to_na};
use faer::{Mat, Side};
use proptest::prelude::*;

fn origin(ufm: &Ufm, d: usize) -> Point {
    Point::zeros(ufm.classes(), d, ufm.samples(), ufm.has_bias())
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn origin_is_a_strict_saddle_exactly_below_the_threshold(
        k in 2usize..=8, n in 1usize..=6, log_ks in -1.5f64..1.0, extra in 1usize..4, b in bias()
    ) {
        let ks = 10f64.powf(log_ks);
        let lam = ks / (k as f64 * (n as f64).sqrt());
        let ufm = Ufm::balanced(k, n, lam, lam, b).unwrap();
        let cert = certify(&ufm, &origin(&ufm, k + extra), &CertifyOptions::default()).unwrap();
        let sigma1 = 1.0 / (k as f64 * (n as f64).sqrt());
        prop_assert!((cert.sigma1 - sigma1).abs() < 1e-12);
        prop_assert!(cert.theorem_applies);
        if ks < 1.0 - 1e-3 {
            prop_assert_eq!(cert.verdict, Verdict::StrictSaddle, "{}", cert.note);
            let expected = 2.0 * (lam - sigma1);
            let c = cert.curvature.unwrap();
            prop_assert!((c - expected).abs() <= 1e-10 * expected.abs().max(1e-3), "{c} vs {expected}");
            prop_assert!((cert.curvature_predicted.unwrap() - expected).abs() <= 1e-12);
            let fd = cert.curvature_fd.unwrap();
            prop_assert!((fd - expected).abs() <= 1e-5 * expected.abs().max(1.0), "fd {fd} vs {expected}");
        } else if ks > 1.0 + 1e-3 {
            prop_assert_eq!(cert.verdict, Verdict::GlobalMinimizer, "{}", cert.note);
            prop_assert!(cert.curvature.is_none());
        }
    }

    #[test]
    fn origin_outside_the_theorem_uses_the_hessian_spectrum(
        k in 2usize..=5, n in 1usize..=3, log_ks in -1.5f64..-0.1, extra in 0usize..2
    ) {
        // d ∈ {K−1, K}: Theorem 3.2 is silent; the dense Hessian's smallest eigenvalue at the
        // origin is (λ_W+λ_H)/2 − √(((λ_W−λ_H)/2)² + σ₁²), negative iff σ₁² > λ_Wλ_H.
        let ks = 10f64.powf(log_ks);
        let (lw, lh) = (2.0 * ks / (k as f64 * (n as f64).sqrt()), 0.5 * ks / (k as f64 * (n as f64).sqrt()));
        let ufm = Ufm::balanced(k, n, lw, lh, Bias::None).unwrap();
        let cert = certify(&ufm, &origin(&ufm, k - 1 + extra), &CertifyOptions::default()).unwrap();
        prop_assert!(!cert.theorem_applies);
        prop_assert_eq!(cert.method, Some(CurvatureMethod::DenseEigen));
        let s1 = cert.sigma1;
        let expected = 0.5 * (lw + lh) - ((0.5 * (lw - lh)).powi(2) + s1 * s1).sqrt();
        prop_assert_eq!(cert.verdict, Verdict::StrictSaddle, "{}", cert.note);
        prop_assert!((cert.curvature.unwrap() - expected).abs() < 1e-10, "{:?} vs {expected}", cert.curvature);
        prop_assert!((cert.curvature_fd.unwrap() - expected).abs() < 1e-5);
    }

    #[test]
    fn embedded_low_dimensional_critical_points_are_escapable_saddles(
        k in 3usize..=6, n in 1usize..=3, log_ks in -1.5f64..-0.4, b in bias(), seed in any::<u64>(),
        low in 1usize..=4, extra in 1usize..3
    ) {
        let d_low = 1 + (low - 1) % (k - 2); // 1 ≤ d′ ≤ K − 2 < K − 1
        let ks = 10f64.powf(log_ks);
        let lam = ks / (k as f64 * (n as f64).sqrt());
        let ufm = Ufm::balanced(k, n, lam, lam, b).unwrap();
        let options = SolveOptions { tol: 1e-10, max_iters: 20_000, ..SolveOptions::default() };
        let low_point = solve(&ufm, ufm.random_point(d_low, 0.5, seed), &options, |_| {}).unwrap();
        prop_assume!(low_point.converged);
        // Zero-pad W and H to d = K + extra.
        let d = k + extra;
        let p = Point {
            w: Mat::from_fn(k, d, |i, j| if j < d_low { low_point.point.w[(i, j)] } else { 0.0 }),
            h: Mat::from_fn(d, ufm.samples(), |i, j| if i < d_low { low_point.point.h[(i, j)] } else { 0.0 }),
            b: low_point.point.b.clone(),
        };
        let cert = certify(&ufm, &p, &CertifyOptions::default()).unwrap();
        prop_assert_eq!(cert.verdict, Verdict::StrictSaddle, "{}", cert.note);
        prop_assert_eq!(cert.method, Some(CurvatureMethod::Theorem));
        let (c, pred, fd) = (cert.curvature.unwrap(), cert.curvature_predicted.unwrap(), cert.curvature_fd.unwrap());
        prop_assert!(c < 0.0);
        prop_assert!((c - pred).abs() <= 1e-6 * pred.abs().max(1e-3), "analytic {c} vs predicted {pred}");
        prop_assert!((c - fd).abs() <= 1e-4 * c.abs().max(1e-2), "analytic {c} vs finite difference {fd}");
        // Escape: a small step along the direction lowers f.
        let dir = cert.direction.unwrap();
        let t = 1e-2 / dir.norm_sq().sqrt();
        prop_assert!(ufm.objective(&p.add_scaled(t, &dir)) < cert.objective);
        prop_assert!(ufm.objective(&p.add_scaled(-t, &dir)) < cert.objective);
        prop_assert!(cert.objective > ufm.closed_form().unwrap().objective);
    }
}

#[test]
fn a_random_point_is_not_critical() {
    let ufm = Ufm::balanced(4, 3, 1e-2, 1e-2, Bias::Decayed(1e-2)).unwrap();
    let cert = certify(
        &ufm,
        &ufm.random_point(6, 1.0, 3),
        &CertifyOptions::default(),
    )
    .unwrap();
    assert_eq!(cert.verdict, Verdict::NotCritical);
    assert!(cert.grad_norm > 1e-3);
}

#[test]
fn unbalanced_labels_fall_back_to_the_spectrum_and_have_no_closed_form() {
    let labels = Labels::new(3, vec![0, 0, 0, 1, 2, 2]).unwrap();
    let ufm = Ufm::new(labels, 1e-2, 1e-2, Bias::None).unwrap();
    let cert = certify(
        &ufm,
        &Point::zeros(3, 5, 6, false),
        &CertifyOptions::default(),
    )
    .unwrap();
    assert!(!cert.theorem_applies);
    assert_eq!(cert.closed_form_objective, None);
    // Without a bias the origin is critical for any labels (∇W = GHᵀ and ∇H = WᵀG vanish),
    // so the Hessian spectrum decides.
    assert_ne!(cert.verdict, Verdict::NotCritical, "{}", cert.note);
    assert_eq!(cert.method, Some(CurvatureMethod::DenseEigen));
}

#[test]
fn bad_points_are_refused_with_the_input_named() {
    let ufm = Ufm::balanced(3, 2, 1e-2, 1e-2, Bias::None).unwrap();
    let mut p = Point::zeros(3, 4, 6, false);
    p.w[(1, 2)] = f64::NAN;
    let e = certify(&ufm, &p, &CertifyOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains('W') && e.contains("non-finite"), "{e}");
    let p = Point::zeros(3, 4, 5, false);
    let e = certify(&ufm, &p, &CertifyOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("N from the labels"), "{e}");
    let p = Point::zeros(3, 4, 6, true);
    assert!(certify(&ufm, &p, &CertifyOptions::default()).is_err());
}

#[test]
fn lanczos_finds_the_dense_smallest_eigenvalue() {
    let ufm = Ufm::balanced(4, 3, 1e-2, 2e-2, Bias::Decayed(1e-3)).unwrap();
    let p = ufm.random_point(5, 0.8, 11);
    let eval = ufm.evaluate(&p);
    let dense = dense_hessian(&ufm, &p, &eval).unwrap();
    let hn = to_na(&dense);
    let sym = (&hn + hn.transpose()) * 0.5;
    let smallest = sym
        .symmetric_eigenvalues()
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let layout = Layout::of(&p);
    let pair = smallest_eigenpair(layout.len(), 120, 5, |x| {
        layout.flatten(&hessian_vector_product(
            &ufm,
            &p,
            &eval,
            &layout.unflatten(x),
        ))
    })
    .unwrap();
    assert!(
        (pair.value - smallest).abs() < 1e-8,
        "{} vs {smallest}",
        pair.value
    );
    assert!(pair.residual < 1e-6, "residual {}", pair.residual);
    // faer's dense solver agrees too.
    let ours = dense.self_adjoint_eigenvalues(Side::Lower).unwrap()[0];
    assert!((ours - smallest).abs() < 1e-10);
}

#[test]
fn large_problems_outside_the_theorem_use_lanczos() {
    // d = K = 3 and N = 1002: 3015 parameters, above the dense limit.
    let (k, n) = (3usize, 334usize);
    let sigma1 = 1.0 / (k as f64 * (n as f64).sqrt());
    let lam = 0.5 * sigma1;
    let ufm = Ufm::balanced(k, n, lam, lam, Bias::None).unwrap();
    let cert = certify(&ufm, &origin(&ufm, k), &CertifyOptions::default()).unwrap();
    assert_eq!(cert.method, Some(CurvatureMethod::Lanczos));
    assert_eq!(cert.verdict, Verdict::StrictSaddle, "{}", cert.note);
    // At the origin with λ_W = λ_H = λ the smallest eigenvalue is λ − σ₁.
    let c = cert.curvature.unwrap();
    assert!((c - (lam - sigma1)).abs() < 1e-8, "{c} vs {}", lam - sigma1);
    assert!((cert.curvature_fd.unwrap() - c).abs() < 1e-5);
}
