//! `cargo xtask bench-ufm [K n d reps]`: the UFM gradient and solve in Rust (release) and in
//! numpy on the same machine, one after the other, with the ratios printed. The numpy side
//! needs `pip install numpy scipy`.

use anyhow::{bail, Context, Result};
use std::process::Command;

fn run_json(cmd: &mut Command) -> Result<serde_json::Value> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().context("no output")?;
    serde_json::from_str(line).with_context(|| format!("parsing {line}"))
}

/// Runs both and prints a table.
pub fn run(args: Vec<String>) -> Result<()> {
    let sizes: Vec<String> = if args.is_empty() {
        ["10", "500", "512", "21"].map(String::from).to_vec()
    } else {
        args
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = &crate::repo_root()?;
    let rust = run_json(
        Command::new(&cargo)
            .current_dir(root)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "collapse-core",
                "--example",
                "ufm_bench",
                "--",
            ])
            .args(&sizes),
    )?;
    let numpy = run_json(
        Command::new("python3")
            .current_dir(root)
            .arg("benches/ufm_numpy.py")
            .args(&sizes)
            .env_remove("OPENBLAS_CORETYPE")
            .env_remove("OPENBLAS_L2_SIZE"),
    )?;
    let get = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!("UFM K n d reps = {}", sizes.join(" "));
    println!(
        "{:<28} {:>14} {:>14} {:>10}",
        "", "rust (s)", "numpy (s)", "numpy/rust"
    );
    for key in ["gradient_median_s", "solve_s"] {
        let (r, p) = (get(&rust, key), get(&numpy, key));
        println!("{key:<28} {r:>14.6} {p:>14.6} {:>10.2}", p / r);
    }
    println!("rust:  {rust}");
    println!("numpy: {numpy}");
    Ok(())
}
