//! Specification: the gradient, the Hessian form, the Hessian-vector product and the dense
//! Hessian agree with each other, with finite differences, and with nalgebra.

mod common;

use collapse_core::ufm::{dense_hessian, hessian_quadratic_form, hessian_vector_product, Layout};
use collapse_core::Ufm;
use common::{config, small_ufm, to_na};
use faer::Side;
use proptest::prelude::*;

fn setup(ufm: &Ufm, extra_dim: usize, seed: u64) -> (collapse_core::Point, collapse_core::Point) {
    let d = ufm.classes() - 1 + extra_dim;
    let p = ufm.random_point(d, 0.7, seed);
    let dir = ufm.random_point(d, 1.0, seed ^ 0x9e37_79b9);
    (p, dir)
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn gradient_matches_central_differences(ufm in small_ufm(), extra in 0usize..4, seed in any::<u64>()) {
        let (p, dir) = setup(&ufm, extra, seed);
        let (_, grad) = ufm.gradient(&p);
        let eps = 1e-5;
        let fd = (ufm.objective(&p.add_scaled(eps, &dir)) - ufm.objective(&p.add_scaled(-eps, &dir))) / (2.0 * eps);
        let an = grad.dot(&dir);
        prop_assert!((fd - an).abs() <= 1e-6 * an.abs().max(1.0), "fd {fd} vs analytic {an}");
    }

    #[test]
    fn hessian_vector_product_matches_differences_of_gradients(ufm in small_ufm(), extra in 0usize..4, seed in any::<u64>()) {
        let (p, dir) = setup(&ufm, extra, seed);
        let eval = ufm.evaluate(&p);
        let hv = hessian_vector_product(&ufm, &p, &eval, &dir);
        let eps = 1e-5;
        let (_, gp) = ufm.gradient(&p.add_scaled(eps, &dir));
        let (_, gm) = ufm.gradient(&p.add_scaled(-eps, &dir));
        let fd = gp.add_scaled(-1.0, &gm);
        let layout = Layout::of(&p);
        let (a, b) = (layout.flatten(&hv), layout.flatten(&fd));
        let scale = a.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for (x, y) in a.iter().zip(&b) {
            prop_assert!((x - y / (2.0 * eps)).abs() <= 1e-6 * scale, "{x} vs {}", y / (2.0 * eps));
        }
        // The quadratic form, written independently, equals ⟨Δ, ∇²f Δ⟩.
        let q = hessian_quadratic_form(&ufm, &p, &eval, &dir);
        let hq = dir.dot(&hv);
        prop_assert!((q - hq).abs() <= 1e-10 * q.abs().max(1.0), "{q} vs {hq}");
    }

    #[test]
    fn dense_hessian_is_symmetric_and_nalgebra_agrees_on_its_spectrum(ufm in small_ufm(), extra in 0usize..3, seed in any::<u64>()) {
        let (p, _) = setup(&ufm, extra, seed);
        let eval = ufm.evaluate(&p);
        let h = dense_hessian(&ufm, &p, &eval).unwrap();
        let scale = (0..h.ncols()).flat_map(|j| (0..h.nrows()).map(move |i| (i, j)))
            .fold(1.0f64, |m, (i, j)| m.max(h[(i, j)].abs()));
        for j in 0..h.ncols() {
            for i in 0..j {
                prop_assert!((h[(i, j)] - h[(j, i)]).abs() <= 1e-12 * scale);
            }
        }
        let mut ours = h.self_adjoint_eigenvalues(Side::Lower).unwrap();
        let hn = to_na(&h);
        let sym = (&hn + hn.transpose()) * 0.5;
        let mut theirs: Vec<f64> = sym.symmetric_eigenvalues().iter().copied().collect();
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        for (a, b) in ours.iter().zip(&theirs) {
            prop_assert!((a - b).abs() <= 1e-9 * scale, "{a} vs {b}");
        }
    }
}

#[test]
fn objective_is_stable_for_huge_logits() {
    // Logits of order 1e3 overflow a naive softmax; the log-sum-exp form stays finite.
    let ufm = Ufm::balanced(3, 2, 1e-3, 1e-3, collapse_core::Bias::None).unwrap();
    let mut p = ufm.random_point(4, 1.0, 7);
    p.w = faer::Scale(100.0) * &p.w;
    p.h = faer::Scale(100.0) * &p.h;
    let (eval, grad) = ufm.gradient(&p);
    assert!(eval.objective.is_finite() && eval.loss.is_finite());
    assert!(grad.norm_sq().is_finite());
}
