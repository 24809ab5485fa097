//! The contract every network backend meets, written once as functions generic over the
//! plugin trait: each backend's tests call them with its session type
//! (`conformance::saved_state_resumes_bit_for_bit::<CandleSession>()`), so a new backend gets
//! the suite with one line a test. They see a backend only through [`Backend`]
//! (`collapse_plugin_api::Backend`: `create`, `set_data`, `train`, `info`, `features`,
//! `classifier`, `save_state`, `load_state`), as the host does. Feature `conformance` (the
//! backends' dev-dependency); the functions panic with the failing case named.
//!
//! [`Backend`]: collapse_plugin_api::Backend

mod model;
mod session;

pub use model::*;
pub use session::*;
