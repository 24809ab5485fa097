//! The session state as safetensors: the model under PyTorch state_dict names (so weights
//! can be exchanged with torchvision), then the optimiser under `optimizer.*`.
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

use crate::error::{CandleError, Result};
use crate::session::{CandleSession, OptState};
use crate::tensor_io::{has, i64_scalar, read_tensor, to_owned, Owned};

/// Serialises the session.
pub fn save(s: &CandleSession) -> Result<Vec<u8>> {
    let ps = &s.net.params;
    let mut out: Vec<(String, Owned)> = Vec::new();
    for p in &ps.trainable {
        out.push((p.name.clone(), to_owned(p.var.as_tensor())?));
    }
    for (name, t) in &ps.frozen {
        out.push((name.clone(), to_owned(t)?));
    }
    for (name, v) in &ps.buffers {
        out.push((name.clone(), to_owned(v.as_tensor())?));
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
    serialize(&out, metadata(s.opt_state.name())).map_err(CandleError::State)
}

/// Restores a state saved by [`save`] from a session of the same config.
pub fn load(s: &mut CandleSession, bytes: &[u8]) -> Result<()> {
    let st = open_state(bytes, s.opt_state.name())?;
    let dev = s.device.clone();
    let dtype = s.net.dtype();
    let ps = &s.net.params;
    for p in &ps.trainable {
        let t = read_tensor(&st, &p.name, p.var.as_tensor().dims(), dtype, &dev)?;
        p.var.set(&t)?;
    }
    for (name, t) in &ps.frozen {
        let loaded = read_f64(&st, name, t.dims())?;
        let mine = crate::tensor_io::read_back(t)?;
        if loaded != mine {
            return Err(fixed_head_mismatch(name).into());
        }
    }
    for (name, v) in &ps.buffers {
        let t = read_tensor(&st, name, v.as_tensor().dims(), dtype, &dev)?;
        v.set(&t)?;
    }
    if let Some(bn) = ps.batch_norms.first() {
        s.train_forwards = read_i64(&st, &num_batches_tracked(bn))?;
    }
    let trainable = ps.trainable.clone();
    match &mut s.opt_state {
        OptState::Sgd(sgd) => {
            for (p, b) in trainable.iter().zip(&mut sgd.buffers) {
                let name = momentum_buffer(&p.name);
                *b = if has(&st, &name) {
                    Some(read_tensor(
                        &st,
                        &name,
                        p.var.as_tensor().dims(),
                        dtype,
                        &dev,
                    )?)
                } else {
                    None
                };
            }
        }
        OptState::Adam(a) => {
            a.step = read_i64(&st, ADAM_STEP)? as u64;
            for ((p, m), v) in trainable.iter().zip(&mut a.exp_avg).zip(&mut a.exp_avg_sq) {
                let (mn, vn) = (exp_avg(&p.name), exp_avg_sq(&p.name));
                let dims = p.var.as_tensor().dims();
                if has(&st, &mn) {
                    *m = Some(read_tensor(&st, &mn, dims, dtype, &dev)?);
                    *v = Some(read_tensor(&st, &vn, dims, dtype, &dev)?);
                } else {
                    *m = None;
                    *v = None;
                }
            }
        }
        OptState::Lbfgs(l) => {
            let n = trainable
                .iter()
                .map(|p| p.var.as_tensor().elem_count())
                .sum();
            *l = read_lbfgs(&st, n)?;
        }
    }
    Ok(())
}
