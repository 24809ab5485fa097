//! `collapse train`: train through a backend plugin and write a run directory; or continue one
//! with `--resume RUN`.

use crate::exit::BadInput;
use anyhow::Result;
use clap::{Args, ValueEnum};
use collapse_train::{Experiment, LrSchedule, ProgressMode, RunOptions, TrainError};
use std::path::PathBuf;

/// Progress display.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, plain lines otherwise.
    Auto,
    /// One line per epoch.
    Plain,
    /// Nothing.
    None,
}

/// Flags of `train` (flags override `--config`; with `--resume` only `--epochs` may change).
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Experiment description (TOML); flags given as well override its keys.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Backend by name: `ufm` loads libcollapse_plugin_ufm.so from COLLAPSE_PLUGIN_PATH,
    /// the executable's folder or the build's target folder.
    #[arg(long, conflicts_with = "plugin")]
    backend: Option<String>,
    /// Backend library file.
    #[arg(long)]
    plugin: Option<PathBuf>,
    /// mnist, fashion-mnist, cifar10, cifar100, digits, or synthetic (backends with their own
    /// data, like ufm).
    #[arg(long)]
    dataset: Option<String>,
    /// Folder holding the data sets (see `cargo xtask data`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep the first m training examples of each class.
    #[arg(long)]
    subset_per_class: Option<usize>,
    /// Replace the training labels by balanced random labels drawn from --seed.
    #[arg(long)]
    random_labels: bool,
    /// Train on randomly cropped (padding 4) and flipped images; the metrics still use the
    /// un-augmented training set.
    #[arg(long)]
    augment: bool,
    /// Number of classes K.
    #[arg(long)]
    classes: Option<usize>,
    /// Samples per class n (synthetic data).
    #[arg(long)]
    per_class: Option<usize>,
    /// Feature dimension d.
    #[arg(long)]
    dim: Option<usize>,
    /// Feature weight decay λ_H.
    #[arg(long)]
    lambda_h: Option<f64>,
    /// Network backends: mlp, resnet18 or resnet18-width (a `[model]` key of the config).
    #[arg(long)]
    model: Option<String>,
    /// Network backends: channel width (ResNet: base width; MLP: hidden width).
    #[arg(long)]
    width: Option<i64>,
    /// Network backends: number of hidden layers of the MLP.
    #[arg(long)]
    depth: Option<i64>,
    /// Network backends: ResNet stem, `default` (7×7 + max-pool) or `3x3`.
    #[arg(long)]
    stem: Option<String>,
    /// Network backends: classifier head, `learned` or `etf` (a frozen simplex ETF).
    #[arg(long)]
    classifier: Option<String>,
    /// Network backends: rotate the fixed ETF by this seed (default: the canonical ETF).
    #[arg(long)]
    etf_rotation_seed: Option<i64>,
    /// Network backends: feature dimension d of the penultimate layer (512, or K).
    #[arg(long)]
    feature_dim: Option<i64>,
    /// Network backends: a classifier without bias.
    #[arg(long)]
    no_bias: bool,
    /// Number of epochs (with --resume: extend the run to this many).
    #[arg(long)]
    epochs: Option<usize>,
    /// Mini-batch size.
    #[arg(long)]
    batch_size: Option<usize>,
    /// sgd, adam or lbfgs.
    #[arg(long)]
    optimizer: Option<String>,
    /// An option of the optimiser as KEY=VALUE, repeatable: `history=10`, `max_iter=20`
    /// (lbfgs); `beta1=0.9`, `beta2=0.999`, `eps=1e-8` (adam).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_option)]
    optimizer_option: Vec<(String, toml::Value)>,
    /// Base learning rate.
    #[arg(long)]
    lr: Option<f64>,
    /// SGD momentum.
    #[arg(long)]
    momentum: Option<f64>,
    /// Coupled weight decay (λ_W = λ_b for the UFM).
    #[arg(long)]
    weight_decay: Option<f64>,
    /// Decay the learning rate every this many epochs (StepLR).
    #[arg(long, conflicts_with = "lr_milestones")]
    lr_step: Option<usize>,
    /// Decay factor of the learning-rate schedule (default 0.1).
    #[arg(long)]
    lr_gamma: Option<f64>,
    /// Decay after these epochs (MultiStepLR), comma-separated.
    #[arg(long, value_delimiter = ',')]
    lr_milestones: Option<Vec<usize>>,
    /// Seed of everything random.
    #[arg(long)]
    seed: Option<u64>,
    /// cpu, cuda or cuda:INDEX.
    #[arg(long)]
    device: Option<String>,
    /// Checkpoint every this many epochs (and after the last).
    #[arg(long)]
    checkpoint_every: Option<usize>,
    /// Run directory to create.
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue the run in this directory from its last checkpoint.
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Stop after this epoch as if interrupted (the run stays resumable).
    #[arg(long, hide = true)]
    stop_after: Option<usize>,
    /// Progress display.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    progress: ProgressArg,
}

/// `KEY=VALUE` with VALUE a TOML value (a number, `true`, or a quoted string).
fn parse_option(text: &str) -> Result<(String, toml::Value), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected KEY=VALUE, e.g. history=10"))?;
    let parsed: toml::Table = toml::from_str(&format!("v = {value}"))
        .map_err(|_| format!("{text:?}: the value must be a number, true/false or \"text\""))?;
    Ok((key.trim().to_string(), parsed["v"].clone()))
}

impl TrainArgs {
    /// Names of the experiment flags given (those that cannot change on resume).
    fn experiment_flags(&self) -> Vec<&'static str> {
        let given = [
            ("--config", self.config.is_some()),
            ("--backend", self.backend.is_some()),
            ("--plugin", self.plugin.is_some()),
            ("--dataset", self.dataset.is_some()),
            ("--data-dir", self.data_dir.is_some()),
            ("--subset-per-class", self.subset_per_class.is_some()),
            ("--random-labels", self.random_labels),
            ("--augment", self.augment),
            ("--classes", self.classes.is_some()),
            ("--per-class", self.per_class.is_some()),
            ("--dim", self.dim.is_some()),
            ("--lambda-h", self.lambda_h.is_some()),
            ("--model", self.model.is_some()),
            ("--width", self.width.is_some()),
            ("--depth", self.depth.is_some()),
            ("--stem", self.stem.is_some()),
            ("--classifier", self.classifier.is_some()),
            ("--etf-rotation-seed", self.etf_rotation_seed.is_some()),
            ("--feature-dim", self.feature_dim.is_some()),
            ("--no-bias", self.no_bias),
            ("--batch-size", self.batch_size.is_some()),
            ("--optimizer", self.optimizer.is_some()),
            ("--optimizer-option", !self.optimizer_option.is_empty()),
            ("--lr", self.lr.is_some()),
            ("--momentum", self.momentum.is_some()),
            ("--weight-decay", self.weight_decay.is_some()),
            ("--lr-step", self.lr_step.is_some()),
            ("--lr-gamma", self.lr_gamma.is_some()),
            ("--lr-milestones", self.lr_milestones.is_some()),
            ("--seed", self.seed.is_some()),
            ("--device", self.device.is_some()),
            ("--checkpoint-every", self.checkpoint_every.is_some()),
        ];
        given.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect()
    }

    /// The experiment: the config file (or defaults) with the flags on top.
    fn experiment(&self) -> Result<Experiment, TrainError> {
        let mut e = match &self.config {
            Some(path) => Experiment::from_toml_file(path)?,
            None => Experiment::default(),
        };
        if let Some(b) = &self.backend {
            e.backend = Some(b.clone());
            e.plugin = None;
        }
        if let Some(p) = &self.plugin {
            e.plugin = Some(p.clone());
            e.backend = None;
        }
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(v) = &self.$field { e.$field = v.clone(); }
            )*};
        }
        set!(
            dataset,
            data_dir,
            epochs,
            batch_size,
            optimizer,
            lr,
            momentum,
            weight_decay,
            seed,
            device,
            checkpoint_every
        );
        macro_rules! set_opt {
            ($($field:ident),*) => {$(
                if self.$field.is_some() { e.$field = self.$field.clone(); }
            )*};
        }
        set_opt!(subset_per_class, classes, per_class, dim, lambda_h);
        e.random_labels |= self.random_labels;
        for (key, value) in &self.optimizer_option {
            e.optimizer_options.insert(key.clone(), value.clone());
        }
        e.augment |= self.augment;
        // Model flags become `[model]` keys, passed through to the backend unchanged.
        let model_keys = [
            ("model", self.model.clone().map(toml::Value::String)),
            ("width", self.width.map(toml::Value::Integer)),
            ("depth", self.depth.map(toml::Value::Integer)),
            ("stem", self.stem.clone().map(toml::Value::String)),
            (
                "classifier",
                self.classifier.clone().map(toml::Value::String),
            ),
            (
                "etf_rotation_seed",
                self.etf_rotation_seed.map(toml::Value::Integer),
            ),
            ("feature_dim", self.feature_dim.map(toml::Value::Integer)),
            ("bias", self.no_bias.then_some(toml::Value::Boolean(false))),
        ];
        for (key, value) in model_keys {
            if let Some(v) = value {
                e.model.insert(key.to_string(), v);
            }
        }
        let current_gamma = match &e.schedule {
            LrSchedule::Step { gamma, .. } | LrSchedule::MultiStep { gamma, .. } => *gamma,
            LrSchedule::Constant => 0.1,
        };
        let gamma = self.lr_gamma.unwrap_or(current_gamma);
        if let Some(step) = self.lr_step {
            e.schedule = LrSchedule::Step { step, gamma };
        } else if let Some(m) = &self.lr_milestones {
            e.schedule = LrSchedule::MultiStep {
                milestones: m.clone(),
                gamma,
            };
        } else if let Some(g) = self.lr_gamma {
            match &mut e.schedule {
                LrSchedule::Step { gamma, .. } | LrSchedule::MultiStep { gamma, .. } => *gamma = g,
                LrSchedule::Constant => {
                    return Err(TrainError::Config(
                        "--lr-gamma needs a schedule: add --lr-step N or --lr-milestones A,B"
                            .into(),
                    ))
                }
            }
        }
        Ok(e)
    }
}

/// Turns a training error into an anyhow error with the right exit code.
fn classify(err: TrainError) -> anyhow::Error {
    if err.is_bad_input() {
        anyhow::Error::new(BadInput(err.to_string()))
    } else {
        anyhow::Error::new(err)
    }
}

/// Runs `train`.
pub fn run(args: TrainArgs) -> Result<()> {
    let opts = RunOptions {
        progress: match args.progress {
            ProgressArg::Auto => ProgressMode::Auto,
            ProgressArg::Plain => ProgressMode::Plain,
            ProgressArg::None => ProgressMode::Silent,
        },
        stop_after: args.stop_after,
    };
    let summary = match &args.resume {
        Some(run) => {
            let fixed = args.experiment_flags();
            if !fixed.is_empty() {
                return Err(BadInput(format!(
                    "{} cannot change when resuming (the run's manifest fixes them); only --epochs can extend a run",
                    fixed.join(", ")
                ))
                .into());
            }
            collapse_train::resume(run, args.epochs, opts).map_err(classify)?
        }
        None => {
            let exp = args.experiment().map_err(classify)?;
            let out = args
                .out
                .as_ref()
                .expect("clap requires --out without --resume");
            collapse_train::train(&exp, out, opts).map_err(classify)?
        }
    };
    let state = if summary.finished() {
        "finished"
    } else {
        "stopped"
    };
    println!(
        "{state} after epoch {}/{}: {}",
        summary.completed_epochs,
        summary.epochs,
        summary.run_dir.display()
    );
    if let Some(row) = &summary.last {
        println!("{}", collapse_train::progress::summary(row));
    }
    Ok(())
}
