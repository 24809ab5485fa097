//! L-BFGS with the strong-Wolfe line search, following PyTorch's `torch.optim.LBFGS`
//! (tolerance_grad 1e-7, tolerance_change 1e-9, max_eval = 1.25·max_iter, c₁ = 1e-4,
//! c₂ = 0.9, 25 line-search evaluations). The state (history, direction, step) persists
//! across `step` calls, i.e. across mini-batches, exactly as PyTorch keeps it.
//!
//! It works on flat f64 vectors, so every backend shares it: the caller's objective sets the
//! parameters, evaluates the loss (with weight decay as Σ ½·wd‖p‖²) and returns the flat
//! gradient, failing with the backend's own error type.

const TOL_GRAD: f64 = 1e-7;
const TOL_CHANGE: f64 = 1e-9;
const MAX_LS: usize = 25;

/// What persists between steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LbfgsState {
    /// Last search direction.
    pub d: Vec<f64>,
    /// Last step length.
    pub t: f64,
    /// Gradient differences y.
    pub old_dirs: Vec<Vec<f64>>,
    /// Steps s.
    pub old_stps: Vec<Vec<f64>>,
    /// 1/(yᵀs).
    pub ro: Vec<f64>,
    /// Initial Hessian scale.
    pub h_diag: f64,
    /// Gradient at the previous iterate.
    pub prev_flat_grad: Vec<f64>,
    /// Iterations over all steps.
    pub n_iter: u64,
    /// Function evaluations over all steps.
    pub func_evals: u64,
}

/// L-BFGS settings.
#[derive(Debug, Clone, Copy)]
pub struct Lbfgs {
    /// Learning rate (initial step length).
    pub lr: f64,
    /// History size.
    pub history: usize,
    /// Iterations per step.
    pub max_iter: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn abs_max(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn axpy(x: &[f64], t: f64, d: &[f64]) -> Vec<f64> {
    x.iter().zip(d).map(|(a, b)| a + t * b).collect()
}

/// PyTorch's `_cubic_interpolate`: the minimiser of the cubic through two points with
/// slopes, clamped to the bounds (the bisection when the cubic has no minimiser).
fn cubic_interpolate(
    (x1, f1, g1): (f64, f64, f64),
    (x2, f2, g2): (f64, f64, f64),
    bounds: Option<(f64, f64)>,
) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2sq = d1 * d1 - g1 * g2;
    if d2sq >= 0.0 {
        let d2 = d2sq.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        min_pos.max(lo).min(hi)
    } else {
        (lo + hi) / 2.0
    }
}

/// The strong-Wolfe line search along `d` from `x` (loss `f`, gradient `g`, slope `gtd`).
/// Returns (loss, gradient, step, evaluations).
fn strong_wolfe<F, E>(
    obj: &mut F,
    x: &[f64],
    mut t: f64,
    d: &[f64],
    f: f64,
    g: &[f64],
    gtd: f64,
) -> Result<(f64, Vec<f64>, f64, usize), E>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
{
    let (c1, c2) = (1e-4, 0.9);
    let d_norm = abs_max(d);
    let (mut f_new, mut g_new) = obj(&axpy(x, t, d))?;
    let mut evals = 1;
    let mut gtd_new = dot(&g_new, d);
    let (mut t_prev, mut f_prev, mut g_prev, mut gtd_prev) = (0.0, f, g.to_vec(), gtd);
    let mut done = false;
    let mut ls_iter = 0;
    // Brackets: (step, loss, gradient, slope).
    let mut bracket: Vec<(f64, f64, Vec<f64>, f64)> = Vec::new();
    while ls_iter < MAX_LS {
        if f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev) {
            bracket = vec![
                (t_prev, f_prev, g_prev.clone(), gtd_prev),
                (t, f_new, g_new.clone(), gtd_new),
            ];
            break;
        }
        if gtd_new.abs() <= -c2 * gtd {
            bracket = vec![(t, f_new, g_new.clone(), gtd_new)];
            done = true;
            break;
        }
        if gtd_new >= 0.0 {
            bracket = vec![
                (t_prev, f_prev, g_prev.clone(), gtd_prev),
                (t, f_new, g_new.clone(), gtd_new),
            ];
            break;
        }
        let (min_step, max_step) = (t + 0.01 * (t - t_prev), t * 10.0);
        let tmp = t;
        t = cubic_interpolate(
            (t_prev, f_prev, gtd_prev),
            (t, f_new, gtd_new),
            Some((min_step, max_step)),
        );
        t_prev = tmp;
        f_prev = f_new;
        g_prev = g_new.clone();
        gtd_prev = gtd_new;
        (f_new, g_new) = obj(&axpy(x, t, d))?;
        evals += 1;
        gtd_new = dot(&g_new, d);
        ls_iter += 1;
    }
    if ls_iter == MAX_LS {
        bracket = vec![
            (0.0, f, g.to_vec(), gtd),
            (t, f_new, g_new.clone(), gtd_new),
        ];
    }
    // Zoom.
    let mut insuf_progress = false;
    let order = |b: &[(f64, f64, Vec<f64>, f64)]| {
        if b[0].1 <= b[b.len() - 1].1 {
            (0, 1)
        } else {
            (1, 0)
        }
    };
    let (mut low, mut high) = order(&bracket);
    while !done && ls_iter < MAX_LS {
        let (b0, b1) = (bracket[0].0, bracket[1].0);
        if (b1 - b0).abs() * d_norm < TOL_CHANGE {
            break;
        }
        t = cubic_interpolate(
            (b0, bracket[0].1, bracket[0].3),
            (b1, bracket[1].1, bracket[1].3),
            None,
        );
        let (bmax, bmin) = (b0.max(b1), b0.min(b1));
        let eps = 0.1 * (bmax - bmin);
        if (bmax - t).min(t - bmin) < eps {
            if insuf_progress || t >= bmax || t <= bmin {
                t = if (t - bmax).abs() < (t - bmin).abs() {
                    bmax - eps
                } else {
                    bmin + eps
                };
                insuf_progress = false;
            } else {
                insuf_progress = true;
            }
        } else {
            insuf_progress = false;
        }
        let (fn_, gn) = obj(&axpy(x, t, d))?;
        evals += 1;
        let gtdn = dot(&gn, d);
        ls_iter += 1;
        if fn_ > f + c1 * t * gtd || fn_ >= bracket[low].1 {
            bracket[high] = (t, fn_, gn, gtdn);
            (low, high) = order(&bracket);
        } else {
            if gtdn.abs() <= -c2 * gtd {
                done = true;
            } else if gtdn * (bracket[high].0 - bracket[low].0) >= 0.0 {
                bracket[high] = bracket[low].clone();
            }
            bracket[low] = (t, fn_, gn, gtdn);
        }
    }
    let (t, f_new, g_new, _) = bracket.swap_remove(low);
    Ok((f_new, g_new, t, evals))
}

impl Lbfgs {
    /// One `step` from `x` (updated in place). Returns the loss at the start of the step.
    pub fn step<F, E>(&self, state: &mut LbfgsState, x: &mut [f64], mut obj: F) -> Result<f64, E>
    where
        F: FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
    {
        let max_eval = self.max_iter * 5 / 4;
        let (orig_loss, mut flat_grad) = obj(x)?;
        let mut loss = orig_loss;
        let mut current_evals = 1;
        state.func_evals += 1;
        if abs_max(&flat_grad) <= TOL_GRAD {
            return Ok(orig_loss);
        }
        let mut n_iter = 0;
        while n_iter < self.max_iter {
            n_iter += 1;
            state.n_iter += 1;
            if state.n_iter == 1 {
                state.d = flat_grad.iter().map(|g| -g).collect();
                state.old_dirs.clear();
                state.old_stps.clear();
                state.ro.clear();
                state.h_diag = 1.0;
            } else {
                let y: Vec<f64> = flat_grad
                    .iter()
                    .zip(&state.prev_flat_grad)
                    .map(|(a, b)| a - b)
                    .collect();
                let s: Vec<f64> = state.d.iter().map(|v| v * state.t).collect();
                let ys = dot(&y, &s);
                if ys > 1e-10 {
                    if state.old_dirs.len() == self.history {
                        state.old_dirs.remove(0);
                        state.old_stps.remove(0);
                        state.ro.remove(0);
                    }
                    state.h_diag = ys / dot(&y, &y);
                    state.old_dirs.push(y);
                    state.old_stps.push(s);
                    state.ro.push(1.0 / ys);
                }
                let m = state.old_dirs.len();
                let mut al = vec![0.0; m];
                let mut q: Vec<f64> = flat_grad.iter().map(|g| -g).collect();
                for i in (0..m).rev() {
                    al[i] = dot(&state.old_stps[i], &q) * state.ro[i];
                    for (qj, yj) in q.iter_mut().zip(&state.old_dirs[i]) {
                        *qj -= al[i] * yj;
                    }
                }
                let mut r: Vec<f64> = q.iter().map(|v| v * state.h_diag).collect();
                for (i, a) in al.iter().enumerate() {
                    let be = dot(&state.old_dirs[i], &r) * state.ro[i];
                    for (rj, sj) in r.iter_mut().zip(&state.old_stps[i]) {
                        *rj += (a - be) * sj;
                    }
                }
                state.d = r;
            }
            state.prev_flat_grad.clone_from(&flat_grad);
            let prev_loss = loss;
            state.t = if state.n_iter == 1 {
                (1.0f64).min(1.0 / flat_grad.iter().map(|g| g.abs()).sum::<f64>()) * self.lr
            } else {
                self.lr
            };
            let gtd = dot(&flat_grad, &state.d);
            if gtd > -TOL_CHANGE {
                break;
            }
            let d = state.d.clone();
            let (f_new, g_new, t, evals) =
                strong_wolfe(&mut obj, x, state.t, &d, loss, &flat_grad, gtd)?;
            loss = f_new;
            flat_grad = g_new;
            state.t = t;
            for (xi, di) in x.iter_mut().zip(&d) {
                *xi += t * di;
            }
            current_evals += evals;
            state.func_evals += evals as u64;
            if n_iter == self.max_iter
                || current_evals >= max_eval
                || abs_max(&flat_grad) <= TOL_GRAD
                || abs_max(&d) * t.abs() <= TOL_CHANGE
                || (loss - prev_loss).abs() < TOL_CHANGE
            {
                break;
            }
        }
        Ok(orig_loss)
    }
}

impl Lbfgs {
    /// One `step` on a mini-batch whose evaluations also yield what the epoch loop reports
    /// (e.g. the loss without decay and the correct count): `eval(point)` returns
    /// (objective, gradient, report), and the first evaluation's report (at the step's
    /// starting point) comes back, as PyTorch's `step(closure)` returns the first loss.
    pub fn step_reporting<F, E, R>(
        &self,
        state: &mut LbfgsState,
        x: &mut [f64],
        mut eval: F,
    ) -> Result<R, E>
    where
        F: FnMut(&[f64]) -> Result<(f64, Vec<f64>, R), E>,
    {
        let mut first = None;
        self.step(state, x, |point| {
            let (f, g, report) = eval(point)?;
            first.get_or_insert(report);
            Ok((f, g))
        })?;
        Ok(first.expect("a step evaluates the objective at least once"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock in 2-D: minimum 0 at (1, 1).
    fn rosenbrock(x: &[f64]) -> Result<(f64, Vec<f64>), ()> {
        let (a, b) = (x[0], x[1]);
        let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
        let g = vec![
            -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
            200.0 * (b - a * a),
        ];
        Ok((f, g))
    }

    /// PyTorch 2.11.0's `LBFGS([x], lr=1, history_size=10, max_iter=20,
    /// line_search_fn="strong_wolfe")` on this Rosenbrock from (−1.5, 2) in float64, step by
    /// step: (x after the step, n_iter, func_evals). Regenerate with that call and
    /// `opt.state[x]["n_iter"]`, `["func_evals"]` after each `opt.step(closure)`.
    const TORCH: [([f64; 2], u64, u64); 4] = [
        ([-0.08523120550524242, -0.02882464531631397], 19, 25),
        ([0.9997609786712734, 0.9995387882216061], 38, 50),
        ([0.9999834179208867, 0.9999669023996953], 40, 52),
        ([0.9999834179208867, 0.9999669023996953], 41, 53),
    ];

    #[test]
    fn follows_pytorchs_trajectory_on_rosenbrock() {
        let opt = Lbfgs {
            lr: 1.0,
            history: 10,
            max_iter: 20,
        };
        let mut state = LbfgsState::default();
        let mut x = vec![-1.5, 2.0];
        for (step, (want, n_iter, evals)) in TORCH.iter().enumerate() {
            opt.step(&mut state, &mut x, rosenbrock).unwrap();
            for (a, b) in x.iter().zip(want) {
                assert!((a - b).abs() < 1e-9, "step {step}: x {x:?}, torch {want:?}");
            }
            assert_eq!(
                (state.n_iter, state.func_evals),
                (*n_iter, *evals),
                "step {step}"
            );
        }
        let (f, _) = rosenbrock(&x).unwrap();
        assert!(f < 1e-9 && (x[0] - 1.0).abs() < 1e-4, "{f} at {x:?}");
    }

    #[test]
    fn cubic_interpolation_finds_the_quadratic_minimum() {
        // f = (t − 2)²: f(0) = 4, f'(0) = −4; f(3) = 1, f'(3) = 2.
        let t = cubic_interpolate((0.0, 4.0, -4.0), (3.0, 1.0, 2.0), None);
        assert!((t - 2.0).abs() < 1e-12, "{t}");
    }
}
