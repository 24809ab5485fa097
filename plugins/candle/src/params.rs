//! Named tensors of a model: trainable parameters (with their weight-decay flag), frozen
//! parameters and BatchNorm buffers, under PyTorch state_dict names, in registration order.

use candle_core::{DType, Device, Tensor, Var};

use crate::error::Result;

/// A trainable parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// state_dict name, e.g. `layer1.0.conv1.weight`.
    pub name: String,
    /// The tensor (shared with the layer that uses it).
    pub var: Var,
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
    /// BatchNorm running statistics (updated in train mode, used in eval mode).
    pub buffers: Vec<(String, Var)>,
    /// Names of the BatchNorm layers (each gets a `num_batches_tracked` entry on save).
    pub batch_norms: Vec<String>,
}

impl ParamSet {
    /// Registers a trainable parameter from values (in row-major order).
    pub fn trainable(
        &mut self,
        name: String,
        values: Vec<f64>,
        shape: &[usize],
        dtype: DType,
        device: &Device,
    ) -> Result<Var> {
        let t = Tensor::from_vec(values, shape, device)?.to_dtype(dtype)?;
        let var = Var::from_tensor(&t)?;
        self.trainable.push(Param {
            name,
            var: var.clone(),
            decay: true,
        });
        Ok(var)
    }

    /// Registers a buffer.
    pub fn buffer(&mut self, name: String, t: Tensor) -> Result<Var> {
        let var = Var::from_tensor(&t)?;
        self.buffers.push((name, var.clone()));
        Ok(var)
    }

    /// Number of trainable scalars.
    pub fn trainable_count(&self) -> u64 {
        self.trainable
            .iter()
            .map(|p| p.var.as_tensor().elem_count() as u64)
            .sum()
    }

    /// Number of scalars in trainable and frozen parameters (buffers excluded, as PyTorch's
    /// `sum(p.numel() for p in model.parameters())` counts them).
    pub fn total_count(&self) -> u64 {
        self.trainable_count()
            + self
                .frozen
                .iter()
                .map(|(_, t)| t.elem_count() as u64)
                .sum::<u64>()
    }
}
