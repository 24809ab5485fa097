//! The optimiser description both network backends accept: the host's settings plus the
//! method-specific `extra` keys, checked before training starts.

use collapse_plugin_api::OptimizerConfig;

use crate::error::{Result, SpecError};

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
        let bad = |m: String| Err(SpecError::BadInput(m));
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
            other => return Err(SpecError::UnknownOptimizer(other.to_string())),
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
                    SpecError::BadInput(format!("optimizer.{key} = {v}: expected a number"))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, extra: serde_json::Value) -> OptimizerConfig {
        OptimizerConfig {
            name: name.into(),
            momentum: 0.9,
            weight_decay: 5e-4,
            batch_size: 32,
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn methods_parse_with_their_defaults() {
        let a = Optim::parse(&config("adam", serde_json::json!({}))).unwrap();
        assert_eq!(
            a.spec,
            OptimSpec::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8
            }
        );
        assert_eq!((a.weight_decay, a.batch_size), (5e-4, 32));
        let l = Optim::parse(&config("lbfgs", serde_json::json!({"history": 5}))).unwrap();
        assert_eq!(
            l.spec,
            OptimSpec::Lbfgs {
                history: 5,
                max_iter: 20
            }
        );
        let s = Optim::parse(&config("sgd", serde_json::json!({}))).unwrap();
        assert_eq!(s.spec, OptimSpec::Sgd { momentum: 0.9 });
    }

    #[test]
    fn bad_settings_are_refused() {
        let e = Optim::parse(&config("rmsprop", serde_json::json!({}))).unwrap_err();
        assert!(e.is_unsupported());
        let e = Optim::parse(&config("sgd", serde_json::json!({"beta1": 0.5}))).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("optimizer.beta1 is not an option of sgd"));
        let e = Optim::parse(&config("lbfgs", serde_json::json!({"history": 2.5}))).unwrap_err();
        assert!(e.to_string().ends_with("need integers >= 1"));
        let mut c = config("sgd", serde_json::json!({}));
        c.batch_size = 0;
        assert!(Optim::parse(&c).is_err());
    }
}
