//! `collapse train` model flags: they reach the network backend as `[model]` keys, are
//! recorded in the manifest, and cannot change on resume. Runs the candle MLP on a small real
//! MNIST subset (fetched by `cargo xtask data`).

mod common;

use common::collapse;

use std::path::PathBuf;

/// The data folder, or `None` (with a message) when MNIST is absent outside CI.
fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("COLLAPSE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data"));
    if dir.join("mnist").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "MNIST is missing from {}: run `cargo xtask data`",
        dir.display()
    );
    eprintln!(
        "SKIPPED: MNIST not found in {} (run `cargo xtask data`)",
        dir.display()
    );
    None
}

#[test]
fn model_flags_reach_the_backend_and_are_fixed_on_resume() {
    let Some(data) = data_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let (data, run_s) = (
        data.to_str().unwrap().to_string(),
        run.to_str().unwrap().to_string(),
    );
    let out = collapse(&[
        "train",
        "--backend",
        "candle",
        "--dataset",
        "mnist",
        "--data-dir",
        &data,
        "--subset-per-class",
        "10",
        "--model",
        "mlp",
        "--width",
        "32",
        "--depth",
        "1",
        "--classifier",
        "etf",
        "--no-bias",
        "--epochs",
        "2",
        "--batch-size",
        "25",
        "--out",
        &run_s,
        "--progress",
        "none",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let model = &manifest["experiment"]["model"];
    assert_eq!(model["model"], "mlp");
    assert_eq!(model["width"], 32);
    assert_eq!(model["classifier"], "etf");
    assert_eq!(model["bias"], false);
    // A fixed ETF head: NC2 on W is an ETF's, every epoch.
    let rows = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert_eq!(rows.lines().count(), 2);
    for line in rows.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["nc2_w"].as_f64().unwrap() < 1e-6, "{row}");
    }
    // The backend rejects what it does not know, naming the key.
    let bad = collapse(&[
        "train",
        "--backend",
        "candle",
        "--dataset",
        "mnist",
        "--data-dir",
        &data,
        "--subset-per-class",
        "10",
        "--model",
        "transformer",
        "--epochs",
        "1",
        "--out",
        tmp.path().join("bad").to_str().unwrap(),
        "--progress",
        "none",
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("transformer"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // Model flags are part of the experiment: refused on resume.
    let resumed = collapse(&[
        "train",
        "--resume",
        &run_s,
        "--width",
        "64",
        "--progress",
        "none",
    ]);
    assert_eq!(
        resumed.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
}

#[test]
fn optimizer_options_reach_the_backend() {
    let Some(data) = data_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = data.to_str().unwrap().to_string();
    let train = |out: &str, options: &[&str]| {
        let out = tmp.path().join(out);
        let mut args = vec![
            "train",
            "--backend",
            "candle",
            "--dataset",
            "mnist",
            "--data-dir",
            &data,
            "--subset-per-class",
            "10",
            "--model",
            "mlp",
            "--width",
            "16",
            "--depth",
            "1",
            "--optimizer",
            "lbfgs",
            "--lr",
            "1",
            "--epochs",
            "1",
            "--batch-size",
            "50",
            "--progress",
            "none",
        ];
        args.extend_from_slice(options);
        let out_s = out.to_str().unwrap().to_string();
        let result = collapse(&[args.as_slice(), &["--out", &out_s]].concat());
        (result, out)
    };
    let (ok, run) = train(
        "lbfgs",
        &[
            "--optimizer-option",
            "max_iter=3",
            "--optimizer-option",
            "history=5",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let options = &manifest["experiment"]["optimizer_options"];
    assert_eq!(
        (options["max_iter"].as_i64(), options["history"].as_i64()),
        (Some(3), Some(5))
    );
    // The backend names an option it does not know; a malformed one never reaches it.
    for (name, option, says) in [
        ("colour", "colour=1", "optimizer.colour"),
        ("malformed", "history", "KEY=VALUE"),
    ] {
        let (bad, _) = train(name, &["--optimizer-option", option]);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
    }
}
