//! The shared contract (`collapse_backend_spec::conformance`): reference.md §2's
//! trainable-parameter table hit exactly, the MLP and width-k counts, shapes and non-negative
//! features of ResNet18, torchvision's parameter names.

use collapse_backend_spec::conformance;
use collapse_plugin_candle::CandleSession;

#[test]
fn resnet18_counts_match_the_reference_table() {
    conformance::resnet18_counts_match_the_reference_table::<CandleSession>();
}

#[test]
fn mlp_and_width_k_counts_follow_their_formulas() {
    conformance::mlp_and_width_k_counts_follow_their_formulas::<CandleSession>();
}

#[test]
fn resnet18_shapes_and_nonnegative_features() {
    conformance::resnet18_shapes_and_nonnegative_features::<CandleSession>();
}

#[test]
fn parameter_names_follow_torchvision() {
    conformance::parameter_names_follow_torchvision::<CandleSession>();
}
