//! `cargo xtask reproduce [flags]`: builds the `collapse` binary and the candle plugin (for the
//! training section) in release mode, fetches MNIST if absent (best effort: the section says
//! what is missing), and runs `collapse reproduce` with the given flags (default: the quick
//! profile into `reproduce-out/`).

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Builds and runs; extra arguments go to `collapse reproduce` (see its `--help`).
pub fn run(args: Vec<String>) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = &crate::repo_root()?;
    let plugin = Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "collapse-plugin-candle",
        ])
        .status()
        .with_context(|| format!("running {cargo}"))?;
    if !plugin.success() {
        bail!("building the candle plugin failed ({plugin})");
    }
    if !root.join("data/mnist").is_dir() {
        if let Err(e) = crate::data::run(vec!["--dataset".into(), "mnist".into()]) {
            eprintln!("could not fetch MNIST ({e:#}); the training section will say so");
        }
    }
    let status = Command::new(&cargo)
        .current_dir(root)
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "collapse-cli",
            "--",
            "reproduce",
        ])
        .args(&args)
        .status()
        .with_context(|| format!("running {cargo}"))?;
    if !status.success() {
        bail!("collapse reproduce failed ({status})");
    }
    Ok(())
}
