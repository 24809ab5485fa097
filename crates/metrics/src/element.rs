//! Feature element types accepted by the accumulators, and the checks every batch passes
//! before it may change any statistic (so a rejected batch leaves the state untouched).

use crate::error::{MetricsError, Result};

/// A floating-point feature element: `f32` (what networks emit) or `f64`. All statistics
/// are accumulated in f64 whatever the input type.
pub trait Element: Copy + private::Sealed {
    /// The value as f64 (exact for both implementors).
    fn to_f64(self) -> f64;
}

impl Element for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Element for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

mod private {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// Checks a row-major N×d batch with N labels: shapes, label range, finiteness.
pub(crate) fn check_batch<T: Element>(
    what: &str,
    features: &[T],
    labels: &[usize],
    dim: usize,
    classes: usize,
) -> Result<()> {
    if features.len() != labels.len() * dim {
        return Err(MetricsError::Shape {
            what: what.to_string(),
            expected: format!(
                "{} labels x d = {dim} features = {} values (row-major N x d)",
                labels.len(),
                labels.len() * dim
            ),
            got: format!("{} values", features.len()),
        });
    }
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &y)| y >= classes) {
        return Err(MetricsError::LabelOutOfRange {
            label,
            index,
            classes,
        });
    }
    check_finite(what, features, dim)
}

/// Finds the first NaN or infinity of a row-major matrix with `dim` columns.
pub(crate) fn check_finite<T: Element>(what: &str, values: &[T], dim: usize) -> Result<()> {
    match values.iter().position(|v| !v.to_f64().is_finite()) {
        None => Ok(()),
        Some(i) => Err(MetricsError::NonFinite {
            what: what.to_string(),
            row: i / dim.max(1),
            col: i % dim.max(1),
        }),
    }
}

/// Checks K ≥ 2 and d ≥ K − 1.
pub(crate) fn check_dimensions(classes: usize, dim: usize) -> Result<()> {
    if classes < 2 {
        return Err(MetricsError::TooFewClasses(classes));
    }
    if dim + 1 < classes {
        return Err(MetricsError::DimensionTooSmall { classes, dim });
    }
    Ok(())
}

/// Rows processed at once: bounds the f64 temporaries to `CHUNK_ROWS × d` whatever the
/// caller's batch size, and is large enough for matrix products to run at full speed.
pub(crate) const CHUNK_ROWS: usize = 2048;
