//! Times every metric on features held in memory, for `bench/run_bench.py` (which times a
//! numpy f64 implementation on the same files in the same run and prints the ratio).
//!
//! `cargo run --release -p collapse-metrics --example bench_metrics -- FEATURES LABELS WEIGHTS REPEATS`
//!
//! Prints one JSON object: the best wall time of each path over REPEATS runs, and nc1.

use collapse_arrays::{ArrayFile, Expect};
use collapse_metrics::{
    evaluate, ClassStats, Evaluation, Head, MeanPass, PinvPolicy, Report, ScatterMode,
};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, features, labels, weights, repeats] = args.as_slice() else {
        eprintln!("usage: bench_metrics FEATURES LABELS WEIGHTS REPEATS");
        std::process::exit(2);
    };
    let repeats: usize = repeats.parse().expect("REPEATS is a number");
    let f = ArrayFile::open(features, Expect::Matrix).expect("features");
    let (n, d) = (f.rows(), f.cols());
    let h = f.read_floats().expect("features");
    let y = ArrayFile::open(labels, Expect::Vector)
        .and_then(|l| l.read_labels())
        .expect("labels");
    let wf = ArrayFile::open(weights, Expect::Matrix).expect("weights");
    let k = wf.rows();
    let head = Head::new(&wf.read_floats().expect("weights"), k, d, None::<&[f64]>).expect("head");

    // All metrics, both passes over the samples (the second gives nc4). Returns the report
    // and the seconds spent in pass 1, pass 2 and the final evaluation.
    let run = |mode: ScatterMode| -> (Report, [f64; 3]) {
        let t = Instant::now();
        let mut stats = ClassStats::new(k, d, mode).unwrap();
        stats.push(&h, &y).unwrap();
        let t1 = t.elapsed().as_secs_f64();
        let mut pass = MeanPass::new(&stats, Some(&head)).unwrap();
        pass.push(&h, &y).unwrap();
        let t2 = t.elapsed().as_secs_f64();
        let report = evaluate(
            &Evaluation {
                train: &stats,
                train_pass: Some(&pass),
                test_pass: None,
                head: Some(&head),
                pinv: PinvPolicy::RankTruncated,
            },
            &[],
        )
        .unwrap();
        let t3 = t.elapsed().as_secs_f64();
        (report, [t1, t2 - t1, t3 - t2])
    };
    let mut out = Vec::new();
    for (name, mode) in [
        ("full", ScatterMode::Full),
        ("projected", ScatterMode::TraceOnly),
    ] {
        let mut best = (f64::INFINITY, [0.0; 3]);
        let mut report = None;
        for _ in 0..repeats {
            let (r, parts) = run(mode);
            let total: f64 = parts.iter().sum();
            if total < best.0 {
                best = (total, parts);
            }
            report = Some(r);
        }
        let r = report.unwrap();
        out.push(format!(
            "\"{name}\": {{\"seconds\": {}, \"pass1\": {}, \"pass2\": {}, \"evaluate\": {}, \"nc1\": {}, \"nc4\": {}, \"metrics\": {}}}",
            best.0,
            best.1[0],
            best.1[1],
            best.1[2],
            r.metrics["nc1"],
            r.metrics["nc4"],
            r.metrics.len()
        ));
    }
    println!(
        "{{\"n\": {n}, \"d\": {d}, \"k\": {k}, \"threads\": {}, {}}}",
        faer::get_global_parallelism().degree(),
        out.join(", ")
    );
}
