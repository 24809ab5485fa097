//! A short real run through the host and the ABI (this crate's cdylib, loaded by name): a
//! narrow MLP on a 100-per-class MNIST subset, trained by the tch backend and by the candle
//! backend from the same configuration. The loss falls, every NC metric is computed every
//! epoch, and both backends' per-epoch metrics agree within 1e-4 relative (measured 8e-8) (they start from the
//! same seeded weights and see the same batches; f32 rounding is the only difference).
//!
//! Needs MNIST in `$COLLAPSE_DATA_DIR` or `<repo>/data` (`cargo xtask data`): fails when
//! absent under CI (`$CI` set), skips with a message otherwise.

use std::path::{Path, PathBuf};

use collapse_train::{train, EpochRow, Experiment, ProgressMode, RunDir, RunOptions};

const QUIET: RunOptions = RunOptions {
    progress: ProgressMode::Silent,
    stop_after: None,
};

/// Relative tolerance between the backends' metrics after 3 epochs (60 SGD steps).
const TOL: f64 = 1e-4;

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("COLLAPSE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"));
    if dir.join("mnist").is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "MNIST not found in {} (set COLLAPSE_DATA_DIR or run `cargo xtask data --dataset mnist`)",
        dir.join("mnist").display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set, so the real data must be there: {msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn run(backend: &str, data: &Path, out: &Path) -> Vec<EpochRow> {
    let exp = Experiment {
        backend: Some(backend.into()),
        dataset: "mnist".into(),
        data_dir: data.to_path_buf(),
        subset_per_class: Some(100),
        model: toml::from_str("model = \"mlp\"\nwidth = 64\ndepth = 2\n").unwrap(),
        epochs: 3,
        batch_size: 50,
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        seed: 3,
        ..Experiment::default()
    };
    assert!(train(&exp, out, QUIET).unwrap().finished());
    RunDir::open(out).unwrap().read_rows().unwrap()
}

#[test]
fn mlp_on_mnist_matches_the_candle_run() {
    let Some(data) = data_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = run("tch", &data, &tmp.path().join("tch"));
    let c = run("candle", &data, &tmp.path().join("candle"));
    assert_eq!(t.len(), 3);
    assert!(
        t[2].train_loss < 0.7 * t[0].train_loss,
        "tch loss did not fall"
    );
    assert!(
        t[2].train_acc > 0.8,
        "tch train accuracy {}",
        t[2].train_acc
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("tch/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["backend"]["name"], "tch");
    let mut worst = 0.0f64;
    for (a, b) in t.iter().zip(&c) {
        for m in [
            "train_loss",
            "train_acc",
            "test_acc",
            "nc1",
            "nc2_w",
            "nc2_m",
            "nc3",
            "nc4",
        ] {
            let (x, y) = (a.value(m), b.value(m));
            let (x, y) = (x.expect(m), y.expect(m));
            assert!(x.is_finite(), "epoch {}: tch {m} = {x}", a.epoch);
            let rel = (x - y).abs() / y.abs().max(1e-12);
            worst = worst.max(rel);
            assert!(
                rel <= TOL,
                "epoch {}: {m} tch {x} vs candle {y} (relative {rel:e} > {TOL})",
                a.epoch
            );
        }
    }
    eprintln!("largest relative metric difference tch vs candle: {worst:.1e}");
}
