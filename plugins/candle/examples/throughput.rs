//! Training throughput of a model on random 3×32×32 inputs: images/s of SGD steps (train
//! mode) and of feature passes (eval mode).
//!
//! `cargo run --release -p collapse-plugin-candle --example throughput -- MODEL_JSON BATCH STEPS`

use std::time::Instant;

use candle_core::{Device, Tensor};
use collapse_plugin_api::{
    Backend, DataSet, DataShape, OptimizerConfig, SessionConfig, Split, TrainRequest,
};
use collapse_plugin_candle::CandleSession;

fn main() {
    // What `collapse` does first: the process settings users train with.
    collapse_train::process_tuning::apply();
    let args: Vec<String> = std::env::args().collect();
    let model: serde_json::Value = serde_json::from_str(
        args.get(1)
            .map(String::as_str)
            .unwrap_or(r#"{"classes": 10, "model": "resnet18", "stem": "3x3"}"#),
    )
    .expect("MODEL_JSON");
    let batch: usize = args.get(2).map_or(128, |s| s.parse().expect("BATCH"));
    let steps: u64 = args.get(3).map_or(3, |s| s.parse().expect("STEPS"));
    let config = SessionConfig {
        model,
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.9,
            weight_decay: 5e-4,
            batch_size: batch,
            extra: Default::default(),
        },
        seed: 0,
        device: "cpu".into(),
    };
    let mut s = CandleSession::create(config).expect("session");
    let n = batch * 2;
    let x = Tensor::randn(0f32, 1f32, (n, 3, 32, 32), &Device::Cpu)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .expect("data");
    let labels: Vec<u32> = (0..n as u32).map(|i| i % 10).collect();
    s.set_data(DataSet {
        split: Split::Train,
        shape: DataShape::Images {
            channels: 3,
            height: 32,
            width: 32,
        },
        classes: 10,
        values: &x,
        labels: &labels,
    })
    .expect("data");
    // Warm-up step.
    s.train(TrainRequest {
        epoch: 1,
        lr: 0.01,
        steps: Some(1),
    })
    .expect("train");
    let t = Instant::now();
    s.train(TrainRequest {
        epoch: 2,
        lr: 0.01,
        steps: Some(steps),
    })
    .expect("train");
    let train_ips = (steps as usize * batch) as f64 / t.elapsed().as_secs_f64();
    let d = s.info().dim;
    let mut f = vec![0.0; n * d];
    let mut l = vec![0u32; n];
    let t = Instant::now();
    s.features(Split::Train, 0, &mut f, &mut l)
        .expect("features");
    let eval_ips = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "{{\"batch\": {batch}, \"steps\": {steps}, \"train_images_per_s\": {train_ips:.2}, \"eval_images_per_s\": {eval_ips:.2}}}"
    );
}
