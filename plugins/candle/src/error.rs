//! The crate's one error type, and its mapping onto the plugin contract's three outcomes.

use collapse_plugin_api::PluginError;

/// What can go wrong in the candle backend.
#[derive(Debug, thiserror::Error)]
pub enum CandleError {
    /// The model or optimiser description is wrong (the user's input).
    #[error("{0}")]
    BadInput(String),
    /// A valid request this backend does not implement.
    #[error("{0}")]
    Unsupported(String),
    /// A tensor operation failed (device error, shape bug).
    #[error("candle: {0}")]
    Tensor(#[from] candle_core::Error),
    /// Training produced a non-finite loss.
    #[error("{0}")]
    Diverged(String),
    /// Serialising the state failed.
    #[error("{0}")]
    State(String),
}

/// The shared schema's refusals, with this backend's name filled in.
impl From<collapse_backend_spec::SpecError> for CandleError {
    fn from(e: collapse_backend_spec::SpecError) -> Self {
        let message = e.message("candle");
        if e.is_unsupported() {
            CandleError::Unsupported(message)
        } else {
            CandleError::BadInput(message)
        }
    }
}

/// Result with [`CandleError`].
pub type Result<T> = std::result::Result<T, CandleError>;

impl From<CandleError> for PluginError {
    fn from(e: CandleError) -> Self {
        match e {
            CandleError::BadInput(m) => PluginError::BadInput(m),
            CandleError::Unsupported(m) => PluginError::Unsupported(m),
            other => PluginError::Failed(other.to_string()),
        }
    }
}
