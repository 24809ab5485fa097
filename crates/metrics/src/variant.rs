//! The registry of named metric variants. Names are stable: they are the keys of every
//! report, JSON file and command-line flag. Definitions and sources: `docs/metrics.md`.

use crate::error::{MetricsError, Result};
use serde::{Deserialize, Serialize};

/// One named neural-collapse metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// tr(Σ_W Σ_B^†)/K, count-weighted μ_G, pseudo-inverse by the chosen policy (Zhu et al.).
    Nc1,
    /// tr(Σ_W Σ̃_B^†) around the unweighted mean of class means, no /K (Papyan et al.'s code).
    Nc1Papyan,
    /// tr Σ_W / tr Σ_B.
    Nc1Quotient,
    /// Class-distance normalised variance, mean over pairs (Galanti et al.).
    Cdnv,
    /// ‖WWᵀ/‖WWᵀ‖_F − E‖_F.
    Nc2W,
    /// ‖M̄ᵀM̄/‖M̄ᵀM̄‖_F − E‖_F.
    Nc2M,
    /// Coefficient of variation of ‖w_c‖.
    EquinormW,
    /// Coefficient of variation of ‖μ_c − μ_G‖.
    EquinormM,
    /// Standard deviation of the pairwise cosines of the w_c.
    EquiangleW,
    /// Standard deviation of the pairwise cosines of the μ_c − μ_G.
    EquiangleM,
    /// Mean |cos + 1/(K−1)| over pairs of w_c.
    MaxangleW,
    /// Mean |cos + 1/(K−1)| over pairs of μ_c − μ_G.
    MaxangleM,
    /// ‖WM̄/‖WM̄‖_F − E‖_F (Zhu et al.).
    Nc3,
    /// ‖W/‖W‖_F − M̄ᵀ/‖M̄‖_F‖²_F (Papyan et al.).
    Nc3Papyan,
    /// Fraction of training samples where argmax(Wh + b) ≠ the nearest class mean.
    Nc4,
    /// The same on the test samples, against the training class means.
    Nc4Test,
    /// ‖Wμ_G + b‖₂.
    Bias,
}

/// What a variant needs beyond the first-pass statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The classifier head W (and b when it has one).
    pub head: bool,
    /// A second pass over the training samples.
    pub train_pass: bool,
    /// A pass over test samples.
    pub test_pass: bool,
}

impl Variant {
    /// Every variant, in report order.
    pub const ALL: [Variant; 17] = [
        Variant::Nc1,
        Variant::Nc1Papyan,
        Variant::Nc1Quotient,
        Variant::Cdnv,
        Variant::Nc2W,
        Variant::Nc2M,
        Variant::EquinormW,
        Variant::EquinormM,
        Variant::EquiangleW,
        Variant::EquiangleM,
        Variant::MaxangleW,
        Variant::MaxangleM,
        Variant::Nc3,
        Variant::Nc3Papyan,
        Variant::Nc4,
        Variant::Nc4Test,
        Variant::Bias,
    ];

    /// The stable name (report key, CLI spelling).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Nc1 => "nc1",
            Variant::Nc1Papyan => "nc1_papyan",
            Variant::Nc1Quotient => "nc1_quotient",
            Variant::Cdnv => "cdnv",
            Variant::Nc2W => "nc2_w",
            Variant::Nc2M => "nc2_m",
            Variant::EquinormW => "equinorm_w",
            Variant::EquinormM => "equinorm_m",
            Variant::EquiangleW => "equiangle_w",
            Variant::EquiangleM => "equiangle_m",
            Variant::MaxangleW => "maxangle_w",
            Variant::MaxangleM => "maxangle_m",
            Variant::Nc3 => "nc3",
            Variant::Nc3Papyan => "nc3_papyan",
            Variant::Nc4 => "nc4",
            Variant::Nc4Test => "nc4_test",
            Variant::Bias => "bias",
        }
    }

    /// Looks a variant up by its name.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| MetricsError::UnknownVariant {
                name: name.to_string(),
                known: Self::ALL.map(Variant::name).join(", "),
            })
    }

    /// Inputs the variant needs beyond the first-pass statistics.
    pub fn needs(self) -> Needs {
        let head = !matches!(
            self,
            Variant::Nc1
                | Variant::Nc1Papyan
                | Variant::Nc1Quotient
                | Variant::Cdnv
                | Variant::Nc2M
                | Variant::EquinormM
                | Variant::EquiangleM
                | Variant::MaxangleM
        );
        Needs {
            head,
            train_pass: self == Variant::Nc4,
            test_pass: self == Variant::Nc4Test,
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Variant {
    type Err = MetricsError;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}
