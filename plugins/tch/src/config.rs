//! The model and optimiser descriptions this backend accepts: the same JSON schema as the
//! candle backend (`plugins/candle/src/config.rs`), so `--backend tch` and `--backend candle`
//! take the same options. Every refusal names the key and the fix.

use collapse_plugin_api::OptimizerConfig;
use serde::Deserialize;

use crate::error::{Result, TchError};

/// The network family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Arch {
    /// Flatten → depth × [Linear(width) + BatchNorm1d + ReLU] → Linear(width, K).
    #[serde(rename = "mlp")]
    Mlp,
    /// torchvision ResNet18 (channels w, 2w, 4w, 8w with `width` w, default 64).
    #[serde(rename = "resnet18")]
    ResNet18,
    /// The CIFAR ResNet18 with channels k, 2k, 4k, 8k and the 3×3 stem.
    #[serde(rename = "resnet18-width")]
    ResNet18Width,
}

/// The ResNet stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Stem {
    /// 7×7 stride-2 conv + BN + ReLU + 3×3 stride-2 max-pool.
    #[serde(rename = "default")]
    Default,
    /// 3×3 stride-1 conv + BN + ReLU, no max-pool ("SOTA").
    #[serde(rename = "3x3")]
    Small,
}

/// The classifier head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Head {
    /// A trained Linear(d, K).
    #[serde(rename = "learned")]
    Learned,
    /// The frozen simplex ETF.
    #[serde(rename = "etf")]
    Etf,
}

/// The training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum LossKind {
    /// Cross-entropy on the logits.
    #[serde(rename = "ce")]
    CrossEntropy,
    /// Mean squared error against one-hot targets (mean over N·K entries, as `nn.MSELoss`).
    #[serde(rename = "mse")]
    Mse,
}

/// Which parameters coupled weight decay applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DecayScope {
    /// Every trainable parameter (the paper's default).
    #[serde(rename = "all")]
    All,
    /// Only the classifier (W, b): with `lambda_h` this is the "Θ vs H" objective.
    #[serde(rename = "classifier")]
    Classifier,
}

/// The JSON model description (the host adds `classes`, `input_shape`, `dim`, ...).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    classes: usize,
    #[serde(default)]
    input_shape: Option<[usize; 3]>,
    #[serde(default)]
    dim: Option<usize>,
    #[serde(default)]
    feature_dim: Option<usize>,
    #[serde(default)]
    per_class: Option<usize>,
    #[serde(default)]
    lambda_h: Option<f64>,
    #[serde(default = "default_arch")]
    model: Arch,
    #[serde(default)]
    width: Option<usize>,
    #[serde(default)]
    depth: Option<usize>,
    #[serde(default = "default_stem")]
    stem: Stem,
    #[serde(default = "default_head")]
    classifier: Head,
    #[serde(default)]
    etf_rotation_seed: Option<u64>,
    #[serde(default = "yes")]
    bias: bool,
    #[serde(default)]
    no_bias: bool,
    #[serde(default = "default_loss")]
    loss: LossKind,
    #[serde(default = "default_scope")]
    weight_decay_scope: DecayScope,
    #[serde(default = "default_dtype")]
    dtype: String,
}

fn default_arch() -> Arch {
    Arch::ResNet18
}
fn default_stem() -> Stem {
    Stem::Default
}
fn default_head() -> Head {
    Head::Learned
}
fn default_loss() -> LossKind {
    LossKind::CrossEntropy
}
fn default_scope() -> DecayScope {
    DecayScope::All
}
fn default_dtype() -> String {
    "f32".into()
}
fn yes() -> bool {
    true
}

/// A checked model description.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Network family.
    pub arch: Arch,
    /// Number of classes K.
    pub classes: usize,
    /// C×H×W of one input (default 3×32×32).
    pub input_shape: [usize; 3],
    /// MLP width, or k of the width-k ResNet.
    pub width: usize,
    /// MLP depth (hidden layers).
    pub depth: usize,
    /// ResNet stem.
    pub stem: Stem,
    /// Feature dimension d.
    pub feature_dim: usize,
    /// Head.
    pub head: Head,
    /// ETF rotation seed (`None`: canonical placement).
    pub etf_rotation_seed: Option<u64>,
    /// Classifier bias.
    pub bias: bool,
    /// Loss.
    pub loss: LossKind,
    /// Feature weight decay λ_H: (λ_H/2)‖h‖² per sample, on the raw features.
    pub lambda_h: f64,
    /// Weight-decay scope.
    pub decay_scope: DecayScope,
    /// `f32` (default) or `f64` (for finite-difference tests).
    pub f64: bool,
}

impl ModelSpec {
    /// Parses and checks the model JSON.
    pub fn parse(value: &serde_json::Value) -> Result<Self> {
        let raw: RawModel = serde_json::from_value(value.clone()).map_err(|e| {
            TchError::BadInput(format!(
                "model description: {e} (keys: model = mlp|resnet18|resnet18-width, width, depth, \
                 stem = default|3x3, classifier = learned|etf, etf_rotation_seed, feature_dim, \
                 bias, loss = ce|mse, lambda_h, weight_decay_scope = all|classifier, dtype = f32|f64)"
            ))
        })?;
        let bad = |m: String| Err(TchError::BadInput(m));
        let k = raw.classes;
        if k < 2 {
            return bad(format!("model.classes = {k}: need at least 2 classes"));
        }
        if raw.per_class.is_some() {
            return bad(
                "model.per_class: the tch backend trains on a data set, not synthetic \
                 features; pass --dataset mnist|cifar10|... instead"
                    .into(),
            );
        }
        let input_shape = raw.input_shape.unwrap_or([3, 32, 32]);
        if input_shape.contains(&0) {
            return bad(format!(
                "model.input_shape {input_shape:?} has a zero extent"
            ));
        }
        let f64 = match raw.dtype.as_str() {
            "f32" => false,
            "f64" => true,
            other => return bad(format!("model.dtype = {other:?}: use \"f32\" or \"f64\"")),
        };
        let lambda_h = raw.lambda_h.unwrap_or(0.0);
        if !(lambda_h >= 0.0 && lambda_h.is_finite()) {
            return bad(format!(
                "model.lambda_h = {lambda_h}: must be finite and >= 0"
            ));
        }
        let requested = match (raw.feature_dim, raw.dim) {
            (Some(a), Some(b)) if a != b => {
                return bad(format!(
                    "model.feature_dim = {a} and dim = {b} disagree: give one of them"
                ))
            }
            (a, b) => a.or(b),
        };
        let (w, d) = raw.arch_defaults();
        let (width, depth) = (raw.width.unwrap_or(w), raw.depth.unwrap_or(d));
        if width == 0 {
            return bad("model.width must be >= 1".into());
        }
        let feature_dim = match raw.model {
            Arch::Mlp => {
                if depth == 0 {
                    return bad("model.depth must be >= 1 for the MLP".into());
                }
                match requested {
                    None => width,
                    Some(d) if d == width => d,
                    Some(d) => {
                        return bad(format!(
                            "model.feature_dim = {d}: the MLP's features are its last hidden \
                             layer, so d = width = {width}; set width instead"
                        ))
                    }
                }
            }
            Arch::ResNet18 | Arch::ResNet18Width => {
                let full = 8 * width;
                match requested {
                    None => full,
                    Some(d) if d == full || d == k => d,
                    Some(d) => {
                        return bad(format!(
                            "model.feature_dim = {d}: ResNet18 features are {full}-dimensional, \
                             or K = {k} with the narrowed last block; use {full} or {k}"
                        ))
                    }
                }
            }
        };
        if raw.model == Arch::ResNet18Width && raw.stem != Stem::Small && raw.stem_given(value) {
            return bad(
                "model.stem: the width-k CIFAR ResNet18 always has the 3x3 stem; drop stem or \
                 set it to \"3x3\""
                    .into(),
            );
        }
        let stem = if raw.model == Arch::ResNet18Width {
            Stem::Small
        } else {
            raw.stem
        };
        if raw.classifier == Head::Etf && feature_dim < k {
            return bad(format!(
                "model.classifier = etf needs feature_dim >= K = {k} (got {feature_dim})"
            ));
        }
        if raw.etf_rotation_seed.is_some() && raw.classifier != Head::Etf {
            return bad(
                "model.etf_rotation_seed is only meaningful with classifier = \"etf\"".into(),
            );
        }
        Ok(ModelSpec {
            arch: raw.model,
            classes: k,
            input_shape,
            width,
            depth,
            stem,
            feature_dim,
            head: raw.classifier,
            etf_rotation_seed: raw.etf_rotation_seed,
            bias: raw.bias && !raw.no_bias,
            loss: raw.loss,
            lambda_h,
            decay_scope: raw.weight_decay_scope,
            f64,
        })
    }
}

impl RawModel {
    fn arch_defaults(&self) -> (usize, usize) {
        match self.model {
            Arch::Mlp => (1024, 6),
            Arch::ResNet18 => (64, 0),
            Arch::ResNet18Width => (64, 0),
        }
    }

    fn stem_given(&self, value: &serde_json::Value) -> bool {
        value.get("stem").is_some()
    }
}

/// Which optimiser, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum OptimSpec {
    /// SGD with momentum (no Nesterov) and coupled L2 weight decay.
    Sgd {
        /// Momentum.
        momentum: f64,
    },
    /// Adam with coupled L2 (not AdamW).
    Adam {
        /// β₁.
        beta1: f64,
        /// β₂.
        beta2: f64,
        /// ε.
        eps: f64,
    },
    /// L-BFGS with strong-Wolfe line search, one `step` (up to `max_iter` iterations) per
    /// mini-batch; weight decay enters the loss as Σ ½·wd‖p‖².
    Lbfgs {
        /// History size.
        history: usize,
        /// Iterations per mini-batch.
        max_iter: usize,
    },
}

/// A checked optimiser description.
#[derive(Debug, Clone, PartialEq)]
pub struct Optim {
    /// The method.
    pub spec: OptimSpec,
    /// Coupled weight decay.
    pub weight_decay: f64,
    /// Mini-batch size.
    pub batch_size: usize,
}

impl Optim {
    /// Parses the host's optimiser settings; `extra` may hold `beta1`, `beta2`, `eps`
    /// (Adam), `history`, `max_iter` (L-BFGS).
    pub fn parse(c: &OptimizerConfig) -> Result<Self> {
        let bad = |m: String| Err(TchError::BadInput(m));
        if c.batch_size == 0 {
            return bad("optimizer.batch_size must be >= 1".into());
        }
        if !(c.weight_decay >= 0.0 && c.weight_decay.is_finite()) {
            return bad(format!(
                "optimizer.weight_decay = {}: must be finite and >= 0",
                c.weight_decay
            ));
        }
        let allowed: &[&str] = match c.name.as_str() {
            "sgd" => &[],
            "adam" => &["beta1", "beta2", "eps"],
            "lbfgs" => &["history", "max_iter"],
            other => {
                return Err(TchError::Unsupported(format!(
                    "optimizer `{other}`: the tch backend implements sgd, adam and lbfgs"
                )))
            }
        };
        if let Some(k) = c.extra.keys().find(|k| !allowed.contains(&k.as_str())) {
            return bad(format!(
                "optimizer.{k} is not an option of {} (options: {allowed:?})",
                c.name
            ));
        }
        let num = |key: &str, default: f64| -> Result<f64> {
            match c.extra.get(key) {
                None => Ok(default),
                Some(v) => v.as_f64().ok_or_else(|| {
                    TchError::BadInput(format!("optimizer.{key} = {v}: expected a number"))
                }),
            }
        };
        let spec = match c.name.as_str() {
            "sgd" => {
                if !(0.0..1.0).contains(&c.momentum) {
                    return bad(format!(
                        "optimizer.momentum = {}: must lie in [0, 1)",
                        c.momentum
                    ));
                }
                OptimSpec::Sgd {
                    momentum: c.momentum,
                }
            }
            "adam" => {
                let (beta1, beta2, eps) =
                    (num("beta1", 0.9)?, num("beta2", 0.999)?, num("eps", 1e-8)?);
                if !(0.0..1.0).contains(&beta1) || !(0.0..1.0).contains(&beta2) || eps <= 0.0 {
                    return bad(format!(
                        "optimizer beta1 = {beta1}, beta2 = {beta2}, eps = {eps}: need betas in \
                         [0, 1) and eps > 0"
                    ));
                }
                OptimSpec::Adam { beta1, beta2, eps }
            }
            _ => {
                let (history, max_iter) = (num("history", 10.0)?, num("max_iter", 20.0)?);
                if history < 1.0
                    || max_iter < 1.0
                    || history.fract() != 0.0
                    || max_iter.fract() != 0.0
                {
                    return bad(format!(
                        "optimizer history = {history}, max_iter = {max_iter}: need integers >= 1"
                    ));
                }
                OptimSpec::Lbfgs {
                    history: history as usize,
                    max_iter: max_iter as usize,
                }
            }
        };
        Ok(Optim {
            spec,
            weight_decay: c.weight_decay,
            batch_size: c.batch_size,
        })
    }
}
