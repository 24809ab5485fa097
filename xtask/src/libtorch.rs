//! `cargo xtask libtorch`: provisions the libtorch the tch backend builds against.
//!
//! The recipe of `docs/backends.md`: PyPI's `torch==2.11.0` wheel (libtorch 2.11.0, C++11 ABI)
//! installed without its NVIDIA dependencies, plus the two CUDA runtime wheels libtorch_cpu
//! links against, into a venv in a cache folder outside the clone (default
//! `/var/tmp/collapse-libtorch`, or `$COLLAPSE_LIBTORCH_HOME`), so a fresh clone reuses it.
//! A user's own libtorch 2.11 (or the full PyTorch 2.11 wheel with CUDA) is used instead when
//! `LIBTORCH` points at it. Either way `<repo>/.libtorch` becomes a symlink to the libtorch
//! folder: `.cargo/config.toml` sets `LIBTORCH` to it (unless the environment already does),
//! so `cargo build -p collapse-plugin-tch` needs no exported variable, and the plugin's
//! build script bakes the library folder into its rpath.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The libtorch version tch 0.24 binds.
pub const TORCH_VERSION: &str = "2.11.0";
/// The CUDA runtime wheels libtorch_cpu.so needs even on CPU (libcudart, libcupti).
const CUDA_RUNTIME: &str = "cuda-toolkit[cudart,cupti]==13.0.2";
/// Marker written once an install completed (its absence means: redo it).
const MARKER: &str = "collapse-libtorch-installed";

const USAGE: &str = "\
usage: cargo xtask libtorch [--home DIR]

Installs the CPU libtorch 2.11.0 of docs/backends.md (about 1.3 GB, 20 s from PyPI) into
DIR/venv (default $COLLAPSE_LIBTORCH_HOME or /var/tmp/collapse-libtorch), or reuses
$LIBTORCH when set; links <repo>/.libtorch to it and prints the environment.";

/// Entry point of `cargo xtask libtorch`.
pub fn run(args: Vec<String>) -> Result<()> {
    let mut home = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--home" => home = Some(PathBuf::from(it.next().context("--home needs a folder")?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let dir = ensure(home)?;
    println!("libtorch {TORCH_VERSION} ready in {}", dir.display());
    println!("# to use it outside cargo (e.g. running the plugin from another program):");
    println!("export LIBTORCH={}", dir.display());
    println!("export LD_LIBRARY_PATH={}", dir.join("lib").display());
    Ok(())
}

/// Makes libtorch available and returns the folder to build against (the one holding `lib/`
/// and `include/`): `$LIBTORCH` if the user set it, else `<repo>/.libtorch`, linked to the
/// cached install (made on first use). Using the link's path, the value `.cargo/config.toml`
/// gives cargo, keeps `LIBTORCH` identical across cargo invocations, so torch-sys is not
/// rebuilt when one switches between `cargo build` and `cargo xtask test`.
pub fn ensure(home: Option<PathBuf>) -> Result<PathBuf> {
    let link = crate::repo_root()?.join(".libtorch");
    // Under `cargo run` (so `cargo xtask`), `.cargo/config.toml` sets LIBTORCH to the link.
    let user = std::env::var_os("LIBTORCH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| *p != link);
    if let Some(dir) = user {
        check_libtorch(&dir).with_context(|| {
            format!(
                "LIBTORCH={} is not a usable libtorch; unset it to let `cargo xtask libtorch` \
                 install one",
                dir.display()
            )
        })?;
        link_into_repo(&link, &dir)?;
        return Ok(dir);
    }
    let home = home
        .or_else(|| std::env::var_os("COLLAPSE_LIBTORCH_HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/tmp/collapse-libtorch"));
    let dir = install(&home)?;
    link_into_repo(&link, &dir)?;
    Ok(link)
}

/// The environment a cargo invocation building or running the tch plugin needs.
pub fn env_for(dir: &Path) -> Vec<(String, String)> {
    let lib = dir.join("lib").display().to_string();
    let ld = match std::env::var("LD_LIBRARY_PATH") {
        Ok(old) if !old.is_empty() => format!("{lib}:{old}"),
        _ => lib,
    };
    vec![
        ("LIBTORCH".into(), dir.display().to_string()),
        ("LD_LIBRARY_PATH".into(), ld),
    ]
}

/// Refuses a folder without libtorch's libraries and headers; warns on another version.
fn check_libtorch(dir: &Path) -> Result<()> {
    for need in ["lib/libtorch_cpu.so", "lib/libc10.so", "include/torch"] {
        if !dir.join(need).exists() {
            bail!("{} is missing", dir.join(need).display());
        }
    }
    let version = std::fs::read_to_string(dir.join("version.py"))
        .or_else(|_| std::fs::read_to_string(dir.join("build-version")))
        .unwrap_or_default();
    if !version.contains(TORCH_VERSION) {
        eprintln!(
            "warning: {} does not say it is libtorch {TORCH_VERSION}; tch 0.24 needs exactly \
             that version",
            dir.display()
        );
    }
    Ok(())
}

/// The torch folder inside a venv (`lib/python3.X/site-packages/torch`).
fn torch_in_venv(venv: &Path) -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    lib.filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages/torch"))
        .find(|p| p.join("lib/libtorch_cpu.so").exists())
}

/// Installs (or finds) the lean CPU libtorch under `home`.
fn install(home: &Path) -> Result<PathBuf> {
    let venv = home.join("venv");
    let marker = home.join(MARKER);
    if std::fs::read_to_string(&marker).is_ok_and(|v| v.trim() == TORCH_VERSION) {
        if let Some(dir) = torch_in_venv(&venv) {
            check_libtorch(&dir)?;
            return Ok(dir);
        }
    }
    let start = Instant::now();
    eprintln!(
        "installing libtorch {TORCH_VERSION} (PyPI torch wheel, CPU use, about 1.3 GB) into {}",
        venv.display()
    );
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let _ = std::fs::remove_file(&marker);
    if venv.exists() {
        std::fs::remove_dir_all(&venv)
            .with_context(|| format!("removing the incomplete {}", venv.display()))?;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run_cmd(Command::new(&python).args(["-m", "venv"]).arg(&venv)).with_context(|| {
        format!("creating a venv with `{python} -m venv` (install python3-venv, or set LIBTORCH)")
    })?;
    let pip = venv.join("bin/pip");
    let torch = format!("torch=={TORCH_VERSION}");
    run_cmd(Command::new(&pip).args(["install", "-q", "--no-warn-conflicts", "--no-deps", &torch]))
        .with_context(|| format!("pip install --no-deps {torch} (needs PyPI)"))?;
    run_cmd(Command::new(&pip).args(["install", "-q", "--no-warn-conflicts", CUDA_RUNTIME]))
        .with_context(|| format!("pip install {CUDA_RUNTIME} (needs PyPI)"))?;
    let dir = torch_in_venv(&venv)
        .with_context(|| format!("no torch/lib/libtorch_cpu.so in {}", venv.display()))?;
    check_libtorch(&dir)?;
    std::fs::write(&marker, TORCH_VERSION)?;
    eprintln!(
        "libtorch installed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(dir)
}

/// Points `link` (`<repo>/.libtorch`, git-ignored) at `dir`, replacing an older link.
fn link_into_repo(link: &Path, dir: &Path) -> Result<()> {
    if std::fs::read_link(link).is_ok_and(|old| old == dir) {
        return Ok(());
    }
    match std::fs::symlink_metadata(link) {
        Ok(m) if m.file_type().is_symlink() => std::fs::remove_file(link)?,
        Ok(_) => bail!(
            "{} exists and is not a symlink; move it away so `cargo xtask libtorch` can link \
             the libtorch folder there",
            link.display()
        ),
        Err(_) => {}
    }
    symlink(dir, link).with_context(|| format!("linking {} to {}", link.display(), dir.display()))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Runs `cmd`, failing on a non-zero exit.
pub(crate) fn run_cmd(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("starting {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{:?} failed ({status})", cmd.get_program());
    }
    Ok(())
}
