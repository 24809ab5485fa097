//! Named tensors of a model: trainable parameters (with their weight-decay flag), frozen
//! parameters and BatchNorm buffers, under PyTorch state_dict names, in registration order
//! (the candle backend registers the same names in the same order).

use tch::{Device, Kind, Tensor};

use crate::error::Result;

/// A trainable parameter.
#[derive(Debug)]
pub struct Param {
    /// state_dict name, e.g. `layer1.0.conv1.weight`.
    pub name: String,
    /// The leaf tensor (`requires_grad`); layers hold shallow clones sharing its storage.
    pub tensor: Tensor,
    /// Whether coupled weight decay applies.
    pub decay: bool,
}

/// Every named tensor of a model.
#[derive(Debug, Default)]
pub struct ParamSet {
    /// Trainable parameters.
    pub trainable: Vec<Param>,
    /// Frozen tensors saved with the model (the fixed ETF head), never trained.
    pub frozen: Vec<(String, Tensor)>,
    /// BatchNorm running statistics (updated in place in train mode, used in eval mode).
    pub buffers: Vec<(String, Tensor)>,
    /// Names of the BatchNorm layers (each gets a `num_batches_tracked` entry on save).
    pub batch_norms: Vec<String>,
}

/// A tensor of `shape` from row-major f64 values, converted to `kind` on `device`.
pub fn tensor_from(values: &[f64], shape: &[usize], kind: Kind, device: Device) -> Result<Tensor> {
    let dims: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
    Ok(Tensor::f_from_slice(values)?
        .f_reshape(dims.as_slice())?
        .f_to_kind(kind)?
        .f_to_device(device)?)
}

impl ParamSet {
    /// Registers a trainable parameter from values (row-major); returns a shallow clone.
    pub fn trainable(
        &mut self,
        name: String,
        values: &[f64],
        shape: &[usize],
        kind: Kind,
        device: Device,
    ) -> Result<Tensor> {
        let t = tensor_from(values, shape, kind, device)?.set_requires_grad(true);
        let view = t.shallow_clone();
        self.trainable.push(Param {
            name,
            tensor: t,
            decay: true,
        });
        Ok(view)
    }

    /// Registers a buffer; returns a shallow clone.
    pub fn buffer(&mut self, name: String, t: Tensor) -> Tensor {
        let view = t.shallow_clone();
        self.buffers.push((name, t));
        view
    }

    /// Number of trainable scalars.
    pub fn trainable_count(&self) -> u64 {
        self.trainable.iter().map(|p| p.tensor.numel() as u64).sum()
    }

    /// Number of scalars in trainable and frozen parameters (buffers excluded, as PyTorch's
    /// `sum(p.numel() for p in model.parameters())` counts them).
    pub fn total_count(&self) -> u64 {
        self.trainable_count()
            + self
                .frozen
                .iter()
                .map(|(_, t)| t.numel() as u64)
                .sum::<u64>()
    }
}
