//! `collapse metrics` end to end on the golden files of collapse-metrics (written by numpy and
//! the safetensors package), and its exit code 2 on bad input.

use serde_json::Value;
use std::process::{Command, Output};

fn golden(rel: &str) -> String {
    format!("{}/../metrics/golden/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collapse"))
        .arg("metrics")
        .args(args)
        .output()
        .expect("the collapse binary runs")
}

fn json_of(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn expected() -> Value {
    let text = std::fs::read_to_string(golden("golden.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_variant_matches_numpy_from_npy_and_safetensors_files() {
    let golden_json = expected();
    for case in golden_json["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let f = |file: &str| golden(&format!("{name}/{file}"));
        let mut base = vec![
            "--labels".to_string(),
            f("labels.npy"),
            "--test-features".into(),
            f("test_features.npy"),
            "--test-labels".into(),
            f("test_labels.npy"),
        ];
        if !case["bias"].is_null() {
            base.extend(["--bias".into(), f("head.safetensors:fc.bias")]);
        }
        let variants: [(&str, &str, &[&str]); 3] = [
            ("features.npy", "weights.npy", &[]),
            (
                "features.safetensors",
                "head.safetensors",
                &["--scatter", "full"],
            ),
            (
                "features.npy",
                "head.safetensors:fc.weight",
                &["--chunk-rows", "7"],
            ),
        ];
        for (features, weights, extra) in variants {
            let mut args: Vec<String> = base.clone();
            args.extend([
                "--features".into(),
                f(features),
                "--weights".into(),
                f(weights),
            ]);
            args.extend(extra.iter().map(|s| s.to_string()));
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = json_of(&argv);
            assert_eq!(out["classes"], case["classes"], "{name}");
            assert_eq!(out["dim"], case["dim"], "{name}");
            assert_eq!(
                out["samples"].as_u64().unwrap() as usize,
                case["labels"].as_array().unwrap().len()
            );
            let want = case["expected"].as_object().unwrap();
            let got = out["metrics"].as_object().unwrap();
            assert_eq!(got.len(), want.len(), "{name}: {got:?}");
            for (variant, w) in want {
                let (g, w) = (got[variant].as_f64().unwrap(), w.as_f64().unwrap());
                assert!(
                    (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{name} {features} {extra:?}: {variant} = {g}, numpy {w}"
                );
            }
            assert_eq!(
                out["diagnostics"]["sigma_b_rank_used"],
                case["classes"].as_u64().unwrap() - 1
            );
        }
    }
}

#[test]
fn selected_variants_and_the_reference_cutoff() {
    let case = &expected()["cases"][0];
    let out = json_of(&[
        "--features",
        &golden("unbalanced_f64/features.npy"),
        "--labels",
        &golden("unbalanced_f64/labels.npy"),
        "--variant",
        "nc1,cdnv",
        "--variant",
        "nc1_quotient",
        "--pinv",
        "reference",
    ]);
    let got = out["metrics"].as_object().unwrap();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ["cdnv", "nc1", "nc1_quotient"]
    );
    let want = case["diagnostics"]["nc1_reference_cutoff"]
        .as_f64()
        .unwrap();
    assert!((got["nc1"].as_f64().unwrap() - want).abs() <= 1e-9 * want);
    assert!(out["diagnostics"]["pinv_policy"]
        .as_str()
        .unwrap()
        .contains("cutoff"));
}

#[test]
fn bad_input_exits_with_code_2_and_names_the_problem() {
    let features = golden("unbalanced_f64/features.npy");
    let labels = golden("unbalanced_f64/labels.npy");
    let other_labels = golden("f32_d_eq_k_minus_1/labels.npy");
    let other_weights = golden("f32_d_eq_k_minus_1/weights.npy");
    let fortran = format!(
        "{}/../arrays/tests/data/m_fortran.npy",
        env!("CARGO_MANIFEST_DIR")
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--features", &features, "--labels", &other_labels],
            "same samples",
        ),
        (
            vec![
                "--features",
                &features,
                "--labels",
                &labels,
                "--classes",
                "3",
            ],
            "out of range",
        ),
        (
            vec![
                "--features",
                &features,
                "--labels",
                &labels,
                "--classes",
                "7",
            ],
            "class 5 has no sample",
        ),
        (
            vec![
                "--features",
                &features,
                "--labels",
                &labels,
                "--variant",
                "nc9",
            ],
            "unknown metric variant",
        ),
        (
            vec![
                "--features",
                &features,
                "--labels",
                &labels,
                "--variant",
                "nc2_w",
            ],
            "--weights",
        ),
        (
            vec![
                "--features",
                &features,
                "--labels",
                &labels,
                "--weights",
                &other_weights,
            ],
            "classifier weights",
        ),
        (
            vec!["--features", &fortran, "--labels", &labels],
            "Fortran order",
        ),
        (vec!["--features", &labels, "--labels", &labels], "2-D"),
        (vec!["--features", &features, "--labels", &features], "1-D"),
    ];
    for (args, needle) in cases {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: expected `{needle}` in {err}"
        );
    }
}
