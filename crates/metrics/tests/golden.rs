//! Compares every variant with values computed independently in numpy f64
//! (`golden/make_golden.py`, which forms the d×d matrices explicitly).

use collapse_metrics::{
    evaluate, nc1_full, ClassStats, Evaluation, Head, MeanPass, PinvPolicy, Report, ScatterMode,
    Variant,
};
use serde_json::Value;

struct Case {
    name: String,
    k: usize,
    d: usize,
    features: Vec<f64>,
    labels: Vec<usize>,
    test_features: Vec<f64>,
    test_labels: Vec<usize>,
    head: Head,
    expected: Value,
    diagnostics: Value,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/golden/golden.json"))
        .expect("golden.json: regenerate with python3 crates/metrics/golden/make_golden.py");
    let json: Value = serde_json::from_str(&text).unwrap();
    let floats = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let ints = |v: &Value| -> Vec<usize> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect()
    };
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let k = c["classes"].as_u64().unwrap() as usize;
            let d = c["dim"].as_u64().unwrap() as usize;
            let bias = (!c["bias"].is_null()).then(|| floats(&c["bias"]));
            Case {
                name: c["name"].as_str().unwrap().to_string(),
                k,
                d,
                features: floats(&c["features"]),
                labels: ints(&c["labels"]),
                test_features: floats(&c["test_features"]),
                test_labels: ints(&c["test_labels"]),
                head: Head::new(&floats(&c["weights"]), k, d, bias.as_deref()).unwrap(),
                expected: c["expected"].clone(),
                diagnostics: c["diagnostics"].clone(),
            }
        })
        .collect()
}

const REL_TOL: f64 = 1e-9;

fn assert_close(case: &str, what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(1.0);
    assert!(
        err <= tol,
        "{case}: {what} = {got}, numpy says {want} (rel. error {err:e} > {tol:e})"
    );
}

/// Runs both passes with the given batch size and scatter mode.
fn report(case: &Case, batch: usize, mode: ScatterMode, pinv: PinvPolicy) -> Report {
    let mut stats = ClassStats::new(case.k, case.d, mode).unwrap();
    for (f, y) in case
        .features
        .chunks(batch * case.d)
        .zip(case.labels.chunks(batch))
    {
        stats.push(f, y).unwrap();
    }
    let mut train = MeanPass::new(&stats, Some(&case.head)).unwrap();
    for (f, y) in case
        .features
        .chunks(batch * case.d)
        .zip(case.labels.chunks(batch))
    {
        train.push(f, y).unwrap();
    }
    let mut test = MeanPass::new(&stats, Some(&case.head)).unwrap();
    test.push(&case.test_features, &case.test_labels).unwrap();
    evaluate(
        &Evaluation {
            train: &stats,
            train_pass: Some(&train),
            test_pass: Some(&test),
            head: Some(&case.head),
            pinv,
        },
        &[],
    )
    .unwrap()
}

#[test]
fn every_variant_matches_numpy_in_both_modes_and_any_batching() {
    for case in cases() {
        for (batch, mode) in [
            (case.labels.len(), ScatterMode::Full),
            (7, ScatterMode::Full),
            (1, ScatterMode::TraceOnly),
            (13, ScatterMode::TraceOnly),
        ] {
            let r = report(&case, batch, mode, PinvPolicy::RankTruncated);
            let label = format!("{} (batch {batch}, {mode:?})", case.name);
            assert_eq!(
                r.metrics.len(),
                Variant::ALL.len(),
                "{label}: {:?}",
                r.metrics
            );
            for v in Variant::ALL {
                let want = case.expected[v.name()].as_f64().unwrap();
                assert_close(&label, v.name(), r.get(v).unwrap(), want, REL_TOL);
            }
            let dg = &r.diagnostics;
            for (what, got) in [
                ("trace_total", dg.trace_total),
                ("trace_within", dg.trace_within),
                ("trace_between_weighted", dg.trace_between_weighted),
            ] {
                let want = case.diagnostics[what].as_f64().unwrap();
                assert_close(&label, what, got, want, REL_TOL);
            }
            assert!(dg.trace_identity_relative_error < 1e-12, "{label}: {dg:?}");
            let top = dg.sigma_b_eigenvalues[0];
            for (i, want) in case.diagnostics["sigma_b_eigenvalues"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
            {
                let got = dg.sigma_b_eigenvalues[i];
                let want = want.as_f64().unwrap();
                assert!(
                    (got - want).abs() <= 1e-10 * top,
                    "{label}: eigenvalue {i}: {got} vs {want}"
                );
            }
            assert_eq!(dg.sigma_b_rank_used, case.k - 1);
            let counts: Vec<u64> = case.diagnostics["class_counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            assert_eq!(dg.class_counts, counts);
        }
    }
}

#[test]
fn reference_cutoff_policy_matches_numpy_pinv() {
    for case in cases() {
        let want = case.diagnostics["nc1_reference_cutoff"].as_f64().unwrap();
        let policy = PinvPolicy::reference(case.d);
        let r = report(&case, 50, ScatterMode::Full, policy);
        assert_close(
            &case.name,
            "nc1 (reference cutoff)",
            r.get(Variant::Nc1).unwrap(),
            want,
            REL_TOL,
        );
        let mut stats = ClassStats::new(case.k, case.d, ScatterMode::Full).unwrap();
        stats.push(&case.features, &case.labels).unwrap();
        assert_close(
            &case.name,
            "nc1_full (cutoff)",
            nc1_full(&stats, policy).unwrap(),
            want,
            REL_TOL,
        );
        let full = nc1_full(&stats, PinvPolicy::RankTruncated).unwrap();
        let want = case.expected["nc1"].as_f64().unwrap();
        assert_close(&case.name, "nc1_full", full, want, REL_TOL);
    }
}
