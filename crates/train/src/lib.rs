//! `collapse-train`: the host that trains through a backend plugin.
//!
//! [`train`] loads the plugin named by an [`Experiment`] (checking its ABI version first),
//! hands it the data (or none, for the UFM's free features), trains epoch by epoch at the
//! scheduled learning rate, and after every epoch streams the features into
//! `collapse-metrics`' class statistics to record every NC metric variant plus train/test
//! loss and accuracy. It writes a run directory ([`RunDir`]: manifest, metrics as JSON lines
//! and CSV, safetensors checkpoints), atomically, and [`resume`] continues an interrupted run
//! from its last checkpoint without losing or duplicating rows.

mod atomic;
pub mod data_feed;
mod driver;
mod error;
pub mod evaluate;
pub mod experiment;
pub mod manifest;
pub mod process_tuning;
pub mod progress;
pub mod row;
pub mod run_dir;
pub mod schedule;
pub mod table;

pub use atomic::write_atomic;
pub use driver::{open_plugin, read_rows, resume, train, RunOptions, RunSummary};
pub use error::{Result, TrainError};
pub use experiment::Experiment;
pub use manifest::Manifest;
pub use progress::ProgressMode;
pub use row::EpochRow;
pub use run_dir::RunDir;
pub use schedule::LrSchedule;
