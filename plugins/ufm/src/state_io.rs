//! The session's state as safetensors: parameters and momentum buffers in f64, with the
//! shapes in the metadata so a checkpoint of another configuration is refused.

use std::collections::HashMap;

use collapse_plugin_api::PluginError;
use safetensors::{Dtype, SafeTensors};

use crate::config::UfmConfig;
use crate::params::Params;

/// Format tag stored in the metadata.
pub const FORMAT: &str = "collapse-ufm-state/1";

fn to_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Names, shapes and values of the six tensors.
fn tensors<'a>(cfg: &UfmConfig, p: &'a Params) -> [(&'static str, Vec<usize>, &'a [f64]); 6] {
    let (k, d, n) = (cfg.model.classes, cfg.model.dim, cfg.samples());
    [
        ("H", vec![n, d], &p.h),
        ("W", vec![k, d], &p.w),
        ("b", vec![k], &p.b),
        ("momentum.H", vec![n, d], &p.vh),
        ("momentum.W", vec![k, d], &p.vw),
        ("momentum.b", vec![k], &p.vb),
    ]
}

/// Serialises the state. H is stored as N×d (row j is h_j).
pub fn save(cfg: &UfmConfig, p: &Params) -> Result<Vec<u8>, PluginError> {
    let owned: Vec<(&str, Vec<usize>, Vec<u8>)> = tensors(cfg, p)
        .into_iter()
        .map(|(name, shape, v)| (name, shape, to_bytes(v)))
        .collect();
    let views = owned
        .iter()
        .map(|(name, shape, bytes)| {
            safetensors::tensor::TensorView::new(Dtype::F64, shape.clone(), bytes)
                .map(|v| (name.to_string(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PluginError::Failed(format!("cannot build tensor views: {e}")))?;
    let meta = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("classes".to_string(), cfg.model.classes.to_string()),
        ("per_class".to_string(), cfg.model.per_class.to_string()),
        ("dim".to_string(), cfg.model.dim.to_string()),
    ]);
    safetensors::serialize(views, Some(meta))
        .map_err(|e| PluginError::Failed(format!("cannot serialise state: {e}")))
}

/// Restores a state saved by [`save`] under the same shapes.
pub fn load(cfg: &UfmConfig, bytes: &[u8]) -> Result<Params, PluginError> {
    let bad = |m: String| PluginError::BadInput(format!("ufm state: {m}"));
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| bad(format!("not a safetensors file ({e})")))?;
    let format = meta.metadata().as_ref().and_then(|m| m.get("format"));
    if format.map(String::as_str) != Some(FORMAT) {
        return Err(bad(format!(
            "format {format:?}, expected {FORMAT:?}: not a checkpoint of the ufm backend"
        )));
    }
    let st = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let mut p = Params::init_zeroed(cfg);
    let template: Vec<(&str, Vec<usize>)> = tensors(cfg, &p)
        .into_iter()
        .map(|(n, s, _)| (n, s))
        .collect();
    let mut loaded = Vec::new();
    for (name, shape) in template {
        let view = st
            .tensor(name)
            .map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
        if view.dtype() != Dtype::F64 || view.shape() != shape.as_slice() {
            return Err(bad(format!(
                "tensor `{name}` is {:?} {:?}, this session needs F64 {shape:?}: the checkpoint \
                 belongs to another configuration",
                view.dtype(),
                view.shape()
            )));
        }
        let values: Vec<f64> = view
            .data()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8")))
            .collect();
        loaded.push(values);
    }
    let mut it = loaded.into_iter();
    let mut next = || it.next().expect("six tensors");
    p.h = next();
    p.w = next();
    p.b = next();
    p.vh = next();
    p.vw = next();
    p.vb = next();
    Ok(p)
}

impl Params {
    /// All-zero parameters of the right shapes (to be overwritten by a load).
    pub fn init_zeroed(cfg: &UfmConfig) -> Self {
        let (k, d, n) = (cfg.model.classes, cfg.model.dim, cfg.samples());
        Params {
            h: vec![0.0; n * d],
            w: vec![0.0; k * d],
            b: vec![0.0; k],
            vh: vec![0.0; n * d],
            vw: vec![0.0; k * d],
            vb: vec![0.0; k],
        }
    }
}
