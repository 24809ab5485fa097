//! `collapse model summary`: what a backend would build for a model description, asked of the
//! plugin itself (it creates a session and reports its parameter counts).

use crate::exit::BadInput;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use collapse_plugin_api::{OptimizerConfig, PluginError, PluginSpec, SessionConfig};
use std::path::PathBuf;

/// Subcommands of `model`.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Parameter counts of a model, as the backend builds it.
    Summary(SummaryArgs),
}

/// Flags of `model summary` (every model flag becomes a key of the backend's model JSON).
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Backend by name (e.g. `candle`).
    #[arg(long, conflicts_with = "plugin")]
    backend: Option<String>,
    /// Backend library file.
    #[arg(long)]
    plugin: Option<PathBuf>,
    /// Network: mlp, resnet18 or resnet18-width.
    #[arg(long, default_value = "resnet18")]
    model: String,
    /// Number of classes K.
    #[arg(long, default_value_t = 10)]
    classes: usize,
    /// MLP width, or the base width of a ResNet.
    #[arg(long)]
    width: Option<usize>,
    /// MLP depth.
    #[arg(long)]
    depth: Option<usize>,
    /// ResNet stem: default (7×7 + max-pool) or 3x3.
    #[arg(long)]
    stem: Option<String>,
    /// Classifier head: learned or etf.
    #[arg(long)]
    classifier: Option<String>,
    /// Seed of a rotated ETF head (canonical placement without it).
    #[arg(long)]
    etf_rotation_seed: Option<u64>,
    /// Feature dimension d (ResNet18: 512 or K).
    #[arg(long)]
    feature_dim: Option<usize>,
    /// No classifier bias.
    #[arg(long)]
    no_bias: bool,
    /// Input shape C,H,W (default 3,32,32).
    #[arg(long, value_delimiter = ',', num_args = 3)]
    input_shape: Option<Vec<usize>>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl SummaryArgs {
    /// The model JSON handed to the backend.
    fn model_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("model".into(), self.model.clone().into());
        m.insert("classes".into(), self.classes.into());
        macro_rules! put {
            ($($field:ident),*) => {$(
                if let Some(v) = &self.$field { m.insert(stringify!($field).into(), serde_json::json!(v)); }
            )*};
        }
        put!(
            width,
            depth,
            stem,
            classifier,
            etf_rotation_seed,
            feature_dim,
            input_shape
        );
        if self.no_bias {
            m.insert("bias".into(), false.into());
        }
        serde_json::Value::Object(m)
    }
}

/// Whether a state tensor is a model parameter (trainable or frozen): not a BatchNorm
/// buffer and not optimiser state, by the naming contract of docs/plugin-guide.md.
fn is_parameter(name: &str) -> bool {
    !(name.starts_with("optimizer.")
        || name.ends_with(".running_mean")
        || name.ends_with(".running_var")
        || name.ends_with(".num_batches_tracked"))
}

/// Exit code 2 where the host's rules call the failure the user's input.
fn classify(e: collapse_train::TrainError) -> anyhow::Error {
    if e.is_bad_input() {
        anyhow::Error::new(BadInput(e.to_string()))
    } else {
        anyhow::Error::new(e)
    }
}

fn plugin_error(e: PluginError) -> anyhow::Error {
    classify(e.into())
}

/// Runs `model`.
pub fn run(cmd: ModelCommand) -> Result<()> {
    match cmd {
        ModelCommand::Summary(args) => summary(&args),
    }
}

fn summary(args: &SummaryArgs) -> Result<()> {
    let spec = match (&args.backend, &args.plugin) {
        (_, Some(p)) => PluginSpec::Path(p.clone()),
        (Some(b), None) => PluginSpec::Name(b.clone()),
        (None, None) => {
            return Err(
                BadInput("give --backend NAME (e.g. candle) or --plugin PATH".into()).into(),
            )
        }
    };
    let plugin = collapse_train::open_plugin(&spec).map_err(classify)?;
    let model = args.model_json();
    let config = SessionConfig {
        model: model.clone(),
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.9,
            weight_decay: 0.0,
            batch_size: 1,
            extra: Default::default(),
        },
        seed: 0,
        device: "cpu".into(),
    };
    let mut session = plugin.create_session(&config).map_err(plugin_error)?;
    let info = session.info().map_err(plugin_error)?;
    let state = session.save_state().map_err(plugin_error)?;
    let st = safetensors::SafeTensors::deserialize(&state)
        .context("the backend's state is not safetensors")?;
    let total: u64 = st
        .tensors()
        .iter()
        .filter(|(name, _)| is_parameter(name))
        .map(|(_, v)| v.shape().iter().product::<usize>() as u64)
        .sum();
    if args.json {
        let out = serde_json::json!({
            "backend": plugin.info().name,
            "model": model,
            "feature_dim": info.dim,
            "classes": info.classes,
            "trainable_params": info.trainable_parameters,
            "total_params": total,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("backend           {}", plugin.info().name);
        println!("model             {model}");
        println!("feature dim d     {}", info.dim);
        println!("classes K         {}", info.classes);
        println!("trainable params  {}", info.trainable_parameters);
        println!("total params      {total}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_parameter;

    #[test]
    fn buffers_and_optimizer_state_are_not_parameters() {
        assert!(is_parameter("layer1.0.bn1.weight"));
        assert!(is_parameter("fc.weight"));
        assert!(!is_parameter("bn1.running_var"));
        assert!(!is_parameter("bn1.num_batches_tracked"));
        assert!(!is_parameter("optimizer.fc.weight.momentum_buffer"));
    }
}
