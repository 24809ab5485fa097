//! Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4) with the two-loop recursion and
//! the initial scaling γ = sᵀy / yᵀy. A failed line search resets the memory and retries
//! along −∇f before giving up.

use super::line_search::strong_wolfe;
use super::{dot, norm, Notify, Oracle, Run, SolveOptions};
use std::collections::VecDeque;

struct Pair {
    s: Vec<f64>,
    y: Vec<f64>,
    rho: f64,
}

fn two_loop(g: &[f64], memory: &VecDeque<Pair>) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let mut alphas = Vec::with_capacity(memory.len());
    for pair in memory.iter().rev() {
        let a = pair.rho * dot(&pair.s, &q);
        for (qi, yi) in q.iter_mut().zip(&pair.y) {
            *qi -= a * yi;
        }
        alphas.push(a);
    }
    if let Some(last) = memory.back() {
        let gamma = dot(&last.s, &last.y) / dot(&last.y, &last.y);
        q.iter_mut().for_each(|v| *v *= gamma);
    }
    for (pair, a) in memory.iter().zip(alphas.iter().rev()) {
        let b = pair.rho * dot(&pair.y, &q);
        for (qi, si) in q.iter_mut().zip(&pair.s) {
            *qi += (a - b) * si;
        }
    }
    q.iter_mut().for_each(|v| *v = -*v);
    q
}

pub(crate) fn run(
    oracle: &mut Oracle<'_>,
    mut x: Vec<f64>,
    options: &SolveOptions,
    notify: &mut Notify<'_>,
) -> Run {
    let (mut f, mut g) = oracle.value_grad(&x);
    notify(0, f, norm(&g), &x);
    let mut memory: VecDeque<Pair> = VecDeque::with_capacity(options.history);
    let mut iterations = 0;
    while iterations < options.max_iters && norm(&g) > options.tol {
        let mut p = two_loop(&g, &memory);
        let mut d0 = dot(&g, &p);
        if d0.is_nan() || d0 >= 0.0 {
            memory.clear();
            p = g.iter().map(|v| -v).collect();
            d0 = -dot(&g, &g);
        }
        let alpha0 = if memory.is_empty() {
            (1.0 / norm(&g)).min(1.0)
        } else {
            1.0
        };
        let step = match strong_wolfe(oracle, &x, f, d0, &p, alpha0) {
            Some(step) => step,
            None if !memory.is_empty() => {
                memory.clear();
                continue;
            }
            None => break,
        };
        let s: Vec<f64> = p.iter().map(|v| step.alpha * v).collect();
        let y: Vec<f64> = step.g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-16 * norm(&s) * norm(&y) && sy > 0.0 {
            if memory.len() == options.history {
                memory.pop_front();
            }
            memory.push_back(Pair {
                s,
                y,
                rho: 1.0 / sy,
            });
        }
        x = step.x;
        f = step.f;
        g = step.g;
        iterations += 1;
        notify(iterations, f, norm(&g), &x);
    }
    Run {
        x,
        f,
        g,
        iterations,
    }
}
