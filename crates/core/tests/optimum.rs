//! Specification: the closed-form optimum is a critical point with f = f*, PSD Hessian, and
//! the scales the formulas promise, in both regimes and for every placement of the ETF.

mod common;

use collapse_core::etf::Placement;
use collapse_core::ufm::dense_hessian;
use collapse_core::{closed_form, Regime, Ufm};
use common::{bias, config, lambda};
use faer::Side;
use proptest::prelude::*;

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn closed_form_point_is_critical_optimal_and_psd(
        k in 2usize..=6, n in 1usize..=4, lw in lambda(), lh in lambda(), b in bias(),
        extra in 0usize..4, seed in any::<u64>(), rotated in any::<bool>()
    ) {
        let ufm = Ufm::balanced(k, n, lw, lh, b).unwrap();
        let d = k - 1 + extra;
        let placement = if rotated { Placement::Rotated { seed } } else { Placement::Canonical };
        let cf = ufm.closed_form().unwrap();
        let s = (n as f64 * lw * lh).sqrt();
        prop_assert_eq!(cf.regime, if (k as f64) * s < 1.0 { Regime::Etf } else { Regime::Zero });
        let p = ufm.optimal_point(d, placement).unwrap();
        let (eval, grad) = ufm.gradient(&p);
        prop_assert!(grad.norm_sq().sqrt() <= 1e-10, "gradient {}", grad.norm_sq().sqrt());
        prop_assert!((eval.objective - cf.objective).abs() <= 1e-12 * cf.objective.max(1.0));
        prop_assert!((eval.loss - cf.ce).abs() <= 1e-12 * cf.ce.max(1.0));
        for c in 0..k {
            let wn: f64 = (0..d).map(|j| p.w[(c, j)].powi(2)).sum();
            prop_assert!((wn - cf.w_norm_sq).abs() <= 1e-12 * cf.w_norm_sq.max(1.0));
        }
        for j in 0..p.samples() {
            let hn: f64 = (0..d).map(|i| p.h[(i, j)].powi(2)).sum();
            prop_assert!((hn - cf.h_norm_sq).abs() <= 1e-12 * cf.h_norm_sq.max(1.0));
        }
        // Second order: PSD up to the rotation symmetry's null space.
        let h = dense_hessian(&ufm, &p, &eval).unwrap();
        let min = h.self_adjoint_eigenvalues(Side::Lower).unwrap()[0];
        prop_assert!(min >= -1e-10, "smallest Hessian eigenvalue {min}");
    }
}

#[test]
fn known_values() {
    // K = 10, n = 500, λ_W = λ_H = 5e-4: s = √(500)·5e-4, K s ≈ 0.112 < 1.
    let cf = closed_form(10, 500, 5e-4, 5e-4).unwrap();
    let s = (500.0f64).sqrt() * 5e-4;
    assert_eq!(cf.regime, Regime::Etf);
    assert!((cf.margin - (1.0 / s - 9.0).ln()).abs() < 1e-14);
    assert!((cf.objective - (-(1.0 - 9.0 * s).ln() + 9.0 * s * cf.margin)).abs() < 1e-14);
    // λ large: the origin, f* = log K.
    let zero = closed_form(10, 500, 1e-2, 1e-2).unwrap();
    assert_eq!(zero.regime, Regime::Zero);
    assert_eq!(zero.objective, 10f64.ln());
}

#[test]
fn bad_parameters_are_named() {
    let e = closed_form(10, 5, -1.0, 1e-3).unwrap_err().to_string();
    assert!(e.contains("lambda-w"), "{e}");
    let e = Ufm::balanced(3, 2, 1e-3, f64::NAN, collapse_core::Bias::None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("lambda-h"), "{e}");
    let e = Ufm::balanced(3, 2, 1e-3, 1e-3, collapse_core::Bias::Decayed(-1.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("lambda-b"), "{e}");
}
