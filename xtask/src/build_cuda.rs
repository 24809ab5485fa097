//! `cargo xtask build-cuda`: builds the candle plugin with the `cuda` feature on a machine
//! without a CUDA toolkit or GPU, following docs/backends.md: NVIDIA's CUDA 13.0 wheels from
//! PyPI (nvcc, cudart, cublas, curand, nvrtc, cccl, crt, nvvm pinned to 13.0.88) in a venv,
//! unversioned library links in `$CUDA_HOME/lib64`, and a link-time stub `libcuda.so.1` that
//! defines the driver functions cudarc references (the real driver replaces it at run time on
//! the GPU machine; never run a CUDA path here against the stub).
//!
//! The result goes to `target/cuda/release/libcollapse_plugin_candle.so` (its own target
//! folder, so the CPU build in `target/release` is untouched; `--target-dir` moves it). About
//! 8 minutes on 2 cores, most of it nvcc compiling candle's kernels. CI runs `--check`.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const WHEELS: [&str; 2] = [
    "cuda-toolkit[nvcc,cudart,cublas,curand,nvrtc,cccl,crt]==13.0.2",
    "nvidia-nvvm==13.0.88",
];
/// Libraries the linker wants without a version suffix.
const LIBS: [&str; 5] = ["cudart", "cublas", "cublasLt", "curand", "nvrtc"];
const USAGE: &str =
    "usage: cargo xtask build-cuda [--venv DIR] [--target-dir DIR] [--compute-cap 90] [--check]
(defaults: venv target/cuda/venv, 1.2 GB of NVIDIA wheels; target dir target/cuda)

Builds libcollapse_plugin_candle.so with CUDA into <target-dir>/release (see docs/backends.md).
--check runs `cargo clippy -D warnings` instead of the release build (what CI needs: every CUDA
code path type-checks and lints clean; the build scripts, nvcc compiling candle's kernels
included, still run).";

fn sh(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

/// The cudarc sources cargo fetched (for the driver symbol names).
fn cudarc_driver_sys(root: &Path, cargo: &str) -> Result<PathBuf> {
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--features", "cuda"])
        .args(["--manifest-path", "plugins/candle/Cargo.toml"])
        .output()
        .context("cargo metadata")?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).context("cargo metadata")?;
    let pkg = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "cudarc")
        .context("cudarc is not in the dependency graph of the cuda feature")?;
    let manifest = PathBuf::from(pkg["manifest_path"].as_str().context("manifest_path")?);
    Ok(manifest
        .parent()
        .context("cudarc folder")?
        .join("src/driver/sys/mod.rs"))
}

/// Writes and compiles the stub driver library: every `"cu…"` name cudarc loads.
fn build_stub(sys_rs: &Path, dir: &Path) -> Result<()> {
    let src =
        std::fs::read_to_string(sys_rs).with_context(|| format!("reading {}", sys_rs.display()))?;
    let mut names: Vec<&str> = src
        .split('"')
        .filter(|s| {
            s.len() > 3
                && s.starts_with("cu")
                && s.as_bytes()[2].is_ascii_uppercase()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        bail!("no driver symbol names found in {}", sys_rs.display());
    }
    let c: String = names
        .iter()
        .map(|n| format!("int {n}(void) {{ return 999; }}\n"))
        .collect();
    std::fs::create_dir_all(dir)?;
    let c_file = dir.join("libcuda_stub.c");
    std::fs::write(&c_file, c)?;
    sh(Command::new("cc")
        .args(["-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o"])
        .arg(dir.join("libcuda.so"))
        .arg(&c_file))?;
    println!("stub libcuda.so.1: {} driver symbols", names.len());
    Ok(())
}

/// Entry point.
pub fn run(args: Vec<String>) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = crate::repo_root()?;
    // The venv lives under target/ (ignored by git, removed by `cargo clean`).
    let (mut venv, mut cap, mut check) = (root.join("target/cuda/venv"), "90".to_string(), false);
    let mut target = root.join("target/cuda");
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--venv" => venv = PathBuf::from(it.next().context("--venv needs a folder")?),
            "--target-dir" => {
                target = PathBuf::from(it.next().context("--target-dir needs a folder")?)
            }
            "--compute-cap" => cap = it.next().context("--compute-cap needs a number")?,
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let pip = venv.join("bin/pip");
    if !pip.exists() {
        sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let site = std::fs::read_dir(venv.join("lib"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .context("no site-packages in the venv")?;
    let cuda_home = site.join("nvidia/cu13");
    if !cuda_home.join("bin/nvcc").exists() {
        sh(Command::new(&pip).arg("install").args(WHEELS))?;
    }
    let lib64 = cuda_home.join("lib64");
    std::fs::create_dir_all(&lib64)?;
    for lib in LIBS {
        let link = lib64.join(format!("lib{lib}.so"));
        if link.exists() {
            continue;
        }
        let versioned = std::fs::read_dir(cuda_home.join("lib"))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("lib{lib}.so.")))
            })
            .with_context(|| format!("lib{lib}.so.* not in {}", cuda_home.join("lib").display()))?;
        std::os::unix::fs::symlink(&versioned, &link)?;
    }
    let stub = target.join("stub");
    build_stub(&cudarc_driver_sys(&root, &cargo)?, &stub)?;
    let path = format!(
        "{}:{}",
        cuda_home.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let library_path = format!("{}:{}", stub.display(), lib64.display());
    let mut build = Command::new(&cargo);
    build
        .current_dir(&root)
        .args(if check {
            vec!["clippy"]
        } else {
            vec!["build", "--release"]
        })
        .args([
            "-p",
            "collapse-plugin-candle",
            "--lib",
            "--features",
            "cuda",
        ])
        .arg("--target-dir")
        .arg(&target)
        .args(if check {
            vec!["--", "-D", "warnings"]
        } else {
            vec![]
        })
        .env("CUDA_HOME", &cuda_home)
        .env("CUDA_PATH", &cuda_home)
        .env("CUDA_COMPUTE_CAP", &cap)
        .env("PATH", path)
        .env("LIBRARY_PATH", &library_path)
        .env(
            "RUSTFLAGS",
            format!("-L {} -L {}", stub.display(), lib64.display()),
        );
    sh(&mut build)?;
    if check {
        println!(
            "the cuda feature compiles, lint-free (CUDA_HOME={})",
            cuda_home.display()
        );
    } else {
        println!(
            "built {} (CUDA_HOME={})",
            target
                .join("release/libcollapse_plugin_candle.so")
                .display(),
            cuda_home.display()
        );
    }
    Ok(())
}
