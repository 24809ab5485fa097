//! `manifest.json`: what a run is (experiment, seed, backend, device, versions, git revision),
//! enough to resume it and to reproduce it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use collapse_plugin_api::{Plugin, SessionInfo};
use serde::{Deserialize, Serialize};

use crate::experiment::Experiment;

/// Format tag of the manifest.
pub const MANIFEST_FORMAT: &str = "collapse-run/1";

/// The backend a run used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendRecord {
    /// Name the backend reports.
    pub name: String,
    /// Its version.
    pub version: String,
    /// ABI version it was built with.
    pub abi: String,
    /// The library file loaded.
    pub path: PathBuf,
    /// Devices it offers.
    pub devices: Vec<String>,
}

/// Shapes and resources of the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Feature dimension d.
    pub dim: usize,
    /// Classes K.
    pub classes: usize,
    /// Training samples N.
    pub train_samples: usize,
    /// Test samples (0: none).
    pub test_samples: usize,
    /// Trainable scalar parameters.
    pub trainable_parameters: u64,
    /// Peak memory of the session in bytes, as the backend measures it (last update).
    pub peak_memory_bytes: u64,
}

impl From<SessionInfo> for SessionRecord {
    fn from(i: SessionInfo) -> Self {
        SessionRecord {
            dim: i.dim,
            classes: i.classes,
            train_samples: i.train_samples,
            test_samples: i.test_samples,
            trainable_parameters: i.trainable_parameters,
            peak_memory_bytes: i.peak_memory_bytes,
        }
    }
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// The experiment, as validated.
    pub experiment: Experiment,
    /// Seed (also in the experiment; repeated for readers that look only here).
    pub seed: u64,
    /// Device.
    pub device: String,
    /// The backend.
    pub backend: BackendRecord,
    /// The session.
    pub session: SessionRecord,
    /// Versions of the host crates and the backend.
    pub versions: BTreeMap<String, String>,
    /// `git rev-parse HEAD` of the working directory, if it is a git checkout.
    pub git_revision: Option<String>,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix_s: u64,
    /// Metric conventions (pseudo-inverse policy, feature source).
    pub metric_notes: BTreeMap<String, String>,
    /// Epochs from which the run was resumed (the checkpoint's epoch), in order.
    #[serde(default)]
    pub resumed_from: Vec<usize>,
    /// Epochs completed so far.
    #[serde(default)]
    pub completed_epochs: usize,
}

impl Manifest {
    /// A manifest for a new run.
    pub fn new(experiment: &Experiment, plugin: &Plugin, info: SessionInfo) -> Self {
        let b = plugin.info();
        let versions = BTreeMap::from([
            (
                "collapse-train".to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
            (format!("backend:{}", b.name), b.version.clone()),
            (
                "plugin-abi".to_string(),
                format!(
                    "{}.{}",
                    collapse_plugin_api::abi::ABI_MAJOR,
                    collapse_plugin_api::abi::ABI_MINOR
                ),
            ),
        ]);
        Manifest {
            format: MANIFEST_FORMAT.to_string(),
            experiment: experiment.clone(),
            seed: experiment.seed,
            device: experiment.device.clone(),
            backend: BackendRecord {
                name: b.name.clone(),
                version: b.version.clone(),
                abi: plugin.abi_version(),
                path: plugin.path().to_path_buf(),
                devices: b.devices.clone(),
            },
            session: info.into(),
            versions,
            git_revision: git_revision(),
            created_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            metric_notes: crate::evaluate::metric_notes(),
            resumed_from: Vec::new(),
            completed_epochs: 0,
        }
    }
}

/// The current git revision, if `git` is installed and the working directory is a checkout
/// with at least one commit.
pub fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let rev = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!rev.is_empty()).then_some(rev)
}
