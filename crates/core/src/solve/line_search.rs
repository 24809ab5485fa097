//! A strong-Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6) that also accepts
//! Hager–Zhang's approximate-Wolfe points, whose test survives rounding near a minimiser.

use super::{dot, Oracle};

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const MAX_EVALS: usize = 40;

/// An accepted step.
pub(crate) struct Step {
    pub(crate) alpha: f64,
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) g: Vec<f64>,
}

struct Sample {
    alpha: f64,
    f: f64,
    d: f64,
    x: Vec<f64>,
    g: Vec<f64>,
}

fn sample(oracle: &mut Oracle<'_>, x: &[f64], p: &[f64], alpha: f64) -> Sample {
    let xa: Vec<f64> = x.iter().zip(p).map(|(a, b)| a + alpha * b).collect();
    let (f, g) = oracle.value_grad(&xa);
    let d = dot(&g, p);
    Sample {
        alpha,
        f,
        d,
        x: xa,
        g,
    }
}

/// Differences of f below this are rounding, not information (Hager–Zhang's ε|f₀|).
fn flat_tolerance(f0: f64) -> f64 {
    1e-12 * f0.abs().max(1e-300)
}

/// Whether a sample satisfies the (strong or approximate) Wolfe conditions.
fn acceptable(s: &Sample, f0: f64, d0: f64) -> bool {
    let strong = s.f <= f0 + C1 * s.alpha * d0 && s.d.abs() <= -C2 * d0;
    let approx = s.f <= f0 + flat_tolerance(f0) && s.d >= C2 * d0 && s.d <= (2.0 * C1 - 1.0) * d0;
    s.f.is_finite() && (strong || approx)
}

fn sufficient_decrease_fails(s: &Sample, f0: f64, d0: f64) -> bool {
    !s.f.is_finite() || s.f > f0 + C1 * s.alpha * d0
}

/// Minimiser of the cubic through (a, fa, da), (b, fb, db), safeguarded into the middle
/// of [a, b]; bisection where the cubic has no real minimiser. Where f is flat to rounding
/// the cubic fits noise, so the zero of the secant through the two slopes is used instead.
fn interpolate(a: &Sample, b: &Sample, flat: f64) -> f64 {
    let (lo, hi) = if a.alpha < b.alpha { (a, b) } else { (b, a) };
    let h = hi.alpha - lo.alpha;
    if (lo.f - hi.f).abs() <= flat && lo.d < 0.0 && hi.d > 0.0 {
        let t = lo.alpha - lo.d * h / (hi.d - lo.d);
        return t.clamp(lo.alpha + 0.01 * h, hi.alpha - 0.01 * h);
    }
    let d1 = lo.d + hi.d - 3.0 * (lo.f - hi.f) / (lo.alpha - hi.alpha);
    let disc = d1 * d1 - lo.d * hi.d;
    let mid = 0.5 * (lo.alpha + hi.alpha);
    if !(disc.is_finite() && disc >= 0.0 && hi.f.is_finite()) {
        return mid;
    }
    let d2 = disc.sqrt();
    let t = hi.alpha - h * (hi.d + d2 - d1) / (hi.d - lo.d + 2.0 * d2);
    let margin = 0.1 * h;
    if t.is_finite() && t > lo.alpha + margin && t < hi.alpha - margin {
        t
    } else {
        mid
    }
}

/// Searches along the descent direction `p` (⟨g, p⟩ = d0 < 0) from `x` with f(x) = f0,
/// starting at `alpha0`. `None` when no acceptable step was found within the budget.
pub(crate) fn strong_wolfe(
    oracle: &mut Oracle<'_>,
    x: &[f64],
    f0: f64,
    d0: f64,
    p: &[f64],
    alpha0: f64,
) -> Option<Step> {
    let origin = Sample {
        alpha: 0.0,
        f: f0,
        d: d0,
        x: x.to_vec(),
        g: Vec::new(),
    };
    let mut prev = origin;
    let mut alpha = alpha0;
    let mut evals = 0;
    loop {
        let cur = sample(oracle, x, p, alpha);
        evals += 1;
        if acceptable(&cur, f0, d0) {
            return Some(accept(cur));
        }
        if sufficient_decrease_fails(&cur, f0, d0) || (prev.alpha > 0.0 && cur.f >= prev.f) {
            return zoom(oracle, x, f0, d0, p, prev, cur, evals);
        }
        if cur.d >= 0.0 {
            return zoom(oracle, x, f0, d0, p, cur, prev, evals);
        }
        if evals >= MAX_EVALS {
            return None;
        }
        prev = cur;
        alpha *= 2.0;
    }
}

#[allow(clippy::too_many_arguments)]
fn zoom(
    oracle: &mut Oracle<'_>,
    x: &[f64],
    f0: f64,
    d0: f64,
    p: &[f64],
    mut lo: Sample,
    mut hi: Sample,
    mut evals: usize,
) -> Option<Step> {
    let flat = flat_tolerance(f0);
    while evals < MAX_EVALS {
        let alpha = interpolate(&lo, &hi, flat);
        let cur = sample(oracle, x, p, alpha);
        evals += 1;
        if acceptable(&cur, f0, d0) {
            return Some(accept(cur));
        }
        // Hager–Zhang: a value equal to lo's within rounding is no evidence against cur; the
        // slope then decides which end it replaces.
        let worse = if (cur.f - lo.f).abs() <= flat {
            cur.f > f0 + flat
        } else {
            cur.f > lo.f
        };
        if sufficient_decrease_fails(&cur, f0, d0) || worse {
            hi = cur;
        } else {
            if cur.d * (hi.alpha - lo.alpha) >= 0.0 {
                hi = lo;
            }
            lo = cur;
        }
        if (hi.alpha - lo.alpha).abs() <= f64::EPSILON * lo.alpha.abs().max(1e-300) {
            break;
        }
    }
    // Out of budget: a strictly better point still beats giving up.
    (lo.alpha > 0.0 && lo.f < f0).then(|| accept(lo))
}

fn accept(s: Sample) -> Step {
    Step {
        alpha: s.alpha,
        x: s.x,
        f: s.f,
        g: s.g,
    }
}
