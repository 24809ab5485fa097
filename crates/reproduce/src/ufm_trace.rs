//! Collapse along a solve: f − f* and the collapse residuals (within-class variation, NC2 of
//! W) per iteration, for gradient descent and L-BFGS from the same random start.

use crate::figure::{log_y_chart, Series};
use crate::{Check, Options, Profile, Section};
use anyhow::Result;
use collapse_core::etf::gram_distance;
use collapse_core::residuals::WithinClassVariation;
use collapse_core::traits::{Metric, UfmView};
use collapse_core::{solve, Bias, Method, SolveOptions, Ufm};
use std::fmt::Write as _;

struct Trace {
    gap: Vec<(f64, f64)>,
    within: Vec<(f64, f64)>,
    nc2: Vec<(f64, f64)>,
    iterations: usize,
}

fn trace(
    ufm: &Ufm,
    d: usize,
    method: Method,
    max_iters: usize,
    seed: u64,
    fstar: f64,
) -> Result<Trace> {
    let options = SolveOptions {
        method,
        tol: 1e-9,
        max_iters,
        ..SolveOptions::default()
    };
    let mut t = Trace {
        gap: vec![],
        within: vec![],
        nc2: vec![],
        iterations: 0,
    };
    let report = solve(ufm, ufm.random_point(d, 0.1, seed), &options, |p| {
        let x = p.iteration as f64;
        let point = p.point();
        let view = UfmView {
            point: &point,
            labels: ufm.labels(),
        };
        t.gap.push((x, p.objective - fstar));
        t.within
            .push((x, WithinClassVariation.compute(&view, &view)));
        t.nc2.push((x, gram_distance(point.w.as_ref())));
    })?;
    t.iterations = report.iterations;
    Ok(t)
}

/// Runs both methods and draws the figures.
pub fn run(options: &Options) -> Result<Section> {
    let (k, n, d, gd_iters) = match options.profile {
        Profile::Quick => (10, 10, 16, 3_000),
        Profile::Full => (10, 100, 32, 20_000),
    };
    let lambda = 5e-3;
    let ufm = Ufm::balanced(k, n, lambda, lambda, Bias::Decayed(lambda))?;
    let fstar = ufm.closed_form().expect("balanced").objective;
    let lbfgs = trace(&ufm, d, Method::Lbfgs, 20_000, options.seed, fstar)?;
    let gd = trace(&ufm, d, Method::Gd, gd_iters, options.seed, fstar)?;
    let figures = options.out.join("figures");
    log_y_chart(
        &figures.join("ufm_objective_gap.svg"),
        "UFM: f - f* along the solve",
        "iteration",
        &[
            Series {
                label: "L-BFGS".into(),
                points: lbfgs.gap.clone(),
            },
            Series {
                label: "gradient descent".into(),
                points: gd.gap.clone(),
            },
        ],
    )?;
    log_y_chart(
        &figures.join("ufm_collapse_residuals.svg"),
        "UFM: collapse residuals along the solve",
        "iteration",
        &[
            Series {
                label: "within-class variation (L-BFGS)".into(),
                points: lbfgs.within.clone(),
            },
            Series {
                label: "NC2 of W (L-BFGS)".into(),
                points: lbfgs.nc2.clone(),
            },
            Series {
                label: "within-class variation (GD)".into(),
                points: gd.within.clone(),
            },
            Series {
                label: "NC2 of W (GD)".into(),
                points: gd.nc2.clone(),
            },
        ],
    )?;
    let mut csv = String::from("method,iteration,objective_gap,within_class_variation,nc2_w\n");
    for (name, t) in [("lbfgs", &lbfgs), ("gd", &gd)] {
        for ((g, w), c) in t.gap.iter().zip(&t.within).zip(&t.nc2) {
            writeln!(csv, "{name},{},{},{},{}", g.0, g.1, w.1, c.1)?;
        }
    }
    crate::write_atomic(&options.out.join("ufm_trace.csv"), csv.as_bytes())?;
    let last = |v: &Vec<(f64, f64)>| v.last().map_or(f64::NAN, |p| p.1);
    let mut body = String::new();
    writeln!(body, "K = {k}, n = {n}, d = {d}, λ_W = λ_H = λ_b = {lambda}; both methods start from the same N(0, 0.1²) point (seed {}).", options.seed)?;
    writeln!(body)?;
    writeln!(body, "![f - f*](figures/ufm_objective_gap.svg)")?;
    writeln!(body)?;
    writeln!(
        body,
        "![collapse residuals](figures/ufm_collapse_residuals.svg)"
    )?;
    writeln!(body)?;
    writeln!(
        body,
        "| method | iterations | final f − f* | within-class variation | NC2(W) |"
    )?;
    writeln!(body, "|---|---|---|---|---|")?;
    for (name, t) in [("L-BFGS", &lbfgs), ("gradient descent", &gd)] {
        writeln!(
            body,
            "| {name} | {} | {:.2e} | {:.2e} | {:.2e} |",
            t.iterations,
            last(&t.gap),
            last(&t.within),
            last(&t.nc2)
        )?;
    }
    writeln!(body)?;
    writeln!(body, "Per-iteration values: `ufm_trace.csv`.")?;
    let checks = vec![
        Check::at_most(
            "UFM trace: L-BFGS final f − f*",
            1e-8,
            last(&lbfgs.gap).abs(),
        ),
        Check::at_most(
            "UFM trace: L-BFGS final within-class variation (NC1 → 0)",
            1e-6,
            last(&lbfgs.within),
        ),
        Check::at_most(
            "UFM trace: L-BFGS final NC2 of W (ETF)",
            1e-5,
            last(&lbfgs.nc2),
        ),
        Check::at_most(
            "UFM trace: gradient descent final f − f*",
            1e-5,
            last(&gd.gap).abs(),
        ),
    ];
    Ok(Section {
        title: "Collapse along a solve".into(),
        body,
        checks,
    })
}
