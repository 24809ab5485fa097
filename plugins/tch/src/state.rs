//! The session state as safetensors, in the candle backend's layout (so a state moves
//! between the backends): the model under PyTorch state_dict names, then the optimiser under
//! `optimizer.*`.
//!
//! Model: every trainable parameter, the frozen ETF head (`fc.weight`), the BatchNorm
//! buffers and `{bn}.num_batches_tracked` (i64). Optimiser: SGD
//! `optimizer.{param}.momentum_buffer`; Adam `optimizer.{param}.exp_avg`,
//! `optimizer.{param}.exp_avg_sq`, `optimizer.step`; L-BFGS `optimizer.lbfgs.*` (f64).
//! Metadata: `optimizer` (`sgd`, `adam`, `lbfgs`).

use collapse_backend_spec::lbfgs_state::{lbfgs_tensors, read_lbfgs};
use collapse_backend_spec::state_bytes::{read_f64, read_i64, serialize};
use collapse_backend_spec::state_layout::{
    exp_avg, exp_avg_sq, fixed_head_mismatch, metadata, momentum_buffer, num_batches_tracked,
    open_state, ADAM_STEP,
};

use crate::error::{Result, TchError};
use crate::session::{OptState, TchSession};
use crate::tensor_io::{has, i64_scalar, load_into, read_tensor, to_f64, to_owned, Owned};

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
        out.push((num_batches_tracked(bn), i64_scalar(s.train_forwards)));
    }
    match &s.opt_state {
        OptState::Sgd(sgd) => {
            for (p, b) in ps.trainable.iter().zip(&sgd.buffers) {
                if let Some(b) = b {
                    out.push((momentum_buffer(&p.name), to_owned(b)?));
                }
            }
        }
        OptState::Adam(a) => {
            out.push((ADAM_STEP.into(), i64_scalar(a.step as i64)));
            for ((p, m), v) in ps.trainable.iter().zip(&a.exp_avg).zip(&a.exp_avg_sq) {
                if let (Some(m), Some(v)) = (m, v) {
                    out.push((exp_avg(&p.name), to_owned(m)?));
                    out.push((exp_avg_sq(&p.name), to_owned(v)?));
                }
            }
        }
        OptState::Lbfgs(l) => out.extend(lbfgs_tensors(l)),
    }
    serialize(&out, metadata(s.opt_state.name())).map_err(TchError::State)
}

/// Restores a state saved by [`save`] (or by the candle backend) from a session of the same
/// config.
pub fn load(s: &mut TchSession, bytes: &[u8]) -> Result<()> {
    let st = open_state(bytes, s.opt_state.name())?;
    let ps = &s.net.params;
    for (name, t) in &ps.frozen {
        let shape: Vec<usize> = t.size().iter().map(|&d| d as usize).collect();
        if read_f64(&st, name, &shape)? != to_f64(t)? {
            return Err(fixed_head_mismatch(name).into());
        }
    }
    for p in &ps.trainable {
        load_into(&st, &p.name, &p.tensor)?;
    }
    for (name, t) in &ps.buffers {
        load_into(&st, name, t)?;
    }
    if let Some(bn) = ps.batch_norms.first() {
        s.train_forwards = read_i64(&st, &num_batches_tracked(bn))?;
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
                *b = optional(&momentum_buffer(name), shape)?;
            }
        }
        OptState::Adam(a) => {
            a.step = read_i64(&st, ADAM_STEP)? as u64;
            for (((name, shape), m), v) in shapes.iter().zip(&mut a.exp_avg).zip(&mut a.exp_avg_sq)
            {
                *m = optional(&exp_avg(name), shape)?;
                *v = optional(&exp_avg_sq(name), shape)?;
            }
        }
        OptState::Lbfgs(l) => {
            let n = shapes
                .iter()
                .map(|(_, s)| s.iter().product::<usize>())
                .sum();
            *l = read_lbfgs(&st, n)?;
        }
    }
    Ok(())
}
