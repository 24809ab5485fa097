//! `cargo xtask python`: builds the wheel of the Python package (`crates/python`, maturin),
//! and the pytest step of `cargo xtask test`.
//!
//! Both use one venv cached outside the clone (`$COLLAPSE_PYENV`, default
//! `/var/tmp/collapse-pyenv`) holding maturin, NumPy, pytest, scikit-learn (its bundled
//! digits data set feeds the training-loop test) and the full `torch==2.11.0` wheel. The
//! lean libtorch venv of `cargo xtask libtorch` cannot be reused for that: its torch was
//! installed without the NVIDIA libraries, and `import torch` loads libcudnn even on a CPU.

use crate::libtorch::run_cmd;
use crate::repo_root;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the venv holds; a change reinstalls it.
const REQUIREMENTS: &[&str] = &[
    "maturin>=1.9,<2",
    "numpy",
    "pytest",
    "scikit-learn",
    "torch==2.11.0",
];
/// Written once the venv is complete (holds the requirement list).
const MARKER: &str = "collapse-pyenv-ready";

const USAGE: &str = "\
usage: cargo xtask python [--out DIR]

Builds the abi3 wheel of crates/python (module `collapse`, CPython >= 3.9) in release mode
with maturin into DIR (default target/wheels), using the venv $COLLAPSE_PYENV (default
/var/tmp/collapse-pyenv; created with maturin, numpy, pytest, scikit-learn and torch 2.11 on
first use). Install it with `pip install DIR/collapse-*.whl`, or build and install in one
step with `pip install ./crates/python`.";

/// Entry point of `cargo xtask python`.
pub fn run(args: Vec<String>) -> Result<()> {
    let root = repo_root()?;
    let mut out = root.join("target").join("wheels");
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(it.next().context("--out needs a folder")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let venv = ensure_venv()?;
    run_cmd(
        Command::new(venv.join("bin/maturin"))
            .current_dir(&root)
            .args([
                "build",
                "--release",
                "--manifest-path",
                "crates/python/Cargo.toml",
                "--out",
            ])
            .arg(&out),
    )
    .context("maturin build")?;
    println!("wheel written to {}", out.display());
    Ok(())
}

/// The pytest step of `cargo xtask test`: installs the package from source into the venv
/// and runs `crates/python/tests` against the `collapse` binary (for the agreement tests).
/// pytest's "no tests collected" (exit 5) fails like any other failure.
pub fn test(root: &Path, extra: &[String]) -> Result<()> {
    let venv = ensure_venv()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_cmd(
        Command::new(&cargo)
            .current_dir(root)
            .args(["build", "-p", "collapse-cli"]),
    )
    .context("building the `collapse` binary the agreement tests compare with")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    run_cmd(
        Command::new(venv.join("bin/pip"))
            .current_dir(root)
            .env("PATH", venv_path(&venv))
            .args([
                "install",
                "-q",
                "--no-build-isolation",
                "--force-reinstall",
                "--no-deps",
                "./crates/python",
            ]),
    )
    .context("pip install ./crates/python")?;
    let status = Command::new(venv.join("bin/python"))
        .current_dir(root)
        .env("COLLAPSE_BIN", target.join("debug").join("collapse"))
        .args([
            "-m",
            "pytest",
            "crates/python/tests",
            "-q",
            "-p",
            "no:cacheprovider",
        ])
        .args(extra)
        .status()
        .context("running pytest")?;
    match status.code() {
        Some(0) => Ok(()),
        Some(5) => bail!("pytest collected no tests in crates/python/tests"),
        _ => bail!("Python tests failed ({status})"),
    }
}

/// PATH with the venv's `bin` first, so pip's build step finds the venv's maturin.
fn venv_path(venv: &Path) -> std::ffi::OsString {
    let mut paths = vec![venv.join("bin")];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The cached venv, created (or completed) when its marker is missing or stale.
pub fn ensure_venv() -> Result<PathBuf> {
    let venv = std::env::var_os("COLLAPSE_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/collapse-pyenv"));
    let marker = venv.join(MARKER);
    let wanted = REQUIREMENTS.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return Ok(venv);
    }
    eprintln!(
        "preparing the Python venv {} ({}; torch is about 3 GB with its NVIDIA libraries)",
        venv.display(),
        REQUIREMENTS.join(", ")
    );
    if !venv.join("bin/python").exists() {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run_cmd(Command::new(&python).args(["-m", "venv"]).arg(&venv)).with_context(|| {
            format!("creating a venv with `{python} -m venv` (install python3-venv)")
        })?;
    }
    run_cmd(
        Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--no-warn-conflicts"])
            .args(REQUIREMENTS),
    )
    .context("pip install (needs PyPI)")?;
    std::fs::write(&marker, wanted)?;
    Ok(venv)
}
