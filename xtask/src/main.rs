//! Project automation: `cargo xtask <task> [args]`.

mod bench_ufm;
mod build_cuda;
mod ci;
mod data;
mod layers;
mod libtorch;
mod python;
mod reproduce;
mod test;

use anyhow::Context;

/// The workspace root (xtask lives one folder below it).
pub(crate) fn repo_root() -> anyhow::Result<std::path::PathBuf> {
    Ok(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives one folder below the workspace root")?
        .to_path_buf())
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("data") => data::run(args.collect()),
        Some("reproduce") => reproduce::run(args.collect()),
        Some("test") => test::run(args.collect()),
        Some("bench-ufm") => bench_ufm::run(args.collect()),
        Some("libtorch") => libtorch::run(args.collect()),
        Some("build-cuda") => build_cuda::run(args.collect()),
        Some("ci") => ci::run(args.collect()),
        Some("python") => python::run(args.collect()),
        Some("layers") => layers::run(args.collect()),
        Some(other) => {
            anyhow::bail!(
                "unknown xtask `{other}`; available: reproduce, test, ci, layers, data, bench-ufm, libtorch, build-cuda, python"
            )
        }
        None => {
            println!("usage: cargo xtask <task>\n\ntasks:\n  reproduce  run the paper end to end (release build) and write reproduce-out/report.md\n  test       fetch the test data and run every test of the workspace\n  ci         everything CI checks: fmt, clippy, doctests, docs, layers, unused deps, CUDA check, test\n  layers     check the crate-graph invariants of ARCHITECTURE.md\n  data       fetch and verify data sets\n  bench-ufm  time the UFM gradient and solve against numpy\n  libtorch   install (or find) the libtorch the tch backend builds against\n  build-cuda build the candle plugin with CUDA (nvcc from PyPI wheels) into target/cuda\n  python     build the wheel of the Python package (crates/python) with maturin");
            Ok(())
        }
    }
}
