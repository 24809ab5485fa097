//! The one error type of the metrics crate: every message names the offending input and the fix.

use thiserror::Error;

/// Errors raised while accumulating statistics or computing metrics.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MetricsError {
    /// Neural collapse is about K ≥ 2 classes.
    #[error("need at least 2 classes, got K = {0}: pass the number of classes of the data set")]
    TooFewClasses(usize),
    /// The simplex ETF of K classes needs d ≥ K − 1 dimensions.
    #[error("feature dimension d = {dim} is smaller than K - 1 = {}: the class means of K classes span K - 1 dimensions, so use features with d >= {}", classes - 1, classes - 1)]
    DimensionTooSmall {
        /// Number of classes K.
        classes: usize,
        /// Feature dimension d.
        dim: usize,
    },
    /// An input does not have the shape it must have.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    Shape {
        /// Which input.
        what: String,
        /// Expected shape, in words.
        expected: String,
        /// Shape found.
        got: String,
    },
    /// An input holds NaN or an infinity.
    #[error("{what} holds a non-finite value (NaN or infinity) at row {row}, column {col}: fix or drop that sample")]
    NonFinite {
        /// Which input.
        what: String,
        /// Row (sample or class) of the first offending value, counted in this call.
        row: usize,
        /// Column of the first offending value.
        col: usize,
    },
    /// A label is not in 0..K.
    #[error("label {label} of sample {index} is out of range for K = {classes} classes: labels must lie in 0..{classes} (pass the true K or relabel)")]
    LabelOutOfRange {
        /// The label found.
        label: usize,
        /// Sample index, counted in this call.
        index: usize,
        /// Number of classes K.
        classes: usize,
    },
    /// A class has no sample, so its mean is undefined.
    #[error("class {class} has no sample: every class in 0..K needs at least one sample (pass the true K, or relabel so the labels are 0..K-1 without gaps)")]
    EmptyClass {
        /// The empty class.
        class: usize,
    },
    /// Two accumulators cannot be combined.
    #[error("cannot combine statistics: {0}")]
    Incompatible(String),
    /// A variant name that the registry does not know.
    #[error("unknown metric variant `{name}`: known variants are {known}")]
    UnknownVariant {
        /// The name given.
        name: String,
        /// The registered names, comma separated.
        known: String,
    },
    /// A variant was requested whose inputs were not provided.
    #[error("metric `{variant}` needs {needs}: {fix}")]
    MissingInput {
        /// Variant name.
        variant: String,
        /// What is missing.
        needs: String,
        /// How to provide it.
        fix: String,
    },
    /// The data make a metric undefined (for example two identical class means).
    #[error("metric `{variant}` is undefined for these features: {reason}")]
    Undefined {
        /// Variant name.
        variant: String,
        /// Why.
        reason: String,
    },
    /// A statistics file (or its bytes) that cannot be decoded.
    #[error("{source_name} is not a valid statistics file: {reason}")]
    BadStats {
        /// The file, or "statistics bytes" when decoded from memory.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// A dense factorisation failed.
    #[error("linear algebra failure in {0}")]
    Numerical(String),
}

/// Result alias of the metrics crate.
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;
