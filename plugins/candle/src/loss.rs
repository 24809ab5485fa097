//! The training objective of one mini-batch: mean cross-entropy (or MSE against one-hot
//! targets) plus the optional feature penalty (λ_H/2)·mean‖h_i‖² on the raw features.

use candle_core::{DType, Tensor};

use crate::config::LossKind;
use crate::error::Result;

/// Loss of logits N×K against labels (u32, N), with features N×d for the penalty.
pub fn batch_loss(
    kind: LossKind,
    logits: &Tensor,
    labels: &Tensor,
    features: &Tensor,
    lambda_h: f64,
) -> Result<Tensor> {
    let data = match kind {
        LossKind::CrossEntropy => candle_nn::loss::cross_entropy(logits, labels)?,
        LossKind::Mse => {
            let k = logits.dim(1)?;
            let onehot = candle_nn::encoding::one_hot(labels.clone(), k, 1f64, 0f64)?
                .to_dtype(logits.dtype())?;
            candle_nn::loss::mse(logits, &onehot)?
        }
    };
    if lambda_h > 0.0 {
        // The intended penalty on raw features (the reference normalises them first, which
        // makes its penalty a constant: a known defect we do not reproduce).
        let pen = features.sqr()?.sum(1)?.mean_all()?;
        Ok((data + (pen * (0.5 * lambda_h))?)?)
    } else {
        Ok(data)
    }
}

/// Number of rows whose arg-max equals the label.
pub fn correct(logits: &Tensor, labels: &Tensor) -> Result<u64> {
    let pred = logits.argmax(1)?;
    let eq = pred.eq(labels)?.to_dtype(DType::F64)?.sum_all()?;
    Ok(eq.to_scalar::<f64>()? as u64)
}
