//! `collapse`: one binary, one subcommand per job. Exit codes: 0 success, 1 failure of the
//! computation, 2 bad input (a file, a flag, a shape).

// The flags' doc comments are their `--help` text, which writes shapes as `[K, d]` and
// tensor names as `PATH[:TENSOR]`: rustdoc would read those as links, clap prints them as is.
#![allow(rustdoc::broken_intra_doc_links)]

use clap::{Parser, Subcommand};

mod commands;
mod exit;
mod point_file;

/// Neural collapse with unconstrained features: theory checks, metrics, training.
#[derive(Debug, Parser)]
#[command(name = "collapse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The unconstrained feature model: closed-form optimum and solvers.
    #[command(subcommand)]
    Ufm(commands::ufm::UfmCommand),
    /// Certify a UFM point: not critical, global minimiser, or strict saddle.
    Certify(commands::certify::CertifyArgs),
    /// Neural-collapse metrics of stored features (.npy / safetensors), streamed from disk.
    Metrics(commands::metrics::MetricsArgs),
    /// Run the paper end to end and write a report with pass/fail checks.
    Reproduce(commands::reproduce::ReproduceArgs),
    /// Train through a backend plugin and write a run directory (or resume one).
    Train(Box<commands::train::TrainArgs>),
    /// Inspect run directories written by `train`.
    #[command(subcommand)]
    Runs(commands::runs::RunsCommand),
    /// Inspect a backend's models (parameter counts).
    #[command(subcommand)]
    Model(commands::model::ModelCommand),
}

fn main() -> std::process::ExitCode {
    // First, while this is the only thread: see its doc.
    collapse_train::process_tuning::apply();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ufm(cmd) => commands::ufm::run(cmd),
        Command::Certify(args) => commands::certify::run(args),
        Command::Metrics(args) => commands::metrics::run(args),
        Command::Reproduce(args) => commands::reproduce::run(args),
        Command::Train(args) => commands::train::run(*args),
        Command::Runs(cmd) => commands::runs::run(cmd),
        Command::Model(cmd) => commands::model::run(cmd),
    };
    exit::finish(result)
}
