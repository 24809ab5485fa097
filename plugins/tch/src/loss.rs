//! The training objective of one mini-batch: mean cross-entropy (or MSE against one-hot
//! targets) plus the optional feature penalty (λ_H/2)·mean‖h_i‖² on the raw features.

use tch::{Kind, Reduction, Tensor};

use crate::config::LossKind;
use crate::error::Result;

/// Loss of logits N×K against labels (i64, N), with features N×d for the penalty.
pub fn batch_loss(
    kind: LossKind,
    logits: &Tensor,
    labels: &Tensor,
    features: &Tensor,
    lambda_h: f64,
) -> Result<Tensor> {
    let data = match kind {
        LossKind::CrossEntropy => logits.f_log_softmax(-1, logits.kind())?.f_nll_loss(
            labels,
            None::<&Tensor>,
            Reduction::Mean,
            -100,
        )?,
        LossKind::Mse => {
            let k = logits.size()[1];
            let onehot = labels.f_one_hot(k)?.f_to_kind(logits.kind())?;
            logits.f_mse_loss(&onehot, Reduction::Mean)?
        }
    };
    if lambda_h > 0.0 {
        // The intended penalty on raw features (the reference normalises them first, which
        // makes its penalty a constant: a known defect we do not reproduce).
        let pen = features
            .f_square()?
            .f_sum_dim_intlist(1, false, None::<Kind>)?
            .f_mean(None::<Kind>)?;
        Ok(data.f_add(&pen.f_mul_scalar(0.5 * lambda_h)?)?)
    } else {
        Ok(data)
    }
}

/// Number of rows whose arg-max equals the label.
pub fn correct(logits: &Tensor, labels: &Tensor) -> Result<u64> {
    let eq = logits.f_argmax(1, false)?.f_eq_tensor(labels)?;
    Ok(eq.f_sum(Kind::Int64)?.f_int64_value(&[])? as u64)
}
