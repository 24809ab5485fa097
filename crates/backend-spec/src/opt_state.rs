//! The optimiser state of a session, generic over each backend's SGD and Adam state (which
//! hold its tensors); L-BFGS runs on host f64 vectors and is shared outright.

use crate::lbfgs::LbfgsState;
use crate::optim_spec::OptimSpec;

/// Optimiser state: one variant per optimiser of [`OptimSpec`].
#[derive(Debug)]
pub enum OptState<S, A> {
    /// SGD.
    Sgd(S),
    /// Adam.
    Adam(A),
    /// L-BFGS.
    Lbfgs(LbfgsState),
}

impl<S, A> OptState<S, A> {
    /// Fresh state for `spec`, from the backend's constructors `sgd(momentum)` and
    /// `adam(β₁, β₂, ε)`.
    pub fn new(
        spec: &OptimSpec,
        sgd: impl FnOnce(f64) -> S,
        adam: impl FnOnce(f64, f64, f64) -> A,
    ) -> Self {
        match *spec {
            OptimSpec::Sgd { momentum } => OptState::Sgd(sgd(momentum)),
            OptimSpec::Adam { beta1, beta2, eps } => OptState::Adam(adam(beta1, beta2, eps)),
            OptimSpec::Lbfgs { .. } => OptState::Lbfgs(LbfgsState::default()),
        }
    }

    /// The optimiser's name as saved states record it (`sgd`, `adam`, `lbfgs`).
    pub fn name(&self) -> &'static str {
        match self {
            OptState::Sgd(_) => "sgd",
            OptState::Adam(_) => "adam",
            OptState::Lbfgs(_) => "lbfgs",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_spec_gets_its_state_and_name() {
        let s: OptState<f64, (f64, f64, f64)> = OptState::new(
            &OptimSpec::Sgd { momentum: 0.9 },
            |m| m,
            |a, b, c| (a, b, c),
        );
        assert!(matches!(s, OptState::Sgd(m) if m == 0.9));
        assert_eq!(s.name(), "sgd");
        let adam = OptimSpec::Adam {
            beta1: 0.8,
            beta2: 0.99,
            eps: 1e-6,
        };
        let a: OptState<f64, (f64, f64, f64)> = OptState::new(&adam, |m| m, |a, b, c| (a, b, c));
        assert!(matches!(a, OptState::Adam((0.8, 0.99, 1e-6))));
        assert_eq!(a.name(), "adam");
        let l: OptState<f64, (f64, f64, f64)> = OptState::new(
            &OptimSpec::Lbfgs {
                history: 10,
                max_iter: 20,
            },
            |m| m,
            |a, b, c| (a, b, c),
        );
        assert_eq!(l.name(), "lbfgs");
    }
}
