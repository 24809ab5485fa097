//! The model and optimiser descriptions this backend accepts: the backend-neutral schema of
//! `collapse-backend-spec`, shared with the other network backend so both take the same
//! options. Its refusals become [`crate::error::TchError`]s naming this backend.

pub use collapse_backend_spec::{
    Arch, DecayScope, Head, LossKind, ModelSpec, Optim, OptimSpec, Stem,
};
