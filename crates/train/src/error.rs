//! The one error type of the training host.

use std::path::PathBuf;
use thiserror::Error;

/// Errors of the training host; each names the input at fault and the fix.
#[derive(Debug, Error)]
pub enum TrainError {
    /// The experiment description is invalid.
    #[error("invalid experiment: {0}")]
    Config(String),
    /// A plugin could not be loaded or a call failed.
    #[error(transparent)]
    Plugin(#[from] collapse_plugin_api::PluginError),
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("cannot write", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A run directory is missing, foreign or inconsistent.
    #[error("run directory {}: {message}", path.display())]
    RunDir {
        /// The folder.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The data set could not be loaded.
    #[error("data: {0}")]
    Data(#[from] collapse_data::DataError),
    /// A metric could not be computed.
    #[error("metrics at epoch {epoch}: {source}")]
    Metrics {
        /// The epoch.
        epoch: usize,
        /// The metrics crate's error.
        source: collapse_metrics::MetricsError,
    },
}

impl TrainError {
    /// Shorthand for an I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Shorthand for a run-directory error.
    pub fn run_dir(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        TrainError::RunDir {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether the user can fix this by changing the input (a flag, a file, a config).
    pub fn is_bad_input(&self) -> bool {
        match self {
            TrainError::Config(_) | TrainError::RunDir { .. } | TrainError::Data(_) => true,
            TrainError::Plugin(p) => p.is_bad_input(),
            _ => false,
        }
    }
}

/// Result alias of the training host.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
