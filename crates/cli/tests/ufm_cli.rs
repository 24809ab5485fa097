//! End-to-end specification of the `collapse ufm` and `collapse certify` commands: the JSON
//! contract other tools rely on, and exit code 2 with a named input on bad input.

mod common;

use common::collapse;

use safetensors::tensor::{Dtype, TensorView};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

fn f64_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Writes a POINT file from row-major W [k, d], H [d, n] and optional labels.
fn write_point(
    path: &Path,
    k: usize,
    d: usize,
    n: usize,
    w: &[f64],
    h: &[f64],
    labels: Option<&[i64]>,
) {
    let (wb, hb) = (f64_bytes(w), f64_bytes(h));
    let lb: Vec<u8> = labels
        .unwrap_or(&[])
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let mut tensors = vec![
        ("W", TensorView::new(Dtype::F64, vec![k, d], &wb).unwrap()),
        ("H", TensorView::new(Dtype::F64, vec![d, n], &hb).unwrap()),
    ];
    if labels.is_some() {
        tensors.push(("labels", TensorView::new(Dtype::I64, vec![n], &lb).unwrap()));
    }
    std::fs::write(path, safetensors::serialize(tensors, None).unwrap()).unwrap();
}

#[test]
fn optimum_prints_the_closed_form() {
    let out = collapse(&[
        "ufm",
        "optimum",
        "--classes",
        "10",
        "--per-class",
        "500",
        "--dim",
        "512",
        "--lambda-w",
        "5e-4",
        "--lambda-h",
        "5e-4",
        "--json",
    ]);
    let v = json_of(&out);
    let s = (500.0f64).sqrt() * 5e-4;
    let margin = (1.0 / s - 9.0).ln();
    assert_eq!(v["regime"], "etf");
    assert!((v["margin"].as_f64().unwrap() - margin).abs() < 1e-12);
    assert!((v["ce"].as_f64().unwrap() + (1.0 - 9.0 * s).ln()).abs() < 1e-12);
    for key in ["w_norm_sq", "h_norm_sq", "objective"] {
        assert!(v[key].as_f64().is_some(), "{key} missing");
    }
    let zero = json_of(&collapse(&[
        "ufm",
        "optimum",
        "--classes",
        "10",
        "--per-class",
        "500",
        "--dim",
        "512",
        "--lambda-w",
        "1e-2",
        "--lambda-h",
        "1e-2",
        "--json",
    ]));
    assert_eq!(zero["regime"], "zero");
    assert!((zero["objective"].as_f64().unwrap() - 10f64.ln()).abs() < 1e-15);
}

#[test]
fn too_small_a_dimension_is_bad_input() {
    let out = collapse(&[
        "ufm",
        "optimum",
        "--classes",
        "10",
        "--per-class",
        "5",
        "--dim",
        "8",
        "--lambda-w",
        "1e-3",
        "--lambda-h",
        "1e-3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("d >= K - 1") && err.contains("at least 9"),
        "{err}"
    );
}

#[test]
fn solve_writes_a_point_that_certifies_as_global_minimizer() {
    let dir = tempfile::tempdir().unwrap();
    let point = dir.path().join("end.safetensors");
    let p = point.to_str().unwrap();
    for method in ["lbfgs", "gd"] {
        let v = json_of(&collapse(&[
            "ufm",
            "solve",
            "--classes",
            "4",
            "--per-class",
            "5",
            "--dim",
            "6",
            "--lambda-w",
            "1e-2",
            "--lambda-h",
            "1e-2",
            "--seed",
            "3",
            "--method",
            method,
            "--tol",
            "1e-8",
            "--max-iters",
            "50000",
            "--out",
            p,
            "--json",
        ]));
        assert_eq!(v["converged"], true, "{method}: {v}");
        let (f, fstar) = (
            v["objective"].as_f64().unwrap(),
            v["closed_form_objective"].as_f64().unwrap(),
        );
        assert!((f - fstar).abs() < 1e-9, "{method}: {f} vs {fstar}");
        assert!(v["iterations"].as_u64().unwrap() > 0);
        assert_eq!(v["certificate"]["verdict"], "global_minimizer");
    }
    let c = json_of(&collapse(&[
        "certify",
        p,
        "--lambda-w",
        "1e-2",
        "--lambda-h",
        "1e-2",
        "--json",
    ]));
    assert_eq!(c["verdict"], "global_minimizer");
    for key in [
        "grad_norm",
        "sigma1",
        "threshold",
        "objective",
        "closed_form_objective",
    ] {
        assert!(c[key].as_f64().is_some(), "{key}: {c}");
    }
    assert!(c["curvature"].is_null() && c["curvature_fd"].is_null());
    // Other λ's: the same point is no longer critical.
    let c = json_of(&collapse(&[
        "certify",
        p,
        "--lambda-w",
        "1e-1",
        "--lambda-h",
        "1e-2",
        "--json",
    ]));
    assert_eq!(c["verdict"], "not_critical");
}

#[test]
fn the_origin_file_certifies_as_a_strict_saddle_with_its_curvature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("origin.safetensors");
    let (k, d, n) = (3, 5, 6);
    write_point(&path, k, d, n, &vec![0.0; k * d], &vec![0.0; d * n], None);
    let lam = 0.05; // 1/(K√n) = 1/(3√2) ≈ 0.2357 > λ: saddle.
    let c = json_of(&collapse(&[
        "certify",
        path.to_str().unwrap(),
        "--lambda-w",
        "0.05",
        "--lambda-h",
        "0.05",
        "--json",
    ]));
    assert_eq!(c["verdict"], "strict_saddle");
    let expected = 2.0 * (lam - 1.0 / (3.0 * 2f64.sqrt()));
    assert!(
        (c["curvature"].as_f64().unwrap() - expected).abs() < 1e-10,
        "{c}"
    );
    assert!(
        (c["curvature_fd"].as_f64().unwrap() - expected).abs() < 1e-5,
        "{c}"
    );
}

#[test]
fn bad_point_files_are_refused_with_exit_code_2_and_the_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = collapse(&[
            "certify",
            dir.path().join(name).to_str().unwrap(),
            "--lambda-w",
            "1e-2",
            "--lambda-h",
            "1e-2",
        ]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // Not safetensors at all.
    std::fs::write(dir.path().join("garbage.safetensors"), b"not a tensor file").unwrap();
    let (code, err) = run("garbage.safetensors");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("garbage.safetensors") && err.contains("not a valid safetensors file"),
        "{err}"
    );
    // Missing file.
    let (code, err) = run("absent.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("absent.safetensors"), "{err}");
    // H missing.
    let wb = f64_bytes(&[0.0; 6]);
    let only_w = safetensors::serialize(
        [("W", TensorView::new(Dtype::F64, vec![2, 3], &wb).unwrap())],
        None,
    )
    .unwrap();
    std::fs::write(dir.path().join("no_h.safetensors"), only_w).unwrap();
    let (code, err) = run("no_h.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("`H`"), "{err}");
    // Mismatched d.
    std::fs::write(
        dir.path().join("shape.safetensors"),
        safetensors::serialize(
            [
                (
                    "W",
                    TensorView::new(Dtype::F64, vec![2, 3], &f64_bytes(&[0.0; 6])).unwrap(),
                ),
                (
                    "H",
                    TensorView::new(Dtype::F64, vec![2, 4], &f64_bytes(&[0.0; 8])).unwrap(),
                ),
            ],
            None,
        )
        .unwrap(),
    )
    .unwrap();
    let (code, err) = run("shape.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("same d"), "{err}");
    // NaN.
    let mut h = vec![0.0; 12];
    h[5] = f64::NAN;
    write_point(
        &dir.path().join("nan.safetensors"),
        2,
        3,
        4,
        &[0.0; 6],
        &h,
        None,
    );
    let (code, err) = run("nan.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("`H`") && err.contains("non-finite"), "{err}");
    // A label out of range.
    write_point(
        &dir.path().join("label.safetensors"),
        2,
        3,
        4,
        &[0.0; 6],
        &[0.0; 12],
        Some(&[0, 1, 2, 1]),
    );
    let (code, err) = run("label.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("label 2"), "{err}");
    // No labels and N not a multiple of K.
    write_point(
        &dir.path().join("odd.safetensors"),
        2,
        3,
        3,
        &[0.0; 6],
        &[0.0; 9],
        None,
    );
    let (code, err) = run("odd.safetensors");
    assert_eq!(code, Some(2));
    assert!(err.contains("not a multiple"), "{err}");
}

#[test]
fn unbalanced_labels_are_certified_outside_the_theorem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unbalanced.safetensors");
    write_point(
        &path,
        2,
        3,
        5,
        &[0.0; 6],
        &[0.0; 15],
        Some(&[0, 0, 0, 1, 1]),
    );
    let c = json_of(&collapse(&[
        "certify",
        path.to_str().unwrap(),
        "--lambda-w",
        "1e-2",
        "--lambda-h",
        "1e-2",
        "--json",
    ]));
    assert_eq!(c["theorem_applies"], false);
    assert!(c["closed_form_objective"].is_null());
    assert_eq!(c["curvature_method"], "dense_eigen");
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["ufm", "--help"],
        vec!["ufm", "solve", "--help"],
        vec!["certify", "--help"],
        vec!["reproduce", "--help"],
    ] {
        let out = collapse(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn reproduce_quick_writes_a_passing_report_with_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = collapse(&["reproduce", "--out", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        report.contains("## Scoreboard") && !report.contains("**FAIL**"),
        "{report}"
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["failed"], 0);
    assert!(results["passed"].as_u64().unwrap() >= 20);
    for fig in ["ufm_objective_gap.svg", "ufm_collapse_residuals.svg"] {
        let svg = std::fs::read_to_string(dir.path().join("figures").join(fig)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("polyline"), "{fig}");
    }
    assert!(dir.path().join("ufm_lambda_grid.csv").exists());
}
