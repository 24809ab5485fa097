//! The model contract: reference.md §2's parameter counts, the MLP and width-k formulas,
//! feature shapes, torchvision's names; counts, names and frozen tensors are read from the
//! saved state.

use collapse_plugin_api::{
    Backend, DataSet, DataShape, OptimizerConfig, SessionConfig, Split, TrainRequest,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safetensors::SafeTensors;
use serde_json::json;

use crate::reference_counts::{frozen_head_params, RESNET18_TRAINABLE_PARAMS};

/// SGD (momentum 0.9, weight decay 5e-4, batch 8), seed 0, on the CPU.
pub fn config(model: serde_json::Value) -> SessionConfig {
    SessionConfig {
        model,
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.9,
            weight_decay: 5e-4,
            batch_size: 8,
            extra: Default::default(),
        },
        seed: 0,
        device: "cpu".into(),
    }
}

/// A fresh session of `model` (no data).
pub fn session<B: Backend>(model: serde_json::Value) -> B {
    let what = model.to_string();
    B::create(config(model)).unwrap_or_else(|e| panic!("create {what}: {e}"))
}

/// (name, shape) of every tensor in the session's saved state, in the state's order.
pub fn state_tensors<B: Backend>(s: &B) -> Vec<(String, Vec<usize>)> {
    let bytes = s.save_state().expect("save_state");
    let st = SafeTensors::deserialize(&bytes).expect("the state is safetensors");
    let mut out: Vec<(String, Vec<usize>)> = st
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec()))
        .collect();
    out.sort();
    out
}

/// Whether a state entry is a parameter (trainable or frozen), not a BatchNorm buffer or
/// optimiser state: what PyTorch's `model.parameters()` counts.
fn is_parameter(name: &str) -> bool {
    !name.starts_with("optimizer.")
        && !["running_mean", "running_var", "num_batches_tracked"]
            .iter()
            .any(|b| name.ends_with(b))
}

/// Scalars in the parameters of the saved state (trainable and frozen).
fn total_parameters<B: Backend>(s: &B) -> u64 {
    state_tensors(s)
        .iter()
        .filter(|(name, _)| is_parameter(name))
        .map(|(_, shape)| shape.iter().product::<usize>() as u64)
        .sum()
}

/// reference.md §2's table, hit exactly; a frozen ETF head counts in the total only.
pub fn resnet18_counts_match_the_reference_table<B: Backend>() {
    for (stem, d, head, want) in RESNET18_TRAINABLE_PARAMS {
        let s: B = session(json!({"classes": 10, "model": "resnet18", "stem": stem,
                                  "feature_dim": d, "classifier": head}));
        let what = format!("stem {stem}, d {d}, {head}");
        assert_eq!(s.info().trainable_parameters, want, "{what}");
        assert_eq!(
            total_parameters(&s),
            want + frozen_head_params(head, 10, d),
            "{what}: parameters in the state"
        );
    }
}

/// The MLP's count is its formula; the width-64 CIFAR ResNet18 is the 3×3-stem ResNet18.
pub fn mlp_and_width_k_counts_follow_their_formulas<B: Backend>() {
    let (w, depth, k) = (32usize, 3usize, 10usize);
    let s: B = session(json!({"classes": k, "model": "mlp", "width": w, "depth": depth}));
    let layer = |fan_in: usize| fan_in * w + w + 2 * w;
    let want = layer(3072) + (depth - 1) * layer(w) + w * k + k;
    assert_eq!(s.info().trainable_parameters, want as u64);
    let a: B = session(json!({"classes": 10, "model": "resnet18-width", "width": 64}));
    assert_eq!(a.info().trainable_parameters, 11_173_962);
}

/// Two random 3×32×32 images as the training split of `s`.
fn two_images<B: Backend>(s: &mut B) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let values: Vec<f32> = (0..2 * 3 * 32 * 32)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    s.set_data(DataSet {
        split: Split::Train,
        shape: DataShape::Images {
            channels: 3,
            height: 32,
            width: 32,
        },
        classes: 10,
        values: &values,
        labels: &[0, 1],
    })
    .expect("set_data");
}

/// Features N×d (d = 8k, 512 or K, by stem and width) and a K×d classifier; ResNet18's
/// features follow a ReLU and a mean, so they are non-negative.
pub fn resnet18_shapes_and_nonnegative_features<B: Backend>() {
    let cases = [
        (json!({"model": "resnet18-width", "width": 4}), 32usize),
        (
            json!({"model": "resnet18-width", "width": 4, "feature_dim": 10}),
            10,
        ),
        (json!({"model": "resnet18"}), 512),
        (
            json!({"model": "resnet18", "feature_dim": 10, "classifier": "etf"}),
            10,
        ),
        (
            json!({"model": "resnet18", "stem": "3x3", "feature_dim": 10, "classifier": "etf"}),
            10,
        ),
    ];
    for (mut model, d) in cases {
        model["classes"] = json!(10);
        let what = model.to_string();
        let mut s: B = session(model);
        two_images(&mut s);
        assert_eq!(s.info().dim, d, "{what}");
        let (mut feats, mut labels) = (vec![-1.0; 2 * d], vec![9u32; 2]);
        let got = s
            .features(Split::Train, 0, &mut feats, &mut labels)
            .expect("features");
        assert_eq!((got, labels), (2, vec![0, 1]), "{what}");
        assert!(feats.iter().all(|&v| v >= 0.0), "{what}: negative feature");
        let head = s.classifier().expect("classifier");
        assert_eq!(
            (head.classes, head.dim, head.weights.len()),
            (10, d, 10 * d)
        );
    }
}

/// torchvision's `state_dict` names for ResNet18 (the frozen ETF head is saved, not
/// trained), `layers.{i}.*` for the MLP, in the state and the parameter order.
pub fn parameter_names_follow_torchvision<B: Backend>() {
    let s: B = session(
        json!({"classes": 10, "model": "resnet18", "feature_dim": 10,
                              "classifier": "etf"}),
    );
    let names: Vec<String> = state_tensors(&s).into_iter().map(|(n, _)| n).collect();
    for want in [
        "conv1.weight",
        "bn1.weight",
        "bn1.bias",
        "bn1.running_mean",
        "bn1.num_batches_tracked",
        "layer1.0.conv1.weight",
        "layer1.1.bn2.bias",
        "layer2.0.downsample.0.weight",
        "layer2.0.downsample.1.weight",
        "layer3.0.downsample.1.running_var",
        "layer3.1.bn1.running_var",
        "layer4.1.bn2.bias",
        "layer4.1.downsample.0.weight",
        "fc.weight",
        "fc.bias",
    ] {
        assert!(names.iter().any(|n| n == want), "missing {want}");
    }
    // The ETF head is frozen: in the state, not among the trainable parameters (which the
    // optimiser's buffers follow once it has stepped).
    let mut s = s;
    two_images(&mut s);
    s.train(TrainRequest {
        epoch: 1,
        lr: 0.01,
        steps: Some(1),
    })
    .expect("train");
    let names: Vec<String> = state_tensors(&s).into_iter().map(|(n, _)| n).collect();
    assert!(names
        .iter()
        .any(|n| n == "optimizer.fc.bias.momentum_buffer"));
    assert!(!names
        .iter()
        .any(|n| n == "optimizer.fc.weight.momentum_buffer"));
    let mlp: B = session(json!({"classes": 10, "model": "mlp", "width": 8, "depth": 2}));
    let names: Vec<String> = state_tensors(&mlp)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| is_parameter(n))
        .collect();
    let mut want = vec![
        "layers.0.linear.weight",
        "layers.0.linear.bias",
        "layers.0.bn.weight",
        "layers.0.bn.bias",
        "layers.1.linear.weight",
        "layers.1.linear.bias",
        "layers.1.bn.weight",
        "layers.1.bn.bias",
        "fc.weight",
        "fc.bias",
    ];
    want.sort();
    assert_eq!(names, want);
}
