//! The training loop: load the plugin, hand it the data, train epoch by epoch at the
//! scheduled learning rate, evaluate, write rows and checkpoints; or resume all that from a
//! run directory's last checkpoint.

use std::path::{Path, PathBuf};

use collapse_plugin_api::{Plugin, PluginSpec, Session, SessionInfo, TrainRequest};

use crate::data_feed;
use crate::error::{Result, TrainError};
use crate::evaluate::evaluate_epoch;
use crate::experiment::Experiment;
use crate::manifest::Manifest;
use crate::progress::{Progress, ProgressMode};
use crate::row::EpochRow;
use crate::run_dir::RunDir;

/// Options that do not change what is computed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// How to report progress.
    pub progress: ProgressMode,
    /// Stop (as if interrupted) after this epoch, leaving a resumable run.
    pub stop_after: Option<usize>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Epochs completed (rows written).
    pub completed_epochs: usize,
    /// Epochs planned.
    pub epochs: usize,
    /// The last row.
    pub last: Option<EpochRow>,
    /// Peak memory of the session as the backend measured it, in bytes.
    pub peak_memory_bytes: u64,
}

impl RunSummary {
    /// Whether every planned epoch ran.
    pub fn finished(&self) -> bool {
        self.completed_epochs >= self.epochs
    }
}

/// A plugin with a session ready to train.
struct Prepared {
    plugin: Plugin,
    session: Session,
    info: SessionInfo,
}

fn device_offered(devices: &[String], wanted: &str) -> bool {
    devices.iter().any(|d| {
        d == wanted
            || (wanted == "cuda" && d.starts_with("cuda"))
            || (d == "cuda" && wanted.starts_with("cuda:"))
    })
}

fn prepare(exp: &Experiment) -> Result<Prepared> {
    let plugin = Plugin::open(&exp.plugin_spec()?)?;
    let b = plugin.info();
    if !device_offered(&b.devices, &exp.device) {
        return Err(TrainError::Config(format!(
            "--device {}: backend `{}` offers {}",
            exp.device,
            b.name,
            b.devices.join(", ")
        )));
    }
    let (data, model) = if exp.is_synthetic() {
        (None, exp.model_json(None, None)?)
    } else {
        let data = data_feed::load(exp)?;
        let mut model = exp.model_json(Some(data.classes()), Some(data.input_shape()))?;
        if exp.augment {
            model["augment"] = data.augment_json();
        }
        (Some(data), model)
    };
    let mut session = plugin.create_session(&exp.session_config(model))?;
    if let Some(data) = &data {
        data_feed::hand_to(&mut session, data)?;
    }
    let info = session.info()?;
    if info.classes < 2 || info.dim == 0 || info.train_samples == 0 {
        return Err(TrainError::Plugin(
            collapse_plugin_api::PluginError::Contract {
                plugin: b.name.clone(),
                call: "info",
                detail: format!(
                    "session reports K = {}, d = {}, N = {}: nothing to train",
                    info.classes, info.dim, info.train_samples
                ),
            },
        ));
    }
    Ok(Prepared {
        plugin,
        session,
        info,
    })
}

/// Starts a new run in `out` (which must not exist or be empty).
pub fn train(experiment: &Experiment, out: &Path, opts: RunOptions) -> Result<RunSummary> {
    let mut exp = experiment.clone();
    exp.validate()?;
    if let Some(p) = &exp.plugin {
        // Record an absolute path so a resume from another folder loads the same file.
        exp.plugin =
            Some(std::fs::canonicalize(p).map_err(|e| TrainError::io("cannot find plugin", p, e))?);
    }
    if !exp.is_synthetic() {
        // Likewise for the data folder.
        exp.data_dir = std::fs::canonicalize(&exp.data_dir)
            .map_err(|e| {
                TrainError::Config(format!(
                    "--data-dir {}: {e}; fetch the data with `cargo xtask data` or point --data-dir at the folder that holds it",
                    exp.data_dir.display()
                ))
            })?;
    }
    let mut prepared = prepare(&exp)?;
    let dir = RunDir::create(out)?;
    let manifest = Manifest::new(&exp, &prepared.plugin, prepared.info);
    dir.write_manifest(&manifest)?;
    run_epochs(&dir, manifest, &mut prepared, Vec::new(), opts)
}

/// Resumes the run in `run` from its last checkpoint; `epochs` may extend the plan.
pub fn resume(run: &Path, epochs: Option<usize>, opts: RunOptions) -> Result<RunSummary> {
    let dir = RunDir::open(run)?;
    let mut manifest = dir.read_manifest()?;
    if let Some(e) = epochs {
        manifest.experiment.epochs = e;
    }
    let exp = manifest.experiment.clone();
    exp.validate()?;
    let mut prepared = prepare(&exp)?;
    if prepared.plugin.info().name != manifest.backend.name {
        return Err(TrainError::run_dir(
            run,
            format!(
                "was trained with backend `{}`, but `{}` was loaded",
                manifest.backend.name,
                prepared.plugin.info().name
            ),
        ));
    }
    let mut rows = dir.read_rows()?;
    let from = match dir.last_checkpoint()? {
        Some((epoch, path)) => {
            let state =
                std::fs::read(&path).map_err(|e| TrainError::io("cannot read", &path, e))?;
            prepared.session.load_state(&state)?;
            epoch
        }
        None => 0,
    };
    if rows.len() < from {
        return Err(TrainError::run_dir(
            run,
            format!(
                "metrics.jsonl has {} rows but the last checkpoint is at epoch {from}: the metric files were edited or lost",
                rows.len()
            ),
        ));
    }
    if from > exp.epochs {
        return Err(TrainError::Config(format!(
            "--epochs {} is below the {from} epochs already checkpointed",
            exp.epochs
        )));
    }
    // Rows after the checkpoint belong to a state that was lost: they are recomputed.
    rows.truncate(from);
    manifest.resumed_from.push(from);
    manifest.completed_epochs = from;
    dir.write_manifest(&manifest)?;
    run_epochs(&dir, manifest, &mut prepared, rows, opts)
}

fn run_epochs(
    dir: &RunDir,
    mut manifest: Manifest,
    p: &mut Prepared,
    mut rows: Vec<EpochRow>,
    opts: RunOptions,
) -> Result<RunSummary> {
    let exp = manifest.experiment.clone();
    let progress = Progress::new(opts.progress, exp.epochs, rows.len());
    if !rows.is_empty() {
        progress.note(&format!("resuming after epoch {}", rows.len()));
    }
    let first = rows.len() + 1;
    for epoch in first..=exp.epochs {
        let lr = exp.schedule.lr(exp.lr, epoch);
        let report = p.session.train(TrainRequest {
            epoch: epoch as u64,
            lr,
            steps: None,
        })?;
        let eval = evaluate_epoch(&mut p.session, &p.info, epoch)?;
        let row = EpochRow {
            epoch,
            lr,
            train_loss: eval.train_loss,
            train_acc: eval.train_acc,
            test_loss: eval.test.map(|t| t.0),
            test_acc: eval.test.map(|t| t.1),
            epoch_loss: report.loss,
            epoch_acc: report.accuracy,
            metrics: eval.metrics,
        };
        progress.epoch(&row);
        rows.push(row);
        dir.write_rows(&rows)?;
        if epoch % exp.checkpoint_every == 0 || epoch == exp.epochs {
            let state = p.session.save_state()?;
            dir.write_checkpoint(epoch, &state)?;
            let info = p.session.info()?;
            manifest.session.peak_memory_bytes = info.peak_memory_bytes;
            manifest.completed_epochs = epoch;
            dir.write_manifest(&manifest)?;
        }
        if opts.stop_after == Some(epoch) && epoch < exp.epochs {
            progress.note(&format!(
                "stopped after epoch {epoch}; continue with --resume {}",
                dir.path().display()
            ));
            break;
        }
    }
    progress.finish();
    Ok(RunSummary {
        run_dir: dir.path().to_path_buf(),
        completed_epochs: rows.len(),
        epochs: exp.epochs,
        last: rows.last().cloned(),
        peak_memory_bytes: manifest.session.peak_memory_bytes,
    })
}

/// Reads the rows of a finished or interrupted run (for `collapse runs show`).
pub fn read_rows(run: &Path) -> Result<Vec<EpochRow>> {
    RunDir::open(run)?.read_rows()
}

/// Loads a plugin without training (for `collapse train --list`-style checks and tests).
pub fn open_plugin(spec: &PluginSpec) -> Result<Plugin> {
    Ok(Plugin::open(spec)?)
}
