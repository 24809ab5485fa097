//! The names and metadata of a saved session state. Both backends write and read the same
//! layout (PyTorch state_dict names for the model, `optimizer.*` for the optimiser), so a state
//! saved by one backend loads in the other.

use std::collections::HashMap;

use safetensors::SafeTensors;

use crate::error::{Result, SpecError};

/// The metadata key naming the optimiser a state was saved with.
pub const OPTIMIZER_KEY: &str = "optimizer";

/// Adam's step counter (i64 scalar).
pub const ADAM_STEP: &str = "optimizer.step";

/// PyTorch's BatchNorm batch counter of the layer `bn` (i64 scalar).
pub fn num_batches_tracked(bn: &str) -> String {
    format!("{bn}.num_batches_tracked")
}

/// SGD's momentum buffer of `param`.
pub fn momentum_buffer(param: &str) -> String {
    format!("optimizer.{param}.momentum_buffer")
}

/// Adam's first moment of `param`.
pub fn exp_avg(param: &str) -> String {
    format!("optimizer.{param}.exp_avg")
}

/// Adam's second moment of `param`.
pub fn exp_avg_sq(param: &str) -> String {
    format!("optimizer.{param}.exp_avg_sq")
}

/// The state's metadata. One key only: safetensors keeps metadata in a HashMap, whose order
/// (and so the bytes) would vary between sessions with more keys.
pub fn metadata(optimizer: &str) -> HashMap<String, String> {
    HashMap::from([(OPTIMIZER_KEY.to_string(), optimizer.to_string())])
}

/// Parses a saved state and checks it was saved with `optimizer`, the session's.
pub fn open_state<'a>(bytes: &'a [u8], optimizer: &str) -> Result<SafeTensors<'a>> {
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| SpecError::BadInput(format!("state: not safetensors: {e}")))?;
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| SpecError::BadInput(format!("state: not safetensors: {e}")))?;
    let got = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get(OPTIMIZER_KEY).cloned())
        .unwrap_or_default();
    if got != optimizer {
        return Err(SpecError::BadInput(format!(
            "state was saved with optimizer {got:?}, this session uses {optimizer:?}"
        )));
    }
    Ok(st)
}

/// The refusal when a state's frozen tensor differs from the session's fixed ETF head.
pub fn fixed_head_mismatch(name: &str) -> SpecError {
    SpecError::BadInput(format!(
        "state tensor {name} differs from this session's fixed head: the state belongs \
         to another ETF placement (etf_rotation_seed) or feature dimension"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state_bytes::{f64_owned, has, serialize};

    #[test]
    fn a_state_opens_only_for_its_optimizer() {
        let named = [(
            momentum_buffer("fc.weight"),
            f64_owned(&[1.0, 2.0], vec![2]),
        )];
        let bytes = serialize(&named, metadata("sgd")).unwrap();
        let st = open_state(&bytes, "sgd").unwrap();
        assert!(has(&st, "optimizer.fc.weight.momentum_buffer"));
        let e = open_state(&bytes, "adam").unwrap_err();
        assert_eq!(
            e.to_string(),
            "state was saved with optimizer \"sgd\", this session uses \"adam\""
        );
        assert!(open_state(b"not a state", "sgd")
            .unwrap_err()
            .to_string()
            .starts_with("state: not safetensors"));
    }
}
