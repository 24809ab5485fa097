//! What the network backends (`plugins/candle`, `plugins/tch`) share and that needs no tensor
//! library: the JSON model and optimiser schema with its checks, device names, the seeded
//! initialisation draws, the epoch's shuffle, batches and crop+flip augmentation (its seeded
//! draws included, so no plugin links the data readers), the checks of the host's data sets,
//! the chunked feature passes, the optimiser-state enum, the contract tests every backend runs
//! (`conformance`, behind the feature of that name), the ETF head's weights, ResNet18's
//! layout, the saved state's names and byte layout, L-BFGS (on host f64 vectors) and the
//! peak-memory figure. Kept in one place so that both backends
//! accept the same options and draw the same numbers, which their agreement tests rely on.

pub mod augment;
pub mod batches;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod crop_flip;
pub mod data_check;
pub mod device_name;
pub mod epoch;
pub mod error;
pub mod etf_head;
pub mod feature_chunks;
pub mod init;
pub mod lbfgs;
pub mod lbfgs_state;
pub mod model_spec;
pub mod opt_state;
pub mod optim_spec;
pub mod peak_memory;
pub mod reference_counts;
pub mod resnet_plan;
pub mod state_bytes;
pub mod state_layout;

pub use augment::Augment;
pub use batches::epoch_batches;
pub use crop_flip::{CropFlip, CropFlipDraw};
pub use data_check::check_data_set;
pub use device_name::DeviceName;
pub use epoch::train_epoch;
pub use error::SpecError;
pub use etf_head::etf_head_weights;
pub use feature_chunks::{fill_features, EVAL_CHUNK};
pub use model_spec::{Arch, DecayScope, Head, LossKind, ModelSpec, Stem};
pub use opt_state::OptState;
pub use optim_spec::{Optim, OptimSpec};
