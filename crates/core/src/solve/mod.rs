//! Solvers for the UFM from a (seeded random) start, to a gradient-norm tolerance.
//!
//! Both methods work on the flattened parameter vector ([`crate::ufm::Layout`]) so the same
//! code would serve any smooth objective. Gradient descent uses an adaptive backtracking
//! (Armijo) step: it never needs a Lipschitz constant, which the UFM does not have globally.
//! L-BFGS uses a strong-Wolfe line search with Hager–Zhang's approximate-Wolfe acceptance, so
//! it can drive ‖∇f‖ to 1e-10 where plain Armijo tests drown in rounding.

mod gradient_descent;
mod lbfgs;
mod line_search;

use crate::error::{CoreError, Result};
use crate::ufm::{Layout, Point, Ufm};

/// Which algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Gradient descent with backtracking.
    Gd,
    /// Limited-memory BFGS with a strong-Wolfe line search.
    Lbfgs,
}

/// Stopping rules and method knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveOptions {
    /// The algorithm.
    pub method: Method,
    /// Stop when ‖∇f‖₂ ≤ tol.
    pub tol: f64,
    /// Stop after this many iterations at the latest.
    pub max_iters: usize,
    /// L-BFGS history length.
    pub history: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            method: Method::Lbfgs,
            tol: 1e-8,
            max_iters: 10_000,
            history: 10,
        }
    }
}

/// What an observer sees after every iteration.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Iterations done.
    pub iteration: usize,
    /// f at the current point.
    pub objective: f64,
    /// ‖∇f‖₂ at the current point.
    pub grad_norm: f64,
    x: &'a [f64],
    layout: Layout,
}

impl Progress<'_> {
    /// The current point (a copy).
    pub fn point(&self) -> Point {
        self.layout.unflatten(self.x)
    }
}

/// The outcome of a solve.
#[derive(Debug, Clone)]
pub struct SolveReport {
    /// The final point.
    pub point: Point,
    /// f there.
    pub objective: f64,
    /// ‖∇f‖₂ there.
    pub grad_norm: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Objective+gradient evaluations used.
    pub evaluations: usize,
    /// Whether ‖∇f‖ ≤ tol was reached.
    pub converged: bool,
}

/// f and ∇f on flat vectors, counting evaluations.
pub(crate) struct Oracle<'a> {
    ufm: &'a Ufm,
    layout: Layout,
    pub(crate) evaluations: usize,
}

impl Oracle<'_> {
    pub(crate) fn value_grad(&mut self, x: &[f64]) -> (f64, Vec<f64>) {
        self.evaluations += 1;
        let p = self.layout.unflatten(x);
        let (eval, grad) = self.ufm.gradient(&p);
        (eval.objective, self.layout.flatten(&grad))
    }
}

pub(crate) fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises the UFM from `start`, calling `observe` after every iteration (and once at the
/// start, iteration 0).
pub fn solve(
    ufm: &Ufm,
    start: Point,
    options: &SolveOptions,
    mut observe: impl FnMut(&Progress<'_>),
) -> Result<SolveReport> {
    ufm.check_point(&start)?;
    collapse_guard::number::check("tol", options.tol, collapse_guard::Range::POSITIVE)?;
    if options.method == Method::Lbfgs && options.history == 0 {
        return Err(CoreError::parameter(
            "history",
            0,
            "L-BFGS needs a history of at least 1",
        ));
    }
    let layout = Layout::of(&start);
    let mut oracle = Oracle {
        ufm,
        layout,
        evaluations: 0,
    };
    let x0 = layout.flatten(&start);
    let mut notify = |iteration: usize, objective: f64, grad_norm: f64, x: &[f64]| {
        observe(&Progress {
            iteration,
            objective,
            grad_norm,
            x,
            layout,
        })
    };
    let run = match options.method {
        Method::Gd => gradient_descent::run(&mut oracle, x0, options, &mut notify),
        Method::Lbfgs => lbfgs::run(&mut oracle, x0, options, &mut notify),
    };
    Ok(SolveReport {
        point: layout.unflatten(&run.x),
        objective: run.f,
        grad_norm: norm(&run.g),
        iterations: run.iterations,
        evaluations: oracle.evaluations,
        converged: norm(&run.g) <= options.tol,
    })
}

/// The state a method ends in.
pub(crate) struct Run {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) g: Vec<f64>,
    pub(crate) iterations: usize,
}

/// The observer callback as the methods see it.
pub(crate) type Notify<'a> = dyn FnMut(usize, f64, f64, &[f64]) + 'a;
