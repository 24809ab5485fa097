//! `cargo xtask ci`: every check CI runs, in order, so a developer runs exactly what CI runs.
//!
//! `.ci/run` only starts the services the tests need and calls this. The steps: formatting,
//! libtorch, clippy with warnings denied, doctests (nextest does not run them), `cargo doc`
//! with warnings denied, the layering invariants, unused dependencies, the candle CUDA build
//! check, then the README's test command. `--skip STEP` leaves steps out (a local run without
//! the CUDA wheels, say); CI skips none.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask ci [--skip STEP]...
steps, in order: fmt, clippy, doctest, doc, layers, unused-deps, cuda-check, test";

const STEPS: [&str; 8] = [
    "fmt",
    "clippy",
    "doctest",
    "doc",
    "layers",
    "unused-deps",
    "cuda-check",
    "test",
];

/// cargo-machete, the unused-dependency check (installed once, outside the clone).
const MACHETE_VERSION: &str = "0.9.2";

/// Entry point of `cargo xtask ci`.
pub fn run(args: Vec<String>) -> Result<()> {
    let mut skip = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skip" => {
                let s = it.next().context("--skip needs a step name")?;
                if !STEPS.contains(&s.as_str()) {
                    bail!("unknown step `{s}`\n{USAGE}");
                }
                skip.push(s);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let root = crate::repo_root()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let libtorch = crate::libtorch::ensure(None).context("provisioning libtorch")?;
    // The resolved folder, not the clone's `.libtorch` link: torch-sys's build then sees the
    // same LIBTORCH in every clone and every step (including `test`, which reads it back as
    // the user's choice), so its C++ part is built once per cache, not once per step.
    let libtorch = std::fs::canonicalize(&libtorch)
        .with_context(|| format!("resolving {}", libtorch.display()))?;
    std::env::set_var("LIBTORCH", &libtorch);
    let env = crate::libtorch::env_for(&libtorch);
    let cargo_cmd = |args: &[&str]| {
        let mut c = Command::new(&cargo);
        c.current_dir(&root).args(args).envs(env.clone());
        c
    };
    for step in STEPS {
        if skip.iter().any(|s| s == step) {
            println!("== {step}: skipped (--skip)");
            continue;
        }
        println!("== {step}");
        match step {
            "fmt" => sh(&mut cargo_cmd(&["fmt", "--all", "--", "--check"]))?,
            "clippy" => sh(&mut cargo_cmd(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ]))?,
            "doctest" => sh(&mut cargo_cmd(&[
                "test",
                "--workspace",
                "--doc",
                "--locked",
            ]))?,
            "doc" => sh(cargo_cmd(&["doc", "--workspace", "--no-deps", "--locked"])
                .env("RUSTDOCFLAGS", "-D warnings"))?,
            "layers" => crate::layers::run(Vec::new())?,
            "unused-deps" => unused_deps(&root, &cargo)?,
            "cuda-check" => crate::build_cuda::run(
                [
                    "--check",
                    "--venv",
                    "/var/tmp/collapse-cuda/venv",
                    "--target-dir",
                    "/var/tmp/collapse-cuda/target",
                ]
                .map(String::from)
                .to_vec(),
            )?,
            "test" => crate::test::run(Vec::new())?,
            _ => unreachable!("every step of STEPS is matched"),
        }
    }
    Ok(())
}

/// Fails on a dependency that a crate's manifest names and its source never uses.
fn unused_deps(root: &Path, cargo: &str) -> Result<()> {
    let tools = PathBuf::from(
        std::env::var("COLLAPSE_TOOLS_HOME").unwrap_or_else(|_| "/var/tmp/collapse-tools".into()),
    );
    let machete = tools.join("bin/cargo-machete");
    if !machete.exists() {
        println!(
            "installing cargo-machete {MACHETE_VERSION} into {}",
            tools.display()
        );
        sh(Command::new(cargo)
            .args(["install", "--locked", "cargo-machete", "--version"])
            .arg(MACHETE_VERSION)
            .arg("--root")
            .arg(&tools))?;
    }
    sh(Command::new(&machete).arg(root))
}

fn sh(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}
