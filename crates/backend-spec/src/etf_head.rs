//! The fixed classifier's weights: the simplex ETF, computed once in f64 so both backends
//! freeze the very same head (and a saved state's `fc.weight` matches on either).

use collapse_core::etf::{simplex_etf, Placement};

use crate::error::{Result, SpecError};
use crate::model_spec::ModelSpec;

/// The K×d simplex-ETF head of `spec`, row-major (PyTorch's Linear weight layout), placed
/// canonically or rotated by `spec.etf_rotation_seed`.
pub fn etf_head_weights(spec: &ModelSpec) -> Result<Vec<f64>> {
    let (d, k) = (spec.feature_dim, spec.classes);
    let placement = match spec.etf_rotation_seed {
        None => Placement::Canonical,
        Some(seed) => Placement::Rotated { seed },
    };
    let m = simplex_etf(k, d, placement)
        .map_err(|e| SpecError::BadInput(format!("fixed ETF head: {e}")))?;
    Ok((0..k)
        .flat_map(|i| (0..d).map(move |j| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: Option<u64>) -> ModelSpec {
        ModelSpec::parse(&serde_json::json!({
            "classes": 4, "model": "mlp", "width": 6, "depth": 1,
            "classifier": "etf", "etf_rotation_seed": seed,
        }))
        .unwrap()
    }

    #[test]
    fn rows_are_unit_norm_with_the_simplex_cosine() {
        let (k, d) = (4, 6);
        for seed in [None, Some(3)] {
            let w = etf_head_weights(&spec(seed)).unwrap();
            assert_eq!(w.len(), k * d);
            let row = |i: usize| &w[i * d..(i + 1) * d];
            for i in 0..k {
                for j in 0..k {
                    let dot: f64 = row(i).iter().zip(row(j)).map(|(a, b)| a * b).sum();
                    let want = if i == j { 1.0 } else { -1.0 / (k as f64 - 1.0) };
                    assert!((dot - want).abs() < 1e-12, "<w{i}, w{j}> = {dot}");
                }
            }
        }
        assert_ne!(
            etf_head_weights(&spec(None)).unwrap(),
            etf_head_weights(&spec(Some(3))).unwrap()
        );
    }
}
