//! The UFM session's settings, parsed from the host's JSON `SessionConfig`.

use collapse_guard::{memory, number, size, NumberError, Range};
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

/// Refuses a model the machine cannot hold, before anything is allocated: H (d×N), W (K×d)
/// and b, each with its momentum buffer, and one copy of both in a saved state.
fn check_memory(model: &UfmModel) -> Result<(), PluginError> {
    let (k, n, d) = (
        model.classes as u64,
        model.per_class as u64,
        model.dim as u64,
    );
    let values = k
        .checked_mul(n)
        .and_then(|samples| size::elements(&[samples, d]))
        .and_then(|h| h.checked_add(size::elements(&[k, d])?))
        .and_then(|hw| hw.checked_add(k));
    let needed = values.and_then(|v| size::bytes(&[v, 4], 8));
    memory::check_allocation(
        &format!(
            "the ufm model (K = {k} classes x {n} per class, d = {d}: H, W, b, their momentum and a saved state)"
        ),
        needed,
    )
    .map_err(|e| PluginError::BadInput(e.to_string()))
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
        let bad = |e: NumberError| PluginError::BadInput(e.to_string());
        let count = |name: &str, v: usize, min: u64| {
            number::check_count(name, v as u64, min, u64::MAX).map_err(bad)
        };
        count("classes", model.classes, 2)?;
        count("per_class", model.per_class, 1)?;
        count("dim", model.dim, 1)?;
        count("batch_size", opt.batch_size, 1)?;
        let real = |name: &str, v: f64, range: Range| number::check(name, v, range).map_err(bad);
        real("lambda_h", model.lambda_h, Range::NON_NEGATIVE)?;
        real("init_scale", model.init_scale, Range::POSITIVE)?;
        real("momentum", opt.momentum, Range::UNIT_HALF_OPEN)?;
        real("weight_decay", opt.weight_decay, Range::NON_NEGATIVE)?;
        check_memory(&model)?;
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
