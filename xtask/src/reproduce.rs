//! `cargo xtask reproduce [flags]`: builds the `collapse` binary in release mode and runs
//! `collapse reproduce` with the given flags (default: the quick profile into `reproduce-out/`).

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Builds and runs; extra arguments go to `collapse reproduce` (see its `--help`).
pub fn run(args: Vec<String>) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives one folder below the workspace root")?;
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
