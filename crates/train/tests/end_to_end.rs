//! End to end through the real ABI: the UFM plugin (built as a dev-dependency cdylib) is
//! loaded by name, trained, interrupted, resumed; the run directory is checked row by row
//! against an uninterrupted run, and the NC metrics must fall.

use std::path::Path;

use collapse_train::{
    resume, train, EpochRow, Experiment, LrSchedule, ProgressMode, RunDir, RunOptions,
};

fn experiment(epochs: usize) -> Experiment {
    Experiment {
        backend: Some("ufm".into()),
        classes: Some(4),
        per_class: Some(8),
        dim: Some(6),
        lambda_h: Some(5e-3),
        epochs,
        batch_size: 8,
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 5e-3,
        schedule: LrSchedule::Step {
            step: 10,
            gamma: 0.5,
        },
        seed: 1,
        checkpoint_every: 2,
        ..Experiment::default()
    }
}

const QUIET: RunOptions = RunOptions {
    progress: ProgressMode::Silent,
    stop_after: None,
};

fn read(dir: &Path) -> Vec<EpochRow> {
    RunDir::open(dir).unwrap().read_rows().unwrap()
}

#[test]
fn interrupted_and_resumed_run_equals_the_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (full, cut) = (tmp.path().join("full"), tmp.path().join("cut"));
    let exp = experiment(12);
    let done = train(&exp, &full, QUIET).unwrap();
    assert!(done.finished());

    // Interrupt after epoch 5: rows 1..5 are on disk, the last checkpoint is epoch 4.
    let stopped = train(
        &exp,
        &cut,
        RunOptions {
            stop_after: Some(5),
            ..QUIET
        },
    )
    .unwrap();
    assert_eq!(stopped.completed_epochs, 5);
    assert!(!stopped.finished());
    assert_eq!(read(&cut).len(), 5);
    let dir = RunDir::open(&cut).unwrap();
    assert_eq!(dir.last_checkpoint().unwrap().unwrap().0, 4);

    let resumed = resume(&cut, None, QUIET).unwrap();
    assert!(resumed.finished());

    // Same rows, bit for bit: none lost, none duplicated, epoch 5 recomputed identically.
    let (a, b) = (read(&full), read(&cut));
    assert_eq!(
        b.iter().map(|r| r.epoch).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    assert_eq!(a, b);
    let csv = std::fs::read_to_string(cut.join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13, "header + 12 rows");
    let header = csv.lines().next().unwrap();
    for col in [
        "epoch,lr,train_loss,train_acc",
        "nc1",
        "nc2_w",
        "nc3",
        "nc4",
        "bias",
    ] {
        assert!(header.contains(col), "csv header lacks {col}: {header}");
    }
    assert!(
        !header.contains("nc4_test"),
        "no test split, no nc4_test: {header}"
    );

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cut.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["resumed_from"], serde_json::json!([4]));
    assert_eq!(manifest["completed_epochs"], 12);
    assert_eq!(manifest["backend"]["name"], "ufm");
    assert_eq!(manifest["seed"], 1);
    assert_eq!(
        manifest["session"]["trainable_parameters"],
        6 * 32 + 4 * 6 + 4
    );
    assert!(manifest["session"]["peak_memory_bytes"].as_u64().unwrap() > 0);
    let ckpts: Vec<String> = std::fs::read_dir(cut.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for e in [2, 4, 6, 8, 10, 12] {
        assert!(
            ckpts.contains(&format!("epoch-{e:04}.safetensors")),
            "{ckpts:?}"
        );
    }
    // The learning-rate schedule is applied per epoch.
    assert_eq!(b[9].lr, 0.1);
    assert_eq!(b[10].lr, 0.05);
}

#[test]
fn nc_metrics_fall_while_the_ufm_trains() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let exp = Experiment {
        lr: 0.5,
        weight_decay: 1e-2,
        lambda_h: Some(1e-2),
        schedule: LrSchedule::Constant,
        checkpoint_every: 60,
        ..experiment(60)
    };
    train(&exp, &run, QUIET).unwrap();
    let rows = read(&run);
    let m =
        |e: usize, k: &str| rows[e - 1].metrics[k].unwrap_or_else(|| panic!("{k} missing at {e}"));
    for name in ["nc1", "nc2_w", "nc3"] {
        let (a, b, c) = (m(1, name), m(30, name), m(60, name));
        eprintln!("{name}: epoch 1 {a:.3e}, 30 {b:.3e}, 60 {c:.3e}");
        assert!(b < a && c < b, "{name} did not fall: {a} -> {b} -> {c}");
        assert!(c < 0.1 * a, "{name} fell too little: {a} -> {c}");
    }
    assert_eq!(
        m(60, "nc4"),
        0.0,
        "classifier and nearest class mean must agree"
    );
    assert_eq!(rows[59].train_acc, 1.0);
    assert!(rows[59].train_loss < rows[0].train_loss);
}

#[test]
fn an_existing_run_directory_is_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    train(&experiment(1), &run, QUIET).unwrap();
    let err = train(&experiment(1), &run, QUIET).unwrap_err().to_string();
    assert!(err.contains("--resume"), "{err}");
    let err = resume(&tmp.path().join("nothing"), None, QUIET)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no manifest.json"), "{err}");
}

#[test]
fn resume_can_extend_a_finished_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    train(&experiment(2), &run, QUIET).unwrap();
    let s = resume(&run, Some(4), QUIET).unwrap();
    assert_eq!(s.completed_epochs, 4);
    assert_eq!(read(&run).len(), 4);
    let err = resume(&run, Some(3), QUIET).unwrap_err().to_string();
    assert!(err.contains("below the 4 epochs"), "{err}");
}
