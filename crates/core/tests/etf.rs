//! Specification: the simplex ETF for every K and d ≥ K − 1, canonical and rotated.

mod common;

use collapse_core::etf::{gram_distance, simplex_etf, Placement};
use collapse_core::CoreError;
use common::{config, to_na};
use proptest::prelude::*;

fn placement() -> impl Strategy<Value = Placement> {
    prop_oneof![
        Just(Placement::Canonical),
        any::<u64>().prop_map(|seed| Placement::Rotated { seed })
    ]
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn gram_is_the_etf_gram_with_zero_sum_and_equal_norms(
        k in 2usize..=12, extra in 0usize..6, placement in placement()
    ) {
        let d = k - 1 + extra;
        let w = simplex_etf(k, d, placement).unwrap();
        prop_assert_eq!((w.nrows(), w.ncols()), (k, d));
        // Independent check in nalgebra: WWᵀ = (K/(K−1))(I − 11ᵀ/K) exactly (unit rows).
        let wn = to_na(&w);
        let gram = &wn * wn.transpose();
        let kf = k as f64;
        for i in 0..k {
            for j in 0..k {
                let expect = kf / (kf - 1.0) * (if i == j { 1.0 } else { 0.0 } - 1.0 / kf);
                prop_assert!((gram[(i, j)] - expect).abs() < 1e-12, "gram[{i},{j}] = {}", gram[(i, j)]);
            }
        }
        // Zero sum of the class vectors, every coordinate.
        for c in 0..d {
            let s: f64 = (0..k).map(|i| w[(i, c)]).sum();
            prop_assert!(s.abs() < 1e-12);
        }
        // Equal (unit) row norms.
        for i in 0..k {
            prop_assert!((wn.row(i).norm() - 1.0).abs() < 1e-12);
        }
        prop_assert!(gram_distance(w.as_ref()) < 1e-12);
    }

    #[test]
    fn rotations_differ_by_seed_but_not_in_geometry(k in 3usize..=8, seed in any::<u64>()) {
        let a = simplex_etf(k, k + 3, Placement::Rotated { seed }).unwrap();
        let b = simplex_etf(k, k + 3, Placement::Rotated { seed: seed.wrapping_add(1) }).unwrap();
        let again = simplex_etf(k, k + 3, Placement::Rotated { seed }).unwrap();
        prop_assert_eq!(&a, &again);
        prop_assert!(common::max_abs_diff(&a, &b) > 1e-6);
    }
}

#[test]
fn canonical_square_is_the_papers_matrix() {
    // K = 3, d = 3: M = √(3/2)(I − 11ᵀ/3).
    let w = simplex_etf(3, 3, Placement::Canonical).unwrap();
    let s = (1.5f64).sqrt();
    assert!((w[(0, 0)] - s * 2.0 / 3.0).abs() < 1e-15);
    assert!((w[(0, 1)] + s / 3.0).abs() < 1e-15);
    // Embedded: extra coordinates are zero.
    let w5 = simplex_etf(3, 5, Placement::Canonical).unwrap();
    assert_eq!(w5[(2, 4)], 0.0);
    assert_eq!(w5[(1, 1)], w[(1, 1)]);
}

#[test]
fn too_few_dimensions_or_classes_is_an_error() {
    assert!(matches!(
        simplex_etf(10, 8, Placement::Canonical),
        Err(CoreError::EtfDimension {
            classes: 10,
            dim: 8
        })
    ));
    assert!(simplex_etf(1, 4, Placement::Rotated { seed: 1 }).is_err());
    assert!(simplex_etf(10, 9, Placement::Rotated { seed: 1 }).is_ok());
}
