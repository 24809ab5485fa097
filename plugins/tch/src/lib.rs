//! `collapse-plugin-tch`: the paper's networks trained on libtorch through tch (CPU, and
//! CUDA where a CUDA libtorch and a GPU exist), loaded by `collapse train --backend tch`.
//!
//! It mirrors the candle backend (`plugins/candle`) exactly where the two meet: the same
//! model/optimiser JSON schema ([`config`], shared keys `model = mlp|resnet18|resnet18-width`,
//! `width`, `depth`, `stem = default|3x3`, `feature_dim`, `classifier = learned|etf`,
//! `etf_rotation_seed`, `bias`, `loss = ce|mse`, `lambda_h`, `weight_decay_scope`, `dtype`),
//! the same initial weights for a seed, the same per-epoch shuffle, and the same safetensors
//! state under torchvision's `state_dict` names (`conv1.weight`, `bn1.*`,
//! `layer{1..4}.{0,1}.{conv,bn}{1,2}.*`, `layer{2..4}.0.downsample.{0,1}.*`, `fc.*`; the MLP's
//! `layers.{i}.linear.*`, `layers.{i}.bn.*`, `fc.*`), so a state saved by one backend loads
//! in the other.
//!
//! Optimisers: SGD with momentum and coupled L2, Adam with coupled L2 ([`optim`]); L-BFGS
//! with a strong-Wolfe line search (backend-spec's, on host f64 vectors, as candle's). BatchNorm in train mode for steps, eval mode for
//! features. Devices: `cpu`, `cuda`, `cuda:N` ([`device`]: the libtorch_cuda load trick; cuDNN
//! benchmark mode unless `COLLAPSE_DETERMINISTIC=1`).
//!
//! Building needs libtorch 2.11.0: `cargo xtask libtorch` (see `docs/backends.md`).

pub mod config;
pub mod device;
pub mod error;
/// The seeded initialisation draws, shared with the other network backend.
pub use collapse_backend_spec::init;
pub mod layers;
pub mod loss;
pub mod mlp;
pub mod model;
pub mod optim;
pub mod params;
pub mod resnet;
pub mod session;
pub mod state;
pub mod tensor_io;

pub use config::{ModelSpec, Optim};
pub use error::{Result, TchError};
pub use model::Network;
pub use session::TchSession;

collapse_plugin_api::export_backend!(TchSession);
