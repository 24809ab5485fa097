//! The safe trait a plugin author implements; [`crate::export_backend!`] turns it into the C ABI.

use crate::{
    BackendInfo, Classifier, DataSet, PluginError, SessionConfig, SessionInfo, Split, TrainReport,
    TrainRequest,
};

/// A training backend. One value of the implementing type is one session: a model, its
/// optimiser state and its data. No method needs `unsafe`; a panic in any of them is caught at
/// the boundary, reported to the host as an error, and poisons the session.
pub trait Backend: Sized + 'static {
    /// Name, version and devices of the backend (no session needed).
    fn describe() -> BackendInfo;

    /// Creates a session from a model and optimiser description.
    fn create(config: SessionConfig) -> Result<Self, PluginError>;

    /// Receives a data set (the backend copies what it keeps). Backends that make their own
    /// data keep the default, which refuses.
    fn set_data(&mut self, data: DataSet<'_>) -> Result<(), PluginError> {
        let _ = data;
        Err(PluginError::Unsupported(
            "this backend takes no data set".to_string(),
        ))
    }

    /// Trains for one epoch (`request.steps == None`) or a number of steps.
    fn train(&mut self, request: TrainRequest) -> Result<TrainReport, PluginError>;

    /// Shapes and resource use.
    fn info(&self) -> SessionInfo;

    /// Writes the features of samples `start..` of `split` (model in evaluation mode) into
    /// `features` (sample-major, `dim` values per sample) and their labels into `labels`;
    /// at most `labels.len()` samples; returns how many were written (0 past the end).
    fn features(
        &mut self,
        split: Split,
        start: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> Result<usize, PluginError>;

    /// The classifier (W, b).
    fn classifier(&self) -> Result<Classifier, PluginError>;

    /// The full training state (parameters and optimiser buffers) as safetensors bytes.
    fn save_state(&self) -> Result<Vec<u8>, PluginError>;

    /// Restores a state written by [`Backend::save_state`] of a session with the same config.
    fn load_state(&mut self, state: &[u8]) -> Result<(), PluginError>;
}
