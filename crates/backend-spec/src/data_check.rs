//! The checks of a data set the host hands to a network backend (`Backend::set_data`): the
//! buffers agree with each other (`DataSet::validate`), and the classes and the sample shape
//! are the model's. One copy, so both backends refuse the same inputs with the same words.

use collapse_plugin_api::{DataSet, DataShape, PluginError};

use crate::model_spec::{Arch, ModelSpec};

/// Refuses `data` unless it fits the model `spec`: K classes and C×H×W images (an MLP also
/// takes flat features of C·H·W values).
pub fn check_data_set(spec: &ModelSpec, data: &DataSet<'_>) -> Result<(), PluginError> {
    data.validate()?;
    if data.classes != spec.classes {
        return Err(PluginError::BadInput(format!(
            "the {:?} data set has {} classes, the model was built for model.classes = {}",
            data.split, data.classes, spec.classes
        )));
    }
    let [c, h, w] = spec.input_shape;
    let ok = match data.shape {
        DataShape::Images {
            channels,
            height,
            width,
        } => [channels, height, width] == spec.input_shape,
        DataShape::Features { dim } => spec.arch == Arch::Mlp && dim == c * h * w,
    };
    if !ok {
        return Err(PluginError::BadInput(format!(
            "the {:?} data set has samples of shape {:?}, the model expects {c}×{h}×{w} \
             images (model.input_shape)",
            data.split, data.shape
        )));
    }
    Ok(())
}
