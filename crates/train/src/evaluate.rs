//! After each epoch: stream the backend's features (in chunks, never all at once) into the
//! metrics crate's class statistics, and compute every metric variant together with the
//! host-side cross-entropy and accuracy of the classifier on each split.

use std::collections::{BTreeMap, BTreeSet};

use collapse_metrics::{evaluate, ClassStats, Evaluation, Head, MeanPass, PinvPolicy, ScatterMode};
use collapse_plugin_api::{Classifier, Session, SessionInfo, Split};

use crate::error::{Result, TrainError};

/// Values per feature chunk (about 8 MB of f64), whatever the dimension.
const CHUNK_VALUES: usize = 1 << 20;

/// The pseudo-inverse policy of NC1 (recorded in the manifest).
pub const PINV_POLICY: PinvPolicy = PinvPolicy::RankTruncated;

/// What one evaluation produced.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochEval {
    /// Cross-entropy on the training split.
    pub train_loss: f64,
    /// Accuracy on the training split.
    pub train_acc: f64,
    /// Cross-entropy and accuracy on the test split, where there is one.
    pub test: Option<(f64, f64)>,
    /// Every metric variant by name; `None` where not finite.
    pub metrics: BTreeMap<String, Option<f64>>,
}

/// Notes on the metric conventions, for the manifest.
pub fn metric_notes() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("pinv_policy".to_string(), PINV_POLICY.describe()),
        (
            "features".to_string(),
            "input of the final linear layer, evaluation mode, un-augmented training split"
                .to_string(),
        ),
        (
            "scatter".to_string(),
            "TraceOnly first pass + second pass (O(K^2 + Kd) memory)".to_string(),
        ),
    ])
}

/// Cross-entropy and correct-count accumulator for a linear head.
#[derive(Debug, Default)]
struct LossAcc {
    loss: f64,
    correct: u64,
    samples: u64,
}

impl LossAcc {
    fn push(&mut self, head: &Classifier, feats: &[f64], labels: &[usize]) {
        let (k, d) = (head.classes, head.dim);
        let mut z = vec![0.0; k];
        for (i, &y) in labels.iter().enumerate() {
            let h = &feats[i * d..(i + 1) * d];
            for (c, zc) in z.iter_mut().enumerate() {
                let w = &head.weights[c * d..(c + 1) * d];
                *zc = head.bias[c] + w.iter().zip(h).map(|(a, b)| a * b).sum::<f64>();
            }
            let (arg, max) =
                z.iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |(a, m), (c, &v)| if v > m { (c, v) } else { (a, m) },
                    );
            let lse = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            self.loss += lse - z[y];
            self.correct += u64::from(arg == y);
            self.samples += 1;
        }
    }

    fn finish(&self) -> (f64, f64) {
        let n = self.samples.max(1) as f64;
        (self.loss / n, self.correct as f64 / n)
    }
}

/// Streams all features of `split` through `sink`, chunk by chunk.
fn stream(
    session: &mut Session,
    split: Split,
    info: &SessionInfo,
    mut sink: impl FnMut(&[f64], &[usize]) -> Result<()>,
) -> Result<()> {
    let d = info.dim;
    let total = info.samples(split);
    let chunk = (CHUNK_VALUES / d.max(1)).max(1).min(total.max(1));
    let mut feats = vec![0.0; chunk * d];
    let mut labels32 = vec![0u32; chunk];
    let mut labels = Vec::with_capacity(chunk);
    let mut start = 0;
    while start < total {
        let got = session.features(split, start, d, &mut feats, &mut labels32)?;
        if got == 0 {
            return Err(TrainError::Plugin(
                collapse_plugin_api::PluginError::Contract {
                    plugin: session.plugin_name().to_string(),
                    call: "features",
                    detail: format!("returned no samples at {start} of {total} ({split:?} split)"),
                },
            ));
        }
        labels.clear();
        labels.extend(labels32[..got].iter().map(|&l| l as usize));
        sink(&feats[..got * d], &labels)?;
        start += got;
    }
    Ok(())
}

/// Evaluates the session after `epoch`: two passes over the training features (class
/// statistics, then the second pass NC1 and NC4 need), one over the test features.
pub fn evaluate_epoch(
    session: &mut Session,
    info: &SessionInfo,
    epoch: usize,
) -> Result<EpochEval> {
    let (k, d) = (info.classes, info.dim);
    let metrics_err = |source| TrainError::Metrics { epoch, source };
    let classifier = session.classifier(k, d)?;
    let head = Head::new(&classifier.weights, k, d, Some(&classifier.bias)).map_err(metrics_err)?;

    let mut stats = ClassStats::new(k, d, ScatterMode::TraceOnly).map_err(metrics_err)?;
    let mut train = LossAcc::default();
    stream(session, Split::Train, info, |f, l| {
        train.push(&classifier, f, l);
        stats.push(f, l).map_err(metrics_err)
    })?;
    let mut train_pass = MeanPass::new(&stats, Some(&head)).map_err(metrics_err)?;
    stream(session, Split::Train, info, |f, l| {
        train_pass.push(f, l).map_err(metrics_err)
    })?;

    let mut test_pass = None;
    let mut test = None;
    if info.test_samples > 0 {
        let mut pass = MeanPass::new(&stats, Some(&head)).map_err(metrics_err)?;
        let mut acc = LossAcc::default();
        stream(session, Split::Test, info, |f, l| {
            acc.push(&classifier, f, l);
            pass.push(f, l).map_err(metrics_err)
        })?;
        test_pass = Some(pass);
        test = Some(acc.finish());
    }

    let report = evaluate(
        &Evaluation {
            train: &stats,
            train_pass: Some(&train_pass),
            test_pass: test_pass.as_ref(),
            head: Some(&head),
            pinv: PINV_POLICY,
        },
        &[],
    )
    .map_err(metrics_err)?;
    let (train_loss, train_acc) = train.finish();
    Ok(EpochEval {
        train_loss,
        train_acc,
        test,
        metrics: report
            .metrics
            .into_iter()
            .map(|(name, v)| (name, v.is_finite().then_some(v)))
            .collect(),
    })
}

/// Names of every metric variant a run records (those the inputs allow).
pub fn variant_names(with_test: bool) -> BTreeSet<&'static str> {
    collapse_metrics::Variant::ALL
        .iter()
        .filter(|v| with_test || !v.needs().test_pass)
        .map(|v| v.name())
        .collect()
}
