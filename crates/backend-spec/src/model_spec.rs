//! The JSON model description both network backends accept, parsed and checked before any
//! tensor is made, so `--backend candle` and `--backend tch` take the same options. Every
//! refusal names the key and the fix.

use serde::Deserialize;

use crate::augment::{Augment, RawAugment};
use crate::error::{Result, SpecError};

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
    #[serde(default)]
    augment: Option<RawAugment>,
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
    /// Crop+flip of the training batches (`None`: the images as given).
    pub augment: Option<Augment>,
}

impl ModelSpec {
    /// Parses and checks the model JSON.
    pub fn parse(value: &serde_json::Value) -> Result<Self> {
        let raw: RawModel = serde_json::from_value(value.clone()).map_err(|e| {
            SpecError::BadInput(format!(
                "model description: {e} (keys: model = mlp|resnet18|resnet18-width, width, depth, \
                 stem = default|3x3, classifier = learned|etf, etf_rotation_seed, feature_dim, \
                 bias, loss = ce|mse, lambda_h, weight_decay_scope = all|classifier, dtype = f32|f64, \
                 augment = {{padding, fill}})"
            ))
        })?;
        let bad = |m: String| Err(SpecError::BadInput(m));
        let k = raw.classes;
        if k < 2 {
            return bad(format!("model.classes = {k}: need at least 2 classes"));
        }
        if raw.per_class.is_some() {
            return Err(SpecError::SyntheticFeatures);
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
        if raw.model == Arch::ResNet18Width
            && raw.stem != Stem::Small
            && value.get("stem").is_some()
        {
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
            augment: raw.augment.map(|a| a.check(input_shape)).transpose()?,
        })
    }

    /// Whether coupled weight decay applies to the trainable parameter `name`: every one, or
    /// under `weight_decay_scope = "classifier"` only the head's (`fc.*`).
    pub fn decays(&self, name: &str) -> bool {
        match self.decay_scope {
            DecayScope::All => true,
            DecayScope::Classifier => name.starts_with("fc."),
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decay_scope_picks_the_decayed_parameters() {
        let all = ModelSpec::parse(&json!({"classes": 10})).unwrap();
        assert!(all.decays("conv1.weight") && all.decays("fc.bias"));
        let head =
            ModelSpec::parse(&json!({"classes": 10, "weight_decay_scope": "classifier"})).unwrap();
        assert!(!head.decays("conv1.weight") && !head.decays("layer1.0.bn1.weight"));
        assert!(head.decays("fc.weight") && head.decays("fc.bias"));
    }

    #[test]
    fn defaults_follow_the_architecture() {
        let r = ModelSpec::parse(&json!({"classes": 10})).unwrap();
        assert_eq!((r.arch, r.width, r.feature_dim), (Arch::ResNet18, 64, 512));
        assert_eq!(
            (r.stem, r.head, r.loss),
            (Stem::Default, Head::Learned, LossKind::CrossEntropy)
        );
        assert_eq!(
            (r.input_shape, r.bias, r.f64, r.lambda_h),
            ([3, 32, 32], true, false, 0.0)
        );
        let m = ModelSpec::parse(&json!({"classes": 3, "model": "mlp"})).unwrap();
        assert_eq!((m.width, m.depth, m.feature_dim), (1024, 6, 1024));
        let w = ModelSpec::parse(
            &json!({"classes": 10, "model": "resnet18-width", "width": 8, "feature_dim": 10}),
        )
        .unwrap();
        assert_eq!((w.stem, w.feature_dim), (Stem::Small, 10));
        assert!(
            !ModelSpec::parse(&json!({"classes": 3, "no_bias": true}))
                .unwrap()
                .bias
        );
    }

    #[test]
    fn refusals_name_the_key() {
        let err = |v| ModelSpec::parse(&v).unwrap_err();
        assert_eq!(
            err(json!({"classes": 1})).to_string(),
            "model.classes = 1: need at least 2 classes"
        );
        assert_eq!(
            err(json!({"classes": 3, "per_class": 5})),
            SpecError::SyntheticFeatures
        );
        assert!(err(json!({"classes": 3, "colour": 1}))
            .to_string()
            .starts_with("model description:"));
        assert!(
            err(json!({"classes": 3, "model": "mlp", "width": 8, "feature_dim": 4}))
                .to_string()
                .starts_with("model.feature_dim = 4: the MLP's features")
        );
        assert!(
            err(json!({"classes": 3, "model": "resnet18-width", "stem": "default"}))
                .to_string()
                .starts_with("model.stem:")
        );
        assert!(err(json!({"classes": 3, "etf_rotation_seed": 1}))
            .to_string()
            .starts_with("model.etf_rotation_seed"));
        assert!(err(json!({"classes": 3, "dtype": "f16"}))
            .to_string()
            .starts_with("model.dtype"));
    }
}
