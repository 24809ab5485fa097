//! The session state as safetensors: the model under PyTorch state_dict names (so weights
//! can be exchanged with torchvision), then the optimiser under `optimizer.*`.
//!
//! Model: every trainable parameter, the frozen ETF head (`fc.weight`), the BatchNorm
//! buffers and `{bn}.num_batches_tracked` (i64). Optimiser: SGD
//! `optimizer.{param}.momentum_buffer`; Adam `optimizer.{param}.exp_avg`,
//! `optimizer.{param}.exp_avg_sq`, `optimizer.step`; L-BFGS `optimizer.lbfgs.*` (f64).
//! Metadata: `optimizer` (`sgd`, `adam`, `lbfgs`).

use collapse_backend_spec::state_layout::{
    exp_avg, exp_avg_sq, fixed_head_mismatch, metadata, momentum_buffer, num_batches_tracked,
    open_state, ADAM_STEP,
};

use crate::error::{CandleError, Result};
use crate::optim::lbfgs::LbfgsState;
use crate::session::{CandleSession, OptState};
use crate::tensor_io::{
    f64_owned, has, i64_scalar, read_f64, read_i64, read_tensor, serialize, to_owned, Owned,
};

fn optimizer_name(s: &OptState) -> &'static str {
    match s {
        OptState::Sgd(_) => "sgd",
        OptState::Adam(_) => "adam",
        OptState::Lbfgs(_) => "lbfgs",
    }
}

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
        OptState::Lbfgs(l) => {
            let n = l.prev_flat_grad.len();
            let flat = |rows: &[Vec<f64>]| rows.concat();
            out.push(("optimizer.lbfgs.d".into(), f64_owned(&l.d, vec![l.d.len()])));
            out.push(("optimizer.lbfgs.t".into(), f64_owned(&[l.t], vec![])));
            out.push((
                "optimizer.lbfgs.old_dirs".into(),
                f64_owned(&flat(&l.old_dirs), vec![l.old_dirs.len(), n]),
            ));
            out.push((
                "optimizer.lbfgs.old_stps".into(),
                f64_owned(&flat(&l.old_stps), vec![l.old_stps.len(), n]),
            ));
            out.push((
                "optimizer.lbfgs.ro".into(),
                f64_owned(&l.ro, vec![l.ro.len()]),
            ));
            out.push((
                "optimizer.lbfgs.h_diag".into(),
                f64_owned(&[l.h_diag], vec![]),
            ));
            out.push((
                "optimizer.lbfgs.prev_flat_grad".into(),
                f64_owned(&l.prev_flat_grad, vec![n]),
            ));
            out.push(("optimizer.lbfgs.n_iter".into(), i64_scalar(l.n_iter as i64)));
            out.push((
                "optimizer.lbfgs.func_evals".into(),
                i64_scalar(l.func_evals as i64),
            ));
        }
    }
    serialize(&out, metadata(optimizer_name(&s.opt_state)))
}

/// Restores a state saved by [`save`] from a session of the same config.
pub fn load(s: &mut CandleSession, bytes: &[u8]) -> Result<()> {
    let st = open_state(bytes, optimizer_name(&s.opt_state))?;
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
            let n: usize = trainable
                .iter()
                .map(|p| p.var.as_tensor().elem_count())
                .sum();
            let shape_of = |name: &str| -> Result<Vec<usize>> {
                Ok(st
                    .tensor(name)
                    .map_err(|e| CandleError::BadInput(format!("state tensor {name}: {e}")))?
                    .shape()
                    .to_vec())
            };
            let n_iter = read_i64(&st, "optimizer.lbfgs.n_iter")? as u64;
            let mut fresh = LbfgsState {
                n_iter,
                func_evals: read_i64(&st, "optimizer.lbfgs.func_evals")? as u64,
                ..LbfgsState::default()
            };
            if n_iter > 0 {
                fresh.d = read_f64(&st, "optimizer.lbfgs.d", &[n])?;
                fresh.prev_flat_grad = read_f64(&st, "optimizer.lbfgs.prev_flat_grad", &[n])?;
                let m = shape_of("optimizer.lbfgs.ro")?
                    .first()
                    .copied()
                    .unwrap_or(0);
                fresh.ro = read_f64(&st, "optimizer.lbfgs.ro", &[m])?;
                let dirs = read_f64(&st, "optimizer.lbfgs.old_dirs", &[m, n])?;
                let stps = read_f64(&st, "optimizer.lbfgs.old_stps", &[m, n])?;
                fresh.old_dirs = dirs.chunks(n.max(1)).map(<[f64]>::to_vec).collect();
                fresh.old_stps = stps.chunks(n.max(1)).map(<[f64]>::to_vec).collect();
                fresh.old_dirs.truncate(m);
                fresh.old_stps.truncate(m);
            }
            fresh.t = read_f64(&st, "optimizer.lbfgs.t", &[])?[0];
            fresh.h_diag = read_f64(&st, "optimizer.lbfgs.h_diag", &[])?[0];
            *l = fresh;
        }
    }
    Ok(())
}
