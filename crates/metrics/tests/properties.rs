//! Properties every metric must have: zero at exact collapse, invariance under rotations,
//! sample permutations and class relabellings, and independence of how the data are split
//! into batches, shards and passes.

use collapse_core::etf::{simplex_etf, Placement};
use collapse_core::random::{gaussian, haar_orthonormal, rng};
use collapse_metrics::{
    evaluate, nc1_full, ClassStats, Evaluation, Head, MeanPass, PinvPolicy, Report, ScatterMode,
    Variant,
};
use faer::Mat;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand::seq::SliceRandom;
use rand::Rng;

/// A random, non-collapsed problem: K classes with 1–6 samples each, d ≥ K − 1.
#[derive(Debug, Clone)]
struct Problem {
    k: usize,
    d: usize,
    features: Vec<f64>,
    labels: Vec<usize>,
    weights: Vec<f64>,
    bias: Vec<f64>,
}

impl Problem {
    fn random(k: usize, extra_dim: usize, seed: u64) -> Self {
        let d = k - 1 + extra_dim;
        let mut r = rng(seed);
        let centres = gaussian(k, d, 3.0, &mut r);
        let mut labels: Vec<usize> = (0..k).collect();
        for _ in 0..r.random_range(0..4 * k) {
            labels.push(r.random_range(0..k));
        }
        labels.shuffle(&mut r);
        let noise = gaussian(labels.len(), d, 1.0, &mut r);
        let offset = gaussian(1, d, 5.0, &mut r);
        let mut features = Vec::with_capacity(labels.len() * d);
        for (i, &y) in labels.iter().enumerate() {
            for j in 0..d {
                features.push(centres[(y, j)] + noise[(i, j)] + offset[(0, j)]);
            }
        }
        let w = gaussian(k, d, 1.0, &mut r);
        let weights = (0..k * d).map(|i| w[(i / d, i % d)]).collect();
        let bias = (0..k).map(|_| r.random_range(-1.0..1.0)).collect();
        Self {
            k,
            d,
            features,
            labels,
            weights,
            bias,
        }
    }

    fn head(&self) -> Head {
        Head::new(&self.weights, self.k, self.d, Some(&self.bias)).unwrap()
    }

    /// Both passes over the data in one batch each.
    fn report(&self, mode: ScatterMode) -> Report {
        let mut stats = ClassStats::new(self.k, self.d, mode).unwrap();
        stats.push(&self.features, &self.labels).unwrap();
        report_from(&stats, self, &[(&self.features, &self.labels)])
    }
}

fn report_from(stats: &ClassStats, p: &Problem, batches: &[(&[f64], &[usize])]) -> Report {
    let head = p.head();
    let mut pass = MeanPass::new(stats, Some(&head)).unwrap();
    for (f, y) in batches {
        pass.push(f, y).unwrap();
    }
    evaluate(
        &Evaluation {
            train: stats,
            train_pass: Some(&pass),
            test_pass: None,
            head: Some(&head),
            pinv: PinvPolicy::RankTruncated,
        },
        &[],
    )
    .unwrap()
}

/// Every metric of `a` equals `b`'s within `tol` relative to max(1, |b|).
fn assert_same(a: &Report, b: &Report, tol: f64, what: &str) {
    assert_eq!(a.metrics.len(), b.metrics.len(), "{what}");
    for (name, &x) in &a.metrics {
        let y = b.metrics[name];
        // nc4 is a fraction of samples: a tie broken differently by rounding moves it by 1/N.
        let tol = if name == "nc4" {
            1.0 / a.samples as f64 + 1e-12
        } else {
            tol
        };
        assert!(
            (x - y).abs() <= tol * y.abs().max(1.0),
            "{what}: {name} = {x} vs {y}"
        );
    }
}

fn config() -> Config {
    Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(7),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_metric_vanishes_at_exact_collapse(k in 2usize..7, extra in 0usize..4, per_class in 1usize..4, seed in any::<u64>()) {
        let d = k - 1 + extra;
        let etf = simplex_etf(k, d, Placement::Rotated { seed }).unwrap();
        let offset = gaussian(1, d, 2.0, &mut rng(seed ^ 1));
        let (scale_h, scale_w) = (3.0, 0.7);
        let mut features = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..per_class {
            for c in 0..k {
                labels.push(c);
                features.extend((0..d).map(|j| scale_h * etf[(c, j)] + offset[(0, j)]));
            }
        }
        let weights: Vec<f64> = (0..k * d).map(|i| scale_w * etf[(i / d, i % d)]).collect();
        // b = −W μ_G makes the bias metric vanish too.
        let bias: Vec<f64> = (0..k)
            .map(|c| -(0..d).map(|j| weights[c * d + j] * offset[(0, j)]).sum::<f64>())
            .collect();
        let head = Head::new(&weights, k, d, Some(&bias)).unwrap();
        for mode in [ScatterMode::Full, ScatterMode::TraceOnly] {
            let mut stats = ClassStats::new(k, d, mode).unwrap();
            stats.push(&features, &labels).unwrap();
            let mut pass = MeanPass::new(&stats, Some(&head)).unwrap();
            pass.push(&features, &labels).unwrap();
            let r = evaluate(&Evaluation { train: &stats, train_pass: Some(&pass), test_pass: Some(&pass),
                head: Some(&head), pinv: PinvPolicy::RankTruncated }, &[]).unwrap();
            prop_assert_eq!(r.metrics.len(), Variant::ALL.len());
            for (name, v) in &r.metrics {
                prop_assert!(v.abs() < 1e-9, "{} = {} at exact collapse (K = {}, d = {})", name, v, k, d);
            }
        }
    }

    #[test]
    fn invariant_under_a_common_rotation(k in 2usize..6, extra in 0usize..4, seed in any::<u64>()) {
        let p = Problem::random(k, extra, seed);
        let q = haar_orthonormal(p.d, p.d, &mut rng(seed ^ 2));
        let rotate = |x: &[f64], rows: usize| -> Vec<f64> {
            let m = Mat::from_fn(rows, p.d, |i, j| x[i * p.d + j]);
            let r = &m * q.transpose();
            (0..rows * p.d).map(|i| r[(i / p.d, i % p.d)]).collect()
        };
        let rotated = Problem {
            features: rotate(&p.features, p.labels.len()),
            weights: rotate(&p.weights, p.k),
            ..p.clone()
        };
        assert_same(&rotated.report(ScatterMode::Full), &p.report(ScatterMode::Full), 1e-8, "rotation");
    }

    #[test]
    fn invariant_under_sample_permutation_and_class_relabelling(k in 2usize..6, extra in 0usize..4, seed in any::<u64>()) {
        let p = Problem::random(k, extra, seed);
        let mut r = rng(seed ^ 3);
        let mut order: Vec<usize> = (0..p.labels.len()).collect();
        order.shuffle(&mut r);
        let mut relabel: Vec<usize> = (0..k).collect();
        relabel.shuffle(&mut r);
        let d = p.d;
        let mut weights = vec![0.0; k * d];
        let mut bias = vec![0.0; k];
        for c in 0..k {
            weights[relabel[c] * d..(relabel[c] + 1) * d].copy_from_slice(&p.weights[c * d..(c + 1) * d]);
            bias[relabel[c]] = p.bias[c];
        }
        let shuffled = Problem {
            features: order.iter().flat_map(|&i| p.features[i * d..(i + 1) * d].to_vec()).collect(),
            labels: order.iter().map(|&i| relabel[p.labels[i]]).collect(),
            weights,
            bias,
            ..p.clone()
        };
        assert_same(&shuffled.report(ScatterMode::Full), &p.report(ScatterMode::Full), 1e-9, "permutation");
    }

    #[test]
    fn any_batch_split_equals_one_batch(k in 2usize..6, extra in 0usize..4, seed in any::<u64>(), cuts in proptest::collection::vec(0usize..1000, 0..5)) {
        let p = Problem::random(k, extra, seed);
        let n = p.labels.len();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).collect();
        bounds.extend([0, n]);
        bounds.sort_unstable();
        let d = p.d;
        let batches: Vec<(&[f64], &[usize])> = bounds
            .windows(2)
            .map(|w| (&p.features[w[0] * d..w[1] * d], &p.labels[w[0]..w[1]]))
            .collect();
        let mut stats = ClassStats::new(k, d, ScatterMode::Full).unwrap();
        for (f, y) in &batches {
            stats.push(f, y).unwrap();
        }
        let whole = p.report(ScatterMode::Full);
        assert_same(&report_from(&stats, &p, &batches), &whole, 1e-9, "batch split");
    }

    #[test]
    fn merging_two_halves_equals_the_whole(k in 2usize..6, extra in 0usize..4, seed in any::<u64>(), cut in 0usize..1000) {
        let p = Problem::random(k, extra, seed);
        let (n, d) = (p.labels.len(), p.d);
        let cut = cut % (n + 1);
        for mode in [ScatterMode::Full, ScatterMode::TraceOnly] {
            let mut first = ClassStats::new(k, d, mode).unwrap();
            first.push(&p.features[..cut * d], &p.labels[..cut]).unwrap();
            let mut second = ClassStats::new(k, d, mode).unwrap();
            second.push(&p.features[cut * d..], &p.labels[cut..]).unwrap();
            // The second shard travels through JSON, as from another process.
            let second: ClassStats = serde_json::from_str(&serde_json::to_string(&second).unwrap()).unwrap();
            first.merge(&second).unwrap();
            let mut whole = ClassStats::new(k, d, mode).unwrap();
            whole.push(&p.features, &p.labels).unwrap();
            prop_assert_eq!(first.counts(), whole.counts());
            for (a, b) in first.means().iter().zip(whole.means()) {
                prop_assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0));
            }
            // Second passes merged from the two halves.
            let head = p.head();
            let mut pa = MeanPass::new(&first, Some(&head)).unwrap();
            pa.push(&p.features[..cut * d], &p.labels[..cut]).unwrap();
            let mut pb = MeanPass::new(&first, Some(&head)).unwrap();
            pb.push(&p.features[cut * d..], &p.labels[cut..]).unwrap();
            pa.merge(&pb).unwrap();
            let eval = |s: &ClassStats, pass: &MeanPass| evaluate(&Evaluation { train: s, train_pass: Some(pass),
                test_pass: None, head: Some(&head), pinv: PinvPolicy::RankTruncated }, &[]).unwrap();
            let mut pw = MeanPass::new(&whole, Some(&head)).unwrap();
            pw.push(&p.features, &p.labels).unwrap();
            assert_same(&eval(&first, &pa), &eval(&whole, &pw), 1e-9, "merge");
        }
    }

    #[test]
    fn projected_nc1_equals_the_full_computations(k in 2usize..7, extra in 0usize..6, seed in any::<u64>()) {
        let p = Problem::random(k, extra, seed);
        let full = p.report(ScatterMode::Full);
        let projected = p.report(ScatterMode::TraceOnly);
        prop_assert!(projected.diagnostics.nc1_source.as_deref().unwrap().contains("second pass"));
        assert_same(&projected, &full, 1e-9, "trace-only vs full");
        let mut stats = ClassStats::new(k, p.d, ScatterMode::Full).unwrap();
        stats.push(&p.features, &p.labels).unwrap();
        let direct = nc1_full(&stats, PinvPolicy::RankTruncated).unwrap();
        let nc1 = full.get(Variant::Nc1).unwrap();
        prop_assert!((direct - nc1).abs() <= 1e-8 * nc1.max(1.0), "d x d path {} vs K x K path {}", direct, nc1);
    }
}
