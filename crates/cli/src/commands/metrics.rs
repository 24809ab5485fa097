//! `collapse metrics`: every neural-collapse metric of stored features, streamed from the
//! files in row chunks so inputs larger than memory work.

use super::output::emit;
use crate::exit::BadInput;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use collapse_arrays::{ArrayError, ArrayFile, Expect};
use collapse_metrics::{
    evaluate, ClassStats, Evaluation, Head, MeanPass, MetricsError, PinvPolicy, ScatterMode,
    Variant,
};

/// Flags of `metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Training features: .npy (float32/float64, N x d, C order) or safetensors (PATH[:TENSOR]).
    #[arg(long)]
    features: String,
    /// Training labels: .npy or safetensors of integers (any width), N of them, in 0..K.
    #[arg(long)]
    labels: String,
    /// Classifier weights W, K x d (.npy or safetensors PATH[:TENSOR]); needed by the W metrics.
    #[arg(long)]
    weights: Option<String>,
    /// Classifier bias b, K values (.npy or safetensors PATH[:TENSOR]).
    #[arg(long, requires = "weights")]
    bias: Option<String>,
    /// Test features, for nc4_test (nearest-class-centre mismatch against the training means).
    #[arg(long, requires = "test_labels")]
    test_features: Option<String>,
    /// Test labels.
    #[arg(long, requires = "test_features")]
    test_labels: Option<String>,
    /// Number of classes K (default: rows of W, else largest label + 1).
    #[arg(long)]
    classes: Option<usize>,
    /// Metric variants to compute (repeat or comma-separate; default: all the inputs allow).
    #[arg(long = "variant", value_delimiter = ',')]
    variants: Vec<String>,
    /// Pseudo-inverse of Σ_B: `rank` inverts the K-1 largest eigenvalues; `reference` uses the
    /// paper code's cutoff d·ε_f32·λ_max (for comparison with published numbers).
    #[arg(long, value_enum, default_value_t = Pinv::Rank)]
    pinv: Pinv,
    /// `projected`: O(K² + Kd) memory, NC1 from a second pass over the file; `full`: keep the
    /// d x d within-class scatter (one pass when no head is given).
    #[arg(long, value_enum, default_value_t = Scatter::Projected)]
    scatter: Scatter,
    /// Rows read from the files at a time.
    #[arg(long, default_value_t = 4096)]
    chunk_rows: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Pseudo-inverse policies offered on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Pinv {
    /// Rank-(K-1) truncation.
    Rank,
    /// The reference code's relative cutoff.
    Reference,
}

/// How NC1's within-class part is accumulated.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scatter {
    /// K x K projection in a second pass.
    Projected,
    /// d x d scatter in the first pass.
    Full,
}

/// Runs `metrics`.
pub fn run(args: MetricsArgs) -> Result<()> {
    let variants = args
        .variants
        .iter()
        .map(|v| Variant::from_name(v.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let features = open(&args.features, Expect::Matrix, "--features")?;
    let labels = open(&args.labels, Expect::Vector, "--labels")?;
    if features.rows() != labels.rows() {
        return Err(BadInput(format!(
            "--features has {} rows but --labels has {} labels: they must describe the same samples",
            features.rows(),
            labels.rows()
        ))
        .into());
    }
    let dim = features.cols();
    let head_file = args
        .weights
        .as_deref()
        .map(|w| open(w, Expect::Matrix, "--weights"))
        .transpose()?;
    if let Some(w) = &head_file {
        if w.cols() != dim {
            return Err(BadInput(format!(
                "--weights: classifier weights are {} x {} but the features have d = {dim} columns: W must be K x d",
                w.rows(),
                w.cols()
            ))
            .into());
        }
    }
    let classes = match (args.classes, &head_file) {
        (Some(k), _) => k,
        (None, Some(w)) => w.rows(),
        (None, None) => max_label(&labels, args.chunk_rows)? + 1,
    };
    let head = match &head_file {
        None => None,
        Some(w) => {
            let bias = match args.bias.as_deref() {
                None => None,
                Some(b) => Some(read_floats(&open(b, Expect::Vector, "--bias")?)?),
            };
            Some(Head::new(&read_floats(w)?, w.rows(), w.cols(), bias.as_deref()).map_err(bad)?)
        }
    };
    let mode = match args.scatter {
        Scatter::Projected => ScatterMode::TraceOnly,
        Scatter::Full => ScatterMode::Full,
    };
    let mut stats = ClassStats::new(classes, dim, mode).map_err(bad)?;
    stream(&features, &labels, args.chunk_rows, |x, y| stats.push(x, y))?;
    stats.check_complete().map_err(bad)?;
    let wants_train_pass = matches!(mode, ScatterMode::TraceOnly)
        || (head.is_some() && (variants.is_empty() || variants.contains(&Variant::Nc4)));
    let train_pass = if wants_train_pass {
        let mut pass = MeanPass::new(&stats, head.as_ref()).map_err(bad)?;
        stream(&features, &labels, args.chunk_rows, |x, y| pass.push(x, y))?;
        Some(pass)
    } else {
        None
    };
    let test_pass = match (&args.test_features, &args.test_labels) {
        (Some(f), Some(l)) => {
            let tf = open(f, Expect::Matrix, "--test-features")?;
            let tl = open(l, Expect::Vector, "--test-labels")?;
            if tf.cols() != dim || tf.rows() != tl.rows() {
                return Err(BadInput(format!(
                    "--test-features is {} x {} with {} test labels: expected N x {dim} with N labels",
                    tf.rows(),
                    tf.cols(),
                    tl.rows()
                ))
                .into());
            }
            let mut pass = MeanPass::new(&stats, head.as_ref()).map_err(bad)?;
            stream(&tf, &tl, args.chunk_rows, |x, y| pass.push(x, y))?;
            Some(pass)
        }
        _ => None,
    };
    let pinv = match args.pinv {
        Pinv::Rank => PinvPolicy::RankTruncated,
        Pinv::Reference => PinvPolicy::reference(dim),
    };
    let report = evaluate(
        &Evaluation {
            train: &stats,
            train_pass: train_pass.as_ref(),
            test_pass: test_pass.as_ref(),
            head: head.as_ref(),
            pinv,
        },
        &variants,
    )
    .map_err(bad)?;
    emit(args.json, &serde_json::to_value(&report)?);
    Ok(())
}

/// Opens an input file, naming the flag in the error.
fn open(spec: &str, expect: Expect, flag: &str) -> Result<ArrayFile> {
    ArrayFile::open(spec, expect).map_err(|e| BadInput(format!("{flag}: {e}")).into())
}

fn read_floats(file: &ArrayFile) -> Result<Vec<f64>> {
    file.read_floats().map_err(array_err)
}

/// Largest label, in one streaming pass over the labels file.
fn max_label(labels: &ArrayFile, chunk: usize) -> Result<usize> {
    let mut max = 0;
    for ys in labels.label_chunks(chunk).map_err(array_err)? {
        max = ys.map_err(array_err)?.into_iter().fold(max, usize::max);
    }
    Ok(max)
}

/// Feeds matching row chunks of `features` and `labels` to `push`.
fn stream(
    features: &ArrayFile,
    labels: &ArrayFile,
    chunk: usize,
    mut push: impl FnMut(&[f64], &[usize]) -> Result<(), MetricsError>,
) -> Result<()> {
    let xs = features.float_chunks(chunk).map_err(array_err)?;
    let ys = labels.label_chunks(chunk).map_err(array_err)?;
    for (i, (x, y)) in xs.zip(ys).enumerate() {
        let (x, y) = (x.map_err(array_err)?, y.map_err(array_err)?);
        push(&x, &y).map_err(bad).with_context(|| {
            format!(
                "in rows {}..{} of {}",
                i * chunk,
                i * chunk + y.len(),
                features.path().display()
            )
        })?;
    }
    Ok(())
}

/// File problems are the user's to fix: exit code 2.
fn array_err(e: ArrayError) -> anyhow::Error {
    match e {
        ArrayError::Io { .. } => anyhow::Error::new(e),
        other => BadInput(other.to_string()).into(),
    }
}

/// Metric errors: bad input (exit 2) except a failed factorisation (exit 1).
fn bad(e: MetricsError) -> anyhow::Error {
    match e {
        MetricsError::Numerical(_) => anyhow::Error::new(e),
        other => BadInput(other.to_string()).into(),
    }
}
