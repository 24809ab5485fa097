//! The building blocks, each a thin differentiable function of candle tensors whose
//! parameters live in a [`crate::params::ParamSet`] under PyTorch's names.

pub mod batch_norm;
mod batch_norm_cpu;
pub mod conv;
mod conv_cpu;
mod cpu_util;
pub mod linear;
pub mod max_pool;

pub use batch_norm::BatchNorm;
pub use conv::Conv2d;
pub use linear::Linear;
pub use max_pool::max_pool_3x3_s2_p1;
