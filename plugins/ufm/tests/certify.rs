//! The UFM backend's training reaches the global minimiser that Zhu et al.'s Theorem 3.1
//! predicts: full-batch SGD (one step per epoch) from a random start, then the core's
//! critical-point certificate (gradient, σ₁ ≤ √(λ_Wλ_H), f = f* of the closed form).

use collapse_core::{certify, Bias, CertifyOptions, Point, Ufm, Verdict};
use collapse_plugin_api::{Backend, OptimizerConfig, SessionConfig, TrainRequest};
use collapse_plugin_ufm::UfmBackend;
use faer::Mat;

#[test]
fn full_batch_training_is_certified_as_the_global_minimiser() {
    let (k, n, d) = (3, 4, 5); // d > K: Theorem 3.2's setting
    let (lambda_w, lambda_h) = (1e-2, 2e-2);
    let config = SessionConfig {
        model: serde_json::json!({"classes": k, "per_class": n, "dim": d, "lambda_h": lambda_h, "init_scale": 0.5}),
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.9,
            weight_decay: lambda_w,
            batch_size: k * n,
            extra: Default::default(),
        },
        seed: 9,
        device: "cpu".into(),
    };
    let mut ufm = UfmBackend::create(config).unwrap();
    for epoch in 1..=4000 {
        ufm.train(TrainRequest {
            epoch,
            lr: 0.5,
            steps: None,
        })
        .unwrap();
    }
    let p = ufm.params();
    let samples = k * n;
    let point = Point {
        w: Mat::from_fn(k, d, |r, c| p.w[r * d + c]),
        h: Mat::from_fn(d, samples, |r, j| p.h[j * d + r]),
        b: Some(p.b.clone()),
    };
    let problem = Ufm::balanced(k, n, lambda_w, lambda_h, Bias::Decayed(lambda_w)).unwrap();
    let options = CertifyOptions {
        grad_tol: 1e-8,
        ..CertifyOptions::default()
    };
    let cert = certify(&problem, &point, &options).unwrap();
    assert_eq!(
        cert.verdict,
        Verdict::GlobalMinimizer,
        "grad {:.3e}, sigma1 {:.6e} vs threshold {:.6e}, f {:.9} vs f* {:?}",
        cert.grad_norm,
        cert.sigma1,
        cert.threshold,
        cert.objective,
        cert.closed_form_objective
    );
}
