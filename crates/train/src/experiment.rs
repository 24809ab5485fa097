//! The experiment description: what a run trains, read from TOML or assembled from flags,
//! validated before any plugin is loaded, and recorded verbatim in the run's manifest.

use std::path::{Path, PathBuf};

use collapse_plugin_api::{OptimizerConfig, PluginSpec, SessionConfig};
use serde::{Deserialize, Serialize};

use crate::error::{Result, TrainError};
use crate::schedule::LrSchedule;

/// The data sets the host knows; `synthetic` is a backend that makes its own data (the UFM).
pub const DATASETS: [&str; 6] = [
    "synthetic",
    "mnist",
    "fashion-mnist",
    "cifar10",
    "cifar100",
    "digits",
];

/// One experiment. Field names are the TOML keys; every field has the default of the paper
/// where the paper has one (SGD, lr 0.05, momentum 0.9, weight decay 5e-4, batch 128, seed 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Backend name (`ufm` → `libcollapse_plugin_ufm.so` on the plugin search path).
    #[serde(default)]
    pub backend: Option<String>,
    /// Backend library path (instead of `backend`).
    #[serde(default)]
    pub plugin: Option<PathBuf>,
    /// One of [`DATASETS`].
    #[serde(default = "default_dataset")]
    pub dataset: String,
    /// Folder holding the data sets.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Keep only the first m training examples of each class.
    #[serde(default)]
    pub subset_per_class: Option<usize>,
    /// Replace the training labels by balanced random labels (seeded by `seed`).
    #[serde(default)]
    pub random_labels: bool,
    /// Train on crop (padding 4) + flip augmented images; the host sends the backend
    /// `model.augment` with the data set's padding value.
    #[serde(default)]
    pub augment: bool,
    /// Number of classes K (synthetic: required; data sets: must match when given).
    #[serde(default)]
    pub classes: Option<usize>,
    /// Samples per class n (synthetic only).
    #[serde(default)]
    pub per_class: Option<usize>,
    /// Feature dimension d (required by the UFM; a network backend may infer it).
    #[serde(default)]
    pub dim: Option<usize>,
    /// Feature weight decay λ_H (UFM: defaults to 5e-4).
    #[serde(default)]
    pub lambda_h: Option<f64>,
    /// Backend-specific model options, passed through to the plugin.
    #[serde(default)]
    pub model: toml::Table,
    /// Number of epochs.
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    /// Mini-batch size.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// `sgd`, `adam` or `lbfgs`.
    #[serde(default = "default_optimizer")]
    pub optimizer: String,
    /// The optimiser's own knobs, passed through to the plugin (`beta1`, `beta2`, `eps` for
    /// Adam; `history`, `max_iter` for L-BFGS); the plugin refuses keys it does not know.
    #[serde(default)]
    pub optimizer_options: toml::Table,
    /// Base learning rate.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// SGD momentum.
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    /// Coupled weight decay on the trainable parameters.
    #[serde(default = "default_weight_decay")]
    pub weight_decay: f64,
    /// Learning-rate schedule.
    #[serde(default = "default_schedule")]
    pub schedule: LrSchedule,
    /// Seed of everything random.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `cpu` or `cuda[:i]`.
    #[serde(default = "default_device")]
    pub device: String,
    /// Write a checkpoint every this many epochs (and always after the last).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: usize,
}

fn default_dataset() -> String {
    "synthetic".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_epochs() -> usize {
    200
}
fn default_batch_size() -> usize {
    128
}
fn default_optimizer() -> String {
    "sgd".into()
}
fn default_lr() -> f64 {
    0.05
}
fn default_momentum() -> f64 {
    0.9
}
fn default_weight_decay() -> f64 {
    5e-4
}
fn default_schedule() -> LrSchedule {
    LrSchedule::Constant
}
fn default_seed() -> u64 {
    6
}
fn default_device() -> String {
    "cpu".into()
}
fn default_checkpoint_every() -> usize {
    1
}

/// Default λ_H of the synthetic (UFM) runs.
pub const DEFAULT_LAMBDA_H: f64 = 5e-4;

impl Default for Experiment {
    fn default() -> Self {
        toml::from_str("").expect("every field has a default")
    }
}

impl Experiment {
    /// Reads a TOML experiment file.
    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TrainError::io("cannot read experiment file", path, e))?;
        Self::from_toml_str(&text).map_err(|e| match e {
            TrainError::Config(m) => TrainError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses TOML.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| TrainError::Config(e.to_string()))
    }

    /// Which plugin to load.
    pub fn plugin_spec(&self) -> Result<PluginSpec> {
        match (&self.backend, &self.plugin) {
            (Some(_), Some(_)) => Err(TrainError::Config(
                "both a backend name and a plugin path are set: give --backend NAME or --plugin PATH, not both".into(),
            )),
            (Some(name), None) => Ok(PluginSpec::Name(name.clone())),
            (None, Some(path)) => Ok(PluginSpec::Path(path.clone())),
            (None, None) => Err(TrainError::Config(
                "no backend: give --backend NAME (e.g. ufm) or --plugin PATH".into(),
            )),
        }
    }

    /// Whether the backend makes its own data (no data set is loaded).
    pub fn is_synthetic(&self) -> bool {
        self.dataset == "synthetic"
    }

    /// Checks every field; the message names the flag and the fix.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(TrainError::Config(m));
        self.plugin_spec()?;
        if !DATASETS.contains(&self.dataset.as_str()) {
            return bad(format!(
                "--dataset {}: unknown; use one of {}",
                self.dataset,
                DATASETS.join(", ")
            ));
        }
        if self.is_synthetic() {
            for (flag, v) in [
                ("--classes", self.classes),
                ("--per-class", self.per_class),
                ("--dim", self.dim),
            ] {
                if v.is_none() {
                    return bad(format!("the synthetic data set needs {flag}"));
                }
            }
            if self.subset_per_class.is_some() || self.random_labels || self.augment {
                return bad(
                    "--subset-per-class, --random-labels and --augment apply to real data sets, \
                     not synthetic"
                        .into(),
                );
            }
        } else if self.per_class.is_some() {
            return bad("--per-class applies to the synthetic data set only; use --subset-per-class for real data".into());
        }
        if self.epochs == 0 {
            return bad("--epochs must be at least 1".into());
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1".into());
        }
        if !["sgd", "adam", "lbfgs"].contains(&self.optimizer.as_str()) {
            return bad(format!(
                "--optimizer {}: use sgd, adam or lbfgs",
                self.optimizer
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!("--lr {} must be finite and > 0", self.lr));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return bad(format!("--momentum {} must lie in [0, 1)", self.momentum));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "--weight-decay {} must be finite and >= 0",
                self.weight_decay
            ));
        }
        if let Some(l) = self.lambda_h {
            if !(l.is_finite() && l >= 0.0) {
                return bad(format!("--lambda-h {l} must be finite and >= 0"));
            }
        }
        if self.checkpoint_every == 0 {
            return bad("checkpoint_every must be at least 1".into());
        }
        let dev = self.device.as_str();
        let cuda_ok = dev == "cuda"
            || dev
                .strip_prefix("cuda:")
                .is_some_and(|i| i.parse::<usize>().is_ok());
        if dev != "cpu" && !cuda_ok {
            return bad(format!("--device {dev}: use cpu, cuda or cuda:INDEX"));
        }
        self.schedule.validate().map_err(TrainError::Config)
    }

    /// The JSON model description sent to the plugin: the host's keys (`classes`, `dim`,
    /// `per_class` and `lambda_h` for synthetic data; `classes`, `input_shape` for images)
    /// merged with the `[model]` table (which wins).
    pub fn model_json(
        &self,
        data_classes: Option<usize>,
        input_shape: Option<[usize; 3]>,
    ) -> Result<serde_json::Value> {
        let mut m = serde_json::Map::new();
        let classes = data_classes.or(self.classes);
        if let Some(k) = classes {
            m.insert("classes".into(), k.into());
        }
        if let Some(d) = self.dim {
            m.insert("dim".into(), d.into());
        }
        if self.is_synthetic() {
            m.insert("per_class".into(), self.per_class.into());
            m.insert(
                "lambda_h".into(),
                self.lambda_h.unwrap_or(DEFAULT_LAMBDA_H).into(),
            );
        } else if let Some(l) = self.lambda_h {
            m.insert("lambda_h".into(), l.into());
        }
        if let Some(s) = input_shape {
            m.insert("input_shape".into(), serde_json::json!(s));
        }
        let extra = serde_json::to_value(&self.model)
            .map_err(|e| TrainError::Config(format!("[model] table: {e}")))?;
        if let serde_json::Value::Object(extra) = extra {
            m.extend(extra);
        }
        Ok(serde_json::Value::Object(m))
    }

    /// `[optimizer_options]` as the JSON object of the plugin contract.
    fn optimizer_extra(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(&self.optimizer_options) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        }
    }

    /// The session configuration for the plugin.
    pub fn session_config(&self, model: serde_json::Value) -> SessionConfig {
        SessionConfig {
            model,
            optimizer: OptimizerConfig {
                name: self.optimizer.clone(),
                momentum: self.momentum,
                weight_decay: self.weight_decay,
                batch_size: self.batch_size,
                extra: self.optimizer_extra(),
            },
            seed: self.seed,
            device: self.device.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trips_with_paper_defaults() {
        let e = Experiment::from_toml_str(
            "backend = \"ufm\"\nclasses = 4\nper_class = 10\ndim = 8\nepochs = 3\n\
             [schedule]\nkind = \"step\"\nstep = 2\ngamma = 0.5\n",
        )
        .unwrap();
        e.validate().unwrap();
        assert_eq!(
            (e.lr, e.momentum, e.batch_size, e.seed),
            (0.05, 0.9, 128, 6)
        );
        let back = Experiment::from_toml_str(&toml::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        let model = e.model_json(None, None).unwrap();
        assert_eq!(model["per_class"], 10);
        assert_eq!(model["lambda_h"], DEFAULT_LAMBDA_H);
    }

    #[test]
    fn errors_name_the_flag() {
        let e = Experiment::from_toml_str("backend = \"ufm\"\nclasses = 4\ndim = 8\n").unwrap();
        let msg = e.validate().unwrap_err().to_string();
        assert!(msg.contains("--per-class"), "{msg}");
        let msg = Experiment::from_toml_str("bakend = \"ufm\"")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("bakend"), "{msg}");
        let e = Experiment {
            backend: Some("ufm".into()),
            dataset: "imagenet".into(),
            ..Experiment::default()
        };
        assert!(e
            .validate()
            .unwrap_err()
            .to_string()
            .contains("--dataset imagenet"));
    }
}
