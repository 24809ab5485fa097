//! Training through the candle backend: a small MNIST run with a learned classifier and with
//! the fixed simplex-ETF head (paper §5), NC1–NC4 and the error rates per epoch.
//!
//! Needs MNIST (`cargo xtask data`) in `$COLLAPSE_DATA_DIR` or `<repo>/data`, and the candle
//! plugin (`cargo build --release -p collapse-plugin-candle`; `cargo xtask reproduce` builds
//! it). Without either the section says what is missing; the check fails only where they
//! were expected (`$CI` or `$COLLAPSE_DATA_DIR` set).

use crate::figure::{log_y_chart, Series};
use crate::{Check, Options, Profile, Section};
use anyhow::Result;
use collapse_plugin_api::PluginSpec;
use collapse_train::{EpochRow, Experiment, ProgressMode, RunOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const TITLE: &str = "Training: learned vs fixed simplex-ETF classifier (MNIST, candle)";

/// Where MNIST should be.
fn data_dir() -> PathBuf {
    std::env::var_os("COLLAPSE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"))
}

/// Whether the environment promised data and plugin (CI, or an explicit data folder).
fn expected() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("COLLAPSE_DATA_DIR").is_some()
}

/// A section that only says what is missing (and fails where it was expected).
fn missing(what: &str, fix: &str) -> Section {
    let mut body = format!("Not run: {what}. {fix}\n");
    let mut checks = Vec::new();
    if expected() {
        body.push_str("\nThe environment (CI or COLLAPSE_DATA_DIR) says it should be there.\n");
        checks.push(Check::equal("training section ran", "ran", what));
    }
    Section {
        title: TITLE.into(),
        body,
        checks,
    }
}

/// The experiment of one head.
fn experiment(data: &Path, head: &str, profile: Profile, seed: u64) -> Experiment {
    let (model, per_class, epochs, step) = match profile {
        Profile::Quick => (
            format!("model = \"mlp\"\nwidth = 128\ndepth = 3\nclassifier = \"{head}\"\n"),
            100,
            20,
            15,
        ),
        Profile::Full => (
            format!(
                "model = \"resnet18\"\nwidth = 16\nstem = \"default\"\nclassifier = \"{head}\"\n"
            ),
            500,
            30,
            20,
        ),
    };
    Experiment {
        backend: Some("candle".into()),
        dataset: "mnist".into(),
        data_dir: data.to_path_buf(),
        subset_per_class: Some(per_class),
        model: toml::from_str(&model).expect("static TOML"),
        epochs,
        batch_size: 64,
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        schedule: collapse_train::LrSchedule::Step { step, gamma: 0.1 },
        seed,
        checkpoint_every: epochs,
        ..Experiment::default()
    }
}

fn series(rows: &[EpochRow], label: &str, f: impl Fn(&EpochRow) -> Option<f64>) -> Series {
    Series {
        label: label.into(),
        points: rows
            .iter()
            .filter_map(|r| f(r).map(|v| (r.epoch as f64, v)))
            .collect(),
    }
}

/// Runs both heads and draws the figures.
pub fn run(options: &Options) -> Result<Section> {
    let data = data_dir();
    if !data.join("mnist").is_dir() {
        return Ok(missing(
            &format!("MNIST not found in {}", data.join("mnist").display()),
            "Fetch it with `cargo xtask data --dataset mnist` (or set COLLAPSE_DATA_DIR).",
        ));
    }
    if let Err(e) = collapse_train::open_plugin(&PluginSpec::Name("candle".into())) {
        return Ok(missing(
            &format!("the candle plugin could not be loaded ({e})"),
            "Build it with `cargo build --release -p collapse-plugin-candle` (`cargo xtask reproduce` does).",
        ));
    }
    let runs_dir = options.out.join("training");
    let mut results: Vec<(&str, Vec<EpochRow>)> = Vec::new();
    for head in ["learned", "etf"] {
        let exp = experiment(&data, head, options.profile, options.seed);
        let dir = runs_dir.join(head);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        collapse_train::train(
            &exp,
            &dir,
            RunOptions {
                progress: ProgressMode::Silent,
                stop_after: None,
            },
        )?;
        results.push((head, collapse_train::read_rows(&dir)?));
    }
    let figures = options.out.join("figures");
    let metrics = [
        ("nc1", "NC1 (within-class variability)"),
        ("nc2_w", "NC2 of W (distance to a simplex ETF)"),
        ("nc2_m", "NC2 of the class means"),
        ("nc3", "NC3 (self-duality of W and M)"),
        ("nc4", "NC4 (nearest-class-centre mismatch)"),
    ];
    let mut body = String::new();
    let exp0 = experiment(&data, "learned", options.profile, options.seed);
    let mut model = exp0.model.clone();
    model.remove("classifier");
    writeln!(
        body,
        "MNIST, first {} training images per class, model `{}`, SGD (lr 0.05, momentum 0.9, \
         weight decay 5e-4, batch 64, StepLR ×0.1), {} epochs, seed {}; one run with a \
         learned classifier and one with the fixed canonical simplex ETF (W frozen, bias \
         trained). Metrics by the host after every epoch, on the un-augmented training set.",
        exp0.subset_per_class.unwrap_or(0),
        serde_json::to_string(&model).unwrap_or_default(),
        exp0.epochs,
        options.seed
    )?;
    writeln!(body)?;
    for (name, label) in metrics {
        let file = format!("training_{name}.svg");
        let s: Vec<Series> = results
            .iter()
            .map(|(head, rows)| series(rows, head, |r| r.value(name)))
            .collect();
        if s.iter().any(|s| s.points.iter().any(|p| p.1 > 0.0)) {
            log_y_chart(&figures.join(&file), label, "epoch", &s)?;
            writeln!(body, "![{label}](figures/{file})")?;
            writeln!(body)?;
        }
    }
    let err: Vec<Series> = results
        .iter()
        .flat_map(|(head, rows)| {
            [
                series(rows, &format!("{head}: train error"), |r| {
                    Some(1.0 - r.train_acc)
                }),
                series(rows, &format!("{head}: test error"), |r| {
                    r.test_acc.map(|a| 1.0 - a)
                }),
            ]
        })
        .collect();
    log_y_chart(
        &figures.join("training_error.svg"),
        "error rate (1 - accuracy)",
        "epoch",
        &err,
    )?;
    writeln!(body, "![error rates](figures/training_error.svg)")?;
    writeln!(body)?;
    writeln!(
        body,
        "| head | train acc | test acc | NC1 first → last | NC2(W) last | NC3 last | NC4 last |"
    )?;
    writeln!(body, "|---|---|---|---|---|---|---|")?;
    let mut checks = Vec::new();
    for (head, rows) in &results {
        let (first, last) = (&rows[0], &rows[rows.len() - 1]);
        let v = |r: &EpochRow, m: &str| r.value(m).unwrap_or(f64::NAN);
        writeln!(
            body,
            "| {head} | {:.4} | {:.4} | {:.3e} → {:.3e} | {:.3e} | {:.3e} | {:.3e} |",
            last.train_acc,
            last.test_acc.unwrap_or(f64::NAN),
            v(first, "nc1"),
            v(last, "nc1"),
            v(last, "nc2_w"),
            v(last, "nc3"),
            v(last, "nc4")
        )?;
        checks.push(Check::at_most(
            format!("training ({head}): final training error (terminal phase reached)"),
            0.01,
            1.0 - last.train_acc,
        ));
        checks.push(Check::at_most(
            format!("training ({head}): final test error on all 10,000 MNIST test images"),
            0.2,
            1.0 - last.test_acc.unwrap_or(0.0),
        ));
        checks.push(Check::at_most(
            format!("training ({head}): NC1 last / NC1 first (within-class variability falls)"),
            0.5,
            v(last, "nc1") / v(first, "nc1"),
        ));
        checks.push(Check::at_most(
            format!("training ({head}): NC4 last (NCC agrees with the classifier)"),
            0.02,
            v(last, "nc4"),
        ));
    }
    if let Some((_, rows)) = results.iter().find(|(h, _)| *h == "etf") {
        let worst = rows
            .iter()
            .map(|r| r.value("nc2_w").unwrap_or(f64::INFINITY))
            .fold(0.0, f64::max);
        checks.push(Check::at_most(
            "training (etf): NC2 of W at every epoch (the frozen head stays an exact ETF)",
            1e-6,
            worst,
        ));
    }
    if let Some((_, rows)) = results.iter().find(|(h, _)| *h == "learned") {
        let (first, last) = (&rows[0], &rows[rows.len() - 1]);
        checks.push(Check::at_most(
            "training (learned): NC2 of W last / first (W moves towards an ETF)",
            1.0,
            last.value("nc2_w").unwrap_or(f64::NAN) / first.value("nc2_w").unwrap_or(f64::NAN),
        ));
    }
    writeln!(body)?;
    writeln!(
        body,
        "Run directories (manifest, metrics.jsonl/csv, final checkpoint): `training/learned`, \
         `training/etf`."
    )?;
    Ok(Section {
        title: TITLE.into(),
        body,
        checks,
    })
}

/// [`run`], with a failure turned into a section that reports it (one failing check), so the
/// rest of the report is still written.
pub fn run_guarded(options: &Options) -> Section {
    run(options).unwrap_or_else(|e| Section {
        title: TITLE.into(),
        body: format!("The training run failed: {e:#}\n"),
        checks: vec![Check::equal(
            "training section ran",
            "ran",
            &format!("{e:#}"),
        )],
    })
}
