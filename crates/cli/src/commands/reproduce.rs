//! `collapse reproduce`: the paper end to end, into a report folder.

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use collapse_reproduce::{Options, Profile};
use std::path::PathBuf;

/// Sizes, as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    /// Laptop-sized: under a minute on a CPU.
    Quick,
    /// The paper's sizes where a CPU can take them.
    Full,
}

/// Flags of `reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Output folder for report.md, figures/ and tables.
    #[arg(long, default_value = "reproduce-out")]
    out: PathBuf,
    /// How much to run.
    #[arg(long, value_enum, default_value_t = ProfileArg::Quick)]
    profile: ProfileArg,
    /// Seed of every random start.
    #[arg(long, default_value_t = 6)]
    seed: u64,
}

/// Runs every section; exit status 1 when any check fails (the report is written anyway).
pub fn run(args: ReproduceArgs) -> Result<()> {
    let options = Options {
        out: args.out,
        profile: match args.profile {
            ProfileArg::Quick => Profile::Quick,
            ProfileArg::Full => Profile::Full,
        },
        seed: args.seed,
    };
    let summary = collapse_reproduce::run(&options, |step| eprintln!("[reproduce] {step}"))?;
    println!("report: {}", summary.report.display());
    println!(
        "checks: {} passed, {} failed",
        summary.passed, summary.failed
    );
    if summary.failed > 0 {
        bail!(
            "{} reproduction checks failed; see {}",
            summary.failed,
            summary.report.display()
        );
    }
    Ok(())
}
