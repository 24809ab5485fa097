//! The one error type of the plugin contract, used on both sides: plugin authors return its
//! first three variants, the host adds the loading and call failures.

use std::path::PathBuf;
use thiserror::Error;

/// Errors of the plugin contract.
#[derive(Debug, Error)]
pub enum PluginError {
    /// (Plugin side) the host passed something the backend cannot accept.
    #[error("bad input: {0}")]
    BadInput(String),
    /// (Plugin side) the backend does not implement this call or option.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// (Plugin side) the backend failed.
    #[error("{0}")]
    Failed(String),
    /// No plugin library of that name on the search path.
    #[error("no plugin named `{name}` ({file}) in {searched}: build it with `cargo build -p collapse-plugin-{name}`, pass --plugin PATH, or add its folder to COLLAPSE_PLUGIN_PATH", searched = display_dirs(.searched))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The file name looked for.
        file: String,
        /// Folders searched, in order.
        searched: Vec<PathBuf>,
    },
    /// A plugin name with characters other than ASCII letters, digits, `-` and `_`.
    #[error(
        "invalid plugin name `{0}`: use letters, digits, `-` and `_` only, or pass --plugin PATH"
    )]
    InvalidName(String),
    /// The dynamic loader refused the file.
    #[error("cannot load plugin {}: {reason}", path.display())]
    Load {
        /// The file.
        path: PathBuf,
        /// Why: the file's own check, or the dynamic loader's reason.
        reason: String,
    },
    /// The library lacks a symbol every collapse plugin exports.
    #[error("{} is not a collapse plugin: it has no symbol `{symbol}` (plugins export it with `collapse_plugin_api::export_backend!`)", path.display())]
    NotAPlugin {
        /// The file.
        path: PathBuf,
        /// The missing symbol.
        symbol: String,
    },
    /// The plugin speaks another ABI version.
    #[error("plugin {} was built for collapse plugin ABI version {plugin}, but this host speaks ABI version {host}: rebuild the plugin against collapse-plugin-api with ABI {host}", path.display())]
    AbiMismatch {
        /// The file.
        path: PathBuf,
        /// Version the plugin reports (`major` or `major.minor`).
        plugin: String,
        /// Version of this host.
        host: String,
    },
    /// A call into the plugin returned a failure status.
    #[error("plugin `{plugin}` failed in {call}: {message}")]
    Call {
        /// The plugin's name.
        plugin: String,
        /// The ABI call.
        call: &'static str,
        /// Status code the plugin returned.
        status: i32,
        /// The plugin's message.
        message: String,
    },
    /// The plugin panicked; the panic was caught at the boundary.
    #[error("plugin `{plugin}` panicked in {call}: {message} (the session is now unusable; this is a bug in the plugin)")]
    Panicked {
        /// The plugin's name.
        plugin: String,
        /// The ABI call.
        call: &'static str,
        /// The panic message.
        message: String,
    },
    /// The plugin returned something that breaks the contract (wrong sizes, invalid JSON, ...).
    #[error("plugin `{plugin}` broke the ABI contract in {call}: {detail}")]
    Contract {
        /// The plugin's name.
        plugin: String,
        /// The ABI call.
        call: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl PluginError {
    /// Whether the user can fix this by changing the input: the plugin named, its file, or
    /// what the host passed (a failure inside a working backend is not).
    pub fn is_bad_input(&self) -> bool {
        use crate::abi::Status;
        match self {
            PluginError::NotFound { .. }
            | PluginError::InvalidName(_)
            | PluginError::Load { .. }
            | PluginError::NotAPlugin { .. }
            | PluginError::AbiMismatch { .. }
            | PluginError::BadInput(_)
            | PluginError::Unsupported(_) => true,
            PluginError::Call { status, .. } => {
                *status == Status::BAD_INPUT.0 || *status == Status::UNSUPPORTED.0
            }
            _ => false,
        }
    }
}

fn display_dirs(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "no folder (the search path is empty)".to_string();
    }
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
