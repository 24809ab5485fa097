//! The simplex equiangular tight frame: the geometry that neural collapse converges to.
//!
//! Rows of the returned K×d matrix are the K class vectors, of unit norm, with pairwise
//! inner product −1/(K−1) and zero sum. The paper's canonical matrix
//! M = √(K/(K−1))(I − 11ᵀ/K) lives in R^K; we embed it in R^d for every d ≥ K − 1.

use crate::error::{CoreError, Result};
use crate::random::{haar_orthonormal, rng};
use faer::{Mat, MatRef};

/// How the ETF is placed in R^d.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Placement {
    /// The paper's M in the first K coordinates (d ≥ K); for d = K − 1, M expressed in the
    /// Helmert basis of the sum-zero subspace.
    Canonical,
    /// M rotated into R^d by a seeded Haar-random orthonormal map of the sum-zero subspace.
    Rotated {
        /// Seed of the rotation.
        seed: u64,
    },
}

/// Checks K ≥ 2 and d ≥ K − 1.
pub fn check_dimensions(classes: usize, dim: usize) -> Result<()> {
    if classes < 2 || dim + 1 < classes {
        return Err(CoreError::EtfDimension { classes, dim });
    }
    Ok(())
}

/// The paper's K×K matrix M = √(K/(K−1))(I − 11ᵀ/K).
pub fn canonical_square(classes: usize) -> Mat<f64> {
    let k = classes as f64;
    let scale = (k / (k - 1.0)).sqrt();
    Mat::from_fn(classes, classes, |i, j| {
        scale * (if i == j { 1.0 } else { 0.0 } - 1.0 / k)
    })
}

/// The Helmert basis of {x ∈ R^K : Σx = 0}: a K×(K−1) matrix with orthonormal columns.
pub fn helmert_basis(classes: usize) -> Mat<f64> {
    Mat::from_fn(classes, classes - 1, |i, j| {
        let m = (j + 1) as f64;
        let norm = (m * (m + 1.0)).sqrt();
        if i <= j {
            1.0 / norm
        } else if i == j + 1 {
            -m / norm
        } else {
            0.0
        }
    })
}

/// The simplex ETF as a K×d matrix of unit-norm rows.
pub fn simplex_etf(classes: usize, dim: usize, placement: Placement) -> Result<Mat<f64>> {
    check_dimensions(classes, dim)?;
    let m = canonical_square(classes);
    match placement {
        Placement::Canonical if dim >= classes => Ok(Mat::from_fn(classes, dim, |i, j| {
            if j < classes {
                m[(i, j)]
            } else {
                0.0
            }
        })),
        Placement::Canonical => Ok(&m * helmert_basis(classes)),
        Placement::Rotated { seed } => {
            // M B is the ETF in K−1 coordinates; a Haar map Q (d×(K−1), orthonormal columns)
            // places it in R^d: rows of M B Qᵀ keep every inner product.
            let q = haar_orthonormal(dim, classes - 1, &mut rng(seed));
            Ok(&m * helmert_basis(classes) * q.transpose())
        }
    }
}

/// The K×K target E = (I − 11ᵀ/K)/√(K−1): the Gram matrix of an ETF, scaled to unit
/// Frobenius norm.
pub fn normalized_gram_target(classes: usize) -> Mat<f64> {
    let k = classes as f64;
    let s = 1.0 / (k - 1.0).sqrt();
    Mat::from_fn(classes, classes, |i, j| {
        s * (if i == j { 1.0 } else { 0.0 } - 1.0 / k)
    })
}

/// ‖A/‖A‖_F − E‖_F for a K×K matrix A: the distance of a (normalised) Gram-like matrix from
/// the ETF's. It is the formula behind NC2 (A = WWᵀ) and the paper's NC3 (A = W M̄). Returns
/// NaN-free `sqrt(2)` style bounded values; a zero matrix yields 1 (distance to the origin).
pub fn normalized_distance_to_etf(a: MatRef<'_, f64>) -> f64 {
    let k = a.nrows();
    let e = normalized_gram_target(k);
    let norm = a.norm_l2();
    if norm == 0.0 {
        return e.norm_l2();
    }
    let mut acc = 0.0;
    for j in 0..k {
        for i in 0..k {
            let d = a[(i, j)] / norm - e[(i, j)];
            acc += d * d;
        }
    }
    acc.sqrt()
}

/// NC2 on a classifier: ‖WWᵀ/‖WWᵀ‖_F − E‖_F for a K×d matrix W.
pub fn gram_distance(w: MatRef<'_, f64>) -> f64 {
    normalized_distance_to_etf((w * w.transpose()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_too_small_dimension() {
        assert_eq!(
            simplex_etf(5, 3, Placement::Canonical).unwrap_err(),
            CoreError::EtfDimension { classes: 5, dim: 3 }
        );
        assert!(simplex_etf(1, 3, Placement::Canonical).is_err());
        let msg = simplex_etf(5, 3, Placement::Canonical)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("at least 4"), "{msg}");
    }

    #[test]
    fn canonical_k_minus_one_is_an_etf() {
        let w = simplex_etf(4, 3, Placement::Canonical).unwrap();
        assert!(gram_distance(w.as_ref()) < 1e-12);
    }
}
