//! `collapse ufm optimum` and `collapse ufm solve`.

use super::certificate_json;
use super::output::emit;
use super::problem_args::{LambdaArgs, ShapeArgs};
use crate::point_file;
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use collapse_core::etf::check_dimensions;
use collapse_core::{certify, closed_form, solve, CertifyOptions, Method, SolveOptions, Ufm};
use serde_json::json;
use std::path::PathBuf;

/// The UFM subcommands.
#[derive(Debug, Subcommand)]
pub enum UfmCommand {
    /// Print the closed-form global optimum (regime, margin, norms, CE, f*).
    Optimum(OptimumArgs),
    /// Solve from a seeded random start and certify the end point.
    Solve(SolveArgs),
}

/// Flags of `ufm optimum`.
#[derive(Debug, Args)]
pub struct OptimumArgs {
    #[command(flatten)]
    shape: ShapeArgs,
    #[command(flatten)]
    lambdas: LambdaArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The solver, as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Gradient descent with backtracking.
    Gd,
    /// L-BFGS with a strong-Wolfe line search.
    Lbfgs,
}

/// Flags of `ufm solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    shape: ShapeArgs,
    #[command(flatten)]
    lambdas: LambdaArgs,
    /// Seed of the random start.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Standard deviation of the random start's entries.
    #[arg(long = "init-scale", default_value_t = 0.1)]
    init_scale: f64,
    /// The solver.
    #[arg(long, value_enum, default_value_t = MethodArg::Lbfgs)]
    method: MethodArg,
    /// Gradient-norm tolerance.
    #[arg(long, default_value_t = 1e-8)]
    tol: f64,
    /// Iteration limit.
    #[arg(long = "max-iters", default_value_t = 20_000)]
    max_iters: usize,
    /// A model without bias.
    #[arg(long = "no-bias")]
    no_bias: bool,
    /// Write the end point to this safetensors POINT file.
    #[arg(long, value_name = "POINT")]
    out: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs a UFM subcommand.
pub fn run(cmd: UfmCommand) -> Result<()> {
    match cmd {
        UfmCommand::Optimum(args) => optimum(args),
        UfmCommand::Solve(args) => solve_cmd(args),
    }
}

fn optimum(args: OptimumArgs) -> Result<()> {
    let s = &args.shape;
    check_dimensions(s.classes, s.dim)?;
    // Validates λ_b too, although the optimum does not depend on it (b* = 0).
    Ufm::balanced(
        s.classes,
        s.per_class,
        args.lambdas.lambda_w,
        args.lambdas.lambda_h,
        args.lambdas.bias(true),
    )?;
    let cf = closed_form(
        s.classes,
        s.per_class,
        args.lambdas.lambda_w,
        args.lambdas.lambda_h,
    )?;
    emit(
        args.json,
        &json!({
            "regime": cf.regime,
            "margin": cf.margin,
            "w_norm_sq": cf.w_norm_sq,
            "h_norm_sq": cf.h_norm_sq,
            "ce": cf.ce,
            "objective": cf.objective,
        }),
    );
    Ok(())
}

fn solve_cmd(args: SolveArgs) -> Result<()> {
    let s = &args.shape;
    check_dimensions(s.classes, s.dim)?;
    let ufm = Ufm::balanced(
        s.classes,
        s.per_class,
        args.lambdas.lambda_w,
        args.lambdas.lambda_h,
        args.lambdas.bias(!args.no_bias),
    )?;
    let start = ufm.random_point(s.dim, args.init_scale, args.seed);
    let options = SolveOptions {
        method: match args.method {
            MethodArg::Gd => Method::Gd,
            MethodArg::Lbfgs => Method::Lbfgs,
        },
        tol: args.tol,
        max_iters: args.max_iters,
        ..SolveOptions::default()
    };
    let report = solve(&ufm, start, &options, |_| {})?;
    let cert = certify(
        &ufm,
        &report.point,
        &CertifyOptions {
            grad_tol: (10.0 * args.tol).max(CertifyOptions::default().grad_tol),
            ..CertifyOptions::default()
        },
    )?;
    if let Some(path) = &args.out {
        point_file::write(path, &report.point, ufm.labels())?;
    }
    emit(
        args.json,
        &json!({
            "objective": report.objective,
            "closed_form_objective": ufm.closed_form().map(|c| c.objective),
            "grad_norm": report.grad_norm,
            "iterations": report.iterations,
            "evaluations": report.evaluations,
            "converged": report.converged,
            "certificate": certificate_json::to_json(&cert),
        }),
    );
    Ok(())
}
