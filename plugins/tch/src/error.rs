//! The crate's one error type, and its mapping onto the plugin contract's three outcomes.

use collapse_plugin_api::PluginError;

/// What can go wrong in the tch backend.
#[derive(Debug, thiserror::Error)]
pub enum TchError {
    /// The model or optimiser description, or a state, is wrong (the user's input).
    #[error("{0}")]
    BadInput(String),
    /// A valid request this backend does not implement (or this machine cannot run).
    #[error("{0}")]
    Unsupported(String),
    /// A libtorch operation failed (device error, shape bug).
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// Training produced a non-finite loss.
    #[error("{0}")]
    Diverged(String),
    /// Serialising the state failed.
    #[error("{0}")]
    State(String),
}

/// The shared schema's refusals, with this backend's name filled in.
impl From<collapse_backend_spec::SpecError> for TchError {
    fn from(e: collapse_backend_spec::SpecError) -> Self {
        let message = e.message("tch");
        if e.is_unsupported() {
            TchError::Unsupported(message)
        } else {
            TchError::BadInput(message)
        }
    }
}

/// Result with [`TchError`].
pub type Result<T> = std::result::Result<T, TchError>;

impl From<TchError> for PluginError {
    fn from(e: TchError) -> Self {
        match e {
            TchError::BadInput(m) => PluginError::BadInput(m),
            TchError::Unsupported(m) => PluginError::Unsupported(m),
            other => PluginError::Failed(other.to_string()),
        }
    }
}
