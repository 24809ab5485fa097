//! The shared session contract (`collapse_backend_spec::conformance`), driven directly (no
//! ABI) on small random images: the fixed ETF head stays exactly fixed under every optimiser,
//! a saved state resumes bit for bit, sessions are deterministic for a seed, states follow
//! torchvision's names, bad descriptions are refused with the key named, augmentation
//! reproduces and resumes.

use collapse_backend_spec::conformance;
use collapse_plugin_candle::CandleSession;

#[test]
fn fixed_etf_head_stays_exactly_fixed_under_every_optimizer() {
    conformance::fixed_etf_head_stays_exactly_fixed_under_every_optimizer::<CandleSession>();
}

#[test]
fn saved_state_resumes_bit_for_bit() {
    conformance::saved_state_resumes_bit_for_bit::<CandleSession>();
}

#[test]
fn state_names_follow_torchvision_and_other_states_are_refused() {
    conformance::state_names_follow_torchvision_and_other_states_are_refused::<CandleSession>();
}

#[test]
fn bad_descriptions_are_refused_naming_the_key() {
    conformance::bad_descriptions_are_refused_naming_the_key::<CandleSession>();
}

#[test]
fn augmentation_changes_the_training_batches_reproducibly_and_resumes() {
    conformance::augmentation_changes_the_training_batches_reproducibly_and_resumes::<CandleSession>(
    );
}
