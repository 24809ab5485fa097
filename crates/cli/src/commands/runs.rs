//! `collapse runs`: look at run directories written by `collapse train`.

use crate::exit::BadInput;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Subcommands of `runs`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Print a run's metrics, one row per epoch.
    Show(ShowArgs),
}

/// Flags of `runs show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The run directory.
    run: PathBuf,
    /// Every column (all metric variants), not just the headline ones.
    #[arg(long)]
    all: bool,
    /// Print the rows as JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `runs`.
pub fn run(cmd: RunsCommand) -> Result<()> {
    match cmd {
        RunsCommand::Show(args) => {
            let rows = collapse_train::read_rows(&args.run).map_err(|e| {
                if e.is_bad_input() {
                    anyhow::Error::new(BadInput(e.to_string()))
                } else {
                    anyhow::Error::new(e)
                }
            })?;
            if args.json {
                print!("{}", collapse_train::row::to_jsonl(&rows));
            } else if rows.is_empty() {
                println!("{}: no epoch finished yet", args.run.display());
            } else {
                print!("{}", collapse_train::table::render(&rows, args.all));
            }
            Ok(())
        }
    }
}
