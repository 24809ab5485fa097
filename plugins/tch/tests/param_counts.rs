//! reference.md §2's trainable-parameter table, hit exactly; shapes and non-negative
//! features of ResNet18; torchvision's parameter names.

use collapse_backend_spec::reference_counts::{frozen_head_params, RESNET18_TRAINABLE_PARAMS};
use collapse_plugin_tch::{ModelSpec, Network};
use serde_json::json;
use tch::{Device, Kind, Tensor};

fn net(model: serde_json::Value) -> Network {
    Network::new(&ModelSpec::parse(&model).unwrap(), 0, Device::Cpu).unwrap()
}

#[test]
fn resnet18_counts_match_the_reference_table() {
    for (stem, d, head, want) in RESNET18_TRAINABLE_PARAMS {
        let n = net(json!({"classes": 10, "model": "resnet18", "stem": stem,
                           "feature_dim": d, "classifier": head}));
        assert_eq!(
            n.params.trainable_count(),
            want,
            "stem {stem}, d {d}, {head}"
        );
        // The frozen head is counted in the total only.
        assert_eq!(
            n.params.total_count(),
            want + frozen_head_params(head, 10, d)
        );
    }
}

#[test]
fn mlp_count_follows_its_formula() {
    let (w, depth, k) = (32usize, 3usize, 10usize);
    let n = net(json!({"classes": k, "model": "mlp", "width": w, "depth": depth}));
    let layer = |fan_in: usize| fan_in * w + w + 2 * w;
    let want = layer(3072) + (depth - 1) * layer(w) + w * k + k;
    assert_eq!(n.params.trainable_count(), want as u64);
}

#[test]
fn resnet18_shapes_and_nonnegative_features() {
    let x = Tensor::randn([2, 3, 32, 32], (Kind::Float, Device::Cpu));
    for (stem, d, head) in [("default", 512usize, "learned"), ("3x3", 10, "etf")] {
        let n = net(json!({"classes": 10, "model": "resnet18", "stem": stem,
                           "feature_dim": d, "classifier": head}));
        let (h, logits) = n.forward(&x, false).unwrap();
        assert_eq!(h.size(), [2, d as i64]);
        assert_eq!(logits.size(), [2, 10]);
        assert!(h.min().double_value(&[]) >= 0.0);
    }
}

#[test]
fn parameter_names_follow_torchvision() {
    let n = net(
        json!({"classes": 10, "model": "resnet18", "feature_dim": 10,
                       "classifier": "etf"}),
    );
    let names: Vec<&str> = n.params.trainable.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "conv1.weight",
        "bn1.weight",
        "bn1.bias",
        "layer1.0.conv1.weight",
        "layer2.0.downsample.0.weight",
        "layer2.0.downsample.1.weight",
        "layer4.1.downsample.0.weight",
        "layer4.1.bn2.bias",
        "fc.bias",
    ] {
        assert!(names.contains(&want), "missing {want}");
    }
    assert!(!names.contains(&"fc.weight"), "the ETF head is frozen");
    assert_eq!(n.params.frozen[0].0, "fc.weight");
    let buffers: Vec<&str> = n.params.buffers.iter().map(|(s, _)| s.as_str()).collect();
    assert!(buffers.contains(&"layer3.0.downsample.1.running_var"));
    let mlp = net(json!({"classes": 10, "model": "mlp", "width": 8, "depth": 2}));
    let names: Vec<&str> = mlp
        .params
        .trainable
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "layers.0.linear.weight",
            "layers.0.linear.bias",
            "layers.0.bn.weight",
            "layers.0.bn.bias",
            "layers.1.linear.weight",
            "layers.1.linear.bias",
            "layers.1.bn.weight",
            "layers.1.bn.bias",
            "fc.weight",
            "fc.bias"
        ]
    );
}
