//! reference.md §2's trainable-parameter table, hit exactly; output shapes of ResNet18.

use candle_core::{DType, Device, Tensor};
use collapse_backend_spec::reference_counts::{frozen_head_params, RESNET18_TRAINABLE_PARAMS};
use collapse_plugin_candle::{ModelSpec, Network};
use serde_json::json;

fn net(model: serde_json::Value) -> Network {
    Network::new(&ModelSpec::parse(&model).unwrap(), 0, &Device::Cpu).unwrap()
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
fn mlp_and_width_k_counts_follow_their_formulas() {
    let (w, depth, k) = (32usize, 3usize, 10usize);
    let n = net(json!({"classes": k, "model": "mlp", "width": w, "depth": depth}));
    let layer = |fan_in: usize| fan_in * w + w + 2 * w;
    let want = layer(3072) + (depth - 1) * layer(w) + w * k + k;
    assert_eq!(n.params.trainable_count(), want as u64);
    // The width-64 CIFAR ResNet18 is the 3×3-stem ResNet18.
    let a = net(json!({"classes": 10, "model": "resnet18-width", "width": 64}));
    assert_eq!(a.params.trainable_count(), 11_173_962);
}

#[test]
fn resnet18_shapes_and_nonnegative_narrow_features() {
    let x = Tensor::randn(0f32, 1f32, (2, 3, 32, 32), &Device::Cpu).unwrap();
    // Width-4 CIFAR ResNet18 (3×3 stem): d = 8k = 32, or d = K = 10.
    for d in [32usize, 10] {
        let n = net(json!({"classes": 10, "model": "resnet18-width", "width": 4,
                           "feature_dim": d}));
        let (h, logits) = n.forward(&x, false).unwrap();
        assert_eq!(h.dims(), &[2, d]);
        assert_eq!(logits.dims(), &[2, 10]);
    }
    // Full-size ResNet18, default stem: d = 512 and d = K; features are non-negative.
    for (d, head) in [(512usize, "learned"), (10, "etf")] {
        let n = net(json!({"classes": 10, "model": "resnet18", "feature_dim": d,
                           "classifier": head}));
        let (h, logits) = n.forward(&x, false).unwrap();
        assert_eq!(h.dims(), &[2, d]);
        assert_eq!(logits.dims(), &[2, 10]);
        let min = h.to_dtype(DType::F64).unwrap().min_all().unwrap();
        assert!(min.to_scalar::<f64>().unwrap() >= 0.0);
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
        "layer1.1.bn2.bias",
        "layer2.0.downsample.0.weight",
        "layer2.0.downsample.1.weight",
        "layer4.1.downsample.0.weight",
        "fc.bias",
    ] {
        assert!(names.contains(&want), "missing {want}");
    }
    assert!(!names.contains(&"fc.weight"), "the ETF head is frozen");
    assert_eq!(n.params.frozen[0].0, "fc.weight");
    let buffers: Vec<&str> = n.params.buffers.iter().map(|(s, _)| s.as_str()).collect();
    assert!(buffers.contains(&"bn1.running_mean") && buffers.contains(&"layer3.1.bn1.running_var"));
}
