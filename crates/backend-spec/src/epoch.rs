//! One `train` call: the loop over the epoch's batches and its report. Shared so both
//! backends skip, weigh and average exactly alike (their agreement tests compare reports).

use collapse_plugin_api::{TrainReport, TrainRequest};

use crate::batches::epoch_batches;

/// Runs `step(batch, lr)` (returning the batch's mean loss and correct count) over the
/// batches of `request.epoch` for `n ≥ 1` samples, and reports the sample-weighted means.
/// Batches of one sample are skipped: BatchNorm needs two (PyTorch refuses such a batch).
pub fn train_epoch<E>(
    seed: u64,
    request: &TrainRequest,
    n: usize,
    batch_size: usize,
    mut step: impl FnMut(&[usize], f64) -> Result<(f64, u64), E>,
) -> Result<TrainReport, E> {
    let m = batch_size.min(n);
    let (mut loss, mut right, mut seen, mut steps) = (0.0, 0u64, 0u64, 0u64);
    for idx in epoch_batches(seed, request.epoch, n, m, request.steps) {
        if idx.len() < 2 {
            continue;
        }
        let (l, c) = step(&idx, request.lr)?;
        loss += l * idx.len() as f64;
        right += c;
        seen += idx.len() as u64;
        steps += 1;
    }
    let s = seen.max(1) as f64;
    Ok(TrainReport {
        loss: loss / s,
        accuracy: right as f64 / s,
        samples: seen,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_weigh_batches_by_size_and_skip_singletons() {
        let request = TrainRequest {
            epoch: 1,
            lr: 0.5,
            steps: None,
        };
        let mut calls = Vec::new();
        // 5 samples, batch 2: batches of 2, 2 and a skipped singleton.
        let report = train_epoch::<()>(9, &request, 5, 2, |idx, lr| {
            calls.push((idx.to_vec(), lr));
            Ok((calls.len() as f64, 1))
        })
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert!(calls.iter().all(|(b, lr)| b.len() == 2 && *lr == 0.5));
        assert_eq!((report.samples, report.steps), (4, 2));
        assert_eq!(report.loss, (1.0 * 2.0 + 2.0 * 2.0) / 4.0);
        assert_eq!(report.accuracy, 2.0 / 4.0);
        let failed = train_epoch(9, &request, 5, 2, |_, _| Err("boom"));
        assert_eq!(failed.unwrap_err(), "boom");
    }
}
