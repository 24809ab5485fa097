//! L-BFGS's persistent state in a saved session, under `optimizer.lbfgs.*` in f64 (i64
//! counters), the same for every backend so a state moves between them.

use safetensors::SafeTensors;

use crate::error::{Result, SpecError};
use crate::lbfgs::LbfgsState;
use crate::state_bytes::{f64_owned, i64_scalar, read_f64, read_i64, Owned};

const D: &str = "optimizer.lbfgs.d";
const T: &str = "optimizer.lbfgs.t";
const OLD_DIRS: &str = "optimizer.lbfgs.old_dirs";
const OLD_STPS: &str = "optimizer.lbfgs.old_stps";
const RO: &str = "optimizer.lbfgs.ro";
const H_DIAG: &str = "optimizer.lbfgs.h_diag";
const PREV_FLAT_GRAD: &str = "optimizer.lbfgs.prev_flat_grad";
const N_ITER: &str = "optimizer.lbfgs.n_iter";
const FUNC_EVALS: &str = "optimizer.lbfgs.func_evals";

/// The state's tensors, named.
pub fn lbfgs_tensors(l: &LbfgsState) -> Vec<(String, Owned)> {
    let n = l.prev_flat_grad.len();
    vec![
        (D.into(), f64_owned(&l.d, vec![l.d.len()])),
        (T.into(), f64_owned(&[l.t], vec![])),
        (
            OLD_DIRS.into(),
            f64_owned(&l.old_dirs.concat(), vec![l.old_dirs.len(), n]),
        ),
        (
            OLD_STPS.into(),
            f64_owned(&l.old_stps.concat(), vec![l.old_stps.len(), n]),
        ),
        (RO.into(), f64_owned(&l.ro, vec![l.ro.len()])),
        (H_DIAG.into(), f64_owned(&[l.h_diag], vec![])),
        (PREV_FLAT_GRAD.into(), f64_owned(&l.prev_flat_grad, vec![n])),
        (N_ITER.into(), i64_scalar(l.n_iter as i64)),
        (FUNC_EVALS.into(), i64_scalar(l.func_evals as i64)),
    ]
}

/// Reads the state back for a model of `n` trainable values; shapes are checked against `n`.
pub fn read_lbfgs(st: &SafeTensors<'_>, n: usize) -> Result<LbfgsState> {
    let n_iter = read_i64(st, N_ITER)? as u64;
    let mut l = LbfgsState {
        n_iter,
        func_evals: read_i64(st, FUNC_EVALS)? as u64,
        t: read_f64(st, T, &[])?[0],
        h_diag: read_f64(st, H_DIAG, &[])?[0],
        ..LbfgsState::default()
    };
    if n_iter > 0 {
        l.d = read_f64(st, D, &[n])?;
        l.prev_flat_grad = read_f64(st, PREV_FLAT_GRAD, &[n])?;
        // The history length is the state's own (≤ the session's history setting).
        let m = st
            .tensor(RO)
            .map_err(|e| SpecError::BadInput(format!("state tensor {RO}: {e}")))?
            .shape()
            .first()
            .copied()
            .unwrap_or(0);
        l.ro = read_f64(st, RO, &[m])?;
        let rows = |flat: Vec<f64>| flat.chunks(n.max(1)).map(<[f64]>::to_vec).collect();
        l.old_dirs = rows(read_f64(st, OLD_DIRS, &[m, n])?);
        l.old_stps = rows(read_f64(st, OLD_STPS, &[m, n])?);
        l.old_dirs.truncate(m);
        l.old_stps.truncate(m);
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lbfgs::Lbfgs;
    use crate::state_bytes::serialize;

    fn to_bytes(tensors: &[(String, Owned)]) -> Vec<u8> {
        serialize(tensors, Default::default()).unwrap()
    }

    #[test]
    fn a_state_round_trips_and_shapes_are_checked() {
        // A real state: a few steps on a quadratic in 3 unknowns.
        let opt = Lbfgs {
            lr: 1.0,
            history: 2,
            max_iter: 4,
        };
        let mut state = LbfgsState::default();
        let mut x = vec![1.0, -2.0, 0.5];
        let quad = |x: &[f64]| -> std::result::Result<(f64, Vec<f64>), ()> {
            let w = [1.0, 3.0, 10.0];
            let f = x.iter().zip(&w).map(|(a, b)| 0.5 * b * a * a).sum();
            Ok((f, x.iter().zip(&w).map(|(a, b)| a * b).collect()))
        };
        opt.step(&mut state, &mut x, quad).unwrap();
        assert!(state.n_iter > 1 && !state.old_dirs.is_empty());
        let bytes = to_bytes(&lbfgs_tensors(&state));
        let st = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(read_lbfgs(&st, 3).unwrap(), state);
        let e = read_lbfgs(&st, 4).unwrap_err().to_string();
        assert!(e.contains("optimizer.lbfgs.d") && e.contains("[4]"), "{e}");

        let fresh = to_bytes(&lbfgs_tensors(&LbfgsState::default()));
        let st = SafeTensors::deserialize(&fresh).unwrap();
        assert_eq!(read_lbfgs(&st, 3).unwrap(), LbfgsState::default());
    }
}
