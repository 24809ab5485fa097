//! The flags that define a UFM problem, shared by `ufm optimum`, `ufm solve` and `certify`.

use clap::Args;
use collapse_core::Bias;

/// Regularisation strengths.
#[derive(Debug, Clone, Args)]
pub struct LambdaArgs {
    /// Weight decay λ_W on the classifier W (> 0).
    #[arg(long = "lambda-w", value_name = "A")]
    pub lambda_w: f64,
    /// Weight decay λ_H on the features H (> 0).
    #[arg(long = "lambda-h", value_name = "B")]
    pub lambda_h: f64,
    /// Weight decay λ_b on the bias (≥ 0). Default: λ_W, as coupled weight decay in a network.
    #[arg(long = "lambda-b", value_name = "C")]
    pub lambda_b: Option<f64>,
}

impl LambdaArgs {
    /// The bias policy: none when `bias` is false, else decayed by λ_b (default λ_W).
    pub fn bias(&self, bias: bool) -> Bias {
        if bias {
            Bias::Decayed(self.lambda_b.unwrap_or(self.lambda_w))
        } else {
            Bias::None
        }
    }
}

/// K, n and d of a balanced problem.
#[derive(Debug, Clone, Args)]
pub struct ShapeArgs {
    /// Number of classes K (≥ 2).
    #[arg(long, value_name = "K")]
    pub classes: usize,
    /// Samples per class n (≥ 1).
    #[arg(long = "per-class", value_name = "N")]
    pub per_class: usize,
    /// Feature dimension d (≥ K − 1).
    #[arg(long, value_name = "D")]
    pub dim: usize,
}
