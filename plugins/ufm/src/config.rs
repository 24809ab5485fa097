//! The UFM session's settings, parsed from the host's JSON `SessionConfig`.

use collapse_plugin_api::{PluginError, SessionConfig};
use serde::Deserialize;

/// The model part of the config (`SessionConfig::model`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UfmModel {
    /// Number of classes K.
    pub classes: usize,
    /// Samples per class n (labels are class-major: sample j has label j / n).
    pub per_class: usize,
    /// Feature dimension d.
    pub dim: usize,
    /// Feature weight decay λ_H.
    pub lambda_h: f64,
    /// Standard deviation of the Gaussian initialisation of H and W.
    #[serde(default = "default_init_scale")]
    pub init_scale: f64,
    /// Whether the classifier has a (trainable, decayed) bias.
    #[serde(default = "default_true")]
    pub bias: bool,
}

fn default_init_scale() -> f64 {
    0.1
}

fn default_true() -> bool {
    true
}

/// Everything a UFM session needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct UfmConfig {
    /// The model.
    pub model: UfmModel,
    /// SGD momentum μ.
    pub momentum: f64,
    /// λ_W (= λ_b): coupled weight decay on W and b.
    pub weight_decay: f64,
    /// Mini-batch size m.
    pub batch_size: usize,
    /// Seed of the initialisation and of every epoch's shuffle.
    pub seed: u64,
}

impl UfmConfig {
    /// Parses and validates; every error names the field and the fix.
    pub fn from_session(config: &SessionConfig) -> Result<Self, PluginError> {
        if config.model.get("input_shape").is_some() {
            return Err(PluginError::BadInput(
                "the ufm backend trains free features and takes no data set: use --dataset synthetic (the default) with --classes, --per-class and --dim".to_string(),
            ));
        }
        let model: UfmModel = serde_json::from_value(config.model.clone()).map_err(|e| {
            PluginError::BadInput(format!(
                "ufm model description {}: {e} (expected {{\"classes\", \"per_class\", \"dim\", \"lambda_h\"}}, optional \"init_scale\", \"bias\")",
                config.model
            ))
        })?;
        let opt = &config.optimizer;
        if opt.name != "sgd" {
            return Err(PluginError::Unsupported(format!(
                "optimizer `{}`: the ufm backend implements sgd only (use --optimizer sgd)",
                opt.name
            )));
        }
        if !opt.extra.is_empty() {
            let keys: Vec<&String> = opt.extra.keys().collect();
            return Err(PluginError::Unsupported(format!(
                "optimizer options {keys:?} are not understood by the ufm backend"
            )));
        }
        if config.device != "cpu" {
            return Err(PluginError::Unsupported(format!(
                "device `{}`: the ufm backend runs on cpu only (use --device cpu)",
                config.device
            )));
        }
        let bad = |name: &str, value: String, need: &str| {
            Err(PluginError::BadInput(format!("{name} = {value}: {need}")))
        };
        if model.classes < 2 {
            return bad(
                "classes",
                model.classes.to_string(),
                "need at least 2 classes",
            );
        }
        if model.per_class < 1 {
            return bad(
                "per_class",
                model.per_class.to_string(),
                "need at least 1 sample per class",
            );
        }
        if model.dim < 1 {
            return bad(
                "dim",
                model.dim.to_string(),
                "need a feature dimension of at least 1",
            );
        }
        if !(model.lambda_h.is_finite() && model.lambda_h >= 0.0) {
            return bad(
                "lambda_h",
                model.lambda_h.to_string(),
                "must be finite and >= 0",
            );
        }
        if !(model.init_scale.is_finite() && model.init_scale > 0.0) {
            return bad(
                "init_scale",
                model.init_scale.to_string(),
                "must be finite and > 0",
            );
        }
        if !(opt.momentum.is_finite() && (0.0..1.0).contains(&opt.momentum)) {
            return bad("momentum", opt.momentum.to_string(), "must lie in [0, 1)");
        }
        if !(opt.weight_decay.is_finite() && opt.weight_decay >= 0.0) {
            return bad(
                "weight_decay",
                opt.weight_decay.to_string(),
                "must be finite and >= 0",
            );
        }
        if opt.batch_size < 1 {
            return bad(
                "batch_size",
                opt.batch_size.to_string(),
                "must be at least 1",
            );
        }
        Ok(UfmConfig {
            model,
            momentum: opt.momentum,
            weight_decay: opt.weight_decay,
            batch_size: opt.batch_size,
            seed: config.seed,
        })
    }

    /// Number of samples N = K n.
    pub fn samples(&self) -> usize {
        self.model.classes * self.model.per_class
    }
}
