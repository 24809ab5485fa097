//! The one error type of the core crate: every message names the offending input and the fix.

use thiserror::Error;

/// Errors raised by the mathematical core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A simplex ETF of K vectors needs at least K − 1 dimensions and at least two classes.
    #[error("simplex ETF needs K >= 2 and d >= K - 1, got K = {classes}, d = {dim}: raise the feature dimension to at least {}", classes.saturating_sub(1).max(1))]
    EtfDimension {
        /// Number of classes K.
        classes: usize,
        /// Feature dimension d.
        dim: usize,
    },
    /// Two arrays that must agree in shape do not.
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
    #[error(
        "{what} contains a non-finite value (NaN or infinity) at index {index}: clean the input"
    )]
    NonFinite {
        /// Which input.
        what: String,
        /// First offending flat index.
        index: usize,
    },
    /// A parameter is outside its valid range.
    #[error("invalid {name} = {value}: {requirement}")]
    Parameter {
        /// Parameter name as the user spells it.
        name: String,
        /// Value given.
        value: String,
        /// What it must satisfy.
        requirement: String,
    },
    /// A label is out of range or a class has no sample.
    #[error("invalid labels: {0}")]
    Labels(String),
    /// A dense factorisation failed to converge.
    #[error("linear algebra failure in {0}")]
    Numerical(String),
}

impl CoreError {
    /// Shorthand for a [`CoreError::Parameter`].
    pub fn parameter(name: &str, value: impl ToString, requirement: &str) -> Self {
        Self::Parameter {
            name: name.to_string(),
            value: value.to_string(),
            requirement: requirement.to_string(),
        }
    }

    /// Shorthand for a [`CoreError::Shape`].
    pub fn shape(what: &str, expected: impl ToString, got: impl ToString) -> Self {
        Self::Shape {
            what: what.to_string(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }
}

impl From<collapse_guard::NumberError> for CoreError {
    fn from(e: collapse_guard::NumberError) -> Self {
        Self::Parameter {
            name: e.name,
            value: e.value,
            requirement: e.requirement,
        }
    }
}

/// Result alias of the core crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
