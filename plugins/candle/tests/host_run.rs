//! Short real runs through the host and the ABI (this crate's cdylib, loaded by name):
//! an MLP and a narrow ResNet18 on a 100-per-class MNIST subset. The loss falls, training
//! accuracy rises, every NC metric is computed every epoch, and (MLP) a run interrupted after
//! epoch 2 and resumed equals the uninterrupted run row for row, which also shows the backend
//! deterministic for a seed; the same holds for a run with crop+flip augmentation. (The ResNet's bit-exact resume is checked without the host, on
//! smaller inputs, in `sessions.rs`: the host evaluates all 10,000 MNIST test images every
//! epoch, which makes every extra ResNet epoch cost seconds.)
//!
//! Needs MNIST in `$COLLAPSE_DATA_DIR` or `<repo>/data` (`cargo xtask data`): fails when
//! absent under CI (`$CI` set), skips with a message otherwise.

use std::path::{Path, PathBuf};

use collapse_train::{resume, train, EpochRow, Experiment, ProgressMode, RunDir, RunOptions};

const QUIET: RunOptions = RunOptions {
    progress: ProgressMode::Silent,
    stop_after: None,
};

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

fn experiment(data: &Path, model: &str, epochs: usize, lr: f64) -> Experiment {
    Experiment {
        backend: Some("candle".into()),
        dataset: "mnist".into(),
        data_dir: data.to_path_buf(),
        subset_per_class: Some(100),
        model: toml::from_str(model).unwrap(),
        epochs,
        batch_size: 50,
        lr,
        momentum: 0.9,
        weight_decay: 5e-4,
        seed: 3,
        ..Experiment::default()
    }
}

fn rows(dir: &Path) -> Vec<EpochRow> {
    RunDir::open(dir).unwrap().read_rows().unwrap()
}

/// Trains (with `check_resume`, also a copy interrupted after epoch 2 and resumed) and
/// checks the learning curve and the metrics.
fn run(
    model: &str,
    epochs: usize,
    lr: f64,
    check_resume: bool,
    min_acc: f64,
    augment: bool,
) -> Vec<EpochRow> {
    let Some(data) = data_dir() else {
        return Vec::new();
    };
    let tmp = tempfile::tempdir().unwrap();
    let (full, cut) = (tmp.path().join("full"), tmp.path().join("cut"));
    let exp = Experiment {
        augment,
        ..experiment(&data, model, epochs, lr)
    };
    assert!(train(&exp, &full, QUIET).unwrap().finished());
    let a = rows(&full);
    assert_eq!(a.len(), epochs);
    if check_resume {
        let stopped = train(
            &exp,
            &cut,
            RunOptions {
                stop_after: Some(2),
                ..QUIET
            },
        )
        .unwrap();
        assert_eq!(stopped.completed_epochs, 2);
        assert!(resume(&cut, None, QUIET).unwrap().finished());
        assert_eq!(
            a,
            rows(&cut),
            "resumed run differs from the uninterrupted one"
        );
    }
    for r in &a {
        for m in ["nc1", "nc2_w", "nc2_m", "nc3", "nc4", "nc4_test"] {
            let v = r.value(m);
            assert!(
                v.is_some_and(f64::is_finite),
                "epoch {}: {m} = {v:?}",
                r.epoch
            );
        }
        assert!(r.test_acc.is_some(), "MNIST has a test split");
    }
    let (first, last) = (&a[0], &a[epochs - 1]);
    assert!(
        last.train_loss < 0.7 * first.train_loss,
        "train loss {} -> {}",
        first.train_loss,
        last.train_loss
    );
    assert!(
        last.train_acc > first.train_acc + 0.05 && last.train_acc > min_acc,
        "train accuracy {} -> {}",
        first.train_acc,
        last.train_acc
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(full.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["backend"]["name"], "candle");
    assert_eq!(manifest["experiment"]["augment"], augment);
    a
}

#[test]
fn mlp_learns_mnist_and_resumes_exactly() {
    run(
        "model = \"mlp\"\nwidth = 64\ndepth = 2\n",
        4,
        0.05,
        true,
        0.85,
        false,
    );
}

#[test]
fn mlp_learns_augmented_mnist_and_resumes_exactly() {
    let model = "model = \"mlp\"\nwidth = 64\ndepth = 2\n";
    let augmented = run(model, 4, 0.05, true, 0.6, true);
    let (Some(data), Some(first)) = (data_dir(), augmented.first()) else {
        return;
    };
    // The same run without augmentation: another first epoch.
    let tmp = tempfile::tempdir().unwrap();
    assert!(train(&experiment(&data, model, 1, 0.05), tmp.path(), QUIET)
        .unwrap()
        .finished());
    let plain = &rows(tmp.path())[0];
    assert_ne!(
        first.train_loss, plain.train_loss,
        "--augment changed nothing"
    );
}

#[test]
fn narrow_resnet18_learns_mnist() {
    run(
        "model = \"resnet18\"\nwidth = 8\nstem = \"default\"\n",
        3,
        0.05,
        false,
        0.6,
        false,
    );
}
