//! `collapse certify POINT`: the critical-point certificate of a stored UFM point.

use super::certificate_json;
use super::output::emit;
use super::problem_args::LambdaArgs;
use crate::point_file;
use anyhow::Result;
use clap::Args;
use collapse_core::{certify, CertifyOptions, Ufm};
use std::path::PathBuf;

/// Flags of `certify`.
#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// The safetensors POINT file (W [K, d], H [d, N], optional b [K] and labels [N]).
    point: PathBuf,
    #[command(flatten)]
    lambdas: LambdaArgs,
    /// A point is critical when ‖∇f‖₂ is at most this.
    #[arg(long = "grad-tol", default_value_t = CertifyOptions::default().grad_tol)]
    grad_tol: f64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `certify`.
pub fn run(args: CertifyArgs) -> Result<()> {
    let file = point_file::read(&args.point)?;
    let ufm = Ufm::new(
        file.labels,
        args.lambdas.lambda_w,
        args.lambdas.lambda_h,
        args.lambdas.bias(file.point.b.is_some()),
    )?;
    let options = CertifyOptions {
        grad_tol: args.grad_tol,
        ..CertifyOptions::default()
    };
    let cert = certify(&ufm, &file.point, &options)?;
    emit(args.json, &certificate_json::to_json(&cert));
    Ok(())
}
