//! Timing of one UFM gradient evaluation and of a full L-BFGS solve, printed as one JSON line.
//! Run by `cargo xtask bench-ufm`, which runs the numpy baseline in the same session and
//! prints the ratios. Usage: `ufm_bench K n d reps`.

use collapse_core::{solve, Bias, SolveOptions, Ufm};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("integer arguments: K n d reps"))
        .collect();
    let [k, n, d, reps] = args[..] else {
        panic!("usage: ufm_bench K n d reps");
    };
    let lambda = 5e-4;
    let ufm = Ufm::balanced(k, n, lambda, lambda, Bias::Decayed(lambda)).expect("valid problem");
    let p = ufm.random_point(d, 0.1, 0);
    let mut times = Vec::with_capacity(reps);
    let mut sink = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        let (eval, grad) = ufm.gradient(&p);
        times.push(t.elapsed().as_secs_f64());
        sink += eval.objective + grad.w[(0, 0)];
    }
    times.sort_by(f64::total_cmp);
    let t = Instant::now();
    let options = SolveOptions {
        tol: 1e-6,
        max_iters: 5_000,
        ..SolveOptions::default()
    };
    let report = solve(&ufm, p, &options, |_| {}).expect("solve");
    let solve_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"gradient_median_s\": {}, \"solve_s\": {solve_s}, \"iterations\": {}, \"evaluations\": {}, \"objective\": {}, \"closed_form\": {}, \"grad_norm\": {}, \"sink\": {sink}}}",
        times[reps / 2],
        report.iterations,
        report.evaluations,
        report.objective,
        ufm.closed_form().map_or(f64::NAN, |c| c.objective),
        report.grad_norm
    );
}
