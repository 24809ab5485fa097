//! The run directory: `manifest.json`, `metrics.jsonl`, `metrics.csv` and
//! `checkpoints/epoch-NNNN.safetensors`. Every file is replaced atomically; within an epoch the
//! rows are written before the checkpoint, so the rows always reach at least the last
//! checkpoint and a resume truncates them to it (no row lost, none duplicated).

use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::error::{Result, TrainError};
use crate::manifest::{Manifest, MANIFEST_FORMAT};
use crate::row::{to_csv, to_jsonl, EpochRow};

/// A run directory on disk.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

const MANIFEST: &str = "manifest.json";
const JSONL: &str = "metrics.jsonl";
const CSV: &str = "metrics.csv";
const CHECKPOINTS: &str = "checkpoints";

impl RunDir {
    /// Creates a new run directory; refuses one that exists and is not empty.
    pub fn create(root: &Path) -> Result<Self> {
        if root.exists() {
            let empty = std::fs::read_dir(root)
                .map_err(|e| TrainError::io("cannot read", root, e))?
                .next()
                .is_none();
            if !empty {
                return Err(TrainError::run_dir(
                    root,
                    "already exists and is not empty: continue it with --resume RUN, or choose another --out",
                ));
            }
        }
        let ck = root.join(CHECKPOINTS);
        std::fs::create_dir_all(&ck).map_err(|e| TrainError::io("cannot create", ck, e))?;
        Ok(RunDir {
            root: root.to_path_buf(),
        })
    }

    /// Opens an existing run directory (it must hold a manifest).
    pub fn open(root: &Path) -> Result<Self> {
        if !root.join(MANIFEST).is_file() {
            return Err(TrainError::run_dir(
                root,
                "has no manifest.json: not a run directory written by `collapse train`",
            ));
        }
        let ck = root.join(CHECKPOINTS);
        std::fs::create_dir_all(&ck).map_err(|e| TrainError::io("cannot create", ck, e))?;
        Ok(RunDir {
            root: root.to_path_buf(),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Path of `metrics.jsonl`.
    pub fn jsonl_path(&self) -> PathBuf {
        self.root.join(JSONL)
    }

    /// Path of `metrics.csv`.
    pub fn csv_path(&self) -> PathBuf {
        self.root.join(CSV)
    }

    /// Writes the manifest.
    pub fn write_manifest(&self, m: &Manifest) -> Result<()> {
        let text = serde_json::to_string_pretty(m).expect("manifest is plain data");
        write_atomic(&self.root.join(MANIFEST), text.as_bytes())
    }

    /// Reads the manifest.
    pub fn read_manifest(&self) -> Result<Manifest> {
        let path = self.root.join(MANIFEST);
        let text =
            std::fs::read_to_string(&path).map_err(|e| TrainError::io("cannot read", &path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            TrainError::run_dir(&self.root, format!("manifest.json is invalid: {e}"))
        })?;
        if m.format != MANIFEST_FORMAT {
            return Err(TrainError::run_dir(
                &self.root,
                format!(
                    "manifest format {:?}, this build reads {MANIFEST_FORMAT:?}",
                    m.format
                ),
            ));
        }
        Ok(m)
    }

    /// Replaces both metric files with `rows`.
    pub fn write_rows(&self, rows: &[EpochRow]) -> Result<()> {
        write_atomic(&self.jsonl_path(), to_jsonl(rows).as_bytes())?;
        write_atomic(&self.csv_path(), to_csv(rows).as_bytes())
    }

    /// Reads `metrics.jsonl` (empty when absent); checks the epochs run 1, 2, 3, ...
    pub fn read_rows(&self) -> Result<Vec<EpochRow>> {
        let path = self.jsonl_path();
        if !path.exists() {
            return Ok(Vec::new());
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| TrainError::io("cannot read", &path, e))?;
        let mut rows = Vec::new();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let row: EpochRow = serde_json::from_str(line).map_err(|e| {
                TrainError::run_dir(&self.root, format!("metrics.jsonl line {}: {e}", i + 1))
            })?;
            if row.epoch != rows.len() + 1 {
                return Err(TrainError::run_dir(
                    &self.root,
                    format!(
                        "metrics.jsonl line {} is epoch {}, expected epoch {}",
                        i + 1,
                        row.epoch,
                        rows.len() + 1
                    ),
                ));
            }
            rows.push(row);
        }
        Ok(rows)
    }

    fn checkpoint_path(&self, epoch: usize) -> PathBuf {
        self.root
            .join(CHECKPOINTS)
            .join(format!("epoch-{epoch:04}.safetensors"))
    }

    /// Writes the backend's state after `epoch`.
    pub fn write_checkpoint(&self, epoch: usize, state: &[u8]) -> Result<PathBuf> {
        let path = self.checkpoint_path(epoch);
        write_atomic(&path, state)?;
        Ok(path)
    }

    /// The latest checkpoint: (epoch, file), or `None` when there is none.
    pub fn last_checkpoint(&self) -> Result<Option<(usize, PathBuf)>> {
        let dir = self.root.join(CHECKPOINTS);
        let entries =
            std::fs::read_dir(&dir).map_err(|e| TrainError::io("cannot read", &dir, e))?;
        let mut best: Option<(usize, PathBuf)> = None;
        for entry in entries {
            let entry = entry.map_err(|e| TrainError::io("cannot read", &dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let epoch = name
                .strip_prefix("epoch-")
                .and_then(|s| s.strip_suffix(".safetensors"))
                .and_then(|s| s.parse::<usize>().ok());
            if let Some(e) = epoch {
                if best.as_ref().is_none_or(|(b, _)| e > *b) {
                    best = Some((e, entry.path()));
                }
            }
        }
        Ok(best)
    }
}
