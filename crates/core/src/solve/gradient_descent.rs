//! Gradient descent with an adaptive backtracking step: halve until Armijo's sufficient
//! decrease holds, double after every accepted step. Safe without any Lipschitz constant.

use super::{norm, Notify, Oracle, Run, SolveOptions};

const C1: f64 = 1e-4;
const MIN_STEP: f64 = 1e-20;

pub(crate) fn run(
    oracle: &mut Oracle<'_>,
    mut x: Vec<f64>,
    options: &SolveOptions,
    notify: &mut Notify<'_>,
) -> Run {
    let (mut f, mut g) = oracle.value_grad(&x);
    let mut gnorm = norm(&g);
    notify(0, f, gnorm, &x);
    let mut step = (1.0 / gnorm.max(1e-300)).min(1.0);
    let mut iterations = 0;
    while iterations < options.max_iters && gnorm > options.tol {
        let g2 = gnorm * gnorm;
        let accepted = loop {
            let trial: Vec<f64> = x.iter().zip(&g).map(|(a, b)| a - step * b).collect();
            let (ft, gt) = oracle.value_grad(&trial);
            let armijo = ft <= f - C1 * step * g2;
            // Near a minimiser f stops resolving the decrease; a smaller gradient at no
            // higher f (to rounding) is then the honest sign of progress.
            let rounding = ft <= f + 1e-14 * f.abs() && norm(&gt) < gnorm;
            if ft.is_finite() && (armijo || rounding) {
                break Some((trial, ft, gt));
            }
            step *= 0.5;
            if step < MIN_STEP {
                break None;
            }
        };
        let Some((xn, fn_, gn)) = accepted else { break };
        x = xn;
        f = fn_;
        g = gn;
        gnorm = norm(&g);
        iterations += 1;
        step *= 2.0;
        notify(iterations, f, gnorm, &x);
    }
    Run {
        x,
        f,
        g,
        iterations,
    }
}
