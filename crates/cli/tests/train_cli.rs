//! `collapse train` and `collapse runs show` as a user runs them: the UFM plugin (built as a
//! dev-dependency) is found by name, a run is stopped and resumed, bad flags exit with 2.

mod common;

use common::collapse;

use std::path::Path;

fn ufm_args(out: &Path) -> Vec<String> {
    [
        "train",
        "--backend",
        "ufm",
        "--classes",
        "3",
        "--per-class",
        "6",
        "--dim",
        "4",
        "--epochs",
        "6",
        "--batch-size",
        "6",
        "--lr",
        "0.5",
        "--weight-decay",
        "1e-2",
        "--lambda-h",
        "1e-2",
        "--progress",
        "plain",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect()
}

#[test]
fn train_stop_resume_and_show() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let mut args = ufm_args(&run);
    args.extend(["--stop-after".into(), "3".into()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = collapse(&argv);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("epoch 3/6"),
        "plain progress lines expected: {stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped after epoch 3/6"));

    let run_s = run.display().to_string();
    let out = collapse(&["train", "--resume", &run_s, "--lr", "0.1"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "changing --lr on resume is bad input"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lr cannot change"));

    let out = collapse(&["train", "--resume", &run_s, "--progress", "none"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("finished after epoch 6/6"));

    let out = collapse(&["runs", "show", &run_s]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 7, "header + 6 epochs:\n{table}");
    for col in [
        "epoch",
        "lr",
        "train_loss",
        "train_acc",
        "nc1",
        "nc2_w",
        "nc3",
        "nc4",
        "bias",
    ] {
        assert!(
            lines[0].split_whitespace().any(|c| c == col),
            "{col} missing: {}",
            lines[0]
        );
    }
    let epochs: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(epochs, ["1", "2", "3", "4", "5", "6"]);
}

#[test]
fn config_file_and_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("exp.toml");
    std::fs::write(
        &cfg,
        "backend = \"ufm\"\nclasses = 3\nper_class = 4\ndim = 4\nepochs = 2\nbatch_size = 4\n\
         [schedule]\nkind = \"step\"\nstep = 1\ngamma = 0.5\n",
    )
    .unwrap();
    let run = tmp.path().join("run");
    let (cfg_s, run_s) = (cfg.display().to_string(), run.display().to_string());
    let out = collapse(&[
        "train",
        "--config",
        &cfg_s,
        "--lr",
        "0.2",
        "--progress",
        "none",
        "--out",
        &run_s,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let lrs: Vec<f64> = rows
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["lr"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        lrs,
        [0.2, 0.1],
        "flag overrides the file, the file's schedule applies"
    );

    let out = collapse(&[
        "train",
        "--backend",
        "ufm",
        "--classes",
        "3",
        "--dim",
        "4",
        "--out",
        &run_s,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--per-class"));

    let out = collapse(&[
        "train",
        "--config",
        &cfg_s,
        "--augment",
        "--out",
        &tmp.path().join("augmented").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--augment apply to real data sets"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = collapse(&[
        "train",
        "--backend",
        "no-such",
        "--classes",
        "3",
        "--per-class",
        "2",
        "--dim",
        "4",
        "--out",
        &tmp.path().join("x").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no plugin named `no-such`"));
}
