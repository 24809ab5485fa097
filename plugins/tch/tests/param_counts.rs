//! The shared contract (`collapse_backend_spec::conformance`): reference.md §2's
//! trainable-parameter table hit exactly, the MLP and width-k counts, shapes and non-negative
//! features of ResNet18, torchvision's parameter names; and the MLP's registration order.

use collapse_backend_spec::conformance;
use collapse_plugin_tch::{ModelSpec, Network, TchSession};
use serde_json::json;
use tch::Device;

fn net(model: serde_json::Value) -> Network {
    Network::new(&ModelSpec::parse(&model).unwrap(), 0, Device::Cpu).unwrap()
}

#[test]
fn resnet18_counts_match_the_reference_table() {
    conformance::resnet18_counts_match_the_reference_table::<TchSession>();
}

#[test]
fn mlp_and_width_k_counts_follow_their_formulas() {
    conformance::mlp_and_width_k_counts_follow_their_formulas::<TchSession>();
}

#[test]
fn resnet18_shapes_and_nonnegative_features() {
    conformance::resnet18_shapes_and_nonnegative_features::<TchSession>();
}

#[test]
fn parameter_names_follow_torchvision() {
    conformance::parameter_names_follow_torchvision::<TchSession>();
}

/// The trainable parameters in registration order (the order of the flat vectors L-BFGS
/// works on, and so of the states of both backends).
#[test]
fn mlp_parameters_are_registered_in_order() {
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
