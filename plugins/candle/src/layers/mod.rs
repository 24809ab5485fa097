//! The building blocks, each a thin differentiable function of candle tensors whose
//! parameters live in a [`crate::params::ParamSet`] under PyTorch's names.

pub mod add_relu;
pub mod batch_norm;
mod batch_norm_cpu;
pub mod conv;
mod conv_cpu;
pub(crate) mod cpu_util;
pub mod linear;
pub mod max_pool;
mod max_pool_cpu;
mod relu_cpu;

pub use add_relu::add_relu;
pub use batch_norm::BatchNorm;
pub use conv::Conv2d;
pub use linear::Linear;
pub use max_pool::max_pool_3x3_s2_p1;
