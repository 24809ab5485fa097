//! `cargo xtask test`: the project's test command (README, CI). Fetches the real data sets the
//! data-reader tests read (verified by checksum; skipped when already present), then runs the
//! whole workspace's tests with cargo-nextest, or `cargo test` where nextest is not installed,
//! then the Python package's pytest suite (`crate::python::test`).

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Runs the test suite; extra arguments go to the test runner.
pub fn run(args: Vec<String>) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives one folder below the workspace root")?
        .to_path_buf();
    crate::data::run(vec![
        "--dir".into(),
        root.join("data").display().to_string(),
    ])
    .context("fetching the test data sets (cargo xtask data)")?;
    // The tch backend builds against libtorch: provision it (cached) and hand it to cargo.
    let libtorch = crate::libtorch::ensure(None)
        .context("provisioning libtorch for the tch backend (cargo xtask libtorch)")?;
    let nextest = Command::new(&cargo)
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&root)
        .env("COLLAPSE_DATA_DIR", root.join("data"))
        // candle's pool busy-waits: with nextest running tests side by side on few cores,
        // one thread per test is 2–3× faster (a user's own setting wins).
        .env(
            "CANDLE_NUM_THREADS",
            std::env::var("CANDLE_NUM_THREADS").unwrap_or_else(|_| "1".into()),
        )
        // Property tests draw the same cases on every run of this command, so a CI verdict
        // is reproducible; `PROPTEST_RNG_SEED=<n> cargo xtask test` explores other cases.
        .env(
            "PROPTEST_RNG_SEED",
            std::env::var("PROPTEST_RNG_SEED").unwrap_or_else(|_| "20211206".into()),
        )
        .envs(crate::libtorch::env_for(&libtorch));
    if nextest {
        cmd.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        eprintln!("cargo-nextest not found; running cargo test");
        cmd.args(["test", "--workspace", "--no-fail-fast"]);
    }
    let status = cmd
        .args(&args)
        .status()
        .with_context(|| format!("running {cargo}"))?;
    if !status.success() {
        bail!("tests failed ({status})");
    }
    // The Python package (crates/python): installed from source into its cached venv, then
    // pytest, which compares it with the `collapse` binary.
    crate::python::test(&root, &[]).context("the Python package's tests (crates/python/tests)")
}
