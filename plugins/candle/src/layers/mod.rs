//! The building blocks, each a thin differentiable function of candle tensors whose
//! parameters live in a [`crate::params::ParamSet`] under PyTorch's names.

pub mod batch_norm;
pub mod conv;
pub mod linear;
pub mod max_pool;

pub use batch_norm::BatchNorm;
pub use conv::Conv2d;
pub use linear::Linear;
pub use max_pool::max_pool_3x3_s2_p1;
