//! `collapse-plugin-api`: the one contract between the collapse host and its backends.
//!
//! - [`abi`]: the versioned C ABI (`#[repr(C)]` vtable, opaque sessions, buffers by pointer and
//!   length, JSON options, a status on every call);
//! - [`Backend`] + [`export_backend!`]: what a plugin author implements, with no `unsafe`;
//! - [`Plugin`] / [`Session`]: the host side (loading with libloading, version check, safe calls).
//!
//! See `docs/plugin-guide.md` for a walk-through.

// The crate exists to cross a C ABI (raw pointers, `extern "C"` functions, dynamic loading):
// `unsafe` is unavoidable here and confined to `export.rs` and `host.rs`, so plugins and the
// host need none.
#![allow(unsafe_code)]

pub mod abi;
mod backend;
pub mod discover;
#[cfg(target_os = "linux")]
mod elf;
mod error;
#[doc(hidden)]
pub mod export;
mod host;
mod types;

pub use backend::Backend;
pub use discover::PluginSpec;
pub use error::PluginError;
pub use host::{Plugin, Session};
pub use types::{
    BackendInfo, Classifier, DataSet, DataShape, OptimizerConfig, SessionConfig, SessionInfo,
    Split, TrainReport, TrainRequest,
};
