//! `collapse-plugin-candle`: the paper's networks trained on candle (CPU; CUDA behind the
//! `cuda` feature), loaded by `collapse train --backend candle`.
//!
//! # Models (`[model]` keys of the experiment)
//!
//! - `model = "mlp"`: flatten → `depth` × [Linear(`width`) + BatchNorm1d + ReLU] → fc
//!   (defaults width 1024, depth 6; d = width).
//! - `model = "resnet18"`: torchvision's ResNet18, `stem = "default"` (7×7 s2 + BN + ReLU +
//!   3×3 s2 max-pool) or `"3x3"` (no max-pool); `feature_dim` 512 or K (the last BasicBlock
//!   of layer4 narrowed to K channels with a 1×1 conv + BN shortcut).
//! - `model = "resnet18-width"`, `width = k`: the CIFAR ResNet18 with channels k, 2k, 4k,
//!   8k and the 3×3 stem (d = 8k or K).
//! - `classifier = "learned" | "etf"` (the frozen simplex ETF of `collapse_core::etf`,
//!   canonical, or rotated with `etf_rotation_seed`), `bias = false` (or `no_bias = true`),
//!   `loss = "ce" | "mse"`, `lambda_h` (the intended (λ_H/2)‖h‖² on raw features),
//!   `weight_decay_scope = "all" | "classifier"`, `dtype = "f32" | "f64"`.
//!
//! Initialisation: convs kaiming-normal (fan-out, ReLU), BN γ = 1, β = 0, linear layers
//! PyTorch's default, all drawn from one ChaCha8 generator seeded by the session seed.
//!
//! # Parameter names (a contract shared with PyTorch and the tch backend)
//!
//! States are safetensors under torchvision's ResNet18 `state_dict` names: `conv1.weight`,
//! `bn1.{weight,bias,running_mean,running_var,num_batches_tracked}`,
//! `layer{1..4}.{0,1}.conv{1,2}.weight`, `layer{1..4}.{0,1}.bn{1,2}.*`,
//! `layer{2..4}.0.downsample.0.weight`, `layer{2..4}.0.downsample.1.*`, `fc.weight`,
//! `fc.bias`; the MLP uses `layers.{i}.linear.{weight,bias}`, `layers.{i}.bn.*`,
//! `fc.{weight,bias}`. Optimiser state follows under `optimizer.*` (see [`state`]).
//!
//! # Training
//!
//! SGD with momentum and coupled L2, Adam with coupled L2, L-BFGS with strong-Wolfe line
//! search (see [`optim`]); BatchNorm in train mode for steps and eval mode for features;
//! shuffling from (seed, epoch) only, so a resumed run repeats the uninterrupted one.
//!
//! # Threads
//!
//! candle's CPU pool waits on a spinning barrier; on a shared or loaded machine set
//! `CANDLE_NUM_THREADS=1` (measured 2–3× faster there, see docs/benchmarks.md).
//!
//! # CUDA
//!
//! Feature `cuda` (`cargo xtask build-cuda`, docs/backends.md); `--device cuda[:i]` is refused
//! with a clear message by a build without it.

pub mod config;
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
pub use error::{CandleError, Result};
pub use model::Network;
pub use session::CandleSession;

collapse_plugin_api::export_backend!(CandleSession);
