//! The session state as safetensors, in the candle backend's layout (so a state moves
//! between the backends): the model under PyTorch state_dict names, then the optimiser under
//! `optimizer.*`.
//!
//! Model: every trainable parameter, the frozen ETF head (`fc.weight`), the BatchNorm
//! buffers and `{bn}.num_batches_tracked` (i64). Optimiser: SGD
//! `optimizer.{param}.momentum_buffer`; Adam `optimizer.{param}.exp_avg`,
//! `optimizer.{param}.exp_avg_sq`, `optimizer.step`. Metadata: `optimizer` (`sgd`, `adam`).

use std::collections::HashMap;

use crate::error::{Result, TchError};
use crate::session::{OptState, TchSession};
use crate::tensor_io::{
    has, i64_scalar, load_into, read_f64, read_i64, read_tensor, serialize, to_f64, to_owned, Owned,
};

fn optimizer_name(s: &OptState) -> &'static str {
    match s {
        OptState::Sgd(_) => "sgd",
        OptState::Adam(_) => "adam",
    }
}

/// Serialises the session.
pub fn save(s: &TchSession) -> Result<Vec<u8>> {
    let ps = &s.net.params;
    let mut out: Vec<(String, Owned)> = Vec::new();
    for p in &ps.trainable {
        out.push((p.name.clone(), to_owned(&p.tensor)?));
    }
    for (name, t) in &ps.frozen {
        out.push((name.clone(), to_owned(t)?));
    }
    for (name, t) in &ps.buffers {
        out.push((name.clone(), to_owned(t)?));
    }
    for bn in &ps.batch_norms {
        out.push((
            format!("{bn}.num_batches_tracked"),
            i64_scalar(s.train_forwards),
        ));
    }
    match &s.opt_state {
        OptState::Sgd(sgd) => {
            for (p, b) in ps.trainable.iter().zip(&sgd.buffers) {
                if let Some(b) = b {
                    out.push((
                        format!("optimizer.{}.momentum_buffer", p.name),
                        to_owned(b)?,
                    ));
                }
            }
        }
        OptState::Adam(a) => {
            out.push(("optimizer.step".into(), i64_scalar(a.step as i64)));
            for ((p, m), v) in ps.trainable.iter().zip(&a.exp_avg).zip(&a.exp_avg_sq) {
                if let (Some(m), Some(v)) = (m, v) {
                    out.push((format!("optimizer.{}.exp_avg", p.name), to_owned(m)?));
                    out.push((format!("optimizer.{}.exp_avg_sq", p.name), to_owned(v)?));
                }
            }
        }
    }
    // One metadata key: safetensors keeps metadata in a HashMap, whose order (and so the
    // bytes) would vary between sessions with more keys.
    let meta = HashMap::from([(
        "optimizer".to_string(),
        optimizer_name(&s.opt_state).to_string(),
    )]);
    serialize(&out, meta)
}

/// Restores a state saved by [`save`] (or by the candle backend) from a session of the same
/// config.
pub fn load(s: &mut TchSession, bytes: &[u8]) -> Result<()> {
    let (_, meta) = safetensors::SafeTensors::read_metadata(bytes)
        .map_err(|e| TchError::BadInput(format!("state: not safetensors: {e}")))?;
    let st = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| TchError::BadInput(format!("state: not safetensors: {e}")))?;
    let want = optimizer_name(&s.opt_state);
    let got = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get("optimizer").cloned())
        .unwrap_or_default();
    if got != want {
        return Err(TchError::BadInput(format!(
            "state was saved with optimizer {got:?}, this session uses {want:?}"
        )));
    }
    let ps = &s.net.params;
    for (name, t) in &ps.frozen {
        let shape: Vec<usize> = t.size().iter().map(|&d| d as usize).collect();
        if read_f64(&st, name, &shape)? != to_f64(t)? {
            return Err(TchError::BadInput(format!(
                "state tensor {name} differs from this session's fixed head: the state belongs \
                 to another ETF placement (etf_rotation_seed) or feature dimension"
            )));
        }
    }
    for p in &ps.trainable {
        load_into(&st, &p.name, &p.tensor)?;
    }
    for (name, t) in &ps.buffers {
        load_into(&st, name, t)?;
    }
    if let Some(bn) = ps.batch_norms.first() {
        s.train_forwards = read_i64(&st, &format!("{bn}.num_batches_tracked"))?;
    }
    let (kind, device) = (s.net.kind(), s.device);
    let shapes: Vec<(String, Vec<usize>)> = ps
        .trainable
        .iter()
        .map(|p| {
            let shape = p.tensor.size().iter().map(|&d| d as usize).collect();
            (p.name.clone(), shape)
        })
        .collect();
    let optional = |name: &str, shape: &[usize]| -> Result<Option<tch::Tensor>> {
        if has(&st, name) {
            Ok(Some(read_tensor(&st, name, shape, kind, device)?))
        } else {
            Ok(None)
        }
    };
    match &mut s.opt_state {
        OptState::Sgd(sgd) => {
            for ((name, shape), b) in shapes.iter().zip(&mut sgd.buffers) {
                *b = optional(&format!("optimizer.{name}.momentum_buffer"), shape)?;
            }
        }
        OptState::Adam(a) => {
            a.step = read_i64(&st, "optimizer.step")? as u64;
            for (((name, shape), m), v) in shapes.iter().zip(&mut a.exp_avg).zip(&mut a.exp_avg_sq)
            {
                *m = optional(&format!("optimizer.{name}.exp_avg"), shape)?;
                *v = optional(&format!("optimizer.{name}.exp_avg_sq"), shape)?;
            }
        }
    }
    Ok(())
}
