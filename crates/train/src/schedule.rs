//! Learning-rate schedules, stepped per epoch (epochs are 1-based).

use serde::{Deserialize, Serialize};

/// How the learning rate changes over epochs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LrSchedule {
    /// The same rate every epoch.
    Constant,
    /// Multiply by `gamma` every `step` epochs (PyTorch's StepLR).
    Step {
        /// Epochs between decays.
        step: usize,
        /// Factor per decay.
        gamma: f64,
    },
    /// Multiply by `gamma` after each milestone epoch (PyTorch's MultiStepLR).
    MultiStep {
        /// Epoch counts after which the rate decays, increasing.
        milestones: Vec<usize>,
        /// Factor per decay.
        gamma: f64,
    },
}

impl LrSchedule {
    /// The rate of 1-based `epoch` for base rate `base`.
    pub fn lr(&self, base: f64, epoch: usize) -> f64 {
        let done = epoch.saturating_sub(1);
        let decays = match self {
            LrSchedule::Constant => return base,
            LrSchedule::Step { step, .. } => done / step.max(&1),
            LrSchedule::MultiStep { milestones, .. } => {
                milestones.iter().filter(|&&m| m <= done).count()
            }
        };
        let gamma = match self {
            LrSchedule::Step { gamma, .. } | LrSchedule::MultiStep { gamma, .. } => *gamma,
            LrSchedule::Constant => 1.0,
        };
        base * gamma.powi(decays as i32)
    }

    /// Checks the parameters; the message names the flag.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            LrSchedule::Constant => Ok(()),
            LrSchedule::Step { step, gamma } => {
                if *step == 0 {
                    return Err("--lr-step must be at least 1".into());
                }
                check_gamma(*gamma)
            }
            LrSchedule::MultiStep { milestones, gamma } => {
                if milestones.windows(2).any(|w| w[0] >= w[1]) || milestones.contains(&0) {
                    return Err(format!(
                        "lr milestones {milestones:?} must be positive and strictly increasing"
                    ));
                }
                check_gamma(*gamma)
            }
        }
    }
}

fn check_gamma(gamma: f64) -> Result<(), String> {
    if gamma.is_finite() && gamma > 0.0 {
        Ok(())
    } else {
        Err(format!("--lr-gamma = {gamma} must be finite and > 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_decays_after_every_step_epochs() {
        let s = LrSchedule::Step {
            step: 40,
            gamma: 0.1,
        };
        assert_eq!(s.lr(0.05, 1), 0.05);
        assert_eq!(s.lr(0.05, 40), 0.05);
        assert!((s.lr(0.05, 41) - 0.005).abs() < 1e-15);
        assert!((s.lr(0.05, 81) - 0.0005).abs() < 1e-15);
    }

    #[test]
    fn multistep_decays_after_each_milestone() {
        let s = LrSchedule::MultiStep {
            milestones: vec![2, 5],
            gamma: 0.5,
        };
        let lrs: Vec<f64> = (1..=6).map(|e| s.lr(1.0, e)).collect();
        assert_eq!(lrs, vec![1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
        assert!(LrSchedule::MultiStep {
            milestones: vec![5, 2],
            gamma: 0.5
        }
        .validate()
        .is_err());
    }
}
