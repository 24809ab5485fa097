//! Shared helpers of the core's specification tests: nalgebra conversions (the independent
//! second implementation) and problem generators.
#![allow(dead_code)]

use collapse_core::{Bias, Ufm};
use faer::Mat;
use nalgebra::DMatrix;
use proptest::prelude::*;

/// faer → nalgebra, element by element.
pub fn to_na(m: &Mat<f64>) -> DMatrix<f64> {
    DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
}

/// Largest |a − b| over two equally shaped matrices.
pub fn max_abs_diff(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut m: f64 = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            m = m.max((a[(i, j)] - b[(i, j)]).abs());
        }
    }
    m
}

/// λ on a log scale from 1e-4 to 1e-1: both regimes occur for the K, n drawn below.
pub fn lambda() -> impl Strategy<Value = f64> {
    (-4.0f64..-1.0).prop_map(|e| 10f64.powf(e))
}

/// A bias policy: none, undecayed, or decayed.
pub fn bias() -> impl Strategy<Value = Bias> {
    prop_oneof![
        Just(Bias::None),
        Just(Bias::Decayed(0.0)),
        (-4.0f64..-1.0).prop_map(|e| Bias::Decayed(10f64.powf(e))),
    ]
}

/// A small balanced UFM: K in 2..=6, n in 1..=4, λ's log-uniform, any bias.
pub fn small_ufm() -> impl Strategy<Value = Ufm> {
    (2usize..=6, 1usize..=4, lambda(), lambda(), bias())
        .prop_map(|(k, n, lw, lh, b)| Ufm::balanced(k, n, lw, lh, b).expect("valid problem"))
}

/// The proptest configuration of this suite: few, seeded-by-proptest cases.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
