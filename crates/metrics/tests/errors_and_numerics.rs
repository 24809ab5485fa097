//! Bad input is refused with a clear error and leaves the statistics unchanged; the
//! streaming update stays accurate far from the origin; degenerate Σ_B is reported.

use collapse_metrics::{
    evaluate, nc1_full, ClassStats, Evaluation, Head, MeanPass, MetricsError, PinvPolicy,
    ScatterMode, Variant,
};

fn eval<'a>(stats: &'a ClassStats, head: Option<&'a Head>, pinv: PinvPolicy) -> Evaluation<'a> {
    Evaluation {
        train: stats,
        train_pass: None,
        test_pass: None,
        head,
        pinv,
    }
}

#[test]
fn dimensions_are_checked() {
    assert_eq!(
        ClassStats::new(5, 3, ScatterMode::Full).unwrap_err(),
        MetricsError::DimensionTooSmall { classes: 5, dim: 3 }
    );
    assert_eq!(
        ClassStats::new(1, 3, ScatterMode::Full).unwrap_err(),
        MetricsError::TooFewClasses(1)
    );
    let msg = ClassStats::new(5, 3, ScatterMode::Full)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("d >= 4"), "{msg}");
}

#[test]
fn a_rejected_batch_leaves_the_statistics_unchanged() {
    let mut s = ClassStats::new(3, 2, ScatterMode::Full).unwrap();
    s.push(&[1.0f64, 2.0, 3.0, 4.0], &[0, 1]).unwrap();
    let before = s.clone();
    let err = s.push(&[1.0f32, 2.0, 3.0, 4.0], &[0, 3]).unwrap_err();
    assert_eq!(
        err,
        MetricsError::LabelOutOfRange {
            label: 3,
            index: 1,
            classes: 3
        }
    );
    let err = s.push(&[1.0, 2.0, f64::NAN, 4.0], &[0, 1]).unwrap_err();
    assert_eq!(
        err,
        MetricsError::NonFinite {
            what: "features".into(),
            row: 1,
            col: 0
        }
    );
    let err = s.push(&[1.0f32, f32::INFINITY], &[2]).unwrap_err();
    assert!(err.to_string().contains("row 0, column 1"), "{err}");
    let err = s.push(&[1.0, 2.0, 3.0], &[0, 1]).unwrap_err();
    assert!(matches!(err, MetricsError::Shape { .. }), "{err}");
    assert_eq!(s, before);
}

#[test]
fn empty_classes_and_missing_inputs_are_named() {
    let mut s = ClassStats::new(3, 2, ScatterMode::Full).unwrap();
    s.push(&[1.0f64, 2.0, 3.0, 4.0], &[0, 2]).unwrap();
    let err = evaluate(&eval(&s, None, PinvPolicy::RankTruncated), &[]).unwrap_err();
    assert_eq!(err, MetricsError::EmptyClass { class: 1 });
    assert!(MeanPass::new(&s, None).is_err());

    s.push(&[0.0f64, 1.0], &[1]).unwrap();
    let err = evaluate(&eval(&s, None, PinvPolicy::RankTruncated), &[Variant::Nc2W]).unwrap_err();
    assert!(err.to_string().contains("--weights"), "{err}");
    let err = evaluate(
        &eval(&s, None, PinvPolicy::RankTruncated),
        &[Variant::Nc4Test],
    )
    .unwrap_err();
    assert!(err.to_string().contains("nc4_test"), "{err}");
    // Without a head, every head-free variant is still computed.
    let r = evaluate(&eval(&s, None, PinvPolicy::RankTruncated), &[]).unwrap();
    let names: Vec<&str> = r.metrics.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "cdnv",
            "equiangle_m",
            "equinorm_m",
            "maxangle_m",
            "nc1",
            "nc1_papyan",
            "nc1_quotient",
            "nc2_m"
        ]
    );
    let trace_only = {
        let mut t = ClassStats::new(3, 2, ScatterMode::TraceOnly).unwrap();
        t.push(&[1.0f64, 2.0, 3.0, 4.0, 0.0, 1.0], &[0, 2, 1])
            .unwrap();
        t
    };
    let err = evaluate(
        &eval(&trace_only, None, PinvPolicy::RankTruncated),
        &[Variant::Nc1],
    )
    .unwrap_err();
    assert!(err.to_string().contains("second pass"), "{err}");
    assert!(Variant::from_name("nc5")
        .unwrap_err()
        .to_string()
        .contains("nc1_papyan"));
    let wrong_head = Head::new(&[1.0f64; 6], 2, 3, None::<&[f64]>).unwrap();
    assert!(evaluate(&eval(&s, Some(&wrong_head), PinvPolicy::RankTruncated), &[]).is_err());
    assert!(Head::new(&[1.0f64; 6], 3, 2, Some(&[0.0f64; 2])).is_err());
    assert!(Head::new(&[f64::NAN; 6], 3, 2, None::<&[f64]>).is_err());
}

#[test]
fn merging_refuses_different_shapes_and_modes() {
    let mut a = ClassStats::new(3, 2, ScatterMode::Full).unwrap();
    assert!(a
        .merge(&ClassStats::new(3, 3, ScatterMode::Full).unwrap())
        .is_err());
    assert!(a
        .merge(&ClassStats::new(3, 2, ScatterMode::TraceOnly).unwrap())
        .is_err());
}

/// Features 1e8 away from the origin with unit spread: E[hhᵀ] − μμᵀ would lose every digit
/// (1e16 against 1); the centred, merged update must not.
#[test]
fn streaming_is_accurate_far_from_the_origin() {
    let (k, d) = (3, 2);
    let offset = 1e8;
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for i in 0..300 {
        let c = i % k;
        let t = i as f64 * 0.37;
        features.push(offset + c as f64 * 5.0 + t.sin());
        features.push(offset + (c * c) as f64 * 3.0 + (1.3 * t).cos());
        labels.push(c);
    }
    let mut s = ClassStats::new(k, d, ScatterMode::Full).unwrap();
    for (f, y) in features.chunks(2 * 7).zip(labels.chunks(7)) {
        s.push(f, y).unwrap();
    }
    // Exact two-pass reference.
    let mut means = vec![0.0; k * d];
    let mut counts = vec![0.0; k];
    for (row, &y) in features.chunks(d).zip(&labels) {
        counts[y] += 1.0;
        for j in 0..d {
            means[y * d + j] += row[j] - offset;
        }
    }
    let mut within = 0.0;
    for (row, &y) in features.chunks(d).zip(&labels) {
        for j in 0..d {
            let dev = (row[j] - offset) - means[y * d + j] / counts[y];
            within += dev * dev;
        }
    }
    within /= labels.len() as f64;
    let got = s.within_trace();
    assert!(
        (got - within).abs() < 1e-6 * within,
        "tr Σ_W {got} vs exact {within}"
    );
    let trace_sw = {
        let sc = s.scatter().unwrap();
        (sc[0] + sc[3]) / labels.len() as f64
    };
    assert!(
        (trace_sw - within).abs() < 1e-6 * within,
        "scatter trace {trace_sw} vs {within}"
    );
    let r = evaluate(&eval(&s, None, PinvPolicy::RankTruncated), &[]).unwrap();
    // The means themselves carry ~1e-16 · 1e8 absolute rounding, so the between-class term
    // (differences of means of size ~5) is good to ~1e-8 relative, not better.
    assert!(
        r.diagnostics.trace_identity_relative_error < 1e-7,
        "{:?}",
        r.diagnostics
    );
}

/// Three classes whose means lie on a line: Σ_B has rank 1, not K − 1 = 2.
#[test]
fn degenerate_between_class_covariance_is_reported() {
    let (k, d) = (3, 3);
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for i in 0..30 {
        let c = i % k;
        // ±0.1 alternating within each class: the class means are exactly (2c, 2c, 0).
        let e = if (i / k) % 2 == 0 { 0.1 } else { -0.1 };
        features.extend([c as f64 * 2.0 + e, c as f64 * 2.0 - e, 0.3 * e]);
        labels.push(c);
    }
    let mut s = ClassStats::new(k, d, ScatterMode::Full).unwrap();
    s.push(&features, &labels).unwrap();
    let cutoff = PinvPolicy::RelativeCutoff { rcond: 1e-10 };
    let r = evaluate(&eval(&s, None, cutoff), &[Variant::Nc1]).unwrap();
    assert_eq!(r.diagnostics.sigma_b_rank_used, 1);
    assert!(r.diagnostics.sigma_b_eigengap > 0.99, "{:?}", r.diagnostics);
    let direct = nc1_full(&s, cutoff).unwrap();
    let nc1 = r.get(Variant::Nc1).unwrap();
    assert!(
        (nc1 - direct).abs() < 1e-9 * direct.max(1.0),
        "{nc1} vs {direct}"
    );
    // The default inverts a second, rounding-level eigenvalue: either refused, or flagged by
    // a vanishing eigengap and an enormous condition number.
    match evaluate(&eval(&s, None, PinvPolicy::RankTruncated), &[Variant::Nc1]) {
        Err(e) => assert!(e.to_string().contains("affinely dependent"), "{e}"),
        Ok(r) => {
            assert_eq!(r.diagnostics.sigma_b_rank_used, 2);
            assert!(
                r.diagnostics.sigma_b_condition_number > 1e10,
                "{:?}",
                r.diagnostics
            );
        }
    }
}

#[test]
fn statistics_survive_a_json_round_trip() {
    let mut s = ClassStats::new(2, 2, ScatterMode::Full).unwrap();
    s.push(&[1.0f32, 2.0, 3.0, 5.0, 0.5, 0.25], &[0, 1, 1])
        .unwrap();
    let back: ClassStats = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    assert_eq!(s.sums(), vec![1.0, 2.0, 3.5, 5.25]);
}
