//! The refusals of the shared schema. Two of them name the backend, which this crate does not
//! know, so they are structured and [`SpecError::message`] fills the backend name in.

/// A model or optimiser description the backends refuse.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecError {
    /// The description is wrong (the user's input); the message names the key and the fix.
    BadInput(String),
    /// `model.per_class` was given: the network backends train on a data set.
    SyntheticFeatures,
    /// An optimiser the network backends do not implement.
    UnknownOptimizer(String),
}

impl SpecError {
    /// The message, naming `backend` (e.g. `"candle"`) where the refusal is about it.
    pub fn message(&self, backend: &str) -> String {
        match self {
            SpecError::BadInput(m) => m.clone(),
            SpecError::SyntheticFeatures => format!(
                "model.per_class: the {backend} backend trains on a data set, not synthetic \
                 features; pass --dataset mnist|cifar10|... instead"
            ),
            SpecError::UnknownOptimizer(name) => {
                format!("optimizer `{name}`: the {backend} backend implements sgd, adam and lbfgs")
            }
        }
    }

    /// Whether this is a valid request the backend does not implement (the plugin contract's
    /// `Unsupported`), rather than bad input.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, SpecError::UnknownOptimizer(_))
    }
}

/// Without a backend at hand, "network" stands in for its name.
impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message("network"))
    }
}

impl std::error::Error for SpecError {}

/// Result with [`SpecError`].
pub type Result<T> = std::result::Result<T, SpecError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_name_is_filled_in_and_kinds_are_kept() {
        let e = SpecError::UnknownOptimizer("rmsprop".into());
        assert_eq!(
            e.message("tch"),
            "optimizer `rmsprop`: the tch backend implements sgd, adam and lbfgs"
        );
        assert!(e.is_unsupported());
        let p = SpecError::SyntheticFeatures;
        assert!(p
            .message("candle")
            .starts_with("model.per_class: the candle backend"));
        assert!(!p.is_unsupported());
        assert_eq!(SpecError::BadInput("x".into()).message("candle"), "x");
    }
}
