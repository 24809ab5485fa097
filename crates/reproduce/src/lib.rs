//! `collapse-reproduce`: runs the paper's experiments end to end and writes a report with
//! figures, tables and pass/fail checks against the paper's claims and numbers.
//!
//! Each section of the paper is one module that returns a [`Section`]; [`run`] renders them
//! into `report.md` (plus SVG figures and CSV tables) in the output folder. The UFM section
//! needs no data and no backend, so it runs anywhere in seconds.

mod check;
mod figure;
mod report;
mod training;
mod ufm_landscape;
mod ufm_optimum;
mod ufm_trace;

pub use check::Check;
pub use report::Section;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Small sizes: a laptop CPU, under a minute.
    Quick,
    /// The paper's sizes where they fit a CPU.
    Full,
}

/// What to run and where to write it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output folder (created).
    pub out: PathBuf,
    /// Sizes.
    pub profile: Profile,
    /// Seed of every random start.
    pub seed: u64,
}

/// The outcome: where the report is and how many checks passed.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Path of report.md.
    pub report: PathBuf,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
}

/// Runs every section and writes the report.
pub fn run(options: &Options, mut progress: impl FnMut(&str)) -> Result<Summary> {
    let out = &options.out;
    std::fs::create_dir_all(out.join("figures"))
        .with_context(|| format!("creating the output folder {}", out.display()))?;
    let mut sections = Vec::new();
    progress("UFM: closed form vs solvers over a lambda grid");
    sections.push(ufm_optimum::run(options)?);
    progress("UFM: objective and collapse residuals along a solve");
    sections.push(ufm_trace::run(options)?);
    progress("UFM: strict saddles and their escape directions");
    sections.push(ufm_landscape::run(options)?);
    progress("Training: learned vs fixed-ETF classifier on MNIST (candle backend)");
    sections.push(training::run_guarded(options));
    let report = report::write(out, options, &sections)?;
    let (passed, failed) = sections
        .iter()
        .flat_map(|s| &s.checks)
        .fold(
            (0, 0),
            |(p, f), c| if c.pass { (p + 1, f) } else { (p, f + 1) },
        );
    Ok(Summary {
        report,
        passed,
        failed,
    })
}

/// Writes `contents` to `path` atomically: a temporary sibling, then a rename.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}
